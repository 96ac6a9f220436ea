//! The dashboard's feed: the coordinator publishes a [`Frame`] at every tick, and at
//! least every [`EVERY`] when the scenario's interval is longer.

use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::super::live::{Due, Frame, Moment};
use super::super::metrics::Recorder;
use super::Prepared;

/// The longest time between two frames.
pub(super) const EVERY: Duration = Duration::from_millis(500);

/// Where frames go, and what they need besides the recorder.
pub(super) struct Feed {
    tx: watch::Sender<Frame>,
    due: Due,
    next: Instant,
}

impl Feed {
    /// A feed into `tx`, its arrivals due from `prepared`'s schedule.
    pub(super) fn new(tx: watch::Sender<Frame>, prepared: &Prepared, now: Instant) -> Self {
        Self {
            tx,
            due: Due::new(prepared.offsets()),
            next: now + EVERY,
        }
    }

    /// When the coordinator must wake: at `tick` (the interval boundary), or sooner
    /// for the next frame.
    pub(super) fn wake(feed: Option<&Self>, tick: Instant) -> Instant {
        feed.map_or(tick, |f| tick.min(f.next))
    }

    /// Publishes the frame of `now`.
    pub(super) fn publish(
        &mut self,
        recorder: &Recorder,
        t0: Instant,
        now: Instant,
        cpu_share: f64,
        interrupted: bool,
    ) {
        let t_s = now.saturating_duration_since(t0).as_secs_f64();
        let reading = recorder.reading();
        let moment = Moment {
            t_s,
            due: self.due.at(t_s),
            reading: &reading,
            cpu_share,
            interrupted,
        };
        self.tx.send_modify(|f| *f = f.next(&moment));
        self.next = now + EVERY;
    }
}
