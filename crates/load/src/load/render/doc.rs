//! The load report's text as a small document — headings, paragraphs, tables, lists of
//! spans — built once from the summary and written twice: as Markdown (`summary.md`)
//! and as HTML (the tables of `report.html`), so the two always say the same.
//!
//! Verdicts are words ("met", "missed"), never emoji: a machine without an emoji font
//! draws those as empty boxes.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::super::metrics::{FailureKind, SAMPLES_PER_KIND, VISIT_KINDS};
use super::super::summary::Summary;
use super::{lateness, ms};
use onshi_report::report::svg::esc;

/// A piece of text.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Span {
    /// Plain text.
    Text(String),
    /// Code (`run-id`, a backend).
    Code(String),
    /// Emphasis.
    Strong(String),
    /// A verdict word: good (met) or bad (missed, interrupted).
    Badge { text: String, good: bool },
}

/// One line of spans.
pub(super) type Line = Vec<Span>;

fn text(s: impl Into<String>) -> Span {
    Span::Text(s.into())
}

/// A block of the document.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Block {
    /// A section heading (`##`).
    Heading(String),
    /// Lines of one paragraph.
    Para(Vec<Line>),
    /// A table.
    Table(Table),
    /// A bulleted list.
    List(Vec<Line>),
}

/// A table: header, which columns are numbers (right-aligned), rows of cells.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Table {
    pub(super) head: Vec<&'static str>,
    pub(super) numeric: Vec<bool>,
    pub(super) rows: Vec<Vec<Line>>,
}

impl Table {
    fn new(head: &[&'static str], numeric: &[bool]) -> Self {
        Self {
            head: head.to_vec(),
            numeric: numeric.to_vec(),
            rows: Vec::new(),
        }
    }

    fn row(&mut self, cells: Vec<Line>) {
        self.rows.push(cells);
    }
}

/// The report's sections, each a list of blocks.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Sections {
    /// The title line (without `#`).
    pub(super) title: Line,
    /// The run and window lines.
    pub(super) run: Block,
    /// The SLO table.
    pub(super) slos: Vec<Block>,
    /// The job counts.
    pub(super) jobs: Vec<Block>,
    /// The latency tables and the generator's lateness.
    pub(super) latency: Vec<Block>,
    /// Failures and errors by kind, and the evidence.
    pub(super) failures: Vec<Block>,
    /// The desk bases and the notes.
    pub(super) desk_and_notes: Vec<Block>,
}

impl Sections {
    /// Every section of the summary.
    pub(super) fn of(s: &Summary) -> Self {
        Self {
            title: title(s),
            run: run(s),
            slos: slos(s),
            jobs: jobs(s),
            latency: latency(s),
            failures: failures(s),
            desk_and_notes: desk_and_notes(s),
        }
    }

    /// Everything as Markdown.
    pub(super) fn markdown(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut md = String::new();
        md.push_str("# ");
        md.push_str(&spans_md(&self.title));
        md.push('\n');
        let blocks = std::iter::once(&self.run)
            .chain(&self.slos)
            .chain(&self.jobs)
            .chain(&self.latency)
            .chain(&self.failures)
            .chain(&self.desk_and_notes);
        for b in blocks {
            md.push('\n');
            block_md(b, &mut md);
        }
        out.write_all(md.as_bytes())
    }
}

/// The verdict headline: met, missed, or interrupted.
fn title(s: &Summary) -> Line {
    let verdict = if s.meta.interrupted {
        let met = s.slo.iter().all(|r| r.passed);
        Span::Badge {
            text: format!(
                "INTERRUPTED (SLOs on the finished jobs only: {})",
                if met { "met" } else { "missed" }
            ),
            good: false,
        }
    } else if !s.measured() {
        Span::Badge {
            text: format!(
                "UNRELIABLE: the generator was the bottleneck (SLOs {} as measured)",
                if s.passed { "met" } else { "missed" }
            ),
            good: false,
        }
    } else {
        Span::Badge {
            text: format!("SLOs {}", if s.passed { "met" } else { "missed" }),
            good: s.passed,
        }
    };
    vec![
        text(format!("onshi load — {} — ", s.meta.scenario.name)),
        verdict,
    ]
}

/// The run line and the window line.
fn run(s: &Summary) -> Block {
    let m = &s.meta;
    let run = vec![
        text("Run "),
        Span::Code(m.run_id.clone()),
        text(" · backend "),
        Span::Code(m.backend.clone()),
        text(format!(
            " · seed {} · population {} members (seed {}, as of {}) · {} shard(s)",
            m.scenario.seed,
            m.population.size,
            m.population.seed,
            m.population.as_of,
            m.shards.len()
        )),
    ];
    let mut window = vec![text(format!(
        "Window {} on {}{} · compression ×{} · facility scale ×{} · ran {:.1} s",
        m.scenario.window,
        m.scenario.date,
        if m.scenario.monday { " (Monday)" } else { "" },
        m.scenario.compression,
        m.scenario.scale,
        m.duration_s,
    ))];
    if m.interrupted {
        window.push(text(" · "));
        window.push(Span::Strong("interrupted".into()));
    }
    Block::Para(vec![run, window])
}

/// The SLO table.
fn slos(s: &Summary) -> Vec<Block> {
    let mut t = Table::new(&["SLO", "target", "actual", "verdict"], &[false; 4]);
    for r in &s.slo {
        t.row(vec![
            vec![text(&r.name)],
            vec![text(&r.target)],
            vec![text(&r.actual)],
            vec![Span::Badge {
                text: if r.passed { "met" } else { "missed" }.into(),
                good: r.passed,
            }],
        ]);
    }
    vec![Block::Heading("SLOs".into()), Block::Table(t)]
}

/// The job counts.
fn jobs(s: &Summary) -> Vec<Block> {
    let c = &s.counters;
    let mut out = vec![
        Block::Heading("Jobs".into()),
        Block::Para(vec![vec![text(format!(
            "scheduled {} · started {} · finished {} · without an answer {} · with a semantic failure {} · retries {} · registrations on the spot {} · bulk units {}",
            c.scheduled,
            c.started,
            c.completed,
            c.with_error,
            c.with_failure,
            c.retries,
            c.registrations,
            c.bulk_units
        ))]]),
    ];
    if c.registered_earlier > 0 {
        out.push(Block::Para(vec![vec![text(format!(
            "{} unregistered member(s) were answered as registered: registered at the backend before this run (registrations persist there).",
            c.registered_earlier
        ))]]));
    }
    out
}

/// The latency tables (transactions, then backend requests) and the generator's
/// lateness.
fn latency(s: &Summary) -> Vec<Block> {
    let mut tx = Table::new(
        &[
            "transaction",
            "finished",
            "response p50",
            "p90",
            "p99",
            "p99.9",
            "max",
            "service p50",
            "service p99",
        ],
        &[false, true, true, true, true, true, true, true, true],
    );
    for k in VISIT_KINDS {
        let Some(r) = s.latency.get(&format!("response.{k}")) else {
            continue;
        };
        let sv = s.latency.get(&format!("service.{k}"));
        let cells = [
            (*k).to_owned(),
            r.count.to_string(),
            ms(r.p50_ms),
            ms(r.p90_ms),
            ms(r.p99_ms),
            ms(r.p999_ms),
            ms(r.max_ms),
            sv.map_or("–".into(), |v| ms(v.p50_ms)),
            sv.map_or("–".into(), |v| ms(v.p99_ms)),
        ];
        tx.row(cells.into_iter().map(|c| vec![text(c)]).collect());
    }
    let mut req = Table::new(
        &[
            "backend request",
            "sent",
            "failed (no answer)",
            "p50",
            "p99",
            "max",
        ],
        &[false, true, true, true, true, true],
    );
    for (name, sent) in &s.counters.requests {
        let r = s.latency.get(&format!("request.{name}"));
        let ok = r.map_or(0, |r| r.count);
        let cells = [
            name.clone(),
            sent.to_string(),
            sent.saturating_sub(ok).to_string(),
            r.map_or("–".into(), |r| ms(r.p50_ms)),
            r.map_or("–".into(), |r| ms(r.p99_ms)),
            r.map_or("–".into(), |r| ms(r.max_ms)),
        ];
        req.row(cells.into_iter().map(|c| vec![text(c)]).collect());
    }
    let mut out = vec![
        Block::Table(tx),
        Block::Para(vec![vec![text(
            "Times in ms; response time counts from the intended arrival (queueing at the reader included), service time from the moment a reader lane took the patient.",
        )]]),
    ];
    if let Some(l) = lateness::Lateness::of(s) {
        out.push(Block::Para(vec![l.sentence()]));
    }
    for sh in &s.meta.shards {
        if let Some(g) = &sh.generator {
            let who = if s.meta.shards.len() > 1 {
                format!("Shard {}: ", sh.shard)
            } else {
                String::new()
            };
            let line = format!("{who}{}", g.sentence());
            out.push(Block::Para(vec![vec![if g.saturated {
                Span::Strong(line)
            } else {
                text(line)
            }]]));
        }
    }
    out.push(Block::Table(req));
    out
}

/// The failures and errors by kind, and the evidence.
fn failures(s: &Summary) -> Vec<Block> {
    let c = &s.counters;
    let mut out = vec![Block::Heading("Failures and errors".into())];
    if c.failures.is_empty() && c.errors.is_empty() && c.request_errors.is_empty() {
        out.push(Block::Para(vec![vec![text(
            "No semantic failures, no errors.",
        )]]));
    } else {
        let mut t = Table::new(&["kind", "count"], &[false, true]);
        for k in FailureKind::ALL {
            let n = c.failures_of(k);
            if n > 0 {
                t.row(vec![
                    vec![text(format!("failure: {}", k.name()))],
                    vec![text(n.to_string())],
                ]);
            }
        }
        for (k, n) in &c.errors {
            t.row(vec![
                vec![text(format!("visits without an answer: {k}"))],
                vec![text(n.to_string())],
            ]);
        }
        for (k, n) in &c.request_errors {
            t.row(vec![
                vec![text(format!(
                    "requests without an answer (retried or not): {k}"
                ))],
                vec![text(n.to_string())],
            ]);
        }
        out.push(Block::Table(t));
    }
    if !s.samples.is_empty() {
        out.push(Block::Para(vec![vec![text(format!(
            "Evidence (first {SAMPLES_PER_KIND} of each kind):"
        ))]]));
        out.push(Block::List(
            s.samples
                .iter()
                .map(|x| {
                    vec![
                        Span::Code(x.kind.name().to_owned()),
                        text(format!(
                            " {} at {} ({}): {}",
                            x.member,
                            x.facility,
                            x.transaction,
                            x.detail.replace('\n', " ")
                        )),
                    ]
                })
                .collect(),
        ));
    }
    out
}

/// The desk bases and the notes, when there are any.
fn desk_and_notes(s: &Summary) -> Vec<Block> {
    let mut out = Vec::new();
    if !s.counters.basis.is_empty() {
        let mut t = Table::new(&["basis", "patients"], &[false, true]);
        for (b, n) in &s.counters.basis {
            t.row(vec![vec![text(b)], vec![text(n.to_string())]]);
        }
        out.push(Block::Heading("At the desk".into()));
        out.push(Block::Table(t));
    }
    if !s.notes.is_empty() {
        out.push(Block::Heading("Notes".into()));
        out.push(Block::List(s.notes.iter().map(|n| vec![text(n)]).collect()));
    }
    out
}

fn spans_md(line: &[Span]) -> String {
    line.iter()
        .map(|s| match s {
            Span::Text(t) => t.clone(),
            Span::Code(t) => format!("`{t}`"),
            Span::Strong(t) => format!("**{t}**"),
            Span::Badge { text, .. } => text.clone(),
        })
        .collect()
}

fn block_md(b: &Block, md: &mut String) {
    match b {
        Block::Heading(h) => {
            let _ = writeln!(md, "## {h}");
        }
        Block::Para(lines) => {
            for l in lines {
                let _ = writeln!(md, "{}", spans_md(l));
            }
        }
        Block::Table(t) => {
            let _ = writeln!(md, "| {} |", t.head.join(" | "));
            let seps: Vec<&str> = t
                .numeric
                .iter()
                .map(|n| if *n { "---:" } else { "---" })
                .collect();
            let _ = writeln!(md, "|{}|", seps.join("|"));
            for r in &t.rows {
                let cells: Vec<String> = r.iter().map(|c| spans_md(c)).collect();
                let _ = writeln!(md, "| {} |", cells.join(" | "));
            }
        }
        Block::List(items) => {
            for i in items {
                let _ = writeln!(md, "- {}", spans_md(i));
            }
        }
    }
}

/// Spans as plain text.
pub(super) fn spans_text(line: &[Span]) -> String {
    line.iter()
        .map(|s| match s {
            Span::Text(t) | Span::Code(t) | Span::Strong(t) => t.as_str(),
            Span::Badge { text, .. } => text.as_str(),
        })
        .collect()
}

/// Spans as HTML.
pub(super) fn spans_html(line: &[Span]) -> String {
    line.iter()
        .map(|s| match s {
            Span::Text(t) => esc(t),
            Span::Code(t) => format!("<code>{}</code>", esc(t)),
            Span::Strong(t) => format!("<b>{}</b>", esc(t)),
            Span::Badge { text, good } => format!(
                r#"<span class="badge {}">{}</span>"#,
                if *good { "good" } else { "bad" },
                esc(text)
            ),
        })
        .collect()
}

/// Blocks as HTML (headings as `<h2>`).
pub(super) fn blocks_html(blocks: &[Block]) -> String {
    let mut h = String::new();
    for b in blocks {
        match b {
            Block::Heading(t) => {
                let _ = write!(h, "<h2>{}</h2>", esc(t));
            }
            Block::Para(lines) => {
                let lines: Vec<String> = lines.iter().map(|l| spans_html(l)).collect();
                let _ = write!(h, "<p>{}</p>", lines.join("<br>"));
            }
            Block::Table(t) => {
                h.push_str("<table><thead><tr>");
                for (c, num) in t.head.iter().zip(&t.numeric) {
                    let _ = write!(h, "<th{}>{}</th>", num_class(*num), esc(c));
                }
                h.push_str("</tr></thead><tbody>");
                for r in &t.rows {
                    h.push_str("<tr>");
                    for (c, num) in r.iter().zip(&t.numeric) {
                        let _ = write!(h, "<td{}>{}</td>", num_class(*num), spans_html(c));
                    }
                    h.push_str("</tr>");
                }
                h.push_str("</tbody></table>");
            }
            Block::List(items) => {
                h.push_str("<ul>");
                for i in items {
                    let _ = write!(h, "<li>{}</li>", spans_html(i));
                }
                h.push_str("</ul>");
            }
        }
    }
    h
}

fn num_class(numeric: bool) -> &'static str {
    if numeric { r#" class="num""# } else { "" }
}

#[cfg(test)]
mod tests {
    use super::super::tests::sample;
    use super::*;

    #[test]
    fn markdown_and_html_say_the_same_without_emoji() {
        let s = sample();
        let sections = Sections::of(&s);
        let mut md = Vec::new();
        sections.markdown(&mut md).unwrap();
        let md = String::from_utf8(md).unwrap();
        assert!(md.starts_with("# onshi load — monday <peak> & 'rush' — SLOs missed\n"));
        assert!(md.contains("| SLO | target | actual | verdict |\n|---|---|---|---|\n"));
        assert!(md.contains("| error-rate | ≤ 1.00% | 0.00% | met |"));
        assert!(md.contains("| wrong-person 'x' | ≤ 0 | 2 | missed |"));
        let html = blocks_html(&sections.slos);
        assert!(html.contains(r#"<td><span class="badge bad">missed</span></td>"#));
        assert!(html.contains("61.2 ms &lt;slow&gt; &amp; &quot;late&quot;"));
        for doc in [&md, &html] {
            assert!(
                !doc.chars()
                    .any(|c| ('\u{2600}'..='\u{27BF}').contains(&c) || c >= '\u{1F000}'),
                "no emoji: {doc}"
            );
        }
    }
}
