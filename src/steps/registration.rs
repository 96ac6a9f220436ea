//! 保険証利用登録: registering the card for health insurance on the spot at the reader
//! or from マイナポータル, and the rules that refuse it.

use cucumber::{given, then, when};

use onshi::conformance::world::OnshiWorld;
use onshi::reader::ReaderResult;

use super::world::reader;

#[given(regex = r"^患者はその場での保険証利用登録を希望しない$")]
fn declines_registration(w: &mut OnshiWorld) {
    w.adjust.accept_registration = Some(false);
}

#[when(regex = r"^マイナポータルから保険証利用登録を申し込む$")]
fn portal_registration(w: &mut OnshiWorld) -> Result<(), String> {
    use onshi::rules::RegistrationChannel;
    let p = w.persona()?;
    let day = w.now.date();
    let attempt = p.registration_attempt(
        w.now,
        RegistrationChannel::Portal,
        p.registration.is_registered(),
        p.true_qualification(day).is_some_and(|q| q.visible_on(day)),
    );
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

#[then(regex = r"^保険証利用登録は「登録完了」となる$")]
fn registered(w: &mut OnshiWorld) -> Result<(), String> {
    let r = reader(w)?;
    if r.registered_here {
        Ok(())
    } else {
        Err(format!(
            "no registration completed (reader: {:?})",
            r.result
        ))
    }
}

#[then(regex = r"^保険証利用登録は「(.+)」により拒否される$")]
fn registration_refused(w: &mut OnshiWorld, rule: String) -> Result<(), String> {
    if let Some((code, message)) = &w.last_refusal
        && (code.as_deref() == Some(rule.as_str()) || message.contains(&rule))
    {
        return Ok(());
    }
    let r = reader(w)?;
    match &r.result {
        ReaderResult::RegistrationRefused { response } => {
            if response.rule.as_deref() == Some(rule.as_str()) || response.message.contains(&rule) {
                Ok(())
            } else {
                Err(format!(
                    "refused for {:?} ({}), expected {rule}",
                    response.rule, response.message
                ))
            }
        }
        other => Err(format!("registration was not refused: {other:?}")),
    }
}
