//! The wire to 資格確認システム: line faults and a silent backend, forged and replayed
//! confirmations, the answer's validity, codes, refusals and insurer, and the result
//! files in Shift_JIS and UTF-8.

use cucumber::{given, then, when};

use onshi::backend::{
    AuthMethod, Base64Bytes, CardAuthentication, CardConfirmationRequest, QualificationBackend,
};
use onshi::codes::{CharacterEncoding, ProcessingResultStatus};
use onshi::conformance::faulty::LineFault;
use onshi::conformance::world::{Need, OnshiWorld};
use onshi::oracle::Check;
use onshi::pki::HashAlg;
use onshi::reader::ReaderResult;
use onshi::rules::NetworkState;

use super::world::{first_result, judge_attempt, reader, response};

#[given(regex = r"^回線障害で資格確認システムにつながらない$")]
fn line_down(w: &mut OnshiWorld) {
    w.facility.network = NetworkState::Down;
    w.fault = Some(LineFault::Down);
}

#[given(regex = r"^資格確認システムが応答しない$")]
fn backend_timeout(w: &mut OnshiWorld) {
    w.fault = Some(LineFault::Timeout);
}

#[when(regex = r"^不正なカードリーダーがロック済みのカードで暗証番号方式の確認を送る$")]
async fn locked_session_pin(w: &mut OnshiWorld) -> Result<(), String> {
    w.needs(Need::Card)?;
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
    w.needs(Need::Card)?;
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

#[then(regex = r"^資格確認の結果は「(.+)」である$")]
fn validity_is(w: &mut OnshiWorld, label: String) -> Result<(), String> {
    let r = response(w)?;
    let body = &r.message_body;
    match body.qualification_validity {
        Some(v) if v.label() == label => Ok(()),
        other => Err(format!(
            "expected 「{label}」, got {:?} (status {:?}, code {:?}: {:?})",
            other.map(|v| v.label()),
            body.processing_result_status,
            body.processing_result_code,
            body.processing_result_message
        )),
    }
}

#[then(regex = r"^資格確認の結果は有効ではない$")]
fn validity_not_valid(w: &mut OnshiWorld) -> Result<(), String> {
    let v = w.last_visit()?;
    if let Some(r) = v.card_response().or(v.last_response())
        && r.message_body.processing_result_status == ProcessingResultStatus::Normal
        && r.message_body
            .qualification_validity
            .is_some_and(|x| x.is_valid())
    {
        return Err("the result is 有効".into());
    }
    Ok(())
}

#[then(regex = r#"^保険者番号は "(\d+)" である$"#)]
fn insurer_is(w: &mut OnshiWorld, number: String) -> Result<(), String> {
    match &first_result(w)?.insurer_number {
        Some(n) if n.as_str() == number => Ok(()),
        other => Err(format!("insurer {other:?}, expected {number}")),
    }
}

#[then(regex = r"^資格確認は「(.+)」という理由で受け付けられない$")]
fn refused_because(w: &mut OnshiWorld, why: String) -> Result<(), String> {
    let r = reader(w)?;
    let text = match &r.result {
        ReaderResult::Answered { response } => response
            .message_body
            .processing_result_message
            .clone()
            .unwrap_or_default(),
        ReaderResult::Refused { message, .. } => message.clone(),
        other => format!("{other:?}"),
    };
    if text.contains(&why) {
        Ok(())
    } else {
        Err(format!(
            "the refusal says {text:?}, expected it to mention {why}"
        ))
    }
}

fn expect_refusal(w: &mut OnshiWorld) -> Result<(), String> {
    match (&w.last_accept, &w.last_refusal) {
        (None, Some(_)) => Ok(()),
        (Some(r), _) => Err(format!(
            "accepted: {:?} for {:?}",
            r.message_body.qualification_validity,
            r.message_body.result_list.first().map(|x| &x.name)
        )),
        (None, None) => Err("nothing was attempted".into()),
    }
}

#[then(regex = r"^(?:2度目の確認|照会|その確認)は拒否される$")]
fn refused(w: &mut OnshiWorld) -> Result<(), String> {
    expect_refusal(w)
}

fn result_file_name(w: &OnshiWorld, encoding: CharacterEncoding) -> Result<String, String> {
    let f = w
        .last_visit()?
        .result_files
        .iter()
        .find(|f| f.encoding == encoding)
        .ok_or("no result file")?;
    let text = f.text();
    let start = text.find("<Name>").ok_or("no <Name> in the result file")? + "<Name>".len();
    let end = text[start..].find("</Name>").ok_or("unterminated <Name>")? + start;
    Ok(text[start..end].to_owned())
}

#[then(regex = r#"^Shift_JISの結果ファイルで氏名は "(.+)" と表示される$"#)]
fn sjis_name(w: &mut OnshiWorld, name: String) -> Result<(), String> {
    let got = result_file_name(w, CharacterEncoding::ShiftJis)?;
    if got == name {
        Ok(())
    } else {
        Err(format!("<Name>{got}</Name>, expected {name}"))
    }
}

#[then(regex = r#"^UTF-8の結果では氏名は "(.+)" と表示される$"#)]
fn utf8_name(w: &mut OnshiWorld, name: String) -> Result<(), String> {
    let got = result_file_name(w, CharacterEncoding::Utf8)?;
    if got == name {
        Ok(())
    } else {
        Err(format!("<Name>{got}</Name>, expected {name}"))
    }
}
