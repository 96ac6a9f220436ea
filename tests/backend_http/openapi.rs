//! The OpenAPI file describes every route of the router.

use axum::body::Body;
use axum::http::Request;
use onshi::server::app;
use onshi::server::http::ROUTES;
use tower::ServiceExt;

use crate::common::state;

#[test]
fn every_route_is_in_the_openapi_file() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/openapi/onshi-v1.yaml"
    ))
    .expect("openapi/onshi-v1.yaml");
    assert!(text.starts_with("openapi: 3."));
    for (method, path) in ROUTES {
        let key = format!("\n  {path}:\n");
        let start = text.find(&key).unwrap_or_else(|| panic!("{path} missing"));
        let section = &text[start + key.len()..];
        let end = section.find("\n  /").unwrap_or(section.len());
        let method_key = format!("    {}:", method.to_ascii_lowercase());
        assert!(
            section[..end].contains(&method_key),
            "{method} {path} missing"
        );
    }
}

#[tokio::test]
async fn every_listed_route_is_routed() {
    let (state, _) = state(&[]);
    for (method, path) in ROUTES {
        let req = Request::builder()
            .method(*method)
            .uri(*path)
            .body(Body::empty())
            .unwrap();
        let status = app(state.clone()).oneshot(req).await.unwrap().status();
        assert_ne!(status.as_u16(), 404, "{method} {path}");
        assert_ne!(status.as_u16(), 405, "{method} {path}");
    }
}

/// The enumeration of schema `name` in the OpenAPI file (the `enum:` line of its block).
fn schema_enum(text: &str, name: &str) -> Vec<String> {
    let key = format!("\n    {name}:\n");
    let start = text
        .find(&key)
        .unwrap_or_else(|| panic!("schema {name} missing"))
        + key.len();
    let line = text[start..]
        .lines()
        .take_while(|l| l.starts_with("      "))
        .find(|l| l.trim_start().starts_with("enum:"))
        .unwrap_or_else(|| panic!("schema {name} has no enum"));
    enum_values(line)
}

fn enum_values(line: &str) -> Vec<String> {
    let inner = line.split('[').nth(1).unwrap().split(']').next().unwrap();
    inner
        .split(',')
        .map(|v| v.trim().trim_matches('"').to_owned())
        .filter(|v| !v.is_empty())
        .collect()
}

/// Every code value of the answers is enumerated in the OpenAPI file, exactly.
#[test]
fn the_openapi_enumerates_every_code_value() {
    use onshi::codes::*;
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/openapi/onshi-v1.yaml"
    ))
    .unwrap();
    fn codes<T: Copy>(all: &[T], code: fn(T) -> &'static str) -> Vec<String> {
        all.iter().map(|c| code(*c).to_owned()).collect()
    }
    // The schema is named as the type.
    macro_rules! tables {
        ($($t:ident),+) => {
            vec![$((stringify!($t), codes($t::ALL, $t::code))),+]
        };
    }
    let expected: Vec<(&str, Vec<String>)> = tables!(
        ReferenceClassification,
        SegmentOfResult,
        ProcessingResultStatus,
        QualificationValidity,
        Sex,
        ReasonOfLoss,
        PersonalFamilyClassification,
        InsuredCardClassification,
        LimitCertificateClassification,
        LimitClass,
        SpecificDiseaseCategory,
        PreschoolClassification,
        ConsentFlag,
        LimitConsentFlag,
        PrescriptionIssueSelect,
        MedicalTreatmentFlag
    );
    for (name, values) in expected {
        assert_eq!(schema_enum(&text, name), values, "{name}");
    }
    // The result codes: refusals and warnings in the answer, the rest as errors.
    use onshi::protocol::ResultCode;
    let line = |key: &str| {
        let at = text.find(key).unwrap_or_else(|| panic!("{key} missing"));
        text[at..]
            .lines()
            .find(|l| l.trim_start().starts_with("enum:"))
            .map(enum_values)
            .unwrap()
    };
    let in_answer: Vec<String> = ResultCode::ALL
        .iter()
        .map(|c| c.code())
        .filter(|c| c.starts_with("ONS-R") || c.starts_with("ONS-W"))
        .map(str::to_owned)
        .collect();
    // `null` is listed too: the field is nullable, and OpenAPI 3.0 validators accept a
    // null only when the enum names it.
    let mut listed = line("processing_result_code:\n");
    assert_eq!(listed.pop().as_deref(), Some("null"));
    assert_eq!(listed, in_answer);
}
