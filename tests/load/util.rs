//! Helpers: the binary, a separately started `onshi serve`, summaries, interval logs.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use base64::Engine as _;
use hdrhistogram::Histogram;
use hdrhistogram::serialization::Deserializer;
use hdrhistogram::serialization::interval_log::{IntervalLogIterator, LogEntry};
use onshi::load::summary::Summary;

pub(crate) fn onshi() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_onshi"));
    c.env_remove("ONSHI_SHARD").env("ONSHI_LOG", "warn");
    c
}

/// A path in the repository.
pub(crate) fn path(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(rel)
        .display()
        .to_string()
}

/// `onshi load --scenario scenarios/smoke.toml --report-dir DIR ARGS…` (a later
/// `--scenario` in ARGS wins).
pub(crate) fn load(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut c = onshi();
    c.args(["load", "--no-progress", "--report-dir"]).arg(dir);
    if !args.contains(&"--scenario") {
        c.args(["--scenario", path("scenarios/smoke.toml").as_str()]);
    }
    c.args(args).output().expect("onshi runs")
}

pub(crate) fn read_summary(dir: &Path) -> Summary {
    let bytes = std::fs::read(dir.join("summary.json"))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    serde_json::from_slice(&bytes).unwrap()
}

/// `onshi serve` on a free loopback port, stopped (by its pid) when dropped.
pub(crate) struct Serve {
    child: Child,
    pub url: String,
}

impl Serve {
    pub(crate) fn start(extra: &[&str]) -> Self {
        let mut child = onshi()
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(extra)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("onshi serve starts");
        let stderr = child.stderr.take().unwrap();
        let mut lines = BufReader::new(stderr).lines();
        let url = loop {
            let line = lines
                .next()
                .expect("onshi serve prints its address")
                .unwrap();
            if let Some(rest) = line.strip_prefix("onshi serve: ") {
                let addr = rest.split_whitespace().next().unwrap();
                break addr.trim_end_matches("/v1").to_owned();
            }
        };
        // Keep draining stderr so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Self { child, url }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Adds every interval of `tag` in these logs, parsed with hdrhistogram directly.
pub(crate) fn direct_merge(logs: &[PathBuf], tag: &str) -> Histogram<u64> {
    let mut total = Histogram::<u64>::new(3).unwrap();
    for log in logs {
        let bytes = std::fs::read(log).unwrap();
        for entry in IntervalLogIterator::new(&bytes) {
            if let Ok(LogEntry::Interval(h)) = entry
                && h.tag().map(|t| t.as_str()) == Some(tag)
            {
                let raw = base64::engine::general_purpose::STANDARD
                    .decode(h.encoded_histogram())
                    .unwrap();
                let hist: Histogram<u64> = Deserializer::new()
                    .deserialize(&mut raw.as_slice())
                    .unwrap();
                total.add(&hist).unwrap();
            }
        }
    }
    total
}
