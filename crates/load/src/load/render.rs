//! The load report's sinks, each writing to any `io::Write`: `summary.md` (fits a
//! pull-request comment), `junit.xml` (one test case per SLO) and a self-contained
//! `report.html` with inline SVG charts.
//!
//! - `doc`: the report's text as headings, paragraphs, tables and lists, written as
//!   Markdown and as HTML from the one model;
//! - `charts`: the charts (throughput, latency against the SLO targets, the schedule
//!   kept and the generator's lateness, percentile distributions, failures);
//! - `lateness`: when the generator fell behind its schedule ([`BEHIND_MS`]);
//! - `page`: the HTML page.

use std::io::{self, Write};

use super::summary::Summary;
use onshi_report::report::junit::{self, Outcome, Property, TestCase, TestSuite, TestSuites};

mod charts;
mod doc;
mod lateness;
mod page;

pub use lateness::BEHIND_MS;

/// Milliseconds as the tables show them.
fn ms(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// `summary.md`.
pub fn markdown(s: &Summary, out: &mut dyn Write) -> io::Result<()> {
    doc::Sections::of(s).markdown(out)
}

/// `report.html`: self-contained (inline CSS and SVG, no script), the summary's tables
/// as HTML tables, the charts with captions.
pub fn html(s: &Summary, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(page::page(s).as_bytes())
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
    for sh in &s.meta.shards {
        let Some(g) = &sh.generator else { continue };
        cases.push(TestCase {
            name: format!("the generator kept up (shard {})", sh.shard),
            classname: "onshi".into(),
            outcome: if g.saturated {
                Outcome::Failed {
                    message: "the generator was the bottleneck: the SLO verdicts are unreliable"
                        .into(),
                    text: g.sentence(),
                }
            } else {
                Outcome::Passed
            },
            system_out: Some(g.sentence()),
            ..TestCase::default()
        });
    }
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
                generator: None,
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
