//! What every job shares (the population, cards, calendar, policies) and the
//! facility a job happens at.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::NaiveDateTime;

use super::scenario::RetryPolicy;
use onshi_card::card::CardProfile;
use onshi_domain::message::MedicalInstitutionCode;
use onshi_domain::rules::RulesCalendar;
use onshi_reader::reader::ReaderConfig;
use onshi_world::population::{CertificateIssuer, PersonIndex, Population};

/// What every job shares: the population, cards, calendar, policies.
#[derive(Debug)]
pub struct Env {
    /// The population (ground truth).
    pub population: Arc<Population>,
    /// Issues members' cards.
    pub issuer: CertificateIssuer,
    /// The rules calendar.
    pub calendar: RulesCalendar,
    /// The simulated window start (date and time).
    pub window_start: NaiveDateTime,
    /// Retries.
    pub retry: RetryPolicy,
    cards: Mutex<HashMap<PersonIndex, Arc<CardProfile>>>,
    card_cap: usize,
    /// Registrations on the spot the backend confirmed: member → the earliest visit
    /// time (simulated) any of them was made at.
    registered: Mutex<HashMap<PersonIndex, NaiveDateTime>>,
}

impl Env {
    /// An environment; at most `card_cap` card profiles are cached.
    pub fn new(
        population: Arc<Population>,
        issuer: CertificateIssuer,
        calendar: RulesCalendar,
        window_start: NaiveDateTime,
        retry: RetryPolicy,
        card_cap: usize,
    ) -> Self {
        Self {
            population,
            issuer,
            calendar,
            window_start,
            retry,
            cards: Mutex::new(HashMap::new()),
            card_cap,
            registered: Mutex::new(HashMap::new()),
        }
    }

    /// The simulated time `sim_s` seconds into the window.
    pub fn now(&self, sim_s: f64) -> NaiveDateTime {
        self.window_start + chrono::Duration::milliseconds((sim_s * 1000.0) as i64)
    }

    /// The card profile of `member` (the patient's card exists before the visit:
    /// issued once, cached).
    pub fn card(&self, member: PersonIndex) -> Result<Arc<CardProfile>, String> {
        if let Some(p) = self
            .cards
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&member)
        {
            return Ok(Arc::clone(p));
        }
        let issued = self
            .issuer
            .card(&self.population, member)
            .map_err(|e| e.to_string())?;
        let profile = Arc::new(issued.profile);
        let mut cache = self.cards.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.len() >= self.card_cap {
            cache.clear();
        }
        cache.insert(member, Arc::clone(&profile));
        Ok(profile)
    }

    /// Issues every card of `members` ahead of the run (not timed).
    pub fn warm_cards(&self, members: impl IntoIterator<Item = PersonIndex>) {
        for m in members {
            if self
                .cards
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .len()
                >= self.card_cap
            {
                break;
            }
            let _ = self.card(m);
        }
    }

    /// Whether a registration on the spot of `member`, confirmed by the backend, holds
    /// at `now` (the visit's time on the run's clock).
    pub(crate) fn registered_here(&self, member: PersonIndex, now: NaiveDateTime) -> bool {
        self.registered
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&member)
            .is_some_and(|at| *at <= now)
    }

    /// Notes a registration of `member` the backend confirmed for a visit at `at`; the
    /// earliest such time holds (as the backend keeps it).
    pub(crate) fn mark_registered(&self, member: PersonIndex, at: NaiveDateTime) {
        self.registered
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(member)
            .and_modify(|t| *t = (*t).min(at))
            .or_insert(at);
    }
}

/// The facility a job happens at.
#[derive(Debug, Clone, Copy)]
pub struct Desk<'a> {
    /// 医療機関コード.
    pub code: &'a MedicalInstitutionCode,
    /// The facility's reader (facility code, device credential, face policy).
    pub reader: &'a ReaderConfig,
    /// Booked patients for the bulk inquiry.
    pub booked: &'a [PersonIndex],
    /// Global facility id.
    pub id: u64,
}
