//! The run index: every run directory under a report root, newest first, with its
//! kind, start, systems under test, headline figures and verdict — as
//! `<root>/index.html` (rewritten atomically after each run) and as text for
//! `onshi report list`.
//!
//! Summaries are read as JSON values, so one index covers conformance and load runs
//! alike (this crate does not know the load summary's types) and a run directory it
//! cannot read is listed as such, never an error.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use super::svg::esc;

/// The kind of a run directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunKind {
    /// `onshi run`.
    Conformance,
    /// `onshi load` (or a merge of shards).
    Load,
    /// A directory whose `summary.json` is missing or not a summary onshi writes.
    Unknown,
}

impl RunKind {
    /// The kind of a parsed `summary.json`.
    pub fn of(summary: &Value) -> Self {
        if summary.get("matrix").is_some() && summary.get("totals").is_some() {
            Self::Conformance
        } else if summary.get("counters").is_some() && summary.get("format").is_some() {
            Self::Load
        } else {
            Self::Unknown
        }
    }

    /// `conformance`, `load`, `?`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Conformance => "conformance",
            Self::Load => "load",
            Self::Unknown => "?",
        }
    }
}

/// One run in the index.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IndexEntry {
    /// The run directory's name (its run id).
    pub id: String,
    /// Conformance or load.
    pub kind: RunKind,
    /// When it started (local time, as the run wrote it).
    pub started_at: String,
    /// The systems under test (`backend …`, `reader …`).
    pub systems: String,
    /// The headline figures.
    pub headline: String,
    /// `passed`, `failed`, `interrupted`, `partial` or `unreadable`.
    pub verdict: String,
}

/// The entry of one run directory named `id` whose `summary.json` parsed to `summary`
/// (`None`: missing or unreadable).
pub fn entry(id: &str, summary: Option<&Value>) -> IndexEntry {
    let Some(s) = summary else {
        return IndexEntry {
            id: id.to_owned(),
            kind: RunKind::Unknown,
            started_at: String::new(),
            systems: String::new(),
            headline: String::new(),
            verdict: "unreadable".into(),
        };
    };
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let num = |v: &Value| v.as_u64().unwrap_or(0);
    let kind = RunKind::of(s);
    match kind {
        RunKind::Conformance => {
            let run = &s["run"];
            let t = &s["totals"];
            let verdict = if run.get("interrupted").is_some_and(|v| !v.is_null()) {
                "interrupted"
            } else if run["complete"] != Value::Bool(true) {
                "partial"
            } else if num(&t["failed"]) == 0 && (num(&t["skipped"]) == 0 || num(&t["passed"]) > 0) {
                "passed"
            } else {
                "failed"
            };
            IndexEntry {
                id: id.to_owned(),
                kind,
                started_at: text(&run["started_at"]),
                systems: format!(
                    "backend {} · reader {}",
                    text(&run["backend"]),
                    text(&run["reader"])
                ),
                headline: format!(
                    "{} passed, {} failed, {} skipped",
                    num(&t["passed"]),
                    num(&t["failed"]),
                    num(&t["skipped"])
                ),
                verdict: verdict.into(),
            }
        }
        RunKind::Load => {
            let c = &s["counters"];
            let duration = s["duration_s"].as_f64().unwrap_or(0.0);
            let rate = if duration > 0.0 {
                num(&c["completed"]) as f64 / duration
            } else {
                0.0
            };
            let p99 = s["latency"]["response.visit"]["p99_ms"].as_f64();
            let verdict = if s["interrupted"] == Value::Bool(true) {
                "interrupted"
            } else if s["passed"] == Value::Bool(true) {
                "passed"
            } else {
                "failed"
            };
            IndexEntry {
                id: id.to_owned(),
                kind,
                started_at: text(&s["started_at"]),
                systems: format!("backend {}", text(&s["backend"])),
                headline: format!(
                    "{} · {} visits, {rate:.0}/s{} · {} failures, {} errors",
                    text(&s["scenario"]["name"]),
                    num(&c["completed"]),
                    p99.map(|p| format!(" · p99 {p:.0} ms")).unwrap_or_default(),
                    num(&c["with_failure"]),
                    num(&c["with_error"]),
                ),
                verdict: verdict.into(),
            }
        }
        RunKind::Unknown => IndexEntry {
            verdict: "unreadable".into(),
            ..entry(id, None)
        },
    }
}

/// Every run directory under `root` (a directory holding `summary.json`, or any
/// directory at all: one without a readable summary is listed as unreadable), newest
/// first.
pub fn scan(root: &Path) -> std::io::Result<Vec<IndexEntry>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(root)? {
        let e = e?;
        if !e.file_type()?.is_dir() {
            continue;
        }
        let id = e.file_name().to_string_lossy().into_owned();
        if id.starts_with('.') {
            continue;
        }
        let summary = std::fs::read(e.path().join("summary.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok());
        out.push(entry(&id, summary.as_ref()));
    }
    sort(&mut out);
    Ok(out)
}

/// Newest first (by start, then id).
pub fn sort(entries: &mut [IndexEntry]) {
    entries.sort_by(|a, b| (&b.started_at, &b.id).cmp(&(&a.started_at, &a.id)));
}

/// The index as a plain table (`onshi report list`).
pub fn text(entries: &[IndexEntry]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<19}  {:<11}  {:<11}  {:<40}  figures · systems",
        "started", "kind", "verdict", "run"
    );
    for e in entries {
        let _ = writeln!(
            out,
            "{:<19}  {:<11}  {:<11}  {:<40}  {} · {}",
            e.started_at,
            e.kind.name(),
            e.verdict,
            e.id,
            e.headline,
            e.systems
        );
    }
    out
}

/// The index as a self-contained page linking each run's `report.html`.
pub fn html(entries: &[IndexEntry]) -> String {
    let mut h = String::from(
        r#"<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>onshi runs</title><style>
body{font-family:"IPAGothic","IPAPGothic","Noto Sans CJK JP",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f3f3f3}.passed{color:#116611;font-weight:bold}.failed{color:#b00020;font-weight:bold}
.interrupted,.partial,.unreadable{color:#8a5a00;font-weight:bold}.muted{color:#666}
</style></head><body><h1>onshi runs</h1>"#,
    );
    let _ = write!(
        h,
        r#"<p class="muted">{} runs, newest first. Compare two with <code>onshi report diff A B</code>.</p><table id="runs"><thead><tr><th>started</th><th>kind</th><th>verdict</th><th>run</th><th>figures</th><th>systems under test</th></tr></thead><tbody>"#,
        entries.len()
    );
    for e in entries {
        let _ = write!(
            h,
            r#"<tr><td>{}</td><td>{}</td><td class="{}">{}</td><td><a href="{}/report.html">{}</a></td><td>{}</td><td>{}</td></tr>"#,
            esc(&e.started_at),
            e.kind.name(),
            esc(&e.verdict),
            esc(&e.verdict),
            esc(&e.id),
            esc(&e.id),
            esc(&e.headline),
            esc(&e.systems)
        );
    }
    h.push_str("</tbody></table></body></html>\n");
    h
}

/// Rewrites `<root>/index.html` from the run directories under `root`, atomically.
pub fn write(root: &Path) -> std::io::Result<()> {
    let entries = scan(root)?;
    onshi_support::fsutil::write_atomic(&root.join("index.html"), html(&entries).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conformance(passed: u64, failed: u64, interrupted: bool) -> Value {
        serde_json::json!({
            "run": {"run_id": "x", "started_at": "2026-12-04T09:00:00", "backend": "embedded",
                    "reader": "builtin", "complete": !interrupted,
                    "interrupted": if interrupted { Value::from("SIGINT") } else { Value::Null }},
            "totals": {"passed": passed, "failed": failed, "skipped": 0},
            "matrix": [], "scenarios": []
        })
    }

    #[test]
    fn entries_carry_kind_figures_and_verdict() {
        let e = entry("a", Some(&conformance(3, 0, false)));
        assert_eq!(
            (e.kind, e.verdict.as_str()),
            (RunKind::Conformance, "passed")
        );
        assert_eq!(e.headline, "3 passed, 0 failed, 0 skipped");
        assert_eq!(
            entry("b", Some(&conformance(3, 1, false))).verdict,
            "failed"
        );
        assert_eq!(
            entry("c", Some(&conformance(3, 0, true))).verdict,
            "interrupted"
        );
        let load = serde_json::json!({
            "format": 1, "run_id": "l", "started_at": "2026-12-04T10:00:00", "backend": "embedded",
            "scenario": {"name": "smoke"}, "duration_s": 10.0, "passed": true, "interrupted": false,
            "counters": {"completed": 500, "with_failure": 0, "with_error": 2},
            "latency": {"response.visit": {"p99_ms": 12.4}}
        });
        let l = entry("l", Some(&load));
        assert_eq!((l.kind, l.verdict.as_str()), (RunKind::Load, "passed"));
        assert_eq!(
            l.headline,
            "smoke · 500 visits, 50/s · p99 12 ms · 0 failures, 2 errors"
        );
        assert_eq!(entry("u", None).verdict, "unreadable");
    }

    #[test]
    fn newest_first_and_every_run_linked() {
        let mut v = vec![
            entry("old", Some(&conformance(1, 0, false))),
            IndexEntry {
                started_at: "2026-12-05T00:00:00".into(),
                ..entry("new", Some(&conformance(1, 0, false)))
            },
        ];
        sort(&mut v);
        assert_eq!(v[0].id, "new");
        let page = html(&v);
        assert!(page.contains(r#"<a href="new/report.html">"#));
        assert!(page.contains(r#"<a href="old/report.html">"#));
        assert!(text(&v).lines().nth(1).is_some_and(|l| l.contains("new")));
    }
}
