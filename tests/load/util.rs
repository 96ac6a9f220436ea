//! Helpers: the binary, a separately started `onshi serve`, summaries, interval logs.

use std::path::{Path, PathBuf};
use std::process::Command;

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

#[path = "../support/serve.rs"]
mod serve;
pub(crate) use serve::Serve;

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
