//! `onshi load --dashboard`: the live page of a run. A run of `tests/load/dashboard.toml`
//! (about nine seconds, with a defect for semantic failures and a few unretried 503s
//! for errors) is followed twice while it goes on: over the event stream with a plain
//! HTTP client (so the stream is tested where Chromium is absent), and in headless
//! Chromium (`report_html/cdp.rs`), whose page must show figures that move, draw its
//! charts, log no error and load nothing from elsewhere. Both must end on the report's
//! figures (`summary.json`), and a signal during the linger must end it at once with
//! the run's exit code. Bad addresses are exit 2 naming the flag.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

#[path = "report_html/cdp.rs"]
#[allow(dead_code)] // shared with tests/report_html.rs, which uses other parts
mod cdp;
#[path = "load/util.rs"]
#[allow(dead_code, unused_imports)] // shared with tests/load.rs
mod util;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use onshi::load::live::Frame;
use onshi::load::summary::Summary;
use serde_json::Value;

/// How long set-up (population, keys, schedule) and the run may take at most.
const RUN_BOUND: Duration = Duration::from_secs(180);

/// A dashboard run in the background.
struct Run {
    child: Child,
    /// `http://127.0.0.1:PORT/`.
    url: String,
    /// `host:port`.
    addr: String,
    dir: tempfile::TempDir,
}

impl Run {
    /// Starts `onshi load --dashboard 127.0.0.1:0` on the dashboard scenario with the
    /// `missing-ratio` defect, lingering long (the tests end it with a signal), and
    /// reads the URL from stderr.
    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut child = util::onshi()
            .args([
                "load",
                "--no-progress",
                "--no-goose-report",
                "--run-id",
                "d",
            ])
            .args([
                "--scenario",
                util::path("tests/load/dashboard.toml").as_str(),
            ])
            .args(["--defect", "missing-ratio", "--dashboard", "127.0.0.1:0"])
            .args(["--dashboard-linger", "120", "--report-dir"])
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { return };
                if let Some(url) = line.strip_prefix("onshi load: dashboard at ") {
                    let _ = tx.send(url.to_owned());
                }
                eprintln!("onshi: {line}");
            }
        });
        let url = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("onshi load prints the dashboard's URL");
        let addr = url
            .strip_prefix("http://")
            .and_then(|a| a.strip_suffix('/'))
            .unwrap()
            .to_owned();
        assert!(addr.starts_with("127.0.0.1:"), "{url}");
        Self {
            child,
            url,
            addr,
            dir,
        }
    }

    fn get(&self, path: &str) -> (String, String) {
        get(&self.addr, path)
    }

    /// Sends SIGTERM during the linger: the process must end at once, with the run's
    /// exit code (not 143: the run was over).
    fn stop_lingering(mut self) -> (i32, Summary) {
        // SAFETY: kill(2) on our own child's pid has no memory-safety preconditions.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        let until = Instant::now() + Duration::from_secs(5);
        let code = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status.code().expect("exited, not killed");
            }
            assert!(Instant::now() < until, "still lingering 5 s after SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        };
        (code, util::read_summary(&self.dir.path().join("d")))
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A GET with `Connection: close`: (head, body).
fn get(addr: &str, path: &str) -> (String, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    (head.to_owned(), body.to_owned())
}

/// The report's figures, as the final frame must show them.
fn assert_final_is_the_report(f: &Frame, s: &Summary) {
    let c = &s.counters;
    assert!(f.done && !f.interrupted, "{f:?}");
    assert_eq!(f.run_id, "d");
    assert_eq!(
        (f.scheduled, f.started, f.completed),
        (c.scheduled, c.started, c.completed)
    );
    assert_eq!(f.failures, c.total_failures());
    assert_eq!(f.failures_by_kind, c.failures);
    assert_eq!(f.errors, c.with_error);
    assert_eq!(f.errors_by_kind, c.errors);
    assert_eq!(f.response.p99_ms, s.latency["response.visit"].p99_ms);
    assert_eq!(f.service.p99_ms, s.latency["service.visit"].p99_ms);
}

#[test]
fn dashboard_event_stream_follows_the_run_and_ends_on_the_report() {
    let run = Run::start();
    let mut stream = TcpStream::connect(&run.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET /events HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n",
        run.addr
    )
    .unwrap();
    let mut lines = BufReader::new(stream).lines();
    let mut head = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if line.is_empty() {
            break;
        }
        head.push(line.to_ascii_lowercase());
    }
    assert!(head[0].starts_with("http/1.1 200"), "{head:?}");
    assert!(
        head.contains(&"content-type: text/event-stream".to_owned()),
        "{head:?}"
    );
    // Every frame until the one marked done (chunked: data lines sit among sizes).
    let until = Instant::now() + RUN_BOUND;
    let mut frames: Vec<Frame> = Vec::new();
    while frames.last().is_none_or(|f| !f.done) {
        assert!(Instant::now() < until, "no final frame in time");
        let line = lines.next().expect("the stream goes on").unwrap();
        if let Some(json) = line.strip_prefix("data: ") {
            frames.push(serde_json::from_str(json).unwrap());
        }
    }
    let (_, frame) = run.get("/frame");
    let now: Frame = serde_json::from_str(&frame).unwrap();
    let last = frames.last().unwrap().clone();
    assert_eq!(now, last, "/frame is the final frame");
    for w in frames.windows(2) {
        assert!(w[1].seq > w[0].seq, "frames in order");
        assert!(w[1].completed >= w[0].completed && w[1].due >= w[0].due);
    }
    let live: Vec<&Frame> = frames.iter().filter(|f| f.t_s > 0.0 && !f.done).collect();
    let moving: std::collections::BTreeSet<u64> = live.iter().map(|f| f.completed).collect();
    assert!(moving.len() >= 3, "the figures move: {moving:?}");
    assert!(
        live.iter()
            .any(|f| f.evidence.iter().any(|e| e.member.starts_with("gen-"))),
        "failure evidence while it runs"
    );
    let (code, summary) = run.stop_lingering();
    assert_eq!(
        code, 1,
        "a semantic failure fails the run; the signal only ended the linger"
    );
    assert_final_is_the_report(&last, &summary);
    // The last live frame (after every job) already had the report's figures.
    let before = live.last().unwrap();
    assert_eq!(before.completed, summary.counters.completed);
    assert_eq!(before.failures, summary.counters.total_failures());
    assert_eq!(before.response.p99_ms, last.response.p99_ms);
}

/// What the page shows: its state and figures (from `data-` attributes), its tables'
/// rows, its drawn charts.
const FIGURES: &str = r#"(() => {
  const v = id => Number(document.getElementById(id).dataset.value);
  const rows = id => [...document.querySelectorAll('#' + id + ' tbody tr')].map(tr => ({
    kind: tr.dataset.kind, count: Number(tr.dataset.count),
    cells: [...tr.cells].map(td => td.textContent),
  }));
  return {
    state: document.body.dataset.state,
    seq: Number(document.body.dataset.seq || 0),
    completed: v('completed'), due: v('due'), started: v('started'),
    failures: v('failures'), errors: v('errors'),
    response_p99: Number(document.getElementById('response').dataset.p99),
    failure_rows: rows('failures-table'), error_rows: rows('errors-table'),
    lines: document.querySelectorAll('svg polyline').length,
    charts: [...document.querySelectorAll('svg')].filter(s => s.getBoundingClientRect().height > 0).length,
    done_banner: !document.getElementById('banner-done').hidden,
  };
})()"#;

fn poll(
    browser: &mut cdp::Browser,
    tab: &cdp::Tab,
    what: &str,
    ok: impl Fn(&Value) -> bool,
) -> Value {
    let until = Instant::now() + RUN_BOUND;
    loop {
        let v = browser.eval(tab, FIGURES).unwrap();
        if ok(&v) {
            return v;
        }
        assert!(Instant::now() < until, "{what}: the page shows {v}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn screenshot(browser: &mut cdp::Browser, tab: &cdp::Tab, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("report-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let shot = dir.join(name);
    browser
        .screenshot(tab, serde_json::json!({"format": "png"}), &shot)
        .unwrap();
    shot
}

#[test]
fn dashboard_page_in_chromium_moves_during_the_run_and_ends_on_the_report() {
    let Some(bin) = cdp::chromium() else { return };
    let run = Run::start();
    let mut browser = cdp::Browser::launch(&bin).unwrap();
    let tab = browser.open(&run.url).unwrap();
    let num = |v: &Value, k: &str| v[k].as_f64().unwrap_or(-1.0);
    let first = poll(&mut browser, &tab, "running", |v| {
        v["state"] == "running" && num(v, "completed") > 0.0
    });
    std::thread::sleep(Duration::from_millis(1500));
    let second = browser.eval(&tab, FIGURES).unwrap();
    assert_eq!(second["state"], "running", "still running: {second}");
    assert!(
        num(&second, "completed") > num(&first, "completed")
            && num(&second, "due") >= num(&first, "due")
            && second["seq"].as_u64() > first["seq"].as_u64(),
        "the figures move: {first} then {second}"
    );
    assert!(num(&second, "lines") >= 9.0, "every series drawn: {second}");
    assert_eq!(second["charts"], 5, "{second}");
    let mid = screenshot(&mut browser, &tab, "dashboard-running.png");
    let end = poll(&mut browser, &tab, "done", |v| v["state"] == "done");
    let shot = screenshot(&mut browser, &tab, "dashboard-done.png");
    eprintln!("screenshots: {} {}", mid.display(), shot.display());
    let (_, frame) = run.get("/frame");
    let frame: Frame = serde_json::from_str(&frame).unwrap();
    assert!(frame.done, "/frame says done");
    let errors = browser.errors(&tab);
    assert!(errors.is_empty(), "{errors:#?}");
    let elsewhere: Vec<String> = browser
        .requests(&tab)
        .into_iter()
        .filter(|u| !u.starts_with(&run.url))
        .collect();
    assert!(elsewhere.is_empty(), "requests elsewhere: {elsewhere:?}");
    browser.close(tab).unwrap();
    let (code, summary) = run.stop_lingering();
    assert_eq!(code, 1);
    assert_final_is_the_report(&frame, &summary);
    let c = &summary.counters;
    assert!(end["done_banner"].as_bool().unwrap(), "{end}");
    assert_eq!(num(&end, "completed"), c.completed as f64, "{end}");
    assert_eq!(num(&end, "failures"), c.total_failures() as f64, "{end}");
    assert_eq!(num(&end, "errors"), c.with_error as f64, "{end}");
    assert_eq!(
        num(&end, "response_p99"),
        summary.latency["response.visit"].p99_ms
    );
    let rows = |k: &str| -> Vec<(String, u64)> {
        end[k]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["kind"].as_str().unwrap().to_owned(),
                    r["count"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let mut shown = rows("failure_rows");
    shown.sort();
    assert_eq!(shown, c.failures.clone().into_iter().collect::<Vec<_>>());
    let mut shown = rows("error_rows");
    shown.sort();
    assert_eq!(shown, c.errors.clone().into_iter().collect::<Vec<_>>());
    assert!(c.total_failures() > 0 && c.with_error > 0, "{c:?}");
    let missing = end["failure_rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "missing-ratio")
        .unwrap();
    let cells = missing["cells"].as_array().unwrap();
    assert!(
        cells[2].as_str().unwrap().starts_with("gen-"),
        "the latest evidence names the member: {missing}"
    );
}

#[test]
fn a_bad_dashboard_address_is_exit_2_naming_the_flag() {
    let held = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken = held.local_addr().unwrap().to_string();
    for args in [
        &["--dashboard", "example.com:80"][..],
        &["--dashboard", "70000"][..],
        &["--dashboard", taken.as_str()][..],
        &["--dashboard-linger", "5"][..],
    ] {
        let dir = tempfile::tempdir().unwrap();
        let out = util::load(dir.path(), args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("--dashboard"), "{args:?}: {err}");
    }
}
