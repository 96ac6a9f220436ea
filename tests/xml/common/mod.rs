//! Synthetic persons and messages shared by the integration tests. Every name, number
//! and date here is made up.

#![allow(dead_code)]

use chrono::{NaiveDate, NaiveDateTime};
use onshi::codes::*;
use onshi::message::*;

pub(crate) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("fixture date")
}

pub(crate) fn time(y: i32, m: u32, d: u32, hh: u32, mm: u32, ss: u32) -> NaiveDateTime {
    date(y, m, d).and_hms_opt(hh, mm, ss).expect("fixture time")
}

/// An insurer number from its body (check digit appended).
pub(crate) fn insurer(body: &str) -> InsurerNumber {
    InsurerNumber::with_check_digit(body).expect("fixture insurer body")
}

pub(crate) fn clinic() -> MedicalInstitutionCode {
    MedicalInstitutionCode::parse("1311234567").expect("fixture clinic")
}

/// A result with only the required elements; tests fill in the rest.
pub(crate) fn minimal_result(
    name: &str,
    sex: Sex,
    birthdate: NaiveDate,
    insurer_name: &str,
) -> ResultOfQualificationConfirmation {
    ResultOfQualificationConfirmation::minimal(name.into(), sex, birthdate, insurer_name.into())
}

fn consent(at: NaiveDateTime, until: NaiveDateTime) -> ViewingConsent {
    ViewingConsent {
        cons_flg: Some(ConsentFlag::Given),
        cons_time: Some(at),
        available_time: Some(until),
    }
}

/// A card (マイナ保険証) response wrapping `results`, confirmed on 2026-04-01.
pub(crate) fn card_response(
    results: Vec<ResultOfQualificationConfirmation>,
) -> QualificationResponse {
    QualificationResponse {
        message_header: MessageHeader {
            process_execution_time: time(2026, 4, 1, 9, 12, 34),
            qualification_confirmation_date: date(2026, 4, 1),
            medical_institution_code: clinic(),
            arbitrary_file_identifier: Some("20260401091234001".into()),
            reference_classification: ReferenceClassification::MyNumberCard,
            segment_of_result: SegmentOfResult::Normal,
            error_code: None,
            error_message: None,
            character_code_identifier: CharacterEncoding::Utf8,
        },
        message_body: MessageBody {
            qualification_confirm_search_info: None,
            prescription_issue_select: Some(PrescriptionIssueSelect::Electronic),
            processing_result_status: ProcessingResultStatus::Normal,
            processing_result_code: None,
            processing_result_message: None,
            qualification_validity: Some(QualificationValidity::Valid),
            result_list: results,
        },
    }
}

/// 山田 太郎, 39, 協会けんぽ 東京支部 本人 (3割, derived: no ratio element for under-70s),
/// every consent given, 限度額 ウ.
pub(crate) fn adult_kyokai() -> ResultOfQualificationConfirmation {
    let at = time(2026, 4, 1, 9, 12, 0);
    let until = time(2026, 4, 2, 9, 12, 0);
    ResultOfQualificationConfirmation {
        insurer_number: Some(insurer("0113001")),
        insured_card_symbol: Some("12345678".into()),
        insured_identification_number: Some("0042".into()),
        insured_branch_number: Some("00".into()),
        personal_family_classification: Some(PersonalFamilyClassification::Insured),
        insured_name: Some("山田 太郎".into()),
        name_kana: Some("ﾔﾏﾀﾞ ﾀﾛｳ".into()),
        address: Some("東京都千代田区千代田１－１－１".into()),
        post_number: Some("100-0001".into()),
        qualification_date: Some(date(2010, 4, 1)),
        insured_certificate_issuance_date: Some(date(2010, 4, 10)),
        insured_card_valid_date: Some(date(2010, 4, 1)),
        limit_application_certificate_related_cons_flg: Some(LimitConsentFlag::Given),
        limit_application_certificate_related_cons_time: Some(at),
        limit_application_certificate_related_info: Some(LimitApplicationCertificateRelatedInfo {
            limit_application_certificate_classification: Some(
                LimitCertificateClassification::Limit,
            ),
            limit_application_certificate_classification_flag: Some(LimitClass::A03),
            limit_application_certificate_date: Some(date(2026, 3, 25)),
            limit_application_certificate_valid_start_date: Some(date(2026, 4, 1)),
            limit_application_certificate_valid_end_date: Some(date(2027, 3, 31)),
            limit_application_certificate_long_term_date: None,
        }),
        specific_health_checkups_info: consent(at, until),
        pharmacists_info: consent(at, until),
        diagnosis_info: consent(at, until),
        operation_info: consent(at, until),
        reference_number: Some("P000123".into()),
        ..minimal_result(
            "山田 太郎",
            Sex::Male,
            date(1986, 6, 15),
            "全国健康保険協会東京支部",
        )
    }
}

/// 佐藤 花子, 72, 国民健康保険 (6-digit insurer, space-padded), 高齢受給者 2割, 限度額 B04.
pub(crate) fn elderly_70_74_nhi() -> ResultOfQualificationConfirmation {
    ResultOfQualificationConfirmation {
        insurer_number: Some(insurer("13810")),
        insured_card_symbol: Some("千代田".into()),
        insured_identification_number: Some("00123456".into()),
        insured_branch_number: Some("01".into()),
        personal_family_classification: Some(PersonalFamilyClassification::Insured),
        insured_name: Some("佐藤 花子".into()),
        name_kana: Some("ｻﾄｳ ﾊﾅｺ".into()),
        qualification_date: Some(date(2018, 4, 1)),
        elderly_recipient_certificate_info: Some(ElderlyRecipientCertificateInfo {
            elderly_recipient_certificate_date: Some(date(2025, 7, 15)),
            elderly_recipient_valid_start_date: Some(date(2025, 8, 1)),
            elderly_recipient_valid_end_date: Some(date(2026, 7, 31)),
            elderly_recipient_contribution_ratio: Some(ContributionRatio::TWENTY),
        }),
        limit_application_certificate_related_cons_flg: Some(LimitConsentFlag::Given),
        limit_application_certificate_related_cons_time: Some(time(2026, 4, 1, 9, 20, 5)),
        limit_application_certificate_related_info: Some(LimitApplicationCertificateRelatedInfo {
            limit_application_certificate_classification: Some(
                LimitCertificateClassification::Limit,
            ),
            limit_application_certificate_classification_flag: Some(LimitClass::B04),
            ..Default::default()
        }),
        pharmacists_info: ViewingConsent {
            cons_flg: Some(ConsentFlag::NotGiven),
            ..Default::default()
        },
        ..minimal_result("佐藤 花子", Sex::Female, date(1953, 8, 20), "千代田区")
    }
}

/// 鈴木 一郎, 81, 後期高齢者医療 東京都 1割, 特定疾病 (透析).
pub(crate) fn late_elderly() -> ResultOfQualificationConfirmation {
    ResultOfQualificationConfirmation {
        insurer_number: Some(insurer("3913115")),
        insured_identification_number: Some("00012345".into()),
        personal_family_classification: Some(PersonalFamilyClassification::Insured),
        name_kana: Some("ｽｽﾞｷ ｲﾁﾛｳ".into()),
        qualification_date: Some(date(2020, 3, 3)),
        insured_card_valid_date: Some(date(2025, 8, 1)),
        insured_card_expiration_date: Some(date(2026, 7, 31)),
        insured_partial_contribution_ratio: Some(ContributionRatio::TEN),
        specific_diseases_certificate_related_cons_flg: Some(ConsentFlag::Given),
        specific_diseases_certificate_related_cons_time: Some(time(2026, 4, 1, 10, 0, 0)),
        specific_diseases_certificate_list: vec![SpecificDiseasesCertificateInfo {
            specific_diseases_disease_category:
                SpecificDiseaseCategory::ChronicRenalFailureDialysis,
            specific_diseases_certificate_date: Some(date(2024, 5, 1)),
            specific_diseases_valid_start_date: Some(date(2024, 5, 1)),
            specific_diseases_valid_end_date: None,
            specific_diseases_self_pay: Some(10000),
        }],
        ..minimal_result(
            "鈴木 一郎",
            Sex::Male,
            date(1945, 3, 3),
            "東京都後期高齢者医療広域連合",
        )
    }
}

/// 田中 さくら, 3, 協会けんぽ 家族, 未就学 (2割, derived: no ratio element).
pub(crate) fn preschool_child() -> ResultOfQualificationConfirmation {
    ResultOfQualificationConfirmation {
        insurer_number: Some(insurer("0114001")),
        insured_card_symbol: Some("7654".into()),
        insured_identification_number: Some("321".into()),
        insured_branch_number: Some("02".into()),
        personal_family_classification: Some(PersonalFamilyClassification::Dependant),
        insured_name: Some("田中 健".into()),
        name_kana: Some("ﾀﾅｶ ｻｸﾗ".into()),
        qualification_date: Some(date(2022, 5, 10)),
        preschool_classification: Some(PreschoolClassification::Preschool),
        ..minimal_result(
            "田中 さくら",
            Sex::Female,
            date(2022, 5, 10),
            "全国健康保険協会神奈川支部",
        )
    }
}

/// 髙橋 𠮷男, 36, 健康保険組合 本人: 髙 is outside JIS X 0208, 𠮷 outside the BMP.
pub(crate) fn takahashi() -> ResultOfQualificationConfirmation {
    ResultOfQualificationConfirmation {
        insurer_number: Some(insurer("0613999")),
        insured_card_symbol: Some("ｱｲ".into()),
        insured_identification_number: Some("1001".into()),
        insured_branch_number: Some("00".into()),
        personal_family_classification: Some(PersonalFamilyClassification::Insured),
        insured_name: Some("髙橋 𠮷男".into()),
        name_kana: Some("ﾀｶﾊｼ ﾖｼｵ".into()),
        address: Some("東京都港区芝公園４－２－８".into()),
        ..minimal_result(
            "髙橋 𠮷男",
            Sex::Male,
            date(1990, 1, 1),
            "合成テスト健康保険組合",
        )
    }
}

/// 伊藤 次郎, 医療扶助 (A1): 公費負担者番号 in InsurerNumber, 受給者番号 in the number.
pub(crate) fn medical_aid() -> ResultOfQualificationConfirmation {
    ResultOfQualificationConfirmation {
        insured_card_classification: InsuredCardClassification::MedicalAid,
        insurer_number: Some(insurer("1213001")),
        insured_identification_number: Some("1234567".into()),
        public_expense_result_list: vec![MedicalTicketInfo {
            ticket_type: Some("1".into()),
            medical_ticket_valid_date: Some(date(2026, 4, 1)),
            medical_ticket_expiration_date: Some(date(2026, 4, 30)),
            issue_number: Some("000123".into()),
            medical_treatment_month: Some(YearMonth::new(2026, 4).expect("month")),
            designated_medical_institution_code: Some("1311234567".into()),
            self_pay_amount: Some(0),
        }],
        ..minimal_result(
            "伊藤 次郎",
            Sex::Male,
            date(1970, 11, 3),
            "千代田区福祉事務所",
        )
    }
}

/// 該当資格なし for a numbers query: SegmentOfResult 9, ProcessingResultStatus 2,
/// QualificationValidity 4, no result list.
pub(crate) fn error_response() -> QualificationResponse {
    let mut r = card_response(Vec::new());
    r.message_header.reference_classification = ReferenceClassification::InsuranceCardNumbers;
    r.message_header.segment_of_result = SegmentOfResult::Abnormal;
    r.message_header.error_code = Some("SYNTH-E0004".into());
    r.message_header.error_message = Some("該当する資格がありません（合成データ）".into());
    r.message_body = MessageBody {
        qualification_confirm_search_info: Some(search_info()),
        prescription_issue_select: None,
        processing_result_status: ProcessingResultStatus::Error,
        processing_result_code: Some("SYNTH-P0004".into()),
        processing_result_message: Some("資格情報が確認できませんでした（合成データ）".into()),
        qualification_validity: Some(QualificationValidity::NoMatchingQualification),
        result_list: Vec::new(),
    };
    r
}

pub(crate) fn search_info() -> QualificationConfirmSearchInfo {
    QualificationConfirmSearchInfo {
        insurer_number: insurer("13810"),
        insured_card_symbol: Some("千代田".into()),
        insured_identification_number: "00999999".into(),
        insured_branch_number: Some("01".into()),
        birthdate: date(1960, 2, 29),
        limit_application_certificate_related_cons_flg: Some(LimitConsentFlag::NotGiven),
        arbitrary_identifier: None,
    }
}

pub(crate) fn request() -> QualificationRequest {
    QualificationRequest {
        message_header: RequestHeader {
            qualification_confirmation_date: date(2026, 4, 1),
            medical_institution_code: clinic(),
            arbitrary_file_identifier: "20260401091234001".into(),
        },
        qualification_confirm_search_info: search_info(),
    }
}

pub(crate) fn bulk_request() -> BulkQualificationRequest {
    let mut second = search_info();
    second.insurer_number = insurer("0113001");
    second.insured_card_symbol = Some("12345678".into());
    second.insured_identification_number = "0042".into();
    second.insured_branch_number = Some("00".into());
    second.birthdate = date(1986, 6, 15);
    BulkQualificationRequest {
        message_header: request().message_header,
        qualification_confirm_search_info: vec![
            BulkSearchInfo {
                search_info: search_info(),
                medical_treatment_month: None,
                medical_treatment_flag: None,
            },
            BulkSearchInfo {
                search_info: second,
                medical_treatment_month: Some(YearMonth::new(2026, 4).expect("month")),
                medical_treatment_flag: Some(MedicalTreatmentFlag::HomeVisit),
            },
        ],
    }
}

pub(crate) fn bulk_ack() -> BulkUploadAck {
    BulkUploadAck {
        message_header: BulkUploadAckHeader {
            process_execution_time: time(2026, 3, 31, 18, 0, 1),
            medical_institution_code: clinic(),
            arbitrary_file_identifier: Some("20260331180000001".into()),
            character_code_identifier: CharacterEncoding::Utf8,
        },
        reception_number: "R202603310000123".into(),
        reception_date_time: time(2026, 3, 31, 18, 0, 0),
    }
}

pub(crate) fn bulk_download() -> BulkDownloadRequest {
    BulkDownloadRequest {
        medical_institution_code: clinic(),
        arbitrary_file_identifier: None,
        reception_number: "R202603310000123".into(),
    }
}

/// Three units: valid, 無効（新しい資格あり）, and 該当資格なし (error).
pub(crate) fn bulk_response() -> BulkQualificationResponse {
    let mut lost = elderly_70_74_nhi();
    lost.disqualification_date = Some(date(2026, 3, 31));
    lost.reason_of_loss = Some(ReasonOfLoss::OtherInsuranceAcquired);
    lost.limit_application_certificate_changed = Some(LimitCertificateChanged::ChangedOrUnknown);
    BulkQualificationResponse {
        message_header: BulkResponseHeader {
            process_execution_time: time(2026, 4, 1, 6, 0, 0),
            qualification_confirmation_date: Some(date(2026, 4, 1)),
            medical_institution_code: clinic(),
            arbitrary_file_identifier: Some("20260331180000001".into()),
            reception_number: "R202603310000123".into(),
            segment_of_result: SegmentOfResult::Normal,
            error_code: None,
            error_message: None,
            number_of_processing_result: Some(3),
            number_of_normal_processing: Some(2),
            number_of_error: Some(1),
            character_code_identifier: CharacterEncoding::Utf8,
        },
        bulk_confirm_unit: vec![
            BulkConfirmUnit {
                qualification_confirm_search_info: None,
                processing_result_status: ProcessingResultStatus::Normal,
                processing_result_code: None,
                processing_result_message: None,
                qualification_validity: Some(QualificationValidity::Valid),
                result_of_qualification_confirmation: vec![adult_kyokai()],
                reference_number: Some("P000123".into()),
            },
            BulkConfirmUnit {
                qualification_confirm_search_info: None,
                processing_result_status: ProcessingResultStatus::Normal,
                processing_result_code: None,
                processing_result_message: None,
                qualification_validity: Some(QualificationValidity::InvalidNewQualificationExists),
                result_of_qualification_confirmation: vec![lost],
                reference_number: None,
            },
            BulkConfirmUnit {
                qualification_confirm_search_info: Some(search_info()),
                processing_result_status: ProcessingResultStatus::Error,
                processing_result_code: Some("SYNTH-P0004".into()),
                processing_result_message: Some(
                    "資格情報が確認できませんでした（合成データ）".into(),
                ),
                qualification_validity: Some(QualificationValidity::NoMatchingQualification),
                result_of_qualification_confirmation: Vec::new(),
                reference_number: None,
            },
        ],
    }
}
