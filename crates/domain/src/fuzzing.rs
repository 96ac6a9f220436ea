//! Entry points of the fuzz targets `xml_utf8`, `xml_sjis` and `clinic_control` (`fuzz/`), also run over
//! the committed corpus by `tests/fuzz_corpus.rs`. Each takes arbitrary bytes and
//! panics only when it finds a bug: decoding never panics, and a message the codec
//! read is written and read back in both encodings.

use std::fmt::Debug;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::codes::CharacterEncoding;
use crate::message::{
    BulkDownloadRequest, BulkQualificationRequest, BulkQualificationResponse, BulkUploadAck,
    QualificationRequest, QualificationResponse,
};
use crate::xml::{XmlMessage, decode, encode};

/// The declaration `xml_sjis` puts before its input.
pub const SHIFT_JIS_DECLARATION: &[u8] = b"<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>\n";

/// `xml_utf8`: `data` is a whole document (UTF-8 unless its declaration or BOM says
/// otherwise), decoded as every message type.
pub fn xml_utf8(data: &[u8]) {
    every_message(data);
}

/// `xml_sjis`: `data` is a document body in Shift_JIS (Windows-31J): the Shift_JIS
/// declaration is put before it, so every input goes through the Shift_JIS decoder.
pub fn xml_sjis(data: &[u8]) {
    let mut doc = Vec::with_capacity(SHIFT_JIS_DECLARATION.len() + data.len());
    doc.extend_from_slice(SHIFT_JIS_DECLARATION);
    doc.extend_from_slice(data);
    every_message(&doc);
}

fn every_message(doc: &[u8]) {
    round_trip::<QualificationRequest>(doc);
    round_trip::<QualificationResponse>(doc);
    round_trip::<BulkQualificationRequest>(doc);
    round_trip::<BulkUploadAck>(doc);
    round_trip::<BulkDownloadRequest>(doc);
    round_trip::<BulkQualificationResponse>(doc);
}

/// Decodes `doc` as `M`. What the codec promises for a message it read (see
/// `tests/xml/round_trip.rs`): written in either encoding it reads back; one trip
/// normalises it (Shift_JIS ●-replaces, empty optionals drop), after which encoding
/// and decoding change nothing; its JSON body round-trips.
fn round_trip<M>(doc: &[u8])
where
    M: XmlMessage + Serialize + DeserializeOwned + PartialEq + Debug,
{
    let message = match decode::<M>(doc) {
        Ok(m) => m,
        Err(e) => {
            // The error's text names the element path and line: building it must not
            // panic either.
            std::hint::black_box(e.to_string());
            return;
        }
    };
    for encoding in [CharacterEncoding::Utf8, CharacterEncoding::ShiftJis] {
        let written = encode(&message, encoding);
        let once: M = decode(&written).unwrap_or_else(|e| {
            panic!("{encoding:?}: the codec cannot read what it wrote: {e}\n{message:?}")
        });
        let rewritten = encode(&once, encoding);
        let twice: M = decode(&rewritten).unwrap_or_else(|e| {
            panic!("{encoding:?}: the codec cannot read what it wrote: {e}\n{once:?}")
        });
        assert_eq!(twice, once, "{encoding:?}: not stable after one round trip");
        assert_eq!(
            encode(&twice, encoding),
            rewritten,
            "{encoding:?}: encoding is not stable"
        );
    }
    let json = serde_json::to_string(&message)
        .unwrap_or_else(|e| panic!("the JSON body cannot be written: {e}\n{message:?}"));
    let back: M = serde_json::from_str(&json)
        .unwrap_or_else(|e| panic!("the JSON body cannot be read back: {e}\n{json}"));
    assert_eq!(back, message, "the JSON body does not round-trip");
}

/// `clinic_control`: `data` is a body of the clinic-control API
/// (`openapi/clinic-control-v1.yaml`): a clinic's answer (or `GET /v1/clinic` info), read
/// as the suite reads it — into the decision the oracle judges, its JSON round-tripping
/// — or a visit request, read as the reference clinic reads it: the result file
/// decoded, the numbers query it wants built, and the decision made (without a numbers
/// answer) with and without each defect.
pub fn clinic_control(data: &[u8]) {
    use crate::clinic::{
        ClinicAnswer, ClinicDefect, ClinicInfo, ClinicVisitRequest, DeskVisit, decision_of,
    };
    std::hint::black_box(serde_json::from_slice::<ClinicInfo>(data).is_ok());
    if let Ok(answer) = serde_json::from_slice::<ClinicAnswer>(data) {
        std::hint::black_box(decision_of(&answer).map_err(|e| e.to_string()).is_ok());
        let text = serde_json::to_string(&answer).expect("an answer serializes");
        let back: ClinicAnswer = serde_json::from_str(&text).expect("an answer reads back");
        assert_eq!(back, answer, "the answer's JSON round-trips");
    }
    if let Ok(answer) = serde_json::from_slice::<crate::clinic::RecoveryAnswer>(data) {
        let text = serde_json::to_string(&answer).expect("a recovery answer serializes");
        let back: crate::clinic::RecoveryAnswer =
            serde_json::from_str(&text).expect("a recovery answer reads back");
        assert_eq!(back, answer, "the recovery answer's JSON round-trips");
    }
    if let Ok(req) = serde_json::from_slice::<crate::clinic::RecoveryRequest>(data) {
        match crate::clinic::recovery_query(&req, &[]) {
            Ok(q) => std::hint::black_box(q.is_some()),
            Err(e) => std::hint::black_box(e.to_string().is_empty()),
        };
    }
    let Ok(req) = serde_json::from_slice::<ClinicVisitRequest>(data) else {
        return;
    };
    let desk = match DeskVisit::from_request(&req) {
        Ok(d) => d,
        Err(e) => {
            std::hint::black_box(e.to_string());
            return;
        }
    };
    let calendar = crate::rules::RulesCalendar::reference();
    std::hint::black_box(desk.numbers_query(&calendar));
    std::hint::black_box(desk.clone().decide(&calendar, None, &[]));
    std::hint::black_box(desk.decide(&calendar, None, &ClinicDefect::ALL));
}
