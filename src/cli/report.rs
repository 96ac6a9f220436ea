//! `onshi report merge DIR... --out DIR` (shards of a load run, added exactly) and
//! `onshi report render DIR` (rewrite `summary.md`, `junit.xml`, `report.html` from
//! `summary.json`).

use std::collections::BTreeSet;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use onshi::load::output;
use onshi::load::summary::{self, Summary};
use onshi::report::RunDir;

use super::common::{CliError, Exit};

/// `onshi report …`.
#[derive(Debug, Subcommand)]
pub(super) enum ReportCommand {
    /// Merge the run directories of load shards: counters add, latencies come from the
    /// added HdrHistograms of every shard's interval log.
    Merge(MergeArgs),
    /// Render `summary.md`, `junit.xml` and `report.html` again from `summary.json`.
    Render(RenderArgs),
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
    }
}

fn verdict(s: &Summary) -> Exit {
    if s.passed { Exit::Passed } else { Exit::Failed }
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
    Ok(verdict(&merged))
}

fn render(args: RenderArgs) -> Result<Exit, CliError> {
    let run = output::read(&args.dir).map_err(|e| CliError::input(e.to_string()))?;
    output::write_summary(&run.dir, &run.summary).map_err(|e| CliError::failed(e.to_string()))?;
    println!("rendered: {}", args.dir.display());
    Ok(verdict(&run.summary))
}
