//! The built-in reader ([`onshi_reader::reader::engine`]) driven by load: the patient's
//! virtual card in process (timed, untraced), backend calls over the [`Wire`] (timed,
//! retried with a fresh challenge after no answer, within the scenario's retry
//! policy), no event log. The reader's decisions are the engine's, so load measures
//! the reader the suite certifies.

use std::time::{Duration, Instant};

use chrono::NaiveDateTime;

use super::calls::Run;
use super::env::{Desk, Env};
use super::patients::{Auth, Patient};
use super::wire::{Timed, Wire, WireError};
use onshi_backend::backend::{CardConfirmationRequest, ConsentAnswers, RegistrationOutcome};
use onshi_card::card::{CardProfile, VirtualCard};
use onshi_domain::message::QualificationResponse;
use onshi_reader::channel::{CardChannel, InProcessChannel};
use onshi_reader::reader::{
    AuthChoice, Call, CallFailure, CardFront, Operator, PatientScript, ReaderMachine,
    ReaderOutcome, Reply, Step, VisitInput,
};
use onshi_world::persona::ResolvedPersona;
use onshi_world::population::PersonIndex;

impl From<&WireError> for CallFailure {
    fn from(e: &WireError) -> Self {
        match e {
            WireError::NoAnswer(_, m) => Self::Unavailable(m.clone()),
            WireError::Refused {
                status,
                code,
                message,
            } => Self::Refused {
                code: Some(code.clone()),
                message: format!("{status} {code} {message}"),
            },
            WireError::Malformed(m) => Self::Refused {
                code: None,
                message: m.clone(),
            },
            WireError::Unsupported(op) => Self::Refused {
                code: None,
                message: format!("{op} unsupported"),
            },
        }
    }
}

/// A wrong PIN one digit off the right one (the patient's typo).
fn typo(pin: &str) -> String {
    pin.bytes()
        .enumerate()
        .map(|(i, b)| {
            if i == 0 {
                char::from(b'0' + (b.wrapping_sub(b'0').wrapping_add(1)) % 10)
            } else {
                char::from(b)
            }
        })
        .collect()
}

/// What the drawn patient does at the reader.
pub(crate) fn script(
    patient: &Patient,
    p: &ResolvedPersona,
    consents: ConsentAnswers,
) -> PatientScript {
    let pin = p.card.auth_pin.clone().unwrap_or_default();
    PatientScript {
        choice: match patient.auth {
            Auth::Face => AuthChoice::Face,
            Auth::Pin => AuthChoice::Pin,
            Auth::Visual => AuthChoice::Visual,
        },
        // A camera that does not match gives no score: every attempt counts as 0.
        face_scores: if patient.face_mismatch {
            Vec::new()
        } else {
            vec![0.97]
        },
        pins: if patient.pin_typo {
            vec![typo(&pin), pin]
        } else {
            vec![pin]
        },
        placed_by: Operator::Patient,
        pin_entered_by: Operator::Patient,
        staff_visual_check_available: true,
        consents,
        accept_registration: patient.accepts_registration,
        care_setting: onshi_backend::backend::CareSettingWire::Outpatient,
    }
}

/// What one patient's time at the reader left for the desk and the checks.
pub(crate) struct AtReader {
    /// The reader's outcome (no events, no exchanges).
    pub(crate) outcome: ReaderOutcome,
    /// The first card confirmation's answer when it was a refusal (the 未登録 answer
    /// that led to the registration offer); the final answer is in the outcome.
    pub(crate) first: Option<QualificationResponse>,
    /// Whether a registration was sent.
    pub(crate) registration_sent: bool,
    /// The last call that produced no answer document, and what it was.
    pub(crate) error: Option<(WireError, &'static str)>,
}

impl<W: Wire> Run<'_, W> {
    /// Times a call, records it and turns it into the engine's reply.
    fn answer<T>(
        &mut self,
        name: &'static str,
        what: &'static str,
        timed: Timed<T>,
        at: &mut AtReader,
    ) -> Result<T, CallFailure> {
        self.note(name, timed).map_err(|e| {
            let f = CallFailure::from(&e);
            at.error = Some((e, what));
            f
        })
    }

    /// Makes one of the reader's backend calls: timed, recorded, its failure kept for
    /// the checks; a registration also updates the ground truth's record of who
    /// registered on the spot. `attempt` counts challenges since the last answer.
    async fn call(
        &mut self,
        call: Call,
        member: PersonIndex,
        at: &mut AtReader,
        attempt: &mut u32,
    ) -> Reply {
        match call {
            Call::Challenge => {
                *attempt += 1;
                let timed = self.wire.challenge().await;
                Reply::Challenge(self.answer("challenge", "challenge", timed, at))
            }
            Call::ConfirmCard(req) => {
                let timed = self.wire.confirm_card(&req).await;
                let r = self.answer("confirm-card", "card confirmation", timed, at);
                if let Ok(r) = &r {
                    *attempt = 0;
                    if at.first.is_none() && r.is_refusal() {
                        at.first = Some(r.clone());
                    }
                }
                Reply::Confirmation(r.map(Box::new))
            }
            Call::Register(req) => {
                at.registration_sent = true;
                let timed = self.wire.register(&req).await;
                let r = self.answer("register", "registration", timed, at);
                // Only a registration the backend confirmed makes later visits expect a
                // registered member: marked before the answer, a visit of the same
                // member at another reader in the meantime would expect what the
                // backend cannot show yet (issue 13's false failures).
                if let Ok(reg) = &r
                    && reg.outcome != RegistrationOutcome::Refused
                {
                    *attempt = 0;
                    if let Some(at) = req.confirmation_time {
                        self.env.mark_registered(member, at);
                    }
                }
                Reply::Registration(r)
            }
        }
    }

    /// Runs the patient's visit at the reader with `card`.
    pub(crate) async fn at_reader(
        &mut self,
        card: &CardProfile,
        input: VisitInput<'_>,
        member: PersonIndex,
    ) -> AtReader {
        let mut channel = lean_channel(card);
        let mut machine = ReaderMachine::new(input);
        let mut at = AtReader {
            outcome: ReaderOutcome {
                result: onshi_reader::reader::ReaderResult::AuthenticationFailed,
                method: None,
                events: Vec::new(),
                exchanges: Vec::new(),
                photo_stored: false,
                registered_here: false,
            },
            first: None,
            registration_sent: false,
            error: None,
        };
        // Card time since the last backend call: the reader's reading before the
        // first call, the card's signature before a later one.
        let mut card_time = Duration::ZERO;
        let mut calls = 0u32;
        let mut attempt = 0u32;
        let mut reply = None;
        loop {
            reply = Some(match machine.resume(reply) {
                Step::Transmit(apdu) => {
                    let t = Instant::now();
                    let r = channel.transmit_raw(&apdu);
                    card_time += t.elapsed();
                    Reply::Card(r)
                }
                Step::Call(call) => {
                    if !card_time.is_zero() {
                        let name = if calls == 0 { "reader" } else { "sign" };
                        self.wire.card_ops(name, card_time, true).await;
                        card_time = Duration::ZERO;
                    }
                    calls += 1;
                    self.call(call, member, &mut at, &mut attempt).await
                }
                Step::MayRetry => {
                    let again = match at.error.as_ref().map(|(e, _)| e.clone()) {
                        Some(e) => self.again(&e, attempt).await,
                        None => false,
                    };
                    Reply::Retry(again)
                }
                Step::Done(outcome) => {
                    if calls == 0 {
                        // The reader never reached the backend: the card gave nothing.
                        self.wire
                            .card_ops("read-certificate", card_time, false)
                            .await;
                    }
                    at.outcome = *outcome;
                    return at;
                }
            });
        }
    }
}

/// How far a visit driven in process got.
pub(crate) enum Reached {
    /// It ended before any backend call.
    NoCall,
    /// It asked for its first backend call (driven without a nonce).
    FirstCall,
    /// It built its card confirmation over the nonce.
    Confirmation(Box<CardConfirmationRequest>),
}

impl Reached {
    /// Whether the reader got as far as the backend.
    pub(crate) fn reached_backend(&self) -> bool {
        !matches!(self, Self::NoCall)
    }
}

/// A card with no trace (load keeps none), in process.
fn lean_channel(profile: &CardProfile) -> InProcessChannel {
    let mut card = VirtualCard::new(profile);
    card.set_tracing(false);
    InProcessChannel::new(card)
}

/// Drives a plain patient's visit (`auth` at the reader, nothing going wrong) in
/// process: up to the first backend call without a `nonce` (the reader's card work:
/// certificate, retry query, face photo or VERIFY), up to the card confirmation with
/// one (the challenge answered with it: the card's signature or the reader's
/// attestation). For baselines and `bench load`'s breakdown.
pub(crate) fn plain_visit(
    profile: &CardProfile,
    p: &ResolvedPersona,
    desk: &Desk<'_>,
    auth: Auth,
    nonce: Option<&[u8]>,
    now: NaiveDateTime,
) -> Reached {
    let mut channel = lean_channel(profile);
    let script = script(&plain_patient(auth), p, ConsentAnswers::ALL);
    let front = CardFront {
        match_b: p.card.match_b.clone(),
    };
    let mut machine = ReaderMachine::new(VisitInput {
        config: desk.reader,
        script: &script,
        front: &front,
        now,
        consent_screens: &[],
        record_events: false,
    });
    let mut reply = None;
    loop {
        reply = Some(match (machine.resume(reply), nonce) {
            (Step::Transmit(apdu), _) => Reply::Card(channel.transmit_raw(&apdu)),
            (Step::Call(_), None) => return Reached::FirstCall,
            (Step::Call(Call::Challenge), Some(n)) => Reply::Challenge(Ok(challenge(n))),
            (Step::Call(Call::ConfirmCard(req)), Some(_)) => return Reached::Confirmation(req),
            _ => return Reached::NoCall,
        });
    }
}

fn challenge(nonce: &[u8]) -> onshi_backend::backend::Challenge {
    onshi_backend::backend::Challenge {
        nonce: onshi_backend::backend::Base64Bytes(nonce.to_vec()),
        expires_in_seconds: 60,
    }
}

/// The patient a baseline replays: `auth` at the reader, nothing going wrong.
fn plain_patient(auth: Auth) -> Patient {
    Patient {
        member: 0,
        path: super::patients::Path::Card,
        auth,
        face_mismatch: false,
        pin_typo: false,
        accepts_registration: false,
        medical_consent: Some(true),
    }
}

/// A card confirmation of `member` over `nonce`, built by the reader as a visit builds
/// it (for baselines that replay a fixed body): the PIN path signs on the card, the
/// face and visual paths attest with the desk's reader.
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
    match plain_visit(&profile, &p, desk, method, Some(&nonce), now) {
        Reached::Confirmation(req) => Ok(*req),
        _ => Err(format!(
            "member #{member}: the reader made no card confirmation"
        )),
    }
}
