//! The clinic-control API (`openapi/clinic-control-v1.yaml`): [`RemoteClinic`] is
//! onshi's client of a clinic under test; [`app`] serves the reference clinic behind
//! the same API (`onshi clinic serve`), its numbers queries going to the backend each
//! visit names.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};

use onshi_backend::backend::HttpJsonBackend;
use onshi_domain::clinic::{
    ClinicAnswer, ClinicDefect, ClinicInfo, ClinicVisitRequest, RecoveryAnswer, RecoveryRequest,
};
use onshi_domain::rules::RulesCalendar;

/// How long onshi waits for a clinic's answer.
pub const VISIT_TIMEOUT: Duration = Duration::from_secs(60);

/// The largest visit request the reference clinic reads (a face-result file of at most
/// 1 MiB, base64, and the rest): 413 beyond.
pub const MAX_REQUEST_BYTES: usize = 2 << 20;

/// The largest answer onshi reads from a clinic (a decision and its numbers queries
/// fit in a few KiB).
pub const MAX_ANSWER_BYTES: usize = 1 << 20;

/// A clinic-control failure.
#[derive(Debug, thiserror::Error)]
pub enum ClinicPlugError {
    /// The clinic could not be reached.
    #[error("clinic {url} unreachable: {detail}")]
    Unreachable {
        /// Its URL.
        url: String,
        /// Why.
        detail: String,
    },
    /// The clinic answered with an error or an unreadable body.
    #[error("clinic {url}: {detail}")]
    Protocol {
        /// Its URL.
        url: String,
        /// What was wrong.
        detail: String,
    },
}

/// onshi's client of a clinic under test.
#[derive(Debug, Clone)]
pub struct RemoteClinic {
    base: String,
    http: reqwest::Client,
}

impl RemoteClinic {
    /// A client for the clinic at `base` (`http://127.0.0.1:7080`).
    pub fn new(base: impl Into<String>) -> Self {
        Self {
            base: base.into().trim_end_matches('/').to_owned(),
            http: reqwest::Client::builder()
                .timeout(VISIT_TIMEOUT)
                .pool_idle_timeout(Duration::from_secs(4))
                .build()
                .unwrap_or_default(),
        }
    }

    /// The base URL.
    pub fn url(&self) -> &str {
        &self.base
    }

    fn unreachable(&self, e: impl std::fmt::Display) -> ClinicPlugError {
        ClinicPlugError::Unreachable {
            url: self.base.clone(),
            detail: e.to_string(),
        }
    }

    fn protocol(&self, e: impl std::fmt::Display) -> ClinicPlugError {
        ClinicPlugError::Protocol {
            url: self.base.clone(),
            detail: e.to_string(),
        }
    }

    /// The body of `r`, at most [`MAX_ANSWER_BYTES`], as text (lossy UTF-8).
    async fn body(&self, mut r: reqwest::Response) -> Result<String, ClinicPlugError> {
        let mut body = Vec::new();
        while let Some(chunk) = r.chunk().await.map_err(|e| self.protocol(e))? {
            if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(self.protocol(format!("answer larger than {MAX_ANSWER_BYTES} bytes")));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(String::from_utf8_lossy(&body).into_owned())
    }

    /// `GET /v1/clinic`.
    pub async fn info(&self) -> Result<ClinicInfo, ClinicPlugError> {
        let r = self
            .http
            .get(format!("{}/v1/clinic", self.base))
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        if !r.status().is_success() {
            return Err(self.protocol(format!("GET /v1/clinic answered {}", r.status())));
        }
        let body = r.text().await.map_err(|e| self.protocol(e))?;
        serde_json::from_str(&body)
            .map_err(|e| self.protocol(format!("unreadable clinic info: {e}")))
    }

    /// `POST /v1/visits`.
    pub async fn visit(&self, req: &ClinicVisitRequest) -> Result<ClinicAnswer, ClinicPlugError> {
        self.post("/v1/visits", req).await
    }

    /// `POST /v1/recoveries`.
    pub async fn recover(&self, req: &RecoveryRequest) -> Result<RecoveryAnswer, ClinicPlugError> {
        self.post("/v1/recoveries", req).await
    }

    async fn post<Q: serde::Serialize, A: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        req: &Q,
    ) -> Result<A, ClinicPlugError> {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .json(req)
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        let status = r.status();
        let body = self.body(r).await?;
        if !status.is_success() {
            return Err(self.protocol(format!("POST {path} answered {status}: {body}")));
        }
        serde_json::from_str(&body)
            .map_err(|e| self.protocol(format!("unreadable clinic answer to POST {path}: {e}")))
    }
}

/// How the reference clinic is served.
#[derive(Debug, Clone)]
pub struct ClinicServerConfig {
    /// Its rules calendar.
    pub calendar: RulesCalendar,
    /// Its deliberate defects.
    pub defects: Vec<ClinicDefect>,
}

type Shared = Arc<ClinicServerConfig>;

async fn info(State(config): State<Shared>) -> Json<ClinicInfo> {
    Json(ClinicInfo {
        vendor: "onshi".into(),
        model: "reference clinic".into(),
        version: if config.defects.is_empty() {
            env!("CARGO_PKG_VERSION").to_owned()
        } else {
            format!(
                "{} (defects: {})",
                env!("CARGO_PKG_VERSION"),
                config
                    .defects
                    .iter()
                    .map(|d| d.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
    })
}

async fn visit(
    State(config): State<Shared>,
    body: Result<Json<ClinicVisitRequest>, JsonRejection>,
) -> Result<Json<ClinicAnswer>, (StatusCode, String)> {
    let Json(req) = body.map_err(|e| (e.status(), e.body_text()))?;
    let backend = HttpJsonBackend::new(req.backend_url.clone());
    super::desk::attend(&config.calendar, &req, &backend, &config.defects)
        .await
        .map(Json)
        .map_err(|e| (StatusCode::BAD_REQUEST, e.to_string()))
}

async fn recovery(
    State(config): State<Shared>,
    body: Result<Json<RecoveryRequest>, JsonRejection>,
) -> Result<Json<RecoveryAnswer>, (StatusCode, String)> {
    let Json(req) = body.map_err(|e| (e.status(), e.body_text()))?;
    let backend = HttpJsonBackend::new(req.backend_url.clone());
    super::desk::recover(&req, &backend, &config.defects)
        .await
        .map(Json)
        .map_err(|e| (StatusCode::BAD_REQUEST, e.to_string()))
}

/// The router of the reference clinic's control API.
pub fn app(config: ClinicServerConfig) -> Router {
    Router::new()
        .route("/v1/clinic", get(info))
        .route("/v1/visits", post(visit))
        .route("/v1/recoveries", post(recovery))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .with_state(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    fn router() -> Router {
        app(ClinicServerConfig {
            calendar: RulesCalendar::reference(),
            defects: Vec::new(),
        })
    }

    /// `POST /v1/visits` with a JSON `body`.
    async fn post_visit(body: String) -> axum::response::Response {
        router()
            .oneshot(
                Request::post("/v1/visits")
                    .header("content-type", "application/json")
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_malformed_visit_is_a_400_never_a_panic() {
        for body in ["", "{}", "not json", r#"{"visit_id": 1}"#] {
            let r = post_visit(body.to_owned()).await;
            assert!(r.status().is_client_error(), "{body}: {}", r.status());
        }
    }

    #[tokio::test]
    async fn an_oversized_visit_is_refused() {
        let body = format!("{{\"visit_id\": \"{}\"}}", "x".repeat(MAX_REQUEST_BYTES));
        let r = post_visit(body).await;
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }

    /// `POST /v1/recoveries`: a malformed body is a 4xx; a backend still down leaves
    /// the patient 不詳, with the failed query as evidence.
    #[tokio::test]
    async fn a_recovery_is_checked_and_answered() {
        let post = |body: String| async move {
            router()
                .oneshot(
                    Request::post("/v1/recoveries")
                        .header("content-type", "application/json")
                        .body(Body::from(body))
                        .unwrap(),
                )
                .await
                .unwrap()
        };
        for body in ["", "{}", r#"{"visit_id": "v"}"#] {
            assert!(
                post(body.to_owned()).await.status().is_client_error(),
                "{body}"
            );
        }
        let good = r#"{"visit_id":"v","recovered_at":"2026-11-30T12:00:00","medical_institution_code":"1311234567","backend_url":"http://127.0.0.1:1","noted":{"name":"山田 太郎","sex":"1","birth_date":"1985-04-12","address":"東京都千代田区"}}"#;
        let r = post(good.to_owned()).await;
        assert_eq!(r.status(), StatusCode::OK);
        let bytes = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
        let answer: RecoveryAnswer = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(answer.billed, None);
        assert_eq!(answer.queries.len(), 1);
        let bad = good.replace("東京都千代田区", " ");
        assert_eq!(post(bad).await.status(), StatusCode::BAD_REQUEST);
    }

    #[tokio::test]
    async fn it_says_what_it_is() {
        let r = router()
            .oneshot(Request::get("/v1/clinic").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
}
