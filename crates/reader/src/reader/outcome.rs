//! What the reader is given and what it gives back: its configuration, the card
//! front it reads, the events of a visit, and how the visit ended. The built-in reader
//! ([`super::engine`]) and the reader-control API speak these types.

use serde::Serialize;

use super::policy::SwitchReason;
use super::script::{AuthChoice, Operator};
use onshi_backend::backend::{AuthMethod, ConsentAnswers, RegistrationResponse};
use onshi_domain::message::{MedicalInstitutionCode, QualificationResponse};
use onshi_domain::protocol::confirmation_outcome;
use onshi_domain::rules::{ConfirmationFailure, ConfirmationOutcome, ConsentScreen};
use onshi_pki::pki::ReaderCredential;
use onshi_report::report::Exchange;
use onshi_world::persona::ResolvedPersona;

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
    /// Deliberate defects (none in the reference reader).
    pub defects: Vec<super::ReaderDefect>,
}

impl ReaderConfig {
    /// The reference reader of a facility: the policy of [`super::policy`]
    /// ([`FACE_THRESHOLD`](super::policy::FACE_THRESHOLD),
    /// [`MAX_FACE_ATTEMPTS`](super::policy::MAX_FACE_ATTEMPTS)).
    pub fn reference(
        facility: MedicalInstitutionCode,
        credential: std::sync::Arc<ReaderCredential>,
    ) -> Self {
        Self {
            facility,
            credential,
            face_threshold: super::policy::FACE_THRESHOLD,
            max_face_attempts: super::policy::MAX_FACE_ATTEMPTS,
            defects: Vec::new(),
        }
    }

    /// Whether the reader has `defect`.
    pub fn has(&self, defect: super::ReaderDefect) -> bool {
        self.defects.contains(&defect)
    }

    /// The face-match threshold the reader applies (a lenient reader's is lower).
    pub fn applied_face_threshold(&self) -> f64 {
        if self.has(super::ReaderDefect::LenientFace) {
            super::ReaderDefect::LENIENT_THRESHOLD
        } else {
            self.face_threshold
        }
    }
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

impl ReaderOutcome {
    /// What the window makes of the reader's result for the presented person `p`: the
    /// one map from a reader outcome to the clinic's input, used by the suite and by
    /// load alike.
    pub fn at_window(&self, p: &ResolvedPersona) -> ConfirmationOutcome {
        match &self.result {
            ReaderResult::Answered { response } => confirmation_outcome(response, p.presented()),
            // What the reader displayed, read as the clinic reads it.
            _ => ConfirmationOutcome::Failed(
                self.at_clinic(None)
                    .displayed_failure()
                    .unwrap_or(ConfirmationFailure::BackendError),
            ),
        }
    }
}
