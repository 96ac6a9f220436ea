//! `onshi bench suite`: wall time of the whole conformance suite on the embedded
//! defaults (target ≤ 10 s), against a baseline run of the same binary that selects no
//! scenario (start-up, cards, report) measured in the same session.

use std::process::Command;
use std::time::Instant;

use clap::Args;

use super::super::common::{CliError, Exit};

/// `bench suite` options.
#[derive(Debug, Args)]
pub(crate) struct SuiteBenchArgs {
    /// Runs of each kind (the median is reported).
    #[arg(long, default_value_t = 5)]
    rounds: usize,
}

fn time_run(exe: &std::path::Path, extra: &[&str]) -> Result<(f64, bool), CliError> {
    let dir = std::env::temp_dir().join(format!("onshi-bench-suite-{}", std::process::id()));
    let t = Instant::now();
    let out = Command::new(exe)
        .arg("run")
        .args(extra)
        .arg("--report-dir")
        .arg(&dir)
        .env("ONSHI_LOG", "error")
        .output()
        .map_err(|e| CliError::failed(format!("running {}: {e}", exe.display())))?;
    let secs = t.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(&dir);
    Ok((secs, out.status.success()))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

pub(super) fn run_suite(args: SuiteBenchArgs) -> Result<Exit, CliError> {
    if cfg!(debug_assertions) {
        eprintln!("note: this is a debug build; measure with `cargo run --release -- bench suite`");
    }
    let exe = std::env::current_exe().map_err(|e| CliError::failed(e.to_string()))?;
    // Warm the key cache once so neither kind pays RSA key generation.
    time_run(&exe, &["--tags", "@onshi-bench-none"])?;
    let (mut full, mut base) = (Vec::new(), Vec::new());
    for _ in 0..args.rounds.max(1) {
        let (secs, ok) = time_run(&exe, &[])?;
        if !ok {
            return Err(CliError::failed(
                "the suite did not pass on the embedded defaults",
            ));
        }
        full.push(secs);
        base.push(time_run(&exe, &["--tags", "@onshi-bench-none"])?.0);
    }
    let (f, b) = (median(full), median(base));
    let met = f <= 10.0;
    println!(
        "{} whole suite on the embedded defaults {f:>7.2} s (median of {})  baseline (no scenario) {b:.2} s  scenarios alone {:.2} s  target ≤ 10 s",
        if met { "MET " } else { "MISS" },
        args.rounds.max(1),
        f - b
    );
    Ok(if met { Exit::Passed } else { Exit::Failed })
}
