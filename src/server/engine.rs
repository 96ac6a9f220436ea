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
use super::challenge::{ChallengeBook, Tick};
use super::codes::ResultCode;
use super::defects::{Defect, DefectSet, WRONG_PERSON_EVERY};
use super::documents::{self, DocumentVerdict};
use crate::backend::protocol::{
    Base64Bytes, CardConfirmationRequest, Challenge, NumbersConfirmationRequest, PresentedDocument,
    RegistrationOutcome, RegistrationRequest, RegistrationResponse,
};
use crate::codes::{
    CharacterEncoding, ContributionRatio, MedicalTreatmentFlag, ProcessingResultStatus,
    QualificationValidity, ReferenceClassification, SegmentOfResult,
};
use crate::message::{
    BulkConfirmUnit, BulkDownloadRequest, BulkQualificationRequest, BulkQualificationResponse,
    BulkResponseHeader, BulkUploadAck, BulkUploadAckHeader, MedicalInstitutionCode, MessageBody,
    MessageHeader, QualificationConfirmSearchInfo, QualificationRequest, QualificationResponse,
    ResultOfQualificationConfirmation, YearMonth,
};
use crate::persona::ResolvedPersona;
use crate::persona::model::RegistrationState;
use crate::persona::my_number;
use crate::population::Population;
use crate::rules::{
    CardKind, CareSetting, RatioFields, RegistrationAttempt, RegistrationChannel,
    RegistrationRefusal, RulesCalendar, UserAuthCertificate, derive_copay,
};

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

/// When a request is handled: the shell's "now" (server as-of + elapsed) and tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestTime {
    /// The server clock's "now" (JST); requests may carry their own.
    pub now: NaiveDateTime,
    /// Monotonic milliseconds (challenge lifetime only).
    pub tick: Tick,
}

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
    document: PresentedDocument,
    card_presented: bool,
    limit_consent: bool,
    treatment_month: Option<YearMonth>,
    care_setting: CareSetting,
}

/// The outcome for one person: what goes into `MessageBody` or a `BulkConfirmUnit`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PersonAnswer {
    status: ProcessingResultStatus,
    code: Option<ResultCode>,
    message: Option<String>,
    validity: Option<QualificationValidity>,
    results: Vec<ResultOfQualificationConfirmation>,
}

impl PersonAnswer {
    fn refused(code: ResultCode, detail: Option<String>) -> Self {
        Self {
            status: ProcessingResultStatus::Error,
            code: Some(code),
            message: Some(match detail {
                Some(d) => format!("{}（{d}）", code.message()),
                None => code.message().to_owned(),
            }),
            validity: None,
            results: Vec::new(),
        }
    }

    fn answered(answer: Answer, mut notes: Vec<ResultCode>) -> Self {
        notes.extend(answer.notes.iter().copied());
        notes.sort_by_key(|c| c.code());
        notes.dedup();
        let message = (!notes.is_empty()).then(|| {
            notes
                .iter()
                .map(|c| c.message())
                .collect::<Vec<_>>()
                .join(" / ")
        });
        Self {
            status: ProcessingResultStatus::Normal,
            code: notes.first().copied(),
            message,
            validity: Some(answer.validity),
            results: answer.results,
        }
    }

    fn audit_into(&self, audit: &mut AuditRecord) {
        if self.status == ProcessingResultStatus::Error {
            audit.outcome = self.code.map_or("refused".into(), |c| c.code().to_owned());
        }
        audit.validity = self.validity.map(|v| v.code().to_owned());
        audit.result_code = self.code.map(|c| c.code().to_owned());
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

/// `QualificationConfirmationDate` with the time of day of the shell's clock.
fn xml_now(date: chrono::NaiveDate, t: RequestTime) -> NaiveDateTime {
    date.and_time(t.now.time())
}

fn year_month(t: NaiveDateTime) -> Option<YearMonth> {
    YearMonth::new(t.year() as u16, t.month() as u8).ok()
}

/// A `SegmentOfResult` 9 response for a refused `OQSsiquc01req` (or a file that could
/// not be read at all).
pub fn xml_error_response(
    error: &EngineError,
    facility: &MedicalInstitutionCode,
    file_id: Option<String>,
    now: NaiveDateTime,
    classification: ReferenceClassification,
) -> QualificationResponse {
    QualificationResponse {
        message_header: MessageHeader {
            process_execution_time: now,
            qualification_confirmation_date: now.date(),
            medical_institution_code: facility.clone(),
            arbitrary_file_identifier: file_id,
            reference_classification: classification,
            segment_of_result: SegmentOfResult::Abnormal,
            error_code: Some(error.code.code().to_owned()),
            error_message: Some(match &error.field {
                Some(f) => format!("{} [{f}]", error.message),
                None => error.message.clone(),
            }),
            character_code_identifier: CharacterEncoding::Utf8,
        },
        message_body: MessageBody {
            qualification_confirm_search_info: None,
            prescription_issue_select: None,
            processing_result_status: ProcessingResultStatus::Error,
            processing_result_code: None,
            processing_result_message: None,
            qualification_validity: None,
            result_list: Vec::new(),
        },
    }
}

/// A `SegmentOfResult` 9 bulk result (unknown 受付番号, unreadable upload).
pub fn bulk_error_response(
    error: &EngineError,
    facility: &MedicalInstitutionCode,
    file_id: Option<String>,
    reception_number: &str,
    now: NaiveDateTime,
) -> BulkQualificationResponse {
    BulkQualificationResponse {
        message_header: BulkResponseHeader {
            process_execution_time: now,
            qualification_confirmation_date: None,
            medical_institution_code: facility.clone(),
            arbitrary_file_identifier: file_id,
            reception_number: if reception_number.trim().is_empty() {
                "000000000000".into()
            } else {
                reception_number.to_owned()
            },
            segment_of_result: SegmentOfResult::Abnormal,
            error_code: Some(error.code.code().to_owned()),
            error_message: Some(error.message.clone()),
            number_of_processing_result: Some(0),
            number_of_normal_processing: Some(0),
            number_of_error: Some(0),
            character_code_identifier: CharacterEncoding::Utf8,
        },
        bulk_confirm_unit: Vec::new(),
    }
}

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
        a.detail = Some(detail);
        a
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
        let audit = self.audit(t.now, Operation::Challenge);
        let result = self
            .challenges
            .issue(t.tick)
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
        card: &crate::backend::protocol::CardAuthentication,
        facility: &MedicalInstitutionCode,
        now: NaiveDateTime,
        tick: Tick,
        audit: &mut AuditRecord,
    ) -> Result<Authenticated, EngineError> {
        audit.method = Some(card.method.word());
        let replay_ok = self.has(Defect::ReplayAccepted);
        auth::check_challenge_first(&self.challenges, card, tick, replay_ok)?;
        let certificate = self
            .trust
            .verify_certificate(card.auth_certificate.as_bytes())?;
        audit.certificate_serial = Some(format!("{:016X}", certificate.serial));
        let evidence =
            self.trust
                .verify_evidence(card, facility, now, self.has(Defect::IgnoreLockout))?;
        if evidence.lockout_ignored {
            audit.defect(Defect::IgnoreLockout.name());
        }
        let index = self.population.by_certificate_serial(certificate.serial);
        if let Some(i) = index {
            audit.person = self.population.id_of(i);
            let pinless = self.population.person(i).is_some_and(|p| p.card.pinless);
            if pinless && card.method == crate::backend::protocol::AuthMethod::Pin {
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

    fn certificate_of(p: &ResolvedPersona) -> UserAuthCertificate {
        UserAuthCertificate {
            issued_at: p.card.certificate.issued_at,
            expires_on: p.card.certificate.expires_on,
            renewed: p.card.certificate.renewed,
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
                let fields = RatioFields {
                    insured_ratio: r.insured_partial_contribution_ratio,
                    elderly_ratio: r
                        .elderly_recipient_certificate_info
                        .as_ref()
                        .and_then(|e| e.elderly_recipient_contribution_ratio),
                    preschool: r.preschool_classification,
                    limit_class: r
                        .limit_application_certificate_related_info
                        .as_ref()
                        .and_then(|l| l.limit_application_certificate_classification_flag),
                    insurer_family: r.insurer_number.as_ref().map(|n| n.family()),
                };
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

    // ------------------------------------------------------------------ card path

    /// Confirmation with the My Number Card (PIN, face or visual path).
    pub fn confirm_card(
        &self,
        req: &CardConfirmationRequest,
        t: RequestTime,
    ) -> Outcome<QualificationResponse> {
        let now = req.confirmation_time.unwrap_or(t.now);
        let mut audit = self.audit(now, Operation::CardConfirmation);
        audit.facility = Some(req.medical_institution_code.as_str().to_owned());
        let result = self
            .card_person_answer(req, now, t.tick, &mut audit)
            .map(|pa| {
                pa.audit_into(&mut audit);
                QualificationResponse {
                    message_header: MessageHeader {
                        process_execution_time: now,
                        qualification_confirmation_date: now.date(),
                        medical_institution_code: req.medical_institution_code.clone(),
                        arbitrary_file_identifier: req.arbitrary_file_identifier.clone(),
                        reference_classification: ReferenceClassification::MyNumberCard,
                        segment_of_result: SegmentOfResult::Normal,
                        error_code: None,
                        error_message: None,
                        character_code_identifier: CharacterEncoding::Utf8,
                    },
                    message_body: MessageBody {
                        qualification_confirm_search_info: None,
                        prescription_issue_select: req.prescription_issue_select,
                        processing_result_status: pa.status,
                        processing_result_code: pa.code.map(|c| c.code().to_owned()),
                        processing_result_message: pa.message,
                        qualification_validity: pa.validity,
                        result_list: pa.results,
                    },
                }
            });
        Self::finish(result, audit)
    }

    fn card_person_answer(
        &self,
        req: &CardConfirmationRequest,
        now: NaiveDateTime,
        tick: Tick,
        audit: &mut AuditRecord,
    ) -> Result<PersonAnswer, EngineError> {
        let authd =
            self.authenticate(&req.card, &req.medical_institution_code, now, tick, audit)?;
        let Some(index) = authd.index else {
            return Ok(PersonAnswer::refused(
                ResultCode::CertificateNotLinked,
                None,
            ));
        };
        let Some(p) = self.population.person(index) else {
            return Ok(PersonAnswer::refused(
                ResultCode::CertificateNotLinked,
                None,
            ));
        };
        let day = now.date();
        let cert = &p.card.certificate;
        if now < cert.issued_at {
            return Ok(PersonAnswer::refused(
                ResultCode::CertificateNotYetValid,
                None,
            ));
        }
        if cert.revoked_by(now) {
            if !self.has(Defect::NoRejectRevoked) {
                return Ok(PersonAnswer::refused(ResultCode::CertificateRevoked, None));
            }
            audit.defect(Defect::NoRejectRevoked.name());
        }
        let status = self
            .calendar()
            .certificate_status(&Self::certificate_of(&p), day);
        if status.registration_cancelled() {
            return Ok(PersonAnswer::refused(ResultCode::CertificateExpired, None));
        }
        let setting = CareSetting::from(req.care_setting);
        if !self.calendar().card_usable_in(setting, day) {
            return Ok(PersonAnswer::refused(
                ResultCode::CareSettingNotYetSupported,
                Some(format!(
                    "{setting:?}: {} から",
                    self.calendar().card_usable_from(setting)
                )),
            ));
        }
        if p.non_disclosure {
            return Ok(PersonAnswer::refused(ResultCode::NonDisclosure, None));
        }
        if self.registered_at(index, &p, now).is_none() {
            let code = if p.registration == RegistrationState::Cancelled {
                ResultCode::RegistrationCancelled
            } else {
                ResultCode::RegistrationMissing
            };
            return Ok(PersonAnswer::refused(code, None));
        }

        let mut notes = Vec::new();
        let medical_info = if !status.shares_medical_info() {
            notes.push(ResultCode::CertificateGrace);
            MedicalInfo::Absent
        } else if req.consents.medical_info {
            MedicalInfo::Shared
        } else if self.has(Defect::LeakMedicalWithoutConsent) {
            audit.defect(Defect::LeakMedicalWithoutConsent.name());
            MedicalInfo::Shared
        } else {
            MedicalInfo::NotConsented
        };
        if matches!(status, crate::rules::CertificateStatus::RenewalDue { .. }) {
            notes.push(ResultCode::CertificateExpiresSoon);
        }
        let by_law = !self.calendar().limit_info_requires_consent(day);
        let limit_consent = (by_law || req.consents.limit_info).then_some(now);
        let ctx = AnswerContext {
            calendar: self.calendar(),
            now,
            medical_info,
            limit_consent,
            treatment_month: year_month(now),
        };
        let mut answer = answer::card_answer(&p, &ctx);
        if !by_law && req.consents.limit_info && answer.limit_provided {
            // TRN-Q1: the consent holds for this facility in this month.
            self.record_grant(index, &req.medical_institution_code, now);
        }
        self.wrong_person(index, &mut answer, &ctx, audit);
        self.ratio_defects(&mut answer.results, now, audit);
        Ok(PersonAnswer::answered(answer, notes))
    }

    // ------------------------------------------------------------------ numbers path

    /// Confirmation by the printed numbers (JSON API, with the document rules).
    pub fn confirm_numbers(
        &self,
        req: &NumbersConfirmationRequest,
        t: RequestTime,
    ) -> Outcome<QualificationResponse> {
        let now = req.confirmation_time.unwrap_or(t.now);
        let mut audit = self.audit(now, Operation::NumbersConfirmation);
        audit.facility = Some(req.medical_institution_code.as_str().to_owned());
        let q = NumbersQuery {
            now,
            facility: &req.medical_institution_code,
            insurer: &req.insurer_number,
            symbol: req.insured_card_symbol.as_deref(),
            number: &req.insured_identification_number,
            branch: req.insured_branch_number.as_deref(),
            birthdate: req.birthdate,
            document: req.document,
            card_presented: req.card_presented,
            limit_consent: req.limit_consent == Some(true),
            treatment_month: None,
            care_setting: CareSetting::Outpatient,
        };
        let result = self.numbers_answer(&q, &mut audit).map(|(pa, echo)| {
            pa.audit_into(&mut audit);
            self.numbers_response(
                pa,
                echo,
                &req.medical_institution_code,
                req.arbitrary_file_identifier.clone(),
                now,
            )
        });
        Self::finish(result, audit)
    }

    /// `OQSsiquc01req`: the XML inquiry by numbers (no document rules: the message does
    /// not say which document). Errors become `SegmentOfResult` 9 via
    /// [`xml_error_response`] in the shell.
    pub fn xml_inquiry(
        &self,
        req: &QualificationRequest,
        t: RequestTime,
    ) -> Outcome<QualificationResponse> {
        let h = &req.message_header;
        let s = &req.qualification_confirm_search_info;
        let now = xml_now(h.qualification_confirmation_date, t);
        let mut audit = self.audit(now, Operation::XmlInquiry);
        audit.facility = Some(h.medical_institution_code.as_str().to_owned());
        let q = NumbersQuery {
            now,
            facility: &h.medical_institution_code,
            insurer: s.insurer_number.as_str(),
            symbol: s.insured_card_symbol.as_deref(),
            number: &s.insured_identification_number,
            branch: s.insured_branch_number.as_deref(),
            birthdate: s.birthdate,
            document: PresentedDocument::Unspecified,
            card_presented: false,
            limit_consent: s.limit_application_certificate_related_cons_flg
                == Some(crate::codes::LimitConsentFlag::Given),
            treatment_month: None,
            care_setting: CareSetting::Outpatient,
        };
        let result = self.numbers_answer(&q, &mut audit).map(|(pa, _)| {
            pa.audit_into(&mut audit);
            self.numbers_response(
                pa,
                Some(s.clone()),
                &h.medical_institution_code,
                Some(h.arbitrary_file_identifier.clone()),
                now,
            )
        });
        Self::finish(result, audit)
    }

    fn numbers_response(
        &self,
        pa: PersonAnswer,
        echo: Option<QualificationConfirmSearchInfo>,
        facility: &MedicalInstitutionCode,
        file_id: Option<String>,
        now: NaiveDateTime,
    ) -> QualificationResponse {
        QualificationResponse {
            message_header: MessageHeader {
                process_execution_time: now,
                qualification_confirmation_date: now.date(),
                medical_institution_code: facility.clone(),
                arbitrary_file_identifier: file_id,
                reference_classification: ReferenceClassification::InsuranceCardNumbers,
                segment_of_result: SegmentOfResult::Normal,
                error_code: None,
                error_message: None,
                character_code_identifier: CharacterEncoding::Utf8,
            },
            message_body: MessageBody {
                qualification_confirm_search_info: echo,
                prescription_issue_select: None,
                processing_result_status: pa.status,
                processing_result_code: pa.code.map(|c| c.code().to_owned()),
                processing_result_message: pa.message,
                qualification_validity: pa.validity,
                result_list: pa.results,
            },
        }
    }

    /// The numbers path for one search: FAQ-4-20, validation, lookup, document rules,
    /// answer, defects. Returns the answer and the echo of the search.
    fn numbers_answer(
        &self,
        q: &NumbersQuery<'_>,
        audit: &mut AuditRecord,
    ) -> Result<(PersonAnswer, Option<QualificationConfirmSearchInfo>), EngineError> {
        let day = q.now.date();
        // FAQ-4-20: a My Number is never an identifier.
        let fields = [
            ("insurer_number", Some(q.insurer)),
            ("insured_card_symbol", q.symbol),
            ("insured_identification_number", Some(q.number)),
            ("insured_branch_number", q.branch),
        ];
        if let Some((field, value)) = fields
            .iter()
            .find_map(|(f, v)| v.filter(|v| my_number::is_valid(v.trim())).map(|v| (*f, v)))
        {
            audit.detail = Some(format!("a My Number was sent in {field} (redacted)"));
            if !self.has(Defect::AcceptMyNumber) {
                return Err(EngineError::new(ResultCode::MyNumberRefused).field(field));
            }
            audit.defect(Defect::AcceptMyNumber.name());
            let Some(index) = self.population.by_my_number(value.trim()) else {
                return Ok((
                    PersonAnswer::answered(
                        Answer {
                            validity: QualificationValidity::NoMatchingQualification,
                            results: Vec::new(),
                            notes: Vec::new(),
                            limit_provided: false,
                        },
                        Vec::new(),
                    ),
                    None,
                ));
            };
            audit.person = self.population.id_of(index);
            let p = self
                .population
                .person(index)
                .ok_or_else(|| EngineError::new(ResultCode::Internal))?;
            let ctx = self.numbers_ctx(q, index);
            let mut answer = answer::card_answer(&p, &ctx);
            self.ratio_defects(&mut answer.results, q.now, audit);
            return Ok((PersonAnswer::answered(answer, Vec::new()), None));
        }
        let insurer = crate::codes::InsurerNumber::parse(q.insurer).map_err(|e| {
            EngineError::detail(ResultCode::InvalidInsurerNumber, e.reason).field("insurer_number")
        })?;
        if q.number.trim().is_empty() || q.number.trim().len() > 20 {
            return Err(
                EngineError::detail(ResultCode::InvalidField, "番号は1〜20文字")
                    .field("insured_identification_number"),
            );
        }
        let echo = QualificationConfirmSearchInfo {
            insurer_number: insurer.clone(),
            insured_card_symbol: q.symbol.map(str::to_owned),
            insured_identification_number: q.number.to_owned(),
            insured_branch_number: q.branch.map(str::to_owned),
            birthdate: q.birthdate,
            limit_application_certificate_related_cons_flg: None,
            arbitrary_identifier: None,
        };
        let none = || {
            PersonAnswer::answered(
                Answer {
                    validity: QualificationValidity::NoMatchingQualification,
                    results: Vec::new(),
                    notes: Vec::new(),
                    limit_provided: false,
                },
                Vec::new(),
            )
        };
        let Some((index, r)) = self
            .population
            .by_numbers(&insurer, q.symbol, q.number, q.branch)
        else {
            audit.detail = Some("no record with these numbers".into());
            return Ok((none(), Some(echo)));
        };
        audit.person = self.population.id_of(index);
        let p = self
            .population
            .person(index)
            .ok_or_else(|| EngineError::new(ResultCode::Internal))?;
        if p.person.birth_date != q.birthdate {
            audit.detail = Some("birth date does not match".into());
            return Ok((none(), Some(echo)));
        }
        if q.care_setting != CareSetting::Outpatient
            && !self.calendar().card_usable_in(q.care_setting, day)
        {
            return Ok((
                PersonAnswer::refused(ResultCode::CareSettingNotYetSupported, None),
                Some(echo),
            ));
        }
        let (verdict, defect) = documents::verdict(
            self.calendar(),
            self.config.defects,
            &p,
            r,
            q.document,
            q.card_presented,
            day,
        );
        if let Some(d) = defect {
            audit.defect(d.name());
        }
        let mut notes = Vec::new();
        match verdict {
            DocumentVerdict::Accept => {}
            DocumentVerdict::AcceptTemporary => notes.push(ResultCode::TemporaryMeasure),
            DocumentVerdict::Refuse(code, detail) => {
                return Ok((PersonAnswer::refused(code, Some(detail)), Some(echo)));
            }
        }
        let ctx = self.numbers_ctx(q, index);
        let mut answer = answer::record_answer(&p, r, &ctx);
        self.wrong_person(index, &mut answer, &ctx, audit);
        self.ratio_defects(&mut answer.results, q.now, audit);
        Ok((PersonAnswer::answered(answer, notes), Some(echo)))
    }

    fn numbers_ctx<'a>(&'a self, q: &NumbersQuery<'_>, index: u64) -> AnswerContext<'a> {
        let by_law = !self.calendar().limit_info_requires_consent(q.now.date());
        let limit_consent = if by_law || q.limit_consent {
            Some(q.now)
        } else {
            // TRN-Q1: a consent given at this facility's reader this month.
            self.limit_grant(index, q.facility, q.now)
        };
        AnswerContext {
            calendar: self.calendar(),
            now: q.now,
            medical_info: MedicalInfo::Absent,
            limit_consent,
            treatment_month: q.treatment_month.or_else(|| year_month(q.now)),
        }
    }

    // ------------------------------------------------------------------ registration

    /// 保険証利用登録 at the reader (KQ-1, OKA-FACEONLY, OKA-REG-24H, OKA-REG-5D,
    /// FAQ-4-15).
    pub fn register(
        &self,
        req: &RegistrationRequest,
        t: RequestTime,
    ) -> Outcome<RegistrationResponse> {
        let now = req.confirmation_time.unwrap_or(t.now);
        let mut audit = self.audit(now, Operation::Registration);
        audit.facility = Some(req.medical_institution_code.as_str().to_owned());
        let result = self.register_inner(req, now, t.tick, &mut audit);
        if let Ok(r) = &result {
            audit.result_code = r.code.clone();
            if r.outcome == RegistrationOutcome::Refused {
                audit.outcome = r.code.clone().unwrap_or_else(|| "refused".into());
            }
        }
        Self::finish(result, audit)
    }

    fn register_inner(
        &self,
        req: &RegistrationRequest,
        now: NaiveDateTime,
        tick: Tick,
        audit: &mut AuditRecord,
    ) -> Result<RegistrationResponse, EngineError> {
        let authd =
            self.authenticate(&req.card, &req.medical_institution_code, now, tick, audit)?;
        let refused = |code: ResultCode, detail: Option<String>| RegistrationResponse {
            outcome: RegistrationOutcome::Refused,
            message: match detail {
                Some(d) => format!("{}（{d}）", code.message()),
                None => code.message().to_owned(),
            },
            code: Some(code.code().to_owned()),
            rule: code.rule().map(|r| r.code().to_owned()),
            registered_at: None,
        };
        let Some((index, p)) = authd
            .index
            .and_then(|i| self.population.person(i).map(|p| (i, p)))
        else {
            return Ok(refused(ResultCode::CertificateNotLinked, None));
        };
        if p.card.certificate.revoked_by(now) {
            if !self.has(Defect::NoRejectRevoked) {
                return Ok(refused(ResultCode::CertificateRevoked, None));
            }
            audit.defect(Defect::NoRejectRevoked.name());
        }
        if p.non_disclosure {
            return Ok(refused(ResultCode::NonDisclosure, None));
        }
        let already = self.registered_at(index, &p, now);
        let attempt = RegistrationAttempt {
            at: now,
            channel: RegistrationChannel::ClinicReader,
            card: if p.card.pinless {
                CardKind::PinLess
            } else {
                CardKind::Standard
            },
            pin_locked: p.card.auth_pin_locked(),
            certificate: Self::certificate_of(&p),
            already_registered: already.is_some(),
            insurer_registered: answer::has_valid_qualification(self.calendar(), &p, now.date()),
        };
        match self.calendar().register(&attempt) {
            Ok(crate::rules::RegistrationOutcome::Registered) => {
                self.population.record_registration(index, now);
                Ok(RegistrationResponse {
                    outcome: RegistrationOutcome::Registered,
                    message: "登録完了".into(),
                    code: None,
                    rule: None,
                    registered_at: Some(now),
                })
            }
            Ok(crate::rules::RegistrationOutcome::AlreadyRegistered) => Ok(RegistrationResponse {
                outcome: RegistrationOutcome::AlreadyRegistered,
                message: "登録済みです".into(),
                code: None,
                rule: None,
                registered_at: already.filter(|a| *a != NaiveDateTime::MIN),
            }),
            Err(refusal) => {
                let code = match refusal {
                    RegistrationRefusal::NoValidQualification => {
                        ResultCode::RegistrationNoValidQualification
                    }
                    RegistrationRefusal::RenewalCooldown { .. } => {
                        ResultCode::RegistrationRenewalCooldown
                    }
                    RegistrationRefusal::ExpiresTooSoon { .. } => {
                        ResultCode::RegistrationExpiresSoon
                    }
                    RegistrationRefusal::CertificateExpired { .. } => {
                        ResultCode::RegistrationCertificateExpired
                    }
                    _ => ResultCode::RegistrationRefused,
                };
                let mut r = refused(
                    code,
                    (code == ResultCode::RegistrationRefused).then(|| refusal.to_string()),
                );
                r.rule = Some(refusal.rule_id().code().to_owned());
                audit.detail = Some(refusal.to_string());
                Ok(r)
            }
        }
    }

    // ------------------------------------------------------------------ bulk

    /// `OQSmuquc01req`: answers every search at once and keeps the result for
    /// `OQSmuquc02req`.
    pub fn bulk_upload(
        &self,
        req: &BulkQualificationRequest,
        t: RequestTime,
    ) -> Outcome<BulkUploadAck> {
        let h = &req.message_header;
        let now = xml_now(h.qualification_confirmation_date, t);
        let mut audit = self.audit(now, Operation::BulkUpload);
        audit.facility = Some(h.medical_institution_code.as_str().to_owned());
        let n = req.qualification_confirm_search_info.len();
        if n > self.config.max_bulk_units {
            let e = EngineError::detail(
                ResultCode::BulkTooManyUnits,
                format!("{n} 件 > {}", self.config.max_bulk_units),
            );
            return Self::finish(Err(e), audit);
        }
        let mut units = Vec::with_capacity(n);
        let mut normal = 0u32;
        for info in &req.qualification_confirm_search_info {
            let s = &info.search_info;
            let care_setting = match info.medical_treatment_flag {
                Some(MedicalTreatmentFlag::HomeVisit) => CareSetting::HomeVisit,
                Some(MedicalTreatmentFlag::Online) => CareSetting::OnlineConsultation,
                _ => CareSetting::Outpatient,
            };
            let q = NumbersQuery {
                now,
                facility: &h.medical_institution_code,
                insurer: s.insurer_number.as_str(),
                symbol: s.insured_card_symbol.as_deref(),
                number: &s.insured_identification_number,
                branch: s.insured_branch_number.as_deref(),
                birthdate: s.birthdate,
                document: PresentedDocument::Unspecified,
                card_presented: false,
                limit_consent: s.limit_application_certificate_related_cons_flg
                    == Some(crate::codes::LimitConsentFlag::Given),
                treatment_month: info.medical_treatment_month,
                care_setting,
            };
            let mut unit_audit = AuditRecord::new(0, now, Operation::BulkUpload);
            let pa = match self.numbers_answer(&q, &mut unit_audit) {
                Ok((pa, _)) => pa,
                Err(e) => PersonAnswer {
                    status: ProcessingResultStatus::Error,
                    code: Some(e.code),
                    message: Some(e.message),
                    validity: None,
                    results: Vec::new(),
                },
            };
            for d in unit_audit.defects {
                audit.defect(d);
            }
            if pa.status == ProcessingResultStatus::Normal {
                normal += 1;
            }
            units.push(BulkConfirmUnit {
                qualification_confirm_search_info: Some(s.clone()),
                processing_result_status: pa.status,
                processing_result_code: pa.code.map(|c| c.code().to_owned()),
                processing_result_message: pa.message,
                qualification_validity: pa.validity,
                result_of_qualification_confirmation: pa.results,
                reference_number: None,
            });
        }
        let seq = self.receptions.fetch_add(1, Ordering::Relaxed) + 1;
        let reception_number = format!("{}{:06}", now.format("%Y%m%d"), seq % 1_000_000);
        let total = units.len() as u32;
        let response = BulkQualificationResponse {
            message_header: BulkResponseHeader {
                process_execution_time: now,
                qualification_confirmation_date: Some(now.date()),
                medical_institution_code: h.medical_institution_code.clone(),
                arbitrary_file_identifier: Some(h.arbitrary_file_identifier.clone()),
                reception_number: reception_number.clone(),
                segment_of_result: SegmentOfResult::Normal,
                error_code: None,
                error_message: None,
                number_of_processing_result: Some(total),
                number_of_normal_processing: Some(normal),
                number_of_error: Some(total - normal),
                character_code_identifier: CharacterEncoding::Utf8,
            },
            bulk_confirm_unit: units,
        };
        {
            let mut jobs = self.bulk.lock().unwrap_or_else(PoisonError::into_inner);
            jobs.units += response.bulk_confirm_unit.len();
            jobs.jobs.insert(
                reception_number.clone(),
                (h.medical_institution_code.clone(), response),
            );
            jobs.order.push_back(reception_number.clone());
            while jobs.order.len() > self.config.max_bulk_jobs
                || (jobs.units > self.config.max_bulk_stored_units && jobs.order.len() > 1)
            {
                let Some(old) = jobs.order.pop_front() else {
                    break;
                };
                if let Some((_, r)) = jobs.jobs.remove(&old) {
                    jobs.units -= r.bulk_confirm_unit.len();
                }
            }
        }
        audit.detail = Some(format!("{total} searches, reception {reception_number}"));
        let ack = BulkUploadAck {
            message_header: BulkUploadAckHeader {
                process_execution_time: now,
                medical_institution_code: h.medical_institution_code.clone(),
                arbitrary_file_identifier: Some(h.arbitrary_file_identifier.clone()),
                character_code_identifier: CharacterEncoding::Utf8,
            },
            reception_number,
            reception_date_time: now,
        };
        Self::finish(Ok(ack), audit)
    }

    /// `OQSmuquc02req`: the result of an earlier upload of the same facility.
    pub fn bulk_download(
        &self,
        req: &BulkDownloadRequest,
        t: RequestTime,
    ) -> Outcome<BulkQualificationResponse> {
        let mut audit = self.audit(t.now, Operation::BulkDownload);
        audit.facility = Some(req.medical_institution_code.as_str().to_owned());
        let found = self
            .bulk
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .jobs
            .get(req.reception_number.trim())
            .filter(|(facility, _)| *facility == req.medical_institution_code)
            .map(|(_, r)| r.clone());
        let result = found
            .map(|mut r| {
                r.message_header.process_execution_time = t.now;
                r.message_header.arbitrary_file_identifier = req
                    .arbitrary_file_identifier
                    .clone()
                    .or(r.message_header.arbitrary_file_identifier);
                r
            })
            .ok_or_else(|| {
                EngineError::new(ResultCode::BulkUnknownReception).field("ReceptionNumber")
            });
        Self::finish(result, audit)
    }
}
