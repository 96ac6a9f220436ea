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
    /// Time let pass on purpose (tests of expiry), added to the elapsed time.
    skip_ms: u64,
}

impl ServerClock {
    /// A clock starting at `as_of` now.
    pub fn start(as_of: NaiveDateTime) -> Self {
        Self {
            as_of,
            start: Instant::now(),
            skip_ms: 0,
        }
    }

    /// This clock `by` later: what an in-process test does instead of waiting for a
    /// challenge to expire. Copies made before are not moved.
    pub fn advanced(self, by: std::time::Duration) -> Self {
        let by = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        Self {
            skip_ms: self.skip_ms.saturating_add(by),
            ..self
        }
    }

    fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis())
            .unwrap_or(u64::MAX)
            .saturating_add(self.skip_ms)
    }

    /// The as-of time.
    pub fn as_of(&self) -> NaiveDateTime {
        self.as_of
    }

    /// "Now": as-of + elapsed, in whole seconds (the resolution of every rule and of
    /// `ProcessExecutionTime`).
    pub fn now(&self) -> NaiveDateTime {
        let secs = i64::try_from(self.elapsed_ms() / 1000).unwrap_or(i64::MAX / 2);
        self.as_of + Duration::seconds(secs)
    }

    /// Milliseconds since start.
    pub fn tick(&self) -> Tick {
        Tick(self.elapsed_ms())
    }

    /// Both, for one request.
    pub fn request_time(&self) -> RequestTime {
        RequestTime {
            now: self.now(),
            tick: self.tick(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_advanced_clock_is_later_and_the_original_is_not() {
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 30)
            .and_then(|d| d.and_hms_opt(9, 0, 0))
            .unwrap();
        let clock = ServerClock::start(as_of);
        let later = clock.advanced(std::time::Duration::from_secs(121));
        assert!(later.tick().0 >= 121_000);
        assert!(later.now() >= as_of + Duration::seconds(121));
        assert!(clock.tick().0 < 121_000);
    }
}
