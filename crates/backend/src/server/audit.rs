//! The audit log: one JSON object per line for every request and decision, flushed
//! record by record so a killed server loses nothing it answered.
//!
//! The engine fills an [`AuditRecord`] (what was asked, who it concerned, what was
//! decided, which defects changed the answer); the shell adds the transport and
//! latency and hands it to an [`AuditLog`]. No PIN, signature or My Number is ever
//! written (a My Number sent as an identifier is logged as `redacted`).

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::NaiveDateTime;
use serde::Serialize;

/// What was asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// `POST /v1/challenges`.
    Challenge,
    /// Confirmation with the card.
    CardConfirmation,
    /// Confirmation by numbers (JSON).
    NumbersConfirmation,
    /// The 緊急時医療情報・資格確認機能: a search by the 基本4情報 (JSON).
    EmergencyConfirmation,
    /// `OQSsiquc01req` (XML, HTTP or folder).
    XmlInquiry,
    /// Registration at the reader.
    Registration,
    /// `OQSmuquc01req`.
    BulkUpload,
    /// `OQSmuquc02req`.
    BulkDownload,
    /// A request the shell refused before the engine saw it (malformed, too large,
    /// injected fault).
    Rejected,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    /// Sequence number (per server).
    pub seq: u64,
    /// The request's "now" (JST).
    pub now: NaiveDateTime,
    /// What was asked.
    pub operation: Operation,
    /// 医療機関コード.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facility: Option<String>,
    /// `pin`, `face` or `visual`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<&'static str>,
    /// Certificate serial (hex).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_serial: Option<String>,
    /// The member the request concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    /// The member whose data was shown, when different (`wrong-person`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shown_person: Option<String>,
    /// `ok`, or the `ONS-…` code of the error or refusal.
    pub outcome: String,
    /// `QualificationValidity` given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validity: Option<String>,
    /// `ProcessingResultCode` given (warnings too).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result_code: Option<String>,
    /// Defects that changed this answer.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub defects: Vec<&'static str>,
    /// Free detail (never personal data beyond ids).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// `http-json`, `xml-http`, `folder`, `embedded` (set by the shell).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transport: Option<&'static str>,
    /// HTTP status (set by the shell).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// Handling time in microseconds (set by the shell).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_us: Option<u64>,
}

impl AuditRecord {
    /// A record with only the essentials.
    pub fn new(seq: u64, now: NaiveDateTime, operation: Operation) -> Self {
        Self {
            seq,
            now,
            operation,
            facility: None,
            method: None,
            certificate_serial: None,
            person: None,
            shown_person: None,
            outcome: "ok".into(),
            validity: None,
            result_code: None,
            defects: Vec::new(),
            detail: None,
            transport: None,
            http_status: None,
            latency_us: None,
        }
    }

    /// Notes a defect that changed the answer (once).
    pub fn defect(&mut self, name: &'static str) {
        if !self.defects.contains(&name) {
            self.defects.push(name);
        }
    }
}

/// Where audit records go.
#[derive(Clone)]
pub struct AuditLog {
    out: Option<Arc<Mutex<Box<dyn Write + Send>>>>,
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditLog")
            .field("enabled", &self.out.is_some())
            .finish()
    }
}

impl AuditLog {
    /// Records are dropped.
    pub fn disabled() -> Self {
        Self { out: None }
    }

    /// Appends to `path` (created if needed).
    pub fn to_file(path: &Path) -> io::Result<Self> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Self::to_writer(Box::new(io::LineWriter::new(file))))
    }

    /// Writes to any writer (tests use an in-memory buffer).
    pub fn to_writer(out: Box<dyn Write + Send>) -> Self {
        Self {
            out: Some(Arc::new(Mutex::new(out))),
        }
    }

    /// Writes one record as a line and flushes. Failures are logged, never fatal.
    pub fn write(&self, record: &AuditRecord) {
        let Some(out) = &self.out else {
            return;
        };
        let mut line = match serde_json::to_vec(record) {
            Ok(l) => l,
            Err(e) => {
                tracing::error!("audit record not serializable: {e}");
                return;
            }
        };
        line.push(b'\n');
        let mut w = out.lock().unwrap_or_else(PoisonError::into_inner);
        if let Err(e) = w.write_all(&line).and_then(|()| w.flush()) {
            tracing::error!("audit log write failed: {e}");
        }
    }
}

/// An in-memory sink for tests: a shared buffer and the log writing into it.
#[derive(Debug, Clone, Default)]
pub struct MemorySink(pub Arc<Mutex<Vec<u8>>>);

impl MemorySink {
    /// A log writing here.
    pub fn log(&self) -> AuditLog {
        AuditLog::to_writer(Box::new(self.clone()))
    }

    /// The lines written so far.
    pub fn lines(&self) -> Vec<String> {
        let buf = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&buf)
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

impl Write for MemorySink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A parse error's text with the values taken out: every quoted string becomes its
/// length (`"<12 chars>"`) and every run of 8 or more digits its length (`<12 digits>`),
/// so field names stay and no value the client sent — a My Number in a field that
/// failed to parse, say — reaches the audit log or the answer.
pub fn redact_values(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '"' {
            let mut n = 0usize;
            let mut closed = false;
            while let Some(d) = chars.next() {
                if d == '\\' {
                    chars.next();
                    n += 1;
                } else if d == '"' {
                    closed = true;
                    break;
                } else {
                    n += 1;
                }
            }
            out.push_str(&format!("\"<{n} chars>"));
            if closed {
                out.push('"');
            }
        } else if c.is_ascii_digit() {
            let mut run = String::from(c);
            while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                run.push(d);
                chars.next();
            }
            if run.len() >= 8 {
                out.push_str(&format!("<{} digits>", run.len()));
            } else {
                out.push_str(&run);
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_keeps_field_names_and_drops_values() {
        let r = redact_values(
            "invalid type: string \"123456789018\", expected u32 at line 1 column 40; unknown field `x`; 123456789018",
        );
        assert!(!r.contains("123456789018"), "{r}");
        assert!(
            r.contains("\"<12 chars>\"") && r.contains("<12 digits>") && r.contains("`x`"),
            "{r}"
        );
        assert!(r.contains("line 1 column 40"), "{r}");
    }

    #[test]
    fn writes_one_flushed_line_per_record() {
        let sink = MemorySink::default();
        let log = sink.log();
        let now = onshi_world::defaults::default_as_of();
        let mut r = AuditRecord::new(1, now, Operation::CardConfirmation);
        r.defect("wrong-person");
        r.defect("wrong-person");
        log.write(&r);
        log.write(&AuditRecord::new(2, now, Operation::Challenge));
        let lines = sink.lines();
        assert_eq!(lines.len(), 2);
        let v: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
        assert_eq!(v["operation"], "card_confirmation");
        assert_eq!(v["defects"], serde_json::json!(["wrong-person"]));
        assert!(v.get("person").is_none());
        AuditLog::disabled().write(&r);

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let file_log = AuditLog::to_file(&path).unwrap();
        file_log.write(&r);
        // Flushed at once: readable without dropping the log.
        assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 1);
    }
}
