//! The clinic as a system under test: `onshi clinic serve` (the reference clinic behind
//! the clinic-control API) started as its own process passes the whole suite run after
//! run; each of its defects fails the requirements it breaks; a clinic that answers
//! garbage fails the visits, and one that cannot be reached stops the run (exit 3).
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

#[path = "support/clinic_targets.rs"]
mod clinic_targets;
#[path = "support/suite_run.rs"]
mod suite_run;
use clinic_targets::CLINIC_TARGETS;
use suite_run::{failed_requirements, failures, run, tags_of};

/// `onshi clinic serve` on a free loopback port, killed (by its pid) when dropped.
struct ClinicServe {
    child: Child,
    url: String,
}

impl ClinicServe {
    fn start(extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_onshi"))
            .env("ONSHI_LOG", "warn")
            .args(["clinic", "serve", "--listen", "127.0.0.1:0"])
            .args(extra)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("onshi clinic serve starts");
        let stderr = child.stderr.take().unwrap();
        let mut lines = BufReader::new(stderr).lines();
        let url = loop {
            let line = lines
                .next()
                .expect("onshi clinic serve prints its address")
                .unwrap();
            if let Some(rest) = line.strip_prefix("clinic-control API on ") {
                break rest.trim().to_owned();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        Self { child, url }
    }

    fn stop_with(&mut self, signal: i32) -> Option<i32> {
        // SAFETY: kill(2) on our own child's pid has no memory-safety preconditions.
        unsafe {
            libc::kill(self.child.id() as i32, signal);
        }
        let until = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::time::Instant::now() < until {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        None
    }
}

impl Drop for ClinicServe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_separately_started_clinic_passes_run_after_run_and_stops_on_sigterm() {
    let mut clinic = ClinicServe::start(&[]);
    for i in 1..=2 {
        let dir = tempfile::tempdir().unwrap();
        let (code, s) = run(&["--clinic", &clinic.url], dir.path());
        assert_eq!(code, 0, "run {i}: {:#?}", failures(&s));
        assert_eq!(s["totals"]["failed"], 0);
        let named = s["run"]["clinic"].as_str().unwrap();
        assert!(
            named.contains("reference clinic") && named.contains(&clinic.url),
            "{named}"
        );
    }
    assert_eq!(clinic.stop_with(libc::SIGTERM), Some(143));
}

#[test]
fn every_clinic_defect_fails_its_requirements() {
    for d in onshi::clinic::ClinicDefect::ALL {
        assert!(
            CLINIC_TARGETS.iter().any(|(n, _)| *n == d.name()),
            "{d} is not in CLINIC_TARGETS"
        );
    }
    for (defect, targets) in CLINIC_TARGETS {
        let clinic = ClinicServe::start(&["--defect", defect]);
        let dir = tempfile::tempdir().unwrap();
        // Only the scenarios of the requirements the defect must break (the clean
        // run above covers the rest).
        let tags = tags_of(targets);
        let (code, s) = run(&["--clinic", &clinic.url, "--tags", &tags], dir.path());
        assert_eq!(code, 1, "{defect}: the suite must fail");
        let failed = failed_requirements(&s);
        for t in *targets {
            assert!(
                failed.contains(*t),
                "{defect}: {t} did not fail: {failed:?}"
            );
        }
        assert!(
            s["run"]["clinic"].as_str().unwrap().contains(defect),
            "{defect}: {}",
            s["run"]["clinic"]
        );
    }
}

/// A clinic whose `GET /v1/clinic` is fine but whose visits answer 200 with JSON of
/// the wrong shape. Runs on its own thread until the test ends.
fn malformed_clinic() -> String {
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
            let wrong = r#"{"basis":"online-card","copay":"030"}"#;
            let app = Router::new()
                .route("/v1/clinic", get(move || async move { info }))
                .route("/v1/visits", post(move || async move { wrong }));
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    format!("http://{addr}")
}

/// A clinic that does not answer as the API says never passes: every visit fails with
/// the check `clinic-answered`, the scenarios that expect no 10割 included.
#[test]
fn a_clinic_that_answers_garbage_fails_every_visit() {
    let url = malformed_clinic();
    let dir = tempfile::tempdir().unwrap();
    let (code, s) = run(&["--clinic", &url, "--tags", "@TRN-NO10"], dir.path());
    assert_eq!(code, 1);
    let failed = failures(&s);
    assert!(!failed.is_empty());
    assert!(
        failed.iter().all(|f| f.contains("clinic-answered")),
        "{failed:#?}"
    );
    assert_eq!(s["totals"]["passed"], 0, "{:#?}", s["totals"]);
}

#[test]
fn an_unreachable_clinic_stops_the_run_with_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_onshi"))
        .args(["run", "--clinic", "http://127.0.0.1:1"])
        .arg("--report-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("clinic http://127.0.0.1:1 unreachable"),
        "{stderr}"
    );
    let bad = Command::new(env!("CARGO_BIN_EXE_onshi"))
        .args(["run", "--clinic", "receipt-printer"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}
