//! The generator's lateness as the report tells it: how long after it could have a job
//! started (after its intended arrival, or after its reader lane became free when the
//! lane was busy — queueing at a busy reader is the backend's doing and not counted),
//! and the intervals in which the generator fell behind its schedule.

use super::super::metrics::LATENESS_TAG;
use super::super::summary::Summary;
use super::doc::{Line, Span};
use super::ms;

/// An interval in which some job started more than this many milliseconds after it
/// could have is one where the generator fell behind its schedule.
pub use super::super::generator::BEHIND_MS;

/// The run's lateness.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Lateness {
    /// 99th percentile over the run (ms).
    pub(super) p99_ms: f64,
    /// The largest (ms).
    pub(super) max_ms: f64,
    /// Intervals behind: (start in seconds, the interval's largest lateness in ms).
    pub(super) behind: Vec<(f64, f64)>,
    /// Intervals in the series.
    pub(super) intervals: usize,
}

impl Lateness {
    /// The lateness of a run, `None` when the onshi that ran it did not record it.
    pub(super) fn of(s: &Summary) -> Option<Self> {
        let total = s.latency.get(LATENESS_TAG)?;
        Some(Self {
            p99_ms: total.p99_ms,
            max_ms: total.max_ms,
            behind: s
                .series
                .iter()
                .filter(|p| p.lateness_max_ms > BEHIND_MS)
                .map(|p| (p.t_s, p.lateness_max_ms))
                .collect(),
            intervals: s.series.len(),
        })
    }

    /// One sentence for the report.
    pub(super) fn sentence(&self) -> Line {
        let mut line = vec![Span::Text(format!(
            "Generator lateness (how long after it could have a job started; queueing at a busy reader is not lateness): p99 {} ms, max {} ms; ",
            ms(self.p99_ms),
            ms(self.max_ms)
        ))];
        if self.behind.is_empty() {
            line.push(Span::Text(format!(
                "never more than {BEHIND_MS:.0} ms behind its schedule."
            )));
        } else {
            line.push(Span::Strong(format!(
                "more than {BEHIND_MS:.0} ms behind its schedule in {} of {} intervals",
                self.behind.len(),
                self.intervals
            )));
            line.push(Span::Text(
                ": response times there include the generator's own delay.".into(),
            ));
        }
        line
    }
}
