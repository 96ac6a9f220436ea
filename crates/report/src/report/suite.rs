//! The conformance suite onto the shared report machinery: its JUnit model (one test
//! suite per feature, one test case per scenario) and the files of its run directory.

use std::collections::BTreeMap;

use super::junit::{self, Outcome, TestCase, TestSuite, TestSuites};
use super::model::{ConformanceReport, ScenarioResult, Status};
use super::run_dir::{RunDir, RunDirError};
use super::{html, markdown};

/// The steps as the failure text: `✔ 前提 …`, `✘ もし …` with the error indented under
/// it, `- ならば …` for a skipped one.
fn steps_text(s: &ScenarioResult) -> String {
    s.steps
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
        .collect()
}

fn case(s: &ScenarioResult) -> TestCase {
    let outcome = match s.status {
        Status::Passed => Outcome::Passed,
        Status::Skipped => Outcome::Skipped { message: None },
        Status::Failed => {
            // The first step error, else the first failed verdict.
            let first = s
                .steps
                .iter()
                .find_map(|st| st.error.clone())
                .or_else(|| s.verdicts.iter().find(|v| !v.passed).map(|v| v.to_string()))
                .unwrap_or_else(|| "failed".to_owned());
            Outcome::Failed {
                message: first.lines().next().unwrap_or("failed").to_owned(),
                text: steps_text(s),
            }
        }
    };
    TestCase {
        name: s.name.clone(),
        classname: s.file.clone(),
        time: Some(s.duration_ms as f64 / 1000.0),
        outcome,
        properties: Vec::new(),
        system_out: (!s.verdicts.is_empty())
            .then(|| s.verdicts.iter().map(|v| format!("{v}\n")).collect()),
    }
}

/// The report as JUnit: one test suite per feature (by name), one test case per
/// scenario; a failure's message is its first error, its text the steps.
pub fn junit(report: &ConformanceReport) -> TestSuites {
    let mut by_feature: BTreeMap<&str, Vec<&ScenarioResult>> = BTreeMap::new();
    for s in &report.scenarios {
        by_feature.entry(&s.feature).or_default().push(s);
    }
    let mut suites: Vec<TestSuite> = by_feature
        .into_iter()
        .map(|(feature, scenarios)| TestSuite {
            name: feature.to_owned(),
            time: Some(scenarios.iter().map(|s| s.duration_ms).sum::<u64>() as f64 / 1000.0),
            properties: Vec::new(),
            cases: scenarios.into_iter().map(case).collect(),
        })
        .collect();
    // An interrupted run is not green in CI: one failed case says so.
    if let Some(note) = report.run.interrupted.as_ref().and(report.partial_note()) {
        suites.push(TestSuite {
            name: "onshi run".into(),
            time: None,
            properties: Vec::new(),
            cases: vec![TestCase {
                name: "the run finished".into(),
                classname: "onshi".into(),
                outcome: Outcome::Failed {
                    message: note.clone(),
                    text: note,
                },
                ..TestCase::default()
            }],
        });
    }
    TestSuites {
        name: format!("onshi {}", report.run.run_id),
        time: None,
        suites,
    }
}

/// Writes every conformance sink into the run directory, each file atomically:
/// `summary.json`, `junit.xml`, `summary.md`, `report.html`. Called after every
/// scenario too, so an interrupted run leaves a valid partial report.
pub fn write(dir: &RunDir, report: &ConformanceReport) -> Result<(), RunDirError> {
    dir.write_json("summary.json", report)?;
    dir.render("junit.xml", |out| junit::write(&junit(report), out))?;
    dir.render("summary.md", |out| markdown::write(report, out))?;
    dir.render("report.html", |out| html::write(report, out))
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
        junit::write(&junit(&sample()), &mut out).unwrap();
        let xml = String::from_utf8(out).unwrap();
        assert_eq!(xml, EXPECTED);
    }
}
