//! The command line: bad input is reported with file, line and field and exits 2;
//! roots can be kept in and loaded from a directory.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::process::{Command, Output};

fn onshi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_onshi"))
        .args(args)
        .env("ONSHI_LOG", "error")
        .output()
        .expect("running onshi")
}

/// `onshi run ARGS… --report-dir REPORTS`.
fn run_into(reports: &tempfile::TempDir, args: &[&str]) -> Output {
    let dir = reports.path().to_str().expect("utf-8 temp dir");
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--report-dir", dir]);
    onshi(&all)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn a_broken_persona_names_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/virtual-cards/standard-adult.toml"
    ))
    .unwrap();
    std::fs::write(
        dir.path().join("mine.toml"),
        good.replace("auth_pin = \"1234\"", "auth_pin = \"12a4\""),
    )
    .unwrap();
    let o = onshi(&["cards", "list", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("mine.toml:") && e.contains("field `card.auth_pin`") && e.contains("4 digits"),
        "{e}"
    );
}

#[test]
fn unknown_cards_tags_and_features_exit_2() {
    let o = onshi(&["cards", "show", "nobody"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("no persona \"nobody\""));
    let reports = tempfile::tempdir().unwrap();
    let o = run_into(&reports, &["--tags", "@a and ("]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = run_into(&reports, &["--features", "/nonexistent/features"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn unreachable_backend_exits_3() {
    let reports = tempfile::tempdir().unwrap();
    let o = run_into(&reports, &["--backend", "http://127.0.0.1:1"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
}

#[test]
fn roots_are_kept_in_and_loaded_from_a_pki_dir() {
    let dir = tempfile::tempdir().unwrap();
    let pki = dir.path().join("pki");
    let (a, b) = (dir.path().join("a.der"), dir.path().join("b.der"));
    for (seed, out) in [("7", &a), ("8", &b)] {
        // The first call generates (seed 7) and saves; the second loads them, so the
        // seed no longer matters for the roots.
        let o = onshi(&[
            "cards",
            "export",
            "standard-adult",
            "--what",
            "auth-ca",
            "--out",
            out.to_str().unwrap(),
            "--seed",
            seed,
            "--pki-dir",
            pki.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    std::fs::write(pki.join("jpki-auth-root.der"), b"not a certificate").unwrap();
    let o = onshi(&[
        "cards",
        "export",
        "standard-adult",
        "--what",
        "auth-ca",
        "--out",
        a.to_str().unwrap(),
        "--pki-dir",
        pki.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}
