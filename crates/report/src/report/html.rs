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

const STYLE: &str = r#"
body{font-family:system-ui,"Hiragino Sans","Noto Sans CJK JP",sans-serif;margin:2em;color:#222;max-width:1200px}
h1{font-size:1.6em}h2{margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;font-size:.9em}th,td{border:1px solid #ddd;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#f4f4f4}.pass{color:#2e7d32;font-weight:bold}.fail{color:#c62828;font-weight:bold}.muted{color:#888}
.cards{display:flex;gap:1em;flex-wrap:wrap}.card{border:1px solid #ddd;border-radius:6px;padding:.6em 1em;min-width:9em}
.card b{font-size:1.6em;display:block}details{margin:.4em 0;border:1px solid #eee;border-radius:4px;padding:.3em .6em}
summary{cursor:pointer}pre{background:#f8f8f8;padding:.5em;overflow:auto;font-size:.8em;max-height:24em}
.critical{background:#ffebee}:target{outline:3px solid #1565c0;background:#e3f2fd}td.ev a{white-space:nowrap}
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
        verdicts_table(&mut h, s, id);
    }
    evidence(&mut h, &s.evidence, id);
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

/// The table of the oracle's verdicts, critical failures highlighted, each with links
/// to the evidence that decided it (scenario `id`'s anchors, see [`evidence`]).
fn verdicts_table(h: &mut String, s: &ScenarioResult, id: usize) {
    h.push_str(
        "<h4>Oracle verdicts</h4><table class=\"verdicts\"><tr><th>check</th><th>result</th><th>finding</th><th>evidence</th></tr>",
    );
    for (k, v) in s.verdicts.iter().enumerate() {
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
            r#"<tr id="s{id}-verdict-{}"{row_class}><td>{} <span class="muted">{}</span></td><td class="{c}">{l}</td><td>{}{ev}</td><td class="ev">{}</td></tr>"#,
            k + 1,
            esc(v.check.label_ja()),
            esc(&v.check.to_string()),
            esc(&v.message),
            evidence_links(s, k, id)
        );
    }
    h.push_str("</table>");
}

/// Links from the verdict at `k` to its evidence: its visit's exchanges (by label), the
/// first of its APDUs, its result file and its clinic decision.
fn evidence_links(s: &ScenarioResult, k: usize, id: usize) -> String {
    let refs = s.evidence_of(k);
    let mut links = Vec::new();
    if let Some(v) = refs.visit {
        links.push(format!(r#"<span class="muted">visit {}:</span>"#, v + 1));
    }
    for n in refs.exchanges.clone() {
        let label = s.evidence.exchanges.get(n).map_or("", |x| x.label.as_str());
        links.push(format!(
            r##"<a href="#s{id}-exchange-{}">{}</a>"##,
            n + 1,
            esc(label)
        ));
    }
    if !refs.apdus.is_empty() {
        links.push(format!(
            r##"<a href="#s{id}-apdu-{}">APDUs {}–{}</a>"##,
            refs.apdus.start + 1,
            refs.apdus.start + 1,
            refs.apdus.end
        ));
    }
    if refs.result_xml {
        links.push(format!(r##"<a href="#s{id}-result">result file</a>"##));
    }
    if refs.clinic {
        links.push(format!(r##"<a href="#s{id}-clinic">clinic decision</a>"##));
    }
    if links.len() <= usize::from(refs.visit.is_some()) {
        links.push(r#"<span class="muted">none recorded</span>"#.to_owned());
    }
    links.join("<br>")
}

/// A scenario's evidence: clinic decision, APDU trace, exchanges and result XML, each
/// with an anchor a verdict links to: `s<id>-clinic`, `s<id>-apdu-<n>` (every APDU,
/// from 1), `s<id>-exchange-<n>` (from 1), `s<id>-result`. The anchors sit inside
/// their `<details>`, so following a link opens it.
fn evidence(h: &mut String, e: &Evidence, id: usize) {
    if let Some(c) = &e.clinic {
        let _ = write!(
            h,
            r#"<h4 id="s{id}-clinic">Clinic decision</h4><pre>{}</pre>"#,
            esc(c)
        );
    }
    if let Some(trace) = &e.apdu_trace
        && !trace.entries.is_empty()
    {
        apdu_trace(h, trace, id);
    }
    for (n, x) in e.exchanges.iter().enumerate() {
        let _ = write!(
            h,
            r#"<details><summary>exchange {}: {}</summary><div id="s{id}-exchange-{}"><b>request</b><pre>{}</pre><b>response</b><pre>{}</pre></div></details>"#,
            n + 1,
            esc(&x.label),
            n + 1,
            esc(&x.request),
            esc(&x.response)
        );
    }
    if let Some(xml) = &e.result_xml {
        let _ = write!(
            h,
            r#"<details><summary>result file</summary><div id="s{id}-result"><pre>{}</pre></div></details>"#,
            esc(xml)
        );
    }
}

/// The APDU trace as a collapsed table (responses cut at 120 characters; PIN bytes
/// are `**` in the trace itself).
fn apdu_trace(h: &mut String, trace: &ApduTrace, id: usize) {
    let _ = write!(
        h,
        "<details><summary>APDU trace ({} commands, PINs redacted)</summary><table><tr><th>#</th><th>meaning</th><th>command</th><th>response</th></tr>",
        trace.entries.len()
    );
    for (n, t) in trace.entries.iter().enumerate() {
        let resp = if t.response.len() > 120 {
            format!("{} …", &t.response[..120])
        } else {
            t.response.clone()
        };
        let _ = write!(
            h,
            r#"<tr id="s{id}-apdu-{}"><td>{}</td><td>{}</td><td><code>{}</code></td><td><code>{}</code></td></tr>"#,
            n + 1,
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
    coverage_by_system(&mut h, report);
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
        r#"<h1>onshi conformance report — <span class="{}">{}</span></h1><p class="muted">run {} · onshi {} · seed {} · as-of {} · backend {} · reader {}{} · started {}{}{}</p>"#,
        if report.passed() { "pass" } else { "fail" },
        esc(&verdict),
        esc(&r.run_id),
        esc(&r.onshi_version),
        r.seed,
        esc(&r.as_of),
        esc(&r.backend),
        esc(&r.reader),
        if r.clinic.is_empty() {
            String::new()
        } else {
            format!(" · clinic {}", esc(&r.clinic))
        },
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

/// Coverage per system under test: requirements judged on it and exercised by the run.
fn coverage_by_system(h: &mut String, report: &ConformanceReport) {
    h.push_str(r#"<h2>Coverage per system under test</h2><table id="by-system"><tr><th>system</th><th>requirements covered</th></tr>"#);
    for c in &report.by_system {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{} / {}</td></tr>",
            c.system.name(),
            c.covered,
            c.judged
        );
    }
    let _ = write!(
        h,
        r#"</table><p class="muted">A requirement counts for a system only when a deliberate defect of that system fails it. {} behaviour and rule requirements no system under test can fail yet are listed as information.</p>"#,
        report.totals.requirements_unjudged
    );
}

/// The systems a requirement is judged on, or why none is.
fn judged_on(systems: &[onshi_domain::rules::catalogue::System]) -> String {
    if systems.is_empty() {
        return r#"<span class="muted">no system under test (information)</span>"#.to_owned();
    }
    systems
        .iter()
        .map(|s| s.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The requirements matrix: one row per requirement, its scenarios and coverage.
fn requirements_matrix(h: &mut String, matrix: &[MatrixRow]) {
    h.push_str(r#"<h2>Requirements matrix</h2><table id="matrix"><tr><th>ID</th><th>kind</th><th>judged on</th><th>question (seed)</th><th>scenarios</th><th>verdict</th></tr>"#);
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
            r#"<tr><td><b>{}</b>{}</td><td>{}</td><td>{}</td><td>{}<br><span class="muted">{}</span></td><td>{}</td><td>{}</td></tr>"#,
            esc(&m.id),
            if m.onshi {
                r#"<br><span class="muted">onshi 独自</span>"#
            } else {
                ""
            },
            esc(&m.kind),
            judged_on(&m.judged_by),
            esc(&m.question),
            esc(&m.summary_ja),
            scen.join("<br>"),
            coverage_cell(m.coverage)
        );
    }
    h.push_str("</table>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::{Exchange, RunInfo, VisitEvidence};
    use onshi_card::card::{TraceEntry, TraceOp};
    use onshi_world::oracle::{Check, Verdict};

    fn apdu(seq: u64, command: &str) -> TraceEntry {
        TraceEntry {
            seq,
            at_us: None,
            command: command.into(),
            response: "90 00".into(),
            status: None,
            meaning: "m".into(),
            op: TraceOp::Malformed,
        }
    }

    /// A scenario of two visits and a protocol-level verdict.
    fn report() -> ConformanceReport {
        let x = |label: &str| Exchange {
            label: label.into(),
            request: "{}".into(),
            response: "{}".into(),
        };
        let evidence = Evidence {
            apdu_trace: Some(ApduTrace {
                entries: vec![
                    apdu(0, "00 A4"),
                    apdu(1, "00 20 00 80 04 ** ** ** **"),
                    apdu(2, "00 A4"),
                ],
            }),
            exchanges: vec![x("POST /v1/a"), x("POST /v1/b"), x("POST /v1/forged")],
            result_xml: Some("r.xml\n<x/>".into()),
            clinic: Some("online — 3割".into()),
            visits: vec![
                VisitEvidence {
                    verdicts: 1,
                    exchanges: 1,
                    apdus: 2,
                    result_xml: false,
                    clinic: false,
                },
                VisitEvidence {
                    verdicts: 1,
                    exchanges: 1,
                    apdus: 1,
                    result_xml: true,
                    clinic: true,
                },
            ],
        };
        let s = ScenarioResult {
            feature: "f".into(),
            file: "f.feature".into(),
            name: "two visits".into(),
            line: 1,
            tags: Vec::new(),
            status: Status::Passed,
            steps: Vec::new(),
            verdicts: vec![
                Verdict::pass(Check::NoPinAfterLock, "no VERIFY after the lock"),
                Verdict::pass(Check::CopayCorrect, "3割"),
                Verdict::pass(Check::ForgeryRefused, "refused"),
            ],
            evidence,
            duration_ms: 1,
        };
        ConformanceReport::new(RunInfo::default(), vec![s])
    }

    /// The values of `attr="…"` in `html`.
    fn attrs<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
        let pat = format!(r#"{attr}=""#);
        html.match_indices(&pat)
            .filter_map(|(i, _)| {
                let rest = &html[i + pat.len()..];
                rest.find('"').map(|end| &rest[..end])
            })
            .collect()
    }

    #[test]
    fn every_verdict_links_to_its_own_visits_evidence() {
        let mut out = Vec::new();
        write(&report(), &mut out).unwrap();
        let html = String::from_utf8(out).unwrap();
        let ids = attrs(&html, "id");
        let links: Vec<&str> = attrs(&html, "href")
            .into_iter()
            .filter_map(|h| h.strip_prefix('#'))
            .collect();
        assert!(!links.is_empty());
        for l in &links {
            assert!(ids.contains(l), "#{l} leads nowhere");
        }
        let row = |k: usize| {
            let start = html.find(&format!(r#"id="s0-verdict-{k}""#)).unwrap();
            &html[start..start + html[start..].find("</tr>").unwrap()]
        };
        // Visit 1: its exchange and its two APDUs, not the result file.
        assert!(row(1).contains("#s0-exchange-1") && row(1).contains("#s0-apdu-1"));
        assert!(row(1).contains("APDUs 1–2") && !row(1).contains("#s0-result"));
        // Visit 2: its exchange, its APDU, the result file, the decision.
        for anchor in ["#s0-exchange-2", "#s0-apdu-3", "#s0-result", "#s0-clinic"] {
            assert!(row(2).contains(anchor), "{anchor}: {}", row(2));
        }
        // The scenario's own verdict: the exchange no visit left.
        assert!(row(3).contains("#s0-exchange-3") && !row(3).contains("apdu"));
        assert!(html.contains("** ** ** **") && html.contains("PINs redacted"));
    }
}
