//! The conformance suite proves itself: the clean run against the reference backend
//! passes every scenario and covers every behaviour and rule, and every defect of the
//! reference backend makes the run fail in the scenarios that target it.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

#[path = "support/clinic_targets.rs"]
mod clinic_targets;
use clinic_targets::CLINIC_TARGETS;

#[path = "support/serve.rs"]
mod serve;
#[path = "support/suite_run.rs"]
mod suite_run;
use serve::Serve;
use suite_run::{failed_requirements, failures, run, tags_of};

#[test]
fn clean_run_passes_and_covers_every_requirement() {
    let dir = tempfile::tempdir().unwrap();
    let (code, s) = run(&[], dir.path());
    let t = &s["totals"];
    assert_eq!(code, 0, "totals {t}");
    assert_eq!(t["failed"], 0);
    assert_eq!(t["skipped"], 0);
    assert_eq!(t["critical"], 0);
    assert_eq!(
        t["requirements_covered"], t["requirements_executable"],
        "every behaviour and rule covered"
    );
    assert!(t["passed"].as_u64().unwrap() >= 80, "{t}");
    assert_eq!(s["run"]["complete"], true);
    for f in ["summary.json", "junit.xml", "summary.md", "report.html"] {
        let root = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.is_dir())
            .unwrap();
        assert!(root.join(f).exists(), "{f}");
    }
}

/// defect → the requirements whose scenarios must catch it.
const TARGETS: &[(&str, &[&str])] = &[
    (
        "wrong-person",
        &["FAQ-4-17", "DOM-OUTAGE-RECOVERY", "DOM-VALIDITY-MULTIPLE"],
    ),
    ("missing-ratio", &["FAQ-4-8"]),
    ("wrong-ratio", &["TRN-NO10", "FAQ-4-8"]),
    ("ignore-lockout", &["FAQ-4-11", "SEC-PIN-LOCKED"]),
    ("leak-medical-without-consent", &["FAQ-4-1"]),
    ("accept-my-number", &["FAQ-4-20"]),
    ("no-reject-revoked", &["FAQ-4-19", "SEC-CERT-REVOKED"]),
    ("replay-accepted", &["FAQ-4-17", "SEC-CHALLENGE-REPLAY"]),
    ("accept-any-signature", &["SEC-PIN-SIGNATURE"]),
    ("accept-unknown-issuer", &["SEC-CERT-ISSUER"]),
    ("skip-certificate-signature", &["SEC-CERT-SIGNATURE"]),
    ("accept-expired-certificate", &["SEC-CERT-EXPIRED"]),
    ("accept-unknown-reader", &["SEC-READER-CHAIN"]),
    ("ignore-reader-facility", &["SEC-READER-FACILITY"]),
    ("accept-expired-reader", &["SEC-READER-EXPIRED"]),
    ("accept-any-attestation", &["SEC-ATTESTATION"]),
    ("challenge-any-facility", &["SEC-CHALLENGE-FACILITY"]),
    ("accept-expired-challenge", &["SEC-CHALLENGE-EXPIRED"]),
    (
        "picks-one-of-several",
        &["DOM-VALIDITY-MULTIPLE", "TRN-NO10"],
    ),
    (
        "ignores-ticket-registration",
        &["DOM-VALIDITY-UNREGISTERED"],
    ),
];

/// The requirement catalogue's "judged on" column and the defect matrices say the
/// same thing, both ways: every (requirement, system) pair the report claims has a
/// defect of that system whose run fails the requirement (the matrices below are each
/// checked by running every defect), and no proven pair is left unclaimed.
#[test]
fn every_claimed_requirement_and_system_has_a_defect_that_breaks_it() {
    use onshi::rules::catalogue::System;
    let table = |s: System| -> &'static [(&'static str, &'static [&'static str])] {
        match s {
            System::Backend => TARGETS,
            System::Reader => READER_TARGETS,
            System::Clinic => CLINIC_TARGETS,
            System::Card => &[],
        }
    };
    for r in onshi::rules::CATALOGUE {
        for &s in r.judged_by() {
            assert!(
                table(s).iter().any(|(_, ids)| ids.contains(&r.id.code())),
                "{} claims to be judged on the {} but no {} defect fails it",
                r.id.code(),
                s.name(),
                s.name()
            );
        }
    }
    for s in System::ALL {
        for (defect, ids) in table(s) {
            for id in *ids {
                let r = onshi::rules::CATALOGUE
                    .iter()
                    .find(|r| r.id.code() == *id)
                    .unwrap_or_else(|| panic!("{defect}: {id} is not in the catalogue"));
                assert!(
                    r.judged_by().contains(&s),
                    "the {} defect {defect} fails {id}, but the catalogue does not say {id} is judged on the {}",
                    s.name(),
                    s.name()
                );
            }
        }
    }
}

/// Every defect of the reference backend is in the matrix: a check it removes is one
/// some scenario catches.
#[test]
fn the_defect_matrix_covers_every_defect() {
    for d in onshi::server::Defect::ALL {
        let row = TARGETS.iter().find(|(name, _)| *name == d.name());
        assert!(row.is_some(), "{} is not in the defect matrix", d.name());
        for id in d.caught_by() {
            assert!(
                row.is_some_and(|(_, ids)| ids.contains(id)) || !id.starts_with("SEC-"),
                "{}: {id} not targeted",
                d.name()
            );
        }
    }
}

#[test]
fn every_defect_fails_the_scenarios_that_target_it() {
    let matrix: BTreeMap<String, BTreeSet<String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = TARGETS
            .chunks(TARGETS.len().div_ceil(2))
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|(defect, _)| {
                            let dir = tempfile::tempdir().unwrap();
                            let (code, s) = run(&["--defect", defect], dir.path());
                            assert_eq!(code, 1, "--defect {defect} must fail the run");
                            (defect.to_string(), failed_requirements(&s))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    for (defect, targets) in TARGETS {
        let failed = &matrix[*defect];
        for t in *targets {
            assert!(
                failed.contains(*t),
                "--defect {defect}: {t} did not fail (failed: {failed:?})"
            );
        }
    }
    // The whole matrix, so a change in what each defect breaks is reviewed.
    insta::assert_json_snapshot!("defect_matrix", matrix);
}

/// A person per scenario: the suite passes against one separately started backend
/// run after run (on-the-spot registrations persist there), at `--concurrency 1` and
/// shuffled at the default concurrency; once every generation of a registering scenario's person is
/// registered, those scenarios fail and say why, and no other scenario does.
#[test]
fn a_separately_started_backend_passes_run_after_run() {
    let serve = Serve::start(&["--generations", "2", "--challenge-ttl", "8"]);
    let backend = ["--backend", serve.url.as_str(), "--generations", "2"];
    for (i, extra) in [&["--concurrency", "1"][..], &["--shuffle", "7"][..]]
        .iter()
        .enumerate()
    {
        let dir = tempfile::tempdir().unwrap();
        let (code, s) = run(&[&backend[..], extra].concat(), dir.path());
        assert_eq!(code, 0, "run {}: {:#?}", i + 1, failures(&s));
        assert_eq!(s["totals"]["skipped"], 0);
    }
    let dir = tempfile::tempdir().unwrap();
    let (code, s) = run(&backend, dir.path());
    let failed = failures(&s);
    assert_eq!(code, 1, "{failed:#?}");
    assert!(!failed.is_empty());
    for f in &failed {
        assert!(f.contains("earlier runs registered them all"), "{f}");
    }
}

/// `--as-of` means what it says: a scenario about a date keeps its date and its
/// persons are placed relative to it, so the suite passes on any as-of — against the
/// embedded reference backend at every date the rules turn on, and against a separately
/// started one at the earliest.
#[test]
fn the_suite_passes_at_every_as_of() {
    const DATES: &[&str] = &[
        "2024-11-30",
        "2024-12-02",
        "2025-12-01",
        "2025-12-02",
        "2026-03-31",
        "2026-04-01",
        "2026-11-21",
        "2026-12-04",
    ];
    std::thread::scope(|scope| {
        for chunk in DATES.chunks(DATES.len().div_ceil(2)) {
            scope.spawn(move || {
                for date in chunk {
                    let dir = tempfile::tempdir().unwrap();
                    let (code, s) = run(&["--as-of", date], dir.path());
                    assert_eq!(code, 0, "--as-of {date}: {:#?}", failures(&s));
                    assert_eq!(s["totals"]["skipped"], 0, "--as-of {date}");
                }
            });
        }
    });
    let serve = Serve::start(&[
        "--as-of",
        "2024-11-30",
        "--generations",
        "1",
        "--challenge-ttl",
        "8",
    ]);
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "--backend",
        serve.url.as_str(),
        "--as-of",
        "2024-11-30",
        "--generations",
        "1",
    ];
    let (code, s) = run(&args, dir.path());
    assert_eq!(
        code,
        0,
        "against serve --as-of 2024-11-30: {:#?}",
        failures(&s)
    );
}

/// A backend whose answers are malformed: the health check and challenges are fine,
/// a card confirmation is JSON of the wrong shape, a numbers confirmation is not JSON,
/// anything else is 100,000 open brackets. Runs on its own thread until the test ends.
fn malformed_backend() -> String {
    use axum::Router;
    use axum::routing::{get, post};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let health = r#"{"status":"ok","as_of":"2026-11-30T09:00:00","now":"2026-11-30T09:00:01","members":10,"personas":1,"defects":[],"version":"x","seed":1}"#;
            let nonce = r#"{"nonce":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=","expires_in_seconds":1}"#;
            let wrong_shape = r#"{"message_header":{"segment_of_result":"1"},"message_body":{"processing_result_status":"7","result_list":[{"name":5}]}}"#;
            let app = Router::new()
                .route("/v1/health", get(move || async move { health }))
                .route("/v1/challenges", post(move || async move { nonce }))
                .route("/v1/confirmations/card", post(move || async move { wrong_shape }))
                .route("/v1/confirmations/numbers", post(|| async { "not json" }))
                .fallback(|| async { "[".repeat(100_000) });
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    format!("http://{addr}")
}

/// Bad input from a vendor backend keeps its contract: a malformed answer is a failed
/// check with the evidence in the report (exit 1), never a panic.
#[test]
fn a_malformed_backend_fails_checks_and_never_panics() {
    let url = malformed_backend();
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_onshi"))
        .args(["run", "--backend", &url, "--tags", "@認証 or @認証の安全性"])
        .arg("--report-dir")
        .arg(dir.path())
        .env("ONSHI_LOG", "error")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked at"), "{stderr}");
    let again = tempfile::tempdir().unwrap();
    let (_, s) = run(
        &["--backend", &url, "--tags", "@認証の安全性"],
        again.path(),
    );
    let failed = failures(&s);
    assert!(!failed.is_empty());
    assert!(
        failed.iter().all(|f| f.contains("protocol error")),
        "{failed:#?}"
    );
}

/// A reader under test whose `GET /v1/reader` is fine but whose visits answer 200 with
/// JSON of the wrong shape. Runs on its own thread until the test ends.
fn malformed_reader() -> String {
    use axum::Router;
    use axum::routing::{get, post};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let info = r#"{"vendor":"v","model":"m","version":"1"}"#;
            let wrong = r#"{"outcome":{"result":"backend-unavailable"}}"#;
            let app = Router::new()
                .route("/v1/reader", get(move || async move { info }))
                .route("/v1/visits", post(move || async move { wrong }));
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    format!("http://{addr}")
}

/// A reader that does not answer as the API says is never taken for a backend that is
/// down: even the scenarios whose backend is unreachable (where 'no result' is the
/// expected outcome) fail, with the check `reader-answered`.
#[test]
fn a_reader_that_answers_garbage_fails_every_card_visit() {
    let url = malformed_reader();
    let dir = tempfile::tempdir().unwrap();
    let (code, s) = run(
        // Nothing listens on port 1: the card is never taken, which is the point.
        &[
            "--reader",
            &url,
            "--vpcd",
            "127.0.0.1:1",
            "--tags",
            "@TRN-NO10",
        ],
        dir.path(),
    );
    assert_eq!(code, 1);
    let failed = failures(&s);
    assert!(!failed.is_empty());
    assert!(
        failed.iter().all(|f| f.contains("reader-answered")),
        "{failed:#?}"
    );
    let unreachable_backend = s["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|sc| sc["name"] == "資格確認システムが応答しないときも10割負担にならない")
        .expect("the scenario with an unreachable backend ran");
    assert_eq!(
        unreachable_backend["status"], "failed",
        "{unreachable_backend}"
    );
}

/// The XML and folder faces carry numbers only: against one separately started
/// `onshi serve`, run after run, the scenarios they carry pass and every other is
/// skipped with the reason — never failed.
#[test]
fn the_xml_and_folder_faces_pass_what_they_carry() {
    let folder = tempfile::tempdir().unwrap();
    let folder_arg = folder.path().display().to_string();
    let serve = Serve::start(&["--folder", &folder_arg, "--folder-poll-ms", "10"]);
    let xml = format!("xml+{}", serve.url);
    let folder_spec = format!("folder:{folder_arg}");
    for backend in [xml.as_str(), xml.as_str(), folder_spec.as_str()] {
        let dir = tempfile::tempdir().unwrap();
        let (code, s) = run(&["--backend", backend], dir.path());
        let t = &s["totals"];
        assert_eq!(code, 0, "{backend}: {t} {:#?}", failures(&s));
        // The document visits run too: the backend answers the numbers, the clinic
        // judges the document (40 scenarios at the time of writing).
        assert!(t["passed"].as_u64().unwrap() >= 30, "{backend}: {t}");
        assert!(t["skipped"].as_u64().unwrap() > 0, "{backend}: {t}");
        for f in failures(&s) {
            assert!(f.contains("carries no"), "{backend}: {f}");
        }
    }
}

/// What each reader defect must break: the requirement whose check the defective
/// reader's own output (its APDUs, its requests, its report) fails.
const READER_TARGETS: &[(&str, &[&str])] = &[
    ("tries-my-number", &["FAQ-4-9"]),
    ("lenient-face", &["SEC-FACE-THRESHOLD"]),
    ("pin-after-lock", &["FAQ-4-11"]),
    ("skips-consent", &["FAQ-4-1"]),
    ("no-registration-offer", &["OKA-FACEONLY", "KQ-1"]),
    ("keeps-photo", &["FLY-PHOTO"]),
];

/// Reader certification proves its checks can fail: every reader defect fails the run
/// and the requirement it breaks; merely reaching for the My Number (refused by the
/// card) is a critical failure.
#[test]
fn every_reader_defect_fails_its_requirement() {
    for d in onshi::reader::ReaderDefect::ALL {
        assert!(
            READER_TARGETS.iter().any(|(n, _)| *n == d.name()),
            "{d} is not in READER_TARGETS"
        );
    }
    for (defect, targets) in READER_TARGETS {
        let dir = tempfile::tempdir().unwrap();
        // Only the scenarios of the requirements the defect must break (the clean run
        // covers the rest).
        let tags = tags_of(targets);
        let (code, s) = run(&["--reader-defect", defect, "--tags", &tags], dir.path());
        assert_eq!(code, 1, "--reader-defect {defect} must fail the run");
        let failed = failed_requirements(&s);
        for t in *targets {
            assert!(
                failed.contains(*t),
                "--reader-defect {defect}: {t} did not fail (failed: {failed:?})"
            );
        }
        if *defect == "tries-my-number" {
            assert!(s["totals"]["critical"].as_u64().unwrap() > 0);
            assert!(
                s.to_string().contains("reached for the My Number"),
                "the verdict says what happened"
            );
        }
    }
}
