//! The figures of `onshi bench load` and how they are printed (the lines of
//! docs/benchmarks.md).

use onshi::bench::Figure;
use onshi::load::costs::Step;

use super::super::median;
use super::split::Cpus;
use super::{FullRound, InProcess, LoadBenchArgs};

/// A figure of the report.
fn fig(
    name: &str,
    value: f64,
    unit: &'static str,
    baseline: Option<f64>,
    ratio: Option<f64>,
    target: &str,
    met: bool,
) -> Figure {
    Figure {
        name: name.to_owned(),
        value,
        unit,
        baseline,
        ratio,
        target: target.to_owned(),
        met,
    }
}

/// The medians of the saturation rounds.
struct Medians {
    full_rate: f64,
    full_cpu: f64,
    full_p99: f64,
    raw_rate: f64,
    raw_cpu: f64,
    /// Raw over full visits/s.
    wall_ratio: f64,
    /// Full over raw CPU per visit.
    cpu_ratio: f64,
}

/// The medians of the full and raw rounds, and of their ratios round by round.
fn medians(full: &[FullRound], raw: &[(f64, f64)]) -> Medians {
    Medians {
        full_rate: median(full.iter().map(|r| r.rate).collect()),
        full_cpu: median(full.iter().map(|r| r.cpu_per_visit_us).collect()),
        full_p99: median(full.iter().map(|r| r.service_p99_ms).collect()),
        raw_rate: median(raw.iter().map(|r| r.0).collect()),
        raw_cpu: median(raw.iter().map(|r| r.1).collect()),
        // Ratios per round (each full round next to its raw round), then the median.
        wall_ratio: median(
            full.iter()
                .zip(raw)
                .map(|(f, r)| r.0 / f.rate.max(1e-9))
                .collect(),
        ),
        cpu_ratio: median(
            full.iter()
                .zip(raw)
                .map(|(f, r)| f.cpu_per_visit_us / r.1.max(1e-9))
                .collect(),
        ),
    }
}

/// The figures of the saturation rounds (medians) and of the in-process breakdown.
pub(super) fn saturation_figures(
    args: &LoadBenchArgs,
    full: &[FullRound],
    raw: &[(f64, f64)],
    here: &InProcess,
    split: Option<&Cpus>,
) -> Vec<Figure> {
    if let Some(cpus) = split {
        return split_figures(args, full, raw, cpus);
    }
    let cores = cores();
    let Medians {
        full_rate,
        full_cpu,
        full_p99,
        raw_rate,
        raw_cpu,
        wall_ratio,
        cpu_ratio,
    } = medians(full, raw);
    let failures: u64 = full.iter().map(|r| r.failures).sum();
    let capacity = cores as f64 * 1e6 / full_cpu.max(1e-9);
    let lanes = args.lanes;
    vec![
        fig(
            &format!(
                "full-semantics visits/s, saturation ({lanes} lanes, {failures} semantic failures)"
            ),
            full_rate,
            "visits/s",
            None,
            None,
            "≥ 10,000 visits/s",
            full_rate >= 10_000.0,
        ),
        fig(
            "service time p99 at saturation",
            full_p99,
            "ms",
            None,
            None,
            "(informational)",
            true,
        ),
        fig(
            &format!("CPU-bound capacity: {cores} cores ÷ CPU per full visit"),
            capacity,
            "visits/s",
            None,
            None,
            "≥ 10,000 visits/s",
            capacity >= 10_000.0,
        ),
        fig(
            "cost per visit: full semantics vs raw Goose, same endpoints, fixed bodies (CPU, whole process)",
            full_cpu,
            "µs",
            Some(raw_cpu),
            Some(cpu_ratio),
            "≤ 1.5×",
            cpu_ratio <= 1.5,
        ),
        fig(
            "cost per visit: the same, from wall-clock throughput at saturation",
            full_rate,
            "visits/s",
            Some(raw_rate),
            Some(wall_ratio),
            "≤ 1.5×",
            wall_ratio <= 1.5,
        ),
        fig(
            "in process, one thread: a full visit against the engine (no HTTP, no Goose)",
            here.semantics,
            "µs",
            Some(here.engine_only),
            None,
            "(breakdown: baseline = the engine alone on fixed bodies)",
            true,
        ),
    ]
}

/// The figures of split mode: the generator's CPU per visit (this process alone)
/// against raw Goose's client-side CPU for the same requests, the generator's ceiling
/// on every CPU of the box, and what the backend's own process paid.
fn split_figures(
    args: &LoadBenchArgs,
    full: &[FullRound],
    raw: &[(f64, f64)],
    cpus: &Cpus,
) -> Vec<Figure> {
    let Medians {
        full_rate,
        full_cpu,
        full_p99,
        raw_cpu,
        cpu_ratio,
        ..
    } = medians(full, raw);
    let box_cpus = cpus.generator.len() + cpus.backend.len();
    let ceiling = box_cpus as f64 * 1e6 / full_cpu.max(1e-9);
    let backend_full = median(
        full.iter()
            .filter_map(|r| r.backend.map(|b| b.full_us))
            .collect(),
    );
    let backend_raw = median(
        full.iter()
            .filter_map(|r| r.backend.map(|b| b.raw_us))
            .collect(),
    );
    let failures: u64 = full.iter().map(|r| r.failures).sum();
    let (g, b) = (&cpus.generator, &cpus.backend);
    vec![
        fig(
            &format!(
                "split: generator CPU per full visit vs raw Goose's client CPU per visit, same requests (generator on CPUs {g:?}, backend process on {b:?}; {failures} semantic failures)"
            ),
            full_cpu,
            "µs",
            Some(raw_cpu),
            Some(cpu_ratio),
            "≤ 1.25×",
            cpu_ratio <= 1.25,
        ),
        fig(
            &format!(
                "split: generator ceiling, {box_cpus} CPUs ÷ generator CPU per full visit (one load process with the whole box, backend elsewhere)"
            ),
            ceiling,
            "visits/s",
            None,
            None,
            "≥ 10,000 visits/s",
            ceiling >= 10_000.0,
        ),
        fig(
            &format!(
                "split: full-semantics visits/s, generator on {} CPU(s) against the backend on {} ({} lanes)",
                g.len(),
                b.len(),
                args.lanes
            ),
            full_rate,
            "visits/s",
            None,
            None,
            "(informational: bounded by the generator's CPUs)",
            true,
        ),
        fig(
            "split: service time p99 at saturation",
            full_p99,
            "ms",
            None,
            None,
            "(informational)",
            true,
        ),
        fig(
            "split: backend process CPU per visit, full round (baseline: per raw visit)",
            backend_full,
            "µs",
            Some(backend_raw),
            Some(backend_full / backend_raw.max(1e-9)),
            "(informational: what the backend paid)",
            true,
        ),
    ]
}

/// Two figures per open-model run: the rate achieved and the response time p99.
pub(super) fn open_figures(args: &LoadBenchArgs, open: &[(f64, FullRound)]) -> Vec<Figure> {
    let mut figures = Vec::new();
    for (offered, fr) in open {
        figures.push(fig(
            &format!(
                "open model: achieved visits/s at {offered:.0}/s offered ({} lanes)",
                args.open_lanes
            ),
            fr.rate,
            "visits/s",
            Some(*offered),
            Some(fr.rate / offered.max(1e-9)),
            "≥ 10,000 visits/s",
            fr.rate >= 10_000.0,
        ));
        figures.push(fig(
            &format!(
                "open model at {offered:.0}/s offered: response time p99 (from the intended arrival)"
            ),
            fr.response_p99_ms,
            "ms",
            None,
            None,
            "< 50 ms",
            fr.response_p99_ms < 50.0,
        ));
    }
    figures
}

/// The cores this process may use.
pub(super) fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// Prints the figures and the breakdown, as JSON or as a table.
pub(super) fn print(json: bool, figures: &[Figure], steps: &[Step]) {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "figures": figures, "breakdown": steps })
            )
            .unwrap_or_default()
        );
    } else {
        for f in figures {
            println!("{}", f.line(100));
        }
        println!("where the time goes (one thread, in process, µs per call):");
        for st in steps {
            println!("  {:>8.1} µs  {}", st.us, st.name);
        }
    }
}
