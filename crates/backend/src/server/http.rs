//! The HTTP faces of the engine (axum 0.8): the onshi JSON API under `/v1/…` and XML
//! over HTTP under `/v1/xml/…`. [`app`] builds the router `onshi serve` runs and the
//! tests drive with `tower::ServiceExt::oneshot`.
//!
//! Bodies are read under a size limit (413 `ONS-E005`); JSON endpoints want
//! `application/json` (415 `ONS-E004`); every error of the JSON API is one
//! [`ApiError`] body (`{"error": {"code", "message", "field"}}`), a 500 says nothing
//! but "internal error" and logs the detail. XML endpoints always answer an XML
//! document, `SegmentOfResult` 9 on errors, with the error's HTTP status. Every
//! request — answered, refused or faulted — writes one audit record.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::audit::{AuditLog, AuditRecord};
use super::engine::{Engine, EngineError, Outcome};
use super::faults::FaultInjector;
use super::xmlface::{self, XmlExchange};
use onshi_domain::codes::CharacterEncoding;
use onshi_domain::protocol::clock::ServerClock;
use onshi_domain::protocol::result_code::ResultCode;
use onshi_domain::protocol::wire::{
    ApiErrorBody, ApiErrorDetail, CardConfirmationRequest, ChallengeRequest,
    EmergencyConfirmationRequest, NumbersConfirmationRequest, RegistrationRequest,
};

/// Every route of the API: (method, path). The OpenAPI file lists each (a test checks).
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/v1/health"),
    ("POST", "/v1/challenges"),
    ("POST", "/v1/confirmations/card"),
    ("POST", "/v1/confirmations/numbers"),
    ("POST", "/v1/confirmations/emergency"),
    ("POST", "/v1/registrations"),
    ("POST", "/v1/xml/OQSsiquc01req"),
    ("POST", "/v1/xml/OQSmuquc01req"),
    ("POST", "/v1/xml/OQSmuquc02req"),
];

/// Body size limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// JSON bodies (64 KiB: a certificate and signatures are a few KiB).
    pub json: usize,
    /// One XML message (1 MiB).
    pub xml: usize,
    /// A bulk XML upload (16 MiB).
    pub bulk: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            json: 64 * 1024,
            xml: onshi_domain::xml::MAX_MESSAGE_BYTES,
            bulk: 16 << 20,
        }
    }
}

/// What the handlers share.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The engine.
    pub engine: Arc<Engine>,
    /// The server clock (as-of + elapsed).
    pub clock: ServerClock,
    /// The audit log.
    pub audit: AuditLog,
    /// Fault injection.
    pub faults: Arc<FaultInjector>,
    /// Body limits.
    pub limits: Limits,
    /// Where card confirmations also drop a face-reader result file
    /// (`OQSsiquc01res_face_…xml`, Shift_JIS), as the reader software does into the
    /// folder exchange's `res/`; `None` = not written.
    pub face_results: Option<std::path::PathBuf>,
}

impl AppState {
    /// State with no faults, default limits.
    pub fn new(engine: Arc<Engine>, clock: ServerClock, audit: AuditLog) -> Self {
        Self {
            engine,
            clock,
            audit,
            faults: Arc::new(FaultInjector::quiet()),
            limits: Limits::default(),
            face_results: None,
        }
    }

    fn log(&self, mut a: AuditRecord, transport: &'static str, status: u16, started: Instant) {
        a.transport = Some(transport);
        a.http_status = Some(status);
        a.latency_us = Some(u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX));
        self.audit.write(&a);
    }
}

/// The error body of the JSON API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// The code.
    pub code: ResultCode,
    /// The message.
    pub message: String,
    /// The field to blame.
    pub field: Option<String>,
}

impl From<EngineError> for ApiError {
    fn from(e: EngineError) -> Self {
        Self {
            status: StatusCode::from_u16(e.code.http_status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            code: e.code,
            message: e.message,
            field: e.field,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let message = if self.status.is_server_error() && self.code == ResultCode::Internal {
            tracing::error!(code = %self.code, "internal error: {}", self.message);
            self.code.message().to_owned()
        } else {
            self.message
        };
        let body = ApiErrorBody {
            error: ApiErrorDetail {
                code: self.code.code().to_owned(),
                message,
                field: self.field,
            },
        };
        let mut resp = (self.status, axum::Json(body)).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        resp
    }
}

/// The router.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/v1/health", get(health))
        .route("/v1/challenges", post(challenge))
        .route("/v1/confirmations/card", post(card))
        .route("/v1/confirmations/numbers", post(numbers))
        .route("/v1/confirmations/emergency", post(emergency))
        .route("/v1/registrations", post(registration))
        .route("/v1/xml/OQSsiquc01req", post(xml_inquiry))
        .route("/v1/xml/OQSmuquc01req", post(xml_bulk_upload))
        .route("/v1/xml/OQSmuquc02req", post(xml_bulk_download))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), fault_layer))
        .with_state(state)
}

async fn fault_layer(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let now = s.clock.now();
    let health = req.uri().path() == "/v1/health";
    let decision = if health {
        super::faults::FaultDecision {
            delay: std::time::Duration::ZERO,
            fail: s.faults.in_outage(now).then_some(ResultCode::Unavailable),
        }
    } else {
        s.faults.decide(now)
    };
    if !decision.delay.is_zero() {
        tokio::time::sleep(decision.delay).await;
    }
    if let Some(code) = decision.fail {
        let started = Instant::now();
        let mut a =
            s.engine
                .audit_rejected(now, code, format!("fault injected on {}", req.uri().path()));
        a.detail = Some(format!("fault injected on {}", req.uri().path()));
        s.log(a, "http", code.http_status(), started);
        return ApiError::from(EngineError::new(code)).into_response();
    }
    next.run(req).await
}

async fn not_found(State(s): State<AppState>, req: Request) -> Response {
    reject_json(
        &s,
        EngineError::detail(ResultCode::NotFound, req.uri().path()),
    )
}

async fn method_not_allowed(State(s): State<AppState>, req: Request) -> Response {
    reject_json(
        &s,
        EngineError::detail(
            ResultCode::MethodNotAllowed,
            format!("{} {}", req.method(), req.uri().path()),
        ),
    )
}

fn reject_json(s: &AppState, e: EngineError) -> Response {
    let now = s.clock.now();
    let a = s.engine.audit_rejected(now, e.code, e.message.clone());
    s.log(a, "http-json", e.code.http_status(), Instant::now());
    ApiError::from(e).into_response()
}

/// Reads a body under `limit`.
async fn read_body(req: Request, limit: usize) -> Result<(HeaderMap, Bytes), EngineError> {
    let (parts, body) = req.into_parts();
    let too_large =
        || EngineError::detail(ResultCode::PayloadTooLarge, format!("上限 {limit} バイト"));
    if let Some(len) = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        && len > limit
    {
        return Err(too_large());
    }
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| too_large())?;
    Ok((parts.headers, bytes))
}

/// The field a serde_json message blames, if it names one.
fn json_field(message: &str) -> Option<String> {
    for marker in ["missing field `", "unknown field `", "duplicate field `"] {
        if let Some(i) = message.find(marker) {
            let rest = &message[i + marker.len()..];
            return rest.find('`').map(|j| rest[..j].to_owned());
        }
    }
    message
        .strip_prefix("invalid ")
        .and_then(|rest| rest.split_once(':'))
        .map(|(field, _)| field.to_owned())
        .filter(|f| !f.contains(' '))
}

async fn read_json<T: DeserializeOwned>(req: Request, limit: usize) -> Result<T, EngineError> {
    let (headers, bytes) = read_body(req, limit).await?;
    parse_json(&headers, &bytes)
}

/// A JSON body of the right content type as `T`; errors name the field, never the value.
pub(crate) fn parse_json<T: DeserializeOwned>(
    headers: &HeaderMap,
    bytes: &[u8],
) -> Result<T, EngineError> {
    if let Some(ct) = headers.get(header::CONTENT_TYPE) {
        let ct = ct.to_str().unwrap_or_default().to_ascii_lowercase();
        if !ct.contains("json") {
            return Err(EngineError::detail(ResultCode::UnsupportedMediaType, ct));
        }
    }
    serde_json::from_slice::<T>(bytes).map_err(|e| {
        let code = match e.classify() {
            serde_json::error::Category::Data => ResultCode::InvalidField,
            _ => ResultCode::MalformedRequest,
        };
        let message = e.to_string();
        let field = json_field(&message);
        // The answer and the audit say where and what kind, never the value sent.
        let err = EngineError::detail(code, super::audit::redact_values(&message));
        match field {
            Some(f) => err.field(f),
            None => err,
        }
    })
}

fn respond_json<T: Serialize>(s: &AppState, out: Outcome<T>, started: Instant) -> Response {
    match out.result {
        Ok(body) => {
            s.log(out.audit, "http-json", 200, started);
            axum::Json(body).into_response()
        }
        Err(e) => {
            s.log(out.audit, "http-json", e.code.http_status(), started);
            ApiError::from(e).into_response()
        }
    }
}

async fn health(State(s): State<AppState>) -> Response {
    axum::Json(s.engine.health(s.clock.as_of(), s.clock.now())).into_response()
}

async fn challenge(State(s): State<AppState>, req: Request) -> Response {
    let started = Instant::now();
    // The body is optional; when it names the facility, the challenge serves only it.
    let (headers, bytes) = match read_body(req, s.limits.json).await {
        Ok(body) => body,
        Err(e) => return reject_json(&s, e),
    };
    let asked: ChallengeRequest = if bytes.iter().all(u8::is_ascii_whitespace) {
        ChallengeRequest::default()
    } else {
        match parse_json(&headers, &bytes) {
            Ok(body) => body,
            Err(e) => return reject_json(&s, e),
        }
    };
    let facility = asked.medical_institution_code.as_ref();
    let out = s
        .engine
        .issue_challenge_for(facility, s.clock.request_time());
    respond_json(&s, out, started)
}

async fn card(State(s): State<AppState>, req: Request) -> Response {
    let started = Instant::now();
    match read_json::<CardConfirmationRequest>(req, s.limits.json).await {
        Ok(body) => {
            let out = s.engine.confirm_card(&body, s.clock.request_time());
            if let (Some(dir), Ok(res)) = (&s.face_results, &out.result) {
                write_face_result(dir.clone(), res.clone(), out.audit.seq).await;
            }
            respond_json(&s, out, started)
        }
        Err(e) => reject_json(&s, e),
    }
}

/// Writes `OQSsiquc01res_face_<医療機関コード><20 digits>_<yyyyMMddHHmmss>.xml` (temporary
/// name, then rename). A failure is logged, never the request's problem.
async fn write_face_result(
    dir: std::path::PathBuf,
    res: onshi_domain::message::QualificationResponse,
    seq: u64,
) {
    let name = onshi_domain::xml::OqsFileName::FaceResult {
        medical_institution_code: res.message_header.medical_institution_code.clone(),
        identifier: format!("{seq:020}"),
        written_at: res.message_header.process_execution_time,
    }
    .to_string();
    let bytes = onshi_domain::xml::encode(&res, CharacterEncoding::ShiftJis);
    let path = dir.join(name);
    let written =
        tokio::task::spawn_blocking(move || onshi_support::fsutil::write_atomic(&path, &bytes))
            .await;
    if let Ok(Err(e)) | Err(e) = written.map_err(std::io::Error::other) {
        tracing::warn!("face result not written: {e}");
    }
}

async fn numbers(State(s): State<AppState>, req: Request) -> Response {
    let started = Instant::now();
    match read_json::<NumbersConfirmationRequest>(req, s.limits.json).await {
        Ok(body) => {
            let out = s.engine.confirm_numbers(&body, s.clock.request_time());
            respond_json(&s, out, started)
        }
        Err(e) => reject_json(&s, e),
    }
}

async fn emergency(State(s): State<AppState>, req: Request) -> Response {
    let started = Instant::now();
    match read_json::<EmergencyConfirmationRequest>(req, s.limits.json).await {
        Ok(body) => {
            let out = s.engine.confirm_emergency(&body, s.clock.request_time());
            respond_json(&s, out, started)
        }
        Err(e) => reject_json(&s, e),
    }
}

async fn registration(State(s): State<AppState>, req: Request) -> Response {
    let started = Instant::now();
    match read_json::<RegistrationRequest>(req, s.limits.json).await {
        Ok(body) => {
            let out = s.engine.register(&body, s.clock.request_time());
            respond_json(&s, out, started)
        }
        Err(e) => reject_json(&s, e),
    }
}

fn xml_response(s: &AppState, x: XmlExchange, started: Instant) -> Response {
    let content_type = match x.encoding {
        CharacterEncoding::Utf8 => "application/xml; charset=UTF-8",
        CharacterEncoding::ShiftJis => "application/xml; charset=Shift_JIS",
    };
    s.log(x.audit, "xml-http", x.status, started);
    let status = StatusCode::from_u16(x.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        Body::from(x.body),
    )
        .into_response()
}

async fn xml_call(
    s: AppState,
    req: Request,
    limit: usize,
    f: fn(&Engine, &[u8], super::engine::RequestTime) -> XmlExchange,
) -> Response {
    let started = Instant::now();
    let t = s.clock.request_time();
    let bytes = match read_body(req, limit).await {
        Ok((_, b)) => b,
        Err(e) => {
            // Answer in XML even when the body was never read.
            let res = super::engine::xml_error_response(
                &e,
                &xmlface::lenient_facility(b""),
                None,
                t.now,
                onshi_domain::codes::ReferenceClassification::InsuranceCardNumbers,
            );
            let x = XmlExchange {
                body: onshi_domain::xml::encode(&res, CharacterEncoding::Utf8),
                encoding: CharacterEncoding::Utf8,
                status: e.code.http_status(),
                audit: s.engine.audit_rejected(t.now, e.code, e.message.clone()),
            };
            return xml_response(&s, x, started);
        }
    };
    let engine = Arc::clone(&s.engine);
    let x = tokio::task::spawn_blocking(move || f(&engine, &bytes, t)).await;
    match x {
        Ok(x) => xml_response(&s, x, started),
        Err(join) => {
            tracing::error!("XML handler failed: {join}");
            ApiError::from(EngineError::new(ResultCode::Internal)).into_response()
        }
    }
}

async fn xml_inquiry(State(s): State<AppState>, req: Request) -> Response {
    let limit = s.limits.xml;
    xml_call(s, req, limit, xmlface::inquiry).await
}

async fn xml_bulk_upload(State(s): State<AppState>, req: Request) -> Response {
    let limit = s.limits.bulk;
    xml_call(s, req, limit, xmlface::bulk_upload).await
}

async fn xml_bulk_download(State(s): State<AppState>, req: Request) -> Response {
    let limit = s.limits.xml;
    xml_call(s, req, limit, xmlface::bulk_download).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_name_their_field() {
        assert_eq!(
            json_field("missing field `nonce` at line 1 column 2").as_deref(),
            Some("nonce")
        );
        assert_eq!(
            json_field("unknown field `x`, expected one of").as_deref(),
            Some("x")
        );
        assert_eq!(
            json_field("invalid MedicalInstitutionCode: \"1\" (must be 10 digits)").as_deref(),
            Some("MedicalInstitutionCode")
        );
        assert_eq!(json_field("expected value at line 1 column 1"), None);
    }
}
