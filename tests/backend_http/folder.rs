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

type Polling = std::thread::JoinHandle<std::io::Result<()>>;

/// A folder server over `dir`, polling every 10 ms on its own thread until the flag is
/// set.
fn start(
    dir: &std::path::Path,
    engine: &Arc<onshi::server::Engine>,
    clock: ServerClock,
    sink: &MemorySink,
) -> (Arc<AtomicBool>, Polling) {
    let server = FolderServer::new(
        Arc::clone(engine),
        clock,
        sink.log(),
        Arc::new(FaultInjector::quiet()),
        dir.to_owned(),
        Duration::from_millis(10),
    );
    server.prepare().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    (stop, std::thread::spawn(move || server.run(&flag)))
}

/// Waits up to 5 s for `path` to appear.
fn wait_for(path: &std::path::Path) {
    for _ in 0..500 {
        if path.exists() {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn folder_exchange_with_real_files() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&[]);
    let clock = ServerClock::start(engine.population().as_of());
    let sink = MemorySink::default();
    let (stop, thread) = start(dir.path(), &engine, clock, &sink);

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
    wait_for(&req_dir.join("rejected/notes.txt.reason.txt"));
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

/// Bounds of the folder: a writer that pauses mid-request is waited for (the request is
/// answered once complete, not lost), and a request over the size limit is moved aside
/// unread.
#[test]
fn a_paused_writer_is_waited_for_and_an_oversized_request_is_set_aside() {
    use onshi::server::folder::{MAX_REQUEST_BYTES, SETTLE};
    use std::io::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&[]);
    let clock = ServerClock::start(engine.population().as_of());
    let (stop, thread) = start(dir.path(), &engine, clock, &MemorySink::default());
    let req_dir = dir.path().join("req");
    let res_dir = dir.path().join("res");

    // Half a request, a pause of many polls (but under SETTLE), then the rest.
    let body = xml_inquiry_bytes(&engine, "standard-adult", "UTF-8");
    let name = "OQSsiquc01req_202611300003.xml";
    let mut f = std::fs::File::create(req_dir.join(name)).unwrap();
    f.write_all(&body[..body.len() / 2]).unwrap();
    f.flush().unwrap();
    std::thread::sleep(SETTLE / 2);
    assert!(
        req_dir.join(name).exists(),
        "a half-written request was taken"
    );
    f.write_all(&body[body.len() / 2..]).unwrap();
    drop(f);
    let answer = res_dir.join("OQSsiquc01res_202611300003.xml");
    wait_for(&answer);
    let ok: QualificationResponse = onshi::xml::decode(&std::fs::read(&answer).unwrap()).unwrap();
    assert_eq!(
        ok.message_body.qualification_validity,
        Some(QualificationValidity::Valid)
    );

    // Over the limit: set aside without being read (a sparse file, nothing to read).
    let big = "OQSsiquc01req_202611300004.xml";
    std::fs::File::create(req_dir.join(big))
        .unwrap()
        .set_len(MAX_REQUEST_BYTES + 1)
        .unwrap();
    let reason = req_dir.join(format!("rejected/{big}.reason.txt"));
    wait_for(&reason);
    assert!(
        std::fs::read_to_string(&reason)
            .unwrap()
            .contains("larger than")
    );
    assert!(!res_dir.join("OQSsiquc01res_202611300004.xml").exists());
    stop.store(true, Ordering::Relaxed);
    thread.join().unwrap().unwrap();
}
