//! encode → decode → equal, for every message type and both encodings. For Shift_JIS
//! the expectation is the message with every string passed through `shift_jis_safe`.

use std::fmt::Debug;

use super::common::*;
use onshi::codes::CharacterEncoding;
use onshi::message::*;
use onshi::xml::{XmlMessage, decode, encode, shift_jis_safe};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// What decoding the `encoding` form of `m` must give: strings ●-replaced for
/// Shift_JIS, and `CharacterCodeIdentifier` set to the encoding actually written.
fn expected<T: Serialize + DeserializeOwned>(m: &T, encoding: CharacterEncoding) -> T {
    fn walk(v: &mut Value, encoding: CharacterEncoding) {
        match v {
            Value::String(s) if encoding == CharacterEncoding::ShiftJis => {
                *s = shift_jis_safe(s).0;
            }
            Value::Array(items) => items.iter_mut().for_each(|i| walk(i, encoding)),
            Value::Object(map) => {
                for (k, item) in map.iter_mut() {
                    if k == "character_code_identifier" {
                        *item = serde_json::to_value(encoding).expect("encoding to json");
                    } else {
                        walk(item, encoding);
                    }
                }
            }
            _ => {}
        }
    }
    let mut v = serde_json::to_value(m).expect("to json");
    walk(&mut v, encoding);
    serde_json::from_value(v).expect("from json")
}

fn round_trip<T>(m: &T)
where
    T: XmlMessage + Serialize + DeserializeOwned + PartialEq + Debug,
{
    for encoding in [CharacterEncoding::Utf8, CharacterEncoding::ShiftJis] {
        let bytes = encode(m, encoding);
        let back: T = decode(&bytes).unwrap_or_else(|e| panic!("{encoding:?}: {e}"));
        assert_eq!(back, expected(m, encoding), "{encoding:?}");
        // Encoding the decoded message again gives the same bytes.
        assert_eq!(encode(&back, encoding), bytes, "{encoding:?} not stable");
    }
    // The JSON body round-trips too.
    let json = serde_json::to_string(m).expect("json");
    assert_eq!(&serde_json::from_str::<T>(&json).expect("json back"), m);
}

#[test]
fn qualification_request() {
    round_trip(&request());
}

#[test]
fn qualification_responses() {
    for person in [
        adult_kyokai(),
        elderly_70_74_nhi(),
        late_elderly(),
        preschool_child(),
        takahashi(),
        medical_aid(),
    ] {
        round_trip(&card_response(vec![person]));
    }
    round_trip(&error_response());
    // 複数該当: several results in one list.
    let mut multi = card_response(vec![adult_kyokai(), preschool_child(), takahashi()]);
    multi.message_body.qualification_validity =
        Some(onshi::codes::QualificationValidity::MultipleMatches);
    round_trip(&multi);
}

#[test]
fn bulk_messages() {
    round_trip(&bulk_request());
    round_trip(&bulk_ack());
    round_trip(&bulk_download());
    round_trip(&bulk_response());
}

#[test]
fn shift_jis_replacement_is_visible_in_the_model() {
    let bytes = encode(
        &card_response(vec![takahashi()]),
        CharacterEncoding::ShiftJis,
    );
    let back: QualificationResponse = decode(&bytes).expect("decode");
    assert_eq!(back.message_body.result_list[0].name, "●橋 ●男");
    assert_eq!(
        back.message_header.character_code_identifier,
        CharacterEncoding::ShiftJis
    );
    let bytes = encode(&card_response(vec![takahashi()]), CharacterEncoding::Utf8);
    let back: QualificationResponse = decode(&bytes).expect("decode");
    assert_eq!(back.message_body.result_list[0].name, "髙橋 𠮷男");
}

#[test]
fn medical_aid_numbers() {
    let r = medical_aid();
    assert_eq!(
        r.public_expense_payer_number().map(|n| n.as_str()),
        Some("12130019")
    );
    assert_eq!(r.recipient_number(), Some("1234567"));
    assert_eq!(adult_kyokai().recipient_number(), None);
}

/// Rough throughput: `cargo test --release --test round_trip -- --ignored --nocapture`.
#[test]
#[ignore = "timing, run in release"]
fn bench_encode_decode() {
    use std::time::Instant;
    let msg = card_response(vec![adult_kyokai()]);
    for encoding in [CharacterEncoding::Utf8, CharacterEncoding::ShiftJis] {
        let n = 20_000u32;
        let mut buf = Vec::new();
        let start = Instant::now();
        for _ in 0..n {
            onshi::xml::encode_into(&msg, encoding, &mut buf);
        }
        let enc = start.elapsed() / n;
        let start = Instant::now();
        for _ in 0..n {
            let back: QualificationResponse = decode(&buf).expect("decode");
            std::hint::black_box(back);
        }
        let dec = start.elapsed() / n;
        println!(
            "{encoding:?}: {} bytes, encode {enc:?}, decode {dec:?}",
            buf.len()
        );
    }
}
