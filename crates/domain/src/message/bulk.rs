//! 資格確認一括照会: upload `OQSmuquc01req` → ack `OQSmuquc01res` (受付番号), then
//! download `OQSmuquc02req` → result `OQSmuquc02res`.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::common::code_error;
use super::{
    MedicalInstitutionCode, QualificationConfirmSearchInfo, RequestHeader,
    ResultOfQualificationConfirmation, YearMonth,
};
use crate::codes::{
    CharacterEncoding, CodeError, MedicalTreatmentFlag, ProcessingResultStatus,
    QualificationValidity, SegmentOfResult,
};

/// `OQSmuquc01req` 資格確認一括照会要求: the header of a single request and many search
/// infos.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkQualificationRequest {
    /// `XmlMsg/MessageHeader`.
    pub message_header: RequestHeader,
    /// `XmlMsg/MessageBody/QualificationConfirmSearchInfo` (1..n).
    #[serde(default)]
    pub qualification_confirm_search_info: Vec<BulkSearchInfo>,
}

impl BulkQualificationRequest {
    /// The 一括照会 a facility sends on `date` for patients booked by their printed
    /// numbers (no 診療年月 / 診療区分): the one builder of the suite and `onshi load`.
    pub fn booked(
        date: NaiveDate,
        facility: MedicalInstitutionCode,
        file_identifier: String,
        searches: impl IntoIterator<Item = QualificationConfirmSearchInfo>,
    ) -> Self {
        Self {
            message_header: RequestHeader {
                qualification_confirmation_date: date,
                medical_institution_code: facility,
                arbitrary_file_identifier: file_identifier,
            },
            qualification_confirm_search_info: searches
                .into_iter()
                .map(|search_info| BulkSearchInfo {
                    search_info,
                    medical_treatment_month: None,
                    medical_treatment_flag: None,
                })
                .collect(),
        }
    }
}

/// One `QualificationConfirmSearchInfo` of a bulk request: the card numbers plus the
/// optional 診療年月 / 診療区分 that the bulk variants add.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkSearchInfo {
    /// The card numbers (same elements as in `OQSsiquc01req`).
    #[serde(flatten)]
    pub search_info: QualificationConfirmSearchInfo,
    /// `MedicalTreatmentMonth` 診療年月 (`yyyyMM`).
    pub medical_treatment_month: Option<YearMonth>,
    /// `MedicalTreatmentFlag` 診療区分 (OQSCD028).
    pub medical_treatment_flag: Option<MedicalTreatmentFlag>,
}

/// `OQSmuquc01res` 一括照会受付結果: the upload acknowledgement carrying the 受付番号.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkUploadAck {
    /// `XmlMsg/MessageHeader`.
    pub message_header: BulkUploadAckHeader,
    /// `MessageBody/ReceptionNumber` 受付番号, required.
    pub reception_number: String,
    /// `MessageBody/ReceptionDateTime` 受付日時 (`yyyyMMddHHmmss`), required.
    pub reception_date_time: NaiveDateTime,
}

/// `MessageHeader` of `OQSmuquc01res`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkUploadAckHeader {
    /// `ProcessExecutionTime` 処理実行日時, required.
    pub process_execution_time: NaiveDateTime,
    /// `MedicalInstitutionCode` 医療機関コード, required.
    pub medical_institution_code: MedicalInstitutionCode,
    /// `ArbitraryFileIdentifier` 任意のファイル識別子 (echo).
    pub arbitrary_file_identifier: Option<String>,
    /// `CharacterCodeIdentifier` 文字コード識別, required (written from the encoding used).
    pub character_code_identifier: CharacterEncoding,
}

/// `OQSmuquc02req` 一括照会結果取得要求.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkDownloadRequest {
    /// `MessageHeader/MedicalInstitutionCode` 医療機関コード, required.
    pub medical_institution_code: MedicalInstitutionCode,
    /// `MessageHeader/ArbitraryFileIdentifier` 任意のファイル識別子.
    pub arbitrary_file_identifier: Option<String>,
    /// `MessageBody/ReceptionNumber` 受付番号 from the ack, required.
    pub reception_number: String,
}

/// `OQSmuquc02res` 資格確認一括照会結果.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkQualificationResponse {
    /// `XmlMsg/MessageHeader`.
    pub message_header: BulkResponseHeader,
    /// `XmlMsg/MessageBody/BulkConfirmUnit` (one per search info of the upload).
    #[serde(default)]
    pub bulk_confirm_unit: Vec<BulkConfirmUnit>,
}

impl BulkQualificationResponse {
    /// Unit `unit` read as the single answer `OQSsiquc01res` would have given for its
    /// search (header from this response, the unit's status, validity and results):
    /// the shape every check of an answer takes, so a bulk unit is judged exactly as a
    /// numbers confirmation is.
    pub fn unit_response(&self, unit: &BulkConfirmUnit) -> super::QualificationResponse {
        let h = &self.message_header;
        super::QualificationResponse {
            message_header: super::MessageHeader {
                process_execution_time: h.process_execution_time,
                qualification_confirmation_date: h
                    .qualification_confirmation_date
                    .unwrap_or_else(|| h.process_execution_time.date()),
                medical_institution_code: h.medical_institution_code.clone(),
                arbitrary_file_identifier: None,
                reference_classification:
                    crate::codes::ReferenceClassification::InsuranceCardNumbers,
                segment_of_result: SegmentOfResult::Normal,
                error_code: None,
                error_message: None,
                character_code_identifier: CharacterEncoding::Utf8,
            },
            message_body: super::MessageBody {
                qualification_confirm_search_info: None,
                prescription_issue_select: None,
                processing_result_status: unit.processing_result_status,
                processing_result_code: unit.processing_result_code.clone(),
                processing_result_message: unit.processing_result_message.clone(),
                qualification_validity: unit.qualification_validity,
                result_list: unit.result_of_qualification_confirmation.clone(),
            },
        }
    }
}

/// `MessageHeader` of `OQSmuquc02res`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkResponseHeader {
    /// `ProcessExecutionTime` 処理実行日時, required.
    pub process_execution_time: NaiveDateTime,
    /// `QualificationConfirmationDate` 資格確認日.
    pub qualification_confirmation_date: Option<NaiveDate>,
    /// `MedicalInstitutionCode` 医療機関コード, required.
    pub medical_institution_code: MedicalInstitutionCode,
    /// `ArbitraryFileIdentifier` 任意のファイル識別子.
    pub arbitrary_file_identifier: Option<String>,
    /// `ReceptionNumber` 受付番号, required.
    pub reception_number: String,
    /// `SegmentOfResult` 処理結果区分 (2 処理中 while the centre is still working), required.
    pub segment_of_result: SegmentOfResult,
    /// `ErrorCode` エラーコード.
    pub error_code: Option<String>,
    /// `ErrorMessage` エラーメッセージ.
    pub error_message: Option<String>,
    /// `NumberOfProcessingResult` 処理結果件数.
    pub number_of_processing_result: Option<u32>,
    /// `NumberOfNormalProcessing` 正常件数.
    pub number_of_normal_processing: Option<u32>,
    /// `NumberOfError` エラー件数.
    pub number_of_error: Option<u32>,
    /// `CharacterCodeIdentifier` 文字コード識別, required (written from the encoding used).
    pub character_code_identifier: CharacterEncoding,
}

/// `BulkConfirmUnit`: the result for one search info of a bulk request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkConfirmUnit {
    /// `QualificationConfirmSearchInfo` 資格確認照会用情報 (echo).
    pub qualification_confirm_search_info: Option<QualificationConfirmSearchInfo>,
    /// `ProcessingResultStatus` 処理結果状況, required.
    pub processing_result_status: ProcessingResultStatus,
    /// `ProcessingResultCode` 処理結果コード.
    pub processing_result_code: Option<String>,
    /// `ProcessingResultMessage` 処理結果メッセージ.
    pub processing_result_message: Option<String>,
    /// `QualificationValidity` 資格有効性.
    pub qualification_validity: Option<QualificationValidity>,
    /// `ResultOfQualificationConfirmation` 資格確認結果 (directly in the unit, 0..n).
    #[serde(default)]
    pub result_of_qualification_confirmation: Vec<ResultOfQualificationConfirmation>,
    /// `ReferenceNumber` 照会番号.
    pub reference_number: Option<String>,
}

/// 限度額適用認定証変更有無 LimitApplicationCertificateChanged (OQSCD014).
///
/// Not in `codes.rs` yet; kept here until it moves there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LimitCertificateChanged {
    /// `0` 変更なし
    Unchanged,
    /// `1` 変更あり / 判定不能
    ChangedOrUnknown,
}

impl LimitCertificateChanged {
    /// The element name.
    pub const FIELD: &'static str = "LimitApplicationCertificateChanged";

    /// The wire value.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Unchanged => "0",
            Self::ChangedOrUnknown => "1",
        }
    }

    /// Parses a wire value (surrounding ASCII whitespace ignored).
    pub fn parse(value: &str) -> Result<Self, CodeError> {
        match value.trim() {
            "0" => Ok(Self::Unchanged),
            "1" => Ok(Self::ChangedOrUnknown),
            _ => Err(code_error(Self::FIELD, value, "not in the code table")),
        }
    }
}

impl fmt::Display for LimitCertificateChanged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for LimitCertificateChanged {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for LimitCertificateChanged {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}
