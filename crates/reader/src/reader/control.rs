//! The reader-control API: how onshi drives a reader under test.
//!
//! A vendor's reader test mode implements two routes (see
//! `openapi/reader-control-v1.yaml`): `GET /v1/reader` says what it is, and
//! `POST /v1/visits` runs one patient — onshi has put the virtual card in a PC/SC
//! reader (through vpcd) and says what the patient does; the reader talks to the card
//! over PC/SC, to the backend over onshi HTTP JSON, and answers with what happened.
//! onshi then checks its own card's APDU trace and the backend's answer.
//!
//! [`RemoteReader`] is onshi's client; [`serve`] exposes the built-in reader through
//! the same API (cards through PC/SC, cargo feature `pcsc`), which is how the plug
//! itself is tested end to end.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::outcome::ReaderOutcome;
use super::result_file::ResultFile;
use super::script::PatientScript;
use onshi_domain::codes::CharacterEncoding;

/// What the reader says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReaderInfo {
    /// Vendor.
    pub vendor: String,
    /// Model.
    pub model: String,
    /// Software version.
    pub version: String,
    /// How many patients the reader serves at once, each at its own PC/SC reader
    /// (named in every visit request). Absent means one; onshi uses at most
    /// [`MAX_SLOTS`].
    #[serde(default = "one_slot", skip_serializing_if = "is_one")]
    pub slots: u32,
}

/// The most slots onshi drives at once, whatever a reader reports.
pub const MAX_SLOTS: u32 = 16;

fn one_slot() -> u32 {
    1
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

impl ReaderInfo {
    /// The slots onshi may use: what the reader reports, at least one, at most
    /// [`MAX_SLOTS`].
    pub fn usable_slots(&self) -> usize {
        self.slots.clamp(1, MAX_SLOTS) as usize
    }
}

/// The device credential onshi's reader CA issued for this visit's reader (our model of
/// 特定機関認証): the reader signs attestations with it on the face / visual path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttestationKey {
    /// Device certificate (DER, base64).
    pub certificate: String,
    /// Ed25519 private key seed (32 bytes, base64). Test credential, never a real one.
    pub ed25519_seed: String,
}

/// `POST /v1/visits` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitRequest {
    /// An id for logs.
    pub visit_id: String,
    /// "Now" for the visit (JST); the reader passes it on as `confirmation_time`.
    pub confirmation_time: NaiveDateTime,
    /// The PC/SC reader name the card is in (e.g. `Virtual PCD 00 00`).
    pub pcsc_reader: String,
    /// 照合番号B as the reader's OCR would read it off the card front.
    pub match_b: String,
    /// What the patient does.
    pub patient: PatientScript,
    /// The backend to call (onshi HTTP JSON base URL).
    pub backend_url: String,
    /// 医療機関コード.
    pub medical_institution_code: String,
    /// The reader's attestation credential for this run.
    pub attestation_key: AttestationKey,
}

/// `POST /v1/visits` response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitResponse {
    /// What happened.
    pub outcome: ReaderOutcome,
    /// The face-result file handed to the clinic system, if any.
    #[serde(default)]
    pub result_file: Option<ResultFileWire>,
}

/// A result file on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultFileWire {
    /// File name.
    pub name: String,
    /// `Shift_JIS` or `UTF-8`.
    pub encoding: String,
    /// The bytes, base64.
    pub xml: String,
}

impl ResultFileWire {
    /// From a result file.
    pub fn from_file(f: &ResultFile) -> Self {
        Self {
            name: f.name.clone(),
            encoding: match f.encoding {
                CharacterEncoding::Utf8 => "UTF-8",
                CharacterEncoding::ShiftJis => "Shift_JIS",
            }
            .to_owned(),
            xml: BASE64.encode(&f.bytes),
        }
    }

    /// Back to a result file.
    pub fn to_file(&self) -> Result<ResultFile, String> {
        Ok(ResultFile {
            name: self.name.clone(),
            bytes: BASE64
                .decode(&self.xml)
                .map_err(|e| format!("result file is not base64: {e}"))?,
            encoding: if self.encoding.eq_ignore_ascii_case("utf-8") {
                CharacterEncoding::Utf8
            } else {
                CharacterEncoding::ShiftJis
            },
        })
    }
}

/// A reader-control failure.
#[derive(Debug, thiserror::Error)]
pub enum ReaderPlugError {
    /// The reader could not be reached.
    #[error("reader {url} unreachable: {detail}")]
    Unreachable {
        /// Its URL.
        url: String,
        /// Why.
        detail: String,
    },
    /// The reader answered with an error or an unreadable body.
    #[error("reader {url}: {detail}")]
    Protocol {
        /// Its URL.
        url: String,
        /// What was wrong.
        detail: String,
    },
}

/// onshi's client of a reader under test.
#[derive(Debug, Clone)]
pub struct RemoteReader {
    base: String,
    http: reqwest::Client,
}

impl RemoteReader {
    /// A client for the reader at `base` (`http://127.0.0.1:7070`).
    pub fn new(base: impl Into<String>) -> Self {
        Self {
            base: base.into().trim_end_matches('/').to_owned(),
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(60))
                // A reader test mode may close idle keep-alive connections (onshi's
                // after 10 s): never send a visit on one it may be closing.
                .pool_idle_timeout(std::time::Duration::from_secs(4))
                .build()
                .unwrap_or_default(),
        }
    }

    /// The base URL.
    pub fn url(&self) -> &str {
        &self.base
    }

    fn unreachable(&self, e: impl std::fmt::Display) -> ReaderPlugError {
        ReaderPlugError::Unreachable {
            url: self.base.clone(),
            detail: e.to_string(),
        }
    }

    fn protocol(&self, e: impl std::fmt::Display) -> ReaderPlugError {
        ReaderPlugError::Protocol {
            url: self.base.clone(),
            detail: e.to_string(),
        }
    }

    /// `GET /v1/reader`.
    pub async fn info(&self) -> Result<ReaderInfo, ReaderPlugError> {
        let r = self
            .http
            .get(format!("{}/v1/reader", self.base))
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        if !r.status().is_success() {
            return Err(self.protocol(format!("GET /v1/reader answered {}", r.status())));
        }
        r.json().await.map_err(|e| self.protocol(e))
    }

    /// `POST /v1/visits`.
    pub async fn visit(&self, req: &VisitRequest) -> Result<VisitResponse, ReaderPlugError> {
        let r = self
            .http
            .post(format!("{}/v1/visits", self.base))
            .json(req)
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        let status = r.status();
        let body = r.text().await.map_err(|e| self.protocol(e))?;
        if !status.is_success() {
            return Err(self.protocol(format!("POST /v1/visits answered {status}: {body}")));
        }
        serde_json::from_str(&body)
            .map_err(|e| self.protocol(format!("unreadable visit response: {e}")))
    }
}

#[cfg(feature = "pcsc")]
pub use server::{ReaderServerConfig, app};

#[cfg(feature = "pcsc")]
mod server {
    use std::collections::HashMap;
    use std::sync::Arc;
    use std::time::Duration;

    use axum::extract::State;
    use axum::http::StatusCode;
    use axum::routing::{get, post};
    use axum::{Json, Router};
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD as BASE64;

    use super::{ReaderInfo, ResultFileWire, VisitRequest, VisitResponse};
    use crate::channel::{PcscChannel, wait_for_card};
    use crate::reader::result_file::face_result;
    use crate::reader::{CardFront, ReaderConfig, run};
    use onshi_backend::backend::HttpJsonBackend;
    use onshi_domain::codes::CharacterEncoding;
    use onshi_domain::message::MedicalInstitutionCode;
    use onshi_domain::rules::RulesCalendar;
    use onshi_pki::pki::{Der, ReaderCredential, ReaderKey};

    /// Settings of the built-in reader behind the API.
    #[derive(Debug, Clone)]
    pub struct ReaderServerConfig {
        /// How long to wait for the card to appear in the PC/SC reader.
        pub card_timeout: Duration,
        /// Face match threshold.
        pub face_threshold: f64,
        /// Deliberate defects of the served reader (none for a conformant one).
        pub defects: Vec<crate::reader::ReaderDefect>,
        /// Patients served at once, each at its own PC/SC reader (reported as
        /// `slots` by `GET /v1/reader`).
        pub slots: u32,
    }

    /// The most distinct PC/SC reader names the served reader keeps a lock for.
    const MAX_READER_NAMES: usize = 64;

    struct Served {
        config: ReaderServerConfig,
        /// At most `slots` visits at once.
        permits: tokio::sync::Semaphore,
        /// One patient per PC/SC reader at a time.
        busy: std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    }

    impl Served {
        /// The lock of one PC/SC reader, or `None` when too many names were seen.
        fn reader_lock(&self, name: &str) -> Option<Arc<tokio::sync::Mutex<()>>> {
            let mut busy = self.busy.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(l) = busy.get(name) {
                return Some(l.clone());
            }
            if busy.len() >= MAX_READER_NAMES {
                return None;
            }
            let l = Arc::new(tokio::sync::Mutex::new(()));
            busy.insert(name.to_owned(), l.clone());
            Some(l)
        }
    }

    type Shared = Arc<Served>;

    fn bad(e: impl std::fmt::Display) -> (StatusCode, String) {
        (StatusCode::BAD_REQUEST, e.to_string())
    }

    /// What the reader is; a reader with defects says which in its version.
    async fn info(State(shared): State<Shared>) -> Json<ReaderInfo> {
        let defects = &shared.config.defects;
        let version = if defects.is_empty() {
            env!("CARGO_PKG_VERSION").to_owned()
        } else {
            let names: Vec<&str> = defects.iter().map(|d| d.name()).collect();
            format!(
                "{} (defects: {})",
                env!("CARGO_PKG_VERSION"),
                names.join(", ")
            )
        };
        Json(ReaderInfo {
            vendor: "onshi".into(),
            model: "built-in simulated face reader (PC/SC)".into(),
            version,
            slots: shared.config.slots,
        })
    }

    async fn visit(
        State(shared): State<Shared>,
        Json(req): Json<VisitRequest>,
    ) -> Result<Json<VisitResponse>, (StatusCode, String)> {
        // At most `slots` patients, one per PC/SC reader, like a real multi-slot
        // reader.
        let _permit = shared
            .permits
            .acquire()
            .await
            .map_err(|e| (StatusCode::SERVICE_UNAVAILABLE, e.to_string()))?;
        let lock = shared.reader_lock(&req.pcsc_reader).ok_or((
            StatusCode::CONFLICT,
            format!("more than {MAX_READER_NAMES} PC/SC reader names"),
        ))?;
        let _busy = lock.lock().await;
        let cfg = shared.config.clone();
        let facility = MedicalInstitutionCode::parse(&req.medical_institution_code).map_err(bad)?;
        let cert = BASE64
            .decode(&req.attestation_key.certificate)
            .map_err(bad)?;
        let seed: [u8; 32] = BASE64
            .decode(&req.attestation_key.ed25519_seed)
            .map_err(bad)?
            .try_into()
            .map_err(|_| bad("ed25519_seed must be 32 bytes"))?;
        let credential = ReaderCredential {
            cert_der: Der::new(cert),
            key: ReaderKey::from_seed(&seed).map_err(bad)?,
        };
        let config = ReaderConfig {
            facility: facility.clone(),
            credential: Arc::new(credential),
            face_threshold: cfg.face_threshold,
            max_face_attempts: crate::reader::policy::MAX_FACE_ATTEMPTS,
            defects: cfg.defects.clone(),
        };
        let reader = req.pcsc_reader.clone();
        let timeout = cfg.card_timeout;
        tokio::task::spawn_blocking(move || wait_for_card(&reader, timeout))
            .await
            .map_err(bad)?
            .map_err(|e| {
                (
                    StatusCode::CONFLICT,
                    format!("no card in {}: {e}", req.pcsc_reader),
                )
            })?;
        let mut channel = PcscChannel::connect(&req.pcsc_reader)
            .map_err(|e| (StatusCode::CONFLICT, e.to_string()))?;
        let backend = HttpJsonBackend::new(req.backend_url.clone());
        let calendar = RulesCalendar::reference();
        let front = CardFront {
            match_b: req.match_b.clone(),
        };
        let outcome = run(
            &config,
            &calendar,
            &mut channel,
            &backend,
            &req.patient,
            &front,
            req.confirmation_time,
        )
        .await;
        let result_file = outcome.response().map(|r| {
            ResultFileWire::from_file(&face_result(
                r,
                &facility,
                "onshi-pcsc-reader",
                1,
                req.confirmation_time,
                CharacterEncoding::ShiftJis,
            ))
        });
        Ok(Json(VisitResponse {
            outcome,
            result_file,
        }))
    }

    /// The router of the built-in reader's control API.
    pub fn app(config: ReaderServerConfig) -> Router {
        Router::new()
            .route("/v1/reader", get(info))
            .route("/v1/visits", post(visit))
            .with_state(Arc::new(Served {
                permits: tokio::sync::Semaphore::new(
                    config.slots.clamp(1, super::MAX_SLOTS) as usize
                ),
                config,
                busy: std::sync::Mutex::new(HashMap::new()),
            }))
    }
}
