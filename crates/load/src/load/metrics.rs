//! What a run measures, next to Goose: HdrHistograms of response time (from the
//! intended arrival) and service time (from the moment a lane took the patient) per
//! transaction kind, request latencies, the generator's own lateness, counters,
//! failures by kind with evidence, and the same per interval for the interval log and
//! the time series.
//!
//! One mutex, taken when a job starts and when it finishes.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use super::hlog::{self, Entry};
use super::live::{IntervalFigures, Percentiles, Reading};

mod kinds;
pub use kinds::{ErrorKind, FailureKind, Sample};

/// Every transaction kind a latency SLO may name.
pub const TX_KINDS: &[&str] = &[
    "visit",
    "card",
    "card-face",
    "card-pin",
    "card-visual",
    "numbers",
    "bulk",
    "challenge",
    "confirm-card",
    "confirm-numbers",
    "register",
    "bulk-upload",
    "bulk-download",
];

/// The visit kinds: the first entries of [`TX_KINDS`].
pub const VISIT_KINDS: &[&str] = TX_KINDS.split_at(7).0;

/// Backend request names (recorded under `request.<name>`): the rest of [`TX_KINDS`].
pub const REQUESTS: &[&str] = TX_KINDS.split_at(7).1;

/// The tag of the generator's lateness: how long after it could have a job started
/// (see [`Recorder::started`]).
pub const LATENESS_TAG: &str = "lateness.visit";

/// Samples kept per failure kind.
pub const SAMPLES_PER_KIND: usize = 5;

/// One backend request of a job.
#[derive(Debug, Clone, Copy)]
pub struct RequestTiming {
    /// The request name ([`REQUESTS`]).
    pub name: &'static str,
    /// How long it took, body read included.
    pub took: Duration,
    /// The error, if it got no answer.
    pub error: Option<ErrorKind>,
}

/// A finished job.
#[derive(Debug, Clone)]
pub struct JobResult {
    /// Transaction kinds to record under (e.g. `card-face`, `card`, `visit`).
    pub kinds: &'static [&'static str],
    /// When the patient was meant to arrive.
    pub intended: Instant,
    /// When a lane took the patient.
    pub started: Instant,
    /// When the clinic step was done.
    pub finished: Instant,
    /// Backend requests, in order.
    pub requests: Vec<RequestTiming>,
    /// The error that left the visit without an answer, if any.
    pub error: Option<ErrorKind>,
    /// Semantic failures with their evidence.
    pub failures: Vec<Sample>,
    /// The clinic's basis (`online-card`, `declaration`, …).
    pub basis: Option<&'static str>,
    /// Calls repeated after an error.
    pub retries: u32,
    /// Registered on the spot.
    pub registered: bool,
    /// Unregistered in the ground truth, answered as registered: registered at the
    /// backend before this run (or by another shard).
    pub registered_earlier: bool,
    /// Bulk units checked.
    pub units: u32,
}

/// Counters of a run (exactly additive across shards).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Counters {
    /// Jobs in the schedule.
    pub scheduled: u64,
    /// Jobs a lane took.
    pub started: u64,
    /// Jobs finished.
    pub completed: u64,
    /// Finished jobs by transaction kind (first kind).
    pub by_kind: BTreeMap<String, u64>,
    /// Finished jobs without a backend answer.
    pub with_error: u64,
    /// Errors by kind (per visit).
    pub errors: BTreeMap<String, u64>,
    /// Failed requests by kind (every attempt).
    pub request_errors: BTreeMap<String, u64>,
    /// Requests sent, by name.
    pub requests: BTreeMap<String, u64>,
    /// Repeated calls.
    pub retries: u64,
    /// Semantic failures by kind.
    pub failures: BTreeMap<String, u64>,
    /// Jobs with at least one semantic failure.
    pub with_failure: u64,
    /// Clinic decisions by basis.
    pub basis: BTreeMap<String, u64>,
    /// On-the-spot registrations.
    pub registrations: u64,
    /// Unregistered members the backend knew as registered before this run.
    #[serde(default)]
    pub registered_earlier: u64,
    /// Bulk units checked.
    pub bulk_units: u64,
}

impl Counters {
    /// Adds another shard's counters.
    pub fn add(&mut self, o: &Counters) {
        self.scheduled += o.scheduled;
        self.started += o.started;
        self.completed += o.completed;
        self.with_error += o.with_error;
        self.retries += o.retries;
        self.with_failure += o.with_failure;
        self.registrations += o.registrations;
        self.registered_earlier += o.registered_earlier;
        self.bulk_units += o.bulk_units;
        for (mine, theirs) in [
            (&mut self.by_kind, &o.by_kind),
            (&mut self.errors, &o.errors),
            (&mut self.request_errors, &o.request_errors),
            (&mut self.requests, &o.requests),
            (&mut self.failures, &o.failures),
            (&mut self.basis, &o.basis),
        ] {
            for (k, v) in theirs {
                *mine.entry(k.clone()).or_default() += v;
            }
        }
    }

    /// Semantic failures of one kind.
    pub fn failures_of(&self, kind: FailureKind) -> u64 {
        self.failures.get(kind.name()).copied().unwrap_or(0)
    }

    /// Every semantic failure.
    pub fn total_failures(&self) -> u64 {
        self.failures.values().sum()
    }
}

/// Counts of one interval (for the time series).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct IntervalCounts {
    /// Jobs started.
    pub started: u64,
    /// Jobs finished.
    pub completed: u64,
    /// Jobs finished with a semantic failure.
    pub failed: u64,
    /// Jobs finished without an answer.
    pub errors: u64,
}

/// One closed interval.
#[derive(Debug, Clone)]
pub struct Interval {
    /// Start, after t0.
    pub start: Duration,
    /// Length.
    pub duration: Duration,
    /// Histograms by tag, V2 + DEFLATE serialised (a closed interval costs a few
    /// hundred bytes, not a full counts array).
    pub histograms: Vec<(String, Vec<u8>)>,
    /// Counts.
    pub counts: IntervalCounts,
    /// CPU time the load process used in the interval, when it was measured.
    pub cpu: Option<Duration>,
}

#[derive(Debug)]
struct State {
    t0: Instant,
    last_finish: Option<Instant>,
    cumulative: BTreeMap<String, Histogram<u64>>,
    current: BTreeMap<String, Histogram<u64>>,
    current_counts: IntervalCounts,
    current_start: Duration,
    /// The process CPU clock at the start of the current interval.
    cpu_mark: Option<Duration>,
    intervals: Vec<Interval>,
    counters: Counters,
    samples: BTreeMap<FailureKind, Vec<Sample>>,
    /// The latest failure of each kind, with the number of jobs finished when it came.
    latest: BTreeMap<FailureKind, (u64, Sample)>,
    /// The figures of the last closed interval (for the dashboard).
    last_interval: Option<IntervalFigures>,
}

/// Live figures for the progress display.
#[derive(Debug, Clone, Copy, Default)]
pub struct Live {
    /// Jobs finished.
    pub completed: u64,
    /// Jobs finished in the last closed interval, per second.
    pub rate: f64,
    /// p99 response time of every visit so far (ms).
    pub p99_ms: f64,
    /// Semantic failures.
    pub failures: u64,
    /// Jobs without an answer.
    pub errors: u64,
    /// p99 of the generator's lateness so far (ms).
    pub lateness_p99_ms: f64,
}

/// The run's recorder.
#[derive(Debug)]
pub struct Recorder {
    state: Mutex<State>,
}

fn record(map: &mut BTreeMap<String, Histogram<u64>>, tag: &str, us: u64) {
    match map.get_mut(tag) {
        Some(h) => h.saturating_record(us.max(1)),
        None => {
            let mut h = hlog::histogram();
            h.saturating_record(us.max(1));
            map.insert(tag.to_owned(), h);
        }
    }
}

/// `<measure>.<kind>` without allocating (kinds are [`TX_KINDS`]).
fn tag(measure: &str, kind: &str, buf: &mut String) {
    buf.clear();
    buf.push_str(measure);
    buf.push('.');
    buf.push_str(kind);
}

fn us(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

impl Recorder {
    /// A recorder whose clock starts at `t0` (the window start in real time).
    pub fn new(t0: Instant, scheduled: u64) -> Self {
        Self {
            state: Mutex::new(State {
                t0,
                last_finish: None,
                cumulative: BTreeMap::new(),
                current: BTreeMap::new(),
                current_counts: IntervalCounts::default(),
                current_start: Duration::ZERO,
                cpu_mark: None,
                intervals: Vec::new(),
                counters: Counters {
                    scheduled,
                    ..Counters::default()
                },
                samples: BTreeMap::new(),
                latest: BTreeMap::new(),
                last_interval: None,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// t0.
    pub fn t0(&self) -> Instant {
        self.lock().t0
    }

    /// Sets t0 (before any job finishes).
    pub fn set_t0(&self, t0: Instant) {
        let mut s = self.lock();
        s.t0 = t0;
        s.current_start = Duration::ZERO;
    }

    /// The process CPU clock at t0: the first interval's CPU counts from here.
    pub fn mark_cpu(&self, cpu_now: Duration) {
        self.lock().cpu_mark = Some(cpu_now);
    }

    /// A lane started a job `lateness` after it could have: after its intended
    /// arrival, or after the lane took it when the lane was busy until then. That is
    /// the generator's own delay (timers, scheduling, Goose), never the queue at a
    /// busy reader; recorded as [`LATENESS_TAG`].
    pub fn started(&self, lateness: Duration) {
        let mut s = self.lock();
        s.counters.started += 1;
        s.current_counts.started += 1;
        let v = us(lateness);
        record(&mut s.cumulative, LATENESS_TAG, v);
        record(&mut s.current, LATENESS_TAG, v);
    }

    /// A job finished.
    pub fn finish(&self, job: JobResult) {
        let response = us(job.finished.saturating_duration_since(job.intended));
        let service = us(job.finished.saturating_duration_since(job.started));
        let mut s = self.lock();
        let s = &mut *s;
        s.last_finish = Some(s.last_finish.map_or(job.finished, |l| l.max(job.finished)));
        let mut t = String::with_capacity(32);
        for kind in job.kinds {
            for (measure, v) in [("response", response), ("service", service)] {
                tag(measure, kind, &mut t);
                record(&mut s.cumulative, &t, v);
                record(&mut s.current, &t, v);
            }
        }
        for r in &job.requests {
            match s.counters.requests.get_mut(r.name) {
                Some(n) => *n += 1,
                None => {
                    s.counters.requests.insert(r.name.to_owned(), 1);
                }
            }
            match r.error {
                Some(e) => {
                    *s.counters
                        .request_errors
                        .entry(e.name().to_owned())
                        .or_default() += 1;
                }
                None => {
                    tag("request", r.name, &mut t);
                    record(&mut s.cumulative, &t, us(r.took));
                    record(&mut s.current, &t, us(r.took));
                }
            }
        }
        let c = &mut s.counters;
        c.completed += 1;
        if let Some(k) = job.kinds.first() {
            match c.by_kind.get_mut(*k) {
                Some(n) => *n += 1,
                None => {
                    c.by_kind.insert((*k).to_owned(), 1);
                }
            }
        }
        c.retries += u64::from(job.retries);
        c.bulk_units += u64::from(job.units);
        if job.registered {
            c.registrations += 1;
        }
        if job.registered_earlier {
            c.registered_earlier += 1;
        }
        if let Some(b) = job.basis {
            match c.basis.get_mut(b) {
                Some(n) => *n += 1,
                None => {
                    c.basis.insert(b.to_owned(), 1);
                }
            }
        }
        s.current_counts.completed += 1;
        if let Some(e) = job.error {
            c.with_error += 1;
            *c.errors.entry(e.name().to_owned()).or_default() += 1;
            s.current_counts.errors += 1;
        }
        if !job.failures.is_empty() {
            c.with_failure += 1;
            s.current_counts.failed += 1;
        }
        let seq = c.completed;
        for f in job.failures {
            *c.failures.entry(f.kind.name().to_owned()).or_default() += 1;
            let kept = s.samples.entry(f.kind).or_default();
            if kept.len() < SAMPLES_PER_KIND {
                kept.push(f.clone());
            }
            s.latest.insert(f.kind, (seq, f));
        }
    }

    /// Closes the current interval at `now` (called by the ticker, and at the end).
    pub fn rotate(&self, now: Instant) {
        let _ = self.rotate_measured(now, None);
    }

    /// Closes the current interval at `now`, with the process CPU clock read then
    /// (`cpu_now`): the interval keeps the CPU used since the last reading. Returns
    /// the closed interval's length and CPU time, when both are known.
    pub fn rotate_measured(
        &self,
        now: Instant,
        cpu_now: Option<Duration>,
    ) -> Option<(Duration, Duration)> {
        let mut s = self.lock();
        let at = now.saturating_duration_since(s.t0);
        let start = s.current_start;
        if at <= start {
            return None;
        }
        let cpu = match (cpu_now, s.cpu_mark) {
            (Some(n), Some(m)) => Some(n.saturating_sub(m)),
            _ => None,
        };
        if cpu_now.is_some() {
            s.cpu_mark = cpu_now;
        }
        let of = |tag: &str| {
            s.current
                .get(tag)
                .map_or_else(Percentiles::default, Percentiles::of)
        };
        let figures = IntervalFigures {
            start_s: start.as_secs_f64(),
            duration_s: (at - start).as_secs_f64(),
            completed: s.current_counts.completed,
            response: of("response.visit"),
            service: of("service.visit"),
        };
        s.last_interval = Some(figures);
        let histograms = std::mem::take(&mut s.current)
            .into_iter()
            .map(|(tag, h)| (tag, hlog::encode(&h)))
            .collect();
        let counts = std::mem::take(&mut s.current_counts);
        s.intervals.push(Interval {
            start,
            duration: at - start,
            histograms,
            counts,
            cpu,
        });
        s.current_start = at;
        cpu.map(|c| (at - start, c))
    }

    /// When the last job finished.
    pub fn last_finish(&self) -> Option<Instant> {
        self.lock().last_finish
    }

    /// Figures for the progress line.
    pub fn live(&self) -> Live {
        let s = self.lock();
        let rate = s.intervals.last().map_or(0.0, |i| {
            i.counts.completed as f64 / i.duration.as_secs_f64().max(1e-3)
        });
        Live {
            completed: s.counters.completed,
            rate,
            p99_ms: s
                .cumulative
                .get("response.visit")
                .map_or(0.0, |h| hlog::ms_at(h, 0.99)),
            failures: s.counters.total_failures(),
            errors: s.counters.with_error,
            lateness_p99_ms: s
                .cumulative
                .get(LATENESS_TAG)
                .map_or(0.0, |h| hlog::ms_at(h, 0.99)),
        }
    }

    /// The figures of the dashboard's frame ([`super::live`]): counters, the visit's
    /// cumulative p50 / p99 (response and service), the last closed interval, the
    /// latest failure of each kind.
    pub fn reading(&self) -> Reading {
        let s = self.lock();
        let of = |tag: &str| {
            s.cumulative
                .get(tag)
                .map_or_else(Percentiles::default, Percentiles::of)
        };
        let mut latest: Vec<&(u64, Sample)> = s.latest.values().collect();
        latest.sort_by_key(|(seq, _)| std::cmp::Reverse(*seq));
        Reading {
            started: s.counters.started,
            completed: s.counters.completed,
            failures: s.counters.failures.clone(),
            errors: s.counters.errors.clone(),
            with_error: s.counters.with_error,
            response: of("response.visit"),
            service: of("service.visit"),
            lateness_p99_ms: of(LATENESS_TAG).p99_ms,
            last_interval: s.last_interval,
            latest: latest.into_iter().map(|(_, x)| x.clone()).collect(),
        }
    }

    /// Everything recorded: counters, samples, closed intervals.
    pub fn snapshot(&self) -> (Counters, Vec<Sample>, Vec<Interval>) {
        let s = self.lock();
        let samples = s.samples.values().flatten().cloned().collect();
        (s.counters.clone(), samples, s.intervals.clone())
    }
}

/// Interval-log entries of closed intervals.
pub fn log_entries(intervals: &[Interval]) -> Vec<Entry> {
    intervals
        .iter()
        .flat_map(|i| {
            i.histograms.iter().map(|(tag, bytes)| Entry {
                start: i.start,
                duration: i.duration,
                tag: tag.clone(),
                encoded: bytes.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transaction_kinds_split_into_visits_and_requests() {
        assert_eq!(VISIT_KINDS.first(), Some(&"visit"));
        assert_eq!(VISIT_KINDS.last(), Some(&"bulk"));
        assert_eq!(
            REQUESTS,
            [
                "challenge",
                "confirm-card",
                "confirm-numbers",
                "register",
                "bulk-upload",
                "bulk-download"
            ]
        );
    }

    fn job(t0: Instant, kinds: &'static [&'static str], ms: u64) -> JobResult {
        JobResult {
            kinds,
            intended: t0,
            started: t0 + Duration::from_millis(1),
            finished: t0 + Duration::from_millis(ms),
            requests: vec![RequestTiming {
                name: "challenge",
                took: Duration::from_micros(300),
                error: None,
            }],
            error: None,
            failures: Vec::new(),
            basis: Some("online-card"),
            retries: 0,
            registered: false,
            registered_earlier: false,
            units: 0,
        }
    }

    #[test]
    fn the_live_reading_shows_the_latest_failure_of_each_kind_newest_first() {
        let t0 = Instant::now();
        let r = Recorder::new(t0, 10);
        for (kind, member) in [
            (FailureKind::WrongPerson, "gen-1"),
            (FailureKind::MissingRatio, "gen-2"),
            (FailureKind::WrongPerson, "gen-3"),
        ] {
            let mut j = job(t0, &["card", "visit"], 5);
            j.failures = vec![Sample {
                kind,
                member: member.into(),
                facility: "1310000000".into(),
                transaction: "card".into(),
                detail: "d".into(),
            }];
            r.finish(j);
        }
        let members: Vec<String> = r.reading().latest.into_iter().map(|s| s.member).collect();
        assert_eq!(members, ["gen-3", "gen-2"]);
        let (_, samples, _) = r.snapshot();
        assert_eq!(
            samples.len(),
            3,
            "the first five of each kind are still kept"
        );
    }

    #[test]
    fn records_kinds_intervals_and_samples() {
        let t0 = Instant::now();
        let r = Recorder::new(t0, 10);
        r.started(Duration::from_millis(2));
        r.finish(job(t0, &["card-face", "card", "visit"], 20));
        r.rotate(t0 + Duration::from_secs(1));
        let mut j = job(t0, &["numbers", "visit"], 40);
        j.failures = (0..7)
            .map(|_| Sample {
                kind: FailureKind::WrongPerson,
                member: "gen-1".into(),
                facility: "1310000000".into(),
                transaction: "numbers".into(),
                detail: "x".into(),
            })
            .collect();
        j.error = Some(ErrorKind::Unavailable);
        r.finish(j);
        r.rotate(t0 + Duration::from_secs(2));
        let (c, samples, intervals) = r.snapshot();
        assert_eq!(c.completed, 2);
        assert_eq!(c.failures_of(FailureKind::WrongPerson), 7);
        assert_eq!(c.with_failure, 1);
        assert_eq!(c.errors["unavailable-503"], 1);
        assert_eq!(samples.len(), SAMPLES_PER_KIND);
        assert_eq!(intervals.len(), 2);
        let entries = log_entries(&intervals);
        assert!(entries.iter().any(|e| e.tag == "response.visit"
            && e.start.is_zero()
            && e.histogram().unwrap().len() == 1));
        assert!(
            intervals[1]
                .histograms
                .iter()
                .any(|(t, _)| t == "service.numbers")
        );
        assert!(
            entries
                .iter()
                .any(|e| e.tag == LATENESS_TAG && e.histogram().unwrap().max() >= 2000)
        );
        assert_eq!(entries.len(), 7 + 5 + 1);
        let live = r.reading();
        assert_eq!((live.started, live.completed, live.with_error), (1, 2, 1));
        assert_eq!(live.failures["wrong-person"], 7);
        assert_eq!(live.latest.len(), 1, "one per kind");
        let last = live.last_interval.unwrap();
        assert_eq!(
            (last.start_s, last.duration_s, last.completed),
            (1.0, 1.0, 1)
        );
        assert!((last.response.p99_ms - 40.0).abs() < 0.1, "{last:?}");
        assert!(live.response.p50_ms >= 20.0 && live.response.p99_ms >= 40.0);
        assert!(live.service.p99_ms < live.response.p99_ms + 1.0);
        assert_eq!(live.lateness_p99_ms, 2.0);
        let mut sum = Counters::default();
        sum.add(&c);
        sum.add(&c);
        assert_eq!(sum.failures_of(FailureKind::WrongPerson), 14);
        assert_eq!(sum.requests["challenge"], 4);
    }
}
