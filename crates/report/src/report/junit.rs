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
