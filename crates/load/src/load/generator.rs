//! The load generator watching itself: how much of its CPU it used and how late it
//! started jobs, and the verdict whether it — not the system under test — was the
//! bottleneck. A run whose generator was saturated did not measure the backend: its
//! SLO verdicts are marked unreliable and `onshi load` exits 4 (docs/load.md).
//!
//! Pure figures in, a verdict out; the CPU clock is read at the edge (`run`).

use serde::{Deserialize, Serialize};

/// A job started more than this many milliseconds after it could have means the
/// generator fell behind its schedule: its own delay (timers, CPU, Goose) is then large
/// enough to show in the response times it measures. Tokio's timer alone is about
/// 1 ms late.
pub const BEHIND_MS: f64 = 100.0;

/// Share of its CPUs at or above which the generator counts as at its ceiling in an
/// interval: beyond it, responses wait in the socket for the generator to read them
/// and the service times it measures include its own queue.
pub const CPU_CEILING: f64 = 0.9;

/// The generator is saturated when it is at its CPU ceiling in at least this share of
/// the intervals in which jobs were due (and in at least [`CEILING_INTERVALS_MIN`]).
pub const CEILING_SHARE: f64 = 0.1;

/// The fewest intervals at the ceiling that make a saturated generator: one busy
/// second (start-up, a collector) is not a bottleneck.
pub const CEILING_INTERVALS_MIN: usize = 2;

/// Whether the generator is saturated right now, as the progress line and the
/// dashboard say while a run goes on: at or above [`CPU_CEILING`] in the last interval,
/// or its lateness p99 so far over [`BEHIND_MS`]. (The verdict after the run,
/// [`Generator::judge`], weighs every interval.)
pub fn saturated_now(cpu_share: f64, lateness_p99_ms: f64) -> bool {
    cpu_share >= CPU_CEILING || lateness_p99_ms > BEHIND_MS
}

/// One interval as the generator saw it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IntervalCpu {
    /// CPU time the load process used in the interval (s).
    pub cpu_s: f64,
    /// The interval's length (s).
    pub wall_s: f64,
    /// Whether any job was due in it.
    pub busy: bool,
}

/// What a run observed about its generator.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    /// CPUs the process may run on (its affinity mask).
    pub cores: u32,
    /// Every interval of the run.
    pub intervals: Vec<IntervalCpu>,
    /// Visits finished.
    pub visits: u64,
    /// 99th percentile of the lateness over the run (ms).
    pub lateness_p99_ms: f64,
    /// The largest lateness (ms).
    pub lateness_max_ms: f64,
    /// Whether the backend ran inside this process (embedded): its CPU is then
    /// counted here too.
    pub with_backend: bool,
}

/// The generator's figures and verdict, one per load process (shard).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Generator {
    /// CPUs the process may run on.
    pub cores: u32,
    /// CPU time the process used during the schedule (s).
    pub cpu_s: f64,
    /// Visits finished.
    pub visits: u64,
    /// CPU per finished visit (µs).
    pub cpu_per_visit_us: f64,
    /// Mean share of its CPUs used over the intervals in which jobs were due (0–1).
    pub busy_cpu: f64,
    /// The largest share of its CPUs in one interval.
    pub peak_cpu: f64,
    /// Intervals in which jobs were due.
    pub busy_intervals: u64,
    /// Of those, intervals at or above [`CPU_CEILING`].
    pub ceiling_intervals: u64,
    /// 99th percentile of the lateness (ms).
    pub lateness_p99_ms: f64,
    /// The largest lateness (ms).
    pub lateness_max_ms: f64,
    /// The backend ran in this process (embedded).
    pub with_backend: bool,
    /// Whether the generator was the bottleneck: the run did not measure the backend.
    pub saturated: bool,
    /// Why it was judged saturated (empty when it was not).
    pub reasons: Vec<String>,
}

fn share(cpu_s: f64, wall_s: f64, cores: u32) -> f64 {
    let capacity = wall_s * f64::from(cores.max(1));
    if capacity <= 0.0 {
        0.0
    } else {
        cpu_s / capacity
    }
}

impl Generator {
    /// Judges a run's generator.
    pub fn judge(o: &Observed) -> Self {
        let cores = o.cores.max(1);
        let cpu_s: f64 = o.intervals.iter().map(|i| i.cpu_s).sum();
        let busy: Vec<&IntervalCpu> = o.intervals.iter().filter(|i| i.busy).collect();
        let (busy_cpu_s, busy_wall_s) = busy
            .iter()
            .fold((0.0, 0.0), |(c, w), i| (c + i.cpu_s, w + i.wall_s));
        let shares = busy
            .iter()
            // A sliver of an interval (the last, cut short) says nothing.
            .filter(|i| i.wall_s >= 0.25)
            .map(|i| share(i.cpu_s, i.wall_s, cores));
        let (peak, ceiling) = shares.fold((0.0_f64, 0_usize), |(p, n), s| {
            (p.max(s), n + usize::from(s >= CPU_CEILING))
        });
        let mut reasons = Vec::new();
        if o.lateness_p99_ms > BEHIND_MS {
            reasons.push(format!(
                "it started more than 1 % of its jobs over {BEHIND_MS:.0} ms late (lateness p99 {:.0} ms): the response times include its own delay",
                o.lateness_p99_ms
            ));
        }
        let needed =
            ((busy.len() as f64 * CEILING_SHARE).ceil() as usize).max(CEILING_INTERVALS_MIN);
        if ceiling >= needed {
            reasons.push(format!(
                "{} used at least {:.0} % of its {cores} CPU(s) in {ceiling} of {} busy intervals (peak {:.0} %){}",
                if o.with_backend {
                    "the load process (generator and embedded backend)"
                } else {
                    "it"
                },
                CPU_CEILING * 100.0,
                busy.len(),
                peak * 100.0,
                if o.with_backend {
                    ": the box, not the backend, set the pace"
                } else {
                    ": it could not read answers as fast as they came"
                }
            ));
        }
        Self {
            cores,
            cpu_s,
            visits: o.visits,
            cpu_per_visit_us: if o.visits == 0 {
                0.0
            } else {
                cpu_s * 1e6 / o.visits as f64
            },
            busy_cpu: share(busy_cpu_s, busy_wall_s, cores),
            peak_cpu: peak,
            busy_intervals: busy.len() as u64,
            ceiling_intervals: ceiling as u64,
            lateness_p99_ms: o.lateness_p99_ms,
            lateness_max_ms: o.lateness_max_ms,
            with_backend: o.with_backend,
            saturated: !reasons.is_empty(),
            reasons,
        }
    }

    /// One sentence for the reports.
    pub fn sentence(&self) -> String {
        let figures = format!(
            "{:.0} % of {} CPU(s) while jobs were due (peak {:.0} %), {:.0} µs CPU per visit, lateness p99 {:.1} ms{}",
            self.busy_cpu * 100.0,
            self.cores,
            self.peak_cpu * 100.0,
            self.cpu_per_visit_us,
            self.lateness_p99_ms,
            if self.with_backend {
                " (the embedded backend's CPU included)"
            } else {
                ""
            }
        );
        if self.saturated {
            format!(
                "The generator was the bottleneck — {}. The SLO verdicts are unreliable: this run did not measure the system under test. Generator: {figures}.",
                self.reasons.join("; ")
            )
        } else {
            format!("The generator kept up: {figures}.")
        }
    }
}

/// The CPUs this process may run on: its affinity mask where the platform has one,
/// else the machine's.
pub fn usable_cores() -> u32 {
    std::thread::available_parallelism()
        .map(|n| u32::try_from(n.get()).unwrap_or(u32::MAX))
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn observed(shares: &[f64], lateness_p99_ms: f64) -> Observed {
        Observed {
            cores: 2,
            intervals: shares
                .iter()
                .map(|s| IntervalCpu {
                    cpu_s: s * 2.0,
                    wall_s: 1.0,
                    busy: true,
                })
                .collect(),
            visits: 1000,
            lateness_p99_ms,
            lateness_max_ms: lateness_p99_ms * 2.0,
            with_backend: false,
        }
    }

    #[test]
    fn a_generator_with_room_kept_up() {
        let g = Generator::judge(&observed(&[0.3, 0.5, 0.95, 0.4], 3.0));
        assert!(!g.saturated, "{g:?}");
        assert!((g.busy_cpu - 0.5375).abs() < 1e-9);
        assert!((g.peak_cpu - 0.95).abs() < 1e-9);
        assert_eq!(g.ceiling_intervals, 1);
        assert!((g.cpu_per_visit_us - 4300.0).abs() < 1e-6);
        assert!(g.sentence().starts_with("The generator kept up"));
    }

    #[test]
    fn a_generator_at_its_ceiling_is_the_bottleneck() {
        let g = Generator::judge(&observed(&[0.92, 0.97, 0.99, 0.5], 3.0));
        assert!(g.saturated);
        assert_eq!(g.ceiling_intervals, 3);
        assert_eq!(g.reasons.len(), 1);
        assert!(g.sentence().contains("unreliable"), "{}", g.sentence());
    }

    #[test]
    fn a_late_generator_is_the_bottleneck_whatever_its_cpu() {
        let g = Generator::judge(&observed(&[0.2, 0.2], BEHIND_MS + 1.0));
        assert!(g.saturated);
        assert!(g.reasons[0].contains("late"));
        let g = Generator::judge(&observed(&[0.2, 0.2], BEHIND_MS));
        assert!(!g.saturated);
    }

    #[test]
    fn idle_intervals_and_slivers_do_not_count() {
        let mut o = observed(&[0.99, 0.99, 0.1], 1.0);
        for i in &mut o.intervals[..2] {
            i.busy = false;
        }
        o.intervals.push(IntervalCpu {
            cpu_s: 0.2,
            wall_s: 0.1,
            busy: true,
        });
        let g = Generator::judge(&o);
        assert!(!g.saturated, "{g:?}");
        assert_eq!(g.busy_intervals, 2);
        assert!((g.peak_cpu - 0.1).abs() < 1e-9);
    }

    #[test]
    fn no_visits_no_division_by_zero() {
        let mut o = observed(&[], 0.0);
        o.visits = 0;
        o.cores = 0;
        let g = Generator::judge(&o);
        assert_eq!(g.cpu_per_visit_us, 0.0);
        assert_eq!(g.busy_cpu, 0.0);
        assert!(!g.saturated);
    }
}
