//! What goes wrong in a visit: semantic failures and errors by kind, and the
//! evidence kept of a failure.

use serde::{Deserialize, Serialize};

/// A semantic failure: the backend answered, but not what the ground truth says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    /// A result shows another person (FAQ-4-17).
    WrongPerson,
    /// An insured patient was charged 10割 (TRN-NO10).
    TenWari,
    /// The recorded ratio is missing from the result (FAQ-4-8).
    MissingRatio,
    /// The result carries another ratio than recorded.
    WrongRatio,
    /// The desk charged another copay than the record calls for.
    WrongCopay,
    /// 資格有効性 or the refusal does not match the ground truth.
    Validity,
    /// The body does not parse as the protocol's message.
    Malformed,
    /// A well-formed request was refused (4xx) although it should pass.
    Refused,
    /// Medical information without consent (FAQ-4-1).
    MedicalInfoLeak,
}

impl FailureKind {
    /// Every kind, in report order.
    pub const ALL: [FailureKind; 9] = [
        Self::WrongPerson,
        Self::TenWari,
        Self::MissingRatio,
        Self::WrongRatio,
        Self::WrongCopay,
        Self::Validity,
        Self::Malformed,
        Self::Refused,
        Self::MedicalInfoLeak,
    ];

    /// Whether a backend that does not hold the person would cause it: 資格有効性
    /// wrong (資格情報なし), a refusal, or the 10割 that follows. Another person's
    /// record, a wrong ratio or a leak mean the backend knows someone and is wrong.
    pub const fn may_mean_unprovisioned(self) -> bool {
        matches!(self, Self::Validity | Self::Refused | Self::TenWari)
    }

    /// The name in reports.
    pub const fn name(self) -> &'static str {
        match self {
            Self::WrongPerson => "wrong-person",
            Self::TenWari => "ten-wari",
            Self::MissingRatio => "missing-ratio",
            Self::WrongRatio => "wrong-ratio",
            Self::WrongCopay => "wrong-copay",
            Self::Validity => "validity",
            Self::Malformed => "malformed",
            Self::Refused => "refused",
            Self::MedicalInfoLeak => "medical-info-leak",
        }
    }
}

/// Why a backend call got no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// Connection refused or reset.
    Transport,
    /// No answer in time.
    Timeout,
    /// 503 (outage, burst, overload).
    Unavailable,
    /// Another 5xx.
    ServerError,
    /// The facility's line was down (client-side outage).
    ClientOutage,
}

impl ErrorKind {
    /// The name in reports.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Transport => "transport",
            Self::Timeout => "timeout",
            Self::Unavailable => "unavailable-503",
            Self::ServerError => "server-error-5xx",
            Self::ClientOutage => "client-outage",
        }
    }
}

/// Evidence of one failure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// The kind.
    pub kind: FailureKind,
    /// The member (`gen-…`).
    pub member: String,
    /// 医療機関コード.
    pub facility: String,
    /// The transaction kind.
    pub transaction: String,
    /// What was wrong.
    pub detail: String,
}
