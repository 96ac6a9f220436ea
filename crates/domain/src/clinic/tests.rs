use super::wire::*;
use super::*;
use crate::codes::ContributionRatio;
use crate::rules::{Basis, RulesCalendar};

fn request_json() -> serde_json::Value {
    serde_json::json!({
        "visit_id": "standard-adult-20261130090000",
        "visit_time": "2026-11-30T09:00:00",
        "facility": {
            "medical_institution_code": "1311234567",
            "online_confirmation": true,
            "reader": "working",
            "network": "up",
            "care_setting": "outpatient"
        },
        "backend_url": "http://127.0.0.1:1",
        "patient": { "name": "山田 太郎", "birth_date": "1986-06-15", "sex": "1", "address": "東京都千代田区霞が関一丁目2番2号" },
        "card": { "presented": true, "reader": { "outcome": "card-unreadable" } },
        "documents": [{
            "kind": "notice",
            "numbers": { "insurer_number": "01130012", "symbol": "31080098", "number": "23", "branch": "00" },
            "form": "paper",
            "ratio": null
        }],
        "clinic_record": null,
        "number_check": "when-needed",
        "limit_consent": null,
        "answers": { "fills_in_declaration": true, "declares_no_insurance": false },
        "identity_in_doubt": false,
        "medical_fee": 10000,
        "payments": []
    })
}

fn request() -> ClinicVisitRequest {
    serde_json::from_value(request_json()).unwrap()
}

#[test]
fn a_request_round_trips() {
    let req = request();
    let back: ClinicVisitRequest =
        serde_json::from_str(&serde_json::to_string(&req).unwrap()).unwrap();
    assert_eq!(back, req);
    assert_eq!(serde_json::to_value(&req).unwrap(), request_json());
}

#[test]
fn an_answer_round_trips_and_reads_back_as_a_decision() {
    let answer = ClinicAnswer {
        basis: BasisWire::TemporaryMeasureNoticeAlone,
        copay: ContributionRatio::TWENTY,
        ratio_source: Some(RatioSourceWire::DerivedFromAge),
        charge: 2000,
        billed: None,
        asked: vec![Question::Declaration],
        card_front: vec![CardFrontCheck::DeclarationDetails],
        card_images: vec![CardSide::Front],
        numbers_queries: Vec::new(),
        noted: None,
        notes: vec!["note".into()],
    };
    let text = serde_json::to_string(&answer).unwrap();
    assert!(
        text.contains("\"temporary-measure-notice-alone\""),
        "{text}"
    );
    assert!(text.contains("\"020\""), "{text}");
    let back: ClinicAnswer = serde_json::from_str(&text).unwrap();
    assert_eq!(back, answer);
    let d = decision_of(&back).unwrap();
    assert_eq!(
        d.basis,
        Basis::TemporaryMeasure(crate::rules::TemporaryDocument::NoticeAlone)
    );
    assert_eq!(d.copay, ContributionRatio::TWENTY);
}

#[test]
fn every_basis_maps_both_ways() {
    for wire in [
        BasisWire::OnlineCard,
        BasisWire::CardWithNotice,
        BasisWire::CardWithPortalScreen,
        BasisWire::ConfirmationCertificate,
        BasisWire::OldInsuranceCard,
        BasisWire::SchoolEventCopy,
        BasisWire::TemporaryMeasureExpiredCard,
        BasisWire::TemporaryMeasureNoticeAlone,
        BasisWire::Declaration,
        BasisWire::NotInsuredDeclinedDeclaration,
        BasisWire::NotInsuredDeclaredUninsured,
    ] {
        assert_eq!(BasisWire::from(Basis::from(wire)), wire);
    }
}

#[test]
fn bad_answers_are_errors_never_panics() {
    for text in [
        "",
        "null",
        "{}",
        r#"{"basis":"online-card"}"#,
        r#"{"basis":"free-lunch","copay":"030","ratio_source":null,"billed":null,"asked":[],"numbers_queries":[]}"#,
        r#"{"basis":"online-card","copay":"035","ratio_source":null,"billed":null,"asked":[],"numbers_queries":[]}"#,
        r#"{"basis":"online-card","copay":"030","ratio_source":null,"billed":null,"asked":["lunch"],"numbers_queries":[]}"#,
        r#"{"basis":"online-card","copay":"030","ratio_source":null,"billed":null,"asked":[],"numbers_queries":[],"extra":1}"#,
    ] {
        assert!(
            serde_json::from_str::<ClinicAnswer>(text).is_err(),
            "{text}"
        );
    }
    let no_source: ClinicAnswer = serde_json::from_str(
        r#"{"basis":"online-card","copay":"030","ratio_source":null,"charge":3000,"billed":null,"asked":[],"card_front":[],"card_images":[],"numbers_queries":[]}"#,
    )
    .unwrap();
    assert!(decision_of(&no_source).is_err());
}

#[test]
fn a_result_file_that_is_not_base64_or_xml_is_a_request_error() {
    let mut req = request();
    req.card.reader = Some(ReaderAtClinic::ResultFile {
        name: "x.xml".into(),
        encoding: "Shift_JIS".into(),
        xml: "%%%".into(),
    });
    assert!(matches!(
        DeskVisit::from_request(&req),
        Err(ClinicRequestError::ResultFile(_))
    ));
    req.card.reader = Some(ReaderAtClinic::ResultFile {
        name: "x.xml".into(),
        encoding: "UTF-8".into(),
        xml: "PG5vdC14bWw+".into(),
    });
    assert!(DeskVisit::from_request(&req).is_err());
}

#[test]
fn an_unreadable_card_with_a_notice_asks_for_the_numbers_and_never_charges_10wari() {
    let calendar = RulesCalendar::reference();
    let desk = DeskVisit::from_request(&request()).unwrap();
    let query = desk.numbers_query(&calendar).expect("a numbers query");
    assert_eq!(query.insurer_number, "01130012");
    // The line is down: no answer; the card (identity) and the お知らせ carry the visit.
    let answer = desk.decide(&calendar, Some(&NumbersReply::Unreachable), &[]);
    assert_eq!(answer.basis, BasisWire::CardWithNotice);
    assert_eq!(answer.copay, ContributionRatio::THIRTY);
    assert!(answer.billed.is_some());
}

#[test]
fn the_defects_change_the_decision() {
    let calendar = RulesCalendar::reference();
    let mut req = request();
    req.documents.clear();
    let desk = DeskVisit::from_request(&req).unwrap();
    assert!(desk.numbers_query(&calendar).is_none());
    let good = desk.clone().decide(&calendar, None, &[]);
    assert_eq!(good.basis, BasisWire::Declaration);
    assert_eq!(good.asked, vec![Question::Declaration]);
    assert!(!good.copay.is_full_cost());
    let bad = desk.decide(&calendar, None, &[ClinicDefect::Charges10WariOnNoRecord]);
    assert!(bad.copay.is_full_cost());

    // The お知らせ alone, no card, no numbers answer: 申立書, unless the defect accepts it.
    let mut req = request();
    req.card = CardWire {
        presented: false,
        reader: None,
    };
    req.number_check = NumberCheckPolicy::Never;
    let desk = DeskVisit::from_request(&req).unwrap();
    assert_eq!(
        desk.clone().decide(&calendar, None, &[]).basis,
        BasisWire::Declaration
    );
    let accepted = desk.decide(&calendar, None, &[ClinicDefect::AcceptsNoticeAlone]);
    assert_eq!(accepted.basis, BasisWire::TemporaryMeasureNoticeAlone);
}

#[test]
fn a_public_expense_certificate_lowers_the_copay_and_its_defects_show() {
    let calendar = RulesCalendar::reference();
    let mut req = request();
    req.documents.push(DocumentWire::PublicExpenseCertificate {
        payer_number: "88131123".into(),
        recipient_number: "4021587".into(),
        valid_from: chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
        valid_to: chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap(),
        copay: ContributionRatio::NONE,
    });
    let desk = DeskVisit::from_request(&req).unwrap();
    let good = desk
        .clone()
        .decide(&calendar, Some(&NumbersReply::Unreachable), &[]);
    assert_eq!(good.copay, ContributionRatio::NONE);
    assert_eq!(
        good.ratio_source,
        Some(RatioSourceWire::PublicExpenseCertificate)
    );
    assert_eq!(good.charge, 0);
    let ignored = desk.decide(
        &calendar,
        Some(&NumbersReply::Unreachable),
        &[ClinicDefect::IgnoresPublicExpenseCertificate],
    );
    assert_eq!(ignored.copay, ContributionRatio::THIRTY);
    assert_eq!(ignored.charge, 3000);

    // Bad numbers name the document and the field.
    let mut bad = req.clone();
    if let Some(DocumentWire::PublicExpenseCertificate { payer_number, .. }) =
        bad.documents.last_mut()
    {
        *payer_number = "8813".into();
    }
    let e = DeskVisit::from_request(&bad).unwrap_err();
    assert_eq!(e.to_string(), "documents[1].payer_number: must be 8 digits");
    let mut backwards = req.clone();
    if let Some(DocumentWire::PublicExpenseCertificate { valid_to, .. }) =
        backwards.documents.last_mut()
    {
        *valid_to = chrono::NaiveDate::from_ymd_opt(2019, 1, 1).unwrap();
    }
    let e = DeskVisit::from_request(&backwards).unwrap_err();
    assert_eq!(e.to_string(), "documents[1].valid_to: is before valid_from");
}

#[test]
fn payments_are_bounded_and_named_when_wrong() {
    let mut req = request();
    req.payments = vec![
        PaymentWire {
            date: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            medical_institution_code: "1310000011".into(),
            medical_fee: 1000,
            paid: 300,
        };
        MAX_PAYMENTS + 1
    ];
    assert!(
        DeskVisit::from_request(&req)
            .unwrap_err()
            .to_string()
            .starts_with("payments: ")
    );
    req.payments.truncate(2);
    req.payments[1].paid = MAX_YEN + 1;
    assert!(
        DeskVisit::from_request(&req)
            .unwrap_err()
            .to_string()
            .starts_with("payments[1].paid: ")
    );
    req.payments[1].paid = 1;
    req.payments[0].medical_institution_code = "12".into();
    assert!(
        DeskVisit::from_request(&req)
            .unwrap_err()
            .to_string()
            .starts_with("payments[0].medical_institution_code: ")
    );
    req.payments[0].medical_institution_code = "1310000011".into();
    req.payments[0].date = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    assert_eq!(
        DeskVisit::from_request(&req).unwrap_err().to_string(),
        "payments[0].date: 2026-12-01 is after the visit (2026-11-30)"
    );
    req.medical_fee = MAX_YEN + 1;
    req.payments.clear();
    assert!(
        DeskVisit::from_request(&req)
            .unwrap_err()
            .to_string()
            .starts_with("medical_fee: ")
    );
}

#[test]
fn the_card_front_is_checked_for_a_declaration_and_its_back_never_kept() {
    let calendar = RulesCalendar::reference();
    let mut req = request();
    req.documents.clear();
    req.identity_in_doubt = true;
    let desk = DeskVisit::from_request(&req).unwrap();
    let good = desk.clone().decide(&calendar, None, &[]);
    assert_eq!(good.basis, BasisWire::Declaration);
    assert_eq!(
        good.card_front,
        vec![CardFrontCheck::Photo, CardFrontCheck::DeclarationDetails]
    );
    assert_eq!(good.card_images, vec![CardSide::Front]);
    let none = desk
        .clone()
        .decide(&calendar, None, &[ClinicDefect::NeverChecksCardFront]);
    assert!(none.card_front.is_empty() && none.card_images.is_empty());
    let back = desk.decide(&calendar, None, &[ClinicDefect::CopiesCardBack]);
    assert_eq!(back.card_images, vec![CardSide::Front, CardSide::Back]);
}

/// 有効（未登録）: a 医療扶助 recipient whose 医療券 is not registered is valid — no copay,
/// a note to ask the 福祉事務所 — unless the defect reads it as 無効.
#[test]
fn valid_unregistered_is_valid_and_its_defect_reads_it_as_invalid() {
    use crate::codes::{InsuredCardClassification, QualificationValidity, Sex};
    use crate::message::ResultOfQualificationConfirmation;
    let calendar = RulesCalendar::reference();
    let desk = DeskVisit::from_request(&request()).unwrap();
    let birth = chrono::NaiveDate::from_ymd_opt(1986, 6, 15).unwrap();
    let mut result = ResultOfQualificationConfirmation::minimal(
        "山田 太郎".into(),
        Sex::Male,
        birth,
        "福祉事務所".into(),
    );
    result.insured_card_classification = InsuredCardClassification::MedicalAid;
    let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 30)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap();
    let reply = numbers_reply(at, QualificationValidity::ValidUnregistered, result);
    let good = desk.clone().decide(&calendar, Some(&reply), &[]);
    assert_eq!(good.copay, ContributionRatio::NONE);
    assert_eq!(good.charge, 0);
    assert!(
        good.notes.iter().any(|n| n.contains("福祉事務所")),
        "{:?}",
        good.notes
    );
    let bad = desk.decide(
        &calendar,
        Some(&reply),
        &[ClinicDefect::TreatsUnregisteredAsInvalid],
    );
    assert_eq!(bad.copay, ContributionRatio::THIRTY);
    assert!(!bad.notes.iter().any(|n| n.contains("福祉事務所")));
}

/// An outage: the 申立書 now and the 基本4情報 noted; a visit that reaches the system
/// notes nothing.
#[test]
fn an_outage_declaration_notes_the_basic_four() {
    let calendar = RulesCalendar::reference();
    let mut req = request();
    req.documents.clear();
    req.card.reader = Some(ReaderAtClinic::BackendUnavailable);
    let answer = DeskVisit::from_request(&req)
        .unwrap()
        .decide(&calendar, None, &[]);
    assert_eq!(answer.basis, BasisWire::Declaration);
    let noted = answer.noted.expect("noted in an outage");
    assert_eq!(noted.name, "山田 太郎");
    assert_eq!(noted.sex, crate::codes::Sex::Male);
    assert_eq!(noted.address, "東京都千代田区霞が関一丁目2番2号");
    // The line is up and the card simply unreadable: a 申立書, nothing noted.
    req.card.reader = Some(ReaderAtClinic::CardUnreadable);
    let answer = DeskVisit::from_request(&req)
        .unwrap()
        .decide(&calendar, None, &[]);
    assert_eq!(answer.basis, BasisWire::Declaration);
    assert!(answer.noted.is_none());
    // The numbers query could not reach the system: noted.
    let mut req = request();
    req.documents.truncate(0);
    req.clinic_record = Some(PrintedNumbers {
        insurer_number: "01130012".into(),
        symbol: None,
        number: "23".into(),
        branch: None,
    });
    req.card.reader = Some(ReaderAtClinic::CardUnreadable);
    let answer = DeskVisit::from_request(&req).unwrap().decide(
        &calendar,
        Some(&NumbersReply::Unreachable),
        &[],
    );
    assert!(answer.noted.is_some());
}

fn recovery_request() -> RecoveryRequest {
    serde_json::from_value(serde_json::json!({
        "visit_id": "v",
        "recovered_at": "2026-11-30T12:00:00",
        "medical_institution_code": "1311234567",
        "backend_url": "http://127.0.0.1:1",
        "noted": { "name": "山田 太郎", "sex": "1", "birth_date": "1986-06-15",
                   "address": "東京都千代田区霞が関一丁目2番2号" }
    }))
    .unwrap()
}

#[test]
fn the_recovery_query_carries_the_noted_four_and_bad_ones_are_named() {
    let req = recovery_request();
    let q = recovery_query(&req, &[]).unwrap().expect("a query");
    assert_eq!(q.name, "山田 太郎");
    assert_eq!(q.confirmation_time, req.recovered_at.into());
    assert!(
        recovery_query(&req, &[ClinicDefect::SkipsRecoveryCheck])
            .unwrap()
            .is_none()
    );
    let mut bad = req.clone();
    bad.noted.address = " ".into();
    let e = recovery_query(&bad, &[]).unwrap_err();
    assert_eq!(e.to_string(), "noted.address: must be 1 to 200 characters");
    let mut bad = req;
    bad.medical_institution_code = "13".into();
    assert!(matches!(
        recovery_query(&bad, &[]),
        Err(ClinicRequestError::FacilityCode(_))
    ));
}

#[test]
fn the_recovery_bills_only_a_valid_answer_for_the_noted_person() {
    use crate::codes::{InsurerNumber, QualificationValidity, Sex};
    use crate::message::ResultOfQualificationConfirmation;
    let req = recovery_request();
    let answer_with = |validity, name: &str| {
        let mut r = ResultOfQualificationConfirmation::minimal(
            name.into(),
            Sex::Male,
            chrono::NaiveDate::from_ymd_opt(1986, 6, 15).unwrap(),
            "協会けんぽ".into(),
        );
        r.insurer_number = Some(InsurerNumber::parse("01130012").unwrap());
        r.insured_identification_number = Some("23".into());
        numbers_reply(req.recovered_at, validity, r)
    };
    let good = recovery_answer(
        &req,
        Some(&answer_with(QualificationValidity::Valid, "山田 太郎")),
        Vec::new(),
    );
    assert_eq!(good.billed.unwrap().number, "23");
    for reply in [
        answer_with(QualificationValidity::Valid, "山田 花子"),
        answer_with(QualificationValidity::MultipleMatches, "山田 太郎"),
        answer_with(QualificationValidity::NoMatchingQualification, "山田 太郎"),
        NumbersReply::Unreachable,
    ] {
        assert!(
            recovery_answer(&req, Some(&reply), Vec::new())
                .billed
                .is_none()
        );
    }
    assert!(recovery_answer(&req, None, Vec::new()).billed.is_none());
}

/// The backend's answer at `at` with this validity and one record, as the desk reads
/// it.
fn numbers_reply(
    at: chrono::NaiveDateTime,
    validity: crate::codes::QualificationValidity,
    result: crate::message::ResultOfQualificationConfirmation,
) -> NumbersReply {
    use crate::codes::{
        CharacterEncoding, ProcessingResultStatus, ReferenceClassification, SegmentOfResult,
    };
    use crate::message::{MessageBody, MessageHeader, QualificationResponse};
    NumbersReply::Answered(Box::new(QualificationResponse {
        message_header: MessageHeader {
            process_execution_time: at,
            qualification_confirmation_date: at.date(),
            medical_institution_code: crate::message::MedicalInstitutionCode::parse("1311234567")
                .unwrap(),
            arbitrary_file_identifier: None,
            reference_classification: ReferenceClassification::InsuranceCardNumbers,
            segment_of_result: SegmentOfResult::Normal,
            error_code: None,
            error_message: None,
            character_code_identifier: CharacterEncoding::Utf8,
        },
        message_body: MessageBody {
            qualification_confirm_search_info: None,
            prescription_issue_select: None,
            processing_result_status: ProcessingResultStatus::Normal,
            processing_result_code: None,
            processing_result_message: None,
            qualification_validity: Some(validity),
            result_list: vec![result],
        },
    }))
}
