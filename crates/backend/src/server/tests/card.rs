//! The card path and registration at the reader, persona by persona.

use super::world::*;
use onshi_domain::codes::{
    ConsentFlag, ContributionRatio, InsuredCardClassification, LimitClass, PreschoolClassification,
    QualificationValidity as V,
};
use onshi_domain::message::{QualificationResponse, ResultOfQualificationConfirmation};
use onshi_domain::protocol::ResultCode as C;
use onshi_domain::protocol::wire::*;

/// The first record shown for member `id`, after checking the answer's validity.
fn first_record(w: &World, id: &str, validity: V) -> ResultOfQualificationConfirmation {
    let mut res = w.confirm_id(id);
    assert_eq!(res.validity(), Some(validity));
    res.message_body.result_list.remove(0)
}

/// The insurer number of the first record shown.
fn first_insurer(res: &QualificationResponse) -> &str {
    res.message_body.result_list[0]
        .insurer_number
        .as_ref()
        .unwrap()
        .as_str()
}

#[test]
fn standard_adult_by_pin_is_valid_with_all_fields() {
    let w = world(&[]);
    let res = w.confirm_id("standard-adult");
    assert_eq!(res.validity(), Some(V::Valid));
    assert_eq!(res.code(), None);
    assert_eq!(res.message_body.result_list.len(), 1);
    let r = &res.message_body.result_list[0];
    assert_eq!(r.insurer_number.as_ref().unwrap().as_str(), "01130012");
    assert_eq!(r.insured_card_symbol.as_deref(), Some("31080012"));
    assert_eq!(r.insured_identification_number.as_deref(), Some("1024"));
    assert_eq!(r.insured_branch_number.as_deref(), Some("00"));
    assert_eq!(r.name, "山田 太郎");
    assert_eq!(r.name_kana.as_deref(), Some("ﾔﾏﾀﾞ ﾀﾛｳ"));
    assert_eq!(r.insured_name.as_deref(), Some("山田 太郎"));
    assert_eq!(r.pharmacists_info.cons_flg, Some(ConsentFlag::Given));
    assert_eq!(r.insured_partial_contribution_ratio, None);
    assert_eq!(
        res.message_header.reference_classification,
        onshi_domain::codes::ReferenceClassification::MyNumberCard
    );
}

#[test]
fn medical_information_follows_consent() {
    let w = world(&[]);
    let mut req = w.card_request("standard-adult", AuthMethod::Pin);
    req.consents.medical_info = false;
    let res = w.confirm(&req).result.unwrap();
    let r = &res.message_body.result_list[0];
    assert_eq!(r.pharmacists_info.cons_flg, Some(ConsentFlag::NotGiven));
    assert_eq!(r.diagnosis_info.cons_time, None);
}

#[test]
fn face_and_visual_paths_work_for_a_locked_pin() {
    let w = world(&[]);
    for method in [AuthMethod::Face, AuthMethod::Visual] {
        let res = w
            .confirm(&w.card_request("pin-locked", method))
            .result
            .unwrap();
        assert_eq!(res.validity(), Some(V::Valid), "{method:?}");
        assert_eq!(
            res.message_body.result_list[0].insured_partial_contribution_ratio,
            Some(ContributionRatio::THIRTY)
        );
    }
}

#[test]
fn refusals_with_their_codes() {
    let w = world(&[]);
    for (id, code) in [
        ("unregistered", C::RegistrationMissing),
        ("dv-non-disclosure", C::NonDisclosure),
        ("revoked-lost", C::CertificateRevoked),
        ("cert-expired-beyond-grace", C::CertificateExpired),
    ] {
        let res = w.confirm_id(id);
        assert!(res.refused(), "{id}");
        assert_eq!(res.code(), Some(code.code()), "{id}");
        assert!(res.message_body.result_list.is_empty(), "{id}");
        assert_eq!(res.validity(), None, "{id}");
        assert!(res.message_body.processing_result_message.is_some());
    }
    // FAQ-4-15: the registration-missing message.
    let res = w.confirm_id("unregistered");
    assert!(
        res.message_body
            .processing_result_message
            .as_deref()
            .unwrap()
            .contains("保険証利用登録")
    );
}

#[test]
fn certificate_grace_and_expiry_warnings() {
    let w = world(&[]);
    let res = w.confirm_id("cert-expired-in-grace");
    assert_eq!(res.validity(), Some(V::Valid));
    assert_eq!(res.code(), Some(C::CertificateGrace.code()));
    let r = &res.message_body.result_list[0];
    assert_eq!(
        r.pharmacists_info.cons_flg, None,
        "no medical info in grace"
    );
    assert!(r.pharmacists_info.is_empty());

    let res = w.confirm_id("cert-expiring-3d-registered");
    assert_eq!(res.validity(), Some(V::Valid));
    assert_eq!(res.code(), Some(C::CertificateExpiresSoon.code()));
    assert_eq!(
        res.message_body.result_list[0].pharmacists_info.cons_flg,
        Some(ConsentFlag::Given)
    );
}

#[test]
fn job_change_lag_hold_and_done() {
    let w = world(&[]);
    // FAQ-4-14 / KQ-5: the new record is not registered yet → 資格（無効） on the old one.
    let r = &first_record(&w, "job-change-in-progress", V::Invalid);
    assert_eq!(r.insurer_number.as_ref().unwrap().as_str(), "01130012");
    assert!(r.disqualification_date.is_some());
    assert!(r.pharmacists_info.cons_flg == Some(ConsentFlag::Given));
    // FAQ-4-4: after registration the same card shows the new insurer.
    let res = w.confirm_id("job-change-done");
    assert_eq!(res.validity(), Some(V::Valid));
    assert_eq!(res.message_body.result_list.len(), 1);
    assert_eq!(first_insurer(&res), "06138887");
    // FAQ-4-16: accuracy hold → no qualification, no medical information.
    let res = w.confirm_id("accuracy-hold");
    assert_eq!(res.validity(), Some(V::NoMatchingQualification));
    assert!(res.message_body.result_list.is_empty());
}

#[test]
fn the_job_change_becomes_visible_on_its_registration_day() {
    // KQ-4: the same card shows the new insurer from the day it is registered.
    let w = world(&[]);
    let p = w.person("job-change-in-progress");
    let registered_on = p.qualifications[1].registered_on;
    let mut req = w.card_request("job-change-in-progress", AuthMethod::Pin);
    req.confirmation_time = Some(registered_on.and_hms_opt(9, 0, 0).unwrap());
    let res = w.confirm(&req).result.unwrap();
    assert_eq!(res.validity(), Some(V::Valid));
    assert_eq!(first_insurer(&res), "06140016");
}

#[test]
fn limits_diseases_elderly_preschool_and_arrears() {
    let w = world(&[]);
    let res = w.confirm_id("specific-disease-limit");
    let r = &res.message_body.result_list[0];
    let limit = r
        .limit_application_certificate_related_info
        .as_ref()
        .unwrap();
    assert_eq!(
        limit.limit_application_certificate_classification_flag,
        Some(LimitClass::A03)
    );
    assert_eq!(r.specific_diseases_certificate_list.len(), 1);
    assert_eq!(
        r.specific_diseases_certificate_list[0].specific_diseases_self_pay,
        Some(10_000)
    );

    // OKA-PREMIUM: the limit is withheld, with a notice.
    let res = w.confirm_id("premium-arrears");
    assert_eq!(res.validity(), Some(V::Valid));
    assert!(
        res.message_body.result_list[0]
            .limit_application_certificate_related_info
            .is_none()
    );
    assert_eq!(res.code(), Some(C::LimitInfoWithheld.code()));

    let res = w.confirm_id("elderly-70-74");
    let e = res.message_body.result_list[0]
        .elderly_recipient_certificate_info
        .as_ref()
        .unwrap();
    assert_eq!(
        e.elderly_recipient_contribution_ratio,
        Some(ContributionRatio::TWENTY)
    );
    let res = w.confirm_id("elderly-75-plus");
    assert_eq!(
        res.message_body.result_list[0].insured_partial_contribution_ratio,
        Some(ContributionRatio::TEN)
    );
    let res = w.confirm_id("child-under-6");
    let r = &res.message_body.result_list[0];
    assert_eq!(
        r.preschool_classification,
        Some(PreschoolClassification::Preschool)
    );
    assert_eq!(
        r.insured_name, None,
        "a dependant's own name is not the insured's"
    );
}

#[test]
fn medical_aid_from_march_2024() {
    // FAQ-4-12.
    let w = world(&[]);
    let r = &first_record(&w, "medical-aid", V::Valid);
    assert_eq!(
        r.insured_card_classification,
        InsuredCardClassification::MedicalAid
    );
    assert_eq!(r.recipient_number(), Some("0012345"));
    assert_eq!(r.public_expense_result_list.len(), 1);

    let before = world_at("2024-02-29T10:00", 0, &[]);
    let res = before.confirm_id("medical-aid");
    assert_eq!(res.validity(), Some(V::NoMatchingQualification));
    let from = world_at("2024-03-01T10:00", 0, &[]);
    assert_eq!(from.confirm_id("medical-aid").validity(), Some(V::Valid));
}

/// 有効（未登録）: in force, but this month's 医療券 is not registered — no 医療券 in the
/// answer, on the card path and by numbers.
#[test]
fn medical_aid_without_a_registered_ticket_is_valid_unregistered() {
    let w = world(&[]);
    let res = w.confirm_id("medical-aid-ticket-pending");
    assert_eq!(res.validity(), Some(V::ValidUnregistered));
    let r = &res.message_body.result_list[0];
    assert_eq!(
        r.insured_card_classification,
        InsuredCardClassification::MedicalAid
    );
    assert!(r.public_expense_result_list.is_empty());
    let numbers = w
        .numbers(&w.numbers_request("medical-aid-ticket-pending", 0))
        .result
        .unwrap();
    assert_eq!(numbers.validity(), Some(V::ValidUnregistered));
}

#[test]
fn home_visit_online_and_home_nursing_dates() {
    // FAQ-4-13: home visits / online from 2024-04, home nursing from 2024-06.
    let w = world_at("2024-06-01T10:00", 0, &[]);
    let cases = [
        ("2024-03-31T10:00", CareSettingWire::HomeVisit, false),
        ("2024-04-01T10:00", CareSettingWire::HomeVisit, true),
        (
            "2024-03-31T10:00",
            CareSettingWire::OnlineConsultation,
            false,
        ),
        (
            "2024-04-01T10:00",
            CareSettingWire::OnlineConsultation,
            true,
        ),
        ("2024-05-31T10:00", CareSettingWire::HomeNursing, false),
        ("2024-06-01T10:00", CareSettingWire::HomeNursing, true),
    ];
    for (now, setting, ok) in cases {
        let mut req = w.card_request("standard-adult", AuthMethod::Pin);
        req.confirmation_time = Some(at(now));
        req.care_setting = setting;
        let res = w.confirm(&req).result.unwrap();
        if ok {
            assert_eq!(res.validity(), Some(V::Valid), "{now} {setting:?}");
        } else {
            assert_eq!(
                res.code(),
                Some(C::CareSettingNotYetSupported.code()),
                "{now} {setting:?}"
            );
        }
    }
}

#[test]
fn pinless_card_registers_at_the_reader_by_face() {
    let w = world(&[]);
    // PIN path is impossible for a PIN-less card (even with a valid signature).
    let mut auth = w.auth("pinless", AuthMethod::Face);
    let key = w.certificate("pinless").key;
    let sig = key
        .sign_digest_info(&onshi_pki::pki::HashAlg::Sha256.digest_info(auth.nonce.as_bytes()))
        .unwrap();
    auth.method = AuthMethod::Pin;
    auth.card_signature = Some(Base64Bytes(sig.to_vec()));
    auth.pin_tries_before_verify = Some(3);
    auth.attestation = None;
    let err = w
        .engine
        .confirm_card(
            &CardConfirmationRequest {
                card: auth,
                ..w.card_request("pinless", AuthMethod::Face)
            },
            w.t(),
        )
        .result
        .unwrap_err();
    assert_eq!(err.code, C::PinPathOnPinlessCard, "{err}");
    // Unregistered → refused; register at the reader by face → 登録完了 → valid.
    let res = w.confirm_id("pinless");
    assert_eq!(res.code(), Some(C::RegistrationMissing.code()));
    // (`register` uses the face path for a PIN-less card.)
    let reg = register(&w, "pinless");
    assert_eq!(reg.outcome, RegistrationOutcome::Registered);
    assert_eq!(reg.message, "登録完了");
    assert_eq!(w.confirm_id("pinless").validity(), Some(V::Valid));
    // Registering again changes nothing.
    let again = register(&w, "pinless");
    assert_eq!(again.outcome, RegistrationOutcome::AlreadyRegistered);
    assert_eq!(w.engine.population().overlay_len(), 1);
}

fn register(w: &World, id: &str) -> RegistrationResponse {
    let method = if w.person(id).card.pinless {
        AuthMethod::Face
    } else {
        AuthMethod::Pin
    };
    w.engine
        .register(
            &RegistrationRequest {
                medical_institution_code: facility(),
                confirmation_time: None,
                card: w.auth(id, method),
            },
            w.t(),
        )
        .result
        .unwrap()
}

#[test]
fn registration_rules_24h_5d_and_no_qualification() {
    let w = world(&[]);
    let r = register(&w, "cert-renewed-12h-unregistered");
    assert_eq!(r.outcome, RegistrationOutcome::Refused);
    assert_eq!(
        r.code.as_deref(),
        Some(C::RegistrationRenewalCooldown.code())
    );
    assert_eq!(r.rule.as_deref(), Some("OKA-REG-24H"));
    let r = register(&w, "cert-expiring-3d-unregistered");
    assert_eq!(r.code.as_deref(), Some(C::RegistrationExpiresSoon.code()));
    assert_eq!(r.rule.as_deref(), Some("OKA-REG-5D"));
    // OKA-REG-5D: an already registered card keeps working in that window.
    assert_eq!(
        w.confirm_id("cert-expiring-3d-registered").validity(),
        Some(V::Valid)
    );
    let r = register(&w, "unregistered");
    assert_eq!(r.outcome, RegistrationOutcome::Registered);
    assert_eq!(w.engine.population().overlay_len(), 1);

    // FAQ-4-15: the insurer has not registered the qualification yet.
    let lagging = persona(
        "new-hire-unregistered",
        &format!(
            r#"
description = "入社直後で保険者の登録待ち、カードは未登録"
[person]
name = "試験 一郎"
name_kana = "シケン イチロウ"
birth_date = 1990-05-05
sex = "male"
address = "東京都港区"
{}
[[qualification]]
insurer_number = "06138887"
insurer_name = "品川商事健康保険組合"
symbol = "40"
number = "9001"
acquired_on = "as-of-2d"
registered_on = "as-of+3d"
[registration]
state = "unregistered"
"#,
            recent_card("1111", "SHIKEN123")
        ),
    );
    let w = custom_world("2026-11-30T09:00", vec![lagging], &[]);
    let r = register(&w, "new-hire-unregistered");
    assert_eq!(
        r.code.as_deref(),
        Some(C::RegistrationNoValidQualification.code())
    );
    assert_eq!(
        r.message,
        "あなたの有効な保険資格情報がないため、正常に処理できませんでした。"
    );
    assert_eq!(w.engine.population().overlay_len(), 0);
}

#[test]
fn limit_consent_holds_for_the_same_month_and_facility() {
    // TRN-Q1, before 2024-10-07 (consent screens per item).
    let reader_gives_limit = |w: &World, consent: bool| {
        let mut req = w.card_request("specific-disease-limit", AuthMethod::Pin);
        req.consents.limit_info = consent;
        w.confirm(&req).result.unwrap().message_body.result_list[0]
            .limit_application_certificate_related_info
            .is_some()
    };
    let w = world_at("2024-09-10T10:00", 0, &[]);
    assert!(reader_gives_limit(&w, true));
    let limit_of = |w: &World, facility: &str, now: &str| {
        let mut n = w.numbers_request("specific-disease-limit", 0);
        n.medical_institution_code =
            onshi_domain::message::MedicalInstitutionCode::parse(facility).unwrap();
        n.confirmation_time = Some(at(now));
        w.numbers(&n).result.unwrap().message_body.result_list[0]
            .limit_application_certificate_related_info
            .is_some()
    };
    assert!(limit_of(&w, FACILITY, "2024-09-20T10:00"));
    assert!(!limit_of(&w, OTHER_FACILITY, "2024-09-20T10:00"));
    assert!(!limit_of(&w, FACILITY, "2024-10-01T10:00"));
    // Without consent at the reader: no limit information.
    let w = world_at("2024-09-10T10:00", 0, &[]);
    assert!(!reader_gives_limit(&w, false));
    // From 2024-10-07 it is provided by law.
    let w = world_at("2024-10-07T10:00", 0, &[]);
    assert!(reader_gives_limit(&w, false));
}

#[test]
fn generated_members_confirm_through_the_load_root() {
    let w = world(&[]);
    let pop = w.engine.population();
    let mut valid = 0;
    for i in pop.persona_count()..pop.persona_count() + 20 {
        let id = pop.id_of(i).unwrap();
        let res = w.confirm_id(&id);
        if res.validity() == Some(V::Valid) {
            valid += 1;
        }
    }
    assert!(valid >= 12, "{valid} of 20 generated members valid");
}

#[test]
fn every_confirmation_is_audited() {
    let w = world(&[]);
    let out = w.confirm(&w.card_request("standard-adult", AuthMethod::Pin));
    assert_eq!(out.audit.outcome, "ok");
    assert_eq!(out.audit.person.as_deref(), Some("standard-adult"));
    assert_eq!(out.audit.validity.as_deref(), Some("1"));
    assert_eq!(out.audit.method, Some("pin"));
    let out = w.confirm(&w.card_request("unregistered", AuthMethod::Pin));
    assert_eq!(out.audit.outcome, C::RegistrationMissing.code());
}
