//! The reader's side of a card visit: the patient's virtual card in process (read the
//! certificate, retry query, face photo, VERIFY with a typo and lockout), the method
//! the reader ends up with, and the proof for one challenge (the card's signature or
//! the reader's attestation).

use std::time::{Duration, Instant};

use chrono::NaiveDateTime;

use super::env::{Desk, Env};
use super::patients::{Auth, Path, Patient};
use crate::backend::protocol::{
    AuthMethod, Base64Bytes, CardAuthentication, CardConfirmationRequest, ReaderAttestation,
    attestation_message,
};
use crate::card::ids;
use crate::card::{CardProfile, Status, VirtualCard};
use crate::channel::InProcessChannel;
use crate::persona::ResolvedPersona;
use crate::pki::HashAlg;
use crate::population::PersonIndex;
use crate::reader::card_ops::CardOps;

/// The card session at the reader, kept across backend calls (the PIN stays
/// verified for the SIGN).
pub(crate) struct CardSession {
    channel: InProcessChannel,
    cert: Vec<u8>,
    /// The method the reader ended up with.
    pub(crate) method: AuthMethod,
    tries_before: u8,
}

fn card_error(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Time spent per group of card operations.
type OpTimes = Vec<(&'static str, Duration)>;

/// Reads the certificate and authenticates the patient at the reader. Returns the
/// session and the time spent per operation group.
pub(crate) fn at_reader(
    profile: &CardProfile,
    p: &ResolvedPersona,
    patient: &Patient,
) -> Result<(CardSession, OpTimes), String> {
    let mut card = VirtualCard::new(profile);
    card.set_tracing(false);
    let mut channel = InProcessChannel::new(card);
    let mut ops = CardOps::new(&mut channel);
    let mut times = Vec::with_capacity(3);
    let t = Instant::now();
    let cert = ops.read_auth_certificate().map_err(card_error)?;
    let pinless = !ops.select_file(ids::jpki::AUTH_PIN).map_err(card_error)?;
    let mut tries = if pinless {
        0
    } else {
        ops.tries_left().map_err(card_error)?
    };
    times.push(("read-certificate", t.elapsed()));
    let mut method = match patient.auth {
        Auth::Face => AuthMethod::Face,
        Auth::Pin if pinless || tries == 0 => AuthMethod::Face,
        Auth::Pin => AuthMethod::Pin,
        Auth::Visual => AuthMethod::Visual,
    };
    let mut face_tried = false;
    let face = |ops: &mut CardOps<'_>, times: &mut OpTimes| {
        let t = Instant::now();
        let photo = ops.read_face_photo(&p.card.match_b).map_err(card_error);
        times.push(("face-photo", t.elapsed()));
        photo.map(|ph| !ph.is_empty())
    };
    if method == AuthMethod::Face {
        face_tried = true;
        let matched = face(&mut ops, &mut times)? && !patient.face_mismatch;
        if !matched {
            method = if !pinless && tries > 0 {
                AuthMethod::Pin
            } else {
                AuthMethod::Visual
            };
        }
    }
    let mut tries_before = tries;
    if method == AuthMethod::Pin {
        let t = Instant::now();
        let pin = p.card.auth_pin.clone().unwrap_or_default();
        ops.select_app(ids::JPKI_AID).map_err(card_error)?;
        ops.select_file(ids::jpki::AUTH_PIN).map_err(card_error)?;
        tries = ops.tries_left().map_err(card_error)?;
        tries_before = tries;
        let mut verified = false;
        if patient.pin_typo && tries > 0 {
            let wrong: String = pin
                .bytes()
                .enumerate()
                .map(|(i, b)| {
                    if i == 0 {
                        char::from(b'0' + (b.wrapping_sub(b'0').wrapping_add(1)) % 10)
                    } else {
                        char::from(b)
                    }
                })
                .collect();
            match ops.verify(wrong.as_bytes()).map_err(card_error)? {
                Status::VerificationFailed { tries_left } => tries = tries_left,
                Status::Success => verified = true,
                _ => tries = 0,
            }
        }
        if !verified && tries > 0 {
            verified = ops.verify(pin.as_bytes()).map_err(card_error)? == Status::Success;
        }
        times.push(("verify-pin", t.elapsed()));
        if !verified {
            // Locked by the typo, or a wrong PIN on file: the reader moves on.
            method = if face_tried {
                AuthMethod::Visual
            } else if face(&mut ops, &mut times)? && !patient.face_mismatch {
                AuthMethod::Face
            } else {
                AuthMethod::Visual
            };
        }
    }
    Ok((
        CardSession {
            channel,
            cert,
            method,
            tries_before,
        },
        times,
    ))
}

/// Builds the card authentication over `nonce`: the card signs on the PIN path, the
/// reader attests otherwise.
pub(crate) fn authentication(
    s: &mut CardSession,
    nonce: Vec<u8>,
    desk: &Desk<'_>,
) -> Result<(CardAuthentication, Option<Duration>), String> {
    match s.method {
        AuthMethod::Pin => {
            let t = Instant::now();
            let mut ops = CardOps::new(&mut s.channel);
            ops.select_file(ids::jpki::AUTH_KEY).map_err(card_error)?;
            let sig = ops
                .sign(&HashAlg::Sha256.digest_info(&nonce))
                .map_err(card_error)?;
            Ok((
                CardAuthentication {
                    auth_certificate: Base64Bytes(s.cert.clone()),
                    nonce: Base64Bytes(nonce),
                    method: AuthMethod::Pin,
                    card_signature: Some(Base64Bytes(sig)),
                    pin_tries_before_verify: Some(s.tries_before),
                    attestation: None,
                },
                Some(t.elapsed()),
            ))
        }
        method => {
            let message = attestation_message(&nonce, &s.cert, method, desk.code);
            Ok((
                CardAuthentication {
                    auth_certificate: Base64Bytes(s.cert.clone()),
                    nonce: Base64Bytes(nonce),
                    method,
                    card_signature: None,
                    pin_tries_before_verify: None,
                    attestation: Some(ReaderAttestation {
                        reader_certificate: Base64Bytes(desk.credential.cert_der.to_vec()),
                        signature: Base64Bytes(desk.credential.sign(&message)),
                    }),
                },
                None,
            ))
        }
    }
}

/// A card confirmation of `member` over `nonce`, built as a visit builds it (for
/// baselines that replay a fixed body): the PIN path signs on the card, the face and
/// visual paths attest with the desk's reader.
pub fn card_request(
    env: &Env,
    desk: &Desk<'_>,
    member: PersonIndex,
    method: Auth,
    nonce: Vec<u8>,
    now: NaiveDateTime,
) -> Result<CardConfirmationRequest, String> {
    let p = env
        .population
        .person(member)
        .ok_or_else(|| format!("no member #{member}"))?;
    let profile = env.card(member)?;
    let patient = Patient {
        member,
        path: Path::Card,
        auth: method,
        face_mismatch: false,
        pin_typo: false,
        accepts_registration: false,
        medical_consent: Some(true),
    };
    let (mut session, _) = at_reader(&profile, &p, &patient)?;
    let (card, _) = authentication(&mut session, nonce, desk)?;
    Ok(CardConfirmationRequest {
        confirmation_time: Some(now),
        ..CardConfirmationRequest::outpatient(desk.code.clone(), card)
    })
}
