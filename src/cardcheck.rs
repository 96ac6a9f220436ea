//! A full card session over any [`CardChannel`], as a self-check of a virtual card:
//! read the user-authentication certificate, sign a challenge with the auth PIN and
//! verify the signature, read the face photo with 照合番号B. Never touches the My
//! Number or 照合番号A.

use serde::Serialize;

use crate::card::{ApduTrace, Status, surface};
use crate::channel::{CardChannel, ChannelError, Response};
use crate::hex;
use crate::pki::{HashAlg, verify_pkcs1};

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

fn expect_ok(r: Response, what: &str) -> Result<Vec<u8>, String> {
    if r.status.is_success() {
        Ok(r.data)
    } else {
        Err(format!("{what}: {}", r.status))
    }
}

fn read_file(ch: &mut dyn CardChannel) -> Result<Result<Vec<u8>, String>, ChannelError> {
    let head = ch.transmit(&hex::decode("00B0000004").unwrap_or_default())?;
    let head = match expect_ok(head, "READ BINARY") {
        Ok(h) if h.len() == 4 => h,
        Ok(_) => return Ok(Err("short header".into())),
        Err(e) => return Ok(Err(e)),
    };
    let size = usize::from(u16::from_be_bytes([head[2], head[3]])) + 4;
    let mut data = Vec::with_capacity(size);
    while data.len() < size {
        let le = (size - data.len()).min(256);
        let apdu = [
            0x00,
            0xB0,
            (data.len() >> 8) as u8,
            data.len() as u8,
            (le % 256) as u8,
        ];
        match expect_ok(ch.transmit(&apdu)?, "READ BINARY") {
            Ok(chunk) if !chunk.is_empty() => data.extend(chunk),
            Ok(_) => return Ok(Err("file ended early".into())),
            Err(e) => return Ok(Err(e)),
        }
    }
    Ok(Ok(data))
}

fn select(ch: &mut dyn CardChannel, p1: u8, id: &[u8]) -> Result<Status, ChannelError> {
    let mut apdu = vec![0x00, 0xA4, p1, 0x0C, id.len() as u8];
    apdu.extend_from_slice(id);
    Ok(ch.transmit(&apdu)?.status)
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
    if let Err(e) = session(ch, auth_pin, match_b, &mut report) {
        report.error = Some(e.to_string());
    }
    report
}

fn session(
    ch: &mut dyn CardChannel,
    auth_pin: Option<&str>,
    match_b: &str,
    report: &mut SessionReport,
) -> Result<(), ChannelError> {
    use crate::card::ids::{self, jpki};
    let jpki_aid = ids::JPKI_AID.as_bytes();
    let sw = select(ch, 0x04, jpki_aid)?;
    if !sw.is_success() {
        report.error = Some(format!("SELECT JPKI AP: {sw}"));
        return Ok(());
    }
    select(ch, 0x02, &jpki::AUTH_CERT.0.to_be_bytes())?;
    let cert = match read_file(ch)? {
        Ok(c) => c,
        Err(e) => {
            report.error = Some(format!("auth certificate: {e}"));
            return Ok(());
        }
    };
    report.auth_cert_len = Some(cert.len());

    report.signature = match auth_pin {
        None => StepOutcome::Skipped("PIN-less card".into()),
        Some(pin) => {
            let sw = select(ch, 0x02, &jpki::AUTH_PIN.0.to_be_bytes())?;
            if !sw.is_success() {
                StepOutcome::Refused(format!("SELECT auth PIN: {sw}"))
            } else {
                let tries = match ch.transmit(&[0x00, 0x20, 0x00, 0x80])?.status {
                    Status::VerificationFailed { tries_left } => tries_left,
                    _ => 0,
                };
                report.auth_pin_tries = Some(tries);
                if tries == 0 {
                    StepOutcome::Skipped("auth PIN locked: no VERIFY sent".into())
                } else {
                    let mut verify = vec![0x00, 0x20, 0x00, 0x80, pin.len() as u8];
                    verify.extend_from_slice(pin.as_bytes());
                    let sw = ch.transmit(&verify)?.status;
                    if !sw.is_success() {
                        StepOutcome::Refused(format!("VERIFY: {sw}"))
                    } else {
                        select(ch, 0x02, &jpki::AUTH_KEY.0.to_be_bytes())?;
                        let challenge = b"onshi card self-check challenge";
                        let di = HashAlg::Sha256.digest_info(challenge);
                        let mut sign = vec![0x80, 0x2A, 0x00, 0x80, di.len() as u8];
                        sign.extend_from_slice(&di);
                        sign.push(0x00);
                        let r = ch.transmit(&sign)?;
                        match (r.status.is_success(), r.data.len()) {
                            (true, 256) => {
                                match verify_pkcs1(&cert, challenge, &r.data, HashAlg::Sha256) {
                                    Ok(()) => StepOutcome::Ok(
                                        "256-byte signature verifies with the certificate".into(),
                                    ),
                                    Err(e) => StepOutcome::Refused(format!(
                                        "signature does not verify: {e}"
                                    )),
                                }
                            }
                            _ => StepOutcome::Refused(format!(
                                "SIGN: {} ({} bytes)",
                                r.status,
                                r.data.len()
                            )),
                        }
                    }
                }
            }
        }
    };

    let sw = select(ch, 0x04, ids::SURFACE_AID.as_bytes())?;
    report.face_photo = if !sw.is_success() {
        StepOutcome::Refused(format!("SELECT 券面確認AP: {sw}"))
    } else {
        select(ch, 0x02, &ids::surface::MATCH_B.0.to_be_bytes())?;
        let mut verify = vec![0x00, 0x20, 0x00, 0x80, match_b.len() as u8];
        verify.extend_from_slice(match_b.as_bytes());
        let sw = ch.transmit(&verify)?.status;
        if !sw.is_success() {
            StepOutcome::Refused(format!("VERIFY 照合番号B: {sw}"))
        } else {
            select(ch, 0x02, &ids::surface::FRONT.0.to_be_bytes())?;
            let r = ch.transmit(&[0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00])?;
            match surface::face_photo_from_front(&r.data) {
                Some(photo) if r.status.is_success() => {
                    StepOutcome::Ok(format!("JPEG 2000 photo, {} bytes", photo.len()))
                }
                _ => StepOutcome::Refused(format!("READ BINARY front: {}", r.status)),
            }
        }
    };
    Ok(())
}
