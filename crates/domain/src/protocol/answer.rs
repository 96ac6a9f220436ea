//! What a backend answer means at the window: its result code, typed, and the clinic's
//! reading of it ([`confirmation_outcome`]). Every driver of the reader, the suite and
//! load read answers through these two, so they cannot disagree.

use chrono::NaiveDate;

use crate::codes::{ProcessingResultStatus, QualificationValidity};
use crate::message::{QualificationResponse, ResultOfQualificationConfirmation};
use crate::rules::{ConfirmationFailure, ConfirmationOutcome, QualificationResult, RatioFields};

use super::ResultCode;

impl QualificationResponse {
    /// The `ONS-…` 処理結果コード of the answer, when it carries one onshi knows.
    pub fn result_code(&self) -> Option<ResultCode> {
        self.message_body
            .processing_result_code
            .as_deref()
            .and_then(ResultCode::parse)
    }

    /// Whether the answer is a refusal (処理結果状況 2 エラー).
    pub fn is_refusal(&self) -> bool {
        self.message_body.processing_result_status == ProcessingResultStatus::Error
    }
}

impl ResultOfQualificationConfirmation {
    /// The fields a copay is derived from (負担割合, 高齢受給者, 未就学者, 限度額区分,
    /// the insurer's family).
    pub fn ratio_fields(&self) -> RatioFields {
        RatioFields {
            insured_ratio: self.insured_partial_contribution_ratio,
            elderly_ratio: self
                .elderly_recipient_certificate_info
                .as_ref()
                .and_then(|e| e.elderly_recipient_contribution_ratio),
            preschool: self.preschool_classification,
            limit_class: self
                .limit_application_certificate_related_info
                .as_ref()
                .and_then(|l| l.limit_application_certificate_classification_flag),
            insurer_family: self.insurer_number.as_ref().map(|n| n.family()),
            card_classification: Some(self.insured_card_classification),
        }
    }
}

/// The person at the window, as staff see them on the card front or the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PresentedPerson<'a> {
    /// 氏名 as printed.
    pub name: &'a str,
    /// 生年月日.
    pub birth_date: NaiveDate,
}

/// Whether a result shows the presented person (what staff check against the card
/// front or the document: name and date of birth).
fn shows_person(r: &QualificationResponse, p: PresentedPerson<'_>) -> bool {
    let norm = |s: &str| s.split_whitespace().collect::<String>();
    r.message_body.result_list.iter().all(|x| {
        x.birthdate == p.birth_date
            && (norm(&x.name) == norm(p.name)
                || norm(&x.name) == norm(&crate::xml::shift_jis_safe(p.name).0))
    })
}

/// The clinic's reading of a backend answer for the presented person `p`: a refusal
/// becomes the failure its code stands for ([`ResultCode::confirmation_failure`]),
/// anything else the validity, whether it shows the presented person, and the ratios.
pub fn confirmation_outcome(
    r: &QualificationResponse,
    p: PresentedPerson<'_>,
) -> ConfirmationOutcome {
    let body = &r.message_body;
    if r.is_refusal() {
        let failure = r
            .result_code()
            .and_then(ResultCode::confirmation_failure)
            .unwrap_or(ConfirmationFailure::BackendError);
        return ConfirmationOutcome::Failed(failure);
    }
    let first = body.result_list.first();
    let ratios = first.map_or_else(RatioFields::default, |x| x.ratio_fields());
    ConfirmationOutcome::Answered(QualificationResult {
        validity: body
            .qualification_validity
            .unwrap_or(QualificationValidity::NoMatchingQualification),
        is_presented_person: shows_person(r, p),
        ratios,
    })
}
