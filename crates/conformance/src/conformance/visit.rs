//! One visit, end to end: the reader (built-in, in process) with the persona's card,
//! the backend, the clinic's decision at the desk, and the oracle's verdicts.

use chrono::NaiveDateTime;

use super::env::Env;
use super::faulty::{FaultyBackend, LineFault};
use onshi_backend::backend::{
    AnyBackend, BackendError, NumbersConfirmationRequest, PresentedDocument, QualificationBackend,
};
use onshi_card::card::{ApduTrace, VirtualCard};
use onshi_domain::codes::CharacterEncoding;
use onshi_domain::message::QualificationResponse;
use onshi_domain::protocol::confirmation_outcome;
use onshi_domain::rules::{
    CardAtDesk, ClinicDecision, ConfirmationCertificate, ConfirmationFailure, ConfirmationOutcome,
    Document, Facility, NoticeForm, OldInsuranceCard, PatientStance, PortalScreen,
    QualificationNotice, SchoolCopyForm, SchoolEventCopy, Visit, decide,
};
use onshi_reader::channel::{CardChannel, ChannelError, InProcessChannel};
use onshi_reader::reader::result_file::{ResultFile, face_result};
use onshi_reader::reader::{CardFront, PatientScript, ReaderOutcome, ReaderResult};
use onshi_report::report::Exchange;
use onshi_world::oracle::{self, Verdict, VisitRecord};
use onshi_world::persona::ResolvedPersona;
use onshi_world::persona::model::Qualification;

/// How the card is used.
#[derive(Debug, Clone, PartialEq)]
pub enum CardUse {
    /// Placed on the reader; the patient follows the script.
    Reader(PatientScript),
    /// Shown at the desk for identity only (reader absent or broken).
    IdentityOnly,
    /// Not presented.
    NotPresented,
}

/// A document presented at the desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presented {
    /// 資格情報のお知らせ.
    Notice,
    /// マイナポータルの資格情報画面.
    PortalScreen,
    /// 資格確認書.
    KakuninSho,
    /// 従来の健康保険証.
    OldCard,
    /// A school-trip copy presented by a teacher (TRN-SCHOOL).
    SchoolCopy(SchoolCopyForm),
    /// No document: the clinic keys in the numbers it has on file for a repeat
    /// patient (照会区分 2 from the clinic system).
    ClinicRecord,
}

/// A channel whose card is pulled off the reader after a number of APDUs.
struct PulledAfter<C> {
    inner: C,
    left: usize,
}

impl<C: CardChannel> CardChannel for PulledAfter<C> {
    fn transmit_raw(&mut self, apdu: &[u8]) -> Result<Vec<u8>, ChannelError> {
        if self.left == 0 {
            return Err(ChannelError::Removed);
        }
        self.left -= 1;
        self.inner.transmit_raw(apdu)
    }

    fn reset(&mut self) -> Result<(), ChannelError> {
        self.inner.reset()
    }

    fn name(&self) -> String {
        self.inner.name()
    }
}

/// What happens at the visit.
#[derive(Debug, Clone)]
pub struct VisitPlan {
    /// The card is pulled off the reader after this many APDUs (a patient who lifts it
    /// too early).
    pub pull_card_after: Option<usize>,
    /// Visit time (JST).
    pub now: NaiveDateTime,
    /// The facility's equipment.
    pub facility: Facility,
    /// A line fault, if any.
    pub fault: Option<LineFault>,
    /// The card.
    pub card: CardUse,
    /// Documents shown at the desk.
    pub documents: Vec<Presented>,
    /// Whether the clinic keys in the printed numbers of the first document when the
    /// card path gives nothing usable (保発0710第1号), or `Force` to do it regardless.
    pub number_check: NumberCheck,
    /// Whether the patient fills in a 申立書.
    pub stance: PatientStance,
    /// The 限度額 consent flag sent with a number check (`None` = not said: before
    /// 2024-10-07 the backend then relies on a consent given at this facility's reader
    /// this month, TRN-Q1).
    pub number_limit_consent: Option<bool>,
    /// Which qualification's numbers a document carries: `None` = the current one;
    /// `Some(i)` = the persona's record `i` (an old card of a previous insurer).
    pub document_record: Option<usize>,
}

/// When the clinic checks printed numbers online.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberCheck {
    /// When the card gave nothing usable and a document with numbers is at hand.
    WhenNeeded,
    /// Always, with the first document.
    Force,
    /// Never.
    Never,
}

/// What the visit produced.
#[derive(Debug, Clone, Default)]
pub struct VisitOutcome {
    /// The reader's outcome (card path).
    pub reader: Option<ReaderOutcome>,
    /// The card's APDU trace.
    pub trace: Option<ApduTrace>,
    /// The number check's answer.
    pub number_check: Option<Result<QualificationResponse, BackendError>>,
    /// Every result returned.
    pub responses: Vec<QualificationResponse>,
    /// Every request body sent.
    pub requests: Vec<String>,
    /// Exchanges for the report.
    pub exchanges: Vec<Exchange>,
    /// The clinic's decision.
    pub decision: Option<ClinicDecision>,
    /// The face-result file in Shift_JIS and in UTF-8.
    pub result_files: Vec<ResultFile>,
    /// The oracle's verdicts.
    pub verdicts: Vec<Verdict>,
}

impl VisitOutcome {
    /// The response the clinic looked at last.
    pub fn last_response(&self) -> Option<&QualificationResponse> {
        self.responses.last()
    }

    /// The response of the card path, if any.
    pub fn card_response(&self) -> Option<&QualificationResponse> {
        self.reader.as_ref().and_then(ReaderOutcome::response)
    }
}

fn qualification_for<'a>(p: &'a ResolvedPersona, plan: &VisitPlan) -> Option<&'a Qualification> {
    match plan.document_record {
        Some(i) => p.qualifications.get(i),
        None => p
            .true_qualification(plan.now.date())
            .or_else(|| p.qualifications.last()),
    }
}

fn document(p: &ResolvedPersona, q: &Qualification, kind: Presented) -> Option<Document> {
    let insurer = q.insurer_number.clone();
    let ratio = q.ratio;
    Some(match kind {
        Presented::ClinicRecord => return None,
        Presented::Notice => Document::Notice(QualificationNotice {
            insurer,
            form: NoticeForm::Paper,
            ratio,
        }),
        Presented::PortalScreen => Document::PortalScreen(PortalScreen { insurer, ratio }),
        Presented::KakuninSho => {
            let (from, to) = p.documents.kakunin_sho.unwrap_or((
                q.acquired_on,
                q.acquired_on + chrono::Duration::days(365 * 5 - 1),
            ));
            Document::ConfirmationCertificate(ConfirmationCertificate {
                insurer,
                valid_from: from,
                valid_to: to,
                ratio,
            })
        }
        Presented::OldCard => {
            let (issued_on, expires_on) = p.documents.old_card.unwrap_or((q.acquired_on, None));
            let changed = p
                .qualifications
                .iter()
                .find(|other| {
                    other.acquired_on > q.acquired_on && other.insurer_number != q.insurer_number
                })
                .map(|other| other.acquired_on);
            Document::OldInsuranceCard(OldInsuranceCard {
                insurer,
                issued_on,
                expires_on,
                insurer_changed_on: changed,
                ratio,
            })
        }
        Presented::SchoolCopy(form) => Document::SchoolEventCopy(SchoolEventCopy {
            form,
            insurer,
            ratio,
        }),
    })
}

fn presented_document(kind: Presented) -> PresentedDocument {
    match kind {
        Presented::Notice | Presented::SchoolCopy(_) => PresentedDocument::Notice,
        Presented::PortalScreen => PresentedDocument::PortalScreen,
        Presented::KakuninSho => PresentedDocument::KakuninSho,
        Presented::OldCard => PresentedDocument::OldCard,
        Presented::ClinicRecord => PresentedDocument::Unspecified,
    }
}

fn usable(o: &ConfirmationOutcome) -> bool {
    matches!(o, ConfirmationOutcome::Answered(r) if r.usable())
}

/// The reader's outcome, the card's APDU trace and the face-result files.
type AtReader = (ReaderOutcome, ApduTrace, Vec<ResultFile>);

/// Who is at the reader, with what, against which backend.
struct AtTheReader<'a> {
    env: &'a Env,
    backend: &'a FaultyBackend<AnyBackend>,
    persona: &'a ResolvedPersona,
    plan: &'a VisitPlan,
    script: &'a PatientScript,
}

/// The built-in reader, in process, with the persona's card (pulled after
/// `plan.pull_card_after` APDUs).
async fn builtin_reader(r: &AtTheReader<'_>) -> AtReader {
    let AtTheReader {
        env,
        backend,
        persona,
        plan,
        script,
    } = *r;
    let issued = &env.cards[&persona.id];
    let mut channel = PulledAfter {
        inner: InProcessChannel::new(VirtualCard::new(&issued.profile)),
        left: plan.pull_card_after.unwrap_or(usize::MAX),
    };
    let front = CardFront {
        match_b: persona.card.match_b.clone(),
    };
    let outcome = onshi_reader::reader::run(
        &env.reader,
        &env.calendar,
        &mut channel,
        backend,
        script,
        &front,
        plan.now,
    )
    .await;
    let channel = channel.inner;
    let files = outcome.response().map(|r| {
        [CharacterEncoding::ShiftJis, CharacterEncoding::Utf8]
            .map(|enc| {
                face_result(
                    r,
                    &env.reader.facility,
                    super::env::READER_ID,
                    1,
                    plan.now,
                    enc,
                )
            })
            .to_vec()
    });
    (outcome, channel.trace(), files.unwrap_or_default())
}

/// A reader under test, through the reader-control API, with the card served through
/// vpcd; the backend's audit of the visit goes into `out` and `verdicts`.
async fn remote_reader(
    r: &AtTheReader<'_>,
    target: &super::remote::RemoteReaderTarget,
    out: &mut VisitOutcome,
    verdicts: &mut Vec<Verdict>,
) -> AtReader {
    let (env, plan) = (r.env, r.plan);
    let v = match super::remote::visit(env, target, r.backend.inner(), plan, r.persona, r.script)
        .await
    {
        Ok(v) => v,
        Err(e) => {
            if let super::remote::RemoteVisitError::Reader(detail) = &e {
                verdicts.push(Verdict::fail(
                    onshi_world::oracle::Check::ReaderAnswered,
                    format!("the reader under test did not answer the visit: {detail}"),
                ));
            }
            let outcome = ReaderOutcome {
                result: ReaderResult::BackendUnavailable {
                    detail: format!("reader under test: {e}"),
                },
                method: None,
                events: Vec::new(),
                exchanges: Vec::new(),
                photo_stored: false,
                registered_here: false,
            };
            return (outcome, ApduTrace::default(), Vec::new());
        }
    };
    if let Some(verdict) = v.audit_verdict {
        verdicts.push(verdict);
    }
    if !v.audit.is_empty() {
        out.exchanges.push(Exchange {
            label: "backend audit (reader under test)".into(),
            request: String::new(),
            response: v.audit.join("\n"),
        });
    }
    // The reader's own account, as it answered (its backend exchanges follow as their
    // own entries). The request is not kept: it carries the PINs the patient types.
    out.exchanges.push(Exchange {
        label: "POST /v1/visits: the reader under test's answer".into(),
        request: String::new(),
        response: serde_json::to_string_pretty(&ReaderOutcome {
            exchanges: Vec::new(),
            ..v.outcome.clone()
        })
        .unwrap_or_default(),
    });
    let mut files: Vec<ResultFile> = v.result_file.into_iter().collect();
    if let Some(r) = v.outcome.response() {
        files.push(face_result(
            r,
            &env.reader.facility,
            super::env::READER_ID,
            1,
            plan.now,
            CharacterEncoding::Utf8,
        ));
    }
    (v.outcome, v.trace, files)
}

/// The card at the reader (built-in or under test): records the reader's evidence in
/// `out` and returns what the window makes of it.
async fn card_at_reader(
    r: &AtTheReader<'_>,
    out: &mut VisitOutcome,
    verdicts: &mut Vec<Verdict>,
) -> CardAtDesk {
    let persona = r.persona;
    let (outcome, trace, files) = match &r.env.remote_reader {
        None => builtin_reader(r).await,
        Some(target) => remote_reader(r, target, out, verdicts).await,
    };
    out.trace = Some(trace);
    for x in &outcome.exchanges {
        out.requests.push(x.request.clone());
    }
    out.exchanges.extend(outcome.exchanges.iter().cloned());
    if let Some(r) = outcome.response() {
        out.responses.push(r.clone());
    }
    out.result_files = files;
    let card = CardAtDesk::Presented {
        reader: Some(outcome.at_window(persona)),
    };
    out.reader = Some(outcome);
    card
}

/// The request of the clinic's online check of the printed numbers of `kind`.
fn numbers_request(
    env: &Env,
    persona: &ResolvedPersona,
    plan: &VisitPlan,
    q: &Qualification,
    kind: Presented,
) -> NumbersConfirmationRequest {
    NumbersConfirmationRequest {
        confirmation_time: Some(plan.now),
        card_presented: !matches!(plan.card, CardUse::NotPresented),
        limit_consent: plan.number_limit_consent,
        ..q.numbers_request(
            env.reader.facility.clone(),
            persona.person.birth_date,
            presented_document(kind),
        )
    }
}

/// The clinic's online check of the printed numbers of the first document in hand:
/// sends `req`, records the exchange in `out` and returns what the window makes of it.
async fn number_check(
    backend: &FaultyBackend<AnyBackend>,
    req: &NumbersConfirmationRequest,
    persona: &ResolvedPersona,
    out: &mut VisitOutcome,
) -> ConfirmationOutcome {
    let result = backend.confirm_numbers(req).await;
    let body = serde_json::to_string_pretty(req).unwrap_or_default();
    out.requests.push(body.clone());
    out.exchanges.push(Exchange {
        label: "POST /v1/confirmations/numbers".into(),
        request: body,
        response: match &result {
            Ok(r) => serde_json::to_string_pretty(r).unwrap_or_default(),
            Err(e) => e.to_string(),
        },
    });
    let outcome = match &result {
        Ok(r) => {
            out.responses.push(r.clone());
            confirmation_outcome(r, persona.presented())
        }
        Err(e) if e.is_unavailable() => {
            ConfirmationOutcome::Failed(ConfirmationFailure::BackendUnreachable)
        }
        Err(_) => ConfirmationOutcome::Failed(ConfirmationFailure::BackendError),
    };
    out.number_check = Some(result);
    outcome
}

/// The documents the patient shows and, when the plan calls for it, the clinic's
/// online check of the first one's printed numbers.
async fn documents_at_desk(
    env: &Env,
    backend: &FaultyBackend<AnyBackend>,
    persona: &ResolvedPersona,
    plan: &VisitPlan,
    card_desk: &CardAtDesk,
    out: &mut VisitOutcome,
) -> (Vec<Document>, Option<ConfirmationOutcome>) {
    let q = qualification_for(persona, plan);
    let documents: Vec<Document> = match q {
        Some(q) => plan
            .documents
            .iter()
            .filter_map(|k| document(persona, q, *k))
            .collect(),
        None => Vec::new(),
    };
    let card_ok = matches!(card_desk, CardAtDesk::Presented { reader: Some(o) } if usable(o));
    let wants_check = match plan.number_check {
        NumberCheck::Force => true,
        NumberCheck::WhenNeeded => !card_ok,
        NumberCheck::Never => false,
    };
    let mut number_outcome = None;
    if let (true, Some(kind), Some(q)) = (wants_check, plan.documents.first(), q)
        && plan
            .facility
            .number_path(&env.calendar, plan.now.date())
            .is_ok()
    {
        let req = numbers_request(env, persona, plan, q, *kind);
        number_outcome = Some(number_check(backend, &req, persona, out).await);
    }

    (documents, number_outcome)
}

/// Runs the visit of `persona` against `backend`.
pub async fn run_visit(
    env: &Env,
    backend: &AnyBackend,
    persona: &ResolvedPersona,
    plan: &VisitPlan,
) -> VisitOutcome {
    let backend = FaultyBackend::new(backend.clone(), plan.fault);
    let mut out = VisitOutcome::default();
    let setting: onshi_domain::rules::CareSetting = match &plan.card {
        CardUse::Reader(script) => script.care_setting.into(),
        _ => onshi_domain::rules::CareSetting::Outpatient,
    };
    // The reader runs when the facility has a working one; whether the card is usable
    // in this care setting on this date is the backend's call (FAQ-4-13).
    let can_card = plan
        .facility
        .card_path(
            &env.calendar,
            plan.now.date(),
            onshi_domain::rules::CareSetting::Outpatient,
        )
        .is_ok();

    // The card at the reader.
    let mut remote_verdicts = Vec::new();
    let mut medical_consent = true;
    let card_desk = match &plan.card {
        CardUse::Reader(script) if can_card => {
            medical_consent = script.consents.medical_info;
            let at = AtTheReader {
                env,
                backend: &backend,
                persona,
                plan,
                script,
            };
            card_at_reader(&at, &mut out, &mut remote_verdicts).await
        }
        CardUse::Reader(_) | CardUse::IdentityOnly => CardAtDesk::Presented { reader: None },
        CardUse::NotPresented => CardAtDesk::NotPresented,
    };

    // Documents and the number check.
    let (documents, number_outcome) =
        documents_at_desk(env, &backend, persona, plan, &card_desk, &mut out).await;

    // The desk.
    let visit = Visit {
        as_of: plan.now.date(),
        birth_date: persona.person.birth_date,
        setting,
        facility: plan.facility,
        card: card_desk,
        documents,
        number_check: number_outcome,
        stance: plan.stance,
    };
    let decision = decide(&env.calendar, &visit);
    out.verdicts = oracle::evaluate(&VisitRecord {
        persona,
        now: plan.now,
        medical_consent,
        trace: out.trace.as_ref(),
        responses: &out.responses,
        requests: &out.requests,
        decision: Some(&decision),
    });
    out.verdicts.extend(remote_verdicts);
    out.decision = Some(decision);
    out
}
