//! Runs compared: `onshi report diff` names what got slower or failed and turns a
//! regression into exit 1 with `--fail-on regression`; identical runs show no change;
//! every run lands in the report directory's `index.html` and `onshi report list`.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn onshi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_onshi"))
        .args(args)
        .env("ONSHI_LOG", "error")
        .output()
        .unwrap()
}

/// The run directories under `root`, oldest first (by the order they were made).
fn runs(root: &Path) -> Vec<PathBuf> {
    let mut v: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| (e.metadata().unwrap().modified().unwrap(), e.path()))
        .collect();
    v.sort();
    v.into_iter().map(|(_, p)| p).collect()
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn two_identical_conformance_runs_show_no_change_and_a_defect_regresses() {
    let root = tempfile::tempdir().unwrap();
    let r = root.path().to_str().unwrap();
    let tags = "@FAQ-4-11 or @FAQ-4-20";
    for extra in [&[][..], &[][..], &["--defect", "accept-my-number"][..]] {
        let mut args = vec!["run", "--tags", tags, "--report-dir", r];
        args.extend_from_slice(extra);
        onshi(&args);
    }
    let dirs = runs(root.path());
    assert_eq!(dirs.len(), 3);
    let (a, b, c) = (
        dirs[0].to_str().unwrap(),
        dirs[1].to_str().unwrap(),
        dirs[2].to_str().unwrap(),
    );
    let same = onshi(&["report", "diff", a, b, "--fail-on", "regression"]);
    assert_eq!(same.status.code(), Some(0), "{}", text(&same));
    assert!(text(&same).contains("— no change"), "{}", text(&same));
    let json = onshi(&["report", "diff", a, b, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["requirements"], serde_json::json!([]));
    assert_eq!(v["scenarios"], serde_json::json!([]));

    let worse = onshi(&["report", "diff", a, c, "--fail-on", "regression"]);
    assert_eq!(worse.status.code(), Some(1), "{}", text(&worse));
    assert!(
        text(&worse).contains("| FAQ-4-20 | passed | failed | REGRESSION |"),
        "{}",
        text(&worse)
    );
    // Without --fail-on the diff is a report, not a verdict.
    assert_eq!(onshi(&["report", "diff", a, c]).status.code(), Some(0));

    // The index lists the three, newest first, each linked.
    let index = std::fs::read_to_string(root.path().join("index.html")).unwrap();
    for d in &dirs {
        let id = d.file_name().unwrap().to_string_lossy();
        assert!(
            index.contains(&format!("href=\"{id}/report.html\"")),
            "{id}"
        );
    }
    let list = text(&onshi(&["report", "list", "--report-dir", r]));
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 4, "{list}");
    assert!(
        lines[1].contains("failed"),
        "the defect run is newest: {list}"
    );
}

#[test]
fn a_slower_backend_is_named_and_fails_the_load_diff() {
    let root = tempfile::tempdir().unwrap();
    let r = root.path().to_str().unwrap();
    let smoke = [
        "load",
        "--scenario",
        "smoke",
        "--no-progress",
        "--report-dir",
        r,
    ];
    assert_eq!(onshi(&smoke).status.code(), Some(0));
    let mut slow = smoke.to_vec();
    slow.extend_from_slice(&["--fault", "latency=fixed:40"]);
    onshi(&slow);
    let dirs = runs(root.path());
    let (a, b) = (dirs[0].to_str().unwrap(), dirs[1].to_str().unwrap());
    let d = onshi(&["report", "diff", a, b, "--fail-on", "regression"]);
    assert_eq!(d.status.code(), Some(1), "{}", text(&d));
    let md = text(&d);
    assert!(md.contains("— load — REGRESSED"), "{md}");
    assert!(
        md.contains("Slower beyond noise:") && md.contains("`request.confirm-card`"),
        "{md}"
    );
    assert!(md.contains("| request.confirm-card p99 |"), "{md}");
    // The baseline against itself: nothing beyond noise, exit 0.
    let same = onshi(&["report", "diff", a, a, "--fail-on", "regression"]);
    assert_eq!(same.status.code(), Some(0), "{}", text(&same));
    assert!(!text(&same).contains("beyond noise |"), "{}", text(&same));
    // Without latency thresholds the slower run is no regression: throughput,
    // errors and failures are unchanged.
    let loose = onshi(&[
        "report",
        "diff",
        a,
        b,
        "--fail-on",
        "regression",
        "--threshold",
        "p50=off",
        "--threshold",
        "p99=off",
    ]);
    assert_eq!(loose.status.code(), Some(0), "{}", text(&loose));
    // HTML is a page with the figures table.
    let html = onshi(&["report", "diff", a, b, "--format", "html"]);
    assert!(text(&html).contains(r#"<table id="figures">"#));
    // Runs of different kinds are not compared.
    let conformance = tempfile::tempdir().unwrap();
    onshi(&[
        "run",
        "--tags",
        "@FAQ-4-20",
        "--report-dir",
        conformance.path().to_str().unwrap(),
    ]);
    let c = runs(conformance.path()).remove(0);
    let mixed = onshi(&["report", "diff", a, c.to_str().unwrap()]);
    assert_eq!(mixed.status.code(), Some(2));
    let bad = onshi(&["report", "diff", a, b, "--threshold", "p42=1%"]);
    assert_eq!(bad.status.code(), Some(2));
}
