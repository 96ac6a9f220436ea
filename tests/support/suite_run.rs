//! `onshi run` as a test drives it: the exit code and the report's `summary.json`, and
//! what the summary says failed. Shared by the suites that run onshi against a system
//! started as its own process (`tests/conformance.rs`, `tests/clinic.rs`).
#![allow(dead_code)] // each test binary uses its own subset

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// The tag expression that selects the scenarios of `requirements`
/// (`@FAQ-4-6 or @TRN-Q1`): a defect run limited to what the defect must break.
pub(crate) fn tags_of(requirements: &[&str]) -> String {
    requirements
        .iter()
        .map(|t| format!("@{t}"))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// Runs `onshi run ARGS --report-dir REPORT_ROOT`: the exit code and the summary.
pub(crate) fn run(args: &[&str], report_root: &Path) -> (i32, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_onshi"))
        .arg("run")
        .args(args)
        .arg("--report-dir")
        .arg(report_root)
        .env("ONSHI_LOG", "error")
        .output()
        .expect("running onshi");
    let code = out.status.code().unwrap_or(-1);
    let dir = std::fs::read_dir(report_root)
        .expect("a report directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.join("summary.json").exists())
        .unwrap_or_else(|| {
            panic!(
                "no report written; stdout:\n{}\nstderr:\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
    let summary: Value =
        serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap();
    (code, summary)
}

/// The requirements the summary's matrix marks failed.
pub(crate) fn failed_requirements(summary: &Value) -> BTreeSet<String> {
    summary["matrix"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["coverage"] == "failed")
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The names and first errors of the scenarios that did not pass.
pub(crate) fn failures(summary: &Value) -> Vec<String> {
    summary["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] != "passed")
        .map(|s| {
            let err = s["steps"]
                .as_array()
                .unwrap()
                .iter()
                .find_map(|st| st["error"].as_str())
                .unwrap_or("");
            format!("{}:{} {}: {err}", s["file"], s["line"], s["name"])
        })
        .collect()
}
