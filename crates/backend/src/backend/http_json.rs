//! The onshi HTTP JSON protocol (`/v1/…`) over reqwest; bulk inquiry goes over the
//! same server's XML endpoints.

use onshi_domain::message::MedicalInstitutionCode;
use onshi_domain::protocol::wire::ChallengeRequest;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::BackendError;
use super::xml_http::post_xml;
use super::{Capabilities, QualificationBackend};
use onshi_domain::message::{
    BulkDownloadRequest, BulkQualificationRequest, BulkQualificationResponse, BulkUploadAck,
};
use onshi_domain::protocol::wire::*;

/// A client of `onshi serve` (or any backend speaking the same JSON API).
#[derive(Debug, Clone)]
pub struct HttpJsonBackend {
    base: String,
    client: reqwest::Client,
}

/// The error of a failed send.
pub(crate) fn transport_error(e: &reqwest::Error) -> BackendError {
    if e.is_timeout() {
        BackendError::Timeout(e.to_string())
    } else if e.is_connect() || e.is_request() {
        BackendError::Unreachable(format!("{e} ({})", error_chain(e)))
    } else {
        BackendError::Protocol(error_chain(e))
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        text.push_str(": ");
        text.push_str(&s.to_string());
        cur = s.source();
    }
    text
}

/// A reqwest client with the harness's defaults. An idle pooled connection is dropped
/// after half the time `onshi serve` keeps one ([`HEADER_READ`](crate::server::serving::HEADER_READ)):
/// a request sent on a connection the server is closing at that moment fails with
/// "connection closed before message completed" (seen in the expired-challenge
/// scenario, which waits about 10 s between two requests).
pub(crate) fn client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(5))
        .pool_idle_timeout(crate::server::serving::HEADER_READ / 2)
        .pool_max_idle_per_host(64)
        .tcp_nodelay(true)
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
}

impl HttpJsonBackend {
    /// A client of `base` (`http://127.0.0.1:8080`), 30 s timeout.
    pub fn new(base: impl Into<String>) -> Self {
        Self::with_timeout(base, Duration::from_secs(30))
    }

    /// With an explicit timeout per request.
    pub fn with_timeout(base: impl Into<String>, timeout: Duration) -> Self {
        Self {
            base: base.into().trim_end_matches('/').to_owned(),
            client: client(timeout),
        }
    }

    /// The base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    async fn send<T: DeserializeOwned>(
        &self,
        req: reqwest::RequestBuilder,
    ) -> Result<T, BackendError> {
        let resp = req.send().await.map_err(|e| transport_error(&e))?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(|e| transport_error(&e))?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|e| {
                BackendError::Protocol(format!("{status} answer is not the expected JSON: {e}"))
            });
        }
        match serde_json::from_slice::<ApiErrorBody>(&bytes) {
            Ok(body) => Err(BackendError::Refused {
                status: status.as_u16(),
                code: body.error.code,
                message: body.error.message,
                field: body.error.field,
            }),
            Err(_) => Err(BackendError::Refused {
                status: status.as_u16(),
                code: format!("HTTP-{}", status.as_u16()),
                message: String::from_utf8_lossy(&bytes[..bytes.len().min(500)]).into_owned(),
                field: None,
            }),
        }
    }

    async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, BackendError> {
        self.send(self.client.post(format!("{}{path}", self.base)).json(body))
            .await
    }
}

impl QualificationBackend for HttpJsonBackend {
    fn name(&self) -> String {
        self.base.clone()
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::ALL
    }

    async fn health(&self) -> Result<Health, BackendError> {
        self.send(self.client.get(format!("{}/v1/health", self.base)))
            .await
    }

    async fn reachable(&self) -> Result<(), BackendError> {
        self.health().await.map(|_| ())
    }

    async fn challenge(&self) -> Result<Challenge, BackendError> {
        self.send(self.client.post(format!("{}/v1/challenges", self.base)))
            .await
    }

    async fn challenge_for(
        &self,
        facility: &MedicalInstitutionCode,
    ) -> Result<Challenge, BackendError> {
        let body = ChallengeRequest {
            medical_institution_code: Some(facility.clone()),
        };
        self.post("/v1/challenges", &body).await
    }

    async fn confirm_card(
        &self,
        req: &CardConfirmationRequest,
    ) -> Result<QualificationResponse, BackendError> {
        self.post("/v1/confirmations/card", req).await
    }

    async fn confirm_numbers(
        &self,
        req: &NumbersConfirmationRequest,
    ) -> Result<QualificationResponse, BackendError> {
        self.post("/v1/confirmations/numbers", req).await
    }

    async fn confirm_emergency(
        &self,
        req: &EmergencyConfirmationRequest,
    ) -> Result<QualificationResponse, BackendError> {
        self.post("/v1/confirmations/emergency", req).await
    }

    async fn register(
        &self,
        req: &RegistrationRequest,
    ) -> Result<RegistrationResponse, BackendError> {
        self.post("/v1/registrations", req).await
    }

    async fn bulk_upload(
        &self,
        req: &BulkQualificationRequest,
    ) -> Result<BulkUploadAck, BackendError> {
        let res: Result<BulkUploadAck, _> =
            post_xml(&self.client, &self.base, "OQSmuquc01req", req).await;
        res
    }

    async fn bulk_download(
        &self,
        req: &BulkDownloadRequest,
    ) -> Result<BulkQualificationResponse, BackendError> {
        post_xml(&self.client, &self.base, "OQSmuquc02req", req).await
    }
}
