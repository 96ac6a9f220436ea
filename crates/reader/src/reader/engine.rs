//! The built-in reader's visit as a machine that does no I/O.
//!
//! One patient, end to end: card placed → certificate read → face / PIN / 目視 →
//! consent screens → backend → on-the-spot registration when the card is not
//! registered → result for the clinic. [`ReaderMachine::resume`] returns the next
//! thing the reader needs done — send an APDU, make a backend call, decide whether
//! to retry after no answer — or the visit's outcome. Its drivers do the I/O: the
//! suite and the reader-control server drive it over a card channel and a
//! [`QualificationBackend`](onshi_backend::backend::QualificationBackend), recording every
//! exchange ([`super::session::run`]); `onshi load` drives it over Goose with timing
//! and retries. Both measure and certify the same reader.
//!
//! The decisions come from [`super::policy`]. The reader never reads the My Number
//! file or presents 照合番号A (FAQ-4-9), never sends a VERIFY to a PIN the card
//! reported locked (FAQ-4-11), and keeps the face photo only in memory for the
//! comparison (FLY-PHOTO).

use chrono::NaiveDateTime;

use super::card_ops::{CardOpError, CardOps, Transceive};
use super::coroutine::{Coroutine, Port, State};
use super::defects::ReaderDefect;
use super::outcome::{CardFront, ReaderConfig, ReaderEvent, ReaderOutcome, ReaderResult};
use super::policy::{self, MethodState, SwitchReason};
use super::script::{AuthChoice, PatientScript};
use crate::channel::{ChannelError, Response};
use onshi_backend::backend::{
    AuthMethod, Base64Bytes, CardAuthentication, CardConfirmationRequest, Challenge,
    ReaderAttestation, RegistrationOutcome, RegistrationRequest, RegistrationResponse,
    attestation_message,
};
use onshi_card::card::{Status, ids};
use onshi_domain::message::QualificationResponse;
use onshi_domain::protocol::ResultCode;
use onshi_domain::rules::ConsentScreen;
use onshi_pki::pki::HashAlg;

/// A backend call the reader needs made.
#[derive(Debug, Clone, PartialEq)]
pub enum Call {
    /// `POST /v1/challenges`.
    Challenge,
    /// `POST /v1/confirmations/card`.
    ConfirmCard(Box<CardConfirmationRequest>),
    /// `POST /v1/registrations`.
    Register(Box<RegistrationRequest>),
}

/// Why a backend call gave no answer document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallFailure {
    /// No answer: unreachable, timed out, 5xx. A retry may help.
    Unavailable(String),
    /// The backend refused the request (authentication, protocol), or answered with
    /// something that is not the protocol's message.
    Refused {
        /// The backend's `ONS-…` code, if it gave one.
        code: Option<String>,
        /// The message.
        message: String,
    },
}

impl CallFailure {
    fn into_result(self) -> ReaderResult {
        match self {
            Self::Unavailable(detail) => ReaderResult::BackendUnavailable { detail },
            Self::Refused { code, message } => ReaderResult::Refused { code, message },
        }
    }
}

/// What the reader asks its driver for.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Send this command APDU to the card; reply with [`Reply::Card`].
    Transmit(Vec<u8>),
    /// Make this backend call; reply with the matching [`Reply`] variant.
    Call(Call),
    /// The last call got no answer: may the reader try again (with a fresh
    /// challenge)? Reply with [`Reply::Retry`].
    MayRetry,
    /// The visit is over.
    Done(Box<ReaderOutcome>),
}

/// The driver's answer to a [`Step`].
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// The card's raw response (data + SW1 SW2), or the channel's failure.
    Card(Result<Vec<u8>, ChannelError>),
    /// The answer to [`Call::Challenge`].
    Challenge(Result<Challenge, CallFailure>),
    /// The answer to [`Call::ConfirmCard`].
    Confirmation(Result<Box<QualificationResponse>, CallFailure>),
    /// The answer to [`Call::Register`].
    Registration(Result<RegistrationResponse, CallFailure>),
    /// The answer to [`Step::MayRetry`].
    Retry(bool),
}

/// One patient's visit, as the reader is given it.
#[derive(Debug, Clone, Copy)]
pub struct VisitInput<'a> {
    /// The reader.
    pub config: &'a ReaderConfig,
    /// What the patient does.
    pub script: &'a PatientScript,
    /// What the reader reads off the card front.
    pub front: &'a CardFront,
    /// The visit time, sent as 照会日時.
    pub now: NaiveDateTime,
    /// The consent screens of the day (from the rules calendar).
    pub consent_screens: &'static [ConsentScreen],
    /// Whether to keep the event log (the suite does; load does not).
    pub record_events: bool,
}

type Co<'a> = Coroutine<'a, Step, Reply, ReaderOutcome>;

/// The reader's visit, driven step by step. See the module documentation.
pub struct ReaderMachine<'a> {
    co: Co<'a>,
}

impl<'a> ReaderMachine<'a> {
    /// A visit about to start.
    pub fn new(input: VisitInput<'a>) -> Self {
        Self {
            co: Coroutine::new(move |port| visit(input, port)),
        }
    }

    /// Runs the visit to its next step. `reply` answers the previous step (`None` on
    /// the first call). A driver that answers a step with the wrong kind of reply
    /// gets an outcome that says so, never a panic.
    pub fn resume(&mut self, reply: Option<Reply>) -> Step {
        match self.co.resume(reply) {
            Ok(State::Request(step)) => step,
            Ok(State::Done(outcome)) => Step::Done(Box::new(outcome)),
            Err(e) => Step::Done(Box::new(ReaderOutcome {
                result: ReaderResult::CardUnreadable {
                    detail: format!("reader engine: {e}"),
                },
                method: None,
                events: Vec::new(),
                exchanges: Vec::new(),
                photo_stored: false,
                registered_here: false,
            })),
        }
    }
}

/// The card, reached through the machine's port.
struct CardPort<'p>(&'p Port<Step, Reply>);

impl Transceive for CardPort<'_> {
    async fn transceive(&mut self, apdu: Vec<u8>) -> Result<Response, ChannelError> {
        match self.0.exchange(Step::Transmit(apdu)).await {
            Reply::Card(r) => r.and_then(Response::from_bytes),
            other => Err(ChannelError::Transport(format!(
                "the driver answered an APDU with {other:?}"
            ))),
        }
    }
}

fn card_failure(e: &CardOpError) -> ReaderResult {
    ReaderResult::CardUnreadable {
        detail: format!("001: マイナンバーカードの認識不可 ({e})"),
    }
}

fn wrong_reply(what: &str, got: &Reply) -> CallFailure {
    CallFailure::Refused {
        code: None,
        message: format!("reader engine: {what} answered with {got:?}"),
    }
}

/// Proof of presence prepared for each backend call.
#[derive(Clone, Copy)]
enum Proof {
    /// The PIN path: the card signs the nonce; carries the tries seen before VERIFY.
    Pin { tries_before: u8 },
    /// Face or visual: the reader attests.
    Reader(AuthMethod),
}

/// The visit's state that outlives single steps.
struct Visit<'a, 'p> {
    input: VisitInput<'a>,
    port: &'p Port<Step, Reply>,
    cards: CardOps<CardPort<'p>>,
    events: Vec<ReaderEvent>,
    cert: Vec<u8>,
    /// Whether the face photo was read from the chip in this visit.
    photo_read: bool,
}

/// What a proof-carrying call answered.
enum Answer {
    Confirmation(Box<QualificationResponse>),
    Registration(RegistrationResponse),
}

impl Visit<'_, '_> {
    fn event(&mut self, e: ReaderEvent) {
        if self.input.record_events {
            self.events.push(e);
        }
    }

    async fn may_retry(&self) -> bool {
        matches!(self.port.exchange(Step::MayRetry).await, Reply::Retry(true))
    }

    /// Builds the card authentication over a fresh nonce.
    async fn authenticate(
        &mut self,
        nonce: Vec<u8>,
        proof: Proof,
    ) -> Result<CardAuthentication, ReaderResult> {
        let cert = Base64Bytes(self.cert.clone());
        match proof {
            Proof::Pin { tries_before } => {
                // The VERIFY of this session is still in force: select the key, sign.
                self.cards
                    .select_file(ids::jpki::AUTH_KEY)
                    .await
                    .map_err(|e| card_failure(&e))?;
                let signature = self
                    .cards
                    .sign(&HashAlg::Sha256.digest_info(&nonce))
                    .await
                    .map_err(|e| card_failure(&e))?;
                Ok(CardAuthentication {
                    auth_certificate: cert,
                    nonce: Base64Bytes(nonce),
                    method: AuthMethod::Pin,
                    card_signature: Some(Base64Bytes(signature)),
                    pin_tries_before_verify: Some(tries_before),
                    attestation: None,
                })
            }
            Proof::Reader(method) => {
                let config = self.input.config;
                let message = attestation_message(&nonce, &self.cert, method, &config.facility);
                Ok(CardAuthentication {
                    auth_certificate: cert,
                    nonce: Base64Bytes(nonce),
                    method,
                    card_signature: None,
                    pin_tries_before_verify: None,
                    attestation: Some(ReaderAttestation {
                        reader_certificate: Base64Bytes(config.credential.cert_der.to_vec()),
                        signature: Base64Bytes(config.credential.sign(&message)),
                    }),
                })
            }
        }
    }

    /// Challenge, proof, call; after no answer, asks the driver whether to try again
    /// with a fresh challenge.
    async fn card_call(&mut self, proof: Proof, register: bool) -> Result<Answer, ReaderResult> {
        loop {
            let nonce = match self.port.exchange(Step::Call(Call::Challenge)).await {
                Reply::Challenge(Ok(c)) => c.nonce.0,
                Reply::Challenge(Err(f)) => {
                    if matches!(f, CallFailure::Unavailable(_)) && self.may_retry().await {
                        continue;
                    }
                    return Err(f.into_result());
                }
                other => return Err(wrong_reply("a challenge", &other).into_result()),
            };
            let card = self.authenticate(nonce, proof).await?;
            let facility = self.input.config.facility.clone();
            let now = Some(self.input.now);
            let call = if register {
                Call::Register(Box::new(RegistrationRequest {
                    medical_institution_code: facility,
                    confirmation_time: now,
                    card,
                }))
            } else {
                let script = self.input.script;
                Call::ConfirmCard(Box::new(CardConfirmationRequest {
                    medical_institution_code: facility,
                    arbitrary_file_identifier: None,
                    confirmation_time: now,
                    card,
                    consents: script.consents,
                    care_setting: script.care_setting,
                    prescription_issue_select: None,
                }))
            };
            let failure = match (register, self.port.exchange(Step::Call(call)).await) {
                (false, Reply::Confirmation(Ok(r))) => return Ok(Answer::Confirmation(r)),
                (true, Reply::Registration(Ok(r))) => return Ok(Answer::Registration(r)),
                (false, Reply::Confirmation(Err(f))) | (true, Reply::Registration(Err(f))) => f,
                (_, other) => wrong_reply("a card call", &other),
            };
            if matches!(failure, CallFailure::Unavailable(_)) && self.may_retry().await {
                continue;
            }
            return Err(failure.into_result());
        }
    }

    async fn confirm(&mut self, proof: Proof) -> Result<Box<QualificationResponse>, ReaderResult> {
        match self.card_call(proof, false).await? {
            Answer::Confirmation(r) => Ok(r),
            Answer::Registration(_) => Err(CallFailure::Refused {
                code: None,
                message: "reader engine: a registration answered a confirmation".into(),
            }
            .into_result()),
        }
    }

    /// Steps 1–2: the certificate, and what the card allows. A card without the JPKI
    /// AP is not a My Number Card (002); a PIN-less card has no auth PIN EF; a locked
    /// PIN answers the retry query with 63 C0. No VERIFY is sent here.
    async fn read_card(&mut self) -> Result<MethodState, ReaderResult> {
        if let Err(e) = self.cards.select_app(ids::JPKI_AID).await {
            return Err(match e {
                CardOpError::Status {
                    status: Status::FileNotFound,
                    ..
                } => ReaderResult::NotMyNumberCard,
                other => card_failure(&other),
            });
        }
        self.cert = self
            .cards
            .read_auth_certificate()
            .await
            .map_err(|e| card_failure(&e))?;
        self.event(ReaderEvent::CertificateRead {
            bytes: self.cert.len(),
        });
        if self.input.config.has(ReaderDefect::TriesMyNumber) {
            self.try_my_number().await;
        }
        let pinless = !self
            .cards
            .select_file(ids::jpki::AUTH_PIN)
            .await
            .map_err(|e| card_failure(&e))?;
        let tries = if pinless {
            0
        } else {
            self.cards
                .tries_left()
                .await
                .map_err(|e| card_failure(&e))?
        };
        if tries == 0 && !pinless && self.input.config.has(ReaderDefect::PinAfterLock) {
            // The defect: a PIN is sent although the card said the PIN is locked.
            let pin = self
                .input
                .script
                .pins
                .first()
                .map_or("0000", String::as_str);
            let _ = self.cards.verify(pin.as_bytes()).await;
        }
        Ok(MethodState {
            pinless,
            pin_locked: !pinless && tries == 0,
            face_failed: false,
            pin_given_up: false,
            visual_available: self.input.script.staff_visual_check_available,
        })
    }

    /// The `tries-my-number` defect: SELECT the input-support AP and its My Number
    /// file, then READ BINARY without any PIN (a conformant card answers `69 82`).
    /// Whatever the card answers, the visit goes on.
    async fn try_my_number(&mut self) {
        if self.cards.select_app(ids::INPUT_SUPPORT_AID).await.is_ok()
            && matches!(
                self.cards.select_file(ids::input_support::MY_NUMBER).await,
                Ok(true)
            )
        {
            let _ = self.cards.read_whole().await;
        }
        // Back to the JPKI AP for the rest of the visit.
        let _ = self.cards.select_app(ids::JPKI_AID).await;
    }

    /// Steps 1–3: the card, then authentication by the policy's order.
    async fn authenticate_patient(&mut self) -> Result<(AuthChoice, Proof), ReaderResult> {
        let script = self.input.script;
        let mut state = self.read_card().await?;
        let pinless = state.pinless;
        // 3. Authenticate.
        let mut current = policy::first_method(script.choice, state);
        if current != script.choice {
            let reason = if pinless {
                SwitchReason::PinlessCard
            } else {
                SwitchReason::PinLocked
            };
            self.event(ReaderEvent::MethodSwitched {
                from: script.choice,
                to: current,
                reason,
            });
        }
        let mut face_scores = script.face_scores.iter().copied();
        let mut pins = script.pins.iter();
        loop {
            let switch = match current {
                AuthChoice::Face => {
                    if self.face_path(&mut face_scores).await? {
                        return Ok((current, Proof::Reader(AuthMethod::Face)));
                    }
                    state.face_failed = true;
                    SwitchReason::FaceFailed
                }
                AuthChoice::Pin => match self.pin_path(&mut pins).await? {
                    Ok(tries_before) => return Ok((current, Proof::Pin { tries_before })),
                    Err(locked) => {
                        state.pin_locked |= locked;
                        state.pin_given_up = true;
                        if locked {
                            SwitchReason::PinLocked
                        } else {
                            SwitchReason::NoMorePins
                        }
                    }
                },
                AuthChoice::Visual => return Ok((current, Proof::Reader(AuthMethod::Visual))),
            };
            match policy::next_method(current, state) {
                Some(next) => {
                    self.event(ReaderEvent::MethodSwitched {
                        from: current,
                        to: next,
                        reason: switch,
                    });
                    current = next;
                }
                None => return Err(ReaderResult::AuthenticationFailed),
            }
        }
    }

    /// The face path: up to the allowed number of attempts, each reading the photo
    /// from the chip (照合番号B) into memory for the comparison and dropping it; a
    /// missing camera score counts as 0. Whether one matched.
    async fn face_path(
        &mut self,
        scores: &mut impl Iterator<Item = f64>,
    ) -> Result<bool, ReaderResult> {
        let config = self.input.config;
        for _ in 0..config.max_face_attempts.max(1) {
            let photo = self
                .cards
                .read_face_photo(&self.input.front.match_b)
                .await
                .map_err(|e| card_failure(&e))?;
            self.photo_read |= !photo.is_empty();
            let score = scores.next().unwrap_or(0.0);
            let matched =
                policy::face_matches(score, config.applied_face_threshold()) && !photo.is_empty();
            self.event(ReaderEvent::FaceAttempt { score, matched });
            if matched {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The PIN path: `Ok(Ok(tries before VERIFY))` when a PIN verified, `Ok(Err(locked))`
    /// when the reader gives up on PINs (locked, or the patient typed no more).
    async fn pin_path(
        &mut self,
        pins: &mut std::slice::Iter<'_, String>,
    ) -> Result<Result<u8, bool>, ReaderResult> {
        let by = self.input.script.pin_entered_by;
        self.cards
            .select_app(ids::JPKI_AID)
            .await
            .map_err(|e| card_failure(&e))?;
        self.cards
            .select_file(ids::jpki::AUTH_PIN)
            .await
            .map_err(|e| card_failure(&e))?;
        let mut tries = self
            .cards
            .tries_left()
            .await
            .map_err(|e| card_failure(&e))?;
        self.event(ReaderEvent::PinRetryQuery { tries_left: tries });
        let tries_before = tries;
        while tries > 0 {
            let Some(pin) = pins.next() else { break };
            let status = self
                .cards
                .verify(pin.as_bytes())
                .await
                .map_err(|e| card_failure(&e))?;
            self.event(ReaderEvent::PinVerify {
                by,
                status: status.to_string(),
            });
            match status {
                Status::Success => return Ok(Ok(tries_before)),
                Status::VerificationFailed { tries_left } => tries = tries_left,
                // Locked (69 83 / 69 84) or anything else: stop sending PINs.
                _ => tries = 0,
            }
        }
        if tries == 0 && self.input.config.has(ReaderDefect::PinAfterLock) {
            // The defect: one more PIN although the card said it is locked.
            let pin = pins.next().map_or("0000", String::as_str);
            let _ = self.cards.verify(pin.as_bytes()).await;
        }
        Ok(Err(tries == 0))
    }

    /// Steps 4–5: consent screens, confirmation, registration on the spot.
    async fn confirm_patient(
        &mut self,
        proof: Proof,
        registered_here: &mut bool,
    ) -> Result<ReaderResult, ReaderResult> {
        let script = self.input.script;
        // 4. Consent screens of the day.
        if !self.input.config.has(ReaderDefect::SkipsConsent) {
            self.event(ReaderEvent::ConsentScreens {
                screens: self.input.consent_screens.to_vec(),
                answers: script.consents,
            });
        }
        // 5. Confirm; an unregistered card may register on the spot and confirm again.
        let response = self.confirm(proof).await?;
        if !matches!(
            response.result_code(),
            Some(ResultCode::RegistrationMissing | ResultCode::CertificateNotLinked)
        ) || self.input.config.has(ReaderDefect::NoRegistrationOffer)
        {
            return Ok(ReaderResult::Answered { response });
        }
        self.event(ReaderEvent::RegistrationOffered {
            accepted: script.accept_registration,
        });
        if !script.accept_registration {
            return Ok(ReaderResult::RegistrationDeclined);
        }
        let registration = match self.card_call(proof, true).await? {
            Answer::Registration(r) => r,
            Answer::Confirmation(_) => {
                return Err(CallFailure::Refused {
                    code: None,
                    message: "reader engine: a confirmation answered a registration".into(),
                }
                .into_result());
            }
        };
        match registration.outcome {
            RegistrationOutcome::Registered | RegistrationOutcome::AlreadyRegistered => {
                *registered_here = registration.outcome == RegistrationOutcome::Registered;
                let response = self.confirm(proof).await?;
                Ok(ReaderResult::Answered { response })
            }
            RegistrationOutcome::Refused => Ok(ReaderResult::RegistrationRefused {
                response: registration,
            }),
        }
    }
}

async fn visit(input: VisitInput<'_>, port: Port<Step, Reply>) -> ReaderOutcome {
    let mut v = Visit {
        input,
        port: &port,
        cards: CardOps::new(CardPort(&port)),
        events: Vec::new(),
        cert: Vec::new(),
        photo_read: false,
    };
    v.event(ReaderEvent::CardPlaced {
        by: input.script.placed_by,
    });
    let mut method = None;
    let mut registered_here = false;
    let result = match v.authenticate_patient().await {
        Ok((choice, proof)) => {
            v.event(ReaderEvent::Authenticated { method: choice });
            method = Some(match choice {
                AuthChoice::Face => AuthMethod::Face,
                AuthChoice::Pin => AuthMethod::Pin,
                AuthChoice::Visual => AuthMethod::Visual,
            });
            match v.confirm_patient(proof, &mut registered_here).await {
                Ok(r) | Err(r) => r,
            }
        }
        Err(r) => r,
    };
    if let ReaderResult::CardUnreadable { detail } = &result {
        v.event(ReaderEvent::Error {
            detail: detail.clone(),
        });
    }
    ReaderOutcome {
        result,
        method,
        events: v.events,
        exchanges: Vec::new(),
        // The reference reader keeps the photo only for the comparison.
        photo_stored: v.photo_read && input.config.has(ReaderDefect::KeepsPhoto),
        registered_here,
    }
}
