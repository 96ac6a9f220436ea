//! The run summary (`summary.json`): everything the reports show, built from one run
//! or merged from shards. Counters add; latencies come from HdrHistograms rebuilt
//! from the interval logs, so a merge is exact.

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use super::facility::Shard;
use super::generator::Generator;
use super::hlog::{self, Entry};
use super::metrics::{
    Counters, FailureKind, IntervalCounts, LATENESS_TAG, SAMPLES_PER_KIND, Sample, VISIT_KINDS,
};
use super::scenario::Slos;
use super::slo::{self, SloResult};

mod figures;

/// The summary format version.
pub const FORMAT: u32 = 1;

/// The scenario as run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioInfo {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// The file.
    pub source: String,
    /// Seed of arrivals and patient draws.
    pub seed: u64,
    /// The simulated window (`08:00–12:30`).
    pub window: String,
    /// The simulated date.
    pub date: String,
    /// Whether the Monday factor applied.
    pub monday: bool,
    /// Simulated seconds per real second.
    pub compression: f64,
    /// Facility scale factor.
    pub scale: f64,
    /// Interval of the logs and the series.
    pub interval_ms: u64,
    /// The SLOs.
    pub slos: Slos,
}

/// The population the run drew patients from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PopulationInfo {
    /// Seed.
    pub seed: u64,
    /// Generated members.
    pub size: u64,
    /// As-of time.
    pub as_of: String,
}

/// One shard of the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardInfo {
    /// Which.
    pub shard: Shard,
    /// Its run id.
    pub run_id: String,
    /// Facilities.
    pub facilities: u64,
    /// Reader lanes (Goose users).
    pub lanes: u64,
    /// Its slice of generated members (`lo..hi`).
    pub members: (u64, u64),
    /// Its interval log (relative to the report directory).
    pub hdr_log: String,
    /// How its load generator fared (absent in a summary of an onshi that did not
    /// watch it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generator: Option<Generator>,
}

/// Latency figures of one tag.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatencyStats {
    /// Samples.
    pub count: u64,
    /// Mean (ms).
    pub mean_ms: f64,
    /// Median.
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 99th.
    pub p99_ms: f64,
    /// 99.9th.
    pub p999_ms: f64,
    /// Maximum.
    pub max_ms: f64,
}

impl LatencyStats {
    /// The figures of a histogram (µs).
    pub fn of(h: &Histogram<u64>) -> Self {
        Self {
            count: h.len(),
            mean_ms: if h.is_empty() { 0.0 } else { h.mean() / 1000.0 },
            p50_ms: hlog::ms_at(h, 0.50),
            p90_ms: hlog::ms_at(h, 0.90),
            p99_ms: hlog::ms_at(h, 0.99),
            p999_ms: hlog::ms_at(h, 0.999),
            max_ms: if h.is_empty() {
                0.0
            } else {
                h.max() as f64 / 1000.0
            },
        }
    }
}

/// One interval of the time series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SeriesPoint {
    /// Interval number (start = index × interval).
    pub index: u64,
    /// Start, seconds after the window start.
    pub t_s: f64,
    /// Jobs due (intended arrivals) in the interval.
    pub arrivals: u64,
    /// Counts.
    pub counts: IntervalCounts,
    /// Median response time of the visits finished in the interval.
    pub p50_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// 99th percentile of the generator's lateness of the jobs started in the
    /// interval ([`LATENESS_TAG`]; 0 in a summary of an onshi that did not record it).
    #[serde(default)]
    pub lateness_p99_ms: f64,
    /// The largest lateness of a job started in the interval.
    #[serde(default)]
    pub lateness_max_ms: f64,
    /// CPU time the load process(es) used in the interval (s; 0 when not measured).
    #[serde(default)]
    pub generator_cpu_s: f64,
}

/// One latency SLO interval by interval: when, and by how much, it was missed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SloSeries {
    /// The SLO's name, as in its [`SloResult`].
    pub name: String,
    /// The histogram tag it judges (`response.visit`, `request.challenge`, …).
    pub tag: String,
    /// Percentile (0–100].
    pub percentile: f64,
    /// The target in milliseconds.
    pub max_ms: f64,
    /// `[interval number, the percentile of the interval's samples in ms]`, for the
    /// intervals with samples.
    pub points: Vec<(u64, f64)>,
}

impl SloSeries {
    /// The points above the target.
    pub fn missed(&self) -> impl Iterator<Item = (u64, f64)> + '_ {
        self.points.iter().copied().filter(|p| p.1 > self.max_ms)
    }
}

/// Goose's view of one request name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct GooseRow {
    /// Requests.
    pub requests: u64,
    /// Failed (status or transport).
    pub fails: u64,
}

/// The summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Format version.
    pub format: u32,
    /// Which run (its fields stand at the top level of `summary.json`).
    #[serde(flatten)]
    pub meta: Meta,
    /// Counters.
    pub counters: Counters,
    /// Failure evidence (a few per kind).
    pub samples: Vec<Sample>,
    /// Latency per tag (`response.card`, `service.visit`, `request.challenge`, …).
    pub latency: BTreeMap<String, LatencyStats>,
    /// The time series.
    pub series: Vec<SeriesPoint>,
    /// SLO verdicts.
    pub slo: Vec<SloResult>,
    /// Whether every SLO is met.
    pub passed: bool,
    /// Goose's request counts by request name.
    pub goose: BTreeMap<String, GooseRow>,
    /// Notes (warnings about the run).
    pub notes: Vec<String>,
    /// Every latency SLO interval by interval (empty in a summary of an onshi that did
    /// not record it).
    #[serde(default)]
    pub slo_series: Vec<SloSeries>,
    /// Percentile curves by tag (`response.<visit kind>`, `request.<name>`): `[percentile
    /// 0–100, ms]` points as HdrHistogram's percentile distribution lists them, the
    /// maximum last at 100 (empty in a summary of an onshi that did not record them).
    #[serde(default)]
    pub percentiles: BTreeMap<String, Vec<(f64, f64)>>,
}

/// Which run a summary is of: everything but the figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// Run id (directory name).
    pub run_id: String,
    /// The scenario.
    pub scenario: ScenarioInfo,
    /// The backend.
    pub backend: String,
    /// The population.
    pub population: PopulationInfo,
    /// Shards (one for a single run).
    pub shards: Vec<ShardInfo>,
    /// Wall-clock start (local time, informational).
    pub started_at: String,
    /// Real run time in seconds.
    pub duration_s: f64,
    /// Whether the run was stopped (Ctrl-C) before the schedule was done.
    pub interrupted: bool,
}

/// Counts and arrivals of one interval number.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct SeriesCounts {
    /// Counts.
    pub counts: IntervalCounts,
    /// Jobs due.
    pub arrivals: u64,
    /// CPU time the load process(es) used in the interval (s).
    #[serde(default)]
    pub cpu_s: f64,
}

/// The interval number of a start offset.
pub fn interval_index(start: Duration, interval: Duration) -> u64 {
    (start.as_secs_f64() / interval.as_secs_f64().max(1e-3)).round() as u64
}

/// Jobs due per interval number from their real offsets (seconds after t0).
pub fn arrivals_by_interval(offsets: &[f64], interval: Duration) -> BTreeMap<u64, u64> {
    let mut out = BTreeMap::new();
    let i = interval.as_secs_f64().max(1e-3);
    for o in offsets {
        *out.entry((o / i).floor().max(0.0) as u64).or_default() += 1;
    }
    out
}

/// Adds histograms by tag.
pub fn totals(entries: &[Entry]) -> BTreeMap<String, Histogram<u64>> {
    let mut out: BTreeMap<String, Histogram<u64>> = BTreeMap::new();
    for e in entries {
        let Ok(hist) = e.histogram() else { continue };
        let h = out.entry(e.tag.clone()).or_insert_with(hlog::histogram);
        // Same bounds everywhere; saturate anything a foreign log might carry.
        if h.add(&hist).is_err() {
            for v in hist.iter_recorded() {
                h.saturating_record_n(v.value_iterated_to(), v.count_at_value());
            }
        }
    }
    out
}

/// Builds the summary: the run, its counters, failure evidence, Goose's counts and
/// notes, latencies from the interval-log entries, the series from `series`.
pub fn build(
    meta: Meta,
    counters: Counters,
    mut samples: Vec<Sample>,
    goose: BTreeMap<String, GooseRow>,
    notes: Vec<String>,
    entries: &[Entry],
    series: &BTreeMap<u64, SeriesCounts>,
) -> Summary {
    let interval = Duration::from_millis(meta.scenario.interval_ms.max(1));
    let hist = totals(entries);
    let latency = hist
        .iter()
        .map(|(t, h)| (t.clone(), LatencyStats::of(h)))
        .collect();
    let percentiles = hist
        .iter()
        .filter(|(t, _)| curve_tag(t))
        .map(|(t, h)| (t.clone(), figures::percentile_curve(h)))
        .collect();
    // Per-interval figures: every visit's response time, the generator's lateness,
    // and each latency SLO's own percentile of its own tag.
    let mut wanted: BTreeMap<String, Vec<f64>> = BTreeMap::from([
        ("response.visit".to_owned(), vec![0.5, 0.99]),
        (LATENESS_TAG.to_owned(), vec![0.99, 1.0]),
    ]);
    let slos = &meta.scenario.slos.latency;
    for l in slos {
        let qs = wanted.entry(slo::latency_tag(l)).or_default();
        if !qs.contains(&(l.percentile / 100.0)) {
            qs.push(l.percentile / 100.0);
        }
    }
    let per = figures::per_interval(entries, interval, &wanted);
    let at = |tag: &str, index: u64, q: f64| -> Option<f64> {
        let i = wanted.get(tag)?.iter().position(|x| *x == q)?;
        per.get(&(tag.to_owned(), index))?.get(i).copied()
    };
    let series = series
        .iter()
        .map(|(&index, c)| SeriesPoint {
            index,
            t_s: index as f64 * interval.as_secs_f64(),
            arrivals: c.arrivals,
            counts: c.counts,
            p50_ms: at("response.visit", index, 0.5).unwrap_or(0.0),
            p99_ms: at("response.visit", index, 0.99).unwrap_or(0.0),
            lateness_p99_ms: at(LATENESS_TAG, index, 0.99).unwrap_or(0.0),
            lateness_max_ms: at(LATENESS_TAG, index, 1.0).unwrap_or(0.0),
            generator_cpu_s: c.cpu_s,
        })
        .collect();
    let slo_series = slos
        .iter()
        .map(|l| {
            let tag = slo::latency_tag(l);
            let q = l.percentile / 100.0;
            SloSeries {
                name: slo::latency_name(l),
                points: series_indices(&per, &tag)
                    .filter_map(|i| Some((i, at(&tag, i, q)?)))
                    .collect(),
                tag,
                percentile: l.percentile,
                max_ms: l.max_ms,
            }
        })
        .collect();
    let slo = slo::evaluate(&meta.scenario.slos, &counters, &hist, meta.interrupted);
    // An interrupted run measured only part of its schedule: it never passes.
    let passed = !meta.interrupted && slo.iter().all(|s| s.passed);
    samples.sort_by(|a, b| (a.kind, &a.member).cmp(&(b.kind, &b.member)));
    Summary {
        format: FORMAT,
        meta,
        counters,
        samples,
        latency,
        series,
        slo,
        passed,
        goose,
        notes,
        slo_series,
        percentiles,
    }
}

/// Whether a tag gets a percentile curve: every visit kind's response time and every
/// backend request.
fn curve_tag(tag: &str) -> bool {
    tag.strip_prefix("response.")
        .is_some_and(|k| VISIT_KINDS.contains(&k))
        || tag.starts_with("request.")
}

/// The interval numbers with figures of `tag`, in order.
fn series_indices<'a>(
    per: &'a BTreeMap<(String, u64), Vec<f64>>,
    tag: &'a str,
) -> impl Iterator<Item = u64> + 'a {
    per.keys().filter(move |(t, _)| t == tag).map(|(_, i)| *i)
}

impl Summary {
    /// The series counts keyed by interval number (for merging).
    pub fn series_counts(&self) -> BTreeMap<u64, SeriesCounts> {
        self.series
            .iter()
            .map(|p| {
                (
                    p.index,
                    SeriesCounts {
                        counts: p.counts,
                        arrivals: p.arrivals,
                        cpu_s: p.generator_cpu_s,
                    },
                )
            })
            .collect()
    }

    /// Semantic failures of one kind.
    pub fn failures(&self, kind: FailureKind) -> u64 {
        self.counters.failures_of(kind)
    }

    /// The shards whose generator was the bottleneck.
    pub fn saturated_generators(&self) -> impl Iterator<Item = (&ShardInfo, &Generator)> {
        self.meta
            .shards
            .iter()
            .filter_map(|s| Some((s, s.generator.as_ref().filter(|g| g.saturated)?)))
    }

    /// Whether the run measured the system under test: no shard's generator was the
    /// bottleneck. When it was not, the SLO verdicts are unreliable.
    pub fn measured(&self) -> bool {
        self.saturated_generators().next().is_none()
    }

    /// The run's outcome, in the order the exit code reads it: interrupted; a
    /// semantic failure (the answers were wrong, whoever was slow); a saturated
    /// generator (the SLO verdicts are unreliable); SLOs met or missed.
    pub fn outcome(&self) -> Outcome {
        if self.meta.interrupted {
            Outcome::Interrupted
        } else if self.counters.total_failures() > 0 {
            Outcome::Failed
        } else if !self.measured() {
            Outcome::Unreliable
        } else if self.passed {
            Outcome::Passed
        } else {
            Outcome::Failed
        }
    }
}

/// A load run's outcome (see [`Summary::outcome`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Every SLO met, the generator kept up.
    Passed,
    /// A semantic failure, or an SLO missed with a generator that kept up.
    Failed,
    /// The generator was the bottleneck: the run did not measure the system under test.
    Unreliable,
    /// Stopped by a signal before the schedule was done.
    Interrupted,
}

/// Why shards cannot be merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    /// Nothing to merge.
    #[error("no summaries to merge")]
    Empty,
    /// Different scenarios or seeds.
    #[error("{0}")]
    Mismatch(String),
    /// The same shard twice: its counts would be added twice.
    #[error("shard {shard} is given twice ({first} and {second}): its counts would be added twice")]
    DuplicateShard {
        /// The shard, `I/N`.
        shard: String,
        /// The run that brought it first.
        first: String,
        /// The run that brought it again.
        second: String,
    },
}

/// Refuses a shard `seen` already (its counts would be added twice).
fn check_new_shards(
    seen: &mut BTreeMap<(u32, u32), String>,
    s: &Summary,
) -> Result<(), MergeError> {
    for sh in &s.meta.shards {
        let key = (sh.shard.index, sh.shard.count);
        if let Some(prev) = seen.insert(key, sh.run_id.clone()) {
            return Err(MergeError::DuplicateShard {
                shard: sh.shard.to_string(),
                first: prev,
                second: sh.run_id.clone(),
            });
        }
    }
    Ok(())
}

/// Refuses a shard of another scenario, seed, SLOs or population than `first`.
fn check_same_run(first: &Summary, s: &Summary) -> Result<(), MergeError> {
    if s.meta.scenario.name != first.meta.scenario.name
        || s.meta.scenario.seed != first.meta.scenario.seed
        || s.meta.scenario.slos != first.meta.scenario.slos
        || s.meta.population != first.meta.population
    {
        return Err(MergeError::Mismatch(format!(
            "{} ran {} (seed {}, population {:?}); {} ran {} (seed {}, population {:?})",
            first.meta.run_id,
            first.meta.scenario.name,
            first.meta.scenario.seed,
            first.meta.population,
            s.meta.run_id,
            s.meta.scenario.name,
            s.meta.scenario.seed,
            s.meta.population
        )));
    }
    Ok(())
}

/// What the shards add up to so far.
#[derive(Default)]
struct Merged {
    counters: Counters,
    samples: Vec<Sample>,
    entries: Vec<Entry>,
    series: BTreeMap<u64, SeriesCounts>,
    shards: Vec<ShardInfo>,
    goose: BTreeMap<String, GooseRow>,
    notes: Vec<String>,
    duration: f64,
    interrupted: bool,
}

impl Merged {
    /// Adds one shard: counts, the first samples of each kind, series, Goose rows,
    /// new notes, the longest duration, its log entries.
    fn add(&mut self, s: Summary, e: Vec<Entry>) {
        self.counters.add(&s.counters);
        let series_counts = s.series_counts();
        for x in s.samples {
            if self.samples.iter().filter(|k| k.kind == x.kind).count() < SAMPLES_PER_KIND {
                self.samples.push(x);
            }
        }
        for (k, c) in series_counts {
            let m = self.series.entry(k).or_default();
            m.arrivals += c.arrivals;
            m.cpu_s += c.cpu_s;
            m.counts.started += c.counts.started;
            m.counts.completed += c.counts.completed;
            m.counts.failed += c.counts.failed;
            m.counts.errors += c.counts.errors;
        }
        for (k, r) in s.goose {
            let g = self.goose.entry(k).or_default();
            g.requests += r.requests;
            g.fails += r.fails;
        }
        for n in s.notes {
            if !self.notes.contains(&n) {
                self.notes.push(n);
            }
        }
        self.shards.extend(s.meta.shards);
        self.duration = self.duration.max(s.meta.duration_s);
        self.interrupted |= s.meta.interrupted;
        self.entries.extend(e);
    }
}

/// Merges shard summaries with their interval-log entries (already read).
pub fn merge(
    run_id: String,
    parts: Vec<(Summary, Vec<Entry>)>,
) -> Result<(Summary, Vec<Entry>), MergeError> {
    let first = parts.first().ok_or(MergeError::Empty)?.0.clone();
    let mut m = Merged::default();
    let mut seen: BTreeMap<(u32, u32), String> = BTreeMap::new();
    for (s, e) in parts {
        check_new_shards(&mut seen, &s)?;
        check_same_run(&first, &s)?;
        m.add(s, e);
    }
    m.shards.sort_by_key(|s| (s.shard.index, s.run_id.clone()));
    let meta = Meta {
        run_id,
        scenario: first.meta.scenario,
        backend: first.meta.backend,
        population: first.meta.population,
        shards: m.shards,
        started_at: first.meta.started_at,
        duration_s: m.duration,
        interrupted: m.interrupted,
    };
    let summary = build(
        meta, m.counters, m.samples, m.goose, m.notes, &m.entries, &m.series,
    );
    Ok((summary, m.entries))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::load::scenario::{LatencySlo, Measure};

    /// A scenario as run on Monday 2026-11-30 (1 s intervals, error rate ≤ 1 %, no
    /// other count SLO), for the tests of this crate.
    pub(crate) fn scenario_info(
        name: &str,
        source: &str,
        seed: u64,
        window: &str,
        compression: f64,
        latency: Vec<LatencySlo>,
    ) -> ScenarioInfo {
        ScenarioInfo {
            name: name.into(),
            description: String::new(),
            source: source.into(),
            seed,
            window: window.into(),
            date: "2026-11-30".into(),
            monday: true,
            compression,
            scale: 1.0,
            interval_ms: 1000,
            slos: Slos {
                error_rate: 0.01,
                ten_wari: 0,
                wrong_person: 0,
                semantic_failures: None,
                latency,
            },
        }
    }

    /// The population of these tests: 100 members, seed 1, as of 2026-11-30 09:00.
    pub(crate) fn population() -> PopulationInfo {
        PopulationInfo {
            seed: 1,
            size: 100,
            as_of: "2026-11-30 09:00:00".into(),
        }
    }

    fn meta(run: &str, index: u32) -> Meta {
        let latency = vec![LatencySlo {
            transaction: "visit".into(),
            percentile: 99.0,
            max_ms: 50.0,
            measure: Measure::Response,
        }];
        Meta {
            run_id: run.into(),
            scenario: scenario_info("s", "s.toml", 1, "08:00–09:00", 60.0, latency),
            backend: "embedded".into(),
            population: population(),
            shards: vec![ShardInfo {
                shard: Shard { index, count: 2 },
                run_id: run.into(),
                facilities: 3,
                lanes: 3,
                members: (0, 50),
                hdr_log: format!("hdr/shard-{index}-of-2.hlog"),
                generator: None,
            }],
            started_at: "t".into(),
            duration_s: 10.0 + f64::from(index),
            interrupted: false,
        }
    }

    /// A shard's summary of `meta` with these counters, logs and series (Goose sent
    /// 10 challenges, 1 failed; one note).
    fn shard(
        meta: Meta,
        counters: Counters,
        entries: &[Entry],
        series: &BTreeMap<u64, SeriesCounts>,
    ) -> Summary {
        let goose = BTreeMap::from([(
            "challenge".into(),
            GooseRow {
                requests: 10,
                fails: 1,
            },
        )]);
        let notes = vec!["n".into()];
        build(meta, counters, Vec::new(), goose, notes, entries, series)
    }

    /// A shard's summary of `meta` without figures.
    fn empty_shard(meta: Meta) -> Summary {
        shard(meta, Counters::default(), &[], &BTreeMap::new())
    }

    fn entries(values: &[u64], second: u64) -> Vec<Entry> {
        let mut h = hlog::histogram();
        for v in values {
            h.record(*v).unwrap();
        }
        vec![Entry::new(
            Duration::from_millis(second * 1000 + 3),
            Duration::from_secs(1),
            "response.visit",
            &h,
        )]
    }

    /// A generator verdict of one run.
    fn generator(saturated: bool) -> Generator {
        let busy = if saturated { 0.99 } else { 0.3 };
        Generator::judge(&crate::load::generator::Observed {
            cores: 1,
            intervals: vec![
                crate::load::generator::IntervalCpu {
                    cpu_s: busy,
                    wall_s: 1.0,
                    busy: true,
                };
                4
            ],
            visits: 10,
            lateness_p99_ms: 1.0,
            lateness_max_ms: 2.0,
            with_backend: false,
        })
    }

    #[test]
    fn the_outcome_reads_interruption_then_failures_then_the_generator_then_slos() {
        let mut s = empty_shard(meta("a", 0));
        s.passed = true;
        assert_eq!(s.outcome(), Outcome::Passed);
        s.meta.shards[0].generator = Some(generator(false));
        assert_eq!(s.outcome(), Outcome::Passed);
        s.passed = false;
        assert_eq!(s.outcome(), Outcome::Failed, "an SLO missed, measured");
        s.meta.shards[0].generator = Some(generator(true));
        assert!(!s.measured());
        assert_eq!(s.outcome(), Outcome::Unreliable, "missed, but not measured");
        s.passed = true;
        assert_eq!(s.outcome(), Outcome::Unreliable, "met, but not measured");
        s.counters
            .failures
            .insert(FailureKind::WrongPerson.name().into(), 1);
        assert_eq!(
            s.outcome(),
            Outcome::Failed,
            "a wrong answer is wrong whoever was slow"
        );
        s.meta.interrupted = true;
        assert_eq!(s.outcome(), Outcome::Interrupted);
    }

    #[test]
    fn a_merge_is_unreliable_when_one_shard_was() {
        let mut a = empty_shard(meta("a", 0));
        a.meta.shards[0].generator = Some(generator(false));
        let mut b = empty_shard(meta("b", 1));
        b.meta.shards[0].generator = Some(generator(true));
        let (m, _) = merge("m".into(), vec![(a, Vec::new()), (b, Vec::new())]).unwrap();
        assert_eq!(m.saturated_generators().count(), 1);
        assert_eq!(m.saturated_generators().next().unwrap().0.shard.index, 1);
        assert!(!m.measured());
    }

    #[test]
    fn a_summary_without_the_newer_figures_still_loads() {
        let s = shard(
            meta("a", 0),
            Counters::default(),
            &entries(&[1000, 5000], 0),
            &BTreeMap::from([(0, SeriesCounts::default())]),
        );
        assert_eq!(s.slo_series.len(), 1);
        let points = &s.slo_series[0].points;
        assert!(
            points.len() == 1 && (points[0].1 - 5.0).abs() < 0.01,
            "{points:?}"
        );
        assert_eq!(s.slo_series[0].missed().count(), 0);
        assert!(s.percentiles["response.visit"].len() >= 2);
        let mut json = serde_json::to_value(&s).unwrap();
        let o = json.as_object_mut().unwrap();
        o.remove("slo_series");
        o.remove("percentiles");
        for p in o["series"].as_array_mut().unwrap() {
            let p = p.as_object_mut().unwrap();
            p.remove("lateness_p99_ms");
            p.remove("lateness_max_ms");
        }
        let old: Summary = serde_json::from_value(json).unwrap();
        assert!(old.slo_series.is_empty() && old.percentiles.is_empty());
        assert_eq!(old.series[0].lateness_max_ms, 0.0);
    }

    #[test]
    fn merging_adds_counts_and_histograms_exactly() {
        let mut c0 = Counters {
            scheduled: 10,
            completed: 10,
            ..Counters::default()
        };
        c0.failures.insert("wrong-person".into(), 1);
        let c1 = Counters {
            scheduled: 5,
            completed: 4,
            with_error: 1,
            ..Counters::default()
        };
        let series = |k: u64, n: u64| {
            BTreeMap::from([(
                k,
                SeriesCounts {
                    counts: IntervalCounts {
                        started: n,
                        completed: n,
                        failed: 0,
                        errors: 0,
                    },
                    arrivals: n,
                    cpu_s: 0.0,
                },
            )])
        };
        let e0 = entries(&(1..=1000).map(|v| v * 10).collect::<Vec<_>>(), 0);
        let e1 = entries(&(1..=1000).map(|v| v * 100).collect::<Vec<_>>(), 1);
        let s0 = shard(meta("a", 0), c0, &e0, &series(0, 10));
        let s1 = shard(meta("b", 1), c1, &e1, &series(1, 4));
        assert!(!s0.passed, "a wrong person fails the run");
        let (m, all) = merge("m".into(), vec![(s0, e0.clone()), (s1, e1.clone())]).unwrap();
        assert_eq!(m.counters.scheduled, 15);
        assert_eq!(m.counters.completed, 14);
        assert_eq!(m.counters.failures_of(FailureKind::WrongPerson), 1);
        assert_eq!(m.goose["challenge"].requests, 20);
        assert_eq!(m.meta.shards.len(), 2);
        assert_eq!(m.meta.duration_s, 11.0);
        assert_eq!(m.notes, vec!["n".to_owned()]);
        assert_eq!(all.len(), 2);
        let mut direct = hlog::histogram();
        direct.add(e0[0].histogram().unwrap()).unwrap();
        direct.add(e1[0].histogram().unwrap()).unwrap();
        let l = m.latency["response.visit"];
        assert_eq!(l.count, 2000);
        assert_eq!(l.p99_ms, direct.value_at_quantile(0.99) as f64 / 1000.0);
        assert_eq!(m.series.len(), 2);
        assert_eq!(m.series[1].arrivals, 4);
        assert!(m.series[1].p99_ms > m.series[0].p99_ms);
        // Error rate: 1 error + 1 unfinished of 15.
        assert!(m.slo[0].actual.starts_with("13.333 %"), "{:?}", m.slo[0]);
        let mut other = meta("c", 0);
        other.scenario.seed = 2;
        let s2 = empty_shard(other);
        let s3 = empty_shard(meta("d", 1));
        assert!(matches!(
            merge("x".into(), vec![(s2, Vec::new()), (s3, Vec::new())]),
            Err(MergeError::Mismatch(_))
        ));
        assert!(matches!(
            merge("x".into(), Vec::new()),
            Err(MergeError::Empty)
        ));
        // The same shard twice would double every count.
        let again = empty_shard(meta("a", 0));
        let twice = empty_shard(meta("a2", 0));
        assert!(matches!(
            merge("x".into(), vec![(again, Vec::new()), (twice, Vec::new())]),
            Err(MergeError::DuplicateShard { .. })
        ));
    }
}
