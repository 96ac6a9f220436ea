//! The 緊急時医療情報・資格確認機能's search by the 基本4情報.

use super::world::*;
use onshi_domain::codes::{ProcessingResultStatus, QualificationValidity as V, Sex};
use onshi_domain::protocol::ResultCode as C;
use onshi_domain::protocol::wire::EmergencyConfirmationRequest;

fn request(w: &World, id: &str) -> EmergencyConfirmationRequest {
    let p = w.person(id).person;
    EmergencyConfirmationRequest {
        medical_institution_code: facility(),
        confirmation_time: Some(w.as_of),
        name: p.name,
        sex: p.sex,
        birthdate: p.birth_date,
        address: p.address,
    }
}

#[test]
fn the_basic_four_find_the_person_and_nothing_else_does() {
    let w = world(&[]);
    let out = w
        .engine
        .confirm_emergency(&request(&w, "outage-patient"), w.t());
    assert_eq!(out.audit.person.as_deref(), Some("outage-patient"));
    let res = out.result.unwrap();
    assert_eq!(res.validity(), Some(V::Valid));
    let r = &res.message_body.result_list[0];
    assert_eq!(r.name, w.person("outage-patient").person.name);
    // No medical information on this path, whatever was consented at a reader.
    for block in [
        &r.specific_health_checkups_info,
        &r.pharmacists_info,
        &r.diagnosis_info,
        &r.operation_info,
    ] {
        assert!(block.is_empty(), "{block:?}");
    }

    // Whitespace, full-width digits and a dash for 番地 do not matter; every other
    // field does.
    let mut spaced = request(&w, "outage-patient");
    spaced.name = spaced.name.replace(' ', "\u{3000}");
    spaced.address = format!(" {} ", spaced.address.replace('1', "１"));
    assert_eq!(
        w.engine
            .confirm_emergency(&spaced, w.t())
            .result
            .unwrap()
            .validity(),
        Some(V::Valid)
    );
    let variants: [fn(&mut EmergencyConfirmationRequest); 4] = [
        |r| r.name.push('子'),
        |r| r.sex = Sex::Male,
        |r| r.birthdate = r.birthdate.succ_opt().unwrap(),
        |r| r.address.push_str("2番"),
    ];
    for change in variants {
        let mut req = request(&w, "outage-patient");
        change(&mut req);
        let res = w.engine.confirm_emergency(&req, w.t()).result.unwrap();
        assert_eq!(res.validity(), Some(V::NoMatchingQualification), "{req:?}");
        assert!(res.message_body.result_list.is_empty());
    }

    // 医療扶助 without a registered 医療券 is 有効（未登録） here too.
    let res = w
        .engine
        .confirm_emergency(&request(&w, "medical-aid-ticket-pending"), w.t())
        .result
        .unwrap();
    assert_eq!(res.validity(), Some(V::ValidUnregistered));
    // OKA-DV: a 不開示 person is not found, and nothing says why.
    let res = w
        .engine
        .confirm_emergency(&request(&w, "dv-non-disclosure"), w.t())
        .result
        .unwrap();
    assert_eq!(
        res.message_body.processing_result_status,
        ProcessingResultStatus::Normal
    );
    assert_eq!(res.validity(), Some(V::NoMatchingQualification));
    assert_eq!(res.code(), None);
    assert!(res.message_body.result_list.is_empty());
}

/// Two people with the same 基本4情報: 複数該当, naming neither.
#[test]
fn two_people_with_the_same_basic_four_are_several() {
    let text = |card: &str, number: &str| {
        format!(
            "description = \"同姓同名\"\n[person]\nname = \"佐藤 花子\"\nname_kana = \"サトウ ハナコ\"\n\
             birth_date = 1970-01-01\nsex = \"female\"\naddress = \"東京都港区芝公園一丁目\"\n{}\n{}\n\
             [registration]\nstate = \"registered\"\n",
            recent_card(card, "HANAKO70X"),
            qualification(
                "01130012",
                "全国健康保険協会 東京支部",
                number,
                "\"as-of-5y\""
            )
        )
    };
    let w = custom_world(
        "2026-11-30T09:00",
        vec![
            persona("hanako-a", &text("1111", "501")),
            persona("hanako-b", &text("2222", "502")),
        ],
        &[],
    );
    let res = w
        .engine
        .confirm_emergency(&request(&w, "hanako-a"), w.t())
        .result
        .unwrap();
    assert_eq!(res.validity(), Some(V::MultipleMatches));
    assert!(res.message_body.result_list.is_empty());
}

#[test]
fn bad_basic_four_are_refused_naming_the_field() {
    let w = world(&[]);
    type Change = fn(&mut EmergencyConfirmationRequest);
    let cases: [(Change, C, &str); 4] = [
        (|r| r.name = " ".into(), C::InvalidField, "name"),
        (|r| r.address = "あ".repeat(201), C::InvalidField, "address"),
        (
            |r| r.name = "123456789018".into(),
            C::MyNumberRefused,
            "name",
        ),
        (
            |r| r.address = "123456789018".into(),
            C::MyNumberRefused,
            "address",
        ),
    ];
    for (change, code, field) in cases {
        let mut req = request(&w, "outage-patient");
        change(&mut req);
        let e = w.engine.confirm_emergency(&req, w.t()).result.unwrap_err();
        assert_eq!(e.code, code);
        assert_eq!(e.field.as_deref(), Some(field));
    }
}
