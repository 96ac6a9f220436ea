//! JUnit XML: one test suite per feature, one test case per scenario.

use std::collections::BTreeMap;
use std::io::{self, Write};

use quick_xml::escape::escape;

use super::model::{ConformanceReport, ScenarioResult, Status};

fn attr(s: &str) -> String {
    escape(s).into_owned()
}

fn case(out: &mut dyn Write, s: &ScenarioResult) -> io::Result<()> {
    write!(
        out,
        "    <testcase name=\"{}\" classname=\"{}\" time=\"{:.3}\"",
        attr(&s.name),
        attr(&s.file),
        s.duration_ms as f64 / 1000.0
    )?;
    writeln!(out, ">")?;
    let steps: String = s
        .steps
        .iter()
        .map(|st| {
            let mark = match st.status {
                Status::Passed => "✔",
                Status::Failed => "✘",
                Status::Skipped => "-",
            };
            let err = st
                .error
                .as_deref()
                .map(|e| format!("\n      {e}"))
                .unwrap_or_default();
            format!("{mark} {}{}{err}\n", st.keyword, st.text)
        })
        .collect();
    match s.status {
        Status::Failed => {
            let first = s
                .steps
                .iter()
                .find_map(|st| st.error.clone())
                .or_else(|| s.verdicts.iter().find(|v| !v.passed).map(|v| v.to_string()))
                .unwrap_or_else(|| "failed".to_owned());
            writeln!(
                out,
                "      <failure message=\"{}\">{}</failure>",
                attr(first.lines().next().unwrap_or("failed")),
                escape(&steps)
            )?;
        }
        Status::Skipped => writeln!(out, "      <skipped/>")?,
        Status::Passed => {}
    }
    if !s.verdicts.is_empty() {
        let verdicts: String = s.verdicts.iter().map(|v| format!("{v}\n")).collect();
        writeln!(out, "      <system-out>{}</system-out>", escape(&verdicts))?;
    }
    writeln!(out, "    </testcase>")
}

/// Writes the report as JUnit XML.
pub fn write(report: &ConformanceReport, out: &mut dyn Write) -> io::Result<()> {
    let mut by_feature: BTreeMap<&str, Vec<&ScenarioResult>> = BTreeMap::new();
    for s in &report.scenarios {
        by_feature.entry(&s.feature).or_default().push(s);
    }
    let t = &report.totals;
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(
        out,
        "<testsuites name=\"onshi {}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">",
        attr(&report.run.run_id),
        t.passed + t.failed + t.skipped,
        t.failed,
        t.skipped
    )?;
    for (feature, cases) in by_feature {
        let failures = cases.iter().filter(|c| c.status == Status::Failed).count();
        let skipped = cases.iter().filter(|c| c.status == Status::Skipped).count();
        let time: u64 = cases.iter().map(|c| c.duration_ms).sum();
        writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\" time=\"{:.3}\">",
            attr(feature),
            cases.len(),
            time as f64 / 1000.0
        )?;
        for c in cases {
            case(out, c)?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::{Evidence, RunInfo, StepResult};
    use onshi_world::oracle::{Check, Verdict};

    fn scenario(
        feature: &str,
        name: &str,
        status: Status,
        steps: Vec<StepResult>,
        verdicts: Vec<Verdict>,
        duration_ms: u64,
    ) -> ScenarioResult {
        ScenarioResult {
            feature: feature.to_owned(),
            file: format!("features/{feature}.feature"),
            name: name.to_owned(),
            line: 3,
            tags: Vec::new(),
            status,
            steps,
            verdicts,
            evidence: Evidence::default(),
            duration_ms,
        }
    }

    fn step(keyword: &str, text: &str, status: Status, error: Option<&str>) -> StepResult {
        StepResult {
            keyword: keyword.to_owned(),
            text: text.to_owned(),
            status,
            error: error.map(str::to_owned),
        }
    }

    /// A report with every shape a test case takes: passed with verdicts, failed by a
    /// step, failed by a verdict only, failed without a reason, skipped; text that
    /// needs escaping; two features.
    fn sample() -> ConformanceReport {
        let scenarios = vec![
            scenario(
                "b 受付",
                "passes <&>",
                Status::Passed,
                vec![step("前提 ", "a \"card\"", Status::Passed, None)],
                vec![Verdict::pass(Check::CopayCorrect, "3割 as expected")],
                1234,
            ),
            scenario(
                "a 'quoted' & <tagged>",
                "fails in a step",
                Status::Failed,
                vec![
                    step("前提 ", "ok", Status::Passed, None),
                    step(
                        "もし ",
                        "it <breaks>",
                        Status::Failed,
                        Some("first line & <more>\nsecond line"),
                    ),
                    step("ならば ", "never", Status::Skipped, None),
                ],
                vec![Verdict::fail(Check::RightPerson, "someone else's record")],
                20,
            ),
            scenario(
                "a 'quoted' & <tagged>",
                "fails by a verdict",
                Status::Failed,
                vec![step("もし ", "runs", Status::Passed, None)],
                vec![
                    Verdict::pass(Check::NoMyNumber, "none read"),
                    Verdict::fail(Check::CopayCorrect, "charged 10割 \"full\""),
                ],
                5,
            ),
            scenario(
                "a 'quoted' & <tagged>",
                "fails without a reason",
                Status::Failed,
                Vec::new(),
                Vec::new(),
                0,
            ),
            scenario(
                "b 受付",
                "is skipped",
                Status::Skipped,
                vec![step("前提 ", "undefined", Status::Skipped, None)],
                Vec::new(),
                0,
            ),
        ];
        ConformanceReport::new(
            RunInfo {
                run_id: "20261130-090000-s7 & co".to_owned(),
                ..RunInfo::default()
            },
            scenarios,
        )
    }

    /// The JUnit XML of [`sample`], as written today.
    const EXPECTED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="onshi 20261130-090000-s7 &amp; co" tests="5" failures="3" skipped="1">
  <testsuite name="a &apos;quoted&apos; &amp; &lt;tagged&gt;" tests="3" failures="3" skipped="0" time="0.025">
    <testcase name="fails in a step" classname="features/a &apos;quoted&apos; &amp; &lt;tagged&gt;.feature" time="0.020">
      <failure message="first line &amp; &lt;more&gt;">✔ 前提 ok
✘ もし it &lt;breaks&gt;
      first line &amp; &lt;more&gt;
second line
- ならば never
</failure>
      <system-out>CRITICAL right-person (本人以外の資格情報を表示しない): someone else&apos;s record
</system-out>
    </testcase>
    <testcase name="fails by a verdict" classname="features/a &apos;quoted&apos; &amp; &lt;tagged&gt;.feature" time="0.005">
      <failure message="FAIL copay-correct (負担割合が正しい): charged 10割 &quot;full&quot;">✔ もし runs
</failure>
      <system-out>PASS no-my-number (個人番号・照合番号Aを扱わない): none read
FAIL copay-correct (負担割合が正しい): charged 10割 &quot;full&quot;
</system-out>
    </testcase>
    <testcase name="fails without a reason" classname="features/a &apos;quoted&apos; &amp; &lt;tagged&gt;.feature" time="0.000">
      <failure message="failed"></failure>
    </testcase>
  </testsuite>
  <testsuite name="b 受付" tests="2" failures="0" skipped="1" time="1.234">
    <testcase name="passes &lt;&amp;&gt;" classname="features/b 受付.feature" time="1.234">
      <system-out>PASS copay-correct (負担割合が正しい): 3割 as expected
</system-out>
    </testcase>
    <testcase name="is skipped" classname="features/b 受付.feature" time="0.000">
      <skipped/>
    </testcase>
  </testsuite>
</testsuites>
"#;

    #[test]
    fn conformance_junit_is_stable() {
        let mut out = Vec::new();
        write(&sample(), &mut out).unwrap();
        let xml = String::from_utf8(out).unwrap();
        assert_eq!(xml, EXPECTED);
    }
}
