//! One visit, end to end: the reader (built-in, or under test) with the persona's
//! card, the backend, the clinic at the window (the reference clinic, or a clinic
//! under test: [`super::clinic`]) and the oracle's verdicts on its decision.

use chrono::NaiveDateTime;

use super::env::Env;
use super::faulty::{FaultyBackend, LineFault};
use onshi_backend::backend::{AnyBackend, BackendError};
use onshi_card::card::{ApduTrace, VirtualCard};
use onshi_clinic::clinic::wire::{
    CardSide, CardWire, CareSettingWire, DocumentWire, FacilityWire, NoticeFormWire,
    NumberCheckPolicy, PatientAnswers, PatientAtWindow, PaymentWire, PrintedNumbers,
    SchoolCopyFormWire,
};
use onshi_clinic::clinic::{
    ClinicAnswer, ClinicVisitRequest, RecoveryAnswer, RecoveryRequest, decision_of,
};
use onshi_domain::codes::CharacterEncoding;
use onshi_domain::message::QualificationResponse;
use onshi_domain::rules::{ClinicDecision, Facility, PatientStance, SchoolCopyForm};
use onshi_reader::channel::{CardChannel, ChannelError, InProcessChannel};
use onshi_reader::reader::result_file::{ResultFile, face_result};
use onshi_reader::reader::{CardFront, PatientScript, ReaderOutcome, ReaderResult};
use onshi_report::report::Exchange;
use onshi_world::oracle::{self, Check, Verdict, VisitRecord};
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
    /// Like [`Presented::ClinicRecord`], but the record was taken from a 保険証 printed
    /// before 枝番 were given (2021): the clinic's query carries no 枝番.
    ClinicRecordWithoutBranch,
    /// The persona's municipal 公費 受給者証 (子ども医療費; FAQ-4-12).
    PublicExpense,
}

/// An earlier window payment the clinic has on record for the patient (TRN-Q1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedPayment {
    /// Months before the visit's month (0 = the same month).
    pub months_before: u32,
    /// Paid at another institution (a receipt the patient shows).
    pub elsewhere: bool,
    /// That visit's cost (10割), yen.
    pub medical_fee: u64,
    /// What was paid at the window, yen.
    pub paid: u64,
}

/// The visit's cost when a scenario does not say (yen).
pub const DEFAULT_MEDICAL_FEE: u64 = 10_000;

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
    /// This visit's cost (10割), yen.
    pub medical_fee: u64,
    /// Earlier window payments on record.
    pub payments: Vec<PlannedPayment>,
    /// Staff clearly doubt that the PIN user is the card's holder (FAQ-4-6).
    pub identity_in_doubt: bool,
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
    /// The clinic's own notes on its decision (free text, for the report).
    pub clinic_notes: Vec<String>,
    /// The clinic's answer as received (its numbers queries left out): the charge and
    /// the qualification billed.
    pub clinic_answer: Option<ClinicAnswer>,
    /// The face-result file in Shift_JIS and in UTF-8.
    pub result_files: Vec<ResultFile>,
    /// The oracle's verdicts.
    pub verdicts: Vec<Verdict>,
    /// Which of the persona's records the documents shown were printed for.
    pub documents_record: Option<usize>,
    /// The visit's id as the clinic got it.
    pub visit_id: String,
    /// What the clinic billed once the line was back (after an outage), if asked.
    pub recovery: Option<RecoveryAnswer>,
    /// When the line was back.
    pub recovered_at: Option<NaiveDateTime>,
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

/// 保険者番号・記号・番号・枝番 of a qualification, as printed.
/// The numbers printed for `q` (保険者番号・記号・番号・枝番).
pub fn numbers_of(q: &Qualification) -> PrintedNumbers {
    PrintedNumbers {
        insurer_number: q.insurer_number.as_str().to_owned(),
        symbol: (!q.symbol.is_empty()).then(|| q.symbol.clone()),
        number: q.number.clone(),
        branch: Some(q.branch.clone()),
    }
}

/// A document of `kind` for qualification `q`, as the clinic-control API carries it.
fn document(p: &ResolvedPersona, q: &Qualification, kind: Presented) -> Option<DocumentWire> {
    let numbers = numbers_of(q);
    let ratio = q.ratio;
    Some(match kind {
        Presented::ClinicRecord | Presented::ClinicRecordWithoutBranch => return None,
        Presented::PublicExpense => {
            let c = p.documents.public_expense.clone()?;
            DocumentWire::PublicExpenseCertificate {
                payer_number: c.payer_number,
                recipient_number: c.recipient_number,
                valid_from: c.valid_from,
                valid_to: c.valid_to,
                copay: c.copay,
            }
        }
        Presented::Notice => DocumentWire::Notice {
            numbers,
            form: NoticeFormWire::Paper,
            ratio,
        },
        Presented::PortalScreen => DocumentWire::PortalScreen { numbers, ratio },
        Presented::KakuninSho => {
            let (from, to) = p.documents.kakunin_sho.unwrap_or((
                q.acquired_on,
                q.acquired_on + chrono::Duration::days(365 * 5 - 1),
            ));
            DocumentWire::ConfirmationCertificate {
                numbers,
                valid_from: from,
                valid_to: to,
                ratio,
            }
        }
        Presented::OldCard => {
            let card = p.old_card(q);
            DocumentWire::OldInsuranceCard {
                numbers,
                issued_on: card.issued_on,
                expires_on: card.expires_on,
                insurer_changed_on: card.insurer_changed_on,
                ratio,
            }
        }
        Presented::SchoolCopy(form) => DocumentWire::SchoolEventCopy {
            numbers,
            form: match form {
                SchoolCopyForm::PortalPdf => SchoolCopyFormWire::PortalPdf,
                SchoolCopyForm::PortalPrint => SchoolCopyFormWire::PortalPrint,
                SchoolCopyForm::NoticeCopy => SchoolCopyFormWire::NoticeCopy,
            },
            ratio,
        },
    })
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
/// `out` and returns what the clinic receives from the reader.
async fn card_at_reader(
    r: &AtTheReader<'_>,
    out: &mut VisitOutcome,
    verdicts: &mut Vec<Verdict>,
) -> CardWire {
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
    let card = CardWire {
        presented: true,
        reader: Some(outcome.at_clinic(files.first())),
    };
    out.result_files = files;
    out.reader = Some(outcome);
    card
}

/// What onshi hands the clinic at the window for this visit.
fn clinic_request(
    env: &Env,
    persona: &ResolvedPersona,
    plan: &VisitPlan,
    card: CardWire,
    setting: CareSettingWire,
) -> ClinicVisitRequest {
    let q = qualification_for(persona, plan);
    let documents = match q {
        Some(q) => plan
            .documents
            .iter()
            .filter_map(|k| document(persona, q, *k))
            .collect(),
        None => Vec::new(),
    };
    let clinic_record = match plan.documents.first() {
        Some(Presented::ClinicRecord) => q.map(numbers_of),
        Some(Presented::ClinicRecordWithoutBranch) => q.map(|q| PrintedNumbers {
            branch: None,
            ..numbers_of(q)
        }),
        _ => None,
    };
    ClinicVisitRequest {
        visit_id: format!("{}-{}", persona.id, plan.now.format("%Y%m%d%H%M%S")),
        visit_time: plan.now,
        facility: FacilityWire {
            medical_institution_code: env.reader.facility.as_str().to_owned(),
            online_confirmation: plan.facility.online_confirmation,
            reader: plan.facility.reader.into(),
            network: plan.facility.network.into(),
            care_setting: setting,
        },
        backend_url: String::new(),
        patient: PatientAtWindow {
            name: persona.person.name.clone(),
            birth_date: persona.person.birth_date,
            sex: persona.person.sex,
            address: persona.person.address.clone(),
        },
        card,
        documents,
        clinic_record,
        number_check: match plan.number_check {
            NumberCheck::WhenNeeded => NumberCheckPolicy::WhenNeeded,
            NumberCheck::Force => NumberCheckPolicy::Always,
            NumberCheck::Never => NumberCheckPolicy::Never,
        },
        limit_consent: plan.number_limit_consent,
        answers: PatientAnswers {
            fills_in_declaration: plan.stance == PatientStance::Cooperates,
            declares_no_insurance: plan.stance == PatientStance::DeclaresUninsured,
        },
        identity_in_doubt: plan.identity_in_doubt,
        medical_fee: plan.medical_fee,
        payments: plan
            .payments
            .iter()
            .map(|p| payment(env.reader.facility.as_str(), plan.now.date(), p))
            .collect(),
    }
}

/// Another 医療機関コード than `here` (same prefecture), for a receipt from elsewhere.
pub fn other_institution(here: &str) -> String {
    let other = format!("{}0000029", here.get(..3).unwrap_or("131"));
    if other == here {
        format!("{}0000037", here.get(..3).unwrap_or("131"))
    } else {
        other
    }
}

/// A planned payment as the clinic receives it: dated the 1st of its month.
fn payment(here: &str, visit: chrono::NaiveDate, p: &PlannedPayment) -> PaymentWire {
    use chrono::{Datelike, Months};
    let month_start = visit.with_day(1).unwrap_or(visit);
    PaymentWire {
        date: month_start
            .checked_sub_months(Months::new(p.months_before))
            .unwrap_or(month_start),
        medical_institution_code: if p.elsewhere {
            other_institution(here)
        } else {
            here.to_owned()
        },
        medical_fee: p.medical_fee,
        paid: p.paid,
    }
}

/// The clinic's answer as evidence and as the decision the oracle and the steps
/// judge; a clinic that gave nothing readable fails the visit (`clinic-answered`).
fn record_answer(
    answer: Result<super::clinic::AtDesk, super::clinic::DeskError>,
    out: &mut VisitOutcome,
    verdicts: &mut Vec<Verdict>,
) {
    let answer = match answer {
        Ok(at) => {
            verdicts.extend(at.audit_verdict);
            at.answer
        }
        Err(e) => {
            verdicts.push(Verdict::fail(
                Check::ClinicAnswered,
                format!("the clinic did not answer the visit: {e}"),
            ));
            return;
        }
    };
    for x in &answer.numbers_queries {
        out.requests.push(x.request.clone());
        out.exchanges.push(Exchange {
            label: x.label.clone(),
            request: x.request.clone(),
            response: x.response.clone(),
        });
        let parsed = serde_json::from_str::<QualificationResponse>(&x.response);
        if let Ok(r) = &parsed {
            out.responses.push(r.clone());
        }
        out.number_check = Some(parsed.map_err(|_| BackendError::Protocol(x.response.clone())));
    }
    out.exchanges.push(Exchange {
        label: "POST /v1/visits: the clinic's answer".into(),
        request: String::new(),
        response: serde_json::to_string_pretty(&ClinicAnswer {
            numbers_queries: Vec::new(),
            ..answer.clone()
        })
        .unwrap_or_default(),
    });
    out.clinic_notes = answer.notes.clone();
    // FAQ-4-6: the back of the card, with the My Number, is never copied.
    if answer.card_images.contains(&CardSide::Back) {
        verdicts.push(Verdict::fail(
            Check::CardBackNeverCopied,
            "the clinic stored an image of the card's back, which carries the My Number",
        ));
    } else if !answer.card_images.is_empty() {
        verdicts.push(Verdict::pass(
            Check::CardBackNeverCopied,
            "the clinic stored the card's front only",
        ));
    }
    out.clinic_answer = Some(ClinicAnswer {
        numbers_queries: Vec::new(),
        ..answer.clone()
    });
    match decision_of(&answer) {
        Ok(d) => out.decision = Some(d),
        Err(e) => verdicts.push(Verdict::fail(
            Check::ClinicAnswered,
            format!("the clinic's answer cannot be judged: {e}"),
        )),
    }
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
    let setting = match &plan.card {
        CardUse::Reader(script) => script.care_setting,
        _ => CareSettingWire::Outpatient,
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
    let card = match &plan.card {
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
        CardUse::Reader(_) | CardUse::IdentityOnly => CardWire {
            presented: true,
            reader: None,
        },
        CardUse::NotPresented => CardWire {
            presented: false,
            reader: None,
        },
    };

    // The clinic at the window: documents, its own numbers query, its decision.
    let req = clinic_request(env, persona, plan, card, setting);
    out.documents_record = qualification_for(persona, plan).and_then(|q| {
        persona
            .qualifications
            .iter()
            .position(|r| std::ptr::eq(r, q))
    });
    out.visit_id.clone_from(&req.visit_id);
    let answer = super::clinic::at_desk(env, &backend, plan.fault, req).await;
    record_answer(answer, &mut out, &mut remote_verdicts);

    out.verdicts = oracle::evaluate(&VisitRecord {
        persona,
        now: plan.now,
        medical_consent,
        trace: out.trace.as_ref(),
        responses: &out.responses,
        requests: &out.requests,
        decision: out.decision.as_ref(),
        public_expense_shown: plan.documents.contains(&Presented::PublicExpense),
    });
    out.verdicts.extend(remote_verdicts);
    out
}

/// After an outage visit: the line is back, and the clinic confirms the patient it took
/// on a 申立書 by the 基本4情報 it noted (the 緊急時医療情報・資格確認機能) and says what
/// it bills. The exchanges and verdicts join the visit's; `Err` when the clinic noted
/// nothing to check with.
pub async fn recover_visit(
    env: &Env,
    backend: &AnyBackend,
    persona: &ResolvedPersona,
    recovered_at: NaiveDateTime,
    out: &mut VisitOutcome,
) -> Result<(), String> {
    let noted = out
        .clinic_answer
        .as_ref()
        .and_then(|a| a.noted.clone())
        .ok_or("the clinic noted no 基本4情報 at the visit (`noted` is absent)")?;
    let req = RecoveryRequest {
        visit_id: out.visit_id.clone(),
        recovered_at,
        medical_institution_code: env.reader.facility.as_str().to_owned(),
        backend_url: String::new(),
        noted,
    };
    let sent = serde_json::to_string_pretty(&req).unwrap_or_default();
    out.recovered_at = Some(recovered_at);
    let at = match super::clinic::after_recovery(env, backend, req).await {
        Ok(at) => at,
        Err(e) => {
            out.verdicts.push(Verdict::fail(
                Check::ClinicAnswered,
                format!("the clinic did not answer the recovery: {e}"),
            ));
            return Ok(());
        }
    };
    let mut responses = Vec::new();
    let mut requests = Vec::new();
    for x in &at.answer.queries {
        requests.push(x.request.clone());
        out.requests.push(x.request.clone());
        out.exchanges.push(Exchange {
            label: x.label.clone(),
            request: x.request.clone(),
            response: x.response.clone(),
        });
        if let Ok(r) = serde_json::from_str::<QualificationResponse>(&x.response) {
            responses.push(r);
        }
    }
    out.exchanges.push(Exchange {
        label: "POST /v1/recoveries: the clinic's answer".into(),
        request: sent,
        response: serde_json::to_string_pretty(&RecoveryAnswer {
            queries: Vec::new(),
            ..at.answer.clone()
        })
        .unwrap_or_default(),
    });
    let record = VisitRecord {
        persona,
        now: recovered_at,
        medical_consent: false,
        trace: None,
        responses: &responses,
        requests: &requests,
        decision: None,
        public_expense_shown: false,
    };
    out.verdicts.push(oracle::right_person(&record));
    out.verdicts.push(oracle::no_my_number(&record));
    out.verdicts.extend(at.audit_verdict);
    out.responses.extend(responses);
    out.recovery = Some(at.answer);
    Ok(())
}
