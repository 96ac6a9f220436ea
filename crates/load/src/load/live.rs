//! The live frame of a run: everything the dashboard (`onshi load --dashboard`) shows
//! at one moment — arrivals due against jobs started and finished, visits per second,
//! the visit's p50 / p99 service and response time, failures and errors by kind with
//! the latest evidence, the generator's CPU and lateness — small and serialisable.
//!
//! Pure: figures in, a frame out. The recorder's figures come as a [`Reading`]
//! ([`super::metrics::Recorder::reading`]); the clock, the CPU share and the signal
//! are values the coordinator passes in (`run::feed`). The last frame of a run is
//! built from its summary ([`Frame::finished`]), so the page ends equal to the report.

use std::collections::BTreeMap;

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use super::generator;
use super::hlog;
use super::metrics::{LATENESS_TAG, Sample};
use super::summary::Summary;

/// The most characters of one evidence field (member, facility, transaction, detail)
/// a frame carries: frames stay small whatever a backend answered.
pub const FIELD_CHARS: usize = 240;

/// p50 and p99 of one measure, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    /// Median.
    pub p50_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
}

impl Percentiles {
    /// The figures of a histogram (µs); zero when it is empty.
    pub fn of(h: &Histogram<u64>) -> Self {
        Self {
            p50_ms: hlog::ms_at(h, 0.50),
            p99_ms: hlog::ms_at(h, 0.99),
        }
    }
}

/// The figures of one closed interval.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct IntervalFigures {
    /// Start, seconds after t0.
    pub start_s: f64,
    /// Length in seconds.
    pub duration_s: f64,
    /// Jobs finished in it.
    pub completed: u64,
    /// Response time of the visits finished in it (`response.visit`).
    pub response: Percentiles,
    /// Service time of the visits finished in it (`service.visit`).
    pub service: Percentiles,
}

impl IntervalFigures {
    /// Jobs finished per second in the interval.
    pub fn rate(&self) -> f64 {
        self.completed as f64 / self.duration_s.max(1e-3)
    }
}

/// What the recorder holds at one moment (read under its lock, built outside it).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reading {
    /// Jobs a lane took.
    pub started: u64,
    /// Jobs finished.
    pub completed: u64,
    /// Semantic failures by kind.
    pub failures: BTreeMap<String, u64>,
    /// Visits without an answer, by error kind.
    pub errors: BTreeMap<String, u64>,
    /// Visits without an answer.
    pub with_error: u64,
    /// Response time of every visit so far (`response.visit`).
    pub response: Percentiles,
    /// Service time of every visit so far (`service.visit`).
    pub service: Percentiles,
    /// p99 of the generator's lateness so far (ms).
    pub lateness_p99_ms: f64,
    /// The last closed interval, once one closed.
    pub last_interval: Option<IntervalFigures>,
    /// The latest failure of each kind, newest first.
    pub latest: Vec<Sample>,
}

/// The moment a frame shows: the clock, the schedule, the generator, the signal.
#[derive(Debug, Clone, Copy)]
pub struct Moment<'a> {
    /// Seconds since t0 (the window start in real time).
    pub t_s: f64,
    /// Jobs due by now ([`Due::at`]).
    pub due: u64,
    /// The recorder's figures.
    pub reading: &'a Reading,
    /// Share of its CPUs the load process used in the last interval (0–1).
    pub cpu_share: f64,
    /// Whether a signal stopped the schedule.
    pub interrupted: bool,
}

/// One frame of the dashboard.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    /// The run id (its directory name).
    pub run_id: String,
    /// The scenario's name.
    pub scenario: String,
    /// Frame number: one more per frame published (0: nothing known yet).
    pub seq: u64,
    /// Seconds since t0 (the window start in real time); 0 until the schedule's clock
    /// starts.
    pub t_s: f64,
    /// Reader lanes (Goose users).
    pub lanes: u64,
    /// Jobs in the schedule.
    pub scheduled: u64,
    /// Jobs due so far: intended arrivals up to now.
    pub due: u64,
    /// Jobs a lane took.
    pub started: u64,
    /// Jobs finished.
    pub completed: u64,
    /// Jobs finished per second in the last closed interval.
    pub visits_per_s: f64,
    /// Response time of every visit so far (from the intended arrival).
    pub response: Percentiles,
    /// Service time of every visit so far (from the moment a lane took the patient).
    pub service: Percentiles,
    /// The last closed interval, once one closed.
    pub interval: Option<IntervalFigures>,
    /// Semantic failures (every kind).
    pub failures: u64,
    /// Semantic failures by kind (`wrong-person`, …).
    pub failures_by_kind: BTreeMap<String, u64>,
    /// Visits without an answer.
    pub errors: u64,
    /// Visits without an answer by error kind (`unavailable-503`, …).
    pub errors_by_kind: BTreeMap<String, u64>,
    /// The latest failure of each kind, newest first: member (`gen-…`), facility,
    /// transaction, detail — never a My Number or PIN (a [`Sample`] holds none), each
    /// field at most [`FIELD_CHARS`] characters.
    pub evidence: Vec<Sample>,
    /// Share of its CPUs the load process used in the last interval (0–1).
    pub generator_cpu: f64,
    /// p99 of the generator's lateness so far (ms).
    pub lateness_p99_ms: f64,
    /// The generator is at its ceiling or behind its schedule (the progress line's
    /// rule, [`generator::saturated_now`]); in the final frame, the run's verdict.
    pub generator_saturated: bool,
    /// A signal stopped the schedule.
    pub interrupted: bool,
    /// The run is over and its report written: the figures are the report's.
    pub done: bool,
}

fn clip(s: &str) -> String {
    match s.char_indices().nth(FIELD_CHARS) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_owned(),
    }
}

fn clipped(sample: &Sample) -> Sample {
    Sample {
        kind: sample.kind,
        member: clip(&sample.member),
        facility: clip(&sample.facility),
        transaction: clip(&sample.transaction),
        detail: clip(&sample.detail),
    }
}

impl Frame {
    /// The frame before the run starts: who, and how much is scheduled.
    pub fn waiting(run_id: &str, scenario: &str, lanes: u64, scheduled: u64) -> Self {
        Self {
            run_id: run_id.to_owned(),
            scenario: scenario.to_owned(),
            lanes,
            scheduled,
            ..Self::default()
        }
    }

    /// The next frame: this one's run, the figures of `m`.
    pub fn next(&self, m: &Moment<'_>) -> Self {
        let r = m.reading;
        Self {
            run_id: self.run_id.clone(),
            scenario: self.scenario.clone(),
            seq: self.seq + 1,
            t_s: m.t_s.max(0.0),
            lanes: self.lanes,
            scheduled: self.scheduled,
            due: m.due,
            started: r.started,
            completed: r.completed,
            visits_per_s: r.last_interval.map_or(0.0, |i| i.rate()),
            response: r.response,
            service: r.service,
            interval: r.last_interval,
            failures: r.failures.values().sum(),
            failures_by_kind: r.failures.clone(),
            errors: r.with_error,
            errors_by_kind: r.errors.clone(),
            evidence: r.latest.iter().map(clipped).collect(),
            generator_cpu: m.cpu_share,
            lateness_p99_ms: r.lateness_p99_ms,
            generator_saturated: generator::saturated_now(m.cpu_share, r.lateness_p99_ms),
            interrupted: m.interrupted,
            done: false,
        }
    }

    /// The last frame: the totals of the run's summary (jobs, failures, errors,
    /// percentiles, the generator's verdict), this frame's evidence and interval.
    pub fn finished(&self, summary: &Summary) -> Self {
        let c = &summary.counters;
        let latency = |tag: &str| {
            summary
                .latency
                .get(tag)
                .map_or_else(Percentiles::default, |l| Percentiles {
                    p50_ms: l.p50_ms,
                    p99_ms: l.p99_ms,
                })
        };
        Self {
            run_id: self.run_id.clone(),
            scenario: self.scenario.clone(),
            seq: self.seq + 1,
            t_s: summary.meta.duration_s,
            lanes: self.lanes,
            scheduled: c.scheduled,
            due: if summary.meta.interrupted {
                self.due
            } else {
                c.scheduled
            },
            started: c.started,
            completed: c.completed,
            visits_per_s: self.visits_per_s,
            response: latency("response.visit"),
            service: latency("service.visit"),
            interval: self.interval,
            failures: c.total_failures(),
            failures_by_kind: c.failures.clone(),
            errors: c.with_error,
            errors_by_kind: c.errors.clone(),
            evidence: self.evidence.clone(),
            generator_cpu: self.generator_cpu,
            lateness_p99_ms: latency(LATENESS_TAG).p99_ms,
            generator_saturated: summary
                .meta
                .shards
                .iter()
                .filter_map(|s| s.generator.as_ref())
                .any(|g| g.saturated),
            interrupted: summary.meta.interrupted,
            done: true,
        }
    }
}

/// The schedule's intended arrivals, in real seconds after t0, sorted: how many jobs
/// are due at a moment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Due {
    offsets: Vec<f64>,
}

impl Due {
    /// From every job's real offset (any order; a NaN counts as never due).
    pub fn new(mut offsets: Vec<f64>) -> Self {
        offsets.retain(|o| !o.is_nan());
        offsets.sort_by(f64::total_cmp);
        Self { offsets }
    }

    /// Jobs due at `t_s` seconds after t0 (an arrival at exactly `t_s` included).
    pub fn at(&self, t_s: f64) -> u64 {
        self.offsets.partition_point(|o| *o <= t_s) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::metrics::{Counters, FailureKind};
    use crate::load::summary::LatencyStats;

    fn sample(kind: FailureKind, member: &str, detail: &str) -> Sample {
        Sample {
            kind,
            member: member.into(),
            facility: "1310000001".into(),
            transaction: "card-face".into(),
            detail: detail.into(),
        }
    }

    fn reading() -> Reading {
        Reading {
            started: 12,
            completed: 10,
            failures: BTreeMap::from([("wrong-person".into(), 2), ("missing-ratio".into(), 1)]),
            errors: BTreeMap::from([("unavailable-503".into(), 3)]),
            with_error: 3,
            response: Percentiles {
                p50_ms: 4.0,
                p99_ms: 40.0,
            },
            service: Percentiles {
                p50_ms: 3.0,
                p99_ms: 30.0,
            },
            lateness_p99_ms: 1.5,
            last_interval: Some(IntervalFigures {
                start_s: 1.0,
                duration_s: 0.5,
                completed: 4,
                ..IntervalFigures::default()
            }),
            latest: vec![
                sample(FailureKind::MissingRatio, "gen-00000725", &"x".repeat(1000)),
                sample(FailureKind::WrongPerson, "gen-00000003", "name"),
            ],
        }
    }

    #[test]
    fn a_frame_carries_the_reading_and_the_moment() {
        let w = Frame::waiting("load-1", "smoke", 9, 100);
        assert_eq!((w.seq, w.scheduled, w.lanes, w.done), (0, 100, 9, false));
        let r = reading();
        let f = w.next(&Moment {
            t_s: 2.25,
            due: 14,
            reading: &r,
            cpu_share: 0.3,
            interrupted: false,
        });
        assert_eq!(
            (f.run_id.as_str(), f.scenario.as_str()),
            ("load-1", "smoke")
        );
        assert_eq!((f.seq, f.due, f.started, f.completed), (1, 14, 12, 10));
        assert_eq!((f.failures, f.errors), (3, 3));
        assert_eq!(f.failures_by_kind["wrong-person"], 2);
        assert_eq!(f.errors_by_kind["unavailable-503"], 3);
        assert!((f.visits_per_s - 8.0).abs() < 1e-9);
        assert_eq!(f.response.p99_ms, 40.0);
        assert_eq!(f.service.p50_ms, 3.0);
        assert!(!f.generator_saturated && !f.done && !f.interrupted);
        // Evidence keeps its order (newest first) and is clipped.
        assert_eq!(f.evidence[0].member, "gen-00000725");
        assert_eq!(f.evidence[0].detail.chars().count(), FIELD_CHARS + 1);
        assert!(f.evidence[0].detail.ends_with('…'));
        assert_eq!(f.evidence[1].detail, "name");
        assert_eq!(
            f.next(&Moment {
                t_s: 3.0,
                due: 15,
                reading: &r,
                cpu_share: 0.3,
                interrupted: true
            })
            .seq,
            2
        );
    }

    #[test]
    fn the_generator_is_saturated_by_the_progress_lines_rule() {
        let r = reading();
        let at = |cpu: f64, late: f64| {
            let mut r = r.clone();
            r.lateness_p99_ms = late;
            Frame::default()
                .next(&Moment {
                    t_s: 1.0,
                    due: 0,
                    reading: &r,
                    cpu_share: cpu,
                    interrupted: false,
                })
                .generator_saturated
        };
        assert!(!at(generator::CPU_CEILING - 0.01, generator::BEHIND_MS));
        assert!(at(generator::CPU_CEILING, 0.0));
        assert!(at(0.1, generator::BEHIND_MS + 0.1));
    }

    #[test]
    fn the_last_frame_is_the_summarys() {
        let live = Frame::waiting("r", "s", 2, 50).next(&Moment {
            t_s: 9.0,
            due: 48,
            reading: &reading(),
            cpu_share: 0.4,
            interrupted: false,
        });
        let mut summary = crate::load::render::tests::sample();
        summary.counters = Counters {
            scheduled: 50,
            started: 50,
            completed: 50,
            with_error: 4,
            errors: BTreeMap::from([("timeout".into(), 4)]),
            failures: BTreeMap::from([("wrong-person".into(), 5)]),
            ..Counters::default()
        };
        let stats = |p50_ms, p99_ms| LatencyStats {
            count: 50,
            mean_ms: 1.0,
            p50_ms,
            p90_ms: 1.0,
            p99_ms,
            p999_ms: 1.0,
            max_ms: 1.0,
        };
        summary.latency = BTreeMap::from([
            ("response.visit".into(), stats(5.0, 50.0)),
            ("service.visit".into(), stats(4.0, 45.0)),
            (LATENESS_TAG.into(), stats(0.5, 2.0)),
        ]);
        let f = live.finished(&summary);
        assert!(f.done && !f.interrupted);
        assert_eq!(f.seq, live.seq + 1);
        assert_eq!((f.due, f.started, f.completed), (50, 50, 50));
        assert_eq!((f.failures, f.errors), (5, 4));
        assert_eq!(f.errors_by_kind["timeout"], 4);
        assert_eq!((f.response.p99_ms, f.service.p50_ms), (50.0, 4.0));
        assert_eq!(f.lateness_p99_ms, 2.0);
        assert_eq!(f.evidence, live.evidence);
        assert_eq!(f.t_s, summary.meta.duration_s);
        let json = serde_json::to_string(&f).expect("serialisable");
        let back: Frame = serde_json::from_str(&json).expect("round trip");
        assert_eq!(back, f);
    }

    #[test]
    fn jobs_are_due_at_their_offsets() {
        let d = Due::new(vec![3.0, 0.5, f64::NAN, 1.0, 1.0, 10.0]);
        assert_eq!(d.at(-1.0), 0);
        assert_eq!(d.at(0.5), 1);
        assert_eq!(d.at(1.0), 3);
        assert_eq!(d.at(9.99), 4);
        assert_eq!(d.at(f64::INFINITY), 5);
        assert_eq!(Due::default().at(5.0), 0);
    }
}
