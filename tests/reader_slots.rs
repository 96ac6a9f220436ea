//! Readers side by side: a reader that reports four slots in `GET /v1/reader` gets one
//! card per slot, and `onshi run --reader` runs four scenarios at once. The whole suite
//! passes through the plug (the pulled card included), and its verdicts are those of
//! the one-slot run. `onshi reader serve` runs as its own process against a private
//! pcscd with four vpcd slots.
#![cfg(feature = "pcsc")]
#![allow(clippy::unwrap_used)]

#[path = "support/private_pcscd.rs"]
mod private_pcscd;
#[path = "support/reader_serve.rs"]
mod reader_serve;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use private_pcscd::PrivatePcscd;
use reader_serve::ReaderServer;

/// `onshi run --reader URL` on the whole suite with at most `slots` slots.
fn run(url: &str, pcscd: &PrivatePcscd, slots: &str) -> (i32, serde_json::Value) {
    let reports = tempfile::tempdir().unwrap();
    let (key, socket) = pcscd.env();
    let out = Command::new(env!("CARGO_BIN_EXE_onshi"))
        .env("ONSHI_LOG", "warn")
        .env(key, &socket)
        .args(["run", "--reader", url, "--slots", slots, "--report-dir"])
        .arg(reports.path())
        .args(pcscd.run_args())
        .output()
        .expect("onshi run");
    let summary = summary(reports.path())
        .unwrap_or_else(|| panic!("no report: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap_or(-1), summary)
}

fn summary(root: &Path) -> Option<serde_json::Value> {
    let run = std::fs::read_dir(root)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.is_dir())?;
    serde_json::from_slice(&std::fs::read(run.join("summary.json")).ok()?).ok()
}

/// Scenario (file, line and name) → status and its checks; requirement → coverage.
type Verdicts = (
    BTreeMap<(String, String), (String, Vec<(String, bool)>)>,
    BTreeMap<String, String>,
);

fn verdicts(s: &serde_json::Value) -> Verdicts {
    let scenarios = s["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|sc| {
            let checks = sc["verdicts"]
                .as_array()
                .map(|v| {
                    v.iter()
                        .map(|v| {
                            (
                                v["check"].as_str().unwrap_or_default().to_owned(),
                                v["passed"].as_bool().unwrap_or(false),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            (
                (
                    sc["file"].as_str().unwrap().to_owned(),
                    format!("{}:{}", sc["line"], sc["name"].as_str().unwrap()),
                ),
                (sc["status"].as_str().unwrap().to_owned(), checks),
            )
        })
        .collect();
    let matrix = s["matrix"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_owned(),
                r["coverage"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (scenarios, matrix)
}

fn failures(s: &serde_json::Value) -> Vec<String> {
    s["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|sc| sc["status"] != "passed" && sc["status"] != "skipped")
        .map(|sc| format!("{}:{} {}", sc["file"], sc["line"], sc["name"]))
        .collect()
}

#[test]
fn four_slots_give_the_verdicts_of_one() {
    let Some(pcscd) = PrivatePcscd::start(2) else {
        return;
    };
    let (key, socket) = pcscd.env();
    let reader = ReaderServer::start_with(&["--slots", "4"], &[(key, socket.as_path())]);

    let (code, one) = run(&reader.url, &pcscd, "1");
    assert_eq!(code, 0, "one slot: {:?} {}", failures(&one), one["totals"]);
    let (code, four) = run(&reader.url, &pcscd, "4");
    assert_eq!(
        code,
        0,
        "four slots: {:?} {}",
        failures(&four),
        four["totals"]
    );

    let reader_one = one["run"]["reader"].as_str().unwrap();
    let reader_four = four["run"]["reader"].as_str().unwrap();
    assert!(reader_one.contains("1 slot)"), "{reader_one}");
    assert!(reader_four.contains("4 slots)"), "{reader_four}");

    let (a, b) = (verdicts(&one), verdicts(&four));
    assert!(a.0.len() >= 100, "only {} scenarios ran", a.0.len());
    for (k, v) in &a.0 {
        assert_eq!(Some(v), b.0.get(k), "{k:?} differs with four slots");
    }
    assert_eq!(a.0.len(), b.0.len());
    assert_eq!(a.1, b.1, "requirement coverage differs with four slots");
}
