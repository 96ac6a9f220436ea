//! The scenario's world as the steps see it: the patient and the facility's equipment
//! (前提), the oracle's overall verdict (ならば), and the helpers every concept shares —
//! the documents a persona carries, the patient's script at the reader, running a visit,
//! recording a protocol-level attempt, and reading the last visit's outcome.

use cucumber::{given, then};

use onshi::conformance::visit::{
    CardUse, DEFAULT_MEDICAL_FEE, NumberCheck, Presented, VisitPlan, run_visit,
};
use onshi::conformance::world::{Need, OnshiWorld};
use onshi::message::{QualificationResponse, ResultOfQualificationConfirmation};
use onshi::oracle::{Check, checks::expect_refused};
use onshi::reader::{AuthChoice, Operator, PatientScript};
use onshi::report::Exchange;
use onshi::rules::{Facility, PatientStance, ReaderState};

/// The scenario's own instance of the persona (see `onshi::conformance::cast`).
#[given(regex = r#"^患者は "([a-z0-9-]+)" である$"#)]
async fn patient(w: &mut OnshiWorld, id: String) -> Result<(), String> {
    w.cast_patient(&id).await
}

#[given(regex = r"^医療機関にはカードリーダーが設置されていない$")]
fn no_reader(w: &mut OnshiWorld) {
    w.facility.reader = ReaderState::Absent;
}

#[given(regex = r"^カードリーダーが故障している$")]
fn broken_reader(w: &mut OnshiWorld) {
    w.facility.reader = ReaderState::Broken;
}

#[given(regex = r"^医療機関はオンライン資格確認を導入していない$")]
fn no_online_confirmation(w: &mut OnshiWorld) {
    w.facility = Facility::WITHOUT_ONLINE_CONFIRMATION;
}

#[then(regex = r"^オラクルの判定はすべて合格である$")]
fn oracle_all_pass(w: &mut OnshiWorld) -> Result<(), String> {
    let failed: Vec<String> = w
        .all_verdicts()
        .into_iter()
        .filter(|v| !v.passed)
        .map(|v| v.to_string())
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(failed.join("\n"))
    }
}

/// The documents the persona carries by default.
pub(super) fn persona_documents(w: &OnshiWorld) -> Vec<Presented> {
    let Ok(p) = w.persona() else {
        return Vec::new();
    };
    let mut docs = Vec::new();
    if p.documents.notice {
        docs.push(Presented::Notice);
    }
    if p.documents.portal_screen {
        docs.push(Presented::PortalScreen);
    }
    if p.documents.kakunin_sho.is_some() {
        docs.push(Presented::KakuninSho);
    }
    if p.documents.old_card.is_some() {
        docs.push(Presented::OldCard);
    }
    docs
}

/// A script for the persona with the scenario's adjustments.
pub(super) fn script(
    w: &OnshiWorld,
    choice: AuthChoice,
    pins: Vec<String>,
    face_scores: Vec<f64>,
) -> Result<PatientScript, String> {
    let p = w.persona()?;
    let mut s = PatientScript::face();
    s.choice = choice;
    s.pins = pins;
    s.face_scores = face_scores;
    s.consents.medical_info = w.adjust.medical_consent.unwrap_or(p.consents.medical_info);
    s.consents.limit_info = w.adjust.limit_consent.unwrap_or(p.consents.limit_info);
    s.staff_visual_check_available = w.adjust.visual_available.unwrap_or(true);
    s.accept_registration = w.adjust.accept_registration.unwrap_or(true);
    if let Some(c) = w.adjust.care_setting {
        s.care_setting = c;
    }
    if let Some(by) = w.adjust.placed_by {
        s.placed_by = by;
    } else if w.adjust.cannot_operate {
        s.placed_by = Operator::Staff;
    }
    Ok(s)
}

/// Runs a visit and keeps it; a critical verdict, or a reader under test that did not
/// answer, fails the step.
pub(super) async fn visit(
    w: &mut OnshiWorld,
    card: CardUse,
    documents: Option<Vec<Presented>>,
    number_check: NumberCheck,
    record: Option<usize>,
) -> Result<(), String> {
    let persona = w.persona()?.clone();
    let reads_card = w
        .facility
        .card_path(
            &w.env.calendar,
            w.now.date(),
            onshi::rules::CareSetting::Outpatient,
        )
        .is_ok();
    if matches!(card, CardUse::Reader(_)) && reads_card {
        w.needs(Need::Card)?;
    }
    let backend = w.backend()?;
    let documents = documents
        .or_else(|| w.documents.clone())
        .unwrap_or_else(|| persona_documents(w));
    let plan = VisitPlan {
        pull_card_after: w.pull_card_after.take(),
        now: w.now,
        facility: w.facility,
        fault: w.fault,
        card,
        documents,
        number_check,
        stance: PatientStance::Cooperates,
        number_limit_consent: w.number_limit_consent.take().unwrap_or(Some(true)),
        document_record: record.or(w.record_on_file),
        medical_fee: w.medical_fee.unwrap_or(DEFAULT_MEDICAL_FEE),
        payments: w.payments.clone(),
        identity_in_doubt: w.identity_in_doubt,
    };
    let outcome = run_visit(&w.env, &backend, &persona, &plan).await;
    let critical: Vec<String> = outcome
        .verdicts
        .iter()
        .filter(|v| v.fails_the_visit())
        .map(ToString::to_string)
        .collect();
    w.visits.push(outcome);
    if critical.is_empty() {
        Ok(())
    } else {
        Err(critical.join("\n"))
    }
}

/// Records what a protocol-level step sent and got back, and the oracle's verdict:
/// the backend must refuse it.
pub(super) fn judge_attempt<T: serde::Serialize>(
    w: &mut OnshiWorld,
    label: &str,
    request: &T,
    result: &Result<onshi::message::QualificationResponse, onshi::backend::BackendError>,
    check: Check,
    what: &str,
) {
    w.exchanges.push(Exchange {
        label: label.to_owned(),
        request: serde_json::to_string_pretty(request).unwrap_or_default(),
        response: match result {
            Ok(r) => serde_json::to_string_pretty(r).unwrap_or_default(),
            Err(e) => e.to_string(),
        },
    });
    match result {
        Ok(r)
            if r.message_body
                .qualification_validity
                .is_some_and(|v| v.is_valid()) =>
        {
            w.last_accept = Some(r.clone());
            w.last_refusal = None;
        }
        Ok(r) => {
            w.last_accept = None;
            w.last_refusal = Some((
                r.message_body.processing_result_code.clone(),
                r.message_body
                    .processing_result_message
                    .clone()
                    .unwrap_or_default(),
            ));
        }
        Err(e) => {
            w.last_accept = None;
            w.last_refusal = Some((e.code().map(|c| c.code().to_owned()), e.to_string()));
        }
    }
    let refused = w.last_accept.is_none();
    w.verdicts.push(expect_refused(
        check,
        what,
        refused,
        "the backend answered with a valid result",
    ));
}

/// The last answer the backend gave in the last visit.
pub(super) fn response(w: &OnshiWorld) -> Result<&QualificationResponse, String> {
    w.last_visit()?
        .last_response()
        .ok_or_else(|| describe_no_response(w))
}

fn describe_no_response(w: &OnshiWorld) -> String {
    match w.visits.last().and_then(|v| v.reader.as_ref()) {
        Some(r) => format!("the backend returned no result (reader: {:?})", r.result),
        None => "the backend returned no result".to_owned(),
    }
}

/// The first qualification in that answer.
pub(super) fn first_result(w: &OnshiWorld) -> Result<&ResultOfQualificationConfirmation, String> {
    let r = response(w)?;
    r.message_body.result_list.first().ok_or_else(|| {
        format!(
            "the result lists no qualification (validity {:?}, code {:?}: {:?})",
            r.message_body.qualification_validity,
            r.message_body.processing_result_code,
            r.message_body.processing_result_message
        )
    })
}

/// What happened at the reader in the last visit.
pub(super) fn reader(w: &OnshiWorld) -> Result<&onshi::reader::ReaderOutcome, String> {
    w.last_visit()?
        .reader
        .as_ref()
        .ok_or_else(|| "the card did not go through the reader".to_owned())
}

/// Fails with the first failed verdict of `check`, if any.
pub(super) fn failed_verdict(w: &OnshiWorld, check: Check) -> Result<(), String> {
    match w
        .all_verdicts()
        .into_iter()
        .find(|v| v.check == check && !v.passed)
    {
        Some(v) => Err(v.to_string()),
        None => Ok(()),
    }
}
