//! `onshi report merge DIR... --out DIR` (shards of a load run, added exactly),
//! `onshi report render DIR` (rewrite `summary.md`, `junit.xml`, `report.html` from
//! `summary.json`), `onshi report diff A B` (two runs of the same kind compared, a
//! regression as exit 1 with `--fail-on regression`) and `onshi report list` (the run
//! index).

use std::collections::BTreeSet;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use onshi::load::diff as load_diff;
use onshi::load::output;
use onshi::load::summary::{self, Outcome, Summary};
use onshi::report::diff as conformance_diff;
use onshi::report::index::{self, RunKind};
use onshi::report::{ConformanceReport, RunDir};

use super::common::{CliError, Exit};

/// `onshi report …`.
#[derive(Debug, Subcommand)]
pub(super) enum ReportCommand {
    /// Merge the run directories of load shards: counters add, latencies come from the
    /// added HdrHistograms of every shard's interval log.
    Merge(MergeArgs),
    /// Render `summary.md`, `junit.xml` and `report.html` again from `summary.json`.
    Render(RenderArgs),
    /// Compare two runs of the same kind (A the baseline): conformance — requirements
    /// and scenarios whose verdict changed; load — throughput, errors, failures and
    /// latency percentiles, each judged against run-to-run noise.
    Diff(DiffArgs),
    /// List the runs under a report directory, newest first (and rewrite its
    /// `index.html`).
    List(ListArgs),
}

/// What `report diff` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum DiffFormat {
    /// Markdown, for a pull-request comment.
    Md,
    /// A self-contained HTML page.
    Html,
    /// JSON.
    Json,
}

/// When `report diff` exits 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum FailOn {
    /// Any regression: a requirement or scenario that failed now, a percentile slower
    /// beyond its threshold and beyond noise, throughput down beyond its threshold, an
    /// error or failure rate up beyond noise.
    Regression,
}

/// `onshi report diff` options.
#[derive(Debug, Args)]
pub(super) struct DiffArgs {
    /// The baseline run directory.
    #[arg(value_name = "A")]
    a: PathBuf,
    /// The run compared with it.
    #[arg(value_name = "B")]
    b: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "md")]
    format: DiffFormat,
    /// Write to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Exit 1 on a regression (for CI).
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Load thresholds (repeatable): `p99=+10%` (default p50 and p99 +10 %),
    /// `p90=+20%`, `p99.9=+50%`, `throughput=-10%` (default), `p50=off`.
    #[arg(long = "threshold", value_name = "KEY=VALUE")]
    thresholds: Vec<String>,
}

/// `onshi report list` options.
#[derive(Debug, Args)]
pub(super) struct ListArgs {
    /// The report directory.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    report_dir: PathBuf,
}

/// `onshi report merge` options.
#[derive(Debug, Args)]
pub(super) struct MergeArgs {
    /// Run directories (each with `summary.json` and `hdr/`).
    #[arg(required = true, value_name = "DIR")]
    dirs: Vec<PathBuf>,
    /// Output directory.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Run id of the merged report (default: the output directory's name).
    #[arg(long)]
    run_id: Option<String>,
}

/// `onshi report render` options.
#[derive(Debug, Args)]
pub(super) struct RenderArgs {
    /// A run directory.
    #[arg(value_name = "DIR")]
    dir: PathBuf,
}

pub(super) fn run(cmd: ReportCommand) -> Result<Exit, CliError> {
    match cmd {
        ReportCommand::Merge(a) => merge(a),
        ReportCommand::Render(a) => render(a),
        ReportCommand::Diff(a) => diff(a),
        ReportCommand::List(a) => list(a),
    }
}

/// The exit code of a load report: the same contract as `onshi load` (an interrupted
/// run, read back, no longer has its signal: it fails).
fn verdict(s: &Summary) -> Exit {
    match s.outcome() {
        Outcome::Passed => Exit::Passed,
        Outcome::Unreliable => Exit::Unreliable,
        Outcome::Failed | Outcome::Interrupted => Exit::Failed,
    }
}

fn merge(args: MergeArgs) -> Result<Exit, CliError> {
    // Never write the merge over one of its inputs.
    let out = std::fs::canonicalize(&args.out).ok();
    for dir in &args.dirs {
        if out.is_some() && std::fs::canonicalize(dir).ok() == out {
            return Err(CliError::input(format!(
                "--out {} is one of the inputs: the merge would overwrite it",
                args.out.display()
            )));
        }
    }
    let mut parts = Vec::new();
    let mut logs = Vec::new();
    let mut names = BTreeSet::new();
    for dir in &args.dirs {
        let mut run = output::read(dir).map_err(|e| CliError::input(e.to_string()))?;
        // Keep every log under a unique name in the output.
        for (i, (name, raw, _)) in run.logs.iter().enumerate() {
            let mut unique = name.clone();
            let mut k = 1;
            while !names.insert(unique.clone()) {
                unique = name.replace(".hlog", &format!("-{k}.hlog"));
                k += 1;
            }
            if let Some(s) = run.summary.meta.shards.get_mut(i) {
                s.hdr_log = unique.clone();
            }
            logs.push((unique, raw.clone()));
        }
        let entries = run.logs.into_iter().flat_map(|(_, _, e)| e).collect();
        parts.push((run.summary, entries));
    }
    let run_id = args.run_id.clone().unwrap_or_else(|| {
        args.out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "merged".into())
    });
    let (merged, _) = summary::merge(run_id, parts).map_err(|e| CliError::input(e.to_string()))?;
    let out = RunDir::open_or_create(&args.out).map_err(|e| CliError::failed(e.to_string()))?;
    for (name, raw) in &logs {
        out.write(name, raw)
            .map_err(|e| CliError::failed(e.to_string()))?;
    }
    output::write_summary(&out, &merged).map_err(|e| CliError::failed(e.to_string()))?;
    let mut md = Vec::new();
    let _ = onshi::load::render::markdown(&merged, &mut md);
    println!("{}", String::from_utf8_lossy(&md));
    println!("merged report: {}", args.out.display());
    if let Some(root) = args.out.parent().filter(|p| !p.as_os_str().is_empty())
        && let Err(e) = index::write(root)
    {
        eprintln!(
            "warning: rewriting {}/index.html failed: {e}",
            root.display()
        );
    }
    Ok(verdict(&merged))
}

fn render(args: RenderArgs) -> Result<Exit, CliError> {
    let run = output::read(&args.dir).map_err(|e| CliError::input(e.to_string()))?;
    output::write_summary(&run.dir, &run.summary).map_err(|e| CliError::failed(e.to_string()))?;
    println!("rendered: {}", args.dir.display());
    Ok(verdict(&run.summary))
}

/// A run directory's summary, with its kind.
fn summary_of(dir: &std::path::Path) -> Result<(RunKind, serde_json::Value), CliError> {
    let path = dir.join("summary.json");
    let bytes =
        std::fs::read(&path).map_err(|e| CliError::input(format!("{}: {e}", path.display())))?;
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| CliError::input(format!("{}: {e}", path.display())))?;
    match RunKind::of(&value) {
        RunKind::Unknown => Err(CliError::input(format!(
            "{}: not the summary of an onshi run",
            path.display()
        ))),
        kind => Ok((kind, value)),
    }
}

fn diff(args: DiffArgs) -> Result<Exit, CliError> {
    let (ka, va) = summary_of(&args.a)?;
    let (kb, vb) = summary_of(&args.b)?;
    if ka != kb {
        return Err(CliError::input(format!(
            "{} is a {} run and {} a {} run: compare runs of one kind",
            args.a.display(),
            ka.name(),
            args.b.display(),
            kb.name()
        )));
    }
    let (text, regressed) = match ka {
        RunKind::Conformance => {
            let parse = |v: serde_json::Value, dir: &std::path::Path| {
                serde_json::from_value::<ConformanceReport>(v)
                    .map_err(|e| CliError::input(format!("{}/summary.json: {e}", dir.display())))
            };
            let d = conformance_diff::diff(&parse(va, &args.a)?, &parse(vb, &args.b)?);
            let text = match args.format {
                DiffFormat::Md => conformance_diff::markdown(&d),
                DiffFormat::Html => conformance_diff::html(&d),
                DiffFormat::Json => json(&d)?,
            };
            (text, d.regressed())
        }
        _ => {
            let mut t = load_diff::Thresholds::default();
            for s in &args.thresholds {
                t.apply(s)
                    .map_err(|e| CliError::input(format!("--threshold {e}")))?;
            }
            let a = output::read(&args.a).map_err(|e| CliError::input(e.to_string()))?;
            let b = output::read(&args.b).map_err(|e| CliError::input(e.to_string()))?;
            let hist = |run: &output::LoadRun| {
                let entries: Vec<_> = run.logs.iter().flat_map(|(_, _, e)| e.clone()).collect();
                summary::totals(&entries)
            };
            let d = load_diff::diff(&a.summary, &hist(&a), &b.summary, &hist(&b), &t);
            let text = match args.format {
                DiffFormat::Md => load_diff::markdown(&d),
                DiffFormat::Html => load_diff::html(&d),
                DiffFormat::Json => json(&d)?,
            };
            (text, d.regressed())
        }
    };
    match &args.out {
        Some(path) => onshi::fsutil::write_atomic(path, text.as_bytes())
            .map_err(|e| CliError::input(format!("{}: {e}", path.display())))?,
        None => print!("{text}"),
    }
    Ok(if regressed && args.fail_on == Some(FailOn::Regression) {
        Exit::Failed
    } else {
        Exit::Passed
    })
}

fn json(value: &impl serde::Serialize) -> Result<String, CliError> {
    serde_json::to_string_pretty(value)
        .map(|s| s + "\n")
        .map_err(|e| CliError::failed(e.to_string()))
}

fn list(args: ListArgs) -> Result<Exit, CliError> {
    let entries = index::scan(&args.report_dir)
        .map_err(|e| CliError::input(format!("{}: {e}", args.report_dir.display())))?;
    print!("{}", index::text(&entries));
    if let Err(e) = index::write(&args.report_dir) {
        eprintln!(
            "warning: rewriting {}/index.html failed: {e}",
            args.report_dir.display()
        );
    }
    Ok(Exit::Passed)
}
