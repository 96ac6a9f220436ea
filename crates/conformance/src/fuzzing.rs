//! Entry points of the fuzz targets `feature` and `reader_control` (`fuzz/`), also run
//! over the committed corpus by `tests/fuzz_corpus.rs`. Each takes arbitrary bytes and
//! panics only when it finds a bug. Nothing here starts a server or touches a file.

use std::sync::OnceLock;

use crate::conformance::remote::audit_verdict;
use crate::conformance::{cast, env::READER_ID, lint, run};
use onshi_domain::codes::CharacterEncoding;
use onshi_domain::message::{MedicalInstitutionCode, QualificationResponse};
use onshi_reader::reader::ReaderOutcome;
use onshi_reader::reader::control::{ReaderInfo, VisitResponse};
use onshi_reader::reader::result_file::face_result;
use onshi_world::defaults::{self, DEFAULT_SEED};
use onshi_world::persona::{PersonaSet, ResolvedPersona};

fn personas() -> &'static PersonaSet {
    static SET: OnceLock<PersonaSet> = OnceLock::new();
    SET.get_or_init(|| defaults::personas(None).unwrap_or_default())
}

/// `feature`: `data` is a Gherkin feature file (read lossily as UTF-8). It is linted,
/// its scenarios counted and its cast read as a run does; a cast that names only
/// embedded personas gives instances that resolve.
pub fn feature(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for (line, message) in lint::lint(&text) {
        assert!(line >= 1, "a finding at line 0: {message}");
    }
    std::hint::black_box(run::scenarios_in(&text));
    let cast = match cast::of_features([("fuzz.feature", &*text)], 2) {
        Ok(c) => c,
        Err(e) => panic!("two generations are allowed: {e}"),
    };
    let Ok(set) = personas().with_cast(&cast) else {
        return;
    };
    for p in set.iter().filter(|p| p.template.is_some()) {
        let r = p.resolve(defaults::default_as_of(), DEFAULT_SEED);
        std::hint::black_box(r.presented());
    }
}

/// The person the answers of `reader_control` are read for.
fn presented() -> Option<&'static ResolvedPersona> {
    static P: OnceLock<Option<ResolvedPersona>> = OnceLock::new();
    P.get_or_init(|| {
        personas()
            .get("standard-adult")
            .map(|p| p.resolve(defaults::default_as_of(), DEFAULT_SEED))
    })
    .as_ref()
}

/// `reader_control`: `data` is a reader's answer through the reader-control API
/// (`openapi/reader-control-v1.yaml`): the body of `POST /v1/visits` (or of
/// `GET /v1/reader`). An answer that parses is read as the suite reads it: its result
/// file decoded, its outcome checked against a backend audit, read at the window, its
/// response written as the face-result file in both encodings (which must read back),
/// and the outcome kept in the report as JSON (which must round-trip).
pub fn reader_control(data: &[u8]) {
    std::hint::black_box(serde_json::from_slice::<ReaderInfo>(data).is_ok());
    let response: VisitResponse = match serde_json::from_slice(data) {
        Ok(r) => r,
        Err(e) => {
            std::hint::black_box(e.to_string());
            return;
        }
    };
    if let Some(wire) = &response.result_file
        && let Ok(file) = wire.to_file()
    {
        std::hint::black_box(file.text());
    }
    let outcome = &response.outcome;
    let audit = [
        r#"{"seq":1,"operation":"challenge","outcome":"ok"}"#.to_owned(),
        r#"{"seq":2,"operation":"card_confirmation","outcome":"ok","validity":"1","result_code":null}"#.to_owned(),
        r#"{"seq":3,"operation":"registration","outcome":"ok"}"#.to_owned(),
    ];
    std::hint::black_box(audit_verdict(outcome, &[]));
    std::hint::black_box(audit_verdict(outcome, &audit));
    if let Some(p) = presented() {
        std::hint::black_box(outcome.at_window(p));
    }
    if let Some(r) = outcome.response()
        && let Ok(facility) = MedicalInstitutionCode::parse("1311234567")
    {
        let now = defaults::default_as_of();
        for encoding in [CharacterEncoding::Utf8, CharacterEncoding::ShiftJis] {
            let file = face_result(r, &facility, READER_ID, 1, now, encoding);
            std::hint::black_box(file.text());
            if let Err(e) = onshi_domain::xml::decode::<QualificationResponse>(&file.bytes) {
                panic!("{encoding:?}: the face-result file does not read back: {e}\n{r:?}");
            }
        }
    }
    let json = serde_json::to_string(outcome)
        .unwrap_or_else(|e| panic!("the outcome cannot be written as JSON: {e}"));
    let back: ReaderOutcome = serde_json::from_str(&json)
        .unwrap_or_else(|e| panic!("the outcome's JSON does not read back: {e}\n{json}"));
    assert_eq!(&back, outcome, "the outcome's JSON does not round-trip");
}
