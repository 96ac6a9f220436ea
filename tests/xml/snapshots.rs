//! Snapshots of whole documents, as UTF-8 text (Shift_JIS documents decoded first), so
//! a reviewer sees exactly what a clinic system would read.

use super::common::*;
use encoding_rs::SHIFT_JIS;
use onshi::codes::CharacterEncoding;
use onshi::xml::{XmlMessage, encode};

/// Encodes and returns the document as text.
fn text<M: XmlMessage>(m: &M, encoding: CharacterEncoding) -> String {
    let bytes = encode(m, encoding);
    match encoding {
        CharacterEncoding::Utf8 => String::from_utf8(bytes).expect("utf-8 output"),
        CharacterEncoding::ShiftJis => {
            let (text, _, errors) = SHIFT_JIS.decode(&bytes);
            assert!(!errors, "the Shift_JIS output must decode cleanly");
            text.into_owned()
        }
    }
}

#[test]
fn adult_kyokai_kenpo_with_consents() {
    insta::assert_snapshot!(text(
        &card_response(vec![adult_kyokai()]),
        CharacterEncoding::Utf8
    ));
}

#[test]
fn elderly_70_74_nhi_six_digit_insurer() {
    let doc = text(
        &card_response(vec![elderly_70_74_nhi()]),
        CharacterEncoding::ShiftJis,
    );
    assert!(
        doc.contains("<InsurerNumber>  138"),
        "6-digit 国保 number space-padded"
    );
    insta::assert_snapshot!(doc);
}

#[test]
fn late_elderly_one_wari() {
    insta::assert_snapshot!(text(
        &card_response(vec![late_elderly()]),
        CharacterEncoding::Utf8
    ));
}

#[test]
fn preschool_child_without_ratio() {
    insta::assert_snapshot!(text(
        &card_response(vec![preschool_child()]),
        CharacterEncoding::Utf8
    ));
}

#[test]
fn takahashi_utf8_keeps_every_character() {
    let doc = text(&card_response(vec![takahashi()]), CharacterEncoding::Utf8);
    assert!(doc.contains("髙橋 𠮷男") && !doc.contains('●'));
    insta::assert_snapshot!(doc);
}

#[test]
fn takahashi_shift_jis_writes_black_circles() {
    let doc = text(
        &card_response(vec![takahashi()]),
        CharacterEncoding::ShiftJis,
    );
    assert!(doc.contains("<Name>●橋 ●男</Name>"));
    assert!(!doc.contains("&#"), "no numeric character references");
    insta::assert_snapshot!(doc);
}

#[test]
fn medical_aid_ticket() {
    insta::assert_snapshot!(text(
        &card_response(vec![medical_aid()]),
        CharacterEncoding::Utf8
    ));
}

#[test]
fn error_no_matching_qualification() {
    insta::assert_snapshot!(text(&error_response(), CharacterEncoding::ShiftJis));
}

#[test]
fn bulk_response_three_units() {
    insta::assert_snapshot!(text(&bulk_response(), CharacterEncoding::Utf8));
}

#[test]
fn requests_and_ack() {
    let all = [
        text(&request(), CharacterEncoding::ShiftJis),
        text(&bulk_request(), CharacterEncoding::ShiftJis),
        text(&bulk_ack(), CharacterEncoding::Utf8),
        text(&bulk_download(), CharacterEncoding::ShiftJis),
    ]
    .join("\n");
    insta::assert_snapshot!(all);
}

#[test]
fn json_body_shape() {
    insta::assert_json_snapshot!(card_response(vec![elderly_70_74_nhi()]));
}
