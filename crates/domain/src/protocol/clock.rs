//! The run clock: an as-of time plus the monotonic time elapsed since start — never
//! the wall clock. The reference backend's engine never reads it; handlers read it
//! once per request and pass the values in ([`RequestTime`]); load runs read it to
//! stamp 照会日時.

use std::time::Instant;

use chrono::{Duration, NaiveDateTime};

/// Milliseconds on the shell's monotonic clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Tick(pub u64);

/// When a request is handled: the shell's "now" (as-of + elapsed) and tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestTime {
    /// The clock's "now" (JST); requests may carry their own.
    pub now: NaiveDateTime,
    /// Monotonic milliseconds (challenge lifetime only).
    pub tick: Tick,
}

/// As-of time + elapsed monotonic time. Never the wall clock.
#[derive(Debug, Clone, Copy)]
pub struct ServerClock {
    as_of: NaiveDateTime,
    start: Instant,
}

impl ServerClock {
    /// A clock starting at `as_of` now.
    pub fn start(as_of: NaiveDateTime) -> Self {
        Self {
            as_of,
            start: Instant::now(),
        }
    }

    /// The as-of time.
    pub fn as_of(&self) -> NaiveDateTime {
        self.as_of
    }

    /// "Now": as-of + elapsed, in whole seconds (the resolution of every rule and of
    /// `ProcessExecutionTime`).
    pub fn now(&self) -> NaiveDateTime {
        let secs = i64::try_from(self.start.elapsed().as_secs()).unwrap_or(i64::MAX / 2);
        self.as_of + Duration::seconds(secs)
    }

    /// Milliseconds since start.
    pub fn tick(&self) -> Tick {
        Tick(u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX))
    }

    /// Both, for one request.
    pub fn request_time(&self) -> RequestTime {
        RequestTime {
            now: self.now(),
            tick: self.tick(),
        }
    }
}
