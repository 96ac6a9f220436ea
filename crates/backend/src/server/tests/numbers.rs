//! The numbers path (JSON and XML), bulk inquiry.

use super::world::*;
use onshi_domain::codes::{
    CharacterEncoding, InsurerNumber, ProcessingResultStatus, QualificationValidity as V,
    SegmentOfResult,
};
use onshi_domain::message::{
    BulkDownloadRequest, BulkQualificationRequest, BulkSearchInfo, QualificationRequest,
    RequestHeader,
};
use onshi_domain::protocol::ResultCode as C;

#[test]
fn numbers_find_the_record_and_its_validity() {
    let w = world(&[]);
    let res = w
        .numbers(&w.numbers_request("standard-adult", 0))
        .result
        .unwrap();
    assert_eq!(res.validity(), Some(V::Valid));
    assert_eq!(
        res.message_header.reference_classification,
        onshi_domain::codes::ReferenceClassification::InsuranceCardNumbers
    );
    let echo = res.message_body.qualification_confirm_search_info.unwrap();
    assert_eq!(echo.insured_identification_number, "1024");
    // No consent screen on this path: no medical-information flags.
    assert!(res.message_body.result_list[0].pharmacists_info.is_empty());

    // The child shares 記号・番号 with the parent; the 枝番 decides.
    let res = w
        .numbers(&w.numbers_request("child-under-6", 0))
        .result
        .unwrap();
    assert_eq!(
        res.message_body.result_list[0].name,
        w.person("child-under-6").person.name
    );

    // FAQ-4-4 / FAQ-4-14: old numbers after a job change.
    let res = w
        .numbers(&w.numbers_request("job-change-done", 0))
        .result
        .unwrap();
    assert_eq!(res.validity(), Some(V::InvalidNewQualificationExists));
    let res = w
        .numbers(&w.numbers_request("job-change-in-progress", 0))
        .result
        .unwrap();
    assert_eq!(res.validity(), Some(V::Invalid));
    // The new record is not registered yet: 資格情報なし.
    let res = w
        .numbers(&w.numbers_request("job-change-in-progress", 1))
        .result
        .unwrap();
    assert_eq!(res.validity(), Some(V::NoMatchingQualification));
    // OKA-DV: a non-disclosed person keeps insured care through the 資格確認書.
    let res = w
        .numbers(&w.numbers_request("dv-non-disclosure", 0))
        .result
        .unwrap();
    assert_eq!(res.validity(), Some(V::Valid));
}

#[test]
fn unknown_numbers_and_wrong_birth_dates_match_nothing() {
    let w = world(&[]);
    let mut req = w.numbers_request("standard-adult", 0);
    req.insured_identification_number = "99999".into();
    let res = w.numbers(&req).result.unwrap();
    assert_eq!(res.validity(), Some(V::NoMatchingQualification));
    assert_eq!(
        res.message_body.processing_result_status,
        ProcessingResultStatus::Normal
    );
    let mut req = w.numbers_request("standard-adult", 0);
    req.birthdate = chrono::NaiveDate::from_ymd_opt(1985, 4, 13).unwrap();
    assert_eq!(
        w.numbers(&req).result.unwrap().validity(),
        Some(V::NoMatchingQualification)
    );
}

/// 複数該当: twins under one 記号・番号 searched without the 枝番 — nobody named;
/// with the 枝番, each twin.
#[test]
fn a_search_without_branch_that_fits_twins_names_nobody() {
    let w = world(&[]);
    let mut req = w.numbers_request("twins-younger", 0);
    req.insured_branch_number = None;
    let res = w.numbers(&req).result.unwrap();
    assert_eq!(res.validity(), Some(V::MultipleMatches));
    assert!(res.message_body.result_list.is_empty());
    for id in ["twins-younger", "twins-elder"] {
        let res = w.numbers(&w.numbers_request(id, 0)).result.unwrap();
        assert_eq!(res.validity(), Some(V::Valid));
        assert_eq!(
            res.message_body.result_list[0].name,
            w.person(id).person.name
        );
    }
    // Without 枝番 and another birth date: nobody; the 枝番 is not needed when the
    // birth date tells the family apart (the child and its parent).
    let mut other = req.clone();
    other.birthdate = other.birthdate.pred_opt().unwrap();
    let res = w.numbers(&other).result.unwrap();
    assert_eq!(res.validity(), Some(V::NoMatchingQualification));
    let mut child = w.numbers_request("child-under-6", 0);
    child.insured_branch_number = None;
    let res = w.numbers(&child).result.unwrap();
    assert_eq!(res.validity(), Some(V::Valid));
    assert_eq!(
        res.message_body.result_list[0].name,
        w.person("child-under-6").person.name
    );
}

/// One person with two records under the same 記号・番号 (本人, then 家族 after a
/// change) is one person, not 複数該当: the record in force is answered.
#[test]
fn one_person_with_two_branches_is_not_several() {
    let text = format!(
        r#"description = "本人から家族へ"
[person]
name = "枝番 二郎"
name_kana = "エダバン ジロウ"
birth_date = 1980-02-02
sex = "male"
address = "東京都港区"
{}
[[qualification]]
insurer_number = "01130012"
insurer_name = "全国健康保険協会 東京支部"
symbol = "77"
number = "5150"
branch = "00"
acquired_on = "as-of-10y"
lost_on = "as-of-1y"
[[qualification]]
insurer_number = "01130012"
insurer_name = "全国健康保険協会 東京支部"
symbol = "77"
number = "5150"
branch = "01"
relationship = "2"
acquired_on = "as-of-1y"
[registration]
state = "registered"
"#,
        recent_card("2222", "EDABAN22X")
    );
    let w = custom_world(
        "2026-11-30T09:00",
        vec![persona("two-branches", &text)],
        &[],
    );
    let mut req = w.numbers_request("two-branches", 0);
    req.insured_branch_number = None;
    let res = w.numbers(&req).result.unwrap();
    assert_eq!(res.validity(), Some(V::Valid));
    assert_eq!(
        res.message_body.result_list[0]
            .insured_branch_number
            .as_deref(),
        Some("01")
    );
}

#[test]
fn generated_members_by_numbers() {
    let w = world(&[]);
    let pop = w.engine.population();
    let id = pop.id_of(pop.persona_count() + 3).unwrap();
    let res = w.numbers(&w.numbers_request(&id, 0)).result.unwrap();
    assert!(res.validity().is_some());
    assert_eq!(
        res.message_body.result_list[0].name,
        w.person(&id).person.name
    );
}

fn xml_request(w: &World, id: &str) -> QualificationRequest {
    let p = w.person(id);
    let q = &p.qualifications[0];
    QualificationRequest {
        message_header: RequestHeader {
            qualification_confirmation_date: w.as_of.date(),
            medical_institution_code: facility(),
            arbitrary_file_identifier: "XML0001".into(),
        },
        qualification_confirm_search_info: q.search_info(p.person.birth_date),
    }
}

#[test]
fn xml_inquiry_uses_the_header_date() {
    let w = world(&[]);
    let req = xml_request(&w, "job-change-in-progress");
    let res = w.engine.xml_inquiry(&req, w.t()).result.unwrap();
    assert_eq!(res.validity(), Some(V::Invalid));
    assert_eq!(
        res.message_header.arbitrary_file_identifier.as_deref(),
        Some("XML0001")
    );
    assert_eq!(
        res.message_header.segment_of_result,
        SegmentOfResult::Normal
    );
    // Ten days later (the new record registered, the old one superseded).
    let mut later = req.clone();
    later.message_header.qualification_confirmation_date =
        w.as_of.date() + chrono::Duration::days(10);
    let res = w.engine.xml_inquiry(&later, w.t()).result.unwrap();
    assert_eq!(res.validity(), Some(V::InvalidNewQualificationExists));
    assert_eq!(
        res.message_header.qualification_confirmation_date,
        later.message_header.qualification_confirmation_date
    );
}

#[test]
fn my_number_as_identifier_is_refused() {
    // FAQ-4-20.
    let w = world(&[]);
    let mut req = w.numbers_request("standard-adult", 0);
    req.insured_identification_number = w.person("standard-adult").person.my_number;
    let out = w.numbers(&req);
    let err = out.result.unwrap_err();
    assert_eq!(err.code, C::MyNumberRefused);
    assert_eq!(err.field.as_deref(), Some("insured_identification_number"));
    let audit = serde_json::to_string(&out.audit).unwrap();
    assert!(!audit.contains(&w.person("standard-adult").person.my_number));
    assert!(audit.contains("redacted"));
}

#[test]
fn bad_check_digit_is_a_precise_error() {
    let w = world(&[]);
    let mut req = w.numbers_request("standard-adult", 0);
    req.insurer_number = "01130013".into();
    let err = w.numbers(&req).result.unwrap_err();
    assert_eq!(err.code, C::InvalidInsurerNumber);
    assert!(err.message.contains("check digit"), "{}", err.message);
    assert_eq!(err.field.as_deref(), Some("insurer_number"));
    req.insurer_number = "0113001".into();
    assert_eq!(
        w.numbers(&req).result.unwrap_err().code,
        C::InvalidInsurerNumber
    );
}

fn bulk(w: &World, ids: &[&str]) -> BulkQualificationRequest {
    BulkQualificationRequest {
        message_header: RequestHeader {
            qualification_confirmation_date: w.as_of.date(),
            medical_institution_code: facility(),
            arbitrary_file_identifier: "BULK0001".into(),
        },
        qualification_confirm_search_info: ids
            .iter()
            .map(|id| BulkSearchInfo {
                search_info: xml_request(w, id).qualification_confirm_search_info,
                medical_treatment_month: None,
                medical_treatment_flag: None,
            })
            .collect(),
    }
}

#[test]
fn bulk_upload_then_download() {
    let w = world(&[]);
    let mut req = bulk(&w, &["standard-adult", "job-change-done", "accuracy-hold"]);
    // A fourth search with a My Number: an error unit, not a failed message.
    let mut bad = req.qualification_confirm_search_info[0].clone();
    bad.search_info.insured_identification_number = w.person("standard-adult").person.my_number;
    req.qualification_confirm_search_info.push(bad);
    let ack = w.engine.bulk_upload(&req, w.t()).result.unwrap();
    assert_eq!(
        ack.message_header.character_code_identifier,
        CharacterEncoding::Utf8
    );
    let down = BulkDownloadRequest {
        medical_institution_code: facility(),
        arbitrary_file_identifier: None,
        reception_number: ack.reception_number.clone(),
    };
    let res = w.engine.bulk_download(&down, w.t()).result.unwrap();
    let h = &res.message_header;
    assert_eq!(h.reception_number, ack.reception_number);
    assert_eq!(h.number_of_processing_result, Some(4));
    assert_eq!(h.number_of_normal_processing, Some(3));
    assert_eq!(h.number_of_error, Some(1));
    let v: Vec<_> = res
        .bulk_confirm_unit
        .iter()
        .map(|u| u.qualification_validity)
        .collect();
    assert_eq!(
        v,
        vec![
            Some(V::Valid),
            Some(V::InvalidNewQualificationExists),
            Some(V::NoMatchingQualification),
            None
        ]
    );
    assert_eq!(
        res.bulk_confirm_unit[3].processing_result_code.as_deref(),
        Some(C::MyNumberRefused.code())
    );
    // Another facility cannot fetch it; an unknown number is refused.
    let mut other = down.clone();
    other.medical_institution_code =
        onshi_domain::message::MedicalInstitutionCode::parse(OTHER_FACILITY).unwrap();
    assert_eq!(
        w.engine
            .bulk_download(&other, w.t())
            .result
            .unwrap_err()
            .code,
        C::BulkUnknownReception
    );
    let mut unknown = down;
    unknown.reception_number = "0".into();
    assert_eq!(
        w.engine
            .bulk_download(&unknown, w.t())
            .result
            .unwrap_err()
            .code,
        C::BulkUnknownReception
    );
}

#[test]
fn bulk_size_is_limited() {
    let w = world(&[]);
    let ids: Vec<&str> = std::iter::repeat_n("standard-adult", 10_001).collect();
    let err = w
        .engine
        .bulk_upload(&bulk(&w, &ids), w.t())
        .result
        .unwrap_err();
    assert_eq!(err.code, C::BulkTooManyUnits);
}

#[test]
fn insurer_numbers_keep_padding_semantics() {
    // A 6-digit 国保 number found whether or not it was space-padded in XML.
    let w = world(&[]);
    let mut req = w.numbers_request("premium-arrears", 0);
    assert_eq!(req.insurer_number, "271007");
    req.insurer_number = InsurerNumber::parse("271007").unwrap().padded();
    assert_eq!(w.numbers(&req).result.unwrap().validity(), Some(V::Valid));
}

#[test]
fn old_bulk_results_are_dropped_beyond_the_bound() {
    let set = onshi_world::defaults::personas(None).unwrap();
    let pop = onshi_world::population::Population::new(
        onshi_world::defaults::DEFAULT_SEED,
        0,
        &set,
        at("2026-11-30T09:00"),
    )
    .unwrap();
    let engine = crate::server::Engine::new(
        std::sync::Arc::new(pop),
        shared().trust.clone(),
        crate::server::EngineConfig {
            max_bulk_stored_units: 2,
            ..crate::server::EngineConfig::default()
        },
    );
    let w = World {
        engine,
        as_of: at("2026-11-30T09:00"),
    };
    let first = w
        .engine
        .bulk_upload(&bulk(&w, &["standard-adult", "kyuji-name"]), w.t())
        .result
        .unwrap();
    let second = w
        .engine
        .bulk_upload(&bulk(&w, &["standard-adult"]), w.t())
        .result
        .unwrap();
    let fetch = |reception_number: String| {
        w.engine
            .bulk_download(
                &BulkDownloadRequest {
                    medical_institution_code: facility(),
                    arbitrary_file_identifier: None,
                    reception_number,
                },
                w.t(),
            )
            .result
    };
    assert_eq!(
        fetch(first.reception_number).unwrap_err().code,
        C::BulkUnknownReception
    );
    assert!(fetch(second.reception_number).is_ok());
}
