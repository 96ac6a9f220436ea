//! The documents the engine answers with: one person's answer (refused, no match, or
//! answered with notes) as it goes into a `MessageBody` or a `BulkConfirmUnit`, the
//! message headers, and the error responses of the XML faces.

use super::*;

/// The outcome for one person: what goes into `MessageBody` or a `BulkConfirmUnit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PersonAnswer {
    pub(super) status: ProcessingResultStatus,
    pub(super) code: Option<ResultCode>,
    pub(super) message: Option<String>,
    pub(super) validity: Option<QualificationValidity>,
    pub(super) results: Vec<ResultOfQualificationConfirmation>,
}

impl PersonAnswer {
    pub(super) fn refused(code: ResultCode, detail: Option<String>) -> Self {
        Self {
            status: ProcessingResultStatus::Error,
            code: Some(code),
            message: Some(match detail {
                Some(d) => format!("{}（{d}）", code.message()),
                None => code.message().to_owned(),
            }),
            validity: None,
            results: Vec::new(),
        }
    }

    /// 資格情報なし: no record with these numbers (or not this birth date).
    pub(super) fn no_match() -> Self {
        Self::answered(
            Answer {
                validity: QualificationValidity::NoMatchingQualification,
                results: Vec::new(),
                notes: Vec::new(),
                limit_provided: false,
            },
            Vec::new(),
        )
    }

    /// 複数該当: the numbers (without 枝番) and birth date fit several members; the
    /// answer names none of them.
    pub(super) fn several_match() -> Self {
        Self::answered(
            Answer {
                validity: QualificationValidity::MultipleMatches,
                results: Vec::new(),
                notes: Vec::new(),
                limit_provided: false,
            },
            Vec::new(),
        )
    }

    pub(super) fn answered(answer: Answer, mut notes: Vec<ResultCode>) -> Self {
        notes.extend(answer.notes.iter().copied());
        notes.sort_by_key(|c| c.code());
        notes.dedup();
        let message = (!notes.is_empty()).then(|| {
            notes
                .iter()
                .map(|c| c.message())
                .collect::<Vec<_>>()
                .join(" / ")
        });
        Self {
            status: ProcessingResultStatus::Normal,
            code: notes.first().copied(),
            message,
            validity: Some(answer.validity),
            results: answer.results,
        }
    }

    /// The `MessageBody` of a `QualificationResponse` carrying this answer.
    pub(super) fn into_body(
        self,
        echo: Option<QualificationConfirmSearchInfo>,
        prescription_issue_select: Option<PrescriptionIssueSelect>,
    ) -> MessageBody {
        MessageBody {
            qualification_confirm_search_info: echo,
            prescription_issue_select,
            processing_result_status: self.status,
            processing_result_code: self.code.map(|c| c.code().to_owned()),
            processing_result_message: self.message,
            qualification_validity: self.validity,
            result_list: self.results,
        }
    }

    pub(super) fn audit_into(&self, audit: &mut AuditRecord) {
        if self.status == ProcessingResultStatus::Error {
            audit.outcome = self.code.map_or("refused".into(), |c| c.code().to_owned());
        }
        audit.validity = self.validity.map(|v| v.code().to_owned());
        audit.result_code = self.code.map(|c| c.code().to_owned());
    }
}

/// `QualificationConfirmationDate` with the time of day of the shell's clock.
pub(super) fn xml_now(date: chrono::NaiveDate, t: RequestTime) -> NaiveDateTime {
    date.and_time(t.now.time())
}

pub(super) fn year_month(t: NaiveDateTime) -> Option<YearMonth> {
    YearMonth::new(t.year() as u16, t.month() as u8).ok()
}

/// The header of an answered `QualificationResponse` (`SegmentOfResult` 1, no error).
/// The `ArbitraryFileIdentifier` to echo: never one shaped like a My Number (such a
/// request is refused, and even its error answer must not carry the number back).
pub fn echoable_file_id(file_id: Option<String>) -> Option<String> {
    file_id.filter(|v| !my_number::is_valid(v.trim()))
}

pub(super) fn response_header(
    facility: &MedicalInstitutionCode,
    file_id: Option<String>,
    now: NaiveDateTime,
    classification: ReferenceClassification,
) -> MessageHeader {
    MessageHeader {
        process_execution_time: now,
        qualification_confirmation_date: now.date(),
        medical_institution_code: facility.clone(),
        arbitrary_file_identifier: echoable_file_id(file_id),
        reference_classification: classification,
        segment_of_result: SegmentOfResult::Normal,
        error_code: None,
        error_message: None,
        character_code_identifier: CharacterEncoding::Utf8,
    }
}

/// A `SegmentOfResult` 9 response for a refused `OQSsiquc01req` (or a file that could
/// not be read at all).
pub fn xml_error_response(
    error: &EngineError,
    facility: &MedicalInstitutionCode,
    file_id: Option<String>,
    now: NaiveDateTime,
    classification: ReferenceClassification,
) -> QualificationResponse {
    QualificationResponse {
        message_header: MessageHeader {
            segment_of_result: SegmentOfResult::Abnormal,
            error_code: Some(error.code.code().to_owned()),
            error_message: Some(match &error.field {
                Some(f) => format!("{} [{f}]", error.message),
                None => error.message.clone(),
            }),
            ..response_header(facility, file_id, now, classification)
        },
        message_body: MessageBody {
            qualification_confirm_search_info: None,
            prescription_issue_select: None,
            processing_result_status: ProcessingResultStatus::Error,
            processing_result_code: None,
            processing_result_message: None,
            qualification_validity: None,
            result_list: Vec::new(),
        },
    }
}

/// A `SegmentOfResult` 9 bulk result (unknown 受付番号, unreadable upload).
pub fn bulk_error_response(
    error: &EngineError,
    facility: &MedicalInstitutionCode,
    file_id: Option<String>,
    reception_number: &str,
    now: NaiveDateTime,
) -> BulkQualificationResponse {
    BulkQualificationResponse {
        message_header: BulkResponseHeader {
            process_execution_time: now,
            qualification_confirmation_date: None,
            medical_institution_code: facility.clone(),
            arbitrary_file_identifier: echoable_file_id(file_id),
            reception_number: if reception_number.trim().is_empty() {
                "000000000000".into()
            } else {
                reception_number.to_owned()
            },
            segment_of_result: SegmentOfResult::Abnormal,
            error_code: Some(error.code.code().to_owned()),
            error_message: Some(error.message.clone()),
            number_of_processing_result: Some(0),
            number_of_normal_processing: Some(0),
            number_of_error: Some(0),
            character_code_identifier: CharacterEncoding::Utf8,
        },
        bulk_confirm_unit: Vec::new(),
    }
}
