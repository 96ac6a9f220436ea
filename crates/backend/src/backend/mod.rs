//! Qualification backends: the [`QualificationBackend`] trait the reader (conformance)
//! and the load generator call, and its adapters.
//!
//! | adapter | `--backend` | card / registration | numbers | bulk |
//! |---|---|---|---|---|
//! | [`EmbeddedBackend`] | `embedded` | yes | JSON semantics | yes |
//! | [`HttpJsonBackend`] | `http://HOST:PORT` | `/v1/…` JSON | JSON | XML over HTTP |
//! | [`XmlHttpBackend`] | `xml+http://HOST:PORT` | `Unsupported` | `OQSsiquc01req` | yes |
//! | [`FolderBackend`] | `folder:DIR` | `Unsupported` | `OQSsiquc01req` file | yes |
//!
//! Every face answers the numbers alone: which document they were read from is the
//! clinic's to judge, never the backend's.
//!
//! A refused request is [`BackendError::Refused`] with the backend's `ONS-…` code
//! (4xx JSON, or XML `SegmentOfResult` 9); a refusal *for the person* (unregistered,
//! non-disclosure, …) is a normal [`QualificationResponse`] with
//! `ProcessingResultStatus` 2, from every adapter alike.
//!
//! The XML interface cannot carry a card; [`Capabilities`] says what an adapter can do
//! so callers can skip what it cannot test.

pub mod embedded;
pub mod error;
pub mod folder;
pub mod http_json;
pub mod spec;
pub mod xml_http;

use onshi_domain::message::MedicalInstitutionCode;
use std::future::Future;

pub use embedded::EmbeddedBackend;
pub use error::BackendError;
pub use folder::FolderBackend;
pub use http_json::HttpJsonBackend;
pub use onshi_domain::protocol::wire::*;
pub use spec::BackendSpec;
pub use xml_http::XmlHttpBackend;

use onshi_domain::message::{
    BulkDownloadRequest, BulkQualificationRequest, BulkQualificationResponse, BulkUploadAck,
};

/// What an adapter can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Capabilities {
    /// Challenges, card confirmations and registrations.
    pub card: bool,
    /// Bulk inquiry.
    pub bulk: bool,
}

impl Capabilities {
    /// Everything: the reference backend and the HTTP JSON face.
    pub const ALL: Self = Self {
        card: true,
        bulk: true,
    };
}

/// A qualification backend, whatever transport it speaks. Every method is `async`
/// and the returned futures are `Send`, so callers may spawn them.
pub trait QualificationBackend: Send + Sync {
    /// A short name for reports (`embedded`, `http://…`, …).
    fn name(&self) -> String;

    /// What this adapter can carry.
    fn capabilities(&self) -> Capabilities;

    /// `GET /v1/health`.
    fn health(&self) -> impl Future<Output = Result<Health, BackendError>> + Send;

    /// Whether the backend answers at all, by whatever its face allows (the health
    /// endpoint; for XML faces any HTTP answer, or the exchange folder's `req/`).
    fn reachable(&self) -> impl Future<Output = Result<(), BackendError>> + Send;

    /// `POST /v1/challenges`: a challenge any facility may use.
    fn challenge(&self) -> impl Future<Output = Result<Challenge, BackendError>> + Send;

    /// `POST /v1/challenges` naming `facility`: a challenge only its requests may use.
    fn challenge_for(
        &self,
        facility: &MedicalInstitutionCode,
    ) -> impl Future<Output = Result<Challenge, BackendError>> + Send;

    /// `POST /v1/confirmations/card`.
    fn confirm_card(
        &self,
        req: &CardConfirmationRequest,
    ) -> impl Future<Output = Result<QualificationResponse, BackendError>> + Send;

    /// `POST /v1/confirmations/numbers` (or `OQSsiquc01req`).
    fn confirm_numbers(
        &self,
        req: &NumbersConfirmationRequest,
    ) -> impl Future<Output = Result<QualificationResponse, BackendError>> + Send;

    /// `POST /v1/confirmations/emergency`: the 緊急時医療情報・資格確認機能's search by the
    /// 基本4情報 (onshi HTTP JSON only; the XML faces have no such message).
    fn confirm_emergency(
        &self,
        req: &EmergencyConfirmationRequest,
    ) -> impl Future<Output = Result<QualificationResponse, BackendError>> + Send;

    /// `POST /v1/registrations`.
    fn register(
        &self,
        req: &RegistrationRequest,
    ) -> impl Future<Output = Result<RegistrationResponse, BackendError>> + Send;

    /// `OQSmuquc01req` → 受付番号.
    fn bulk_upload(
        &self,
        req: &BulkQualificationRequest,
    ) -> impl Future<Output = Result<BulkUploadAck, BackendError>> + Send;

    /// `OQSmuquc02req` → results.
    fn bulk_download(
        &self,
        req: &BulkDownloadRequest,
    ) -> impl Future<Output = Result<BulkQualificationResponse, BackendError>> + Send;
}

/// Any adapter, chosen at run time (`--backend`).
#[derive(Debug, Clone)]
pub enum AnyBackend {
    /// The engine in process.
    Embedded(EmbeddedBackend),
    /// onshi HTTP JSON.
    HttpJson(HttpJsonBackend),
    /// XML over HTTP.
    XmlHttp(XmlHttpBackend),
    /// The req/res folder.
    Folder(FolderBackend),
}

impl AnyBackend {
    /// The adapter for `spec`. `clock` dates XML requests that carry no confirmation
    /// time (the harness's as-of + elapsed); `embedded` builds the engine when the
    /// spec asks for the in-process one.
    pub fn from_spec(
        spec: &BackendSpec,
        clock: onshi_domain::protocol::ServerClock,
        embedded: impl FnOnce() -> std::sync::Arc<crate::server::Engine>,
    ) -> Self {
        match spec {
            BackendSpec::Embedded => Self::Embedded(EmbeddedBackend::new(embedded())),
            BackendSpec::HttpJson(url) => Self::HttpJson(HttpJsonBackend::new(url.clone())),
            BackendSpec::XmlHttp(url) => Self::XmlHttp(XmlHttpBackend::new(url.clone(), clock)),
            BackendSpec::Folder(dir) => Self::Folder(FolderBackend::new(dir.clone(), clock)),
        }
    }
}

macro_rules! dispatch {
    ($self:ident, $b:ident => $e:expr) => {
        match $self {
            AnyBackend::Embedded($b) => $e,
            AnyBackend::HttpJson($b) => $e,
            AnyBackend::XmlHttp($b) => $e,
            AnyBackend::Folder($b) => $e,
        }
    };
}

impl QualificationBackend for AnyBackend {
    fn name(&self) -> String {
        dispatch!(self, b => b.name())
    }

    fn capabilities(&self) -> Capabilities {
        dispatch!(self, b => b.capabilities())
    }

    async fn health(&self) -> Result<Health, BackendError> {
        dispatch!(self, b => b.health().await)
    }

    async fn challenge(&self) -> Result<Challenge, BackendError> {
        dispatch!(self, b => b.challenge().await)
    }

    async fn reachable(&self) -> Result<(), BackendError> {
        dispatch!(self, b => b.reachable().await)
    }

    async fn challenge_for(
        &self,
        facility: &MedicalInstitutionCode,
    ) -> Result<Challenge, BackendError> {
        dispatch!(self, b => b.challenge_for(facility).await)
    }

    async fn confirm_card(
        &self,
        req: &CardConfirmationRequest,
    ) -> Result<QualificationResponse, BackendError> {
        dispatch!(self, b => b.confirm_card(req).await)
    }

    async fn confirm_numbers(
        &self,
        req: &NumbersConfirmationRequest,
    ) -> Result<QualificationResponse, BackendError> {
        dispatch!(self, b => b.confirm_numbers(req).await)
    }

    async fn confirm_emergency(
        &self,
        req: &EmergencyConfirmationRequest,
    ) -> Result<QualificationResponse, BackendError> {
        dispatch!(self, b => b.confirm_emergency(req).await)
    }

    async fn register(
        &self,
        req: &RegistrationRequest,
    ) -> Result<RegistrationResponse, BackendError> {
        dispatch!(self, b => b.register(req).await)
    }

    async fn bulk_upload(
        &self,
        req: &BulkQualificationRequest,
    ) -> Result<BulkUploadAck, BackendError> {
        dispatch!(self, b => b.bulk_upload(req).await)
    }

    async fn bulk_download(
        &self,
        req: &BulkDownloadRequest,
    ) -> Result<BulkQualificationResponse, BackendError> {
        dispatch!(self, b => b.bulk_download(req).await)
    }
}
