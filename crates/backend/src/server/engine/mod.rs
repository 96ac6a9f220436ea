//! The decision engine of the reference backend: pure and synchronous.
//!
//! Given the store (a [`Population`]), the trusted roots, the rules calendar, the
//! defects and a request with its "now", it returns the answer and an
//! [`AuditRecord`]. It does no I/O and reads no clock: "now" comes with the request
//! (`confirmation_time`, `QualificationConfirmationDate`) or from the shell, and the
//! challenge lifetime runs on the [`Tick`] the shell passes. Its only state is in
//! memory: challenges, on-the-spot registrations (in the population's overlay), the
//! same-month 限度額 consents (TRN-Q1), bulk jobs and the defect counters.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{Datelike, NaiveDateTime};

use super::answer::{self, Answer, AnswerContext, MedicalInfo};
use super::audit::{AuditRecord, Operation};
use super::auth::{self, Authenticated, TrustAnchors};
use super::challenge::ChallengeBook;
use super::defects::{Defect, DefectSet, WRONG_PERSON_EVERY};
use onshi_domain::codes::{
    CharacterEncoding, ContributionRatio, MedicalTreatmentFlag, PrescriptionIssueSelect,
    ProcessingResultStatus, QualificationValidity, ReferenceClassification, SegmentOfResult,
};
use onshi_domain::message::{
    BulkConfirmUnit, BulkDownloadRequest, BulkQualificationRequest, BulkQualificationResponse,
    BulkResponseHeader, BulkUploadAck, BulkUploadAckHeader, MedicalInstitutionCode, MessageBody,
    MessageHeader, QualificationConfirmSearchInfo, QualificationRequest, QualificationResponse,
    ResultOfQualificationConfirmation, YearMonth,
};
use onshi_domain::protocol::ResultCode;
use onshi_domain::protocol::Tick;
use onshi_domain::protocol::wire::{
    Base64Bytes, CardConfirmationRequest, Challenge, Health, NumbersConfirmationRequest,
    RegistrationOutcome, RegistrationRequest, RegistrationResponse,
};
use onshi_domain::rules::{
    CareSetting, RegistrationAttempt, RegistrationChannel, RegistrationRefusal, RulesCalendar,
    derive_copay,
};
use onshi_world::persona::ResolvedPersona;
use onshi_world::persona::model::RegistrationState;
use onshi_world::persona::my_number;
use onshi_world::population::Population;

/// A request the engine refuses outright: an `ONS-E…`, `ONS-A…` or `ONS-B…` code, a
/// message and the field to blame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct EngineError {
    /// The code.
    pub code: ResultCode,
    /// The message (the code's default, with detail).
    pub message: String,
    /// The offending field.
    pub field: Option<String>,
}

impl EngineError {
    /// An error with the code's default message.
    pub fn new(code: ResultCode) -> Self {
        Self {
            code,
            message: code.message().to_owned(),
            field: None,
        }
    }

    /// An error with detail appended to the default message.
    pub fn detail(code: ResultCode, detail: impl AsRef<str>) -> Self {
        Self {
            code,
            message: format!("{}（{}）", code.message(), detail.as_ref()),
            field: None,
        }
    }

    /// Names the offending field.
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
}

/// The engine's settings.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// The rules calendar.
    pub calendar: RulesCalendar,
    /// Defects switched on.
    pub defects: DefectSet,
    /// Challenge lifetime (ms).
    pub challenge_ttl_ms: u64,
    /// Most challenges remembered at once.
    pub max_challenges: usize,
    /// Most search infos in one bulk upload.
    pub max_bulk_units: usize,
    /// Most bulk jobs kept for download (oldest dropped first).
    pub max_bulk_jobs: usize,
    /// Most search results kept over all bulk jobs (oldest jobs dropped first).
    pub max_bulk_stored_units: usize,
    /// Most same-month 限度額 consents remembered (TRN-Q1; older months go first).
    pub max_limit_grants: usize,
    /// Seed of the nonce stream (the shell passes OS randomness).
    pub nonce_seed: [u8; 32],
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            calendar: RulesCalendar::reference(),
            defects: DefectSet::NONE,
            challenge_ttl_ms: 120_000,
            max_challenges: 4 << 20,
            max_bulk_units: 10_000,
            max_bulk_jobs: 4096,
            max_bulk_stored_units: 200_000,
            max_limit_grants: 1_000_000,
            nonce_seed: [0x5A; 32],
        }
    }
}

pub use onshi_domain::protocol::RequestTime;

/// An answer (or refusal) with its audit record.
#[derive(Debug, Clone)]
pub struct Outcome<T> {
    /// The answer, or why the request was refused.
    pub result: Result<T, EngineError>,
    /// What the audit log should say.
    pub audit: AuditRecord,
}

/// A numbers query, whatever face it came through.
#[derive(Debug, Clone)]
struct NumbersQuery<'a> {
    now: NaiveDateTime,
    facility: &'a MedicalInstitutionCode,
    insurer: &'a str,
    symbol: Option<&'a str>,
    number: &'a str,
    branch: Option<&'a str>,
    birthdate: chrono::NaiveDate,
    limit_consent: bool,
    treatment_month: Option<YearMonth>,
    care_setting: CareSetting,
}

impl<'a> NumbersQuery<'a> {
    /// A search of the XML interface (`OQSsiquc01req`, or one of an `OQSmuquc01req`).
    fn xml(
        now: NaiveDateTime,
        facility: &'a MedicalInstitutionCode,
        s: &'a QualificationConfirmSearchInfo,
        treatment_month: Option<YearMonth>,
        care_setting: CareSetting,
    ) -> Self {
        Self {
            now,
            facility,
            insurer: s.insurer_number.as_str(),
            symbol: s.insured_card_symbol.as_deref(),
            number: &s.insured_identification_number,
            branch: s.insured_branch_number.as_deref(),
            birthdate: s.birthdate,
            limit_consent: s.limit_application_certificate_related_cons_flg
                == Some(onshi_domain::codes::LimitConsentFlag::Given),
            treatment_month,
            care_setting,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct GrantKey {
    index: u64,
    facility: String,
    year: i32,
    month: u32,
}

#[derive(Debug, Default)]
struct BulkJobs {
    jobs: HashMap<String, (MedicalInstitutionCode, BulkQualificationResponse)>,
    order: VecDeque<String>,
    units: usize,
}

/// The reference backend's engine. Cheap to share (`Arc<Engine>`); every method takes
/// `&self`.
#[derive(Debug)]
pub struct Engine {
    population: Arc<Population>,
    trust: TrustAnchors,
    config: EngineConfig,
    challenges: ChallengeBook,
    grants: Mutex<HashMap<GrantKey, NaiveDateTime>>,
    bulk: Mutex<BulkJobs>,
    seq: AtomicU64,
    valid_answers: AtomicU64,
    ratio_flips: AtomicU64,
    receptions: AtomicU64,
}

mod bulk;
mod card;
mod emergency;
mod numbers;
mod registration;
mod responses;

pub use responses::echoable_file_id;
use responses::{PersonAnswer, response_header, xml_now, year_month};
pub use responses::{bulk_error_response, xml_error_response};

impl Engine {
    /// An engine over `population`, trusting `trust`.
    pub fn new(population: Arc<Population>, trust: TrustAnchors, config: EngineConfig) -> Self {
        let challenges = ChallengeBook::new(
            config.nonce_seed,
            config.challenge_ttl_ms,
            config.max_challenges,
        );
        Self {
            population,
            trust,
            config,
            challenges,
            grants: Mutex::new(HashMap::new()),
            bulk: Mutex::new(BulkJobs::default()),
            seq: AtomicU64::new(0),
            valid_answers: AtomicU64::new(0),
            ratio_flips: AtomicU64::new(0),
            receptions: AtomicU64::new(0),
        }
    }

    /// The store.
    pub fn population(&self) -> &Arc<Population> {
        &self.population
    }

    /// The trusted roots.
    pub fn trust(&self) -> &TrustAnchors {
        &self.trust
    }

    /// The settings.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// The defects on.
    pub fn defects(&self) -> DefectSet {
        self.config.defects
    }

    /// `GET /v1/health`: the store and the defects on, at the shell's as-of and "now".
    pub fn health(&self, as_of: NaiveDateTime, now: NaiveDateTime) -> Health {
        let pop = self.population();
        Health {
            status: "ok".into(),
            as_of,
            now,
            members: pop.len(),
            personas: pop.persona_count(),
            seed: pop.seed(),
            defects: self.defects().iter().map(|d| d.name().to_owned()).collect(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }

    fn calendar(&self) -> &RulesCalendar {
        &self.config.calendar
    }

    fn has(&self, d: Defect) -> bool {
        self.config.defects.has(d)
    }

    fn audit(&self, now: NaiveDateTime, op: Operation) -> AuditRecord {
        AuditRecord::new(self.seq.fetch_add(1, Ordering::Relaxed) + 1, now, op)
    }

    /// An audit record for a request the shell refused before the engine (malformed,
    /// too large, injected fault).
    pub fn audit_rejected(
        &self,
        now: NaiveDateTime,
        code: ResultCode,
        detail: String,
    ) -> AuditRecord {
        let mut a = self.audit(now, Operation::Rejected);
        a.outcome = code.code().to_owned();
        a.detail = Some(super::audit::redact_values(&detail));
        a
    }

    /// FAQ-4-20 and privacy: a My Number in the free `ArbitraryFileIdentifier` is
    /// refused (`ONS-E007`), never echoed or written.
    fn check_file_identifier(id: Option<&str>) -> Result<(), EngineError> {
        match id {
            Some(v) if my_number::is_valid(v.trim()) => {
                Err(EngineError::new(ResultCode::MyNumberRefused)
                    .field("arbitrary_file_identifier"))
            }
            _ => Ok(()),
        }
    }

    fn finish<T>(result: Result<T, EngineError>, mut audit: AuditRecord) -> Outcome<T> {
        if let Err(e) = &result {
            audit.outcome = e.code.code().to_owned();
            if audit.detail.is_none() {
                audit.detail = Some(e.message.clone());
            }
        }
        Outcome { result, audit }
    }

    // ------------------------------------------------------------------ challenges

    /// `POST /v1/challenges`.
    pub fn issue_challenge(&self, t: RequestTime) -> Outcome<Challenge> {
        self.issue_challenge_for(None, t)
    }

    /// A challenge for `facility`'s requests only (any facility's when `None`).
    pub fn issue_challenge_for(
        &self,
        facility: Option<&MedicalInstitutionCode>,
        t: RequestTime,
    ) -> Outcome<Challenge> {
        let audit = self.audit(t.now, Operation::Challenge);
        let result = self
            .challenges
            .issue_for(t.tick, facility.map(MedicalInstitutionCode::as_str))
            .map(|c| Challenge {
                nonce: Base64Bytes(c.nonce.to_vec()),
                expires_in_seconds: c.ttl_ms / 1000,
            })
            .map_err(EngineError::new);
        Self::finish(result, audit)
    }

    /// Authentication shared by confirmation and registration: challenge, chain,
    /// evidence, member lookup, PIN-less check — then the challenge is used.
    fn authenticate(
        &self,
        card: &onshi_domain::protocol::wire::CardAuthentication,
        facility: &MedicalInstitutionCode,
        now: NaiveDateTime,
        tick: Tick,
        audit: &mut AuditRecord,
    ) -> Result<Authenticated, EngineError> {
        audit.method = Some(card.method.word());
        let replay_ok = self.has(Defect::ReplayAccepted);
        let from = (!self.has(Defect::ChallengeAnyFacility)).then(|| facility.as_str());
        // The defect reads every challenge at its issue time: none has expired.
        let tick = if self.has(Defect::AcceptExpiredChallenge) {
            Tick(0)
        } else {
            tick
        };
        auth::check_challenge_first(&self.challenges, card, from, tick, replay_ok)?;
        let defects = self.config.defects;
        let certificate = self
            .trust
            .verify_certificate(card.auth_certificate.as_bytes(), defects)?;
        audit.certificate_serial = Some(format!("{:016X}", certificate.serial));
        if let Some(d) = certificate.waived {
            audit.defect(d.name());
        }
        let evidence = self.trust.verify_evidence(card, facility, now, defects)?;
        for d in &evidence.waived {
            audit.defect(d.name());
        }
        let index = self.population.by_certificate_serial(certificate.serial);
        if let Some(i) = index {
            audit.person = self.population.id_of(i);
            let pinless = self.population.person(i).is_some_and(|p| p.card.pinless);
            if pinless && card.method == onshi_domain::protocol::wire::AuthMethod::Pin {
                return Err(EngineError::new(ResultCode::PinPathOnPinlessCard).field("card.method"));
            }
        }
        // Everything checked: now use the challenge (atomically).
        self.challenges
            .consume(card.nonce.as_bytes(), tick, replay_ok)
            .map_err(|code| EngineError::new(code).field("card.nonce"))?;
        if replay_ok {
            audit.detail = Some("challenge reuse allowed (replay-accepted)".into());
        }
        Ok(Authenticated {
            certificate,
            evidence,
            index,
        })
    }

    /// When the member counts as registered at `now` (the overlay or the store).
    fn registered_at(
        &self,
        index: u64,
        p: &ResolvedPersona,
        now: NaiveDateTime,
    ) -> Option<NaiveDateTime> {
        if let Some(at) = self
            .population
            .overlay_registration(index)
            .filter(|at| *at <= now)
        {
            return Some(at);
        }
        match p.registration {
            RegistrationState::Registered(Some(at)) if at <= now => Some(at),
            RegistrationState::Registered(None) => Some(NaiveDateTime::MIN),
            _ => None,
        }
    }

    fn limit_grant(
        &self,
        index: u64,
        facility: &MedicalInstitutionCode,
        now: NaiveDateTime,
    ) -> Option<NaiveDateTime> {
        let key = GrantKey {
            index,
            facility: facility.as_str().to_owned(),
            year: now.year(),
            month: now.month(),
        };
        self.grants
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            .copied()
    }

    fn record_grant(&self, index: u64, facility: &MedicalInstitutionCode, now: NaiveDateTime) {
        let key = GrantKey {
            index,
            facility: facility.as_str().to_owned(),
            year: now.year(),
            month: now.month(),
        };
        let mut grants = self.grants.lock().unwrap_or_else(PoisonError::into_inner);
        if grants.len() >= self.config.max_limit_grants {
            // Best effort: earlier months no longer matter to TRN-Q1's same month.
            let (y, m) = (now.year(), now.month());
            grants.retain(|k, _| (k.year, k.month) >= (y, m));
            if grants.len() >= self.config.max_limit_grants {
                grants.clear();
            }
        }
        grants.entry(key).or_insert(now);
    }

    // ------------------------------------------------------------------ defects

    /// `wrong-person`: the 1st and every N-th valid answer shows the next member with a
    /// valid qualification.
    fn wrong_person(
        &self,
        index: u64,
        answer: &mut Answer,
        ctx: &AnswerContext<'_>,
        audit: &mut AuditRecord,
    ) {
        if !self.has(Defect::WrongPerson) || answer.validity != QualificationValidity::Valid {
            return;
        }
        let n = self.valid_answers.fetch_add(1, Ordering::Relaxed);
        if !n.is_multiple_of(WRONG_PERSON_EVERY) {
            return;
        }
        let len = self.population.len();
        for step in 1..=64u64.min(len.saturating_sub(1)) {
            let j = (index + step) % len;
            let Some(other) = self.population.person(j) else {
                continue;
            };
            let other_answer = answer::card_answer(&other, ctx);
            if other_answer.validity == QualificationValidity::Valid {
                *answer = other_answer;
                audit.shown_person = self.population.id_of(j);
                audit.defect(Defect::WrongPerson.name());
                return;
            }
        }
    }

    /// `ignores-ticket-registration`: noted in the audit when it changed the answer (a
    /// recipient whose 医療券 is not registered was answered 有効).
    fn ticket_defect(
        &self,
        records: &[onshi_world::persona::model::Qualification],
        now: NaiveDateTime,
        audit: &mut AuditRecord,
    ) {
        if self.has(Defect::IgnoresTicketRegistration)
            && records.iter().any(|q| q.ticket_pending(now.date()))
        {
            audit.defect(Defect::IgnoresTicketRegistration.name());
        }
    }

    /// `missing-ratio` and `wrong-ratio` on the records of an answer.
    fn ratio_defects(
        &self,
        results: &mut [ResultOfQualificationConfirmation],
        now: NaiveDateTime,
        audit: &mut AuditRecord,
    ) {
        if self.has(Defect::MissingRatio) {
            for r in results.iter_mut() {
                let had = r.insured_partial_contribution_ratio.take().is_some()
                    | r.elderly_recipient_certificate_info
                        .as_mut()
                        .and_then(|e| e.elderly_recipient_contribution_ratio.take())
                        .is_some();
                if had {
                    audit.defect(Defect::MissingRatio.name());
                }
            }
        }
        if self.has(Defect::WrongRatio) {
            for r in results.iter_mut() {
                let fields = r.ratio_fields();
                let truth = derive_copay(r.birthdate, now.date(), &fields).ratio;
                let n = self.ratio_flips.fetch_add(1, Ordering::Relaxed);
                let wrong = if n.is_multiple_of(2) {
                    ContributionRatio::FULL
                } else {
                    match truth.percent() {
                        10 => ContributionRatio::TWENTY,
                        20 => ContributionRatio::THIRTY,
                        _ => ContributionRatio::TEN,
                    }
                };
                r.insured_partial_contribution_ratio = Some(wrong);
                if let Some(e) = r.elderly_recipient_certificate_info.as_mut() {
                    e.elderly_recipient_contribution_ratio = Some(wrong);
                }
                audit.defect(Defect::WrongRatio.name());
            }
        }
    }
}
