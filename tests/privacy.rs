//! No personal number at rest: after a conformance run (every scenario, the forged
//! requests included) and a load run, no file either wrote holds any persona's My Number
//! — templates and every scenario's instances — nor a PIN or signing password as the
//! card received it (ASCII hex in an APDU), nor a signing password as text.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

#[path = "support/secrets.rs"]
mod secrets;

use std::path::Path;
use std::process::Command;

use secrets::{files, leaks, secrets};

#[test]
fn no_run_writes_a_my_number_or_a_pin() {
    let dir = tempfile::tempdir().unwrap();
    let onshi = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_onshi"));
        c.env("ONSHI_LOG", "error");
        c
    };
    let run = onshi()
        .args(["run", "--report-dir"])
        .arg(dir.path().join("run"))
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let smoke = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/smoke.toml");
    let load = onshi()
        .args(["load", "--no-progress", "--scenario"])
        .arg(&smoke)
        .arg("--report-dir")
        .arg(dir.path().join("load"))
        .output()
        .unwrap();
    assert_eq!(
        load.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&load.stderr)
    );
    let secrets = secrets();
    assert!(secrets.len() > 100, "{}", secrets.len());
    let written = files(dir.path());
    assert!(written.len() >= 8, "{written:?}");
    let mut leaks = leaks(dir.path(), &secrets);
    for out in [&run, &load] {
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        for (what, needle) in &secrets {
            if text.contains(needle.as_str()) {
                leaks.push(format!("console: {what}"));
            }
        }
    }
    assert!(leaks.is_empty(), "{leaks:#?}");
}
