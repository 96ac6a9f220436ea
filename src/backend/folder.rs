//! The req/res folder exchange as a client: write `DIR/req/<prefix><body>.xml`
//! (temporary dot-name, then rename), wait for `DIR/res/` under the mirrored name,
//! read it and remove it. Numbers and bulk only.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::error::BackendError;
use super::protocol::*;
use super::xml_http::{XmlAnswer, numbers_to_xml, read_answer};
use super::{Capabilities, QualificationBackend};
use crate::codes::CharacterEncoding;
use crate::message::{
    BulkDownloadRequest, BulkQualificationRequest, BulkQualificationResponse, BulkUploadAck,
};
use crate::server::ServerClock;
use crate::xml::{self, MessageKind, XmlMessage, mirror_response_name};

/// A client of a req/res folder pair.
#[derive(Debug, Clone)]
pub struct FolderBackend {
    dir: PathBuf,
    clock: ServerClock,
    timeout: Duration,
    poll: Duration,
    encoding: CharacterEncoding,
    counter: Arc<AtomicU64>,
}

impl FolderBackend {
    /// A client of `dir` (with `req/` and `res/`); requests without a confirmation time
    /// use `clock`'s date. 30 s timeout, 10 ms polling, Shift_JIS requests (as clinic
    /// programs write them).
    pub fn new(dir: impl Into<PathBuf>, clock: ServerClock) -> Self {
        Self {
            dir: dir.into(),
            clock,
            timeout: Duration::from_secs(30),
            poll: Duration::from_millis(10),
            encoding: CharacterEncoding::ShiftJis,
            counter: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Sets the time to wait for an answer.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the request encoding.
    pub fn with_encoding(mut self, encoding: CharacterEncoding) -> Self {
        self.encoding = encoding;
        self
    }

    fn name_for(&self, kind: MessageKind) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed) + 1;
        format!(
            "{}{}{:04}_{}_{n}.xml",
            kind.prefix(),
            self.clock.now().format("%Y%m%d"),
            n % 10_000,
            std::process::id()
        )
    }

    async fn exchange<Req: XmlMessage, Res: XmlAnswer>(
        &self,
        kind: MessageKind,
        req: &Req,
    ) -> Result<Res, BackendError> {
        let req_dir = self.dir.join("req");
        if !tokio::fs::try_exists(&req_dir).await.unwrap_or(false) {
            return Err(BackendError::Unreachable(format!(
                "{} does not exist",
                req_dir.display()
            )));
        }
        let name = self.name_for(kind);
        let answer_name =
            mirror_response_name(&name).map_err(|e| BackendError::Protocol(e.to_string()))?;
        let bytes = xml::encode(req, self.encoding);
        let path = req_dir.join(&name);
        write(&path, bytes).await?;
        let answer_path = self.dir.join("res").join(answer_name);
        let started = Instant::now();
        loop {
            if let Ok(bytes) = tokio::fs::read(&answer_path).await {
                let _ = tokio::fs::remove_file(&answer_path).await;
                return read_answer(&bytes, None);
            }
            if started.elapsed() > self.timeout {
                let _ = tokio::fs::remove_file(&path).await;
                return Err(BackendError::Timeout(format!(
                    "no {} within {:?}",
                    answer_path.display(),
                    self.timeout
                )));
            }
            tokio::time::sleep(self.poll).await;
        }
    }
}

async fn write(path: &Path, bytes: Vec<u8>) -> Result<(), BackendError> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || crate::fsutil::write_atomic(&path, &bytes))
        .await
        .map_err(|e| BackendError::Unreachable(e.to_string()))?
        .map_err(|e| BackendError::Unreachable(e.to_string()))
}

fn unsupported(operation: &'static str) -> BackendError {
    BackendError::Unsupported {
        backend: "folder",
        operation,
    }
}

impl QualificationBackend for FolderBackend {
    fn name(&self) -> String {
        format!("folder:{}", self.dir.display())
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            card: false,
            document_rules: false,
            bulk: true,
        }
    }

    async fn health(&self) -> Result<Health, BackendError> {
        Err(unsupported("health"))
    }

    async fn challenge(&self) -> Result<Challenge, BackendError> {
        Err(unsupported("challenges"))
    }

    async fn confirm_card(
        &self,
        _req: &CardConfirmationRequest,
    ) -> Result<QualificationResponse, BackendError> {
        Err(unsupported("card confirmation"))
    }

    async fn confirm_numbers(
        &self,
        req: &NumbersConfirmationRequest,
    ) -> Result<QualificationResponse, BackendError> {
        let xml_req = numbers_to_xml(req, &self.clock)?;
        self.exchange(MessageKind::QualificationRequest, &xml_req)
            .await
    }

    async fn register(
        &self,
        _req: &RegistrationRequest,
    ) -> Result<RegistrationResponse, BackendError> {
        Err(unsupported("registration"))
    }

    async fn bulk_upload(
        &self,
        req: &BulkQualificationRequest,
    ) -> Result<BulkUploadAck, BackendError> {
        self.exchange(MessageKind::BulkRequest, req).await
    }

    async fn bulk_download(
        &self,
        req: &BulkDownloadRequest,
    ) -> Result<BulkQualificationResponse, BackendError> {
        self.exchange(MessageKind::BulkDownloadRequest, req).await
    }
}
