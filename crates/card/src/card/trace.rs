//! The APDU trace: every command and response with its decoded meaning, PINs redacted.
//!
//! The trace is evidence (serialized to JSON in reports) and an oracle input: privacy
//! checks ask it whether the My Number file was read or 照合番号A was presented, lockout
//! checks count VERIFY commands sent to a locked PIN.

use serde::{Deserialize, Serialize};

use super::ids::{AppId, FileId, PinId};
use super::status::Status;

/// What a command did, in structured form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum TraceOp {
    /// SELECT of an application by AID.
    SelectApp {
        /// The application, when the AID is one of ours.
        app: Option<AppId>,
        /// The AID as hex.
        aid: String,
    },
    /// SELECT of the master file.
    SelectMf,
    /// SELECT of an elementary file.
    SelectFile {
        /// Current application.
        app: Option<AppId>,
        /// The file.
        file: FileId,
    },
    /// READ BINARY.
    ReadBinary {
        /// Current application.
        app: Option<AppId>,
        /// The file read (after SFI resolution), if known.
        file: Option<FileId>,
        /// Offset.
        offset: usize,
        /// Le.
        le: Option<usize>,
        /// Bytes returned.
        returned: usize,
    },
    /// VERIFY with a PIN value (the value itself is never recorded).
    Verify {
        /// The PIN, if the target resolved to one.
        pin: Option<PinId>,
        /// PIN length in bytes.
        length: usize,
    },
    /// Empty VERIFY: ask for the number of tries left.
    RetryQuery {
        /// The PIN, if the target resolved to one.
        pin: Option<PinId>,
    },
    /// COMPUTE DIGITAL SIGNATURE (`80 2A 00 80`).
    Sign {
        /// The key EF.
        key: Option<FileId>,
        /// Input length.
        length: usize,
    },
    /// Anything else.
    Other {
        /// CLA INS P1 P2 as hex.
        header: String,
    },
    /// A command that did not parse.
    Malformed,
}

/// One command/response pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceEntry {
    /// Sequence number within the card's life, from 0.
    pub seq: u64,
    /// Microseconds since the trace started, when the caller supplied a time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_us: Option<u64>,
    /// The command as spaced hex, PIN bytes replaced by `**`.
    pub command: String,
    /// The response as spaced hex (data and status word); empty when the card was mute.
    pub response: String,
    /// The status word (absent when the card was mute).
    pub status: Option<Status>,
    /// A one-line human description.
    pub meaning: String,
    /// The structured operation.
    #[serde(flatten)]
    pub op: TraceOp,
}

impl TraceEntry {
    /// Whether the command succeeded (`90 00`).
    pub fn succeeded(&self) -> bool {
        self.status == Some(Status::Success)
    }
}

/// An append-only list of trace entries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApduTrace {
    /// The entries in order.
    pub entries: Vec<TraceEntry>,
}

impl ApduTrace {
    /// Files successfully read (at least one byte), in order, without repeats.
    pub fn files_read(&self) -> Vec<(Option<AppId>, FileId)> {
        let mut out: Vec<(Option<AppId>, FileId)> = Vec::new();
        for e in &self.entries {
            if let TraceOp::ReadBinary {
                app,
                file: Some(file),
                returned,
                ..
            } = e.op
                && e.succeeded()
                && returned > 0
                && !out.contains(&(app, file))
            {
                out.push((app, file));
            }
        }
        out
    }

    /// Whether the My Number EF of the input-support AP was read.
    pub fn my_number_read(&self) -> bool {
        self.files_read().contains(&(
            Some(AppId::InputSupport),
            super::ids::input_support::MY_NUMBER,
        ))
    }

    /// Every command that reached for the My Number, whatever the card answered: a
    /// SELECT or READ BINARY of the input-support AP's My Number file, a SELECT, retry
    /// query or VERIFY of 照合番号A in either AP (it is the My Number), a SELECT or READ
    /// of the card-surface AP's card-back image. FAQ-4-9 forbids the attempt, not only
    /// a read that succeeded: a reader that asks and is refused (`69 82`) is as wrong.
    pub fn my_number_attempts(&self) -> Vec<&TraceEntry> {
        use super::ids::{input_support as support, surface};
        let forbidden_file = |app: Option<AppId>, file: FileId| {
            matches!(
                (app, file),
                (
                    Some(AppId::InputSupport),
                    support::MY_NUMBER | support::MATCH_A
                ) | (Some(AppId::Surface), surface::BACK | surface::MATCH_A)
            )
        };
        self.entries
            .iter()
            .filter(|e| match e.op {
                TraceOp::SelectFile { app, file } => forbidden_file(app, file),
                TraceOp::ReadBinary {
                    app,
                    file: Some(file),
                    ..
                } => forbidden_file(app, file),
                TraceOp::Verify { pin, .. } | TraceOp::RetryQuery { pin } => {
                    matches!(pin, Some(PinId::SupportMatchA | PinId::SurfaceMatchA))
                }
                _ => false,
            })
            .collect()
    }

    /// Whether a 照合番号A (which is the My Number) was presented in a VERIFY, in either AP,
    /// or the card-back image behind it was read.
    pub fn match_a_used(&self) -> bool {
        self.entries.iter().any(|e| {
            matches!(
                e.op,
                TraceOp::Verify {
                    pin: Some(PinId::SupportMatchA | PinId::SurfaceMatchA),
                    ..
                }
            )
        }) || self
            .files_read()
            .contains(&(Some(AppId::Surface), super::ids::surface::BACK))
    }

    /// VERIFY commands with a value sent to `pin` after the card had reported it locked
    /// (`63 C0` or a blocked status) — what a reader must never do (FAQ-4-11).
    pub fn verifies_after_lock(&self, pin: PinId, locked_status: Status) -> usize {
        let mut locked = false;
        let mut count = 0;
        for e in &self.entries {
            match e.op {
                TraceOp::Verify { pin: Some(p), .. } if p == pin => {
                    if locked {
                        count += 1;
                    }
                    if matches!(e.status, Some(Status::VerificationFailed { tries_left: 0 }))
                        || e.status == Some(locked_status)
                    {
                        locked = true;
                    }
                }
                TraceOp::RetryQuery { pin: Some(p) }
                    if p == pin
                        && e.status == Some(Status::VerificationFailed { tries_left: 0 }) =>
                {
                    locked = true;
                }
                _ => {}
            }
        }
        count
    }

    /// Number of VERIFY commands with a value sent to `pin`.
    pub fn verify_count(&self, pin: PinId) -> usize {
        self.entries
            .iter()
            .filter(|e| matches!(e.op, TraceOp::Verify { pin: Some(p), .. } if p == pin))
            .count()
    }

    /// Number of successful signatures.
    pub fn signatures(&self) -> usize {
        self.entries
            .iter()
            .filter(|e| matches!(e.op, TraceOp::Sign { .. }) && e.succeeded())
            .count()
    }

    /// The trace as a plain-text transcript, one `>>`/`<<` pair per APDU (for snapshots).
    pub fn transcript(&self) -> String {
        let mut out = String::new();
        for e in &self.entries {
            out.push_str(&format!(
                "# {}\n>> {}\n<< {}\n",
                e.meaning, e.command, e.response
            ));
        }
        out
    }
}
