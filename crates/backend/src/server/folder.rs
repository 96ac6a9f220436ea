//! The req/res shared-folder exchange (`onshi serve --folder DIR`), as the clinic's
//! 連携アプリケーション folders work (domain.md §3.2): the clinic writes
//! `DIR/req/OQSsiquc01req_….xml`; the terminal answers into `DIR/res/` under the
//! mirrored name (`01req_` → `01res_`, `02req_` → `02res_`), written to a temporary
//! dot-name and renamed, and removes the request.
//!
//! A request file counts as complete once its size is the same at two polls in a
//! row and it has not been modified for [`SETTLE`]; a writer that pauses longer
//! should write under a dot-name and rename (dot-files are never read). A request
//! over [`MAX_REQUEST_BYTES`] is moved aside unread. A file whose name is not a request name is moved to `DIR/req/rejected/` with
//! a `.reason.txt` beside it; a request that cannot be read is answered with an error
//! result (`SegmentOfResult` 9) — never a crash.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::audit::AuditLog;

/// How long a request file must rest unmodified before it is read.
pub const SETTLE: Duration = Duration::from_millis(500);

/// The largest request file read (the bulk upload's limit); a larger one is moved to
/// `req/rejected/` without being read.
pub const MAX_REQUEST_BYTES: u64 = onshi_domain::xml::MAX_BULK_MESSAGE_BYTES as u64;
use super::engine::Engine;
use super::faults::FaultInjector;
use super::xmlface;
use onshi_domain::protocol::clock::ServerClock;
use onshi_domain::xml::filename::FileExtension;
use onshi_domain::xml::{OqsFileName, mirror_response_name};
use onshi_support::fsutil::write_atomic;

/// The folder server.
#[derive(Debug, Clone)]
pub struct FolderServer {
    engine: Arc<Engine>,
    clock: ServerClock,
    audit: AuditLog,
    faults: Arc<FaultInjector>,
    dir: PathBuf,
    poll: Duration,
}

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PassReport {
    /// Requests answered.
    pub answered: usize,
    /// Files moved to `req/rejected/`.
    pub rejected: usize,
}

impl FolderServer {
    /// A server over `dir` (with `req/` and `res/` inside), polling every `poll`.
    pub fn new(
        engine: Arc<Engine>,
        clock: ServerClock,
        audit: AuditLog,
        faults: Arc<FaultInjector>,
        dir: PathBuf,
        poll: Duration,
    ) -> Self {
        Self {
            engine,
            clock,
            audit,
            faults,
            dir,
            poll,
        }
    }

    /// `DIR/req`.
    pub fn req_dir(&self) -> PathBuf {
        self.dir.join("req")
    }

    /// `DIR/res`.
    pub fn res_dir(&self) -> PathBuf {
        self.dir.join("res")
    }

    /// Creates `req/` and `res/`.
    pub fn prepare(&self) -> io::Result<()> {
        fs::create_dir_all(self.req_dir())?;
        fs::create_dir_all(self.res_dir())
    }

    /// One pass over `req/`. `sizes` remembers what the previous pass saw.
    pub fn poll_once(&self, sizes: &mut HashMap<PathBuf, u64>) -> io::Result<PassReport> {
        let mut report = PassReport::default();
        let mut seen = HashMap::new();
        let mut entries: Vec<_> = fs::read_dir(self.req_dir())?
            .filter_map(Result::ok)
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = entry.path();
            let Ok(meta) = entry.metadata() else {
                continue;
            };
            let name = entry.file_name().to_string_lossy().into_owned();
            if !meta.is_file() || name.starts_with('.') {
                continue;
            }
            let size = meta.len();
            if size > MAX_REQUEST_BYTES {
                let why = format!("larger than {MAX_REQUEST_BYTES} bytes: not read");
                match self.reject(&path, &name, &why) {
                    Ok(_) => report.rejected += 1,
                    Err(e) => tracing::warn!("folder: {}: {e}", path.display()),
                }
                continue;
            }
            seen.insert(path.clone(), size);
            let rested = meta
                .modified()
                .map_or(true, |m| m.elapsed().is_ok_and(|age| age >= SETTLE));
            if sizes.get(&path) != Some(&size) || !rested {
                continue; // new, still growing or just written: look again next pass
            }
            match self.handle_file(&path, &name) {
                Ok(true) => report.answered += 1,
                Ok(false) => report.rejected += 1,
                Err(e) => tracing::warn!("folder: {}: {e}", path.display()),
            }
        }
        *sizes = seen;
        Ok(report)
    }

    /// Answers one file (`Ok(true)`), or moves it aside (`Ok(false)`).
    fn handle_file(&self, path: &Path, name: &str) -> io::Result<bool> {
        let parsed = OqsFileName::parse(name);
        let kind = match &parsed {
            Ok(OqsFileName::Message {
                kind,
                extension: FileExtension::Xml,
                ..
            }) if kind.is_request() => *kind,
            Ok(OqsFileName::Message { kind, .. }) if kind.is_request() => {
                return self.reject(path, name, "only .xml requests are read (not .zip)");
            }
            Ok(_) => return self.reject(path, name, "not a request file name"),
            Err(e) => return self.reject(path, name, &e.to_string()),
        };
        let response_name = match mirror_response_name(name) {
            Ok(n) => n,
            Err(e) => return self.reject(path, name, &e.to_string()),
        };
        let started = Instant::now();
        let bytes = fs::read(path)?;
        let delay = self.faults.folder_delay();
        if !delay.is_zero() {
            std::thread::sleep(delay);
        }
        let t = self.clock.request_time();
        let Some(x) = xmlface::handle(kind, &self.engine, &bytes, t) else {
            return self.reject(path, name, "not a request kind");
        };
        write_atomic(&self.res_dir().join(&response_name), &x.body)?;
        fs::remove_file(path)?;
        let mut audit = x.audit;
        audit.transport = Some("folder");
        audit.http_status = Some(x.status);
        audit.latency_us = Some(u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX));
        audit
            .detail
            .get_or_insert_with(|| format!("{name} → {response_name}"));
        self.audit.write(&audit);
        Ok(true)
    }

    fn reject(&self, path: &Path, name: &str, reason: &str) -> io::Result<bool> {
        let dir = self.req_dir().join("rejected");
        fs::create_dir_all(&dir)?;
        fs::rename(path, dir.join(name))?;
        write_atomic(
            &dir.join(format!("{name}.reason.txt")),
            format!("{reason}\n").as_bytes(),
        )?;
        let mut audit = self.engine.audit_rejected(
            self.clock.now(),
            onshi_domain::protocol::result_code::ResultCode::MalformedRequest,
            format!("{name}: {reason}"),
        );
        audit.transport = Some("folder");
        self.audit.write(&audit);
        tracing::warn!("folder: rejected {name}: {reason}");
        Ok(false)
    }

    /// Polls until `stop` is set.
    pub fn run(&self, stop: &AtomicBool) -> io::Result<()> {
        self.prepare()?;
        let mut sizes = HashMap::new();
        while !stop.load(Ordering::Relaxed) {
            if !self.faults.in_outage(self.clock.now())
                && let Err(e) = self.poll_once(&mut sizes)
            {
                tracing::warn!("folder: {e}");
            }
            std::thread::sleep(self.poll);
        }
        Ok(())
    }
}
