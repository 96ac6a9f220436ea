//! The rules calendar at its boundary dates, through the numbers path with the
//! document presented: 2024-12-01/02, 2025-07-31, 2025-12-01/02, 2026-03-31,
//! 2026-04-01, 2026-07-31.

use super::world::*;
use onshi_domain::codes::QualificationValidity as V;
use onshi_domain::protocol::ResultCode as C;
use onshi_domain::protocol::wire::*;

/// A persona with one record and the given `[documents]` table.
fn holder(
    id: &str,
    insurer: &str,
    number: &str,
    birth: &str,
    documents: &str,
) -> onshi_world::persona::Persona {
    persona(
        id,
        &format!(
            r#"
description = "境界日のテスト"
[person]
name = "境界 太郎"
name_kana = "キョウカイ タロウ"
birth_date = {birth}
sex = "male"
address = "東京都千代田区"
{card}
{qualification}
[registration]
state = "unregistered"
[documents]
{documents}
"#,
            card = recent_card("1111", "KYOKAI123"),
            qualification = qualification(insurer, "テスト保険者", number, "2015-04-01"),
        ),
    )
}

/// (validity, code, status error?) of a numbers query of `id` at `now`.
fn ask(
    w: &World,
    id: &str,
    doc: PresentedDocument,
    card: bool,
    now: &str,
) -> (Option<V>, Option<String>) {
    let mut req = w.numbers_request(id, 0, doc);
    req.confirmation_time = Some(at(now));
    req.card_presented = card;
    let res = w.numbers(&req).result.unwrap();
    (
        res.validity(),
        res.message_body.processing_result_code.clone(),
    )
}

fn ok() -> (Option<V>, Option<String>) {
    (Some(V::Valid), None)
}

fn temporary() -> (Option<V>, Option<String>) {
    (Some(V::Valid), Some(C::TemporaryMeasure.code().to_owned()))
}

fn refused(code: C) -> (Option<V>, Option<String>) {
    (None, Some(code.code().to_owned()))
}

#[test]
fn old_cards_issued_until_2024_12_01_only() {
    // FAQ-4-10: no new 保険証 from 2024-12-02.
    let w = custom_world(
        "2024-12-02T10:00",
        vec![
            holder(
                "issued-dec-1",
                "01130012",
                "101",
                "1980-01-01",
                "old_card = { issued_on = 2024-12-01 }",
            ),
            holder(
                "issued-dec-2",
                "01130012",
                "102",
                "1980-01-01",
                "old_card = { issued_on = 2024-12-02 }",
            ),
            holder(
                "kakunin-dec-1",
                "01130012",
                "103",
                "1980-01-01",
                r#"kakunin_sho = { valid_from = 2024-12-01, valid_to = 2029-11-30 }"#,
            ),
        ],
        &[],
    );
    let old = PresentedDocument::OldCard;
    assert_eq!(
        ask(&w, "issued-dec-1", old, false, "2024-12-01T10:00"),
        ok()
    );
    assert_eq!(
        ask(&w, "issued-dec-1", old, false, "2024-12-02T10:00"),
        ok()
    );
    assert_eq!(
        ask(&w, "issued-dec-2", old, false, "2024-12-02T10:00"),
        refused(C::OldCardInvalid)
    );
    // The 資格確認書 exists from 2024-12-02.
    let k = PresentedDocument::KakuninSho;
    assert_eq!(
        ask(&w, "kakunin-dec-1", k, false, "2024-12-01T10:00"),
        refused(C::KakuninInvalid)
    );
    assert_eq!(ask(&w, "kakunin-dec-1", k, false, "2024-12-02T10:00"), ok());
}

#[test]
fn community_cards_expire_2025_07_31_then_the_temporary_measure() {
    // DOM-NHI-EXPIRY, NOTICE-2025-06-27.
    let w = custom_world(
        "2025-08-01T10:00",
        vec![holder(
            "nhi-holder",
            "138057",
            "00000777",
            "1960-01-01",
            "old_card = { issued_on = 2024-08-01 }",
        )],
        &[],
    );
    let old = PresentedDocument::OldCard;
    assert_eq!(ask(&w, "nhi-holder", old, false, "2025-07-31T10:00"), ok());
    assert_eq!(
        ask(&w, "nhi-holder", old, false, "2025-08-01T10:00"),
        temporary()
    );
}

#[test]
fn employee_cards_end_2025_12_01_and_the_measure_ends_2026_03_31() {
    // FAQ-4-10, TRN-MAX1Y, KQ-3, NOTICE-2025-11-12.
    let w = world_at("2026-04-01T10:00", 0, &[]);
    let old = PresentedDocument::OldCard;
    let id = "old-card-holder";
    assert_eq!(ask(&w, id, old, false, "2025-12-01T10:00"), ok());
    assert_eq!(ask(&w, id, old, false, "2025-12-02T10:00"), temporary());
    assert_eq!(ask(&w, id, old, false, "2026-03-31T23:59"), temporary());
    assert_eq!(
        ask(&w, id, old, false, "2026-04-01T00:00"),
        refused(C::OldCardInvalid)
    );
}

#[test]
fn notice_alone_only_under_the_temporary_measure() {
    // FLY-NOTICE-ALONE; FAQ-4-5 / KQ-6: with the card, any time.
    let w = world_at("2026-04-01T10:00", 0, &[]);
    let id = "unregistered";
    for doc in [PresentedDocument::Notice, PresentedDocument::PortalScreen] {
        assert_eq!(
            ask(&w, id, doc, false, "2025-11-11T10:00"),
            refused(C::NoticeAloneRefused)
        );
        assert_eq!(ask(&w, id, doc, false, "2025-11-12T10:00"), temporary());
        assert_eq!(ask(&w, id, doc, false, "2026-03-31T10:00"), temporary());
        assert_eq!(
            ask(&w, id, doc, false, "2026-04-01T10:00"),
            refused(C::NoticeAloneRefused)
        );
        assert_eq!(ask(&w, id, doc, true, "2026-04-01T10:00"), ok());
        assert_eq!(ask(&w, id, doc, true, "2027-01-01T10:00"), ok());
    }
}

#[test]
fn late_stage_kakunin_until_2026_07_31() {
    // TRN-KAKUNIN / NOTICE-KOUKI-2026-07: the blanket 資格確認書 for 後期高齢者.
    let w = custom_world(
        "2026-08-01T10:00",
        vec![holder(
            "kouki-kakunin",
            "39131156",
            "10099999",
            "1945-05-05",
            r#"kakunin_sho = { valid_from = 2025-08-01, valid_to = 2026-07-31 }"#,
        )],
        &[],
    );
    let k = PresentedDocument::KakuninSho;
    assert_eq!(ask(&w, "kouki-kakunin", k, false, "2026-07-31T10:00"), ok());
    assert_eq!(
        ask(&w, "kouki-kakunin", k, false, "2026-08-01T10:00"),
        refused(C::KakuninInvalid)
    );
    // No 資格確認書 was issued to this person: refused as such.
    let w = world(&[]);
    assert_eq!(
        ask(
            &w,
            "standard-adult",
            PresentedDocument::KakuninSho,
            false,
            "2026-11-30T10:00"
        ),
        refused(C::DocumentNotIssued)
    );
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
