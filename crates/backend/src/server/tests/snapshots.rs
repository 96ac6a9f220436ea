//! XML results of the reference backend as snapshots (UTF-8 and Shift_JIS), and the
//! write → parse → equal round trip.

use super::world::*;
use onshi_domain::codes::CharacterEncoding;
use onshi_domain::message::QualificationResponse;
use onshi_domain::xml::{decode, encode, shift_jis_safe};

fn xml_text(res: &QualificationResponse, enc: CharacterEncoding) -> String {
    let bytes = encode(res, enc);
    match enc {
        CharacterEncoding::Utf8 => String::from_utf8(bytes).unwrap(),
        CharacterEncoding::ShiftJis => {
            let (text, _, had_errors) = encoding_rs::SHIFT_JIS.decode(&bytes);
            assert!(!had_errors);
            text.into_owned()
        }
    }
}

fn round_trip(res: &QualificationResponse) {
    let back: QualificationResponse = decode(&encode(res, CharacterEncoding::Utf8)).unwrap();
    assert_eq!(&back, res);
    // Shift_JIS: equal once the characters it cannot carry are ●.
    let mut expected = res.clone();
    for r in &mut expected.message_body.result_list {
        r.name = shift_jis_safe(&r.name).0;
        r.insured_name = r.insured_name.as_ref().map(|n| shift_jis_safe(n).0);
        r.address = r.address.as_ref().map(|a| shift_jis_safe(a).0);
    }
    expected.message_header.character_code_identifier = CharacterEncoding::ShiftJis;
    let back: QualificationResponse = decode(&encode(res, CharacterEncoding::ShiftJis)).unwrap();
    assert_eq!(back, expected);
}

#[test]
fn persona_results_as_xml() {
    let w = world(&[]);
    for id in [
        "standard-adult",
        "elderly-70-74",
        "medical-aid",
        "job-change-in-progress",
        "specific-disease-limit",
        "unregistered",
    ] {
        let res = w.confirm_id(id);
        round_trip(&res);
        insta::assert_snapshot!(
            format!("card_{}_utf8", id.replace('-', "_")),
            xml_text(&res, CharacterEncoding::Utf8)
        );
    }
}

#[test]
fn kyuji_name_in_both_encodings() {
    // FAQ-4-6: 髙 and 𠮷 become ● in Shift_JIS only.
    let w = world(&[]);
    let res = w.confirm_id("kyuji-name");
    round_trip(&res);
    let utf8 = xml_text(&res, CharacterEncoding::Utf8);
    let sjis = xml_text(&res, CharacterEncoding::ShiftJis);
    assert!(utf8.contains('髙'));
    assert!(sjis.contains('●') && !sjis.contains('髙'));
    insta::assert_snapshot!("card_kyuji_name_utf8", utf8);
    insta::assert_snapshot!("card_kyuji_name_shift_jis", sjis);
}

#[test]
fn numbers_result_in_shift_jis() {
    let w = world(&[]);
    let res = w
        .numbers(&w.numbers_request("job-change-done", 0))
        .result
        .unwrap();
    round_trip(&res);
    insta::assert_snapshot!(
        "numbers_job_change_done_shift_jis",
        xml_text(&res, CharacterEncoding::ShiftJis)
    );
}
