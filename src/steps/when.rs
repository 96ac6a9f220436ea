//! もし: what happens at the reader and the desk. Every visit step runs the whole visit
//! (reader → backend → desk → oracle) and fails at once on a critical verdict.

use cucumber::when;

use onshi::backend::{
    AuthMethod, Base64Bytes, CardAuthentication, CardConfirmationRequest,
    NumbersConfirmationRequest, PresentedDocument, QualificationBackend,
};
use onshi::conformance::visit::{CardUse, NumberCheck, Presented, VisitPlan, run_visit};
use onshi::conformance::world::OnshiWorld;
use onshi::oracle::{Check, checks::expect_refused};
use onshi::pki::HashAlg;
use onshi::reader::{AuthChoice, Operator, PatientScript};
use onshi::report::Exchange;
use onshi::rules::{PatientStance, ReaderState, SchoolCopyForm};

use super::given::persona_documents;

/// A script for the persona with the scenario's adjustments.
fn script(
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

fn persona_pin(w: &OnshiWorld) -> Result<Vec<String>, String> {
    Ok(w.persona()?.card.auth_pin.clone().into_iter().collect())
}

/// Runs a visit and keeps it; a critical verdict fails the step.
async fn visit(
    w: &mut OnshiWorld,
    card: CardUse,
    documents: Option<Vec<Presented>>,
    number_check: NumberCheck,
    record: Option<usize>,
) -> Result<(), String> {
    let persona = w.persona()?.clone();
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
        document_record: record,
    };
    let outcome = run_visit(&w.env, &backend, &persona, &plan).await;
    let critical: Vec<String> = outcome
        .verdicts
        .iter()
        .filter(|v| v.is_critical_failure())
        .map(ToString::to_string)
        .collect();
    w.visits.push(outcome);
    if critical.is_empty() {
        Ok(())
    } else {
        Err(critical.join("\n"))
    }
}

async fn at_reader(w: &mut OnshiWorld, s: PatientScript) -> Result<(), String> {
    visit(w, CardUse::Reader(s), None, NumberCheck::WhenNeeded, None).await
}

#[when(regex = r"^患者がカードをカードリーダーに置き顔認証で本人確認する$")]
async fn face(w: &mut OnshiWorld) -> Result<(), String> {
    let s = script(w, AuthChoice::Face, Vec::new(), vec![0.97])?;
    at_reader(w, s).await
}

#[when(regex = r"^職員が患者に代わってカードをカードリーダーに置き顔認証を行う$")]
async fn staff_places_face(w: &mut OnshiWorld) -> Result<(), String> {
    w.adjust.placed_by = Some(Operator::Staff);
    let s = script(w, AuthChoice::Face, Vec::new(), vec![0.95])?;
    at_reader(w, s).await
}

#[when(regex = r"^患者がカードを置き顔認証を受けるが照合できない$")]
async fn face_fails(w: &mut OnshiWorld) -> Result<(), String> {
    let s = script(w, AuthChoice::Face, Vec::new(), vec![0.2, 0.3, 0.25])?;
    at_reader(w, s).await
}

#[when(regex = r"^患者がカードを置き顔認証を受けるが照合できず、暗証番号を入力する$")]
async fn face_fails_then_pin(w: &mut OnshiWorld) -> Result<(), String> {
    let pins = persona_pin(w)?;
    let s = script(w, AuthChoice::Face, pins, vec![0.2, 0.3, 0.25])?;
    at_reader(w, s).await
}

#[when(regex = r"^患者がカードを置き暗証番号で本人確認する$")]
async fn pin(w: &mut OnshiWorld) -> Result<(), String> {
    let pins = persona_pin(w)?;
    let s = script(w, AuthChoice::Pin, pins, vec![0.97])?;
    at_reader(w, s).await
}

#[when(regex = r"^患者がカードを置き誤った暗証番号を (\d+) 回入力する$")]
async fn wrong_pins(w: &mut OnshiWorld, times: usize) -> Result<(), String> {
    let right = persona_pin(w)?.pop().unwrap_or_default();
    let wrong = if right == "0000" { "1111" } else { "0000" };
    let s = script(
        w,
        AuthChoice::Pin,
        vec![wrong.to_owned(); times],
        vec![0.97],
    )?;
    at_reader(w, s).await
}

#[when(regex = r"^患者が証明書の読み取り中にカードをカードリーダーから離す$")]
async fn card_pulled(w: &mut OnshiWorld) -> Result<(), String> {
    // SELECT AP, SELECT EF, the 4-byte header, then the card is gone.
    w.pull_card_after = Some(3);
    let s = script(w, AuthChoice::Face, Vec::new(), vec![0.97])?;
    at_reader(w, s).await
}

#[when(regex = r"^家族が患者のカードを置き代わりに暗証番号を入力する$")]
async fn family_proxy(w: &mut OnshiWorld) -> Result<(), String> {
    let pins = persona_pin(w)?;
    let mut s = script(w, AuthChoice::Pin, pins, vec![0.97])?;
    s.placed_by = Operator::Family;
    s.pin_entered_by = Operator::Family;
    at_reader(w, s).await
}

#[when(regex = r"^職員がカードを置き目視確認モードで本人確認する$")]
async fn visual(w: &mut OnshiWorld) -> Result<(), String> {
    let mut s = script(w, AuthChoice::Visual, Vec::new(), Vec::new())?;
    s.placed_by = Operator::Staff;
    at_reader(w, s).await
}

fn presented(name: &str) -> Presented {
    match name {
        "マイナポータルの資格情報画面" => Presented::PortalScreen,
        "資格確認書" => Presented::KakuninSho,
        "従来の健康保険証" => Presented::OldCard,
        _ => Presented::Notice,
    }
}

#[when(regex = r"^患者がカードと(お知らせ|マイナポータルの資格情報画面)を提示して受診する$")]
async fn card_and_document(w: &mut OnshiWorld, doc: String) -> Result<(), String> {
    let card = if w.facility.reader == ReaderState::Working && w.facility.online_confirmation {
        CardUse::Reader(script(w, AuthChoice::Face, Vec::new(), vec![0.97])?)
    } else {
        CardUse::IdentityOnly
    };
    visit(
        w,
        card,
        Some(vec![presented(&doc)]),
        NumberCheck::WhenNeeded,
        None,
    )
    .await
}

#[when(
    regex = r"^患者がマイナンバーカードを持たず(資格確認書|従来の健康保険証|お知らせ)で受診する$"
)]
async fn document_only(w: &mut OnshiWorld, doc: String) -> Result<(), String> {
    visit(
        w,
        CardUse::NotPresented,
        Some(vec![presented(&doc)]),
        NumberCheck::Force,
        None,
    )
    .await
}

#[when(regex = r"^引率の教員がマイナポータルの資格情報のPDFを提示して受診する$")]
async fn school_copy(w: &mut OnshiWorld) -> Result<(), String> {
    visit(
        w,
        CardUse::NotPresented,
        Some(vec![Presented::SchoolCopy(SchoolCopyForm::PortalPdf)]),
        NumberCheck::Never,
        None,
    )
    .await
}

#[when(regex = r"^受付で以前の保険証の記号番号で資格を照会する$")]
async fn previous_numbers(w: &mut OnshiWorld) -> Result<(), String> {
    visit(
        w,
        CardUse::NotPresented,
        Some(vec![Presented::OldCard]),
        NumberCheck::Force,
        Some(0),
    )
    .await
}

#[when(regex = r"^受付で(従来の健康保険証|お知らせ)(?:の記号番号で|だけを提示して)資格を照会する$")]
async fn numbers_only(w: &mut OnshiWorld, doc: String) -> Result<(), String> {
    visit(
        w,
        CardUse::NotPresented,
        Some(vec![presented(&doc)]),
        NumberCheck::Force,
        None,
    )
    .await
}

#[when(regex = r"^(同じ月|翌月)に受付で記号番号により資格を照会する$")]
async fn numbers_later(w: &mut OnshiWorld, when: String) -> Result<(), String> {
    use chrono::{Datelike, Months};
    let day = w.now.date();
    let first = day.with_day(1).unwrap_or(day);
    let target = if when == "翌月" {
        first.checked_add_months(Months::new(1)).unwrap_or(day)
    } else {
        (day + chrono::Duration::days(14)).min(
            first
                .checked_add_months(Months::new(1))
                .unwrap_or(day)
                .pred_opt()
                .unwrap_or(day),
        )
    };
    w.now = target.and_time(w.now.time());
    w.number_limit_consent = Some(None);
    visit(
        w,
        CardUse::NotPresented,
        Some(vec![Presented::ClinicRecord]),
        NumberCheck::Force,
        None,
    )
    .await
}

#[when(regex = r"^マイナポータルから保険証利用登録を申し込む$")]
fn portal_registration(w: &mut OnshiWorld) -> Result<(), String> {
    use onshi::rules::{CardKind, RegistrationAttempt, RegistrationChannel, UserAuthCertificate};
    let p = w.persona()?;
    let cert = &p.card.certificate;
    let attempt = RegistrationAttempt {
        at: w.now,
        channel: RegistrationChannel::Portal,
        card: if p.card.pinless {
            CardKind::PinLess
        } else {
            CardKind::Standard
        },
        pin_locked: p.card.auth_pin_locked(),
        certificate: UserAuthCertificate {
            issued_at: cert.issued_at,
            expires_on: cert.expires_on,
            renewed: cert.renewed,
        },
        already_registered: p.registration.is_registered(),
        insurer_registered: p
            .true_qualification(w.now.date())
            .is_some_and(|q| q.visible_on(w.now.date())),
    };
    match w.env.calendar.register(&attempt) {
        Ok(o) => w.notes.push(format!("portal registration: {o:?}")),
        Err(refusal) => {
            w.last_refusal = Some((
                Some(refusal.rule_id().code().to_owned()),
                refusal.to_string(),
            ))
        }
    }
    Ok(())
}

/// Records what a protocol-level step sent and got back, and the oracle's verdict:
/// the backend must refuse it.
fn judge_attempt<T: serde::Serialize>(
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

#[when(regex = r"^不正なカードリーダーがロック済みのカードで暗証番号方式の確認を送る$")]
async fn locked_session_pin(w: &mut OnshiWorld) -> Result<(), String> {
    let p = w.persona()?.clone();
    let backend = w.backend()?;
    let challenge = backend.challenge().await.map_err(|e| e.to_string())?;
    let issued = &w.env.cards[&p.id];
    // The harness holds the card's key; a faulty reader could only have a signature
    // from an earlier session. Either way the card said 63 C0 before VERIFY.
    let di = HashAlg::Sha256.digest_info(challenge.nonce.as_bytes());
    let signature = issued
        .profile
        .auth_key
        .sign_padded(&di)
        .map_err(|e| e.to_string())?;
    let req = CardConfirmationRequest {
        medical_institution_code: w.env.reader.facility.clone(),
        arbitrary_file_identifier: None,
        confirmation_time: Some(w.now),
        card: CardAuthentication {
            auth_certificate: Base64Bytes(issued.auth_cert.to_vec()),
            nonce: challenge.nonce.clone(),
            method: AuthMethod::Pin,
            card_signature: Some(Base64Bytes(signature)),
            pin_tries_before_verify: Some(0),
            attestation: None,
        },
        consents: Default::default(),
        care_setting: Default::default(),
        prescription_issue_select: None,
    };
    let result = backend.confirm_card(&req).await;
    judge_attempt(
        w,
        "POST /v1/confirmations/card (locked card, PIN path)",
        &req,
        &result,
        Check::LockedSessionRefused,
        "a PIN-path confirmation from a locked card's session",
    );
    Ok(())
}

#[when(regex = r"^同じチャレンジと署名で資格確認をもう一度送る$")]
async fn replay(w: &mut OnshiWorld) -> Result<(), String> {
    let backend = w.backend()?;
    let body = w
        .visits
        .iter()
        .rev()
        .flat_map(|v| v.exchanges.iter().rev())
        .find(|x| x.label == "POST /v1/confirmations/card")
        .map(|x| x.request.clone())
        .ok_or("no card confirmation to replay")?;
    let req: CardConfirmationRequest = serde_json::from_str(&body).map_err(|e| e.to_string())?;
    let result = backend.confirm_card(&req).await;
    judge_attempt(
        w,
        "POST /v1/confirmations/card (replayed)",
        &req,
        &result,
        Check::ReplayRefused,
        "a replayed challenge",
    );
    Ok(())
}

#[when(regex = r"^個人番号を被保険者番号の代わりに入力して照会する$")]
async fn my_number_lookup(w: &mut OnshiWorld) -> Result<(), String> {
    let p = w.persona()?.clone();
    let backend = w.backend()?;
    let q = p
        .true_qualification(w.now.date())
        .ok_or("the persona has no qualification")?;
    let req = NumbersConfirmationRequest {
        medical_institution_code: w.env.reader.facility.clone(),
        arbitrary_file_identifier: None,
        confirmation_time: Some(w.now),
        insurer_number: q.insurer_number.as_str().to_owned(),
        insured_card_symbol: None,
        insured_identification_number: p.person.my_number.clone(),
        insured_branch_number: None,
        birthdate: p.person.birth_date,
        document: PresentedDocument::Unspecified,
        card_presented: false,
        limit_consent: None,
    };
    let result = backend.confirm_numbers(&req).await;
    judge_attempt(
        w,
        "POST /v1/confirmations/numbers (My Number as identifier)",
        &req,
        &result,
        Check::MyNumberRefused,
        "a lookup by My Number",
    );
    Ok(())
}
