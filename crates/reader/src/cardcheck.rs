//! A full card session over any [`CardChannel`], as a self-check of a virtual card:
//! read the user-authentication certificate, sign a challenge with the auth PIN and
//! verify the signature, read the face photo with 照合番号B. Never touches the My
//! Number or 照合番号A.

use serde::Serialize;

use crate::channel::{CardChannel, ChannelError};
use crate::reader::card_ops::{CardOpError, CardOps, Transceive};
use crate::reader::coroutine::run_ready;
use onshi_card::card::{ApduTrace, ids};
use onshi_pki::pki::{HashAlg, verify_pkcs1};

/// What the session found.
#[derive(Debug, Clone, Serialize)]
pub struct SessionReport {
    /// Persona id.
    pub card: String,
    /// Bytes of the user-authentication certificate read, if any.
    pub auth_cert_len: Option<usize>,
    /// Retry counter before the VERIFY (`63 Cx`), if the card has an auth PIN.
    pub auth_pin_tries: Option<u8>,
    /// Outcome of VERIFY + SIGN + signature check.
    pub signature: StepOutcome,
    /// Outcome of reading the face photo with 照合番号B.
    pub face_photo: StepOutcome,
    /// The first failure that ended the session early (mute or faulty chip).
    pub error: Option<String>,
    /// The APDU trace, when the channel is in-process.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<ApduTrace>,
}

/// One step's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", content = "detail", rename_all = "kebab-case")]
pub enum StepOutcome {
    /// Done and checked.
    Ok(String),
    /// The card refused, with the status word.
    Refused(String),
    /// Not attempted (no PIN, PIN locked, earlier failure).
    Skipped(String),
}

/// A channel failure ends the session; a refusal is a step outcome.
fn step(result: Result<StepOutcome, CardOpError>) -> Result<StepOutcome, ChannelError> {
    match result {
        Ok(o) => Ok(o),
        Err(CardOpError::Channel(e)) => Err(e),
        Err(other) => Ok(StepOutcome::Refused(other.to_string())),
    }
}

/// Runs the session. `auth_pin` and `match_b` are what the holder knows / what the
/// reader reads off the card front.
pub fn run(
    card: &str,
    ch: &mut dyn CardChannel,
    auth_pin: Option<&str>,
    match_b: &str,
) -> SessionReport {
    let mut report = SessionReport {
        card: card.to_owned(),
        auth_cert_len: None,
        auth_pin_tries: None,
        signature: StepOutcome::Skipped("not reached".into()),
        face_photo: StepOutcome::Skipped("not reached".into()),
        error: None,
        trace: None,
    };
    // Over a card channel every exchange is answered on the spot, so the session runs
    // to its end in one poll.
    let done = run_ready(session(
        &mut CardOps::new(ch),
        auth_pin,
        match_b,
        &mut report,
    ));
    match done {
        Some(Ok(())) => {}
        Some(Err(e)) => report.error = Some(e.to_string()),
        None => report.error = Some("the card session waited on something".into()),
    }
    report
}

async fn sign_with_pin<T: Transceive>(
    ops: &mut CardOps<T>,
    cert: &[u8],
    pin: &str,
    tries: &mut Option<u8>,
) -> Result<StepOutcome, CardOpError> {
    if !ops.select_file(ids::jpki::AUTH_PIN).await? {
        return Ok(StepOutcome::Skipped("no auth PIN on this card".into()));
    }
    let left = ops.tries_left().await?;
    *tries = Some(left);
    if left == 0 {
        return Ok(StepOutcome::Skipped(
            "auth PIN locked: no VERIFY sent".into(),
        ));
    }
    let status = ops.verify(pin.as_bytes()).await?;
    if !status.is_success() {
        return Ok(StepOutcome::Refused(format!("VERIFY: {status}")));
    }
    ops.select_file(ids::jpki::AUTH_KEY).await?;
    let challenge = b"onshi card self-check challenge";
    let signature = ops.sign(&HashAlg::Sha256.digest_info(challenge)).await?;
    Ok(
        match verify_pkcs1(cert, challenge, &signature, HashAlg::Sha256) {
            Ok(()) => StepOutcome::Ok("256-byte signature verifies with the certificate".into()),
            Err(e) => StepOutcome::Refused(format!("signature does not verify: {e}")),
        },
    )
}

async fn session<T: Transceive>(
    ops: &mut CardOps<T>,
    auth_pin: Option<&str>,
    match_b: &str,
    report: &mut SessionReport,
) -> Result<(), ChannelError> {
    let cert = match ops.read_auth_certificate().await {
        Ok(c) => c,
        Err(CardOpError::Channel(e)) => return Err(e),
        Err(e) => {
            report.error = Some(format!("auth certificate: {e}"));
            return Ok(());
        }
    };
    report.auth_cert_len = Some(cert.len());
    report.signature = match auth_pin {
        None => StepOutcome::Skipped("PIN-less card".into()),
        Some(pin) => step(sign_with_pin(ops, &cert, pin, &mut report.auth_pin_tries).await)?,
    };
    report.face_photo = step(
        ops.read_face_photo(match_b)
            .await
            .map(|photo| StepOutcome::Ok(format!("JPEG 2000 photo, {} bytes", photo.len()))),
    )?;
    Ok(())
}
