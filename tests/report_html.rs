//! The HTML report renders in headless Chromium: the page has its title and the
//! requirements matrix, and a screenshot is taken.
//!
//! Needs `chromium` (`scripts/test` installs it and sets `ONSHI_REQUIRE_CHROMIUM=1`);
//! without it the test skips unless required.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
}

fn headless(bin: &Path, profile: &Path) -> Command {
    let mut c = Command::new(bin);
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,2000",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    c
}

#[test]
fn report_renders_with_title_and_matrix() {
    let Some(bin) = chromium() else {
        let required = std::env::var("ONSHI_REQUIRE_CHROMIUM").is_ok_and(|v| v == "1");
        assert!(!required, "chromium is required but not installed");
        eprintln!("skipping: no chromium");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_onshi"))
        .args(["run", "--tags", "@FAQ-4-11 or @FAQ-4-9", "--report-dir"])
        .arg(dir.path())
        .env("ONSHI_LOG", "error")
        .status()
        .unwrap();
    assert!(status.success());
    let run = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.is_dir())
        .unwrap();
    let html = run.join("report.html");
    let url = format!("file://{}", html.display());

    let profile = tempfile::tempdir().unwrap();
    let dom = headless(&bin, profile.path())
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("<title>onshi conformance report"),
        "title missing: {}",
        &dom[..dom.len().min(400)]
    );
    assert!(
        dom.contains(r#"<table id="matrix">"#),
        "matrix table missing"
    );
    assert!(dom.contains("FAQ-4-11"), "the matrix lists FAQ-4-11");

    let shot = dir.path().join("report.png");
    let out = headless(&bin, profile.path())
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&url)
        .output()
        .unwrap();
    let png = std::fs::read(&shot)
        .unwrap_or_else(|_| panic!("no screenshot: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert!(png.len() > 20_000, "a blank page? {} bytes", png.len());
}
