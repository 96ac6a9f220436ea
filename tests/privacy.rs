//! No personal number at rest: after a conformance run (every scenario, the forged
//! requests included) and a load run, no file either wrote holds any persona's My Number
//! — templates and every scenario's instances — nor a PIN or signing password as the
//! card received it (ASCII hex in an APDU), nor a signing password as text.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::Command;

use onshi::conformance::cast;
use onshi::conformance::run::FeatureSource;
use onshi::defaults;

/// Every file below `dir`.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// What must never be written: (what, needle).
fn secrets() -> Vec<(String, String)> {
    let templates = defaults::personas(None).unwrap();
    let cast = cast::of_source(&FeatureSource::Embedded, 16).unwrap();
    let all = templates.with_cast(&cast).unwrap();
    let mut out = Vec::new();
    for p in all.iter() {
        let r = p.resolve(defaults::default_as_of(), defaults::DEFAULT_SEED);
        out.push((format!("{} My Number", r.id), r.person.my_number.clone()));
        for (what, secret) in [
            ("PIN", &r.card.auth_pin),
            ("signing password", &r.card.sign_password),
            ("support PIN", &r.card.support_pin),
        ] {
            let Some(secret) = secret else { continue };
            let hex: String = secret.bytes().map(|b| format!("{b:02X}")).collect();
            out.push((format!("{} {what} as APDU data", r.id), hex.clone()));
            out.push((format!("{} {what} as APDU data", r.id), hex.to_lowercase()));
            // A 4-digit PIN as text cannot be told from any other number (a histogram
            // bucket, a count); the longer signing passwords can.
            if secret.len() >= 6 {
                out.push((
                    format!("{} {what} as a JSON string", r.id),
                    format!("\"{secret}\""),
                ));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

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
    let mut leaks = Vec::new();
    for f in &written {
        let bytes = std::fs::read(f).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for (what, needle) in &secrets {
            if text.contains(needle.as_str()) {
                leaks.push(format!("{}: {what}", f.display()));
            }
        }
    }
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
