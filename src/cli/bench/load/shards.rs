//! Scale-out of `onshi bench load --shards N,…`: for each N, N `onshi load --shard
//! i/N` processes against one `onshi serve` (its own process), the shards' reports
//! merged by `onshi report merge` and the merge checked against the sum of its parts:
//! counts exact, percentiles from the shards' histograms added. With `--split` the
//! backend is pinned to half of the CPUs and the load processes to the other half.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use onshi::bench::Figure;
use onshi::load::hlog;
use onshi::load::output;
use onshi::load::summary::{Summary, totals};

use super::super::super::common::{CliError, Exit};
use super::split::{BackendProcess, Cpus, dies_with_parent, pinned, population_args};
use super::{LoadBenchArgs, scenario_text};

/// The most shards one N may ask for.
const MAX_SHARDS: u32 = 64;

/// A scratch directory removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What one N measured.
struct Point {
    shards: u32,
    visits: u64,
    failures: u64,
    rate: f64,
    backend_cpu_us: f64,
    mismatches: Vec<String>,
    exits: Vec<i32>,
}

/// The differences between a merged summary and the sum of its parts (none: exact).
fn compare(parts: &[output::LoadRun], merged: &output::LoadRun) -> Vec<String> {
    let mut out = Vec::new();
    let m = &merged.summary;
    let sum = |f: &dyn Fn(&Summary) -> u64| parts.iter().map(|p| f(&p.summary)).sum::<u64>();
    let mut check = |what: &str, merged: u64, parts: u64| {
        if merged != parts {
            out.push(format!("{what}: merged {merged}, parts add up to {parts}"));
        }
    };
    check(
        "completed",
        m.counters.completed,
        sum(&|s| s.counters.completed),
    );
    check(
        "scheduled",
        m.counters.scheduled,
        sum(&|s| s.counters.scheduled),
    );
    check(
        "semantic failures",
        m.counters.total_failures(),
        sum(&|s| s.counters.total_failures()),
    );
    check(
        "errors",
        m.counters.with_error,
        sum(&|s| s.counters.with_error),
    );
    for (name, n) in &m.counters.requests {
        check(
            &format!("requests {name}"),
            *n,
            sum(&|s| s.counters.requests.get(name).copied().unwrap_or(0)),
        );
    }
    let entries: Vec<_> = parts
        .iter()
        .flat_map(|p| p.logs.iter().flat_map(|(_, _, e)| e.iter().cloned()))
        .collect();
    let added = totals(&entries);
    for tag in ["response.visit", "service.visit"] {
        let ours = added.get(tag).map(|h| (h.len(), hlog::ms_at(h, 0.99)));
        let theirs = m.latency.get(tag).map(|l| (l.count, l.p99_ms));
        if ours != theirs {
            out.push(format!(
                "{tag} (count, p99 ms): merged {theirs:?}, the parts' histograms added {ours:?}"
            ));
        }
    }
    out
}

/// Runs `onshi` with `args`, pinned to `cpus` when given; its output goes to `log`.
fn onshi(args: &[String], cpus: Option<&[usize]>, log: &Path) -> Result<Command, CliError> {
    let exe = std::env::current_exe().map_err(|e| CliError::failed(e.to_string()))?;
    let file = std::fs::File::create(log).map_err(|e| CliError::failed(e.to_string()))?;
    let err = file
        .try_clone()
        .map_err(|e| CliError::failed(e.to_string()))?;
    let mut cmd = Command::new(exe);
    cmd.args(args).stdin(Stdio::null()).stdout(file).stderr(err);
    if let Some(c) = cpus {
        pinned(&mut cmd, c.to_vec());
    }
    dies_with_parent(&mut cmd);
    Ok(cmd)
}

/// One N: a fresh backend, N load processes at once, the merge, the comparison.
fn point(
    args: &LoadBenchArgs,
    n: u32,
    scenario: &Path,
    root: &Path,
    cpus: Option<&Cpus>,
) -> Result<Point, CliError> {
    let backend = BackendProcess::start(args, &[], cpus.map(|c| c.backend.as_slice()))?;
    let dir = root.join(format!("n{n}"));
    std::fs::create_dir_all(&dir).map_err(|e| CliError::failed(e.to_string()))?;
    let cpu0 = backend.cpu();
    let started = Instant::now();
    let mut children = Vec::new();
    for i in 0..n {
        let mut a: Vec<String> = [
            "load",
            "--scenario",
            &scenario.display().to_string(),
            "--shard",
            &format!("{i}/{n}"),
            "--backend",
            &backend.url,
            "--report-dir",
            &dir.display().to_string(),
            "--run-id",
            &format!("shard-{i}"),
            "--no-progress",
            "--no-goose-report",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        a.extend(population_args(args));
        let log = dir.join(format!("shard-{i}.log"));
        let mut cmd = onshi(&a, cpus.map(|c| c.generator.as_slice()), &log)?;
        children.push(
            cmd.spawn()
                .map_err(|e| CliError::failed(format!("starting onshi load: {e}")))?,
        );
    }
    let mut exits = Vec::new();
    for mut c in children {
        let status = c.wait().map_err(|e| CliError::failed(e.to_string()))?;
        exits.push(status.code().unwrap_or(-1));
    }
    let wall = started.elapsed();
    let backend_cpu = backend.cpu().saturating_sub(cpu0);
    drop(backend);
    if let Some((i, code)) = exits
        .iter()
        .enumerate()
        .find(|(_, c)| ![0, 1, 4].contains(*c))
    {
        let log = std::fs::read_to_string(dir.join(format!("shard-{i}.log"))).unwrap_or_default();
        return Err(CliError::failed(format!(
            "shard {i}/{n} exited {code}:\n{}",
            log.lines()
                .rev()
                .take(20)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<Vec<_>>()
                .join("\n")
        )));
    }
    let parts = (0..n)
        .map(|i| output::read(&dir.join(format!("shard-{i}"))))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| CliError::failed(e.to_string()))?;
    let mut merge: Vec<String> = vec!["report".into(), "merge".into()];
    merge.extend((0..n).map(|i| dir.join(format!("shard-{i}")).display().to_string()));
    merge.extend(["--out".into(), dir.join("merged").display().to_string()]);
    let status = onshi(&merge, None, &dir.join("merge.log"))?
        .status()
        .map_err(|e| CliError::failed(e.to_string()))?;
    if !matches!(status.code(), Some(0 | 1 | 4)) {
        return Err(CliError::failed(format!(
            "onshi report merge exited {status}: {}",
            std::fs::read_to_string(dir.join("merge.log")).unwrap_or_default()
        )));
    }
    let merged = output::read(&dir.join("merged")).map_err(|e| CliError::failed(e.to_string()))?;
    let visits = merged.summary.counters.completed;
    let longest = parts
        .iter()
        .map(|p| p.summary.meta.duration_s)
        .fold(0.0_f64, f64::max);
    let point = Point {
        shards: n,
        visits,
        failures: merged.summary.counters.total_failures(),
        rate: visits as f64 / longest.max(1e-6),
        backend_cpu_us: backend_cpu.as_secs_f64() * 1e6 / visits.max(1) as f64,
        mismatches: compare(&parts, &merged),
        exits,
    };
    eprintln!(
        "{n} shard(s): {} visits in {:.1} s wall ({:.0} visits/s over the longest shard's run), {} semantic failures, backend {:.0} µs CPU/visit, exits {:?}, merge {}",
        point.visits,
        wall.as_secs_f64(),
        point.rate,
        point.failures,
        point.backend_cpu_us,
        point.exits,
        if point.mismatches.is_empty() {
            "exact".to_owned()
        } else {
            point.mismatches.join("; ")
        }
    );
    Ok(point)
}

/// `onshi bench load --shards N,…`.
pub(super) fn run_shards(args: &LoadBenchArgs) -> Result<Exit, CliError> {
    if let Some(n) = args.shards.iter().find(|n| **n == 0 || **n > MAX_SHARDS) {
        return Err(CliError::input(format!(
            "--shards: {n} is not a shard count (1 to {MAX_SHARDS})"
        )));
    }
    let cpus = if args.split {
        Some(Cpus::split()?)
    } else {
        None
    };
    let root = std::env::temp_dir().join(format!("onshi-bench-shards-{}", std::process::id()));
    std::fs::create_dir_all(&root).map_err(|e| CliError::failed(e.to_string()))?;
    let scratch = Scratch(root);
    let scenario = scratch.0.join("bench.toml");
    std::fs::write(
        &scenario,
        scenario_text(args.lanes, args.visits as f64, 0.0, args.card_share, true),
    )
    .map_err(|e| CliError::failed(e.to_string()))?;
    eprintln!(
        "onshi bench load --shards {:?}: {} visits on {} lanes split over N load processes against one onshi serve{}",
        args.shards,
        args.visits,
        args.lanes,
        cpus.as_ref().map_or(String::new(), |c| format!(
            " (load on CPUs {:?}, backend on {:?})",
            c.generator, c.backend
        ))
    );
    let mut points = Vec::new();
    for &n in &args.shards {
        points.push(point(args, n, &scenario, &scratch.0, cpus.as_ref())?);
    }
    let base = points.first().map_or(1.0, |p| p.rate);
    let mut figures = Vec::new();
    for p in &points {
        figures.push(Figure {
            name: format!(
                "shards: {} load process(es), visits/s (Σ finished ÷ the longest shard's run; {} semantic failures)",
                p.shards, p.failures
            ),
            value: p.rate,
            unit: "visits/s",
            baseline: Some(base),
            ratio: Some(p.rate / base.max(1e-9)),
            target: "(the curve; baseline: the first N)".into(),
            met: p.failures == 0,
        });
        figures.push(Figure {
            name: format!(
                "shards: {} process(es), merged report vs the sum of its parts (counts, p99 from the added histograms)",
                p.shards
            ),
            value: p.mismatches.len() as f64,
            unit: "differences",
            baseline: None,
            ratio: None,
            target: "0".into(),
            met: p.mismatches.is_empty(),
        });
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "figures": figures }))
                .unwrap_or_default()
        );
    } else {
        for f in &figures {
            println!("{}", f.line(100));
        }
    }
    Ok(if figures.iter().all(|f| f.met) {
        Exit::Passed
    } else {
        Exit::Failed
    })
}
