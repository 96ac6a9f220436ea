//! The `QualificationBackend` adapters: embedded, and http-json / xml-http over a real
//! loopback socket.

use std::sync::Arc;

use onshi::backend::{
    AnyBackend, BackendError, BackendSpec, HttpJsonBackend, QualificationBackend, XmlHttpBackend,
};
use onshi::codes::QualificationValidity;
use onshi::message::{
    BulkDownloadRequest, BulkQualificationRequest, BulkSearchInfo, RequestHeader,
};
use onshi::protocol::wire::*;
use onshi::protocol::{ResultCode, ServerClock};
use onshi::server::faults::FaultConfig;
use onshi::server::listener::FaultyListener;
use onshi::server::{FaultInjector, app};

use crate::common::*;

/// The flow every card-capable backend must support.
async fn card_flow<B: QualificationBackend>(backend: &B, engine: &onshi::server::Engine) {
    let c = backend.challenge().await.unwrap();
    let res = backend
        .confirm_card(&card_request(pin_auth(
            engine,
            "standard-adult",
            &c.nonce.0,
        )))
        .await
        .unwrap();
    assert_eq!(
        res.message_body.qualification_validity,
        Some(QualificationValidity::Valid)
    );
    let c = backend.challenge().await.unwrap();
    let res = backend
        .confirm_card(&card_request(face_auth(engine, "pin-locked", &c.nonce.0)))
        .await
        .unwrap();
    assert_eq!(
        res.message_body.qualification_validity,
        Some(QualificationValidity::Valid)
    );
    // A refused request is an error with the backend's code.
    let err = backend
        .confirm_card(&card_request(pin_auth(engine, "standard-adult", &[9; 32])))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ResultCode::ChallengeUnknown), "{err}");
    // A refusal for the person is a normal answer with status 2.
    let c = backend.challenge().await.unwrap();
    let res = backend
        .confirm_card(&card_request(pin_auth(engine, "unregistered", &c.nonce.0)))
        .await
        .unwrap();
    assert_eq!(
        res.message_body.processing_result_code.as_deref(),
        Some(ResultCode::RegistrationMissing.code())
    );
    let c = backend.challenge().await.unwrap();
    let reg = backend
        .register(&RegistrationRequest {
            medical_institution_code: facility(),
            confirmation_time: None,
            card: pin_auth(engine, "unregistered", &c.nonce.0),
        })
        .await
        .unwrap();
    assert_eq!(reg.outcome, RegistrationOutcome::Registered);
}

/// Numbers and bulk, which every backend supports.
async fn numbers_flow<B: QualificationBackend>(backend: &B, engine: &onshi::server::Engine) {
    let res = backend
        .confirm_numbers(&numbers_request(engine, "job-change-in-progress"))
        .await
        .unwrap();
    assert_eq!(
        res.message_body.qualification_validity,
        Some(QualificationValidity::Invalid)
    );
    let mut bad = numbers_request(engine, "standard-adult");
    bad.insured_identification_number = engine
        .population()
        .person(engine.population().index_of_id("standard-adult").unwrap())
        .unwrap()
        .person
        .my_number
        .clone();
    let err = backend.confirm_numbers(&bad).await.unwrap_err();
    assert_eq!(err.code(), Some(ResultCode::MyNumberRefused), "{err}");

    let n = numbers_request(engine, "standard-adult");
    let bulk = BulkQualificationRequest {
        message_header: RequestHeader {
            qualification_confirmation_date: engine.population().as_of().date(),
            medical_institution_code: facility(),
            arbitrary_file_identifier: "B1".into(),
        },
        qualification_confirm_search_info: vec![BulkSearchInfo {
            search_info: onshi::message::QualificationConfirmSearchInfo {
                insurer_number: onshi::codes::InsurerNumber::parse(&n.insurer_number).unwrap(),
                insured_card_symbol: n.insured_card_symbol.clone(),
                insured_identification_number: n.insured_identification_number.clone(),
                insured_branch_number: n.insured_branch_number.clone(),
                birthdate: n.birthdate,
                limit_application_certificate_related_cons_flg: None,
                arbitrary_identifier: None,
            },
            medical_treatment_month: None,
            medical_treatment_flag: None,
        }],
    };
    let ack = backend.bulk_upload(&bulk).await.unwrap();
    let res = backend
        .bulk_download(&BulkDownloadRequest {
            medical_institution_code: facility(),
            arbitrary_file_identifier: None,
            reception_number: ack.reception_number,
        })
        .await
        .unwrap();
    assert_eq!(res.bulk_confirm_unit.len(), 1);
    let err = backend
        .bulk_download(&BulkDownloadRequest {
            medical_institution_code: facility(),
            arbitrary_file_identifier: None,
            reception_number: "none".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ResultCode::BulkUnknownReception), "{err}");
}

#[tokio::test]
async fn embedded_adapter() {
    let engine = engine(&[]);
    let clock = ServerClock::start(engine.population().as_of());
    let backend = AnyBackend::from_spec(&BackendSpec::Embedded, clock, || Arc::clone(&engine));
    assert!(matches!(backend, AnyBackend::Embedded(_)));
    assert!(backend.capabilities().card);
    assert_eq!(backend.health().await.unwrap().status, "ok");
    card_flow(&backend, &engine).await;
    numbers_flow(&backend, &engine).await;
}

async fn serve(
    faults: FaultConfig,
) -> (
    std::net::SocketAddr,
    Arc<onshi::server::Engine>,
    tokio::task::JoinHandle<()>,
) {
    let (mut state, _) = state(&[]);
    state.faults = Arc::new(FaultInjector::new(faults.clone()));
    let engine = Arc::clone(&state.engine);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let listener = FaultyListener::new(listener, Arc::new(FaultInjector::new(faults)));
    let task = tokio::spawn(async move {
        axum::serve(listener, app(state)).await.unwrap();
    });
    (addr, engine, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_json_and_xml_http_over_a_loopback_socket() {
    let (addr, engine, task) = serve(FaultConfig::default()).await;
    let spec: BackendSpec = format!("http://{addr}").parse().unwrap();
    assert_eq!(spec, BackendSpec::HttpJson(format!("http://{addr}")));
    let json = AnyBackend::HttpJson(HttpJsonBackend::new(format!("http://{addr}")));
    let health = json.health().await.unwrap();
    assert_eq!(health.seed, onshi::defaults::DEFAULT_SEED);
    card_flow(&json, &engine).await;
    numbers_flow(&json, &engine).await;

    let clock = ServerClock::start(engine.population().as_of());
    let xml = AnyBackend::XmlHttp(XmlHttpBackend::new(format!("http://{addr}"), clock));
    assert!(!xml.capabilities().card);
    numbers_flow(&xml, &engine).await;
    let err = xml.challenge().await.unwrap_err();
    assert!(matches!(err, BackendError::Unsupported { .. }), "{err}");
    task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_and_reset_connections_are_reported_as_such() {
    // Nothing listens here.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let err = HttpJsonBackend::new(format!("http://{addr}"))
        .health()
        .await
        .unwrap_err();
    assert!(err.is_unreachable(), "{err}");
    // Every connection reset at accept.
    let mut faults = FaultConfig::default();
    faults.apply("reset-rate=1").unwrap();
    let (addr, _, task) = serve(faults).await;
    let err = HttpJsonBackend::new(format!("http://{addr}"))
        .challenge()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            BackendError::Unreachable(_) | BackendError::Protocol(_)
        ),
        "{err}"
    );
    task.abort();
}
