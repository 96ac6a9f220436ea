//! The req/res folder exchange as a client: write `DIR/req/<prefix><body>.xml`
//! (temporary dot-name, then rename), wait for `DIR/res/` under the mirrored name,
//! read it and remove it. Numbers and bulk only.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::error::BackendError;
use super::xml_http::{XmlAnswer, XmlTransport, read_answer};
use onshi_domain::codes::CharacterEncoding;
use onshi_domain::protocol::ServerClock;
use onshi_domain::xml::{self, MessageKind, XmlMessage, mirror_response_name};

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
}

async fn write(path: &Path, bytes: Vec<u8>) -> Result<(), BackendError> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || onshi_support::fsutil::write_atomic(&path, &bytes))
        .await
        .map_err(|e| BackendError::Unreachable(e.to_string()))?
        .map_err(|e| BackendError::Unreachable(e.to_string()))
}

impl XmlTransport for FolderBackend {
    const BACKEND: &'static str = "folder";

    fn name(&self) -> String {
        format!("folder:{}", self.dir.display())
    }

    fn clock(&self) -> &ServerClock {
        &self.clock
    }

    /// The exchange folder's `req/` and `res/` exist.
    async fn reachable(&self) -> Result<(), BackendError> {
        for sub in ["req", "res"] {
            let dir = self.dir.join(sub);
            if !tokio::fs::try_exists(&dir).await.unwrap_or(false) {
                return Err(BackendError::Unreachable(format!(
                    "{} does not exist",
                    dir.display()
                )));
            }
        }
        Ok(())
    }

    /// Writes `req` into `req/` and waits for the answer in `res/`.
    async fn exchange<Req: XmlMessage + Sync, Res: XmlAnswer + Send>(
        &self,
        req: &Req,
    ) -> Result<Res, BackendError> {
        let req_dir = self.dir.join("req");
        if !tokio::fs::try_exists(&req_dir).await.unwrap_or(false) {
            return Err(BackendError::Unreachable(format!(
                "{} does not exist",
                req_dir.display()
            )));
        }
        let name = self.name_for(Req::KIND);
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
