//! Every HTML page onshi writes, opened in headless Chromium as a user would: no
//! console error (nor warning, uncaught exception or failed load), nothing loaded from
//! elsewhere, in-page links that lead somewhere, its tables and charts present, every
//! character of its text drawable by an installed font, and a full-page screenshot
//! kept for review in `<target>/report-screenshots/<page>.png`.
//!
//! Chromium is driven over the DevTools protocol on a pipe (`report_html/cdp.rs`);
//! fonts are checked against fontconfig's charsets (`report_html/fonts.rs`). A new
//! page is one more entry in [`PAGES`]. `the_checks_fail_on_a_broken_page` proves the
//! checks can fail.
//!
//! Needs `chromium` and fontconfig (`scripts/test` installs chromium and
//! fonts-ipafont-gothic and sets `ONSHI_REQUIRE_CHROMIUM=1`); without chromium the
//! tests skip unless required.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

#[path = "report_html/cdp.rs"]
#[allow(dead_code)] // shared with tests/dashboard.rs, which uses other parts
mod cdp;
#[path = "report_html/fonts.rs"]
mod fonts;

use std::path::{Path, PathBuf};
use std::process::Command;

use cdp::{Browser, Visit};
use fonts::Coverage;

/// A page to check: how to make it, and what it must show.
struct Page {
    /// Its name (the screenshot is `<name>.png`).
    name: &'static str,
    /// Writes the page below the given directory; returns its path.
    make: fn(&Path) -> PathBuf,
    /// At least this many `<table>`s.
    tables: u64,
    /// At least this many drawn `<svg>` charts.
    charts: u64,
    /// Text it must contain.
    texts: &'static [&'static str],
    /// In-page links to follow, as CSS selectors: the first match of each is opened as
    /// a user's click would (a new load at its `#fragment`), the element it names must
    /// be shown, and the window is kept as `<name>-<fragment>.png`.
    follow: &'static [&'static str],
}

/// Every page onshi writes.
const PAGES: &[Page] = &[
    Page {
        name: "conformance",
        make: conformance_report,
        tables: 3,
        charts: 1,
        texts: &[
            "Requirements matrix",
            "FAQ-4-11",
            "Oracle verdicts",
            "exchange 1",
        ],
        follow: &[
            "table.verdicts a[href*='-exchange-']",
            "table.verdicts a[href*='-apdu-']",
            "table.verdicts a[href$='-result']",
        ],
    },
    Page {
        name: "load",
        make: load_report,
        tables: 4,
        charts: 7,
        texts: &[
            "SLOs met",
            "Schedule kept?",
            "Generator lateness",
            "percentile distribution",
            "SLO p99 ≤ 3000 ms",
        ],
        follow: &["nav a[href='#distributions']"],
    },
    Page {
        name: "index",
        make: run_index,
        tables: 1,
        charts: 0,
        texts: &["onshi runs", "conformance", "passed", "failed"],
        follow: &[],
    },
    Page {
        name: "conformance-diff",
        make: conformance_diff,
        tables: 3,
        charts: 0,
        texts: &["regressed", "FAQ-4-20", "A (baseline)"],
        follow: &[],
    },
    Page {
        name: "load-diff",
        make: load_diff,
        tables: 2,
        charts: 0,
        texts: &["no regression", "request.confirm-card p99", "within noise"],
        follow: &[],
    },
];

fn onshi() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_onshi"));
    c.env("ONSHI_LOG", "error");
    c
}

fn run_ok(c: &mut Command) {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{c:?}: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A conformance run of the PIN-lockout and face-failure scenarios.
fn conformance_report(dir: &Path) -> PathBuf {
    let root = dir.join("conformance");
    run_ok(
        onshi()
            .args(["run", "--tags", "@FAQ-4-11 or @FAQ-4-9", "--report-dir"])
            .arg(&root),
    );
    // The run directory, among the root's entries (a run index may sit beside it).
    let run = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.is_dir())
        .unwrap();
    run.join("report.html")
}

/// A smoke load run against the embedded backend, as `ROOT/smoke/`.
fn smoke_load(root: &Path) {
    run_ok(
        onshi()
            .args([
                "load",
                "--scenario",
                "smoke",
                "--no-progress",
                "--no-goose-report",
            ])
            .args(["--run-id", "smoke", "--report-dir"])
            .arg(root),
    );
}

/// A smoke load run against the embedded backend.
fn load_report(dir: &Path) -> PathBuf {
    let root = dir.join("load");
    smoke_load(&root);
    root.join("smoke/report.html")
}

/// Two conformance runs (the second with a defect) under one root: (root, A, B).
fn two_conformance_runs(dir: &Path, name: &str) -> (PathBuf, PathBuf, PathBuf) {
    let root = dir.join(name);
    for extra in [&[][..], &["--defect", "accept-my-number"][..]] {
        let out = onshi()
            .args(["run", "--tags", "@FAQ-4-20", "--report-dir"])
            .arg(&root)
            .args(extra)
            .output()
            .unwrap();
        assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    }
    let mut runs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    runs.sort_by_key(|p| std::fs::metadata(p).unwrap().modified().unwrap());
    (root, runs[0].clone(), runs[1].clone())
}

/// The run index of a report root holding a passed and a failed run.
fn run_index(dir: &Path) -> PathBuf {
    let (root, _, _) = two_conformance_runs(dir, "index");
    root.join("index.html")
}

/// `onshi report diff --format html` of a clean run and a run with a defect.
fn conformance_diff(dir: &Path) -> PathBuf {
    let (root, a, b) = two_conformance_runs(dir, "conformance-diff");
    let page = root.join("diff.html");
    run_ok(
        onshi()
            .args(["report", "diff", "--format", "html", "--out"])
            .arg(&page)
            .arg(&a)
            .arg(&b),
    );
    page
}

/// `onshi report diff --format html` of a smoke load run against itself.
fn load_diff(dir: &Path) -> PathBuf {
    let root = dir.join("load-diff");
    smoke_load(&root);
    let page = root.join("diff.html");
    let run = root.join("smoke");
    run_ok(
        onshi()
            .args(["report", "diff", "--format", "html", "--out"])
            .arg(&page)
            .arg(&run)
            .arg(&run),
    );
    page
}

/// Where screenshots are kept: `<target>/report-screenshots/`.
fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("report-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// What is wrong with a page as Chromium showed it.
fn problems(page: &Page, visit: &Visit, fonts: &Coverage) -> Vec<String> {
    let p = &visit.probe;
    let mut out: Vec<String> = visit
        .errors
        .iter()
        .map(|e| format!("console: {e}"))
        .collect();
    let count = |k: &str| p[k].as_u64().unwrap_or(0);
    if count("tables") < page.tables {
        out.push(format!(
            "{} tables, expected ≥ {}",
            count("tables"),
            page.tables
        ));
    }
    if count("charts") < page.charts {
        out.push(format!(
            "{} charts, expected ≥ {}",
            count("charts"),
            page.charts
        ));
    }
    for (what, key) in [
        ("loads from elsewhere", "external"),
        ("link to a missing anchor", "broken"),
    ] {
        for x in p[key].as_array().into_iter().flatten() {
            out.push(format!("{what}: {x}"));
        }
    }
    let text = p["text"].as_str().unwrap_or_default();
    for t in page.texts {
        if !text.contains(t) {
            out.push(format!("text missing: {t:?}"));
        }
    }
    let missing = fonts.undrawable(text);
    if !missing.is_empty() {
        let list: Vec<String> = missing
            .iter()
            .map(|c| format!("{c} U+{:04X}", u32::from(*c)))
            .collect();
        out.push(format!("no installed font draws: {}", list.join(", ")));
    }
    out
}

#[test]
fn every_page_opens_cleanly_in_chromium() {
    let Some(bin) = cdp::chromium() else { return };
    let fonts = Coverage::installed().unwrap();
    let work = tempfile::tempdir().unwrap();
    let made: Vec<PathBuf> = std::thread::scope(|s| {
        let jobs: Vec<_> = PAGES
            .iter()
            .map(|p| s.spawn(|| (p.make)(work.path())))
            .collect();
        jobs.into_iter().map(|j| j.join().unwrap()).collect()
    });
    let shots = screenshot_dir();
    let mut browser = Browser::launch(&bin).unwrap();
    let mut report = Vec::new();
    let mut failed = Vec::new();
    for (page, path) in PAGES.iter().zip(&made) {
        let shot = shots.join(format!("{}.png", page.name));
        let url = format!("file://{}", path.display());
        let visit = browser.visit(&url, &shot, page.follow).unwrap();
        let png = std::fs::read(&shot).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        for (selector, href) in page.follow.iter().zip(&visit.follow) {
            let Some(fragment) = href.as_deref().and_then(|h| h.strip_prefix('#')) else {
                failed.push(format!("{}: no link {selector}", page.name));
                continue;
            };
            let shot = shots.join(format!("{}-{fragment}.png", page.name));
            let there = browser
                .visit(&format!("{url}#{fragment}"), &shot, &[])
                .unwrap();
            if there.probe["target"] != serde_json::json!(true) {
                failed.push(format!(
                    "{}: #{fragment} is not shown when followed",
                    page.name
                ));
            }
            failed.extend(
                there
                    .errors
                    .iter()
                    .map(|e| format!("{}#{fragment}: {e}", page.name)),
            );
            report.push(format!(
                "{}: followed {selector} → {}",
                page.name,
                shot.display()
            ));
        }
        report.push(format!(
            "{}: {} tables, {} charts, {} distinct characters, {} bytes of PNG → {}",
            page.name,
            visit.probe["tables"],
            visit.probe["charts"],
            visit.probe["text"]
                .as_str()
                .unwrap_or_default()
                .chars()
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            png.len(),
            shot.display()
        ));
        for p in problems(page, &visit, &fonts) {
            failed.push(format!("{}: {p}", page.name));
        }
    }
    eprintln!(
        "screenshots (fonts: {} installed):\n{}",
        fonts.fonts,
        report.join("\n")
    );
    assert!(failed.is_empty(), "{failed:#?}");
}

#[test]
fn the_checks_fail_on_a_broken_page() {
    let Some(bin) = cdp::chromium() else { return };
    let fonts = Coverage::installed().unwrap();
    // The font check says what fontconfig says, character by character.
    for c in ['A', 'あ', '≤', '—', '✅', '\u{10FFFD}'] {
        assert_eq!(fonts.covers(c), fonts::fc_has(c), "{c:?}");
    }
    let emoji_font = fonts::fc_has('✅');
    if emoji_font {
        eprintln!("an emoji font is installed: ✅ is drawable here, U+10FFFD is not");
    }
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("broken.html");
    std::fs::write(
        &page,
        r##"<!DOCTYPE html><html><head><meta charset="utf-8"><title>broken</title></head>
<body><p>SLOs met ✅ &#x10FFFD;</p><a href="#nowhere">x</a><img src="missing.png">
<script>console.error("boom"); undefined_function();</script></body></html>"##,
    )
    .unwrap();
    let shot = dir.path().join("broken.png");
    let mut browser = Browser::launch(&bin).unwrap();
    let visit = browser
        .visit(&format!("file://{}", page.display()), &shot, &[])
        .unwrap();
    let spec = Page {
        name: "broken",
        make: |_| PathBuf::new(),
        tables: 1,
        charts: 1,
        texts: &["Requirements matrix"],
        follow: &[],
    };
    let found = problems(&spec, &visit, &fonts).join("\n");
    for expected in [
        "console.error: \"boom\"",
        "uncaught: ReferenceError: undefined_function is not defined",
        "missing.png",
        "loads from elsewhere",
        "link to a missing anchor: \"nowhere\"",
        "0 tables",
        "0 charts",
        "text missing: \"Requirements matrix\"",
        "U+10FFFD",
    ] {
        assert!(found.contains(expected), "{expected:?} not in:\n{found}");
    }
    assert_eq!(found.contains("✅ U+2705"), !emoji_font, "{found}");
}

#[test]
fn fontconfig_charsets_are_read_as_ranges() {
    let c = Coverage::parse("20-7e a0-ff\n3041-3096 30fc\n\n").unwrap();
    assert_eq!(c.fonts, 2);
    for ok in ['A', '~', 'é', 'あ', 'ー'] {
        assert!(c.covers(ok), "{ok}");
    }
    for missing in ['\u{7f}', 'ā', '✅', '\u{10FFFD}'] {
        assert!(!c.covers(missing), "{missing}");
    }
    let undrawable: Vec<char> = c
        .undrawable("SLOs met ✅\n\u{200B}あ")
        .into_iter()
        .collect();
    assert_eq!(undrawable, ['✅']);
    assert!(Coverage::parse("zz").is_err());
}
