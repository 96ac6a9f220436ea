//! One job, lean: the patient's card in process (APDUs through [`CardOps`]), the
//! backend calls over a [`Wire`] with retries, the clinic step ([`decide`]) and the
//! meaning checks against the ground truth (the oracle's verdicts plus the expected
//! 資格有効性 or refusal from [`super::expect`]).
//!
//! This is the built-in reader's logic in a straight line (no event log, no trace):
//! face, PIN (with a typo and lockout) or 目視, the retry query before VERIFY, a fresh
//! challenge per attempt, on-the-spot registration when offered, and the clinic's
//! number check with the document in hand when the card gives nothing usable.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;

use super::expect::{self, Expected};
use super::facility::Job;
use super::metrics::{ErrorKind, FailureKind, JobResult, RequestTiming, Sample};
use super::patients::{Auth, Path, Patient};
use super::scenario::RetryPolicy;
use super::wire::{Wire, WireError};
use crate::backend::protocol::{
    AuthMethod, Base64Bytes, CardAuthentication, CardConfirmationRequest, CareSettingWire,
    ConsentAnswers, NumbersConfirmationRequest, PresentedDocument, ReaderAttestation,
    RegistrationOutcome, RegistrationRequest, attestation_message,
};
use crate::card::ids;
use crate::card::{CardProfile, Status, VirtualCard};
use crate::channel::InProcessChannel;
use crate::codes::{ProcessingResultStatus, QualificationValidity};
use crate::conformance::visit::confirmation_outcome;
use crate::message::{
    BulkDownloadRequest, BulkQualificationRequest, BulkSearchInfo, MedicalInstitutionCode,
    QualificationConfirmSearchInfo, QualificationResponse, RequestHeader,
};
use crate::oracle::{self, Check, VisitRecord};
use crate::persona::ResolvedPersona;
use crate::persona::model::Qualification;
use crate::pki::{HashAlg, ReaderCredential};
use crate::population::{CertificateIssuer, PersonIndex, Population};
use crate::reader::card_ops::CardOps;
use crate::rules::{
    Basis, CardAtDesk, CareSetting, ConfirmationCertificate, ConfirmationFailure,
    ConfirmationOutcome, Document, Facility, NoticeForm, PatientStance, QualificationNotice,
    RulesCalendar, Visit, decide,
};
use crate::server::ResultCode;

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
    /// Whether the backend applies the numbers path's document rules (JSON).
    pub document_rules: bool,
    cards: Mutex<HashMap<PersonIndex, Arc<CardProfile>>>,
    card_cap: usize,
    registered: Mutex<HashSet<PersonIndex>>,
}

impl Env {
    /// An environment; at most `card_cap` card profiles are cached.
    pub fn new(
        population: Arc<Population>,
        issuer: CertificateIssuer,
        calendar: RulesCalendar,
        window_start: NaiveDateTime,
        retry: RetryPolicy,
        document_rules: bool,
        card_cap: usize,
    ) -> Self {
        Self {
            population,
            issuer,
            calendar,
            window_start,
            retry,
            document_rules,
            cards: Mutex::new(HashMap::new()),
            card_cap,
            registered: Mutex::new(HashSet::new()),
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

    fn registered_here(&self, member: PersonIndex) -> bool {
        self.registered
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(&member)
    }

    fn mark_registered(&self, member: PersonIndex, yes: bool) {
        let mut set = self
            .registered
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if yes {
            set.insert(member);
        } else {
            set.remove(&member);
        }
    }
}

/// The facility a job happens at.
#[derive(Debug, Clone, Copy)]
pub struct Desk<'a> {
    /// 医療機関コード.
    pub code: &'a MedicalInstitutionCode,
    /// The reader's device credential.
    pub credential: &'a ReaderCredential,
    /// Booked patients for the bulk inquiry.
    pub booked: &'a [PersonIndex],
    /// Global facility id.
    pub id: u64,
}

/// The transaction kinds a job is recorded under.
fn kinds(path: Option<(Path, AuthMethod)>) -> &'static [&'static str] {
    match path {
        Some((Path::Card, AuthMethod::Face)) => &["card-face", "card", "visit"],
        Some((Path::Card, AuthMethod::Pin)) => &["card-pin", "card", "visit"],
        Some((Path::Card, AuthMethod::Visual)) => &["card-visual", "card", "visit"],
        Some(_) => &["numbers", "visit"],
        None => &["bulk"],
    }
}

/// A short name for a clinic basis.
pub fn basis_name(b: Basis) -> &'static str {
    match b {
        Basis::OnlineCard => "online-card",
        Basis::CardWithNotice => "card-with-notice",
        Basis::CardWithPortalScreen => "card-with-portal-screen",
        Basis::ConfirmationCertificate => "kakunin-sho",
        Basis::OldInsuranceCard => "old-insurance-card",
        Basis::SchoolEventCopy => "school-event-copy",
        Basis::TemporaryMeasure(_) => "temporary-measure",
        Basis::Declaration => "declaration",
        Basis::NotInsured(_) => "not-insured-10wari",
    }
}

enum Member {
    None,
    Index(PersonIndex),
    Label(String),
}

struct Run<'a, W> {
    env: &'a Env,
    desk: Desk<'a>,
    wire: &'a mut W,
    started: Instant,
    /// The member (or a label, for bulk), named only when a failure is recorded.
    member: Member,
    requests: Vec<RequestTiming>,
    retries: u32,
    error: Option<ErrorKind>,
    failures: Vec<(FailureKind, String)>,
    registered_earlier: bool,
}

impl<W: Wire> Run<'_, W> {
    fn note<T>(
        &mut self,
        name: &'static str,
        timed: super::wire::Timed<T>,
    ) -> Result<T, WireError> {
        let (result, took) = timed;
        self.requests.push(RequestTiming {
            name,
            took,
            error: match &result {
                Err(WireError::NoAnswer(k, _)) => Some(*k),
                _ => None,
            },
        });
        result
    }

    /// After a failed attempt: whether to try again (after the backoff).
    async fn again(&mut self, e: &WireError, attempt: u32) -> bool {
        let p = self.env.retry;
        if !e.retryable()
            || attempt >= p.max_attempts
            || self.started.elapsed() + p.backoff >= p.give_up_after
        {
            return false;
        }
        self.retries += 1;
        tokio::time::sleep(p.backoff).await;
        true
    }

    /// The outcome the clinic sees for a call that produced no answer document.
    fn failed(&mut self, e: &WireError, what: &str) -> ConfirmationOutcome {
        match e {
            WireError::NoAnswer(kind, _) => {
                self.error = Some(*kind);
                ConfirmationOutcome::Failed(ConfirmationFailure::BackendUnreachable)
            }
            WireError::Malformed(m) => {
                self.failures
                    .push((FailureKind::Malformed, format!("{what}: {m}")));
                ConfirmationOutcome::Failed(ConfirmationFailure::BackendError)
            }
            WireError::Refused {
                status,
                code,
                message,
            } => {
                self.failures.push((
                    FailureKind::Refused,
                    format!("{what}: {status} {code} {message}"),
                ));
                let f = ResultCode::parse(code)
                    .and_then(ResultCode::confirmation_failure)
                    .unwrap_or(ConfirmationFailure::BackendError);
                ConfirmationOutcome::Failed(f)
            }
            WireError::Unsupported(op) => {
                self.failures
                    .push((FailureKind::Refused, format!("{what}: {op} unsupported")));
                ConfirmationOutcome::Failed(ConfirmationFailure::BackendError)
            }
        }
    }

    /// Compares an answer with the expectations; the index of the first it meets.
    fn check_expected(
        &mut self,
        r: &QualificationResponse,
        expected: &[Expected],
        what: &str,
    ) -> Option<usize> {
        let body = &r.message_body;
        let matched = expected.iter().position(|e| match e {
            Expected::Answer(v) => {
                body.processing_result_status != ProcessingResultStatus::Error
                    && body
                        .qualification_validity
                        .unwrap_or(QualificationValidity::NoMatchingQualification)
                        == *v
            }
            Expected::Refused(codes) => {
                body.processing_result_status == ProcessingResultStatus::Error
                    && body
                        .processing_result_code
                        .as_deref()
                        .and_then(ResultCode::parse)
                        .is_some_and(|c| codes.contains(&c))
            }
        });
        if matched.is_none() {
            self.failures.push((
                FailureKind::Validity,
                format!(
                    "{what}: status {:?} code {:?} validity {:?}, expected {expected:?}",
                    body.processing_result_status,
                    body.processing_result_code,
                    body.qualification_validity.map(|v| v.code())
                ),
            ));
        }
        matched
    }
}

/// The card session at the reader, kept across backend calls (the PIN stays
/// verified for the SIGN).
pub(super) struct CardSession {
    channel: InProcessChannel,
    cert: Vec<u8>,
    method: AuthMethod,
    tries_before: u8,
}

fn card_error(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Time spent per group of card operations.
type OpTimes = Vec<(&'static str, Duration)>;

/// Reads the certificate and authenticates the patient at the reader. Returns the
/// session and the time spent per operation group.
pub(super) fn at_reader(
    profile: &CardProfile,
    p: &ResolvedPersona,
    patient: &Patient,
) -> Result<(CardSession, OpTimes), String> {
    let mut card = VirtualCard::new(profile);
    card.set_tracing(false);
    let mut channel = InProcessChannel::new(card);
    let mut ops = CardOps::new(&mut channel);
    let mut times = Vec::with_capacity(3);
    let t = Instant::now();
    let cert = ops.read_auth_certificate().map_err(card_error)?;
    let pinless = !ops.select_file(ids::jpki::AUTH_PIN).map_err(card_error)?;
    let mut tries = if pinless {
        0
    } else {
        ops.tries_left().map_err(card_error)?
    };
    times.push(("read-certificate", t.elapsed()));
    let mut method = match patient.auth {
        Auth::Face => AuthMethod::Face,
        Auth::Pin if pinless || tries == 0 => AuthMethod::Face,
        Auth::Pin => AuthMethod::Pin,
        Auth::Visual => AuthMethod::Visual,
    };
    let mut face_tried = false;
    let face = |ops: &mut CardOps<'_>, times: &mut OpTimes| {
        let t = Instant::now();
        let photo = ops.read_face_photo(&p.card.match_b).map_err(card_error);
        times.push(("face-photo", t.elapsed()));
        photo.map(|ph| !ph.is_empty())
    };
    if method == AuthMethod::Face {
        face_tried = true;
        let matched = face(&mut ops, &mut times)? && !patient.face_mismatch;
        if !matched {
            method = if !pinless && tries > 0 {
                AuthMethod::Pin
            } else {
                AuthMethod::Visual
            };
        }
    }
    let mut tries_before = tries;
    if method == AuthMethod::Pin {
        let t = Instant::now();
        let pin = p.card.auth_pin.clone().unwrap_or_default();
        ops.select_app(ids::JPKI_AID).map_err(card_error)?;
        ops.select_file(ids::jpki::AUTH_PIN).map_err(card_error)?;
        tries = ops.tries_left().map_err(card_error)?;
        tries_before = tries;
        let mut verified = false;
        if patient.pin_typo && tries > 0 {
            let wrong: String = pin
                .bytes()
                .enumerate()
                .map(|(i, b)| {
                    if i == 0 {
                        char::from(b'0' + (b.wrapping_sub(b'0').wrapping_add(1)) % 10)
                    } else {
                        char::from(b)
                    }
                })
                .collect();
            match ops.verify(wrong.as_bytes()).map_err(card_error)? {
                Status::VerificationFailed { tries_left } => tries = tries_left,
                Status::Success => verified = true,
                _ => tries = 0,
            }
        }
        if !verified && tries > 0 {
            verified = ops.verify(pin.as_bytes()).map_err(card_error)? == Status::Success;
        }
        times.push(("verify-pin", t.elapsed()));
        if !verified {
            // Locked by the typo, or a wrong PIN on file: the reader moves on.
            method = if face_tried {
                AuthMethod::Visual
            } else if face(&mut ops, &mut times)? && !patient.face_mismatch {
                AuthMethod::Face
            } else {
                AuthMethod::Visual
            };
        }
    }
    Ok((
        CardSession {
            channel,
            cert,
            method,
            tries_before,
        },
        times,
    ))
}

/// Builds the card authentication over `nonce`: the card signs on the PIN path, the
/// reader attests otherwise.
pub(super) fn authentication(
    s: &mut CardSession,
    nonce: Vec<u8>,
    desk: &Desk<'_>,
) -> Result<(CardAuthentication, Option<Duration>), String> {
    match s.method {
        AuthMethod::Pin => {
            let t = Instant::now();
            let mut ops = CardOps::new(&mut s.channel);
            ops.select_file(ids::jpki::AUTH_KEY).map_err(card_error)?;
            let sig = ops
                .sign(&HashAlg::Sha256.digest_info(&nonce))
                .map_err(card_error)?;
            Ok((
                CardAuthentication {
                    auth_certificate: Base64Bytes(s.cert.clone()),
                    nonce: Base64Bytes(nonce),
                    method: AuthMethod::Pin,
                    card_signature: Some(Base64Bytes(sig)),
                    pin_tries_before_verify: Some(s.tries_before),
                    attestation: None,
                },
                Some(t.elapsed()),
            ))
        }
        method => {
            let message = attestation_message(&nonce, &s.cert, method, desk.code);
            Ok((
                CardAuthentication {
                    auth_certificate: Base64Bytes(s.cert.clone()),
                    nonce: Base64Bytes(nonce),
                    method,
                    card_signature: None,
                    pin_tries_before_verify: None,
                    attestation: Some(ReaderAttestation {
                        reader_certificate: Base64Bytes(desk.credential.cert_der.to_vec()),
                        signature: Base64Bytes(desk.credential.sign(&message)),
                    }),
                },
                None,
            ))
        }
    }
}

/// A proof-carrying call of the card path.
enum CardCall {
    Confirm,
    Register,
}

enum CardAnswer {
    Confirmation(Box<QualificationResponse>),
    Registration(crate::backend::protocol::RegistrationResponse),
}

impl<W: Wire> Run<'_, W> {
    /// Challenge, proof, call; retried with a fresh challenge after no answer.
    async fn card_call(
        &mut self,
        s: &mut CardSession,
        call: CardCall,
        now: NaiveDateTime,
        consents: ConsentAnswers,
    ) -> Result<CardAnswer, WireError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let timed = self.wire.challenge().await;
            let challenge = match self.note("challenge", timed) {
                Ok(c) => c,
                Err(e) => {
                    if self.again(&e, attempt).await {
                        continue;
                    }
                    return Err(e);
                }
            };
            let (card, took) = authentication(s, challenge.nonce.0, &self.desk)
                .map_err(|m| WireError::Malformed(format!("card: {m}")))?;
            if let Some(took) = took {
                self.wire.card_ops("sign", took, true).await;
            }
            let result = match call {
                CardCall::Confirm => {
                    let req = CardConfirmationRequest {
                        medical_institution_code: self.desk.code.clone(),
                        arbitrary_file_identifier: None,
                        confirmation_time: Some(now),
                        card,
                        consents,
                        care_setting: CareSettingWire::Outpatient,
                        prescription_issue_select: None,
                    };
                    let timed = self.wire.confirm_card(&req).await;
                    self.note("confirm-card", timed)
                        .map(|r| CardAnswer::Confirmation(Box::new(r)))
                }
                CardCall::Register => {
                    let req = RegistrationRequest {
                        medical_institution_code: self.desk.code.clone(),
                        confirmation_time: Some(now),
                        card,
                    };
                    let timed = self.wire.register(&req).await;
                    self.note("register", timed).map(CardAnswer::Registration)
                }
            };
            match result {
                Ok(a) => return Ok(a),
                Err(e) => {
                    if self.again(&e, attempt).await {
                        continue;
                    }
                    return Err(e);
                }
            }
        }
    }

    async fn numbers_call(
        &mut self,
        req: &NumbersConfirmationRequest,
    ) -> Result<QualificationResponse, WireError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let timed = self.wire.confirm_numbers(req).await;
            match self.note("confirm-numbers", timed) {
                Ok(r) => return Ok(r),
                Err(e) => {
                    if self.again(&e, attempt).await {
                        continue;
                    }
                    return Err(e);
                }
            }
        }
    }
}

fn numbers_request(
    desk: &Desk<'_>,
    p: &ResolvedPersona,
    q: &Qualification,
    now: NaiveDateTime,
    document: PresentedDocument,
    card_presented: bool,
) -> NumbersConfirmationRequest {
    NumbersConfirmationRequest {
        medical_institution_code: desk.code.clone(),
        arbitrary_file_identifier: None,
        confirmation_time: Some(now),
        insurer_number: q.insurer_number.as_str().to_owned(),
        insured_card_symbol: (!q.symbol.is_empty()).then(|| q.symbol.clone()),
        insured_identification_number: q.number.clone(),
        insured_branch_number: Some(q.branch.clone()),
        birthdate: p.person.birth_date,
        document,
        card_presented,
        limit_consent: None,
    }
}

fn kakunin_document(p: &ResolvedPersona, q: &Qualification) -> Option<Document> {
    let (valid_from, valid_to) = p.documents.kakunin_sho?;
    Some(Document::ConfirmationCertificate(ConfirmationCertificate {
        insurer: q.insurer_number.clone(),
        valid_from,
        valid_to,
        ratio: None,
    }))
}

fn notice_document(p: &ResolvedPersona, q: &Qualification) -> Option<Document> {
    p.documents.notice.then(|| {
        Document::Notice(QualificationNotice {
            insurer: q.insurer_number.clone(),
            form: NoticeForm::Paper,
            ratio: q.ratio,
        })
    })
}

/// Runs one job and returns what to record (times are filled in by the caller's
/// clock: `intended` and `started` are given, `finished` is taken at the end).
pub async fn run_job<W: Wire>(
    env: &Env,
    desk: Desk<'_>,
    job: Job,
    sim_s: f64,
    intended: Instant,
    wire: &mut W,
) -> JobResult {
    let started = Instant::now();
    let now = env.now(sim_s);
    let mut run = Run {
        env,
        desk,
        wire,
        started,
        member: Member::None,
        requests: Vec::with_capacity(4),
        retries: 0,
        error: None,
        failures: Vec::new(),
        registered_earlier: false,
    };
    let (kinds, basis, registered, units, transaction) = match job {
        Job::Visit(patient) => {
            let (path, basis, registered) = visit(&mut run, &patient, now).await;
            let k = kinds(Some(path));
            (k, basis, registered, 0, k[0])
        }
        Job::Bulk => {
            let units = bulk(&mut run, now).await;
            (kinds(None), None, false, units, "bulk")
        }
    };
    let facility = desk.code.as_str().to_owned();
    let member = if run.failures.is_empty() {
        String::new()
    } else {
        match &run.member {
            Member::None => String::new(),
            Member::Index(i) => env.population.id_of(*i).unwrap_or_else(|| i.to_string()),
            Member::Label(l) => l.clone(),
        }
    };
    let failures = run
        .failures
        .drain(..)
        .map(|(kind, detail)| Sample {
            kind,
            member: member.clone(),
            facility: facility.clone(),
            transaction: transaction.to_owned(),
            detail,
        })
        .collect();
    JobResult {
        kinds,
        intended,
        started,
        finished: Instant::now(),
        requests: run.requests,
        error: run.error,
        failures,
        basis: basis.map(basis_name),
        retries: run.retries,
        registered,
        registered_earlier: run.registered_earlier,
        units,
    }
}

/// One patient: card or numbers path, the clinic step, the checks.
async fn visit<W: Wire>(
    run: &mut Run<'_, W>,
    patient: &Patient,
    now: NaiveDateTime,
) -> ((Path, AuthMethod), Option<Basis>, bool) {
    let env = run.env;
    run.member = Member::Index(patient.member);
    let Some(p) = env.population.person(patient.member) else {
        run.failures.push((
            FailureKind::Validity,
            format!("member #{} is not in the population", patient.member),
        ));
        return ((patient.path, AuthMethod::Face), None, false);
    };
    let p: &ResolvedPersona = &p;
    let record = expect::numbers_record(p, now);
    let q = p.qualifications.get(record);
    let consents = ConsentAnswers {
        medical_info: patient.medical_consent.unwrap_or(p.consents.medical_info),
        limit_info: p.consents.limit_info,
    };
    let mut responses: Vec<QualificationResponse> = Vec::with_capacity(2);
    let mut documents = Vec::new();
    let mut card_desk = CardAtDesk::NotPresented;
    let mut number_check = None;
    let mut method = AuthMethod::Face;
    let mut registered = false;

    match patient.path {
        Path::Card => {
            let outcome = card_path(
                run,
                p,
                patient,
                now,
                consents,
                &mut responses,
                &mut method,
                &mut registered,
            )
            .await;
            card_desk = CardAtDesk::Presented {
                reader: Some(outcome),
            };
            let usable = matches!(outcome, ConfirmationOutcome::Answered(r) if r.usable());
            if let Some(q) = q {
                documents.extend(kakunin_document(p, q));
                documents.extend(notice_document(p, q));
                if !usable && let Some(first) = documents.first() {
                    // The clinic checks the printed numbers of the document in hand.
                    let (doc, kakunin) = match first {
                        Document::ConfirmationCertificate(_) => {
                            (PresentedDocument::KakuninSho, true)
                        }
                        _ => (PresentedDocument::Notice, false),
                    };
                    let doc = if env.document_rules {
                        doc
                    } else {
                        PresentedDocument::Unspecified
                    };
                    let req = numbers_request(&run.desk, p, q, now, doc, true);
                    number_check = Some(
                        numbers_outcome(run, p, &req, record, now, kakunin, &mut responses).await,
                    );
                }
            }
        }
        Path::Kakunin | Path::ClinicRecord => {
            method = AuthMethod::Visual;
            if let Some(q) = q {
                let kakunin = patient.path == Path::Kakunin;
                if kakunin {
                    documents.extend(kakunin_document(p, q));
                }
                let doc = if kakunin && env.document_rules {
                    PresentedDocument::KakuninSho
                } else {
                    PresentedDocument::Unspecified
                };
                let req = numbers_request(&run.desk, p, q, now, doc, false);
                number_check =
                    Some(numbers_outcome(run, p, &req, record, now, kakunin, &mut responses).await);
            }
        }
    }

    // Whether the desk had a usable online answer for the patient: only then can the
    // copay be held to the record (fallbacks charge by age by design, 保発0710第1号).
    let answered =
        |o: &ConfirmationOutcome| matches!(o, ConfirmationOutcome::Answered(r) if r.usable());
    let online = matches!(card_desk, CardAtDesk::Presented { reader: Some(ref o) } if answered(o))
        || number_check.as_ref().is_some_and(answered);

    // The desk.
    let decision = decide(
        &env.calendar,
        &Visit {
            as_of: now.date(),
            birth_date: p.person.birth_date,
            setting: CareSetting::Outpatient,
            facility: Facility::EQUIPPED,
            card: card_desk,
            documents,
            number_check,
            stance: PatientStance::Cooperates,
        },
    );
    let verdicts = oracle::evaluate(&VisitRecord {
        persona: p,
        now,
        medical_consent: consents.medical_info,
        trace: None,
        responses: &responses,
        requests: &[],
        decision: Some(&decision),
    });
    for v in verdicts
        .into_iter()
        .filter(|v| !v.passed && (online || v.check != Check::CopayCorrect))
    {
        let kind = match v.check {
            Check::RightPerson => FailureKind::WrongPerson,
            Check::NoFullCostForInsured => FailureKind::TenWari,
            Check::CopayCorrect => FailureKind::WrongCopay,
            Check::NoMedicalInfoWithoutConsent => FailureKind::MedicalInfoLeak,
            Check::RatioCarried => ratio_kind(p, now, &responses),
            _ => FailureKind::Validity,
        };
        let mut detail = v.message;
        for e in v.evidence {
            detail.push_str("; ");
            detail.push_str(&e);
        }
        run.failures.push((kind, detail));
    }
    let path = if patient.path == Path::Card {
        (Path::Card, method)
    } else {
        (patient.path, AuthMethod::Visual)
    };
    (path, Some(decision.basis), registered)
}

/// Missing or wrong ratio: whether the result lacks the recorded ratio entirely.
fn ratio_kind(
    p: &ResolvedPersona,
    now: NaiveDateTime,
    responses: &[QualificationResponse],
) -> FailureKind {
    let Some(q) = p.true_qualification(now.date()) else {
        return FailureKind::WrongRatio;
    };
    let missing = responses
        .iter()
        .flat_map(|r| r.message_body.result_list.iter())
        .filter(|r| r.insurer_number.as_ref() == Some(&q.insurer_number))
        .any(|r| {
            (q.ratio.is_some() && r.insured_partial_contribution_ratio.is_none())
                || (q.elderly_ratio.is_some()
                    && crate::rules::AgeMilestones::of(p.person.birth_date).band(now.date())
                        == crate::rules::AgeBand::Elderly
                    && r.elderly_recipient_certificate_info
                        .as_ref()
                        .and_then(|e| e.elderly_recipient_contribution_ratio)
                        .is_none())
        });
    if missing {
        FailureKind::MissingRatio
    } else {
        FailureKind::WrongRatio
    }
}

#[allow(clippy::too_many_arguments)]
async fn card_path<W: Wire>(
    run: &mut Run<'_, W>,
    p: &ResolvedPersona,
    patient: &Patient,
    now: NaiveDateTime,
    consents: ConsentAnswers,
    responses: &mut Vec<QualificationResponse>,
    method_out: &mut AuthMethod,
    registered: &mut bool,
) -> ConfirmationOutcome {
    let env = run.env;
    let profile = match env.card(patient.member) {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!("card of member #{}: {e}", patient.member);
            return ConfirmationOutcome::Failed(ConfirmationFailure::CardUnreadable);
        }
    };
    let (mut session, times) = match at_reader(&profile, p, patient) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!("card of member #{}: {e}", patient.member);
            run.wire
                .card_ops("read-certificate", Duration::ZERO, false)
                .await;
            return ConfirmationOutcome::Failed(ConfirmationFailure::CardUnreadable);
        }
    };
    // One custom request for the reader's card operations of the visit.
    let took = times.iter().map(|(_, t)| *t).sum();
    run.wire.card_ops("reader", took, true).await;
    *method_out = session.method;
    let was_registered_here = env.registered_here(patient.member);
    let first = run
        .card_call(&mut session, CardCall::Confirm, now, consents)
        .await;
    let mut response = match first {
        Ok(CardAnswer::Confirmation(r)) => *r,
        Ok(CardAnswer::Registration(_)) => unreachable!("a confirmation call"),
        Err(e) => return run.failed(&e, "card confirmation"),
    };
    // An unregistered card: the reader offers registration on the spot.
    let code = response
        .message_body
        .processing_result_code
        .as_deref()
        .and_then(ResultCode::parse);
    let unregistered = response.message_body.processing_result_status
        == ProcessingResultStatus::Error
        && matches!(code, Some(ResultCode::RegistrationMissing));
    let mut expected = vec![expect::card(&env.calendar, p, now, was_registered_here)];
    if unregistered && patient.accepts_registration {
        env.mark_registered(patient.member, true);
        match run
            .card_call(&mut session, CardCall::Register, now, consents)
            .await
        {
            Ok(CardAnswer::Registration(reg)) => match reg.outcome {
                RegistrationOutcome::Registered | RegistrationOutcome::AlreadyRegistered => {
                    *registered = reg.outcome == RegistrationOutcome::Registered;
                    match run
                        .card_call(&mut session, CardCall::Confirm, now, consents)
                        .await
                    {
                        Ok(CardAnswer::Confirmation(r)) => {
                            response = *r;
                            expected = vec![expect::card(&env.calendar, p, now, true)];
                        }
                        Ok(CardAnswer::Registration(_)) => unreachable!("a confirmation call"),
                        Err(e) => return run.failed(&e, "card confirmation after registration"),
                    }
                }
                RegistrationOutcome::Refused => env.mark_registered(patient.member, false),
            },
            Ok(CardAnswer::Confirmation(_)) => unreachable!("a registration call"),
            Err(e) => {
                env.mark_registered(patient.member, false);
                return run.failed(&e, "registration");
            }
        }
    } else {
        // Registered on the spot by another lane while this visit ran, or in an
        // earlier run against the same backend (registrations persist there): the
        // answer for a registered card is right too.
        let registered = expect::card(&env.calendar, p, now, true);
        if registered != expected[0] {
            expected.push(registered);
        }
    }
    if run.check_expected(&response, &expected, "card confirmation") == Some(1)
        && !env.registered_here(patient.member)
    {
        run.registered_earlier = true;
    }
    let outcome = confirmation_outcome(&response, p);
    responses.push(response);
    outcome
}

async fn numbers_outcome<W: Wire>(
    run: &mut Run<'_, W>,
    p: &ResolvedPersona,
    req: &NumbersConfirmationRequest,
    record: usize,
    now: NaiveDateTime,
    kakunin: bool,
    responses: &mut Vec<QualificationResponse>,
) -> ConfirmationOutcome {
    match run.numbers_call(req).await {
        Ok(r) => {
            let rules = kakunin && req.document == PresentedDocument::KakuninSho;
            let expected = expect::numbers(&run.env.calendar, p, record, now, rules);
            run.check_expected(&r, &[expected], "numbers confirmation");
            let outcome = confirmation_outcome(&r, p);
            responses.push(r);
            outcome
        }
        Err(e) => run.failed(&e, "numbers confirmation"),
    }
}

/// The bulk inquiry of the facility's booked patients; returns the units checked.
async fn bulk<W: Wire>(run: &mut Run<'_, W>, now: NaiveDateTime) -> u32 {
    let env = run.env;
    let desk = run.desk;
    run.member = Member::Label(format!("{} booked", desk.booked.len()));
    let mut members = Vec::with_capacity(desk.booked.len());
    let mut infos = Vec::with_capacity(desk.booked.len());
    for &m in desk.booked {
        let Some(p) = env.population.person(m) else {
            continue;
        };
        let record = expect::numbers_record(&p, now);
        let Some(q) = p.qualifications.get(record) else {
            continue;
        };
        infos.push(BulkSearchInfo {
            search_info: QualificationConfirmSearchInfo {
                insurer_number: q.insurer_number.clone(),
                insured_card_symbol: (!q.symbol.is_empty()).then(|| q.symbol.clone()),
                insured_identification_number: q.number.clone(),
                insured_branch_number: Some(q.branch.clone()),
                birthdate: p.person.birth_date,
                limit_application_certificate_related_cons_flg: None,
                arbitrary_identifier: None,
            },
            medical_treatment_month: None,
            medical_treatment_flag: None,
        });
        members.push((m, record));
    }
    let req = BulkQualificationRequest {
        message_header: RequestHeader {
            qualification_confirmation_date: now.date(),
            medical_institution_code: desk.code.clone(),
            arbitrary_file_identifier: format!("ONSHI-LOAD-{}", desk.id),
        },
        qualification_confirm_search_info: infos,
    };
    let mut attempt = 0;
    let ack = loop {
        attempt += 1;
        let timed = run.wire.bulk_upload(&req).await;
        match run.note("bulk-upload", timed) {
            Ok(a) => break a,
            Err(e) => {
                if run.again(&e, attempt).await {
                    continue;
                }
                run.failed(&e, "bulk upload");
                return 0;
            }
        }
    };
    let down = BulkDownloadRequest {
        medical_institution_code: desk.code.clone(),
        arbitrary_file_identifier: Some(format!("ONSHI-LOAD-{}", desk.id)),
        reception_number: ack.reception_number,
    };
    let mut attempt = 0;
    let result = loop {
        attempt += 1;
        let timed = run.wire.bulk_download(&down).await;
        match run.note("bulk-download", timed) {
            Ok(r)
                if r.message_header.segment_of_result
                    == crate::codes::SegmentOfResult::InProgress
                    && attempt < run.env.retry.max_attempts =>
            {
                run.retries += 1;
                tokio::time::sleep(run.env.retry.backoff).await;
            }
            Ok(r) => break r,
            Err(e) => {
                if run.again(&e, attempt).await {
                    continue;
                }
                run.failed(&e, "bulk download");
                return 0;
            }
        }
    };
    if result.bulk_confirm_unit.len() != members.len() {
        run.failures.push((
            FailureKind::Malformed,
            format!(
                "bulk: {} units for {} searches",
                result.bulk_confirm_unit.len(),
                members.len()
            ),
        ));
    }
    let mut units = 0;
    for (unit, (m, record)) in result.bulk_confirm_unit.iter().zip(&members) {
        let Some(p) = env.population.person(*m) else {
            continue;
        };
        units += 1;
        let id = env.population.id_of(*m).unwrap_or_default();
        let as_response = QualificationResponse {
            message_header: result_header(&result, desk.code),
            message_body: crate::message::MessageBody {
                qualification_confirm_search_info: None,
                prescription_issue_select: None,
                processing_result_status: unit.processing_result_status,
                processing_result_code: unit.processing_result_code.clone(),
                processing_result_message: unit.processing_result_message.clone(),
                qualification_validity: unit.qualification_validity,
                result_list: unit.result_of_qualification_confirmation.clone(),
            },
        };
        let before = run.failures.len();
        let expected = expect::numbers(&env.calendar, &p, *record, now, false);
        run.check_expected(&as_response, &[expected], "bulk unit");
        let record = VisitRecord {
            persona: &p,
            now,
            medical_consent: true,
            trace: None,
            responses: std::slice::from_ref(&as_response),
            requests: &[],
            decision: None,
        };
        let person = oracle::checks::right_person(&record);
        if !person.passed {
            run.failures.push((
                FailureKind::WrongPerson,
                format!("bulk unit: {}", person.message),
            ));
        }
        if let Some(v) = oracle::checks::ratio_carried(&record)
            && !v.passed
        {
            run.failures.push((
                ratio_kind(&p, now, std::slice::from_ref(&as_response)),
                format!("bulk unit: {}", v.message),
            ));
        }
        for f in &mut run.failures[before..] {
            f.1 = format!("{id}: {}", f.1);
        }
    }
    units
}

fn result_header(
    r: &crate::message::BulkQualificationResponse,
    code: &MedicalInstitutionCode,
) -> crate::message::MessageHeader {
    crate::message::MessageHeader {
        process_execution_time: r.message_header.process_execution_time,
        qualification_confirmation_date: r
            .message_header
            .qualification_confirmation_date
            .unwrap_or_else(|| r.message_header.process_execution_time.date()),
        medical_institution_code: code.clone(),
        arbitrary_file_identifier: None,
        reference_classification: crate::codes::ReferenceClassification::InsuranceCardNumbers,
        segment_of_result: crate::codes::SegmentOfResult::Normal,
        error_code: None,
        error_message: None,
        character_code_identifier: crate::codes::CharacterEncoding::Utf8,
    }
}

/// A card confirmation of `member` over `nonce`, built as a visit builds it (for
/// baselines that replay a fixed body): the PIN path signs on the card, the face and
/// visual paths attest with the desk's reader.
pub fn card_request(
    env: &Env,
    desk: &Desk<'_>,
    member: PersonIndex,
    method: Auth,
    nonce: Vec<u8>,
    now: NaiveDateTime,
) -> Result<CardConfirmationRequest, String> {
    let p = env
        .population
        .person(member)
        .ok_or_else(|| format!("no member #{member}"))?;
    let profile = env.card(member)?;
    let patient = Patient {
        member,
        path: Path::Card,
        auth: method,
        face_mismatch: false,
        pin_typo: false,
        accepts_registration: false,
        medical_consent: Some(true),
    };
    let (mut session, _) = at_reader(&profile, &p, &patient)?;
    let (card, _) = authentication(&mut session, nonce, desk)?;
    Ok(CardConfirmationRequest {
        medical_institution_code: desk.code.clone(),
        arbitrary_file_identifier: None,
        confirmation_time: Some(now),
        card,
        consents: ConsentAnswers {
            medical_info: true,
            limit_info: true,
        },
        care_setting: CareSettingWire::Outpatient,
        prescription_issue_select: None,
    })
}

/// The numbers confirmation a clinic keys in for `member` (no document).
pub fn clinic_record_request(
    env: &Env,
    desk: &Desk<'_>,
    member: PersonIndex,
    now: NaiveDateTime,
) -> Option<NumbersConfirmationRequest> {
    let p = env.population.person(member)?;
    let q = p.qualifications.get(expect::numbers_record(&p, now))?;
    Some(numbers_request(
        desk,
        &p,
        q,
        now,
        PresentedDocument::Unspecified,
        false,
    ))
}

#[cfg(test)]
mod tests;
