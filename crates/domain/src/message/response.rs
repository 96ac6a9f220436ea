//! 資格確認結果 `OQSsiquc01res` (also the face-reader result file
//! `OQSsiquc01res_face_…`).

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::{
    MedicalInstitutionCode, QualificationConfirmSearchInfo, ResultOfQualificationConfirmation,
};
use crate::codes::{
    CharacterEncoding, PrescriptionIssueSelect, ProcessingResultStatus, QualificationValidity,
    ReferenceClassification, SegmentOfResult,
};

/// `OQSsiquc01res`: the answer to one 資格確認 (card or numbers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualificationResponse {
    /// `XmlMsg/MessageHeader`.
    pub message_header: MessageHeader,
    /// `XmlMsg/MessageBody`.
    pub message_body: MessageBody,
}

/// `MessageHeader` of `OQSsiquc01res`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageHeader {
    /// `ProcessExecutionTime` 処理実行日時 (`yyyyMMddHHmmss`), required.
    pub process_execution_time: NaiveDateTime,
    /// `QualificationConfirmationDate` 資格確認日 (`yyyyMMdd`), required.
    pub qualification_confirmation_date: NaiveDate,
    /// `MedicalInstitutionCode` 医療機関コード, required.
    pub medical_institution_code: MedicalInstitutionCode,
    /// `ArbitraryFileIdentifier` 任意のファイル識別子 (echo of the request).
    pub arbitrary_file_identifier: Option<String>,
    /// `ReferenceClassification` 照会区分 (OQSCD002), required.
    pub reference_classification: ReferenceClassification,
    /// `SegmentOfResult` 処理結果区分 (OQSCD003): outcome of the whole message, required.
    pub segment_of_result: SegmentOfResult,
    /// `ErrorCode` エラーコード (別紙6-1), set when `SegmentOfResult` is not 正常終了.
    pub error_code: Option<String>,
    /// `ErrorMessage` エラーメッセージ.
    pub error_message: Option<String>,
    /// `CharacterCodeIdentifier` 文字コード識別 (OQSCD005), required. The encoder always
    /// writes the code of the encoding it actually uses, whatever this field says.
    pub character_code_identifier: CharacterEncoding,
}

/// `MessageBody` of `OQSsiquc01res`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageBody {
    /// `QualificationConfirmSearchInfo` 資格確認照会用情報: echo of a numbers query.
    pub qualification_confirm_search_info: Option<QualificationConfirmSearchInfo>,
    /// `PrescriptionIssueSelect` 処方箋発行形態 (OQSCD017), chosen at the reader.
    pub prescription_issue_select: Option<PrescriptionIssueSelect>,
    /// `ProcessingResultStatus` 処理結果状況 (OQSCD004): outcome for this person, required.
    pub processing_result_status: ProcessingResultStatus,
    /// `ProcessingResultCode` 処理結果コード (別紙6-1): on error, or on success with
    /// extra information (e.g. the card expires within three months).
    pub processing_result_code: Option<String>,
    /// `ProcessingResultMessage` 処理結果メッセージ (shown as is).
    pub processing_result_message: Option<String>,
    /// `QualificationValidity` 資格有効性 (OQSCD006).
    pub qualification_validity: Option<QualificationValidity>,
    /// `ResultList/ResultOfQualificationConfirmation` 資格確認結果 (0..n, one per
    /// qualification; for 5 複数該当 the interface may list the candidates — onshi's
    /// reference backend lists none, and a clinic bills none of them).
    #[serde(default)]
    pub result_list: Vec<ResultOfQualificationConfirmation>,
}
