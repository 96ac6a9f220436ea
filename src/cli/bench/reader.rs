//! `onshi bench reader`: wall time of the whole conformance suite through the
//! reader-control API with 1, 2, 4 … card slots (`onshi reader serve --slots N` in a
//! process of its own, cards through pcscd + vpcd), and whether every slot count gives
//! the verdicts of the first one. The first slot count is the baseline of the same run.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use clap::Args;

use super::super::common::{CliError, Exit};
use super::load::split::dies_with_parent;

/// `bench reader` options.
#[derive(Debug, Args)]
pub(crate) struct ReaderBenchArgs {
    /// Slot counts to compare, the first one is the baseline (comma-separated).
    #[arg(long, value_delimiter = ',', default_values_t = [1u32, 4])]
    slots: Vec<u32>,
    /// Runs of each slot count (the median is reported).
    #[arg(long, default_value_t = 1)]
    rounds: usize,
    /// The vpcd address of the first slot; slot i uses this port + i.
    #[arg(long, default_value = onshi::vpcd::DEFAULT_VPCD)]
    vpcd: std::net::SocketAddr,
    /// The PC/SC reader name of each vpcd slot, in port order (repeatable; as many as
    /// the largest slot count).
    #[arg(
        long = "pcsc-reader",
        value_name = "NAME",
        default_values_t = ["Virtual PCD 00 00".to_owned(), "Virtual PCD 00 01".to_owned()]
    )]
    pcsc_readers: Vec<String>,
    /// Speed-up the largest slot count must reach over the first.
    #[arg(long, default_value_t = 3.0)]
    target: f64,
}

/// `onshi reader serve` in a process of its own, stopped when dropped.
struct ReaderProcess {
    child: Child,
    url: String,
}

impl ReaderProcess {
    fn start(slots: u32) -> Result<Self, CliError> {
        let exe = std::env::current_exe().map_err(|e| CliError::failed(e.to_string()))?;
        let mut cmd = Command::new(exe);
        cmd.args(["reader", "serve", "--listen", "127.0.0.1:0", "--slots"])
            .arg(slots.to_string())
            .env("ONSHI_LOG", "error")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        dies_with_parent(&mut cmd);
        let mut child = cmd
            .spawn()
            .map_err(|e| CliError::failed(format!("starting onshi reader serve: {e}")))?;
        let Some(stderr) = child.stderr.take() else {
            let _ = child.kill();
            return Err(CliError::failed("onshi reader serve: no stderr"));
        };
        let mut lines = BufReader::new(stderr).lines();
        let url = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(url) = line.strip_prefix("reader-control API on ") {
                        break url.trim().to_owned();
                    }
                }
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(CliError::failed(
                        "onshi reader serve ended before printing its address (a build without --features pcsc?)",
                    ));
                }
            }
        };
        std::thread::spawn(move || lines.for_each(drop));
        Ok(Self { child, url })
    }
}

impl Drop for ReaderProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One suite run: wall seconds, exit code, scenario (file:line) → status.
struct SuiteRun {
    secs: f64,
    code: i32,
    verdicts: BTreeMap<String, String>,
}

fn suite_run(args: &ReaderBenchArgs, url: &str, slots: u32) -> Result<SuiteRun, CliError> {
    let exe = std::env::current_exe().map_err(|e| CliError::failed(e.to_string()))?;
    let dir =
        std::env::temp_dir().join(format!("onshi-bench-reader-{}-{slots}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut cmd = Command::new(exe);
    cmd.args(["run", "--reader", url, "--vpcd", &args.vpcd.to_string()])
        .args(["--slots", &slots.to_string(), "--report-dir"])
        .arg(&dir)
        .env("ONSHI_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for r in &args.pcsc_readers {
        cmd.args(["--pcsc-reader", r]);
    }
    dies_with_parent(&mut cmd);
    let t = Instant::now();
    let status = cmd
        .status()
        .map_err(|e| CliError::failed(format!("onshi run: {e}")))?;
    let secs = t.elapsed().as_secs_f64();
    let verdicts = verdicts(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(SuiteRun {
        secs,
        code: status.code().unwrap_or(-1),
        verdicts: verdicts?,
    })
}

fn verdicts(root: &Path) -> Result<BTreeMap<String, String>, CliError> {
    let run = std::fs::read_dir(root)
        .map_err(|e| CliError::failed(e.to_string()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.is_dir())
        .ok_or_else(|| CliError::failed("onshi run wrote no report"))?;
    let text = std::fs::read(run.join("summary.json"))
        .map_err(|e| CliError::failed(format!("summary.json: {e}")))?;
    let s: serde_json::Value =
        serde_json::from_slice(&text).map_err(|e| CliError::failed(e.to_string()))?;
    Ok(s["scenarios"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|sc| {
                    (
                        format!("{}:{}", sc["file"], sc["line"]),
                        sc["status"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default())
}

pub(super) fn run_reader(args: ReaderBenchArgs) -> Result<Exit, CliError> {
    let max = args.slots.iter().copied().max().unwrap_or(1).max(1);
    if args.slots.contains(&0) {
        return Err(CliError::input(
            "--slots: every slot count must be at least 1",
        ));
    }
    if (max as usize) > args.pcsc_readers.len() {
        return Err(CliError::input(format!(
            "--slots {max} needs {max} --pcsc-reader names, {} given (see docs/benchmarks.md)",
            args.pcsc_readers.len()
        )));
    }
    let reader = ReaderProcess::start(max)?;
    eprintln!(
        "bench reader: onshi reader serve --slots {max} at {}",
        reader.url
    );
    let mut rows: Vec<(u32, f64, usize, bool)> = Vec::new();
    let mut baseline: Option<BTreeMap<String, String>> = None;
    let mut ok = true;
    for &n in &args.slots {
        let mut times = Vec::new();
        let mut same = true;
        let mut count = 0;
        for _ in 0..args.rounds.max(1) {
            let r = suite_run(&args, &reader.url, n)?;
            eprintln!(
                "bench reader: {n} slot(s): {:.1} s, exit {}, {} scenarios",
                r.secs,
                r.code,
                r.verdicts.len()
            );
            if r.code != 0 {
                ok = false;
            }
            count = r.verdicts.len();
            match &baseline {
                None => baseline = Some(r.verdicts),
                Some(b) => same &= *b == r.verdicts,
            }
            times.push(r.secs);
        }
        ok &= same;
        rows.push((n, super::median(times), count, same));
    }
    let base = rows.first().map_or(0.0, |r| r.1);
    println!("slots  median wall s  scenarios  speed-up  same verdicts");
    for (n, secs, count, same) in &rows {
        println!(
            "{n:>5}  {secs:>13.1}  {count:>9}  {:>7.2}×  {}",
            if *secs > 0.0 { base / secs } else { 0.0 },
            if *same { "yes" } else { "NO" }
        );
    }
    let best = rows.last().map_or(0.0, |r| r.1);
    let speedup = if best > 0.0 { base / best } else { 0.0 };
    let met = speedup >= args.target;
    println!(
        "{} {} slots vs {}: {speedup:.2}× (target ≥ {:.1}×){}",
        if met { "MET " } else { "MISS" },
        rows.last().map_or(0, |r| r.0),
        rows.first().map_or(0, |r| r.0),
        args.target,
        if ok {
            ""
        } else {
            "; a run failed or the verdicts differ"
        }
    );
    Ok(if ok && met {
        Exit::Passed
    } else {
        Exit::Failed
    })
}
