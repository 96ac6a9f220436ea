//! One patient at the built-in face reader, end to end: card placed → certificate read
//! → face / PIN / 目視 → consent screens → backend → result for the clinic.
//!
//! The decisions live in [`super::policy`] and are pure; this file sequences APDUs on a
//! [`CardChannel`] and calls a [`QualificationBackend`]. The reader never reads the My
//! Number file or presents 照合番号A (FAQ-4-9), never sends a VERIFY to a PIN the card
//! reported locked (FAQ-4-11), and keeps the face photo only in memory for the
//! comparison (FLY-PHOTO).

use chrono::NaiveDateTime;
use serde::Serialize;

use super::card_ops::{CardOpError, CardOps};
use super::policy::{self, MethodState, SwitchReason};
use super::script::{AuthChoice, Operator, PatientScript};
use crate::backend::{
    AuthMethod, BackendError, Base64Bytes, CardAuthentication, CardConfirmationRequest,
    ConsentAnswers, QualificationBackend, ReaderAttestation, RegistrationOutcome,
    RegistrationRequest, RegistrationResponse, attestation_message,
};
use crate::card::Status;
use crate::card::ids;
use crate::channel::{CardChannel, ChannelError};
use crate::message::{MedicalInstitutionCode, QualificationResponse};
use crate::pki::{HashAlg, ReaderCredential};
use crate::report::Exchange;
use crate::rules::{ConsentScreen, RulesCalendar};
use crate::server::codes::ResultCode;

/// The reader's configuration.
#[derive(Debug, Clone)]
pub struct ReaderConfig {
    /// 医療機関コード of the facility.
    pub facility: MedicalInstitutionCode,
    /// The device credential issued by the reader CA (特定機関認証 model).
    pub credential: std::sync::Arc<ReaderCredential>,
    /// Camera-vs-photo score needed to match.
    pub face_threshold: f64,
    /// Face attempts before moving on.
    pub max_face_attempts: usize,
}

/// What the reader read off the card front (OCR): enough for 照合番号B.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardFront {
    /// 照合番号B (birth YYMMDD + expiry year + security code).
    pub match_b: String,
}

/// Something the reader did, in order.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum ReaderEvent {
    /// The card was placed.
    CardPlaced {
        /// By whom.
        by: Operator,
    },
    /// The user-authentication certificate was read.
    CertificateRead {
        /// Length in bytes.
        bytes: usize,
    },
    /// A face comparison.
    FaceAttempt {
        /// The score.
        score: f64,
        /// Whether it matched.
        matched: bool,
    },
    /// The retry counter before VERIFY.
    PinRetryQuery {
        /// Tries left.
        tries_left: u8,
    },
    /// A VERIFY with a PIN.
    PinVerify {
        /// Who typed it.
        by: Operator,
        /// The card's answer.
        status: String,
    },
    /// The reader moved to another method.
    MethodSwitched {
        /// From.
        from: AuthChoice,
        /// To.
        to: AuthChoice,
        /// Why.
        reason: SwitchReason,
    },
    /// Authentication succeeded.
    Authenticated {
        /// How.
        method: AuthChoice,
    },
    /// Consent screens shown and answered.
    ConsentScreens {
        /// The screens.
        screens: Vec<ConsentScreen>,
        /// The answers sent.
        answers: ConsentAnswers,
    },
    /// The reader offered on-the-spot registration.
    RegistrationOffered {
        /// Whether the patient accepted.
        accepted: bool,
    },
    /// A failure.
    Error {
        /// What failed.
        detail: String,
    },
}

/// How the visit at the reader ended.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum ReaderResult {
    /// The backend answered with a result (any validity, or a refusal for the person).
    Answered {
        /// The result.
        response: Box<QualificationResponse>,
    },
    /// `001: マイナンバーカードの認識不可` — nothing usable came from the chip.
    CardUnreadable {
        /// Why.
        detail: String,
    },
    /// `002: マイナンバーカード以外` — the card has no JPKI application.
    NotMyNumberCard,
    /// Face, PIN and 目視 all failed or were unavailable.
    AuthenticationFailed,
    /// On-the-spot registration was refused (24 h, 5 days, no qualification, …).
    RegistrationRefused {
        /// The backend's answer.
        response: RegistrationResponse,
    },
    /// The patient declined on-the-spot registration of an unregistered card.
    RegistrationDeclined,
    /// The backend refused the request itself (authentication or protocol error).
    Refused {
        /// The `ONS-…` code, if any.
        code: Option<String>,
        /// The message.
        message: String,
    },
    /// The backend could not be reached or timed out.
    BackendUnavailable {
        /// Why.
        detail: String,
    },
}

/// Everything the reader produced for one patient.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ReaderOutcome {
    /// How it ended.
    pub result: ReaderResult,
    /// The method that authenticated the patient, if any.
    pub method: Option<AuthMethod>,
    /// What happened, in order.
    pub events: Vec<ReaderEvent>,
    /// Requests and responses exchanged with the backend (JSON).
    pub exchanges: Vec<Exchange>,
    /// Whether the reader kept the face photo after the comparison (never).
    pub photo_stored: bool,
    /// Whether a registration completed during this visit.
    pub registered_here: bool,
}

impl ReaderOutcome {
    /// The backend's answer, if there was one.
    pub fn response(&self) -> Option<&QualificationResponse> {
        match &self.result {
            ReaderResult::Answered { response } => Some(response),
            _ => None,
        }
    }
}

struct Run<'a, B> {
    config: &'a ReaderConfig,
    backend: &'a B,
    calendar: &'a RulesCalendar,
    now: NaiveDateTime,
    events: Vec<ReaderEvent>,
    exchanges: Vec<Exchange>,
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

fn card_failure(e: &CardOpError) -> ReaderResult {
    match e {
        CardOpError::Channel(
            ChannelError::NoResponse | ChannelError::Removed | ChannelError::NoCard,
        )
        | CardOpError::Status {
            status: Status::NoPreciseDiagnosis,
            ..
        } => ReaderResult::CardUnreadable {
            detail: format!("001: マイナンバーカードの認識不可 ({e})"),
        },
        other => ReaderResult::CardUnreadable {
            detail: format!("001: マイナンバーカードの認識不可 ({other})"),
        },
    }
}

fn backend_failure(e: &BackendError) -> ReaderResult {
    if e.is_unreachable() {
        ReaderResult::BackendUnavailable {
            detail: e.to_string(),
        }
    } else {
        ReaderResult::Refused {
            code: e.code().map(|c| c.code().to_owned()),
            message: e.to_string(),
        }
    }
}

/// Proof of presence prepared for one backend call.
enum Proof {
    /// The PIN path: the card will sign the nonce; needs the tries seen before VERIFY.
    Pin { tries_before: u8 },
    /// Face or visual: the reader attests.
    Reader(AuthMethod),
}

impl<B: QualificationBackend> Run<'_, B> {
    /// Gets a challenge and builds the card authentication for it.
    async fn authenticate(
        &mut self,
        cards: &mut CardOps<'_>,
        cert: &[u8],
        proof: &Proof,
    ) -> Result<CardAuthentication, ReaderResult> {
        let challenge = self
            .backend
            .challenge()
            .await
            .map_err(|e| backend_failure(&e))?;
        let nonce = challenge.nonce.as_bytes().to_vec();
        match proof {
            Proof::Pin { tries_before } => {
                // The VERIFY of this session is still in force: select the key, sign.
                cards
                    .select_file(ids::jpki::AUTH_KEY)
                    .map_err(|e| card_failure(&e))?;
                let signature = cards
                    .sign(&HashAlg::Sha256.digest_info(&nonce))
                    .map_err(|e| card_failure(&e))?;
                Ok(CardAuthentication {
                    auth_certificate: Base64Bytes(cert.to_vec()),
                    nonce: Base64Bytes(nonce),
                    method: AuthMethod::Pin,
                    card_signature: Some(Base64Bytes(signature)),
                    pin_tries_before_verify: Some(*tries_before),
                    attestation: None,
                })
            }
            Proof::Reader(method) => {
                let message = attestation_message(&nonce, cert, *method, &self.config.facility);
                Ok(CardAuthentication {
                    auth_certificate: Base64Bytes(cert.to_vec()),
                    nonce: Base64Bytes(nonce),
                    method: *method,
                    card_signature: None,
                    pin_tries_before_verify: None,
                    attestation: Some(ReaderAttestation {
                        reader_certificate: Base64Bytes(self.config.credential.cert_der.to_vec()),
                        signature: Base64Bytes(self.config.credential.sign(&message)),
                    }),
                })
            }
        }
    }

    async fn confirm(
        &mut self,
        cards: &mut CardOps<'_>,
        cert: &[u8],
        proof: &Proof,
        script: &PatientScript,
    ) -> Result<QualificationResponse, ReaderResult> {
        let card = self.authenticate(cards, cert, proof).await?;
        let req = CardConfirmationRequest {
            medical_institution_code: self.config.facility.clone(),
            arbitrary_file_identifier: None,
            confirmation_time: Some(self.now),
            card,
            consents: script.consents,
            care_setting: script.care_setting,
            prescription_issue_select: None,
        };
        let result = self.backend.confirm_card(&req).await;
        self.exchanges.push(Exchange {
            label: "POST /v1/confirmations/card".into(),
            request: json(&req),
            response: match &result {
                Ok(r) => json(r),
                Err(e) => e.to_string(),
            },
        });
        result.map_err(|e| backend_failure(&e))
    }

    async fn register(
        &mut self,
        cards: &mut CardOps<'_>,
        cert: &[u8],
        proof: &Proof,
    ) -> Result<RegistrationResponse, ReaderResult> {
        let card = self.authenticate(cards, cert, proof).await?;
        let req = RegistrationRequest {
            medical_institution_code: self.config.facility.clone(),
            confirmation_time: Some(self.now),
            card,
        };
        let result = self.backend.register(&req).await;
        self.exchanges.push(Exchange {
            label: "POST /v1/registrations".into(),
            request: json(&req),
            response: match &result {
                Ok(r) => json(r),
                Err(e) => e.to_string(),
            },
        });
        result.map_err(|e| backend_failure(&e))
    }
}

/// Runs one patient at the reader.
pub async fn run<B: QualificationBackend>(
    config: &ReaderConfig,
    calendar: &RulesCalendar,
    channel: &mut dyn CardChannel,
    backend: &B,
    script: &PatientScript,
    front: &CardFront,
    now: NaiveDateTime,
) -> ReaderOutcome {
    let mut run = Run {
        config,
        backend,
        calendar,
        now,
        events: Vec::new(),
        exchanges: Vec::new(),
    };
    let mut method = None;
    let mut registered_here = false;
    let result = visit(
        &mut run,
        channel,
        script,
        front,
        &mut method,
        &mut registered_here,
    )
    .await;
    let result = match result {
        Ok(r) | Err(r) => r,
    };
    if let ReaderResult::CardUnreadable { detail } = &result {
        run.events.push(ReaderEvent::Error {
            detail: detail.clone(),
        });
    }
    ReaderOutcome {
        result,
        method,
        events: run.events,
        exchanges: run.exchanges,
        photo_stored: false,
        registered_here,
    }
}

async fn visit<B: QualificationBackend>(
    run: &mut Run<'_, B>,
    channel: &mut dyn CardChannel,
    script: &PatientScript,
    front: &CardFront,
    method_out: &mut Option<AuthMethod>,
    registered_here: &mut bool,
) -> Result<ReaderResult, ReaderResult> {
    run.events.push(ReaderEvent::CardPlaced {
        by: script.placed_by,
    });
    let mut cards = CardOps::new(channel);
    // 1. The certificate. A card without the JPKI AP is not a My Number Card (002).
    if let Err(e) = cards.select_app(ids::JPKI_AID) {
        return Err(match e {
            CardOpError::Status {
                status: Status::FileNotFound,
                ..
            } => ReaderResult::NotMyNumberCard,
            other => card_failure(&other),
        });
    }
    let cert = cards
        .read_auth_certificate()
        .map_err(|e| card_failure(&e))?;
    run.events
        .push(ReaderEvent::CertificateRead { bytes: cert.len() });

    // 2. What the card allows: a PIN-less card has no auth PIN EF; a locked PIN answers
    //    the retry query with 63 C0. No VERIFY is sent here.
    let pinless = !cards
        .select_file(ids::jpki::AUTH_PIN)
        .map_err(|e| card_failure(&e))?;
    let mut tries = if pinless {
        0
    } else {
        cards.tries_left().map_err(|e| card_failure(&e))?
    };
    let mut state = MethodState {
        pinless,
        pin_locked: !pinless && tries == 0,
        face_failed: false,
        pin_given_up: false,
        visual_available: script.staff_visual_check_available,
    };

    // 3. Authenticate.
    let mut current = policy::first_method(script.choice, state);
    if current != script.choice {
        let reason = if pinless {
            SwitchReason::PinlessCard
        } else {
            SwitchReason::PinLocked
        };
        run.events.push(ReaderEvent::MethodSwitched {
            from: script.choice,
            to: current,
            reason,
        });
    }
    let mut face_scores = script.face_scores.iter().copied();
    let mut pins = script.pins.iter();
    let proof = loop {
        let switch = match current {
            AuthChoice::Face => {
                let mut matched = false;
                for _ in 0..run.config.max_face_attempts.max(1) {
                    // The photo is read into memory for the comparison and dropped.
                    let photo = cards
                        .read_face_photo(&front.match_b)
                        .map_err(|e| card_failure(&e))?;
                    let score = face_scores.next().unwrap_or(0.0);
                    matched =
                        policy::face_matches(score, run.config.face_threshold) && !photo.is_empty();
                    run.events.push(ReaderEvent::FaceAttempt { score, matched });
                    if matched {
                        break;
                    }
                }
                if matched {
                    break Proof::Reader(AuthMethod::Face);
                }
                state.face_failed = true;
                SwitchReason::FaceFailed
            }
            AuthChoice::Pin => {
                cards
                    .select_app(ids::JPKI_AID)
                    .map_err(|e| card_failure(&e))?;
                cards
                    .select_file(ids::jpki::AUTH_PIN)
                    .map_err(|e| card_failure(&e))?;
                tries = cards.tries_left().map_err(|e| card_failure(&e))?;
                run.events
                    .push(ReaderEvent::PinRetryQuery { tries_left: tries });
                let tries_before = tries;
                let mut verified = false;
                let mut reason = SwitchReason::NoMorePins;
                while tries > 0 {
                    let Some(pin) = pins.next() else { break };
                    let status = cards.verify(pin.as_bytes()).map_err(|e| card_failure(&e))?;
                    run.events.push(ReaderEvent::PinVerify {
                        by: script.pin_entered_by,
                        status: status.to_string(),
                    });
                    match status {
                        Status::Success => {
                            verified = true;
                            break;
                        }
                        Status::VerificationFailed { tries_left } => tries = tries_left,
                        // Locked (69 83 / 69 84) or anything else: stop sending PINs.
                        _ => tries = 0,
                    }
                }
                if verified {
                    break Proof::Pin { tries_before };
                }
                if tries == 0 {
                    state.pin_locked = true;
                    reason = SwitchReason::PinLocked;
                }
                state.pin_given_up = true;
                reason
            }
            AuthChoice::Visual => break Proof::Reader(AuthMethod::Visual),
        };
        match policy::next_method(current, state) {
            Some(next) => {
                run.events.push(ReaderEvent::MethodSwitched {
                    from: current,
                    to: next,
                    reason: switch,
                });
                current = next;
            }
            None => return Err(ReaderResult::AuthenticationFailed),
        }
    };
    run.events
        .push(ReaderEvent::Authenticated { method: current });
    *method_out = Some(match current {
        AuthChoice::Face => AuthMethod::Face,
        AuthChoice::Pin => AuthMethod::Pin,
        AuthChoice::Visual => AuthMethod::Visual,
    });

    // 4. Consent screens of the day.
    let screens = run.calendar.consent_screens(run.now.date()).to_vec();
    run.events.push(ReaderEvent::ConsentScreens {
        screens,
        answers: script.consents,
    });

    // 5. Confirm; an unregistered card may register on the spot and confirm again.
    let response = run.confirm(&mut cards, &cert, &proof, script).await?;
    let unregistered = response.message_body.processing_result_code.as_deref()
        == Some(ResultCode::RegistrationMissing.code())
        || response.message_body.processing_result_code.as_deref()
            == Some(ResultCode::CertificateNotLinked.code());
    if !unregistered {
        return Ok(ReaderResult::Answered {
            response: Box::new(response),
        });
    }
    run.events.push(ReaderEvent::RegistrationOffered {
        accepted: script.accept_registration,
    });
    if !script.accept_registration {
        return Ok(ReaderResult::RegistrationDeclined);
    }
    let registration = run.register(&mut cards, &cert, &proof).await?;
    match registration.outcome {
        RegistrationOutcome::Registered | RegistrationOutcome::AlreadyRegistered => {
            *registered_here = registration.outcome == RegistrationOutcome::Registered;
            let response = run.confirm(&mut cards, &cert, &proof, script).await?;
            Ok(ReaderResult::Answered {
                response: Box::new(response),
            })
        }
        RegistrationOutcome::Refused => Ok(ReaderResult::RegistrationRefused {
            response: registration,
        }),
    }
}
