//! The load report's sinks, each writing to any `io::Write`: `summary.md` (fits a
//! pull-request comment), `junit.xml` (one test case per SLO) and a self-contained
//! `report.html` with inline SVG charts.

use std::io::{self, Write};

use super::metrics::{ErrorKind, FailureKind, VISIT_KINDS};
use super::summary::Summary;
use onshi_report::report::junit::{self, Outcome, Property, TestCase, TestSuite, TestSuites};
use onshi_report::report::svg::{self, esc};

fn ms(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// The headline tags of the latency table, in order.
const HEADLINE: &[&str] = VISIT_KINDS;

/// `summary.md`.
pub fn markdown(s: &Summary, out: &mut dyn Write) -> io::Result<()> {
    md_header(s, out)?;
    md_slos(s, out)?;
    md_jobs(s, out)?;
    md_latency(s, out)?;
    md_failures(s, out)?;
    md_desk_and_notes(s, out)
}

/// The title, the run line and the window line.
fn md_header(s: &Summary, out: &mut dyn Write) -> io::Result<()> {
    let verdict = if s.meta.interrupted {
        let met = s.slo.iter().all(|r| r.passed);
        format!(
            "INTERRUPTED (SLOs on the finished jobs only: {})",
            if met { "met" } else { "missed" }
        )
    } else if s.passed {
        "✅ SLOs met".to_owned()
    } else {
        "❌ SLOs missed".to_owned()
    };
    writeln!(out, "# onshi load — {} — {verdict}", s.meta.scenario.name)?;
    writeln!(out)?;
    writeln!(
        out,
        "Run `{}` · backend `{}` · seed {} · population {} members (seed {}, as of {}) · {} shard(s)",
        s.meta.run_id,
        s.meta.backend,
        s.meta.scenario.seed,
        s.meta.population.size,
        s.meta.population.seed,
        s.meta.population.as_of,
        s.meta.shards.len()
    )?;
    writeln!(
        out,
        "Window {} on {}{} · compression ×{} · facility scale ×{} · ran {:.1} s{}",
        s.meta.scenario.window,
        s.meta.scenario.date,
        if s.meta.scenario.monday {
            " (Monday)"
        } else {
            ""
        },
        s.meta.scenario.compression,
        s.meta.scenario.scale,
        s.meta.duration_s,
        if s.meta.interrupted {
            " · **interrupted**"
        } else {
            ""
        }
    )?;
    writeln!(out)
}

/// The SLO table.
fn md_slos(s: &Summary, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## SLOs")?;
    writeln!(out)?;
    writeln!(out, "| SLO | target | actual | |")?;
    writeln!(out, "|---|---|---|---|")?;
    for r in &s.slo {
        writeln!(
            out,
            "| {} | {} | {} | {} |",
            r.name,
            r.target,
            r.actual,
            if r.passed { "✅" } else { "❌" }
        )?;
    }
    writeln!(out)
}

/// The job counts.
fn md_jobs(s: &Summary, out: &mut dyn Write) -> io::Result<()> {
    let c = &s.counters;
    writeln!(out, "## Jobs")?;
    writeln!(out)?;
    writeln!(
        out,
        "scheduled {} · started {} · finished {} · without an answer {} · with a semantic failure {} · retries {} · registrations on the spot {} · bulk units {}",
        c.scheduled,
        c.started,
        c.completed,
        c.with_error,
        c.with_failure,
        c.retries,
        c.registrations,
        c.bulk_units
    )?;
    if c.registered_earlier > 0 {
        writeln!(
            out,
            "\n{} unregistered member(s) were answered as registered: registered at the backend before this run (registrations persist there).",
            c.registered_earlier
        )?;
    }
    writeln!(out)
}

/// The latency tables: transactions, then backend requests.
fn md_latency(s: &Summary, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "| transaction | finished | response p50 | p90 | p99 | p99.9 | max | service p50 | service p99 |"
    )?;
    writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|")?;
    for k in HEADLINE {
        let Some(r) = s.latency.get(&format!("response.{k}")) else {
            continue;
        };
        let sv = s.latency.get(&format!("service.{k}"));
        writeln!(
            out,
            "| {k} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.count,
            ms(r.p50_ms),
            ms(r.p90_ms),
            ms(r.p99_ms),
            ms(r.p999_ms),
            ms(r.max_ms),
            sv.map_or("–".into(), |v| ms(v.p50_ms)),
            sv.map_or("–".into(), |v| ms(v.p99_ms)),
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "Times in ms; response time counts from the intended arrival (queueing at the reader included), service time from the moment a reader lane took the patient."
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "| backend request | sent | failed (no answer) | p50 | p99 | max |"
    )?;
    writeln!(out, "|---|---:|---:|---:|---:|---:|")?;
    for (name, sent) in &s.counters.requests {
        let r = s.latency.get(&format!("request.{name}"));
        let ok = r.map_or(0, |r| r.count);
        writeln!(
            out,
            "| {name} | {sent} | {} | {} | {} | {} |",
            sent.saturating_sub(ok),
            r.map_or("–".into(), |r| ms(r.p50_ms)),
            r.map_or("–".into(), |r| ms(r.p99_ms)),
            r.map_or("–".into(), |r| ms(r.max_ms)),
        )?;
    }
    writeln!(out)
}

/// The failures and errors by kind, and the evidence.
fn md_failures(s: &Summary, out: &mut dyn Write) -> io::Result<()> {
    let c = &s.counters;
    writeln!(out, "## Failures and errors")?;
    writeln!(out)?;
    if c.failures.is_empty() && c.errors.is_empty() && c.request_errors.is_empty() {
        writeln!(out, "No semantic failures, no errors.")?;
    } else {
        writeln!(out, "| kind | count |")?;
        writeln!(out, "|---|---:|")?;
        for k in FailureKind::ALL {
            let n = c.failures_of(k);
            if n > 0 {
                writeln!(out, "| failure: {} | {n} |", k.name())?;
            }
        }
        for (k, n) in &c.errors {
            writeln!(out, "| visits without an answer: {k} | {n} |")?;
        }
        for (k, n) in &c.request_errors {
            writeln!(
                out,
                "| requests without an answer (retried or not): {k} | {n} |"
            )?;
        }
    }
    if !s.samples.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "Evidence (first {} of each kind):",
            super::metrics::SAMPLES_PER_KIND
        )?;
        writeln!(out)?;
        for x in &s.samples {
            writeln!(
                out,
                "- `{}` {} at {} ({}): {}",
                x.kind.name(),
                x.member,
                x.facility,
                x.transaction,
                x.detail.replace('\n', " ")
            )?;
        }
    }
    Ok(())
}

/// The desk bases and the notes, when there are any.
fn md_desk_and_notes(s: &Summary, out: &mut dyn Write) -> io::Result<()> {
    if !s.counters.basis.is_empty() {
        writeln!(out)?;
        writeln!(out, "## At the desk")?;
        writeln!(out)?;
        writeln!(out, "| basis | patients |")?;
        writeln!(out, "|---|---:|")?;
        for (b, n) in &s.counters.basis {
            writeln!(out, "| {b} | {n} |")?;
        }
    }
    if !s.notes.is_empty() {
        writeln!(out)?;
        writeln!(out, "## Notes")?;
        writeln!(out)?;
        for n in &s.notes {
            writeln!(out, "- {n}")?;
        }
    }
    Ok(())
}

/// The JUnit model of the summary: one suite, `load: <scenario>`, with the run's
/// properties (run id, backend, seed, scenario, shards) and one test case per SLO
/// (classname `slo`); a missed SLO fails with what was measured against its target.
pub fn junit_suites(s: &Summary) -> TestSuites {
    let cases = s
        .slo
        .iter()
        .map(|r| TestCase {
            name: r.name.clone(),
            classname: "slo".to_owned(),
            time: None,
            outcome: if r.passed {
                Outcome::Passed
            } else {
                Outcome::Failed {
                    message: format!("{} (target {})", r.actual, r.target),
                    text: format!("{}: {} (target {})", r.name, r.actual, r.target),
                }
            },
            properties: Vec::new(),
            system_out: Some(r.actual.clone()),
        })
        .collect();
    let mut cases: Vec<TestCase> = cases;
    if s.meta.interrupted {
        let why = "the run was interrupted by a signal: only part of the schedule ran".to_owned();
        cases.push(TestCase {
            name: "the run finished".into(),
            classname: "onshi".into(),
            outcome: Outcome::Failed {
                message: why.clone(),
                text: why,
            },
            ..TestCase::default()
        });
    }
    TestSuites {
        name: "onshi load".to_owned(),
        time: Some(s.meta.duration_s),
        suites: vec![TestSuite {
            name: format!("load: {}", s.meta.scenario.name),
            time: Some(s.meta.duration_s),
            properties: vec![
                Property::new("run_id", s.meta.run_id.clone()),
                Property::new("backend", s.meta.backend.clone()),
                Property::new("seed", s.meta.scenario.seed.to_string()),
                Property::new("scenario", s.meta.scenario.source.clone()),
                Property::new("shards", s.meta.shards.len().to_string()),
            ],
            cases,
        }],
    }
}

/// `junit.xml`: [`junit_suites`], written by the shared JUnit writer.
pub fn junit(s: &Summary, out: &mut dyn Write) -> io::Result<()> {
    junit::write(&junit_suites(s), out)
}

/// `report.html`: self-contained, charts inline.
pub fn html(s: &Summary, out: &mut dyn Write) -> io::Result<()> {
    let mut md = Vec::new();
    markdown(s, &mut md)?;
    let [throughput, latency, arrivals] = series_charts(s);
    let distribution = distribution_chart(s);
    let failures = failures_chart(s);
    let status = if s.passed { "met" } else { "missed" };
    write!(
        out,
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>onshi load — {name}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}}
.met{{color:#2e7d32}}.missed{{color:#c62828}}figure{{margin:1.5em 0}}pre{{white-space:pre-wrap;background:#f6f6f6;padding:1em}}</style>
</head><body>
<h1>onshi load — {name} — <span class="{status}">SLOs {status}</span></h1>
<figure>{throughput}</figure>
<figure>{latency}</figure>
<figure>{arrivals}</figure>
<figure>{distribution}</figure>
<figure>{failures}</figure>
<h2>Summary</h2>
<pre>{md}</pre>
<p>Goose's own report is alongside: <a href="goose-report.html">goose-report.html</a> (its charts load a script from a CDN), <code>goose-report.json</code>, <code>goose-report.md</code>. HdrHistogram interval logs: <code>hdr/</code>.</p>
</body></html>
"#,
        name = esc(&s.meta.scenario.name),
        md = esc(&String::from_utf8_lossy(&md)),
    )
}

/// The charts over time: throughput, response time, arrivals vs completions.
fn series_charts(s: &Summary) -> [String; 3] {
    let xs: Vec<f64> = s.series.iter().map(|p| p.t_s).collect();
    let interval = (s.meta.scenario.interval_ms as f64 / 1000.0).max(1e-3);
    let throughput = svg::lines(
        "Throughput (jobs finished per second)",
        "seconds after the window start",
        "jobs/s",
        &xs,
        &[(
            "finished/s",
            s.series
                .iter()
                .map(|p| p.counts.completed as f64 / interval)
                .collect(),
        )],
    );
    let latency = svg::lines(
        "Response time over time (ms, visits finished in each interval)",
        "seconds after the window start",
        "ms",
        &xs,
        &[
            ("p50", s.series.iter().map(|p| p.p50_ms).collect()),
            ("p99", s.series.iter().map(|p| p.p99_ms).collect()),
        ],
    );
    let mut cum = (0.0, 0.0);
    let (arr, done): (Vec<f64>, Vec<f64>) = s
        .series
        .iter()
        .map(|p| {
            cum.0 += p.arrivals as f64;
            cum.1 += p.counts.completed as f64;
            cum
        })
        .unzip();
    let arrivals = svg::lines(
        "Arrivals vs completions (cumulative)",
        "seconds after the window start",
        "jobs",
        &xs,
        &[("arrived (intended)", arr), ("finished", done)],
    );
    [throughput, latency, arrivals]
}

/// The latency distribution of card, numbers and bulk jobs.
fn distribution_chart(s: &Summary) -> String {
    let dist_x: Vec<f64> = (0..5).map(f64::from).collect();
    let mut dist_series = Vec::new();
    for tag in ["response.card", "response.numbers", "response.bulk"] {
        if let Some(l) = s.latency.get(tag) {
            let v = vec![l.p50_ms, l.p90_ms, l.p99_ms, l.p999_ms, l.max_ms];
            dist_series.push((tag.trim_start_matches("response."), v));
        }
    }
    svg::lines(
        "Latency distribution (response time at p50, p90, p99, p99.9, max)",
        "p50 · p90 · p99 · p99.9 · max",
        "ms",
        &dist_x,
        &dist_series,
    )
}

/// Failures and errors by kind, as bars.
fn failures_chart(s: &Summary) -> String {
    let mut cats = Vec::new();
    let mut vals = Vec::new();
    for k in FailureKind::ALL {
        cats.push(format!("failure: {}", k.name()));
        vals.push(s.counters.failures_of(k) as f64);
    }
    for k in [
        ErrorKind::Transport,
        ErrorKind::Timeout,
        ErrorKind::Unavailable,
        ErrorKind::ServerError,
        ErrorKind::ClientOutage,
    ] {
        cats.push(format!("error: {}", k.name()));
        vals.push(s.counters.errors.get(k.name()).copied().unwrap_or(0) as f64);
    }
    svg::stacked_bars("Failures and errors by kind", &cats, &[("jobs", vals)])
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::load::facility::Shard;
    use crate::load::metrics::Counters;
    use crate::load::slo::SloResult;
    use crate::load::summary::{self, Meta, ShardInfo};

    /// A summary with a met and two missed SLOs, text that needs escaping.
    pub(crate) fn sample() -> Summary {
        let meta = Meta {
            run_id: "load-20261130-090000-s7 & co".into(),
            scenario: summary::tests::scenario_info(
                "monday <peak> & 'rush'",
                "scenarios/\"monday\".toml",
                7,
                "08:00–12:30",
                90.0,
                Vec::new(),
            ),
            backend: "http://127.0.0.1:8080".into(),
            population: summary::tests::population(),
            shards: vec![ShardInfo {
                shard: Shard { index: 0, count: 1 },
                run_id: "r".into(),
                facilities: 3,
                lanes: 3,
                members: (0, 100),
                hdr_log: "hdr/shard-0-of-1.hlog".into(),
            }],
            started_at: "t".into(),
            duration_s: 12.3456,
            interrupted: false,
        };
        let mut s = summary::build(
            meta,
            Counters::default(),
            Vec::new(),
            BTreeMap::new(),
            Vec::new(),
            &[],
            &BTreeMap::new(),
        );
        s.slo = vec![
            SloResult {
                name: "error-rate".into(),
                target: "≤ 1.00%".into(),
                actual: "0.00%".into(),
                passed: true,
            },
            SloResult {
                name: "latency.response.card.p99".into(),
                target: "≤ 50 ms".into(),
                actual: "61.2 ms <slow> & \"late\"".into(),
                passed: false,
            },
            SloResult {
                name: "wrong-person 'x'".into(),
                target: "≤ 0".into(),
                actual: "2".into(),
                passed: false,
            },
        ];
        s.passed = false;
        s
    }

    /// The JUnit XML of [`sample`]. Through the shared writer since it replaced
    /// this module's own: `'` is escaped `&apos;` (was `&#39;`), `skipped="0"` is
    /// stated, a test case's `name` comes before its `classname`; the same suites,
    /// cases, names, properties, failure messages and texts.
    pub(crate) const EXPECTED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="onshi load" tests="3" failures="2" skipped="0" time="12.346">
  <testsuite name="load: monday &lt;peak&gt; &amp; &apos;rush&apos;" tests="3" failures="2" skipped="0" time="12.346">
    <properties>
      <property name="run_id" value="load-20261130-090000-s7 &amp; co"/>
      <property name="backend" value="http://127.0.0.1:8080"/>
      <property name="seed" value="7"/>
      <property name="scenario" value="scenarios/&quot;monday&quot;.toml"/>
      <property name="shards" value="1"/>
    </properties>
    <testcase name="error-rate" classname="slo">
      <system-out>0.00%</system-out>
    </testcase>
    <testcase name="latency.response.card.p99" classname="slo">
      <failure message="61.2 ms &lt;slow&gt; &amp; &quot;late&quot; (target ≤ 50 ms)">latency.response.card.p99: 61.2 ms &lt;slow&gt; &amp; &quot;late&quot; (target ≤ 50 ms)</failure>
      <system-out>61.2 ms &lt;slow&gt; &amp; &quot;late&quot;</system-out>
    </testcase>
    <testcase name="wrong-person &apos;x&apos;" classname="slo">
      <failure message="2 (target ≤ 0)">wrong-person &apos;x&apos;: 2 (target ≤ 0)</failure>
      <system-out>2</system-out>
    </testcase>
  </testsuite>
</testsuites>
"#;

    #[test]
    fn load_junit_is_stable() {
        let mut out = Vec::new();
        junit(&sample(), &mut out).unwrap();
        let xml = String::from_utf8(out).unwrap();
        assert_eq!(xml, EXPECTED);
    }
}
