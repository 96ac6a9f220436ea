//! At the card reader: placing the card, face recognition, PIN and staff's visual check
//! (目視), the PIN lockout, family proxies and staff assistance, what the reader shows
//! and keeps, and the consent screens.

use cucumber::{given, then, when};

use onshi::backend::{AuthMethod, CardConfirmationRequest};

use onshi::card::{PinId, Status, TraceOp};
use onshi::codes::ProcessingResultStatus;
use onshi::conformance::visit::{CardUse, NumberCheck};
use onshi::conformance::world::OnshiWorld;
use onshi::oracle::Check;
use onshi::reader::policy::SwitchReason;
use onshi::reader::{AuthChoice, Operator, PatientScript, ReaderEvent, ReaderResult};
use onshi::rules::ConsentScreen;

use super::world::{failed_verdict, reader, script, visit};

#[given(regex = r"^患者は自分でカードリーダーを操作できない$")]
fn cannot_operate(w: &mut OnshiWorld) {
    w.adjust.cannot_operate = true;
}

#[given(regex = r"^職員による目視確認はできない$")]
fn no_visual(w: &mut OnshiWorld) {
    w.adjust.visual_available = Some(false);
}

fn persona_pin(w: &OnshiWorld) -> Result<Vec<String>, String> {
    Ok(w.persona()?.card.auth_pin.clone().into_iter().collect())
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

#[when(
    regex = r"^患者がカードを置き顔認証を受け（照合スコア ([0-9]+(?:\.[0-9]+)?)）、照合できなければ暗証番号を入力する$"
)]
async fn face_scored_then_pin(w: &mut OnshiWorld, score: f64) -> Result<(), String> {
    let pins = persona_pin(w)?;
    // The same score at every attempt: the camera sees the same face.
    let s = script(w, AuthChoice::Face, pins, vec![score; 3])?;
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

fn switched(w: &OnshiWorld, to: AuthChoice) -> Result<Vec<SwitchReason>, String> {
    Ok(reader(w)?
        .events
        .iter()
        .filter_map(|e| match e {
            ReaderEvent::MethodSwitched { to: t, reason, .. } if *t == to => Some(*reason),
            _ => None,
        })
        .collect())
}

fn method_word(m: &str) -> AuthChoice {
    if m == "目視確認" {
        AuthChoice::Visual
    } else {
        AuthChoice::Face
    }
}

#[then(regex = r"^カードリーダーは暗証番号を送らずに(顔認証|目視確認)へ切り替える$")]
fn switched_without_pin(w: &mut OnshiWorld, method: String) -> Result<(), String> {
    let reasons = switched(w, method_word(&method))?;
    if !reasons
        .iter()
        .any(|r| matches!(r, SwitchReason::PinLocked | SwitchReason::PinlessCard))
    {
        return Err(format!(
            "the reader did not switch to {method} because of the PIN ({reasons:?})"
        ));
    }
    let trace = w.last_visit()?.trace.as_ref().ok_or("no APDU trace")?;
    match trace.verify_count(PinId::AuthPin) {
        0 => Ok(()),
        n => Err(format!("{n} VERIFY sent to the auth PIN")),
    }
}

#[then(regex = r"^カードリーダーは(顔認証|目視確認)へ切り替える$")]
fn switched_to(w: &mut OnshiWorld, method: String) -> Result<(), String> {
    if switched(w, method_word(&method))?.is_empty() {
        Err(format!("the reader never switched to {method}"))
    } else {
        Ok(())
    }
}

/// What the card saw: whether it signed (the PIN path: only a card whose PIN was
/// verified signs) and whether the face photo was read from the chip with 照合番号B
/// (the face path needs it; a failed face attempt before 目視 leaves it too).
fn seen_by_card(trace: &onshi::card::ApduTrace) -> (bool, bool) {
    let signed = trace
        .entries
        .iter()
        .any(|e| matches!(e.op, TraceOp::Sign { .. }) && e.status == Some(Status::Success));
    let photo = trace.files_read().contains(&(
        Some(onshi::card::AppId::Surface),
        onshi::card::ids::surface::FRONT,
    ));
    (signed, photo)
}

#[then(regex = r"^本人確認の方法は(顔認証|暗証番号|目視確認)である$")]
fn method_used(w: &mut OnshiWorld, word: String) -> Result<(), String> {
    let expected = match word.as_str() {
        "顔認証" => AuthMethod::Face,
        "暗証番号" => AuthMethod::Pin,
        _ => AuthMethod::Visual,
    };
    let v = w.last_visit()?;
    let trace = v.trace.as_ref().ok_or("no APDU trace")?;
    // What the card saw decides what it can: the PIN path is the one where the card
    // signed; the face path needs the photo read from the chip. The reader's report and
    // the request it sent must agree.
    let (signed, photo) = seen_by_card(trace);
    if signed != (expected == AuthMethod::Pin) {
        return Err(if signed {
            format!("the card signed (the PIN path), expected {word}")
        } else {
            format!("the card never signed, so not the PIN path; expected {word}")
        });
    }
    if expected == AuthMethod::Face && !photo {
        return Err("a face confirmation without the photo read from the chip".into());
    }
    if let Some(reported) = reader(w)?.method
        && reported != expected
    {
        return Err(format!("the reader reported {reported:?}, expected {word}"));
    }
    let sent = v
        .requests
        .iter()
        .filter_map(|r| serde_json::from_str::<CardConfirmationRequest>(r).ok())
        .map(|r| r.card.method)
        .next_back();
    match sent {
        Some(m) if m != expected => Err(format!("the backend was told {m:?}, expected {word}")),
        _ => Ok(()),
    }
}

#[then(regex = r"^ロックされたカードに暗証番号は送られない$")]
fn no_pin_after_lock(w: &mut OnshiWorld) -> Result<(), String> {
    failed_verdict(w, Check::NoPinAfterLock)
}

#[then(regex = r"^カードの暗証番号はロックされている$")]
fn card_locked(w: &mut OnshiWorld) -> Result<(), String> {
    let trace = w.last_visit()?.trace.as_ref().ok_or("no APDU trace")?;
    let locked = trace.entries.iter().any(|e| {
        matches!(
            e.op,
            TraceOp::Verify {
                pin: Some(PinId::AuthPin),
                ..
            } | TraceOp::RetryQuery {
                pin: Some(PinId::AuthPin)
            }
        ) && e.status == Some(Status::VerificationFailed { tries_left: 0 })
    });
    if locked {
        Ok(())
    } else {
        Err("the card never reported the PIN locked (63 C0)".into())
    }
}

/// The card's own answers to the VERIFYs of the auth PIN with a PIN, in order: the
/// tries left it reported (`63 Cx`), the card deciding.
#[then(regex = r"^カードの暗証番号の残り回数は ([0-9、]+) と減った$")]
fn tries_counted_down(w: &mut OnshiWorld, expected: String) -> Result<(), String> {
    let expected: Vec<u8> = expected
        .split('、')
        .map(|n| n.parse().map_err(|e| format!("{n:?}: {e}")))
        .collect::<Result<_, _>>()?;
    let trace = w.last_visit()?.trace.as_ref().ok_or("no APDU trace")?;
    let answered: Vec<u8> = trace
        .entries
        .iter()
        .filter(|e| {
            matches!(
                e.op,
                TraceOp::Verify {
                    pin: Some(PinId::AuthPin),
                    ..
                }
            )
        })
        .filter_map(|e| match e.status {
            Some(Status::VerificationFailed { tries_left }) => Some(tries_left),
            _ => None,
        })
        .collect();
    if answered == expected {
        Ok(())
    } else {
        Err(format!(
            "the card answered the PIN VERIFYs with tries left {answered:?}, expected {expected:?}"
        ))
    }
}

#[then(regex = r"^カードでの資格確認は(できる|できない)$")]
fn card_path_outline(w: &mut OnshiWorld, which: String) -> Result<(), String> {
    let ok = reader(w)?.response().is_some_and(|r| {
        r.message_body.processing_result_status == ProcessingResultStatus::Normal
            && r.message_body
                .qualification_validity
                .is_some_and(|v| v.is_valid())
    });
    match (which.as_str(), ok) {
        ("できる", true) | ("できない", false) => Ok(()),
        (_, ok) => Err(format!(
            "card path confirmed = {ok}, expected {which}: {:?}",
            reader(w)?.result
        )),
    }
}

#[then(regex = r"^カードでの本人確認はできない$")]
fn auth_failed(w: &mut OnshiWorld) -> Result<(), String> {
    match &reader(w)?.result {
        ReaderResult::AuthenticationFailed => Ok(()),
        other => Err(format!("expected no authentication, got {other:?}")),
    }
}

#[then(regex = r"^カードリーダーは「(.+)」と表示する$")]
fn reader_shows(w: &mut OnshiWorld, text: String) -> Result<(), String> {
    match &reader(w)?.result {
        ReaderResult::CardUnreadable { detail } if detail.contains(&text) => Ok(()),
        other => Err(format!("the reader shows {other:?}")),
    }
}

#[then(regex = r"^カードからは電子証明書を読み取れない$")]
fn nothing_read(w: &mut OnshiWorld) -> Result<(), String> {
    let trace = w.last_visit()?.trace.as_ref().ok_or("no APDU trace")?;
    if trace.files_read().is_empty() {
        Ok(())
    } else {
        Err(format!("files were read: {:?}", trace.files_read()))
    }
}

#[then(regex = r"^カードリーダーは顔写真を保存しない$")]
fn photo_not_stored(w: &mut OnshiWorld) -> Result<(), String> {
    let r = reader(w)?;
    if r.photo_stored {
        return Err("the reader kept the face photo".into());
    }
    if !r
        .events
        .iter()
        .any(|e| matches!(e, ReaderEvent::FaceAttempt { .. }))
    {
        return Err("no face comparison took place".into());
    }
    Ok(())
}

#[then(regex = r"^同意画面は(項目ごとに表示され限度額の画面がある|包括同意の1画面だけである)$")]
fn consent_screens(w: &mut OnshiWorld, which: String) -> Result<(), String> {
    let screens = reader(w)?
        .events
        .iter()
        .find_map(|e| match e {
            ReaderEvent::ConsentScreens { screens, .. } => Some(screens.clone()),
            _ => None,
        })
        .ok_or("no consent screens were shown")?;
    let ok = match which.as_str() {
        "包括同意の1画面だけである" => {
            screens == [ConsentScreen::ComprehensiveMedicalInformation]
        }
        _ => screens.len() > 1 && screens.contains(&ConsentScreen::LimitInformation),
    };
    if ok {
        Ok(())
    } else {
        Err(format!("screens {screens:?}"))
    }
}
