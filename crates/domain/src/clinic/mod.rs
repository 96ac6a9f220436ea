//! The clinic system (レセコン / 受付) as a system under test: the clinic-control API
//! (`openapi/clinic-control-v1.yaml`) and onshi's reference desk behind it. Pure.
//!
//! | file | concept |
//! |---|---|
//! | [`wire`] | the request onshi sends (`POST /v1/visits`) and the clinic's answer |
//! | [`desk`] | the reference clinic: request → [`desk::DeskVisit`] → numbers query → [`crate::rules::decide`] → answer |
//! | [`recovery`] | after an outage: the 緊急時 check by the 基本4情報 and what is billed |
//! | [`defects`] | the reference clinic's deliberate defects |
//!
//! [`decision_of`] reads a clinic's answer back into the [`ClinicDecision`] the oracle
//! and the steps judge.

pub mod defects;
pub mod desk;
pub mod recovery;
pub mod wire;

pub use defects::ClinicDefect;
pub use desk::{ClinicRequestError, DeskVisit, NumbersReply};
pub use recovery::{recovery_answer, recovery_query};
pub use wire::{
    ClinicAnswer, ClinicInfo, ClinicVisitRequest, NotedPatient, ReaderAtClinic, RecoveryAnswer,
    RecoveryRequest,
};

use crate::rules::ClinicDecision;

/// Why a clinic's answer cannot be judged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClinicAnswerError {
    /// A copay other than 10割 with no `ratio_source`.
    #[error("copay {0} without a ratio_source (only 10割 may have none)")]
    MissingRatioSource(String),
}

/// The decision a clinic answered, as the oracle and the steps read it. Its notes are
/// free text and are not carried (the report shows them from the answer).
pub fn decision_of(answer: &ClinicAnswer) -> Result<ClinicDecision, ClinicAnswerError> {
    if answer.ratio_source.is_none() && !answer.copay.is_full_cost() {
        return Err(ClinicAnswerError::MissingRatioSource(
            answer.copay.to_string(),
        ));
    }
    Ok(ClinicDecision {
        basis: answer.basis.into(),
        copay: answer.copay,
        ratio_source: answer.ratio_source.map(Into::into),
        rule_ids: Vec::new(),
        notes: Vec::new(),
    })
}

#[cfg(test)]
mod tests;
