//! A backend wrapper that simulates the clinic's side of an outage: the line is down
//! (unreachable) or the central system does not answer (timeout).

use onshi_domain::message::MedicalInstitutionCode;
use std::future::Future;

use onshi_backend::backend::*;
use onshi_domain::message::{
    BulkDownloadRequest, BulkQualificationRequest, BulkQualificationResponse, BulkUploadAck,
};

/// The fault seen from the clinic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineFault {
    /// 回線障害: nothing reachable.
    Down,
    /// The central system does not answer in time.
    Timeout,
}

/// A backend behind a line fault (or none).
#[derive(Debug, Clone)]
pub struct FaultyBackend<B> {
    inner: B,
    fault: Option<LineFault>,
}

impl<B> FaultyBackend<B> {
    /// Wraps `inner`; `fault = None` passes every call through.
    pub fn new(inner: B, fault: Option<LineFault>) -> Self {
        Self { inner, fault }
    }

    /// The wrapped backend.
    pub fn inner(&self) -> &B {
        &self.inner
    }

    fn fail(&self) -> Option<BackendError> {
        self.fault.map(|f| match f {
            LineFault::Down => {
                BackendError::Unreachable("回線障害 (simulated by the scenario)".into())
            }
            LineFault::Timeout => {
                BackendError::Timeout("資格確認システム無応答 (simulated by the scenario)".into())
            }
        })
    }
}

macro_rules! pass {
    ($self:ident, $call:expr) => {{
        let fail = $self.fail();
        async move {
            match fail {
                Some(e) => Err(e),
                None => $call.await,
            }
        }
    }};
}

impl<B: QualificationBackend> QualificationBackend for FaultyBackend<B> {
    fn name(&self) -> String {
        self.inner.name()
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    fn health(&self) -> impl Future<Output = Result<Health, BackendError>> + Send {
        pass!(self, self.inner.health())
    }

    fn reachable(&self) -> impl Future<Output = Result<(), BackendError>> + Send {
        pass!(self, self.inner.reachable())
    }

    fn challenge(&self) -> impl Future<Output = Result<Challenge, BackendError>> + Send {
        pass!(self, self.inner.challenge())
    }

    fn challenge_for(
        &self,
        facility: &MedicalInstitutionCode,
    ) -> impl Future<Output = Result<Challenge, BackendError>> + Send {
        pass!(self, self.inner.challenge_for(facility))
    }

    fn confirm_card(
        &self,
        req: &CardConfirmationRequest,
    ) -> impl Future<Output = Result<QualificationResponse, BackendError>> + Send {
        pass!(self, self.inner.confirm_card(req))
    }

    fn confirm_numbers(
        &self,
        req: &NumbersConfirmationRequest,
    ) -> impl Future<Output = Result<QualificationResponse, BackendError>> + Send {
        pass!(self, self.inner.confirm_numbers(req))
    }

    fn confirm_emergency(
        &self,
        req: &EmergencyConfirmationRequest,
    ) -> impl Future<Output = Result<QualificationResponse, BackendError>> + Send {
        pass!(self, self.inner.confirm_emergency(req))
    }

    fn register(
        &self,
        req: &RegistrationRequest,
    ) -> impl Future<Output = Result<RegistrationResponse, BackendError>> + Send {
        pass!(self, self.inner.register(req))
    }

    fn bulk_upload(
        &self,
        req: &BulkQualificationRequest,
    ) -> impl Future<Output = Result<BulkUploadAck, BackendError>> + Send {
        pass!(self, self.inner.bulk_upload(req))
    }

    fn bulk_download(
        &self,
        req: &BulkDownloadRequest,
    ) -> impl Future<Output = Result<BulkQualificationResponse, BackendError>> + Send {
        pass!(self, self.inner.bulk_download(req))
    }
}
