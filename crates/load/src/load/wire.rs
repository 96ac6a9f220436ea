//! How a visit reaches the backend: through Goose's own HTTP client (named requests,
//! so Goose's report sees every one), or through a [`QualificationBackend`] adapter
//! (the req/res folder, and tests without Goose). Either way each call comes back
//! timed, with the failure classified: no answer, refused, or malformed.

use std::future::Future;
use std::time::{Duration, Instant};

use goose::prelude::{GooseMethod, GooseRequest, GooseUser};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::metrics::ErrorKind;
use onshi_backend::backend::xml_http::{XmlAnswer, numbers_to_xml, read_answer};
use onshi_backend::backend::{AnyBackend, BackendError, QualificationBackend};
use onshi_domain::codes::CharacterEncoding;
use onshi_domain::message::{
    BulkDownloadRequest, BulkQualificationRequest, BulkQualificationResponse, BulkUploadAck,
    QualificationResponse,
};
use onshi_domain::protocol::ServerClock;
use onshi_domain::protocol::wire::{
    ApiErrorBody, CardConfirmationRequest, Challenge, NumbersConfirmationRequest,
    RegistrationRequest, RegistrationResponse,
};
use onshi_domain::xml::{self, XmlMessage};

/// Why a call produced no usable answer document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireError {
    /// No answer: transport, timeout, 5xx, or the client's line down.
    NoAnswer(ErrorKind, String),
    /// The backend refused the request (4xx, or XML `SegmentOfResult` 9).
    Refused {
        /// HTTP status.
        status: u16,
        /// The backend's code.
        code: String,
        /// The message.
        message: String,
    },
    /// A success status with a body that is not the protocol's message.
    Malformed(String),
    /// The transport cannot carry this call.
    Unsupported(&'static str),
}

impl WireError {
    /// Whether a retry may help.
    pub fn retryable(&self) -> bool {
        matches!(self, Self::NoAnswer(..))
    }

    fn from_backend(e: BackendError) -> Self {
        match e {
            BackendError::Unsupported { operation, .. } => Self::Unsupported(operation),
            BackendError::Refused {
                status,
                code,
                message,
                ..
            } if status >= 500 => Self::NoAnswer(
                if status == 503 {
                    ErrorKind::Unavailable
                } else {
                    ErrorKind::ServerError
                },
                format!("{status} {code}: {message}"),
            ),
            BackendError::Refused {
                status,
                code,
                message,
                ..
            } => Self::Refused {
                status,
                code,
                message,
            },
            BackendError::Unreachable(m) => Self::NoAnswer(ErrorKind::Transport, m),
            BackendError::Timeout(m) => Self::NoAnswer(ErrorKind::Timeout, m),
            BackendError::Protocol(m) => Self::Malformed(m),
        }
    }
}

/// A timed call.
pub type Timed<T> = (Result<T, WireError>, Duration);

/// The calls a visit makes.
pub trait Wire: Send {
    /// `POST /v1/challenges`.
    fn challenge(&mut self) -> impl Future<Output = Timed<Challenge>> + Send;
    /// `POST /v1/confirmations/card`.
    fn confirm_card(
        &mut self,
        req: &CardConfirmationRequest,
    ) -> impl Future<Output = Timed<QualificationResponse>> + Send;
    /// `POST /v1/confirmations/numbers` (or `OQSsiquc01req`).
    fn confirm_numbers(
        &mut self,
        req: &NumbersConfirmationRequest,
    ) -> impl Future<Output = Timed<QualificationResponse>> + Send;
    /// `POST /v1/registrations`.
    fn register(
        &mut self,
        req: &RegistrationRequest,
    ) -> impl Future<Output = Timed<RegistrationResponse>> + Send;
    /// `OQSmuquc01req`.
    fn bulk_upload(
        &mut self,
        req: &BulkQualificationRequest,
    ) -> impl Future<Output = Timed<BulkUploadAck>> + Send;
    /// `OQSmuquc02req`.
    fn bulk_download(
        &mut self,
        req: &BulkDownloadRequest,
    ) -> impl Future<Output = Timed<BulkQualificationResponse>> + Send;
    /// Card operations took `took` (recorded as a custom request where Goose runs).
    fn card_ops(
        &mut self,
        name: &'static str,
        took: Duration,
        ok: bool,
    ) -> impl Future<Output = ()> + Send;
}

/// How [`GooseWire`] reaches the backend.
#[derive(Debug, Clone)]
pub enum Transport {
    /// onshi HTTP JSON (bulk over the same server's XML endpoints).
    Json,
    /// XML over HTTP (numbers and bulk only).
    Xml,
    /// An adapter called directly (the req/res folder), timed as custom requests.
    Direct(AnyBackend),
}

/// A client-side outage: `[from, to)` in real time.
pub type ClientOutage = Option<(Instant, Instant)>;

/// Calls through a Goose user.
pub struct GooseWire<'a> {
    user: &'a mut GooseUser,
    transport: &'a Transport,
    outage: ClientOutage,
    clock: &'a ServerClock,
}

/// A Goose request named `name` that POSTs `body` to `path` with `content_type`.
pub fn goose_post<'a>(
    user: &GooseUser,
    name: &'a str,
    path: &'a str,
    content_type: &'static str,
    body: Vec<u8>,
) -> Result<GooseRequest<'a>, Box<goose::goose::TransactionError>> {
    let rb = user
        .get_request_builder(&GooseMethod::Post, path)?
        .header("content-type", content_type)
        .body(body);
    Ok(GooseRequest::builder()
        .method(GooseMethod::Post)
        .path(path)
        .name(name)
        .set_request_builder(rb)
        .build())
}

impl<'a> GooseWire<'a> {
    /// A wire for one job of `user`.
    pub fn new(
        user: &'a mut GooseUser,
        transport: &'a Transport,
        outage: ClientOutage,
        clock: &'a ServerClock,
    ) -> Self {
        Self {
            user,
            transport,
            outage,
            clock,
        }
    }

    fn line_down(&self) -> bool {
        let now = Instant::now();
        self.outage.is_some_and(|(a, b)| now >= a && now < b)
    }

    /// POSTs `body` to `path` as the named Goose request; the status and bytes.
    async fn post(
        &mut self,
        name: &'static str,
        path: &str,
        content_type: &'static str,
        body: Vec<u8>,
    ) -> Result<(u16, axum::body::Bytes), WireError> {
        if self.line_down() {
            return Err(WireError::NoAnswer(
                ErrorKind::ClientOutage,
                "the facility's line is down".into(),
            ));
        }
        let req = goose_post(self.user, name, path, content_type, body)
            .map_err(|e| WireError::NoAnswer(ErrorKind::Transport, e.to_string()))?;
        let goose = self
            .user
            .request(req)
            .await
            .map_err(|e| WireError::NoAnswer(ErrorKind::Transport, e.to_string()))?;
        let resp = goose.response.map_err(|e| classify(&e))?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.map_err(|e| classify(&e))?;
        Ok((status, bytes))
    }

    async fn json<B: Serialize, T: DeserializeOwned>(
        &mut self,
        name: &'static str,
        path: &str,
        body: &B,
    ) -> Timed<T> {
        let started = Instant::now();
        let result = async {
            let body = serde_json::to_vec(body).map_err(|e| WireError::Malformed(e.to_string()))?;
            let (status, bytes) = self.post(name, path, "application/json", body).await?;
            json_answer(status, &bytes)
        }
        .await;
        (result, started.elapsed())
    }

    async fn xml<Req: XmlMessage, Res: XmlAnswer>(
        &mut self,
        name: &'static str,
        message: &'static str,
        req: &Req,
    ) -> Timed<Res> {
        let started = Instant::now();
        let result = async {
            let body = xml::encode(req, CharacterEncoding::Utf8);
            let path = format!("/v1/xml/{message}");
            let (status, bytes) = self
                .post(name, &path, "application/xml; charset=UTF-8", body)
                .await?;
            read_answer::<Res>(&bytes, Some(status)).map_err(WireError::from_backend)
        }
        .await;
        (result, started.elapsed())
    }

    async fn direct<T>(
        &mut self,
        name: &'static str,
        call: impl Future<Output = Result<T, BackendError>>,
    ) -> Timed<T> {
        let started = Instant::now();
        let result = if self.line_down() {
            Err(WireError::NoAnswer(
                ErrorKind::ClientOutage,
                "the facility's line is down".into(),
            ))
        } else {
            call.await.map_err(WireError::from_backend)
        };
        let took = started.elapsed();
        let status = match &result {
            Ok(_) => Some(200),
            Err(WireError::Refused { status, .. }) => Some(*status),
            _ => None,
        };
        let _ = self
            .user
            .record_custom_request_duration(
                "FOLDER",
                name,
                took,
                result.is_ok(),
                status,
                result.as_ref().err().map(|_| "no answer"),
            )
            .await;
        (result, took)
    }
}

fn classify(e: &reqwest::Error) -> WireError {
    if e.is_timeout() {
        WireError::NoAnswer(ErrorKind::Timeout, e.to_string())
    } else {
        let mut text = e.to_string();
        let mut cur = std::error::Error::source(e);
        while let Some(s) = cur {
            text.push_str(": ");
            text.push_str(&s.to_string());
            cur = s.source();
        }
        WireError::NoAnswer(ErrorKind::Transport, text)
    }
}

/// Reads a JSON answer with its status.
pub fn json_answer<T: DeserializeOwned>(status: u16, bytes: &[u8]) -> Result<T, WireError> {
    if (200..300).contains(&status) {
        return serde_json::from_slice(bytes)
            .map_err(|e| WireError::Malformed(format!("{status} answer is not the JSON: {e}")));
    }
    let (code, message) = match serde_json::from_slice::<ApiErrorBody>(bytes) {
        Ok(b) => (b.error.code, b.error.message),
        Err(_) => (
            format!("HTTP-{status}"),
            String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).into_owned(),
        ),
    };
    if status >= 500 {
        let kind = if status == 503 {
            ErrorKind::Unavailable
        } else {
            ErrorKind::ServerError
        };
        return Err(WireError::NoAnswer(
            kind,
            format!("{status} {code}: {message}"),
        ));
    }
    Err(WireError::Refused {
        status,
        code,
        message,
    })
}

fn unsupported<T>(what: &'static str) -> Timed<T> {
    (Err(WireError::Unsupported(what)), Duration::ZERO)
}

impl Wire for GooseWire<'_> {
    async fn challenge(&mut self) -> Timed<Challenge> {
        match self.transport.clone() {
            Transport::Json => {
                self.json("challenge", "/v1/challenges", &serde_json::json!({}))
                    .await
            }
            Transport::Xml => unsupported("challenges"),
            Transport::Direct(b) => self.direct("challenge", b.challenge()).await,
        }
    }

    async fn confirm_card(
        &mut self,
        req: &CardConfirmationRequest,
    ) -> Timed<QualificationResponse> {
        match self.transport.clone() {
            Transport::Json => {
                self.json("confirm-card", "/v1/confirmations/card", req)
                    .await
            }
            Transport::Xml => unsupported("card confirmation"),
            Transport::Direct(b) => self.direct("confirm-card", b.confirm_card(req)).await,
        }
    }

    async fn confirm_numbers(
        &mut self,
        req: &NumbersConfirmationRequest,
    ) -> Timed<QualificationResponse> {
        match self.transport.clone() {
            Transport::Json => {
                self.json("confirm-numbers", "/v1/confirmations/numbers", req)
                    .await
            }
            Transport::Xml => match numbers_to_xml(req, self.clock) {
                Ok(x) => self.xml("confirm-numbers", "OQSsiquc01req", &x).await,
                Err(e) => (Err(WireError::from_backend(e)), Duration::ZERO),
            },
            Transport::Direct(b) => self.direct("confirm-numbers", b.confirm_numbers(req)).await,
        }
    }

    async fn register(&mut self, req: &RegistrationRequest) -> Timed<RegistrationResponse> {
        match self.transport.clone() {
            Transport::Json => self.json("register", "/v1/registrations", req).await,
            Transport::Xml => unsupported("registration"),
            Transport::Direct(b) => self.direct("register", b.register(req)).await,
        }
    }

    async fn bulk_upload(&mut self, req: &BulkQualificationRequest) -> Timed<BulkUploadAck> {
        match self.transport.clone() {
            Transport::Json | Transport::Xml => self.xml("bulk-upload", "OQSmuquc01req", req).await,
            Transport::Direct(b) => self.direct("bulk-upload", b.bulk_upload(req)).await,
        }
    }

    async fn bulk_download(
        &mut self,
        req: &BulkDownloadRequest,
    ) -> Timed<BulkQualificationResponse> {
        match self.transport.clone() {
            Transport::Json | Transport::Xml => {
                self.xml("bulk-download", "OQSmuquc02req", req).await
            }
            Transport::Direct(b) => self.direct("bulk-download", b.bulk_download(req)).await,
        }
    }

    async fn card_ops(&mut self, name: &'static str, took: Duration, ok: bool) {
        let status = if ok { 0x9000 } else { 0x6F00 };
        let _ = self
            .user
            .record_custom_request_duration("APDU", name, took, ok, Some(status), None)
            .await;
    }
}

/// Calls an adapter directly, without Goose (tests, the probe).
pub struct DirectWire {
    backend: AnyBackend,
}

impl DirectWire {
    /// A wire over `backend`.
    pub fn new(backend: AnyBackend) -> Self {
        Self { backend }
    }
}

async fn timed<T>(call: impl Future<Output = Result<T, BackendError>>) -> Timed<T> {
    let started = Instant::now();
    let r = call.await.map_err(WireError::from_backend);
    (r, started.elapsed())
}

impl Wire for DirectWire {
    async fn challenge(&mut self) -> Timed<Challenge> {
        timed(self.backend.challenge()).await
    }

    async fn confirm_card(
        &mut self,
        req: &CardConfirmationRequest,
    ) -> Timed<QualificationResponse> {
        timed(self.backend.confirm_card(req)).await
    }

    async fn confirm_numbers(
        &mut self,
        req: &NumbersConfirmationRequest,
    ) -> Timed<QualificationResponse> {
        timed(self.backend.confirm_numbers(req)).await
    }

    async fn register(&mut self, req: &RegistrationRequest) -> Timed<RegistrationResponse> {
        timed(self.backend.register(req)).await
    }

    async fn bulk_upload(&mut self, req: &BulkQualificationRequest) -> Timed<BulkUploadAck> {
        timed(self.backend.bulk_upload(req)).await
    }

    async fn bulk_download(
        &mut self,
        req: &BulkDownloadRequest,
    ) -> Timed<BulkQualificationResponse> {
        timed(self.backend.bulk_download(req)).await
    }

    async fn card_ops(&mut self, _name: &'static str, _took: Duration, _ok: bool) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_answers_are_classified() {
        let ok: Result<Challenge, _> =
            json_answer(200, br#"{"nonce":"AQID","expires_in_seconds":120}"#);
        assert!(ok.is_ok());
        let bad: Result<Challenge, _> = json_answer(200, b"<html>");
        assert!(matches!(bad, Err(WireError::Malformed(_))));
        let refused: Result<Challenge, _> = json_answer(
            401,
            br#"{"error":{"code":"ONS-A121","message":"x","field":null}}"#,
        );
        assert!(matches!(refused, Err(WireError::Refused { ref code, .. }) if code == "ONS-A121"));
        let busy: Result<Challenge, _> = json_answer(503, b"{}");
        assert!(matches!(
            busy,
            Err(WireError::NoAnswer(ErrorKind::Unavailable, _))
        ));
        assert!(busy.unwrap_err().retryable());
    }
}
