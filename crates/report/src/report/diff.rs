//! Two conformance runs compared (`onshi report diff A B`): requirements whose
//! coverage changed, scenarios whose verdict changed, new and vanished scenarios, under
//! the systems each run judged. A regression is a requirement or a scenario that
//! passed in A and fails in B, or a new scenario that fails.
//!
//! Scenarios are matched by feature file and name (an outline row's name carries its
//! example values), not by line, so an edit above a scenario does not count as a
//! change; a name that occurs several times in a file is matched by occurrence.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::model::{ConformanceReport, Coverage, Status};
use super::svg::esc;

/// One side of the comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Side {
    /// Run id.
    pub run_id: String,
    /// Backend under test.
    pub backend: String,
    /// Reader under test.
    pub reader: String,
    /// Seed.
    pub seed: u64,
    /// As-of.
    pub as_of: String,
    /// The headline (`PASSED`, `FAILED`, `INTERRUPTED (SIGINT)`).
    pub headline: String,
}

/// A requirement whose coverage changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequirementChange {
    /// The ID.
    pub id: String,
    /// Coverage in A (`None`: not in A's catalogue).
    pub before: Option<Coverage>,
    /// Coverage in B.
    pub after: Option<Coverage>,
    /// Passed (or not failed) before, failed now.
    pub regression: bool,
}

/// A scenario whose verdict changed, or that is new or vanished.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScenarioChange {
    /// Feature file.
    pub file: String,
    /// Scenario name.
    pub name: String,
    /// Status in A (`None`: new in B).
    pub before: Option<Status>,
    /// Status in B (`None`: vanished).
    pub after: Option<Status>,
    /// Passed before and failed now, or new and failing.
    pub regression: bool,
}

/// The comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConformanceDiff {
    /// Run A (the baseline).
    pub a: Side,
    /// Run B.
    pub b: Side,
    /// Requirements whose coverage changed.
    pub requirements: Vec<RequirementChange>,
    /// Scenarios whose verdict changed, new ones and vanished ones.
    pub scenarios: Vec<ScenarioChange>,
    /// Scenarios compared (in both runs).
    pub compared: usize,
}

impl ConformanceDiff {
    /// Whether anything got worse.
    pub fn regressed(&self) -> bool {
        self.requirements.iter().any(|r| r.regression)
            || self.scenarios.iter().any(|s| s.regression)
    }

    /// Whether nothing changed at all.
    pub fn unchanged(&self) -> bool {
        self.requirements.is_empty() && self.scenarios.is_empty()
    }
}

fn side(r: &ConformanceReport) -> Side {
    Side {
        run_id: r.run.run_id.clone(),
        backend: r.run.backend.clone(),
        reader: r.run.reader.clone(),
        seed: r.run.seed,
        as_of: r.run.as_of.clone(),
        headline: r.headline(),
    }
}

/// Scenarios keyed by (file, name, occurrence).
fn keyed(r: &ConformanceReport) -> BTreeMap<(String, String, usize), Status> {
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for s in &r.scenarios {
        let n = seen.entry((s.file.clone(), s.name.clone())).or_default();
        out.insert((s.file.clone(), s.name.clone(), *n), s.status);
        *n += 1;
    }
    out
}

/// Compares A (the baseline) with B.
pub fn diff(a: &ConformanceReport, b: &ConformanceReport) -> ConformanceDiff {
    let before: BTreeMap<&str, Coverage> = a
        .matrix
        .iter()
        .map(|m| (m.id.as_str(), m.coverage))
        .collect();
    let after: BTreeMap<&str, Coverage> = b
        .matrix
        .iter()
        .map(|m| (m.id.as_str(), m.coverage))
        .collect();
    let mut ids: Vec<&str> = before.keys().chain(after.keys()).copied().collect();
    ids.sort_unstable();
    ids.dedup();
    let requirements = ids
        .into_iter()
        .filter_map(|id| {
            let (x, y) = (before.get(id).copied(), after.get(id).copied());
            (x != y).then(|| RequirementChange {
                id: id.to_owned(),
                before: x,
                after: y,
                regression: y == Some(Coverage::Failed) && x != Some(Coverage::Failed),
            })
        })
        .collect();
    let (ka, kb) = (keyed(a), keyed(b));
    let mut scenarios = Vec::new();
    let mut compared = 0;
    for (key, x) in &ka {
        match kb.get(key) {
            Some(y) => {
                compared += 1;
                if x != y {
                    scenarios.push(ScenarioChange {
                        file: key.0.clone(),
                        name: key.1.clone(),
                        before: Some(*x),
                        after: Some(*y),
                        regression: *y == Status::Failed,
                    });
                }
            }
            None => scenarios.push(ScenarioChange {
                file: key.0.clone(),
                name: key.1.clone(),
                before: Some(*x),
                after: None,
                regression: false,
            }),
        }
    }
    for (key, y) in &kb {
        if !ka.contains_key(key) {
            scenarios.push(ScenarioChange {
                file: key.0.clone(),
                name: key.1.clone(),
                before: None,
                after: Some(*y),
                regression: *y == Status::Failed,
            });
        }
    }
    ConformanceDiff {
        a: side(a),
        b: side(b),
        requirements,
        scenarios,
        compared,
    }
}

fn coverage(c: Option<Coverage>) -> &'static str {
    match c {
        None => "—",
        Some(Coverage::Passed) => "passed",
        Some(Coverage::Failed) => "failed",
        Some(Coverage::NotRun) => "not run",
        Some(Coverage::NotCovered) => "not covered",
        Some(Coverage::Informational) => "information",
    }
}

fn status(s: Option<Status>) -> &'static str {
    match s {
        None => "—",
        Some(Status::Passed) => "passed",
        Some(Status::Failed) => "failed",
        Some(Status::Skipped) => "skipped",
    }
}

fn mark(regression: bool) -> &'static str {
    if regression { "REGRESSION" } else { "" }
}

/// Markdown, for a pull-request comment.
pub fn markdown(d: &ConformanceDiff) -> String {
    let mut m = String::new();
    let _ = writeln!(
        m,
        "# onshi report diff — conformance — {}\n",
        if d.regressed() {
            "REGRESSED"
        } else if d.unchanged() {
            "no change"
        } else {
            "changed, no regression"
        }
    );
    m.push_str(&sides_markdown(&sides(d)));
    let _ = writeln!(m, "{} scenarios in both runs compared.\n", d.compared);
    if !d.requirements.is_empty() {
        let _ = writeln!(m, "## Requirements\n\n| ID | A | B | |\n|---|---|---|---|");
        for r in &d.requirements {
            let _ = writeln!(
                m,
                "| {} | {} | {} | {} |",
                r.id,
                coverage(r.before),
                coverage(r.after),
                mark(r.regression)
            );
        }
        m.push('\n');
    }
    if !d.scenarios.is_empty() {
        let _ = writeln!(
            m,
            "## Scenarios\n\n| file | scenario | A | B | |\n|---|---|---|---|---|"
        );
        for s in &d.scenarios {
            let _ = writeln!(
                m,
                "| {} | {} | {} | {} | {} |",
                s.file,
                s.name.replace('|', "\\|"),
                status(s.before),
                status(s.after),
                mark(s.regression)
            );
        }
    }
    m
}

/// A self-contained page.
pub fn html(d: &ConformanceDiff) -> String {
    let mut h = format!(
        r#"<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>onshi report diff {} → {}</title><style>{STYLE}</style></head><body><h1>onshi report diff — conformance — <span class="{}">{}</span></h1>"#,
        esc(&d.a.run_id),
        esc(&d.b.run_id),
        if d.regressed() { "bad" } else { "good" },
        if d.regressed() {
            "regressed"
        } else if d.unchanged() {
            "no change"
        } else {
            "changed, no regression"
        }
    );
    h.push_str(&sides_html(&sides(d)));
    let _ = write!(h, "<p>{} scenarios in both runs compared.</p>", d.compared);
    if !d.requirements.is_empty() {
        h.push_str(r#"<h2>Requirements</h2><table id="requirements"><tr><th>ID</th><th>A</th><th>B</th><th></th></tr>"#);
        for r in &d.requirements {
            let _ = write!(
                h,
                r#"<tr class="{}"><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"#,
                if r.regression { "bad" } else { "" },
                esc(&r.id),
                coverage(r.before),
                coverage(r.after),
                mark(r.regression)
            );
        }
        h.push_str("</table>");
    }
    if !d.scenarios.is_empty() {
        h.push_str(r#"<h2>Scenarios</h2><table id="scenarios"><tr><th>file</th><th>scenario</th><th>A</th><th>B</th><th></th></tr>"#);
        for s in &d.scenarios {
            let _ = write!(
                h,
                r#"<tr class="{}"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"#,
                if s.regression { "bad" } else { "" },
                esc(&s.file),
                esc(&s.name),
                status(s.before),
                status(s.after),
                mark(s.regression)
            );
        }
        h.push_str("</table>");
    }
    h.push_str("</body></html>\n");
    h
}

/// The table of the two runs side by side, as Markdown: one row per (label, A, B).
pub fn sides_markdown(rows: &[(&str, String, String)]) -> String {
    let mut m = String::from("| | A (baseline) | B |\n|---|---|---|\n");
    for (label, a, b) in rows {
        let _ = writeln!(
            m,
            "| {label} | {} | {} |",
            a.replace('|', "\\|"),
            b.replace('|', "\\|")
        );
    }
    m.push('\n');
    m
}

/// The table of the two runs side by side, as HTML (`<table id="runs">`).
pub fn sides_html(rows: &[(&str, String, String)]) -> String {
    let mut h =
        String::from(r#"<table id="runs"><tr><th></th><th>A (baseline)</th><th>B</th></tr>"#);
    for (label, a, b) in rows {
        // Markdown code marks (`run id`) are not shown on the page.
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(label),
            esc(a.trim_matches('`')),
            esc(b.trim_matches('`'))
        );
    }
    h.push_str("</table>");
    h
}

fn sides(d: &ConformanceDiff) -> Vec<(&'static str, String, String)> {
    vec![
        (
            "run",
            format!("`{}`", d.a.run_id),
            format!("`{}`", d.b.run_id),
        ),
        ("verdict", d.a.headline.clone(), d.b.headline.clone()),
        ("backend", d.a.backend.clone(), d.b.backend.clone()),
        ("reader", d.a.reader.clone(), d.b.reader.clone()),
        (
            "seed · as-of",
            format!("{} · {}", d.a.seed, d.a.as_of),
            format!("{} · {}", d.b.seed, d.b.as_of),
        ),
    ]
}

/// The page style of every diff page (conformance and load).
pub const STYLE: &str = r#"body{font-family:"IPAGothic","IPAPGothic","Noto Sans CJK JP",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}
th{background:#f3f3f3}.bad,.bad td{color:#b00020;font-weight:bold}.good{color:#116611}.muted{color:#666}"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::{Evidence, RunInfo, ScenarioResult};

    fn scenario(name: &str, status: Status, tags: &[&str]) -> ScenarioResult {
        ScenarioResult {
            feature: "f".into(),
            file: "features/a.feature".into(),
            name: name.into(),
            line: 3,
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            status,
            steps: Vec::new(),
            verdicts: Vec::new(),
            evidence: Evidence::default(),
            duration_ms: 1,
        }
    }

    fn report(scenarios: Vec<ScenarioResult>) -> ConformanceReport {
        ConformanceReport::new(
            RunInfo {
                run_id: "r".into(),
                complete: true,
                ..RunInfo::default()
            },
            scenarios,
        )
    }

    #[test]
    fn the_same_run_twice_is_no_change() {
        let a = report(vec![scenario("x", Status::Passed, &["FAQ-4-11"])]);
        let d = diff(&a, &a.clone());
        assert!(d.unchanged() && !d.regressed(), "{d:?}");
        assert_eq!(d.compared, 1);
    }

    #[test]
    fn a_scenario_that_fails_now_is_a_regression_of_its_requirement() {
        let a = report(vec![
            scenario("x", Status::Passed, &["FAQ-4-11"]),
            scenario("gone", Status::Passed, &[]),
        ]);
        let b = report(vec![
            scenario("x", Status::Failed, &["FAQ-4-11"]),
            scenario("new", Status::Failed, &[]),
        ]);
        let d = diff(&a, &b);
        assert!(d.regressed());
        let req = d.requirements.iter().find(|r| r.id == "FAQ-4-11").unwrap();
        assert!(req.regression && req.after == Some(Coverage::Failed));
        let names: Vec<(&str, bool)> = d
            .scenarios
            .iter()
            .map(|s| (s.name.as_str(), s.regression))
            .collect();
        assert_eq!(names, vec![("gone", false), ("x", true), ("new", true)]);
        let md = markdown(&d);
        assert!(
            md.contains("REGRESSED") && md.contains("| FAQ-4-11 | passed | failed | REGRESSION |"),
            "{md}"
        );
        assert!(html(&d).contains(r#"<table id="scenarios">"#));
    }
}
