//! The backend at the calendar's boundary dates. The document rules (old 保険証,
//! お知らせ alone, 資格確認書) are the clinic's, tested in `onshi_domain::rules`; the
//! backend answers the numbers as the real interface does, whatever the date.

use super::world::*;
use onshi_domain::codes::QualificationValidity as V;
use onshi_domain::protocol::ResultCode as C;
use onshi_domain::protocol::wire::*;

/// (validity, code) of a numbers query of `id`'s first record at `now`.
fn ask(w: &World, id: &str, now: &str) -> (Option<V>, Option<String>) {
    let mut req = w.numbers_request(id, 0);
    req.confirmation_time = Some(at(now));
    let res = w.numbers(&req).result.unwrap();
    (
        res.validity(),
        res.message_body.processing_result_code.clone(),
    )
}

#[test]
fn the_numbers_are_answered_whatever_document_they_came_from() {
    // An old 保険証's numbers after every cut-off, the お知らせ's numbers after the
    // temporary measure: the record is in force, so the answer is 有効 with no code —
    // refusing the document is the clinic's decision (FAQ-4-10, FLY-NOTICE-ALONE).
    let w = world_at("2027-01-01T10:00", 0, &[]);
    for id in ["old-card-holder", "standard-adult", "unregistered"] {
        for now in [
            "2024-12-02T10:00",
            "2025-12-02T10:00",
            "2026-04-01T00:00",
            "2026-08-01T10:00",
        ] {
            assert_eq!(ask(&w, id, now), (Some(V::Valid), None), "{id} at {now}");
        }
    }
}

#[test]
fn certificate_grace_ends_with_the_third_month() {
    // DOM-CERT-GRACE: expiry 2026-08-15 → grace to 2026-11-30, cancelled 2026-12-01.
    let p = persona(
        "grace-edge",
        &format!(
            r#"
description = "猶予期間の境界"
[person]
name = "猶予 花子"
name_kana = "ユウヨ ハナコ"
birth_date = 1980-01-01
sex = "female"
address = "東京都港区"
[card]
auth_pin = "2222"
sign_password = "YUUYO2222"
support_pin = "2222"
security_code = "2222"
expires_on = 2031-01-01
[card.certificate]
issued_at = 2021-08-16T10:00:00
expires_on = 2026-08-15
{}
[registration]
state = "registered"
at = 2022-01-01T10:00:00
"#,
            qualification("01130012", "全国健康保険協会 東京支部", "555", "2010-04-01")
        ),
    );
    let w = custom_world("2026-12-01T09:00", vec![p], &[]);
    let mut req = w.card_request("grace-edge", AuthMethod::Pin);
    req.confirmation_time = Some(at("2026-11-30T18:00"));
    let res = w.confirm(&req).result.unwrap();
    assert_eq!(res.validity(), Some(V::Valid));
    assert_eq!(res.code(), Some(C::CertificateGrace.code()));
    let mut req = w.card_request("grace-edge", AuthMethod::Pin);
    req.confirmation_time = Some(at("2026-12-01T09:00"));
    assert_eq!(
        w.confirm(&req).result.unwrap().code(),
        Some(C::CertificateExpired.code())
    );
    let mut req = w.card_request("grace-edge", AuthMethod::Pin);
    req.confirmation_time = Some(at("2026-08-15T09:00"));
    assert_eq!(
        w.confirm(&req).result.unwrap().code(),
        Some(C::CertificateExpiresSoon.code())
    );
}
