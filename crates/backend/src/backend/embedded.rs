//! The reference engine in process: no HTTP, no serialisation, the same decisions.

use onshi_domain::message::MedicalInstitutionCode;
use std::sync::Arc;

use super::error::BackendError;
use super::{Capabilities, QualificationBackend};
use crate::server::{AuditLog, Engine, Outcome};
use onshi_domain::message::{
    BulkDownloadRequest, BulkQualificationRequest, BulkQualificationResponse, BulkUploadAck,
};
use onshi_domain::protocol::ServerClock;
use onshi_domain::protocol::wire::*;

/// The engine behind a function call.
#[derive(Debug, Clone)]
pub struct EmbeddedBackend {
    engine: Arc<Engine>,
    clock: ServerClock,
    audit: AuditLog,
}

impl EmbeddedBackend {
    /// Lets `by` pass on this adapter's clock (challenges age, "now" moves on).
    pub fn advance(&mut self, by: std::time::Duration) {
        self.clock = self.clock.advanced(by);
    }

    /// Wraps an engine; its clock starts at the population's as-of time.
    pub fn new(engine: Arc<Engine>) -> Self {
        let clock = ServerClock::start(engine.population().as_of());
        Self {
            engine,
            clock,
            audit: AuditLog::disabled(),
        }
    }

    /// Writes audit records to `audit`.
    pub fn with_audit(mut self, audit: AuditLog) -> Self {
        self.audit = audit;
        self
    }

    /// The engine.
    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    fn finish<T>(&self, out: Outcome<T>) -> Result<T, BackendError> {
        let mut audit = out.audit;
        audit.transport = Some("embedded");
        self.audit.write(&audit);
        out.result.map_err(BackendError::from_engine)
    }
}

impl QualificationBackend for EmbeddedBackend {
    fn name(&self) -> String {
        "embedded".into()
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::ALL
    }

    async fn health(&self) -> Result<Health, BackendError> {
        Ok(self.engine.health(self.clock.as_of(), self.clock.now()))
    }

    async fn reachable(&self) -> Result<(), BackendError> {
        Ok(())
    }

    async fn challenge(&self) -> Result<Challenge, BackendError> {
        self.finish(self.engine.issue_challenge(self.clock.request_time()))
    }

    async fn challenge_for(
        &self,
        facility: &MedicalInstitutionCode,
    ) -> Result<Challenge, BackendError> {
        let t = self.clock.request_time();
        self.finish(self.engine.issue_challenge_for(Some(facility), t))
    }

    async fn confirm_card(
        &self,
        req: &CardConfirmationRequest,
    ) -> Result<QualificationResponse, BackendError> {
        self.finish(self.engine.confirm_card(req, self.clock.request_time()))
    }

    async fn confirm_numbers(
        &self,
        req: &NumbersConfirmationRequest,
    ) -> Result<QualificationResponse, BackendError> {
        self.finish(self.engine.confirm_numbers(req, self.clock.request_time()))
    }

    async fn confirm_emergency(
        &self,
        req: &EmergencyConfirmationRequest,
    ) -> Result<QualificationResponse, BackendError> {
        self.finish(
            self.engine
                .confirm_emergency(req, self.clock.request_time()),
        )
    }

    async fn register(
        &self,
        req: &RegistrationRequest,
    ) -> Result<RegistrationResponse, BackendError> {
        self.finish(self.engine.register(req, self.clock.request_time()))
    }

    async fn bulk_upload(
        &self,
        req: &BulkQualificationRequest,
    ) -> Result<BulkUploadAck, BackendError> {
        self.finish(self.engine.bulk_upload(req, self.clock.request_time()))
    }

    async fn bulk_download(
        &self,
        req: &BulkDownloadRequest,
    ) -> Result<BulkQualificationResponse, BackendError> {
        self.finish(self.engine.bulk_download(req, self.clock.request_time()))
    }
}
