//! What can go wrong talking to a backend.

use onshi_domain::protocol::ResultCode;

/// A backend call that produced no answer document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    /// The adapter cannot carry this operation (card methods over XML or the folder).
    #[error("{backend} does not support {operation}")]
    Unsupported {
        /// The adapter.
        backend: &'static str,
        /// The operation.
        operation: &'static str,
    },
    /// The backend refused the request (JSON 4xx / 5xx, or XML `SegmentOfResult` 9).
    #[error("refused ({status} {code}): {message}")]
    Refused {
        /// HTTP status (or the code's status for XML and in-process answers).
        status: u16,
        /// The backend's code (`ONS-…` for onshi).
        code: String,
        /// The message.
        message: String,
        /// The field blamed.
        field: Option<String>,
    },
    /// The backend could not be reached (connection refused or reset, folder missing).
    #[error("unreachable: {0}")]
    Unreachable(String),
    /// No answer in time.
    #[error("timed out: {0}")]
    Timeout(String),
    /// An answer that is not what the protocol says.
    #[error("protocol error: {0}")]
    Protocol(String),
}

impl BackendError {
    /// The onshi result code of a refusal, if it is one of ours.
    pub fn code(&self) -> Option<ResultCode> {
        match self {
            Self::Refused { code, .. } => ResultCode::parse(code),
            _ => None,
        }
    }

    /// Whether the backend was not reachable at all (exit code 3).
    pub fn is_unreachable(&self) -> bool {
        matches!(self, Self::Unreachable(_) | Self::Timeout(_))
    }

    /// Whether the backend could not serve the call: unreachable, no answer in time,
    /// or a 5xx (`ONS-F50x`: it says it cannot serve now). A reader and the load
    /// generator treat all of these alike — try again with a fresh challenge, then
    /// report the backend unavailable — and never as a refusal of the request.
    pub fn is_unavailable(&self) -> bool {
        self.is_unreachable() || matches!(self, Self::Refused { status, .. } if *status >= 500)
    }

    pub(crate) fn from_engine(e: crate::server::EngineError) -> Self {
        Self::Refused {
            status: e.code.http_status(),
            code: e.code.code().to_owned(),
            message: e.message,
            field: e.field,
        }
    }
}
