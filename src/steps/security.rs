//! Authentication a backend must refuse (`SEC-…`, onshi's own requirements): forged
//! card signatures, certificates and reader attestations, each sent with a fresh
//! challenge of the backend under test, and the code it refuses them with.

use cucumber::{then, when};

use onshi::backend::QualificationBackend as _;
use onshi::conformance::forgery::{Attempt, Materials};
use onshi::conformance::world::{Need, OnshiWorld};
use onshi::oracle::Check;
use onshi::protocol::ResultCode;

use super::world::judge_attempt;

#[when(regex = r"^(?:不正な)?カードリーダーが「(.+)」を送る$")]
async fn attempt(w: &mut OnshiWorld, label: String) -> Result<(), String> {
    let attempt = Attempt::from_label(&label).ok_or_else(|| {
        let known: Vec<&str> = Attempt::LABELS.iter().map(|(_, l)| *l).collect();
        format!("no attempt 「{label}」; known: {}", known.join("、"))
    })?;
    w.needs(Need::Card)?;
    let persona = w.persona()?.clone();
    let other = w
        .env
        .personas
        .values()
        .find(|p| {
            p.template.is_none()
                && !p.card.pinless
                && p.id != persona.template.as_deref().unwrap_or(&persona.id)
        })
        .cloned()
        .ok_or("no other persona with a card")?;
    onshi::conformance::forgery::prepare(&w.env)?;
    let backend = w.backend()?;
    let facility = attempt.challenge_facility(&w.env);
    let challenge = backend
        .challenge_for(&facility)
        .await
        .map_err(|e| e.to_string())?;
    if attempt == Attempt::ExpiredChallenge {
        let lifetime = std::time::Duration::from_secs(challenge.expires_in_seconds + 1);
        w.let_time_pass(lifetime).await?;
    }
    let backend = w.backend()?;
    let req = Materials {
        env: &w.env,
        persona: &persona,
        other: &other,
        nonce: challenge.nonce.0,
        now: w.now,
    }
    .request(attempt)?;
    let result = backend.confirm_card(&req).await;
    let check = if attempt.requirement().is_some() {
        Check::ForgeryRefused
    } else {
        Check::RevokedRefused
    };
    judge_attempt(
        w,
        &format!("POST /v1/confirmations/card ({label})"),
        &req,
        &result,
        check,
        &label,
    );
    Ok(())
}

#[then(regex = r"^その確認は「(ONS-[A-Z][0-9]{3})」で拒否される$")]
fn refused_with(w: &mut OnshiWorld, code: String) -> Result<(), String> {
    let expected = ResultCode::parse(&code).ok_or_else(|| format!("no result code {code}"))?;
    match (&w.last_accept, &w.last_refusal) {
        (Some(_), _) => Err(format!("accepted, expected a refusal with {code}")),
        (None, Some((got, message))) => {
            if got.as_deref().and_then(ResultCode::parse) == Some(expected) {
                Ok(())
            } else {
                Err(format!(
                    "refused with {got:?} ({message}), expected {code} ({})",
                    expected.message()
                ))
            }
        }
        (None, None) => Err("nothing was attempted".into()),
    }
}
