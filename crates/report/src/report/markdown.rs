//! Markdown summary, short enough for a pull-request comment.

use std::io::{self, Write};

use super::model::{ConformanceReport, Coverage, Status};

fn coverage_mark(c: Coverage) -> &'static str {
    match c {
        Coverage::Passed => "✅ pass",
        Coverage::Failed => "❌ fail",
        Coverage::NotRun => "⏸ not run",
        Coverage::NotCovered => "⚠️ not covered",
        Coverage::Informational => "ℹ️ info",
    }
}

/// Escapes `|` and newlines for a table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Writes the Markdown summary.
pub fn write(report: &ConformanceReport, out: &mut dyn Write) -> io::Result<()> {
    let r = &report.run;
    let t = &report.totals;
    let verdict = report.headline();
    writeln!(out, "# onshi conformance: {verdict}\n")?;
    writeln!(
        out,
        "Run `{}` · onshi {} · seed {} · as-of {} · backend {} · reader {}{}{}{}\n",
        r.run_id,
        r.onshi_version,
        r.seed,
        r.as_of,
        r.backend,
        r.reader,
        if r.clinic.is_empty() {
            String::new()
        } else {
            format!(" · clinic {}", r.clinic)
        },
        if r.defects.is_empty() {
            String::new()
        } else {
            format!(" · defects {}", r.defects.join(", "))
        },
        report
            .partial_note()
            .map(|n| format!(" · **{n}**"))
            .unwrap_or_default()
    )?;
    let cells = t.cells();
    let header: Vec<&str> = cells.iter().map(|c| c.0).collect();
    let values: Vec<&str> = cells.iter().map(|c| c.1.as_str()).collect();
    writeln!(
        out,
        "| {} |\n|{}\n| {} |\n",
        header.join(" | "),
        "---|".repeat(cells.len()),
        values.join(" | ")
    )?;
    let failed: Vec<_> = report
        .scenarios
        .iter()
        .filter(|s| s.status == Status::Failed)
        .collect();
    if !failed.is_empty() {
        writeln!(out, "## Failed scenarios\n")?;
        for s in failed {
            let reason = s
                .steps
                .iter()
                .find_map(|st| st.error.as_deref())
                .unwrap_or("failed")
                .lines()
                .next()
                .unwrap_or("");
            writeln!(
                out,
                "- **{}** ({}:{}) — {}",
                cell(&s.name),
                s.file,
                s.line,
                cell(reason)
            )?;
        }
        writeln!(out)?;
    }
    writeln!(out, "## Coverage per system under test\n")?;
    writeln!(out, "| system | requirements covered |\n|---|---|")?;
    for c in &report.by_system {
        writeln!(
            out,
            "| {} | {} / {} |",
            c.system.name(),
            c.covered,
            c.judged
        )?;
    }
    writeln!(
        out,
        "\nA requirement counts for a system only when a deliberate defect of that system fails it; {} behaviour and rule requirements no system under test can fail yet are information.\n",
        report.totals.requirements_unjudged
    )?;
    writeln!(out, "## Requirements matrix\n")?;
    writeln!(
        out,
        "| ID | kind | judged on | scenarios | verdict |\n|---|---|---|---|---|"
    )?;
    for m in &report.matrix {
        writeln!(
            out,
            "| {}{} | {} | {} | {} | {} |",
            m.id,
            if m.onshi { " (onshi)" } else { "" },
            m.kind,
            if m.judged_by.is_empty() {
                "— (information)".to_owned()
            } else {
                m.judged_by
                    .iter()
                    .map(|s| s.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            m.scenarios.len(),
            coverage_mark(m.coverage)
        )?;
    }
    Ok(())
}
