//! One job, lean: the built-in reader's engine with the patient's card in process
//! ([`super::at_reader`]), the backend calls over a [`Wire`] with retries, the clinic
//! step ([`decide`]) and the meaning checks against the ground truth (the oracle's
//! verdicts plus the expected 資格有効性 or refusal from [`super::expect`]).
//!
//! The reader is the one the suite certifies (no event log, no trace): face, PIN
//! (with a typo and lockout) or 目視, the retry query before VERIFY, a fresh challenge
//! per attempt, on-the-spot registration when offered; then the clinic's number check
//! with the document in hand when the card gives nothing usable.

use std::time::Instant;

use chrono::NaiveDateTime;

use super::at_reader;
use super::bulk::bulk;
use super::calls::{Member, Run};
pub use super::env::{Desk, Env};
use super::expect;
use super::facility::Job;
use super::metrics::{FailureKind, JobResult, Sample};
use super::patients::{Path, Patient};
use super::wire::Wire;
use onshi_domain::message::QualificationResponse;
use onshi_domain::protocol::confirmation_outcome;
use onshi_domain::protocol::wire::{AuthMethod, ConsentAnswers, NumbersConfirmationRequest};
use onshi_domain::rules::{
    Basis, CardAtDesk, ConfirmationCertificate, ConfirmationFailure, ConfirmationOutcome, Document,
    NoticeForm, QualificationNotice, Visit, decide,
};
use onshi_reader::reader::{CardFront, ReaderResult, VisitInput};
use onshi_world::oracle::{self, Check, VisitRecord};
use onshi_world::persona::ResolvedPersona;
use onshi_world::persona::model::Qualification;
use onshi_world::population::PersonIndex;

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
fn numbers_request(
    desk: &Desk<'_>,
    p: &ResolvedPersona,
    q: &Qualification,
    now: NaiveDateTime,
) -> NumbersConfirmationRequest {
    NumbersConfirmationRequest {
        confirmation_time: Some(now),
        ..q.numbers_request(desk.code.clone(), p.person.birth_date)
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

/// Who is at the desk and when: the persona, the time, and the record the printed
/// numbers name.
#[derive(Clone, Copy)]
struct Who<'p> {
    p: &'p ResolvedPersona,
    now: NaiveDateTime,
    record: usize,
}

/// What the desk gathers during a visit, for its decision and the checks.
struct Gathered {
    responses: Vec<QualificationResponse>,
    documents: Vec<Document>,
    card_desk: CardAtDesk,
    number_check: Option<ConfirmationOutcome>,
    method: AuthMethod,
    registered: bool,
}

/// The clinic confirms online by the printed numbers of a document in hand (資格確認書,
/// お知らせ) or of its own records for a repeat patient: the numbers alone, as the real
/// interface has them; whether the document is acceptable is the desk's decision.
async fn by_numbers<W: Wire>(
    run: &mut Run<'_, W>,
    who: Who<'_>,
    q: &Qualification,
    responses: &mut Vec<QualificationResponse>,
) -> ConfirmationOutcome {
    let req = numbers_request(&run.desk, who.p, q, who.now);
    numbers_outcome(run, who, &req, responses).await
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
    let who = Who {
        p,
        now,
        record: expect::numbers_record(p, now),
    };
    let q = p.qualifications.get(who.record);
    let consents = ConsentAnswers {
        medical_info: patient.medical_consent.unwrap_or(p.consents.medical_info),
        limit_info: p.consents.limit_info,
    };
    let mut g = Gathered {
        responses: Vec::with_capacity(2),
        documents: Vec::new(),
        card_desk: CardAtDesk::NotPresented,
        number_check: None,
        method: AuthMethod::Face,
        registered: false,
    };
    match patient.path {
        Path::Card => card_visit(run, who, patient, q, consents, &mut g).await,
        Path::Kakunin | Path::ClinicRecord => {
            g.method = AuthMethod::Visual;
            if let Some(q) = q {
                if patient.path == Path::Kakunin {
                    g.documents.extend(kakunin_document(p, q));
                }
                g.number_check = Some(by_numbers(run, who, q, &mut g.responses).await);
            }
        }
    }
    let (method, registered) = (g.method, g.registered);
    let basis = judge(run, who, consents.medical_info, g);
    let path = if patient.path == Path::Card {
        (Path::Card, method)
    } else {
        (patient.path, AuthMethod::Visual)
    };
    (path, Some(basis), registered)
}

/// The card path at the reader, then the printed numbers of a document in hand when
/// the card gave nothing usable.
async fn card_visit<W: Wire>(
    run: &mut Run<'_, W>,
    who: Who<'_>,
    patient: &Patient,
    q: Option<&Qualification>,
    consents: ConsentAnswers,
    g: &mut Gathered,
) {
    let outcome = card_path(run, who, patient, consents, g).await;
    g.card_desk = CardAtDesk::Presented {
        reader: Some(outcome),
    };
    let usable = matches!(outcome, ConfirmationOutcome::Answered(r) if r.usable());
    if let Some(q) = q {
        g.documents.extend(kakunin_document(who.p, q));
        g.documents.extend(notice_document(who.p, q));
        if !usable && !g.documents.is_empty() {
            // The clinic checks the printed numbers of the document in hand.
            g.number_check = Some(by_numbers(run, who, q, &mut g.responses).await);
        }
    }
}

/// The desk's decision for the visit and the oracle's verdicts on it, failed ones
/// recorded by kind; the clinic's basis.
fn judge<W: Wire>(
    run: &mut Run<'_, W>,
    Who { p, now, .. }: Who<'_>,
    medical_consent: bool,
    g: Gathered,
) -> Basis {
    let Gathered {
        responses,
        documents,
        card_desk,
        number_check,
        ..
    } = g;
    let responses = responses.as_slice();
    let env = run.env;
    // Whether the desk had a usable online answer for the patient: only then can the
    // copay be held to the record (fallbacks charge by age by design, 保発0710第1号).
    let answered =
        |o: &ConfirmationOutcome| matches!(o, ConfirmationOutcome::Answered(r) if r.usable());
    let online = matches!(card_desk, CardAtDesk::Presented { reader: Some(ref o) } if answered(o))
        || number_check.as_ref().is_some_and(answered);

    // The desk.
    let decision = decide(
        &env.calendar,
        &Visit::equipped_outpatient(
            now.date(),
            p.person.birth_date,
            card_desk,
            documents,
            number_check,
        ),
    );
    let verdicts = oracle::evaluate(&VisitRecord {
        persona: p,
        now,
        medical_consent,
        trace: None,
        responses,
        requests: &[],
        decision: Some(&decision),
        public_expense_shown: false,
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
            Check::RatioCarried => ratio_kind(p, now, responses),
            _ => FailureKind::Validity,
        };
        let mut detail = v.message;
        for e in v.evidence {
            detail.push_str("; ");
            detail.push_str(&e);
        }
        run.failures.push((kind, detail));
    }
    decision.basis
}

/// Missing or wrong ratio: whether the result lacks the recorded ratio entirely.
pub(crate) fn ratio_kind(
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
                    && onshi_domain::rules::AgeMilestones::of(p.person.birth_date).band(now.date())
                        == onshi_domain::rules::AgeBand::Elderly
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

/// The patient at the reader; the answer checked against the ground truth, the auth
/// method and a registration on the spot noted in `g`.
async fn card_path<W: Wire>(
    run: &mut Run<'_, W>,
    Who { p, now, .. }: Who<'_>,
    patient: &Patient,
    consents: ConsentAnswers,
    g: &mut Gathered,
) -> ConfirmationOutcome {
    let env = run.env;
    let profile = match env.card(patient.member) {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!("card of member #{}: {e}", patient.member);
            return ConfirmationOutcome::Failed(ConfirmationFailure::CardUnreadable);
        }
    };
    let script = at_reader::script(patient, p, consents);
    let front = CardFront {
        match_b: p.card.match_b.clone(),
    };
    let was_registered_here = env.registered_here(patient.member, now);
    let input = VisitInput {
        config: run.desk.reader,
        script: &script,
        front: &front,
        now,
        consent_screens: &[],
        record_events: false,
    };
    let at = run.at_reader(&profile, input, patient.member).await;
    if let Some(m) = at.outcome.method {
        g.method = m;
    }
    g.registered = at.outcome.registered_here;
    let as_found = expect::card(&env.calendar, p, now, was_registered_here);
    let as_registered = expect::card(&env.calendar, p, now, true);
    // The answer the checks look at, and what it may legitimately be: after a
    // registration on the spot, the registered answer; otherwise the answer for the
    // member as found, or — registered on the spot by another lane while this visit
    // ran, or in an earlier run against the same backend (registrations persist
    // there) — the registered one.
    let registration_sent = at.registration_sent;
    let (response, expected) = match at.outcome.result {
        ReaderResult::Answered { response } if registration_sent => {
            (*response, vec![as_registered])
        }
        ReaderResult::Answered { response } => (*response, dedup(as_found, as_registered)),
        ReaderResult::RegistrationRefused { .. } => match at.first {
            Some(first) => (first, vec![as_found]),
            None => return at.outcome.at_window(p),
        },
        ReaderResult::RegistrationDeclined => match at.first {
            Some(first) => (first, dedup(as_found, as_registered)),
            None => return at.outcome.at_window(p),
        },
        _ => {
            return match &at.error {
                Some((e, what)) => run.failed(e, what),
                None => at.outcome.at_window(p),
            };
        }
    };
    if run.check_expected(&response, &expected, "card confirmation") == Some(1)
        && !env.registered_here(patient.member, now)
    {
        run.registered_earlier = true;
    }
    let outcome = confirmation_outcome(&response, p.presented());
    g.responses.push(response);
    outcome
}

fn dedup(a: expect::Expected, b: expect::Expected) -> Vec<expect::Expected> {
    if a == b { vec![a] } else { vec![a, b] }
}

/// The numbers confirmation sent, its answer checked against the ground truth.
async fn numbers_outcome<W: Wire>(
    run: &mut Run<'_, W>,
    Who { p, now, record }: Who<'_>,
    req: &NumbersConfirmationRequest,
    responses: &mut Vec<QualificationResponse>,
) -> ConfirmationOutcome {
    match run.numbers_call(req).await {
        Ok(r) => {
            let expected = expect::numbers(&run.env.calendar, p, record, now);
            run.check_expected(&r, &[expected], "numbers confirmation");
            let outcome = confirmation_outcome(&r, p.presented());
            responses.push(r);
            outcome
        }
        Err(e) => run.failed(&e, "numbers confirmation"),
    }
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
    Some(numbers_request(desk, &p, q, now))
}
#[cfg(test)]
mod tests;
