//! 資格確認照会 request `OQSsiquc01req` and the search info it carries.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::MedicalInstitutionCode;
use crate::codes::{InsurerNumber, LimitConsentFlag};

/// `OQSsiquc01req`: one 資格確認 by 被保険者証 numbers (保険証, 資格確認書 or 資格情報のお知らせ).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualificationRequest {
    /// `XmlMsg/MessageHeader`.
    pub message_header: RequestHeader,
    /// `XmlMsg/MessageBody/QualificationConfirmSearchInfo` 資格確認照会用情報.
    pub qualification_confirm_search_info: QualificationConfirmSearchInfo,
}

/// `MessageHeader` of the requests `OQSsiquc01req` and `OQSmuquc01req`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestHeader {
    /// `QualificationConfirmationDate` 資格確認日 (`yyyyMMdd`), required.
    pub qualification_confirmation_date: NaiveDate,
    /// `MedicalInstitutionCode` 医療機関コード (10 digits), required.
    pub medical_institution_code: MedicalInstitutionCode,
    /// `ArbitraryFileIdentifier` 任意のファイル識別子 (free, chosen by the clinic), required.
    pub arbitrary_file_identifier: String,
}

/// `QualificationConfirmSearchInfo` 資格確認照会用情報: the numbers printed on the card.
///
/// Also echoed in results (`OQSsiquc01res` body, bulk `BulkConfirmUnit`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualificationConfirmSearchInfo {
    /// `InsurerNumber` 保険者番号 (6 or 8 digits; written space-padded to 8), required.
    pub insurer_number: InsurerNumber,
    /// `InsuredCardSymbol` 被保険者証記号 (absent for insurers without symbols).
    pub insured_card_symbol: Option<String>,
    /// `InsuredIdentificationNumber` 被保険者証番号 (leading zeros kept), required.
    pub insured_identification_number: String,
    /// `InsuredBranchNumber` 被保険者証枝番 (two digits, leading zeros kept).
    pub insured_branch_number: Option<String>,
    /// `Birthdate` 生年月日 (`yyyyMMdd`), required.
    pub birthdate: NaiveDate,
    /// `LimitApplicationCertificateRelatedConsFlg` 限度額適用認定証提供同意フラグ.
    pub limit_application_certificate_related_cons_flg: Option<LimitConsentFlag>,
    /// `ArbitraryIdentifier` 任意の識別子 (per-person, results only).
    pub arbitrary_identifier: Option<String>,
}
