//! Handlers without a socket: `tower::ServiceExt::oneshot` on the router.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use onshi::codes::{QualificationValidity, SegmentOfResult};
use onshi::message::{BulkQualificationResponse, BulkUploadAck, QualificationResponse};
use onshi::protocol::ResultCode;
use onshi::protocol::wire::*;
use onshi::server::faults::FaultConfig;
use onshi::server::{AppState, FaultInjector, app};
use tower::ServiceExt;

use crate::common::*;

async fn call(
    state: &AppState,
    req: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let resp = app(state.clone()).oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec();
    (status, headers, body)
}

fn json(path: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.into())
        .unwrap()
}

fn xml(path: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/xml")
        .body(body.into())
        .unwrap()
}

fn error_of(body: &[u8]) -> ApiErrorDetail {
    serde_json::from_slice::<ApiErrorBody>(body)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(body)))
        .error
}

/// Posts `value` as JSON to `path`.
async fn post_json(
    state: &AppState,
    path: &str,
    value: &impl serde::Serialize,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    call(state, json(path, serde_json::to_vec(value).unwrap())).await
}

/// A GET of `path` without a body.
fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

/// Sends `req`, which must be refused with `status` and `code`; the answer's
/// headers and error detail.
async fn refused(
    state: &AppState,
    req: Request<Body>,
    status: StatusCode,
    code: ResultCode,
) -> (axum::http::HeaderMap, ApiErrorDetail) {
    let (s, h, b) = call(state, req).await;
    assert_eq!(s, status);
    let e = error_of(&b);
    assert_eq!(e.code, code.code());
    (h, e)
}

async fn nonce(state: &AppState) -> Vec<u8> {
    let (status, _, body) = call(state, json("/v1/challenges", Body::empty())).await;
    assert_eq!(status, StatusCode::OK);
    serde_json::from_slice::<Challenge>(&body).unwrap().nonce.0
}

#[tokio::test]
async fn health_and_challenges() {
    let (state, _) = state(&[]);
    let (status, _, body) = call(&state, get("/v1/health")).await;
    assert_eq!(status, StatusCode::OK);
    let h: Health = serde_json::from_slice(&body).unwrap();
    assert_eq!(h.status, "ok");
    assert_eq!(h.members, h.personas + 20);
    let a = nonce(&state).await;
    let b = nonce(&state).await;
    assert_eq!(a.len(), 32);
    assert_ne!(a, b);
}

#[tokio::test]
async fn card_numbers_and_registration_over_json() {
    let (state, sink) = state(&[]);
    let engine = state.engine.clone();
    let n = nonce(&state).await;
    let req = card_request(pin_auth(&engine, "standard-adult", &n));
    let (status, _, body) = post_json(&state, "/v1/confirmations/card", &req).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let res: QualificationResponse = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        res.message_body.qualification_validity,
        Some(QualificationValidity::Valid)
    );
    // Replayed: 409 with the precise code.
    let (status, _, body) = post_json(&state, "/v1/confirmations/card", &req).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error_of(&body).code, ResultCode::ChallengeReplayed.code());

    let req = numbers_request(&engine, "job-change-done");
    let (status, _, body) = post_json(&state, "/v1/confirmations/numbers", &req).await;
    assert_eq!(status, StatusCode::OK);
    let res: QualificationResponse = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        res.message_body.qualification_validity,
        Some(QualificationValidity::InvalidNewQualificationExists)
    );

    let n = nonce(&state).await;
    let reg = RegistrationRequest {
        medical_institution_code: facility(),
        confirmation_time: None,
        card: face_auth(&engine, "pinless", &n),
    };
    let (status, _, body) = post_json(&state, "/v1/registrations", &reg).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let r: RegistrationResponse = serde_json::from_slice(&body).unwrap();
    assert_eq!(r.outcome, RegistrationOutcome::Registered);

    // One audit line per request, with transport and status.
    let lines = sink.lines();
    assert_eq!(lines.len(), 6, "{lines:#?}");
    let last: serde_json::Value = serde_json::from_str(&lines[5]).unwrap();
    assert_eq!(last["operation"], "registration");
    assert_eq!(last["transport"], "http-json");
    assert_eq!(last["http_status"], 200);
}

#[tokio::test]
async fn bad_json_gets_precise_errors_and_changes_nothing() {
    let (state, _) = state(&[]);
    let engine = state.engine.clone();
    type Case = (
        &'static str,
        Vec<u8>,
        StatusCode,
        ResultCode,
        Option<&'static str>,
    );
    let cases: Vec<Case> = vec![
        ("/v1/confirmations/numbers", b"{not json".to_vec(), StatusCode::BAD_REQUEST, ResultCode::MalformedRequest, None),
        ("/v1/confirmations/numbers", b"".to_vec(), StatusCode::BAD_REQUEST, ResultCode::MalformedRequest, None),
        (
            "/v1/confirmations/numbers",
            br#"{"medical_institution_code":"1311234567","insurer_number":"01130012"}"#.to_vec(),
            StatusCode::BAD_REQUEST,
            ResultCode::InvalidField,
            Some("insured_identification_number"),
        ),
        (
            "/v1/confirmations/card",
            br#"{"medical_institution_code":"13","card":{}}"#.to_vec(),
            StatusCode::BAD_REQUEST,
            ResultCode::InvalidField,
            Some("MedicalInstitutionCode"),
        ),
        (
            "/v1/confirmations/numbers",
            br#"{"medical_institution_code":"1311234567","insurer_number":"01130012","insured_identification_number":"1","birthdate":"1985-04-12","surprise":1}"#.to_vec(),
            StatusCode::BAD_REQUEST,
            ResultCode::InvalidField,
            Some("surprise"),
        ),
        (
            "/v1/confirmations/numbers",
            br#"{"medical_institution_code":"1311234567","insurer_number":"01130013","insured_identification_number":"1","birthdate":"1985-04-12"}"#.to_vec(),
            StatusCode::BAD_REQUEST,
            ResultCode::InvalidInsurerNumber,
            Some("insurer_number"),
        ),
        (
            "/v1/confirmations/card",
            br#"{"medical_institution_code":"1311234567","card":{"auth_certificate":"@@@","nonce":"AA==","method":"pin"}}"#.to_vec(),
            StatusCode::BAD_REQUEST,
            ResultCode::InvalidField,
            None,
        ),
    ];
    for (path, body, status, code, field) in cases {
        let (s, _, b) = call(&state, json(path, body.clone())).await;
        assert_eq!(s, status, "{}", String::from_utf8_lossy(&body));
        let e = error_of(&b);
        assert_eq!(
            e.code,
            code.code(),
            "{}: {}",
            String::from_utf8_lossy(&body),
            e.message
        );
        if let Some(f) = field {
            assert_eq!(e.field.as_deref(), Some(f), "{}", e.message);
        }
    }
    // Wrong content type.
    let req = Request::post("/v1/confirmations/numbers")
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("{}"))
        .unwrap();
    let unsupported = (
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ResultCode::UnsupportedMediaType,
    );
    // Oversized (declared and streamed).
    let big = vec![b' '; 70 * 1024];
    let too_large = (StatusCode::PAYLOAD_TOO_LARGE, ResultCode::PayloadTooLarge);
    // Unknown route and method.
    let not_found = (StatusCode::NOT_FOUND, ResultCode::NotFound);
    let not_allowed = (StatusCode::METHOD_NOT_ALLOWED, ResultCode::MethodNotAllowed);
    for (req, (status, code)) in [
        (req, unsupported),
        (json("/v1/confirmations/card", big), too_large),
        (get("/v1/nothing"), not_found),
        (get("/v1/challenges"), not_allowed),
    ] {
        refused(&state, req, status, code).await;
    }
    // Nothing changed: no registration was recorded.
    assert_eq!(engine.population().overlay_len(), 0);
}

#[tokio::test]
async fn unknown_and_forged_certificates_over_http() {
    let (state, _) = state(&[]);
    let engine = state.engine.clone();
    let n = nonce(&state).await;
    let mut req = card_request(pin_auth(&engine, "standard-adult", &n));
    let len = req.card.auth_certificate.0.len();
    req.card.auth_certificate.0[len - 2] ^= 0x40;
    let (_, e) = refused(
        &state,
        json("/v1/confirmations/card", serde_json::to_vec(&req).unwrap()),
        StatusCode::UNAUTHORIZED,
        ResultCode::CertificateForged,
    )
    .await;
    assert_eq!(e.field.as_deref(), Some("card.auth_certificate"));
    // The challenge survived the forged attempt.
    let req = card_request(pin_auth(&engine, "standard-adult", &n));
    let (s, _, _) = post_json(&state, "/v1/confirmations/card", &req).await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn xml_in_both_encodings_and_bad_xml() {
    let (state, _) = state(&[]);
    let engine = state.engine.clone();
    for enc in ["UTF-8", "Shift_JIS"] {
        let (s, h, b) = call(
            &state,
            xml(
                "/v1/xml/OQSsiquc01req",
                xml_inquiry_bytes(&engine, "kyuji-name", enc),
            ),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{enc}");
        let ct = h
            .get(header::CONTENT_TYPE)
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        assert!(ct.contains(enc), "{ct}");
        let res: QualificationResponse = onshi::xml::decode(&b).unwrap();
        let name = &res.message_body.result_list[0].name;
        assert_eq!(name.contains('●'), enc == "Shift_JIS", "{name}");
    }
    let cases: Vec<(Vec<u8>, StatusCode, ResultCode)> = vec![
        (
            b"<XmlMsg><MessageHeader>".to_vec(),
            StatusCode::BAD_REQUEST,
            ResultCode::MalformedRequest,
        ),
        (
            b"<?xml version=\"1.0\" encoding=\"EUC-JP\"?><XmlMsg/>".to_vec(),
            StatusCode::BAD_REQUEST,
            ResultCode::UnsupportedEncoding,
        ),
        (
            b"<Other/>".to_vec(),
            StatusCode::BAD_REQUEST,
            ResultCode::MalformedRequest,
        ),
        (
            String::from_utf8(xml_inquiry_bytes(&engine, "standard-adult", "UTF-8"))
                .unwrap()
                .replace("01130012", "01130013")
                .into_bytes(),
            StatusCode::BAD_REQUEST,
            ResultCode::InvalidInsurerNumber,
        ),
        (
            String::from_utf8(xml_inquiry_bytes(&engine, "standard-adult", "UTF-8"))
                .unwrap()
                .replace(
                    "<InsuredIdentificationNumber>1024",
                    &format!(
                        "<InsuredIdentificationNumber>{}",
                        engine
                            .population()
                            .person(engine.population().index_of_id("standard-adult").unwrap())
                            .unwrap()
                            .person
                            .my_number
                    ),
                )
                .into_bytes(),
            StatusCode::FORBIDDEN,
            ResultCode::MyNumberRefused,
        ),
        (
            vec![b'<'; 2 << 20],
            StatusCode::PAYLOAD_TOO_LARGE,
            ResultCode::PayloadTooLarge,
        ),
    ];
    for (body, status, code) in cases {
        let (s, _, b) = call(&state, xml("/v1/xml/OQSsiquc01req", body)).await;
        assert_eq!(s, status, "{code}");
        let res: QualificationResponse = onshi::xml::decode(&b).unwrap();
        assert_eq!(
            res.message_header.segment_of_result,
            SegmentOfResult::Abnormal
        );
        assert_eq!(res.message_header.error_code.as_deref(), Some(code.code()));
    }
}

#[tokio::test]
async fn bulk_over_xml() {
    let (state, _) = state(&[]);
    let engine = state.engine.clone();
    let single = String::from_utf8(xml_inquiry_bytes(&engine, "standard-adult", "UTF-8")).unwrap();
    let body = single.replace(
        "<QualificationConfirmSearchInfo>",
        "<QualificationConfirmSearchInfo><MedicalTreatmentMonth>202611</MedicalTreatmentMonth>",
    );
    let (s, _, b) = call(&state, xml("/v1/xml/OQSmuquc01req", body)).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
    let ack: BulkUploadAck = onshi::xml::decode(&b).unwrap();
    let down = format!(
        "<XmlMsg><MessageHeader><MedicalInstitutionCode>{FACILITY}</MedicalInstitutionCode></MessageHeader>\
         <MessageBody><ReceptionNumber>{}</ReceptionNumber></MessageBody></XmlMsg>",
        ack.reception_number
    );
    let (s, _, b) = call(&state, xml("/v1/xml/OQSmuquc02req", down)).await;
    assert_eq!(s, StatusCode::OK);
    let res: BulkQualificationResponse = onshi::xml::decode(&b).unwrap();
    assert_eq!(res.bulk_confirm_unit.len(), 1);
    assert_eq!(
        res.bulk_confirm_unit[0].qualification_validity,
        Some(QualificationValidity::Valid)
    );
    let unknown = format!(
        "<XmlMsg><MessageHeader><MedicalInstitutionCode>{FACILITY}</MedicalInstitutionCode></MessageHeader>\
         <MessageBody><ReceptionNumber>nope</ReceptionNumber></MessageBody></XmlMsg>"
    );
    let (s, _, b) = call(&state, xml("/v1/xml/OQSmuquc02req", unknown)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let res: BulkQualificationResponse = onshi::xml::decode(&b).unwrap();
    assert_eq!(
        res.message_header.error_code.as_deref(),
        Some(ResultCode::BulkUnknownReception.code())
    );
}

fn with_faults(settings: &[&str]) -> AppState {
    let (mut state, _) = state(&[]);
    let mut c = FaultConfig::default();
    for s in settings {
        c.apply(s).unwrap();
    }
    state.faults = std::sync::Arc::new(FaultInjector::new(c));
    state
}

#[tokio::test]
async fn injected_faults() {
    let state = with_faults(&["error-rate=1"]);
    refused(
        &state,
        json("/v1/challenges", Body::empty()),
        StatusCode::INTERNAL_SERVER_ERROR,
        ResultCode::InjectedError,
    )
    .await;
    // Health is exempt.
    let (s, _, _) = call(&state, get("/v1/health")).await;
    assert_eq!(s, StatusCode::OK);

    let state = with_faults(&["burst=1:1"]);
    let (s, _, _) = call(&state, json("/v1/challenges", Body::empty())).await;
    assert_eq!(s, StatusCode::OK);
    let (h, _) = refused(
        &state,
        json("/v1/challenges", Body::empty()),
        StatusCode::SERVICE_UNAVAILABLE,
        ResultCode::Unavailable,
    )
    .await;
    assert_eq!(h.get(header::RETRY_AFTER).unwrap(), "1");

    let state = with_faults(&["outage=2026-11-30T08:00..2026-11-30T10:00"]);
    let (s, _, _) = call(&state, get("/v1/health")).await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE);

    let state = with_faults(&["latency=fixed:30"]);
    let started = std::time::Instant::now();
    let (s, _, _) = call(&state, json("/v1/challenges", Body::empty())).await;
    assert_eq!(s, StatusCode::OK);
    assert!(started.elapsed() >= std::time::Duration::from_millis(30));
}

#[tokio::test]
async fn card_confirmations_drop_a_face_result_file_when_asked() {
    let (mut state, _) = state(&[]);
    let dir = tempfile::tempdir().unwrap();
    state.face_results = Some(dir.path().to_owned());
    let engine = state.engine.clone();
    let n = nonce(&state).await;
    let req = card_request(face_auth(&engine, "kyuji-name", &n));
    let (status, _, _) = post_json(&state, "/v1/confirmations/card", &req).await;
    assert_eq!(status, StatusCode::OK);
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = &files[0];
    assert!(
        matches!(
            onshi::xml::OqsFileName::parse(name),
            Ok(onshi::xml::OqsFileName::FaceResult { .. })
        ),
        "{name}"
    );
    let res: QualificationResponse =
        onshi::xml::decode(&std::fs::read(dir.path().join(name)).unwrap()).unwrap();
    assert!(res.message_body.result_list[0].name.contains('●'));
}

/// A My Number sent where it does not belong is refused, and neither the answer nor the
/// audit log carries it back: in `arbitrary_file_identifier` (JSON and XML), and in a
/// field that fails to parse.
#[tokio::test]
async fn a_my_number_is_never_echoed_or_logged() {
    let (state, sink) = state(&[]);
    let engine = state.engine.clone();
    let my_number = onshi::persona::my_number::synthetic(7, "privacy-test");
    assert!(onshi::persona::my_number::is_valid(&my_number));

    // In the free file identifier of a numbers confirmation: refused, ONS-E007.
    let mut req = numbers_request(&engine, "standard-adult");
    req.arbitrary_file_identifier = Some(my_number.clone());
    let (status, _, body) = post_json(&state, "/v1/confirmations/numbers", &req).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error_of(&body).code, ResultCode::MyNumberRefused.code());
    assert!(!String::from_utf8_lossy(&body).contains(&my_number));

    // In a field that does not parse: the error names the field, not the value.
    let bad = format!(
        r#"{{"medical_institution_code":"1311234567","insurer_number":"01130012","insured_identification_number":"1","birthdate":{my_number}}}"#
    );
    let (status, _, body) = call(&state, json("/v1/confirmations/numbers", bad)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        !String::from_utf8_lossy(&body).contains(&my_number),
        "{}",
        String::from_utf8_lossy(&body)
    );

    // In the XML face's ArbitraryFileIdentifier: refused, and the error answer does not
    // echo it.
    let xml_body =
        String::from_utf8(xml_inquiry_bytes(&engine, "standard-adult", "UTF-8")).unwrap();
    let start = xml_body
        .find("<ArbitraryFileIdentifier>")
        .expect("the inquiry has one");
    let end = xml_body.find("</ArbitraryFileIdentifier>").unwrap();
    let xml_body = format!(
        "{}<ArbitraryFileIdentifier>{my_number}{}",
        &xml_body[..start],
        &xml_body[end..]
    );
    let (_, _, body) = call(&state, xml("/v1/xml/OQSsiquc01req", xml_body)).await;
    let text = String::from_utf8_lossy(&body);
    assert!(text.contains(ResultCode::MyNumberRefused.code()), "{text}");
    assert!(!text.contains(&my_number), "{text}");

    // Nothing of it reached the audit log.
    let log = sink.lines().join("\n");
    assert!(!log.is_empty());
    assert!(!log.contains(&my_number), "{log}");
}
