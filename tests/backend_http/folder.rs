//! The req/res folder exchange with real files: the server polling a directory, the
//! folder adapter writing requests and reading answers.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use onshi::backend::{FolderBackend, QualificationBackend};
use onshi::codes::{QualificationValidity, SegmentOfResult};
use onshi::message::QualificationResponse;
use onshi::protocol::{ResultCode, ServerClock};
use onshi::server::FaultInjector;
use onshi::server::audit::MemorySink;
use onshi::server::folder::FolderServer;

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn folder_exchange_with_real_files() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&[]);
    let clock = ServerClock::start(engine.population().as_of());
    let sink = MemorySink::default();
    let server = FolderServer::new(
        Arc::clone(&engine),
        clock,
        sink.log(),
        Arc::new(FaultInjector::quiet()),
        dir.path().to_owned(),
        Duration::from_millis(10),
    );
    server.prepare().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let thread = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || server.run(&stop))
    };

    // Through the adapter (Shift_JIS requests).
    let client = FolderBackend::new(dir.path(), clock).with_timeout(Duration::from_secs(10));
    let res = client
        .confirm_numbers(&numbers_request(&engine, "kyuji-name"))
        .await
        .unwrap();
    assert_eq!(
        res.message_body.qualification_validity,
        Some(QualificationValidity::Valid)
    );
    assert!(res.message_body.result_list[0].name.contains('●'));
    assert!(client.challenge().await.is_err());

    // A file dropped by hand, and a broken one: both answered under the mirror name.
    let req_dir = dir.path().join("req");
    let res_dir = dir.path().join("res");
    std::fs::write(
        req_dir.join("OQSsiquc01req_202611300001.xml"),
        xml_inquiry_bytes(&engine, "standard-adult", "UTF-8"),
    )
    .unwrap();
    std::fs::write(
        req_dir.join("OQSsiquc01req_202611300002.xml"),
        b"<XmlMsg><broken",
    )
    .unwrap();
    std::fs::write(req_dir.join("notes.txt"), b"hello").unwrap();
    let wait = |name: &str| {
        let path = res_dir.join(name);
        for _ in 0..500 {
            if let Ok(b) = std::fs::read(&path) {
                return b;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("no {name}");
    };
    let ok: QualificationResponse =
        onshi::xml::decode(&wait("OQSsiquc01res_202611300001.xml")).unwrap();
    assert_eq!(
        ok.message_body.qualification_validity,
        Some(QualificationValidity::Valid)
    );
    let bad: QualificationResponse =
        onshi::xml::decode(&wait("OQSsiquc01res_202611300002.xml")).unwrap();
    assert_eq!(
        bad.message_header.segment_of_result,
        SegmentOfResult::Abnormal
    );
    assert_eq!(
        bad.message_header.error_code.as_deref(),
        Some(ResultCode::MalformedRequest.code())
    );
    for _ in 0..500 {
        if req_dir.join("rejected/notes.txt.reason.txt").exists() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(req_dir.join("rejected/notes.txt").exists());
    // Requests are removed once answered; no temporary files are left behind.
    assert!(!req_dir.join("OQSsiquc01req_202611300001.xml").exists());
    let leftovers: Vec<_> = std::fs::read_dir(&res_dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty());
    stop.store(true, Ordering::Relaxed);
    thread.join().unwrap().unwrap();
    assert!(
        sink.lines()
            .iter()
            .any(|l| l.contains("\"transport\":\"folder\""))
    );
}
