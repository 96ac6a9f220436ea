//! `ResultOfQualificationConfirmation` 資格確認結果 and its sub-blocks.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::{LimitCertificateChanged, YearMonth};
use crate::codes::{
    ConsentFlag, ContributionRatio, InsuredCardClassification, InsurerNumber,
    LimitCertificateClassification, LimitClass, LimitConsentFlag, PersonalFamilyClassification,
    PreschoolClassification, ReasonOfLoss, Sex, SpecificDiseaseCategory,
};

/// `ResultOfQualificationConfirmation` 資格確認結果: one qualification of one person.
///
/// Required (as in the known parsers): `InsuredCardClassification`, `Name`, `Sex1`,
/// `Birthdate`, `InsurerName`. Everything else may be absent: a missing ratio means
/// "derive from age / 未就学", never 10割.
///
/// For 医療扶助 (`InsuredCardClassification` `A1`) the 公費負担者番号 travels in
/// `InsurerNumber` and the 受給者番号 in `InsuredIdentificationNumber`; see
/// [`Self::public_expense_payer_number`] and [`Self::recipient_number`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultOfQualificationConfirmation {
    /// `InsuredCardClassification` 被保険者証区分 (OQSCD010), required.
    pub insured_card_classification: InsuredCardClassification,
    /// `InsurerNumber` 保険者番号 (公費負担者番号 for 医療扶助).
    pub insurer_number: Option<InsurerNumber>,
    /// `InsuredCardSymbol` 被保険者証記号.
    pub insured_card_symbol: Option<String>,
    /// `InsuredIdentificationNumber` 被保険者証番号 (受給者番号 for 医療扶助).
    pub insured_identification_number: Option<String>,
    /// `InsuredBranchNumber` 被保険者証枝番.
    pub insured_branch_number: Option<String>,
    /// `PersonalFamilyClassification` 本人・家族の別 (OQSCD009).
    pub personal_family_classification: Option<PersonalFamilyClassification>,
    /// `InsuredName` 被保険者氏名（世帯主氏名）.
    pub insured_name: Option<String>,
    /// `Name` 氏名, required.
    pub name: String,
    /// `NameOfOther` 氏名（その他）(通称名 etc.).
    pub name_of_other: Option<String>,
    /// `NameKana` 氏名カナ (half-width).
    pub name_kana: Option<String>,
    /// `NameOfOtherKana` 氏名カナ（その他）.
    pub name_of_other_kana: Option<String>,
    /// `Sex1` 性別1 (OQSCD007), required.
    pub sex1: Sex,
    /// `Sex2` 性別2 (裏面記載 etc.).
    pub sex2: Option<Sex>,
    /// `Birthdate` 生年月日, required.
    pub birthdate: NaiveDate,
    /// `Address` 住所 (as registered with the insurer).
    pub address: Option<String>,
    /// `PostNumber` 郵便番号.
    pub post_number: Option<String>,
    /// `QualificationDate` 資格取得年月日.
    pub qualification_date: Option<NaiveDate>,
    /// `DisqualificationDate` 資格喪失年月日.
    pub disqualification_date: Option<NaiveDate>,
    /// `InsuredCertificateIssuanceDate` 被保険者証交付年月日.
    pub insured_certificate_issuance_date: Option<NaiveDate>,
    /// `InsuredCardValidDate` 被保険者証有効開始年月日.
    pub insured_card_valid_date: Option<NaiveDate>,
    /// `InsuredCardExpirationDate` 被保険者証有効終了年月日.
    pub insured_card_expiration_date: Option<NaiveDate>,
    /// `InsuredPartialContributionRatio` 被保険者証一部負担金割合 (`"010"` = 1割; 後期).
    pub insured_partial_contribution_ratio: Option<ContributionRatio>,
    /// `PreschoolClassification` 未就学区分 (OQSCD015).
    pub preschool_classification: Option<PreschoolClassification>,
    /// `ReasonOfLoss` 資格喪失事由 (OQSCD008).
    pub reason_of_loss: Option<ReasonOfLoss>,
    /// `InsurerName` 保険者名称, required.
    pub insurer_name: String,
    /// `ElderlyRecipientCertificateInfo` 高齢受給者証情報 (70–74).
    pub elderly_recipient_certificate_info: Option<ElderlyRecipientCertificateInfo>,
    /// `LimitApplicationCertificateRelatedConsFlg` 限度額適用認定証提供同意フラグ (OQSCD001).
    pub limit_application_certificate_related_cons_flg: Option<LimitConsentFlag>,
    /// `LimitApplicationCertificateRelatedConsTime` 限度額適用認定証提供同意日時.
    pub limit_application_certificate_related_cons_time: Option<NaiveDateTime>,
    /// `LimitApplicationCertificateRelatedInfo` 限度額適用認定証関連情報.
    pub limit_application_certificate_related_info: Option<LimitApplicationCertificateRelatedInfo>,
    /// `SpecificDiseasesCertificateRelatedConsFlg` 特定疾病療養受療証提供同意フラグ (OQSCD016).
    pub specific_diseases_certificate_related_cons_flg: Option<ConsentFlag>,
    /// `SpecificDiseasesCertificateRelatedConsTime` 特定疾病療養受療証提供同意日時.
    pub specific_diseases_certificate_related_cons_time: Option<NaiveDateTime>,
    /// `SpecificDiseasesCertificateList/SpecificDiseasesCertificateInfo` 特定疾病療養受療証情報.
    #[serde(default)]
    pub specific_diseases_certificate_list: Vec<SpecificDiseasesCertificateInfo>,
    /// `PublicExpenseResultList/MedicalTicketInfo` 医療扶助資格確認結果 (医療券・調剤券情報).
    #[serde(default)]
    pub public_expense_result_list: Vec<MedicalTicketInfo>,
    /// `SpecificHealthCheckupsInfoConsFlg/ConsTime/AvailableTime` 特定健診情報閲覧同意.
    #[serde(default)]
    pub specific_health_checkups_info: ViewingConsent,
    /// `PharmacistsInfoConsFlg/ConsTime/AvailableTime` 薬剤情報閲覧同意.
    #[serde(default)]
    pub pharmacists_info: ViewingConsent,
    /// `DiagnosisInfoConsFlg/ConsTime/AvailableTime` 診療情報閲覧同意.
    #[serde(default)]
    pub diagnosis_info: ViewingConsent,
    /// `OperationInfoConsFlg/ConsTime/AvailableTime` 手術情報閲覧同意.
    #[serde(default)]
    pub operation_info: ViewingConsent,
    /// `ReferenceNumber` 照会番号 (the clinic's patient ID, if registered).
    pub reference_number: Option<String>,
    /// `LimitApplicationCertificateChanged` 限度額適用認定証変更有無 (OQSCD014; bulk only).
    pub limit_application_certificate_changed: Option<LimitCertificateChanged>,
}

impl ResultOfQualificationConfirmation {
    /// A result with only the required elements (氏名, 性別1, 生年月日, 保険者名称 and
    /// the 被保険者証区分 一般); every optional element absent.
    pub fn minimal(name: String, sex: Sex, birthdate: NaiveDate, insurer_name: String) -> Self {
        Self {
            insured_card_classification: InsuredCardClassification::General,
            insurer_number: None,
            insured_card_symbol: None,
            insured_identification_number: None,
            insured_branch_number: None,
            personal_family_classification: None,
            insured_name: None,
            name,
            name_of_other: None,
            name_kana: None,
            name_of_other_kana: None,
            sex1: sex,
            sex2: None,
            birthdate,
            address: None,
            post_number: None,
            qualification_date: None,
            disqualification_date: None,
            insured_certificate_issuance_date: None,
            insured_card_valid_date: None,
            insured_card_expiration_date: None,
            insured_partial_contribution_ratio: None,
            preschool_classification: None,
            reason_of_loss: None,
            insurer_name,
            elderly_recipient_certificate_info: None,
            limit_application_certificate_related_cons_flg: None,
            limit_application_certificate_related_cons_time: None,
            limit_application_certificate_related_info: None,
            specific_diseases_certificate_related_cons_flg: None,
            specific_diseases_certificate_related_cons_time: None,
            specific_diseases_certificate_list: Vec::new(),
            public_expense_result_list: Vec::new(),
            specific_health_checkups_info: ViewingConsent::default(),
            pharmacists_info: ViewingConsent::default(),
            diagnosis_info: ViewingConsent::default(),
            operation_info: ViewingConsent::default(),
            reference_number: None,
            limit_application_certificate_changed: None,
        }
    }
}

impl ResultOfQualificationConfirmation {
    /// 公費負担者番号 of a 医療扶助 result (`InsurerNumber` when the classification is `A1`).
    pub fn public_expense_payer_number(&self) -> Option<&InsurerNumber> {
        self.is_medical_aid()
            .then_some(self.insurer_number.as_ref())
            .flatten()
    }

    /// 受給者番号 of a 医療扶助 result (`InsuredIdentificationNumber` for `A1`).
    pub fn recipient_number(&self) -> Option<&str> {
        self.is_medical_aid()
            .then_some(self.insured_identification_number.as_deref())
            .flatten()
    }

    /// Whether this is a 医療扶助 (生活保護) result.
    pub fn is_medical_aid(&self) -> bool {
        self.insured_card_classification == InsuredCardClassification::MedicalAid
    }
}

/// `ElderlyRecipientCertificateInfo` 高齢受給者証情報 (people aged 70–74).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElderlyRecipientCertificateInfo {
    /// `ElderlyRecipientCertificateDate` 高齢受給者証交付年月日.
    pub elderly_recipient_certificate_date: Option<NaiveDate>,
    /// `ElderlyRecipientValidStartDate` 高齢受給者証有効開始年月日.
    pub elderly_recipient_valid_start_date: Option<NaiveDate>,
    /// `ElderlyRecipientValidEndDate` 高齢受給者証有効終了年月日.
    pub elderly_recipient_valid_end_date: Option<NaiveDate>,
    /// `ElderlyRecipientContributionRatio` 高齢受給者証一部負担金割合 (`"020"` = 2割).
    pub elderly_recipient_contribution_ratio: Option<ContributionRatio>,
}

/// `LimitApplicationCertificateRelatedInfo` 限度額適用認定証関連情報.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimitApplicationCertificateRelatedInfo {
    /// `LimitApplicationCertificateClassification` 限度額適用認定証区分 (OQSCD011).
    pub limit_application_certificate_classification: Option<LimitCertificateClassification>,
    /// `LimitApplicationCertificateClassificationFlag` 適用区分 (OQSCD012).
    pub limit_application_certificate_classification_flag: Option<LimitClass>,
    /// `LimitApplicationCertificateDate` 限度額適用認定証交付年月日.
    pub limit_application_certificate_date: Option<NaiveDate>,
    /// `LimitApplicationCertificateValidStartDate` 限度額適用認定証有効開始年月日.
    pub limit_application_certificate_valid_start_date: Option<NaiveDate>,
    /// `LimitApplicationCertificateValidEndDate` 限度額適用認定証有効終了年月日.
    pub limit_application_certificate_valid_end_date: Option<NaiveDate>,
    /// `LimitApplicationCertificateLongTermDate` 限度額適用認定証長期入院該当年月日.
    pub limit_application_certificate_long_term_date: Option<NaiveDate>,
}

/// `SpecificDiseasesCertificateInfo` 特定疾病療養受療証情報.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecificDiseasesCertificateInfo {
    /// `SpecificDiseasesDiseaseCategory` 認定疾病区分 (OQSCD013), required.
    pub specific_diseases_disease_category: SpecificDiseaseCategory,
    /// `SpecificDiseasesCertificateDate` 特定疾病療養受療証交付年月日.
    pub specific_diseases_certificate_date: Option<NaiveDate>,
    /// `SpecificDiseasesValidStartDate` 特定疾病療養受療証有効開始年月日.
    pub specific_diseases_valid_start_date: Option<NaiveDate>,
    /// `SpecificDiseasesValidEndDate` 特定疾病療養受療証有効終了年月日.
    pub specific_diseases_valid_end_date: Option<NaiveDate>,
    /// `SpecificDiseasesSelfPay` 自己負担限度額 (yen per month, e.g. 10000).
    pub specific_diseases_self_pay: Option<u32>,
}

/// `MedicalTicketInfo` 医療券・調剤券情報 (医療扶助), a minimal subset of the block.
///
/// The 公費負担者番号 and 受給者番号 are not here but in the enclosing result's
/// `InsurerNumber` / `InsuredIdentificationNumber`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MedicalTicketInfo {
    /// `TicketType` 医療券・調剤券別.
    pub ticket_type: Option<String>,
    /// `MedicalTicketValidDate` 医療券・調剤券有効開始年月日.
    pub medical_ticket_valid_date: Option<NaiveDate>,
    /// `MedicalTicketExpirationDate` 医療券・調剤券有効終了年月日.
    pub medical_ticket_expiration_date: Option<NaiveDate>,
    /// `IssueNumber` 交付番号.
    pub issue_number: Option<String>,
    /// `MedicalTreatmentMonth` 診療年月 (`yyyyMM`).
    pub medical_treatment_month: Option<YearMonth>,
    /// `DesignatedMedicalInstitutionCode` 指定医療機関コード.
    pub designated_medical_institution_code: Option<String>,
    /// `SelfPayAmount` 本人支払額（自己負担額）(yen).
    pub self_pay_amount: Option<u32>,
}

/// One 閲覧同意 triple, flat in the XML as `<Prefix>ConsFlg`, `<Prefix>ConsTime`,
/// `<Prefix>AvailableTime` (prefixes `SpecificHealthCheckupsInfo`, `PharmacistsInfo`,
/// `DiagnosisInfo`, `OperationInfo`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewingConsent {
    /// `…ConsFlg` 閲覧同意フラグ (OQSCD016).
    pub cons_flg: Option<ConsentFlag>,
    /// `…ConsTime` 閲覧同意日時.
    pub cons_time: Option<NaiveDateTime>,
    /// `…AvailableTime` 閲覧有効期限.
    pub available_time: Option<NaiveDateTime>,
}

impl ViewingConsent {
    /// Whether none of the three elements is present.
    pub fn is_empty(&self) -> bool {
        self.cons_flg.is_none() && self.cons_time.is_none() && self.available_time.is_none()
    }
}
