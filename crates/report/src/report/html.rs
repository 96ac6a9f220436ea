//! The self-contained HTML conformance report: inline CSS and SVG, no scripts, no
//! network — it opens offline and renders the same in any browser.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use super::model::{
    ConformanceReport, Coverage, Evidence, MatrixRow, ScenarioResult, Status, StepResult, Totals,
};
use super::svg::{esc, stacked_bars};
use onshi_card::card::ApduTrace;
use onshi_world::oracle::Verdict;

const STYLE: &str = r#"
body{font-family:system-ui,"Hiragino Sans","Noto Sans CJK JP",sans-serif;margin:2em;color:#222;max-width:1200px}
h1{font-size:1.6em}h2{margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;font-size:.9em}th,td{border:1px solid #ddd;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#f4f4f4}.pass{color:#2e7d32;font-weight:bold}.fail{color:#c62828;font-weight:bold}.muted{color:#888}
.cards{display:flex;gap:1em;flex-wrap:wrap}.card{border:1px solid #ddd;border-radius:6px;padding:.6em 1em;min-width:9em}
.card b{font-size:1.6em;display:block}details{margin:.4em 0;border:1px solid #eee;border-radius:4px;padding:.3em .6em}
summary{cursor:pointer}pre{background:#f8f8f8;padding:.5em;overflow:auto;font-size:.8em;max-height:24em}
.critical{background:#ffebee}
"#;

fn status_class(s: Status) -> (&'static str, &'static str) {
    match s {
        Status::Passed => ("pass", "PASS"),
        Status::Failed => ("fail", "FAIL"),
        Status::Skipped => ("muted", "SKIP"),
    }
}

fn coverage_cell(c: Coverage) -> &'static str {
    match c {
        Coverage::Passed => r#"<span class="pass">pass</span>"#,
        Coverage::Failed => r#"<span class="fail">fail</span>"#,
        Coverage::NotRun => r#"<span class="muted">not run</span>"#,
        Coverage::NotCovered => r#"<span class="fail">not covered</span>"#,
        Coverage::Informational => r#"<span class="muted">informational</span>"#,
    }
}

/// One scenario as a `<details>` block: summary line, steps, verdicts and evidence.
fn scenario_section(s: &ScenarioResult, id: usize) -> String {
    let (class, label) = status_class(s.status);
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<details id="s{id}"{}><summary><span class="{class}">{label}</span> {} <span class="muted">{} · {}:{} · {} ms</span></summary>"#,
        if s.status == Status::Failed {
            " open"
        } else {
            ""
        },
        esc(&s.name),
        esc(&s
            .tags
            .iter()
            .map(|t| format!("@{t}"))
            .collect::<Vec<_>>()
            .join(" ")),
        esc(&s.file),
        s.line,
        s.duration_ms
    );
    steps_table(&mut h, &s.steps);
    if !s.verdicts.is_empty() {
        verdicts_table(&mut h, &s.verdicts);
    }
    evidence(&mut h, &s.evidence);
    h.push_str("</details>");
    h
}

/// The table of a scenario's steps, with each failed step's error.
fn steps_table(h: &mut String, steps: &[StepResult]) {
    h.push_str("<table><tr><th>step</th><th>result</th></tr>");
    for st in steps {
        let (c, l) = status_class(st.status);
        let err = st
            .error
            .as_deref()
            .map(|e| format!("<pre>{}</pre>", esc(e)))
            .unwrap_or_default();
        let _ = write!(
            h,
            r#"<tr><td>{} {}{err}</td><td class="{c}">{l}</td></tr>"#,
            esc(&st.keyword),
            esc(&st.text)
        );
    }
    h.push_str("</table>");
}

/// The table of the oracle's verdicts, critical failures highlighted.
fn verdicts_table(h: &mut String, verdicts: &[Verdict]) {
    h.push_str(
        "<h4>Oracle verdicts</h4><table><tr><th>check</th><th>result</th><th>finding</th></tr>",
    );
    for v in verdicts {
        let row_class = if v.is_critical_failure() {
            r#" class="critical""#
        } else {
            ""
        };
        let (c, l) = if v.passed {
            ("pass", "PASS")
        } else {
            (
                "fail",
                if v.check.critical() {
                    "CRITICAL"
                } else {
                    "FAIL"
                },
            )
        };
        let ev = if v.evidence.is_empty() {
            String::new()
        } else {
            format!("<pre>{}</pre>", esc(&v.evidence.join("\n")))
        };
        let _ = write!(
            h,
            r#"<tr{row_class}><td>{} <span class="muted">{}</span></td><td class="{c}">{l}</td><td>{}{ev}</td></tr>"#,
            esc(v.check.label_ja()),
            esc(&v.check.to_string()),
            esc(&v.message)
        );
    }
    h.push_str("</table>");
}

/// A scenario's evidence: clinic decision, APDU trace, exchanges and result XML.
fn evidence(h: &mut String, e: &Evidence) {
    if let Some(c) = &e.clinic {
        let _ = write!(h, "<h4>Clinic decision</h4><pre>{}</pre>", esc(c));
    }
    if let Some(trace) = &e.apdu_trace
        && !trace.entries.is_empty()
    {
        apdu_trace(h, trace);
    }
    for x in &e.exchanges {
        let _ = write!(
            h,
            "<details><summary>{}</summary><b>request</b><pre>{}</pre><b>response</b><pre>{}</pre></details>",
            esc(&x.label),
            esc(&x.request),
            esc(&x.response)
        );
    }
    if let Some(xml) = &e.result_xml {
        let _ = write!(
            h,
            "<details><summary>result XML</summary><pre>{}</pre></details>",
            esc(xml)
        );
    }
}

/// The APDU trace as a collapsed table (responses cut at 120 characters).
fn apdu_trace(h: &mut String, trace: &ApduTrace) {
    let _ = write!(
        h,
        "<details><summary>APDU trace ({} commands)</summary><table><tr><th>#</th><th>meaning</th><th>command</th><th>response</th></tr>",
        trace.entries.len()
    );
    for t in &trace.entries {
        let resp = if t.response.len() > 120 {
            format!("{} …", &t.response[..120])
        } else {
            t.response.clone()
        };
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td><code>{}</code></td></tr>",
            t.seq,
            esc(&t.meaning),
            esc(&t.command),
            esc(&resp)
        );
    }
    h.push_str("</table></details>");
}

/// Writes the HTML report.
pub fn write(report: &ConformanceReport, out: &mut dyn Write) -> io::Result<()> {
    let mut h = String::new();
    head_and_title(&mut h, report);
    total_cards(&mut h, &report.totals);
    feature_chart(&mut h, &report.scenarios);
    requirements_matrix(&mut h, &report.matrix);
    h.push_str("<h2>Scenarios and evidence</h2>");
    for (i, s) in report.scenarios.iter().enumerate() {
        h.push_str(&scenario_section(s, i));
    }
    h.push_str("</body></html>\n");
    out.write_all(h.as_bytes())
}

/// The document head and the title with the verdict and the run's facts.
fn head_and_title(h: &mut String, report: &ConformanceReport) {
    let r = &report.run;
    let verdict = report.headline();
    let _ = write!(
        h,
        r#"<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>onshi conformance report {}</title><style>{STYLE}</style></head><body>"#,
        esc(&r.run_id)
    );
    let _ = write!(
        h,
        r#"<h1>onshi conformance report — <span class="{}">{}</span></h1><p class="muted">run {} · onshi {} · seed {} · as-of {} · backend {} · reader {} · started {}{}{}</p>"#,
        if report.passed() { "pass" } else { "fail" },
        esc(&verdict),
        esc(&r.run_id),
        esc(&r.onshi_version),
        r.seed,
        esc(&r.as_of),
        esc(&r.backend),
        esc(&r.reader),
        esc(&r.started_at),
        if r.defects.is_empty() {
            String::new()
        } else {
            format!(" · defects {}", esc(&r.defects.join(", ")))
        },
        report
            .partial_note()
            .map(|n| format!(" · <b>{}</b>", esc(&n)))
            .unwrap_or_default()
    );
}

/// The totals as cards.
fn total_cards(h: &mut String, t: &Totals) {
    h.push_str(r#"<div class="cards">"#);
    for (label, value, bad) in t.cells() {
        let class = match (bad, value == "0") {
            (true, _) => "fail",
            (false, _) if label == "scenarios passed" => "pass",
            _ => "",
        };
        let _ = write!(
            h,
            r#"<div class="card"><b class="{class}">{value}</b>{label}</div>"#
        );
    }
    h.push_str("</div>");
}

/// The per-feature chart of passed, failed and skipped scenarios.
fn feature_chart(h: &mut String, scenarios: &[ScenarioResult]) {
    let mut by_feature: BTreeMap<&str, [f64; 3]> = BTreeMap::new();
    for s in scenarios {
        let e = by_feature.entry(&s.feature).or_default();
        match s.status {
            Status::Passed => e[0] += 1.0,
            Status::Failed => e[1] += 1.0,
            Status::Skipped => e[2] += 1.0,
        }
    }
    let cats: Vec<String> = by_feature.keys().map(|k| (*k).to_owned()).collect();
    let series = [
        ("passed", by_feature.values().map(|v| v[0]).collect()),
        ("failed", by_feature.values().map(|v| v[1]).collect()),
        ("skipped", by_feature.values().map(|v| v[2]).collect()),
    ];
    let _ = write!(
        h,
        "<h2>Scenarios by feature</h2>{}",
        stacked_bars("scenarios per feature", &cats, &series)
    );
}

/// The requirements matrix: one row per requirement, its scenarios and coverage.
fn requirements_matrix(h: &mut String, matrix: &[MatrixRow]) {
    h.push_str(r#"<h2>Requirements matrix</h2><table id="matrix"><tr><th>ID</th><th>kind</th><th>question (seed)</th><th>scenarios</th><th>verdict</th></tr>"#);
    for m in matrix {
        let scen: Vec<String> = m
            .scenarios
            .iter()
            .map(|(name, st)| {
                let (c, l) = status_class(*st);
                format!(r#"<span class="{c}">{l}</span> {}"#, esc(name))
            })
            .collect();
        let _ = write!(
            h,
            r#"<tr><td><b>{}</b>{}</td><td>{}</td><td>{}<br><span class="muted">{}</span></td><td>{}</td><td>{}</td></tr>"#,
            esc(&m.id),
            if m.onshi {
                r#"<br><span class="muted">onshi 独自</span>"#
            } else {
                ""
            },
            esc(&m.kind),
            esc(&m.question),
            esc(&m.summary_ja),
            scen.join("<br>"),
            coverage_cell(m.coverage)
        );
    }
    h.push_str("</table>");
}
