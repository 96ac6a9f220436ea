//! Who arrives: members of the population sorted into the states the scenario's
//! patient mix weights, and the seeded draw of one patient (member, path, auth
//! method, what they do at the reader).

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use serde::Serialize;

use super::expect;
use super::scenario::{PatientMix, PatientState};
use onshi_domain::rules::RulesCalendar;
use onshi_world::persona::ResolvedPersona;
use onshi_world::population::rng::Rng64;
use onshi_world::population::{PersonIndex, Population};

/// The state of a member at `now`, from the ground truth.
pub fn classify(calendar: &RulesCalendar, p: &ResolvedPersona, now: NaiveDateTime) -> PatientState {
    let cert = &p.card.certificate;
    let day = now.date();
    if cert.revoked_by(now) {
        return PatientState::Revoked;
    }
    if !expect::registered(p, now, false) {
        return PatientState::Unregistered;
    }
    let status = calendar.certificate_status(
        &onshi_domain::rules::UserAuthCertificate {
            issued_at: cert.issued_at,
            expires_on: cert.expires_on,
            renewed: cert.renewed,
        },
        day,
    );
    if !matches!(status, onshi_domain::rules::CertificateStatus::Valid { .. })
        || (cert.renewed && now - cert.issued_at < chrono::Duration::hours(24))
    {
        return PatientState::CertificateIssue;
    }
    if p.non_disclosure {
        return PatientState::Other;
    }
    if expect::card_validity(calendar, p, now) != onshi_domain::codes::QualificationValidity::Valid
    {
        return if p.insured_on(day) {
            PatientState::JobChangeLag
        } else {
            PatientState::Other
        };
    }
    if p.qualifications.iter().any(|q| !q.active_on(day)) {
        return PatientState::JobChangeDone;
    }
    if p.card.pinless {
        return PatientState::Pinless;
    }
    if p.card.auth_pin_locked() {
        return PatientState::PinLocked;
    }
    PatientState::Standard
}

/// Members of one slice of the population, by state.
#[derive(Debug, Clone, Default)]
pub struct Pools {
    /// Card-path candidates by state.
    pub by_state: BTreeMap<PatientState, Vec<PersonIndex>>,
    /// Members holding a 資格確認書.
    pub kakunin: Vec<PersonIndex>,
    /// Every member scanned.
    pub all: Vec<PersonIndex>,
}

impl Pools {
    /// Scans generated members `lo..hi` (at most `cap`, evenly spread) at `now`.
    pub fn scan(
        pop: &Population,
        calendar: &RulesCalendar,
        now: NaiveDateTime,
        lo: PersonIndex,
        hi: PersonIndex,
        cap: u64,
    ) -> Self {
        let n = hi.saturating_sub(lo);
        let step = n.div_ceil(cap.max(1)).max(1);
        let mut pools = Self::default();
        let mut i = lo;
        while i < hi {
            if let Some(p) = pop.person(i)
                && !p.qualifications.is_empty()
            {
                let state = classify(calendar, &p, now);
                pools.by_state.entry(state).or_default().push(i);
                if p.documents.kakunin_sho.is_some() {
                    pools.kakunin.push(i);
                }
                pools.all.push(i);
            }
            i += step;
        }
        pools
    }

    /// Share of each state among the scanned members.
    pub fn natural_mix(&self) -> BTreeMap<PatientState, f64> {
        let total = self.all.len().max(1) as f64;
        self.by_state
            .iter()
            .map(|(s, v)| (*s, v.len() as f64 / total))
            .collect()
    }
}

/// How the patient is confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Path {
    /// The My Number Card at the reader.
    Card,
    /// Printed numbers of a 資格確認書.
    Kakunin,
    /// Numbers the clinic has on file (repeat patient).
    ClinicRecord,
}

/// The method the patient picks at the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Auth {
    /// 顔認証.
    Face,
    /// 暗証番号.
    Pin,
    /// 目視確認.
    Visual,
}

/// One patient, drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Patient {
    /// The member.
    pub member: PersonIndex,
    /// How they are confirmed.
    pub path: Path,
    /// The method chosen at the reader.
    pub auth: Auth,
    /// The camera does not match the first time.
    pub face_mismatch: bool,
    /// One wrong PIN first.
    pub pin_typo: bool,
    /// Registers on the spot if offered.
    pub accepts_registration: bool,
    /// Consents to medical-information sharing (`None` = the member's own answer).
    pub medical_consent: Option<bool>,
}

/// Draws patients from pools by the scenario's mix.
#[derive(Debug, Clone)]
pub struct Drawer {
    states: Vec<(PatientState, f64)>,
    mix: PatientMix,
}

impl Drawer {
    /// A drawer over `pools`; states with empty pools are dropped (and reported by
    /// [`Drawer::missing`]).
    pub fn new(mix: &PatientMix, pools: &Pools) -> Self {
        let weights = mix.states.clone().unwrap_or_else(|| pools.natural_mix());
        let states = weights
            .into_iter()
            .filter(|(s, w)| *w > 0.0 && pools.by_state.get(s).is_some_and(|v| !v.is_empty()))
            .collect();
        Self {
            states,
            mix: mix.clone(),
        }
    }

    /// States the mix asks for that the pools do not have.
    pub fn missing(mix: &PatientMix, pools: &Pools) -> Vec<PatientState> {
        mix.states
            .iter()
            .flatten()
            .filter(|(s, w)| **w > 0.0 && pools.by_state.get(s).is_none_or(Vec::is_empty))
            .map(|(s, _)| *s)
            .collect()
    }

    fn pick_state(&self, rng: &mut Rng64) -> Option<PatientState> {
        let total: f64 = self.states.iter().map(|(_, w)| w).sum();
        let mut r = rng.unit() * total;
        for (s, w) in &self.states {
            if r < *w {
                return Some(*s);
            }
            r -= w;
        }
        self.states.last().map(|(s, _)| *s)
    }

    /// One patient: `card` says whether they come for the card path.
    pub fn draw(&self, pools: &Pools, card: bool, rng: &mut Rng64) -> Option<Patient> {
        let m = &self.mix;
        let (member, path) = if card {
            let state = self.pick_state(rng)?;
            let pool = pools.by_state.get(&state)?;
            (*rng.pick(pool), Path::Card)
        } else if !pools.kakunin.is_empty() && rng.unit() < m.kakunin_share {
            (*rng.pick(&pools.kakunin), Path::Kakunin)
        } else if !pools.all.is_empty() {
            (*rng.pick(&pools.all), Path::ClinicRecord)
        } else {
            return None;
        };
        let u = rng.unit();
        let auth = if u < m.auth.face {
            Auth::Face
        } else if u < m.auth.face + m.auth.pin {
            Auth::Pin
        } else {
            Auth::Visual
        };
        Some(Patient {
            member,
            path,
            auth,
            face_mismatch: rng.unit() < m.face_mismatch,
            pin_typo: rng.unit() < m.pin_typo,
            accepts_registration: rng.unit() < m.accept_registration,
            medical_consent: m.medical_consent.map(|c| rng.unit() < c),
        })
    }
}
