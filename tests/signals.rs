//! Stopping is a first-class outcome: SIGINT and SIGTERM end `run`, `certify`, `load`,
//! `serve`, `cards serve` (and, with PC/SC, `reader serve`) within a bounded time, with
//! what was done reported and marked interrupted, and exit 130 / 143. Each command is
//! signalled at several points: during set-up, mid-run, twice in a row, and with a
//! client holding a connection open.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

#[path = "support/serve.rs"]
mod serve;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serve::Serve;

/// What a stopped command must manage after its signal.
const BOUND: Duration = Duration::from_secs(5);

fn onshi(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_onshi"))
        .args(args)
        .env("ONSHI_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("onshi starts")
}

fn signal(child: &Child, sig: i32) {
    // SAFETY: kill(2) on our own child's pid has no memory-safety preconditions.
    unsafe {
        libc::kill(child.id() as i32, sig);
    }
}

/// Waits for the child's exit at most `within` after now; its code, or panics.
fn exit_within(child: &mut Child, within: Duration) -> i32 {
    let until = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code().expect("exited, not killed by the signal");
        }
        if Instant::now() > until {
            let _ = child.kill();
            panic!("still running {within:?} after the signal");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn output(child: Child) -> String {
    let o = child.wait_with_output().unwrap();
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The one run directory under `root`.
fn run_dir(root: &Path) -> PathBuf {
    let dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    assert_eq!(dirs.len(), 1, "one run directory in {}", root.display());
    dirs[0].clone()
}

/// Every file under `dir` is whole: none empty, no temporary leftovers.
fn assert_whole(dir: &Path) {
    for e in walk(dir) {
        let name = e.file_name().unwrap().to_string_lossy().into_owned();
        assert!(!name.contains(".tmp"), "leftover {}", e.display());
        assert!(
            std::fs::metadata(&e).unwrap().len() > 0,
            "empty file {}",
            e.display()
        );
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn wait_for(what: &str, within: Duration, mut ready: impl FnMut() -> bool) {
    let until = Instant::now() + within;
    while !ready() {
        assert!(Instant::now() < until, "{what} within {within:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `onshi run` one scenario at a time into `reports`: against a slow separate backend
/// (each scenario waits on I/O) or the embedded one (no scenario ever waits).
fn one_at_a_time(backend: Option<&Serve>, reports: &Path) -> Child {
    let mut args = vec!["run", "--concurrency", "1"];
    if let Some(b) = backend {
        args.extend(["--backend", b.url.as_str()]);
    }
    args.extend(["--report-dir", reports.to_str().unwrap()]);
    onshi(&args)
}

fn staged_feature_dirs(pid: u32) -> Vec<PathBuf> {
    std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name().is_some_and(|n| {
                n.to_string_lossy()
                    .starts_with(&format!("onshi-features-{pid}-"))
            })
        })
        .collect()
}

#[test]
fn run_stopped_mid_run_reports_what_finished_marked_interrupted() {
    let slow = Serve::start(&["--fault", "latency=fixed:100"]);
    for (backend, sig, code, name) in [
        (Some(&slow), libc::SIGINT, 130, "SIGINT"),
        (None, libc::SIGTERM, 143, "SIGTERM"),
    ] {
        let reports = tempfile::tempdir().unwrap();
        let mut child = one_at_a_time(backend, reports.path());
        let pid = child.id();
        // Mid-run: after the partial report holds at least one finished scenario.
        wait_for(
            "a first finished scenario",
            Duration::from_secs(120),
            || {
                std::fs::read_dir(reports.path())
                    .ok()
                    .and_then(|d| d.filter_map(Result::ok).find(|e| e.path().is_dir()))
                    .and_then(|d| std::fs::read_to_string(d.path().join("summary.json")).ok())
                    .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
                    .is_some_and(|v| v["scenarios"].as_array().is_some_and(|a| !a.is_empty()))
            },
        );
        signal(&child, sig);
        assert_eq!(exit_within(&mut child, BOUND), code);
        let out = output(child);
        assert!(out.contains(&format!("INTERRUPTED ({name})")), "{out}");
        let dir = run_dir(reports.path());
        let summary = json(&dir.join("summary.json"));
        assert_eq!(summary["run"]["interrupted"], name);
        assert_eq!(summary["run"]["complete"], false);
        let finished = summary["scenarios"].as_array().unwrap().len();
        assert!((1..100).contains(&finished), "{finished} scenarios");
        let junit = std::fs::read_to_string(dir.join("junit.xml")).unwrap();
        assert!(
            junit.contains("the run finished") && junit.contains("<failure"),
            "JUnit says the run did not finish: {junit}"
        );
        let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
        assert!(html.contains(&format!("INTERRUPTED ({name})")));
        assert_whole(&dir);
        assert!(
            staged_feature_dirs(pid).is_empty(),
            "staged features removed"
        );
    }
}

#[test]
fn run_stopped_during_set_up_writes_an_empty_interrupted_report() {
    let reports = tempfile::tempdir().unwrap();
    let mut child = onshi(&["run", "--report-dir", reports.path().to_str().unwrap()]);
    std::thread::sleep(Duration::from_millis(150));
    signal(&child, libc::SIGTERM);
    assert_eq!(exit_within(&mut child, BOUND), 143);
    let pid = child.id();
    let out = output(child);
    assert!(out.contains("INTERRUPTED (SIGTERM)"), "{out}");
    let summary = json(&run_dir(reports.path()).join("summary.json"));
    assert_eq!(summary["run"]["interrupted"], "SIGTERM");
    assert!(
        staged_feature_dirs(pid).is_empty(),
        "staged features removed"
    );
}

/// A certification package is written even when a signal stops its run: signed, and
/// saying on its first line that the run was interrupted.
#[test]
fn certify_stopped_mid_run_writes_a_package_marked_interrupted() {
    let slow = Serve::start(&["--fault", "latency=fixed:100"]);
    let tmp = tempfile::tempdir().unwrap();
    let pkg = tmp.path().join("pkg");
    let key = tmp.path().join("signer.pk8");
    let mut child = onshi(&[
        "certify",
        "--concurrency",
        "1",
        "--backend",
        &slow.url,
        "--signing-key",
        key.to_str().unwrap(),
        "--out",
        pkg.to_str().unwrap(),
    ]);
    let staging = tmp.path().join(format!(".pkg.certify-{}/.run", child.id()));
    wait_for(
        "a first finished scenario",
        Duration::from_secs(120),
        || {
            std::fs::read_dir(&staging)
                .ok()
                .and_then(|d| d.filter_map(Result::ok).find(|e| e.path().is_dir()))
                .and_then(|d| std::fs::read_to_string(d.path().join("summary.json")).ok())
                .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
                .is_some_and(|v| v["scenarios"].as_array().is_some_and(|a| !a.is_empty()))
        },
    );
    signal(&child, libc::SIGINT);
    assert_eq!(exit_within(&mut child, BOUND), 130);
    let out = output(child);
    let verdict = std::fs::read_to_string(pkg.join("VERDICT")).unwrap();
    assert!(
        verdict.starts_with("NOT CONFORMANT: interrupted by SIGINT after "),
        "{verdict}\n{out}"
    );
    assert_whole(&pkg);
    let verify = Command::new(env!("CARGO_BIN_EXE_onshi"))
        .arg("certify")
        .arg("verify")
        .arg(&pkg)
        .output()
        .unwrap();
    assert_eq!(verify.status.code(), Some(0), "{verify:?}");
    assert!(
        !staging.parent().unwrap().exists(),
        "the staging directory became the package"
    );
}

/// `onshi load --scenario smoke` into `reports`.
fn smoke_load(reports: &Path) -> Child {
    onshi(&[
        "load",
        "--scenario",
        "smoke",
        "--no-progress",
        "--report-dir",
        reports.to_str().unwrap(),
    ])
}

/// The load summary of an interrupted run: valid, marked, nothing counted against
/// the backend that never ran.
fn assert_interrupted_load(reports: &Path) -> serde_json::Value {
    let dir = run_dir(reports);
    assert_whole(&dir);
    let s = json(&dir.join("summary.json"));
    assert_eq!(s["interrupted"], true);
    assert_eq!(s["passed"], false, "an interrupted run never passes");
    assert_eq!(
        s["counters"]["with_error"], 0,
        "unstarted jobs are not errors"
    );
    let error_rate = s["slo"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "error-rate")
        .unwrap()
        .clone();
    assert_eq!(error_rate["passed"], true, "{error_rate}");
    let junit = std::fs::read_to_string(dir.join("junit.xml")).unwrap();
    assert!(junit.contains("the run finished"), "{junit}");
    s
}

#[test]
fn load_stopped_before_the_clock_starts_ends_at_once() {
    let reports = tempfile::tempdir().unwrap();
    let mut child = smoke_load(reports.path());
    std::thread::sleep(Duration::from_millis(300));
    signal(&child, libc::SIGINT);
    assert_eq!(exit_within(&mut child, BOUND), 130);
    let out = output(child);
    assert!(out.contains("INTERRUPTED"), "{out}");
    assert!(!out.contains("SLOs met"), "{out}");
    assert_interrupted_load(reports.path());
}

#[test]
fn load_stopped_mid_run_counts_only_what_ran() {
    let reports = tempfile::tempdir().unwrap();
    let mut child = smoke_load(reports.path());
    std::thread::sleep(Duration::from_secs(4));
    signal(&child, libc::SIGTERM);
    assert_eq!(exit_within(&mut child, BOUND), 143);
    let s = assert_interrupted_load(reports.path());
    let completed = s["counters"]["completed"].as_u64().unwrap();
    let scheduled = s["counters"]["scheduled"].as_u64().unwrap();
    assert!(completed < scheduled, "{completed} of {scheduled}");
    let note = s["notes"].as_array().unwrap().iter().any(|n| {
        n.as_str()
            .is_some_and(|n| n.starts_with("interrupted by SIGTERM"))
    });
    assert!(note, "{}", s["notes"]);
}

#[test]
fn a_second_signal_still_leaves_a_valid_summary() {
    let reports = tempfile::tempdir().unwrap();
    let mut child = smoke_load(reports.path());
    std::thread::sleep(Duration::from_secs(3));
    signal(&child, libc::SIGTERM);
    std::thread::sleep(Duration::from_millis(30));
    signal(&child, libc::SIGINT);
    // The first signal decides the code.
    assert_eq!(exit_within(&mut child, BOUND), 143);
    assert_interrupted_load(reports.path());
}

#[test]
fn serve_stops_within_the_bound_while_a_client_holds_partial_headers() {
    for (sig, code) in [(libc::SIGTERM, 143), (libc::SIGINT, 130)] {
        let mut backend = Serve::start(&[]);
        let addr = backend.url.trim_start_matches("http://").to_owned();
        let mut idle = TcpStream::connect(&addr).unwrap();
        idle.write_all(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n")
            .unwrap();
        let _open = TcpStream::connect(&addr).unwrap();
        std::thread::sleep(Duration::from_millis(100));
        assert_eq!(backend.stop_with(sig, BOUND), Some(code));
    }
}

#[test]
fn slow_and_idle_clients_are_closed_and_never_crowd_out_a_request() {
    let backend = Serve::start(&["--header-timeout", "1", "--max-connections", "8"]);
    let addr = backend.url.trim_start_matches("http://").to_owned();
    // Partial headers: closed after the header-read timeout.
    let mut slow = TcpStream::connect(&addr).unwrap();
    slow.write_all(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let t = Instant::now();
    let mut buf = [0u8; 256];
    let n = slow.read(&mut buf).unwrap_or(0);
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    assert!(
        n == 0 || String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 408"),
        "closed, not answered: {:?}",
        String::from_utf8_lossy(&buf[..n])
    );
    // 64 idle sockets against a limit of 8: a normal request still gets its answer
    // within the header-read timeout or so.
    let idle: Vec<TcpStream> = (0..64)
        .map(|_| TcpStream::connect(&addr).unwrap())
        .collect();
    let t = Instant::now();
    let mut c = TcpStream::connect(&addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    c.write_all(b"GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    let _ = c.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");
    assert!(
        t.elapsed() < Duration::from_secs(12),
        "answered after {:?}",
        t.elapsed()
    );
    drop(idle);
}

#[test]
fn cards_serve_stops_on_either_signal() {
    for (sig, code) in [(libc::SIGINT, 130), (libc::SIGTERM, 143)] {
        // No vpcd listens on port 9: the card server keeps retrying until stopped.
        let mut child = onshi(&["cards", "serve", "--vpcd", "127.0.0.1:9", "accuracy-hold"]);
        std::thread::sleep(Duration::from_millis(500));
        signal(&child, sig);
        assert_eq!(exit_within(&mut child, BOUND), code);
        let out = output(child);
        assert!(out.contains("stopped"), "{out}");
    }
}

#[cfg(feature = "pcsc")]
#[test]
fn reader_serve_stops_on_either_signal() {
    for (sig, code) in [(libc::SIGINT, 130), (libc::SIGTERM, 143)] {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        drop(listener);
        let mut child = onshi(&["reader", "serve", "--listen", &addr]);
        wait_for("reader serve listening", Duration::from_secs(10), || {
            TcpStream::connect(&addr).is_ok()
        });
        let _idle = TcpStream::connect(&addr).unwrap();
        signal(&child, sig);
        assert_eq!(exit_within(&mut child, BOUND), code);
    }
}
