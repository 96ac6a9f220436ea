//! Hostile and broken input: errors name the element and line, nothing panics.

use super::common::*;
use onshi::codes::CharacterEncoding;
use onshi::message::*;
use onshi::xml::{MAX_DEPTH, XmlError, XmlErrorKind, decode, decode_with_limit, encode};

fn response_text() -> String {
    let doc = encode(
        &card_response(vec![adult_kyokai(), late_elderly()]),
        CharacterEncoding::Utf8,
    );
    String::from_utf8(doc).expect("utf-8")
}

fn decode_response(text: &str) -> Result<QualificationResponse, XmlError> {
    decode(text.as_bytes())
}

/// Decodes `bytes` as every message type; the point is that none of them panics.
fn decode_all(bytes: &[u8]) -> usize {
    [
        decode::<QualificationRequest>(bytes).is_ok(),
        decode::<QualificationResponse>(bytes).is_ok(),
        decode::<BulkQualificationRequest>(bytes).is_ok(),
        decode::<BulkUploadAck>(bytes).is_ok(),
        decode::<BulkDownloadRequest>(bytes).is_ok(),
        decode::<BulkQualificationResponse>(bytes).is_ok(),
    ]
    .into_iter()
    .filter(|&ok| ok)
    .count()
}

#[test]
fn bad_date_in_second_result_names_path_and_line() {
    let text = response_text().replacen("<Birthdate>19450303", "<Birthdate>19450230", 1);
    let err = decode_response(&text).unwrap_err();
    assert_eq!(
        err.path,
        "XmlMsg/MessageBody/ResultList/ResultOfQualificationConfirmation[2]/Birthdate"
    );
    let line = text.lines().position(|l| l.contains("19450230")).unwrap() + 1;
    assert_eq!(err.line, Some(line as u32));
    assert!(matches!(err.kind, XmlErrorKind::InvalidDate { .. }));
}

#[test]
fn missing_required_element() {
    let text = response_text().replacen("<Sex1>1</Sex1>", "", 1);
    let err = decode_response(&text).unwrap_err();
    assert_eq!(
        err.path,
        "XmlMsg/MessageBody/ResultList/ResultOfQualificationConfirmation[1]/Sex1"
    );
    assert_eq!(err.kind, XmlErrorKind::Missing);
    let text = response_text().replacen("<Name>山田 太郎</Name>", "<Name> </Name>", 1);
    assert_eq!(
        decode_response(&text).unwrap_err().kind,
        XmlErrorKind::Missing
    );
    let text = response_text().replacen(
        "<CharacterCodeIdentifier>1</CharacterCodeIdentifier>",
        "",
        1,
    );
    assert_eq!(
        decode_response(&text).unwrap_err().path,
        "XmlMsg/MessageHeader/CharacterCodeIdentifier"
    );
}

#[test]
fn bad_code_values() {
    for (from, to, field) in [
        (
            "<QualificationValidity>1",
            "<QualificationValidity>7",
            "QualificationValidity",
        ),
        (
            "<SegmentOfResult>1",
            "<SegmentOfResult>3",
            "SegmentOfResult",
        ),
        (
            "<InsurerNumber>01130012",
            "<InsurerNumber>01130013",
            "InsurerNumber",
        ),
        (
            "<InsuredPartialContributionRatio>010",
            "<InsuredPartialContributionRatio>10",
            "InsuredPartialContributionRatio",
        ),
        (
            "<MedicalInstitutionCode>1311234567",
            "<MedicalInstitutionCode>131123456",
            "MedicalInstitutionCode",
        ),
        (
            "<CharacterCodeIdentifier>1",
            "<CharacterCodeIdentifier>3",
            "CharacterCodeIdentifier",
        ),
    ] {
        let text = response_text().replacen(from, to, 1);
        let err = decode_response(&text).unwrap_err();
        assert!(err.path.ends_with(field), "{field}: {err}");
        let XmlErrorKind::InvalidCode(code) = &err.kind else {
            panic!("{field}: {err}");
        };
        assert_eq!(code.field, field);
    }
}

#[test]
fn wrong_root_and_malformed() {
    let err = decode_response("<Msg><MessageHeader/></Msg>").unwrap_err();
    assert_eq!(
        err.kind,
        XmlErrorKind::WrongRoot {
            found: "Msg".into()
        }
    );
    let text = response_text().replacen("</Name>", "</Nam>", 1);
    let err = decode_response(&text).unwrap_err();
    assert!(matches!(err.kind, XmlErrorKind::Malformed(_)), "{err}");
    // The path is what was read so far: the second result is not known yet.
    assert!(
        err.path.ends_with("ResultOfQualificationConfirmation/Name"),
        "{err}"
    );
    assert!(err.line.is_some());
}

#[test]
fn unknown_elements_and_empty_optionals_are_ignored() {
    let text = response_text()
        .replacen(
            "<Sex1>1</Sex1>",
            "<Sex1>1</Sex1><VendorExtra><X>1</X></VendorExtra><Sex2/>",
            1,
        )
        .replacen(
            "<PostNumber>100-0001</PostNumber>",
            "<PostNumber></PostNumber>",
            1,
        );
    let r = decode_response(&text).expect("decodes");
    assert_eq!(r.message_body.result_list[0].sex2, None);
    assert_eq!(r.message_body.result_list[0].post_number, None);
}

#[test]
fn old_character_code_table() {
    // `1` in a Shift_JIS document is the old table's Shift_JIS; `0` is UTF-8.
    let sjis = encode(
        &card_response(vec![adult_kyokai()]),
        CharacterEncoding::ShiftJis,
    );
    let needle = b"<CharacterCodeIdentifier>2<";
    let at = sjis
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap();
    let mut old = sjis.clone();
    old[at + needle.len() - 2] = b'1';
    let r: QualificationResponse = decode(&old).unwrap();
    assert_eq!(
        r.message_header.character_code_identifier,
        CharacterEncoding::ShiftJis
    );
    let text = response_text().replacen(
        "<CharacterCodeIdentifier>1<",
        "<CharacterCodeIdentifier>0<",
        1,
    );
    let r = decode_response(&text).unwrap();
    assert_eq!(
        r.message_header.character_code_identifier,
        CharacterEncoding::Utf8
    );
}

#[test]
fn encodings_declared_and_undecodable() {
    let text = response_text();
    let with_bom = [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat();
    assert!(decode::<QualificationResponse>(&with_bom).is_ok());
    let euc = text.replacen("UTF-8", "EUC-JP", 1);
    let err = decode_response(&euc).unwrap_err();
    assert_eq!(err.kind, XmlErrorKind::UnsupportedEncoding("EUC-JP".into()));
    let mut sjis = encode(
        &card_response(vec![adult_kyokai()]),
        CharacterEncoding::ShiftJis,
    );
    let at = sjis.len() - 20;
    sjis[at] = 0x81;
    sjis[at + 1] = 0x20;
    let err = decode::<QualificationResponse>(&sjis).unwrap_err();
    assert!(
        matches!(
            err.kind,
            XmlErrorKind::Undecodable {
                encoding: "Shift_JIS",
                ..
            }
        ),
        "{err}"
    );
    // Shift_JIS bytes read as UTF-8 (no declaration) are rejected, not garbled.
    let sjis = encode(
        &card_response(vec![adult_kyokai()]),
        CharacterEncoding::ShiftJis,
    );
    let body = &sjis[sjis.iter().position(|&b| b == b'\n').unwrap() + 1..];
    let err = decode::<QualificationResponse>(body).unwrap_err();
    assert!(
        matches!(
            err.kind,
            XmlErrorKind::Undecodable {
                encoding: "UTF-8",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn oversized_input() {
    let text = response_text();
    let err = decode_with_limit::<QualificationResponse>(text.as_bytes(), 100).unwrap_err();
    assert_eq!(
        err.kind,
        XmlErrorKind::TooLarge {
            size: text.len(),
            max: 100
        }
    );
    let big = vec![b' '; (1 << 20) + 1];
    assert!(matches!(
        decode::<QualificationResponse>(&big).unwrap_err().kind,
        XmlErrorKind::TooLarge { .. }
    ));
}

#[test]
fn truncated_prefixes_never_panic() {
    for encoding in [CharacterEncoding::Utf8, CharacterEncoding::ShiftJis] {
        // Every prefix of a single result (all but the full document fail)...
        let bytes = encode(&card_response(vec![takahashi()]), encoding);
        assert_eq!(decode_all(&bytes), 1, "only the response type accepts it");
        let end = bytes.iter().rposition(|&b| b == b'<').unwrap_or(0);
        for cut in 0..end {
            assert!(
                decode::<QualificationResponse>(&bytes[..cut]).is_err(),
                "prefix {cut}"
            );
        }
        // ...and a sample of the prefixes of a bulk result, read as every type.
        let bytes = encode(&bulk_response(), encoding);
        assert_eq!(
            decode_all(&bytes),
            1,
            "only the bulk response type accepts it"
        );
        for cut in (0..bytes.len()).step_by(7) {
            decode_all(&bytes[..cut]);
        }
    }
}

#[test]
fn random_bytes_and_mutations_never_panic() {
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        // Knuth's MMIX LCG.
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as u32
    };
    for _ in 0..2_000 {
        let len = (next() % 400) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        decode_all(&bytes);
    }
    let alphabet = b"<>/=\"'&;#x?!-[]CDATAXmlMsg \n\x81\x9C\xE3";
    let seed = encode(
        &card_response(vec![takahashi()]),
        CharacterEncoding::ShiftJis,
    );
    for _ in 0..2_000 {
        let mut bytes = seed.clone();
        for _ in 0..1 + next() % 8 {
            let at = next() as usize % bytes.len();
            bytes[at] = alphabet[next() as usize % alphabet.len()];
        }
        decode_all(&bytes);
    }
}

#[test]
fn deeply_nested_input_is_refused() {
    let depth = 100_000;
    let text = format!(
        "<XmlMsg>{}{}</XmlMsg>",
        "<a>".repeat(depth),
        "</a>".repeat(depth)
    );
    let err = decode_with_limit::<QualificationResponse>(text.as_bytes(), usize::MAX).unwrap_err();
    assert_eq!(err.kind, XmlErrorKind::TooDeep { max: MAX_DEPTH });
    let unclosed = "<XmlMsg>".to_owned() + &"<a>".repeat(depth);
    assert!(decode_with_limit::<QualificationResponse>(unclosed.as_bytes(), usize::MAX).is_err());
}
