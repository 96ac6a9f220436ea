//! A request to stop: the signal (SIGINT, SIGTERM) that the command line receives,
//! shared with the work it ends.
//!
//! The first signal asks for a clean stop: no new work is started, work in flight gets
//! a bounded grace time, and the report is written marked interrupted. A second signal
//! cuts the grace short; the report is still written. Whoever receives the signals
//! (the binary) calls [`Stop::request`]; the work polls [`Stop::requested`] or awaits
//! [`Stop::until_requested`] / [`Stop::until_hurried`].

use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::watch;

/// How long work in flight may go on after the first signal before it is abandoned.
pub const GRACE: Duration = Duration::from_secs(3);

/// The signal that asked for the stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopSignal {
    /// SIGINT (Ctrl-C).
    Interrupt,
    /// SIGTERM (what a process manager or a Kubernetes Job sends).
    Terminate,
}

impl StopSignal {
    /// The exit code of a command stopped by this signal: 128 + the signal number,
    /// as a shell reports a process killed by it (130, 143).
    pub const fn exit_code(self) -> u8 {
        match self {
            Self::Interrupt => 130,
            Self::Terminate => 143,
        }
    }

    /// The signal's name (`SIGINT`, `SIGTERM`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Interrupt => "SIGINT",
            Self::Terminate => "SIGTERM",
        }
    }
}

impl std::fmt::Display for StopSignal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct State {
    first: Option<StopSignal>,
    count: u32,
}

#[derive(Debug)]
struct Inner {
    state: Mutex<State>,
    changed: Condvar,
    tx: watch::Sender<State>,
}

/// A shared, cheaply cloned stop request. A fresh one is never requested until
/// [`Stop::request`] is called on it or a clone.
#[derive(Debug, Clone)]
pub struct Stop(Arc<Inner>);

impl Default for Stop {
    fn default() -> Self {
        Self::new()
    }
}

impl Stop {
    /// A stop nobody has asked for yet.
    pub fn new() -> Self {
        Self(Arc::new(Inner {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            tx: watch::Sender::new(State::default()),
        }))
    }

    /// Records a signal: the first one decides the outcome, each one counts.
    pub fn request(&self, signal: StopSignal) {
        let mut s = self.0.state.lock().unwrap_or_else(PoisonError::into_inner);
        s.first.get_or_insert(signal);
        s.count = s.count.saturating_add(1);
        let now = *s;
        drop(s);
        self.0.changed.notify_all();
        self.0.tx.send_replace(now);
    }

    fn state(&self) -> State {
        *self.0.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The first signal, once one was received.
    pub fn requested(&self) -> Option<StopSignal> {
        self.state().first
    }

    /// Whether a second signal asked to stop at once.
    pub fn hurried(&self) -> bool {
        self.state().count >= 2
    }

    /// Waits (async) for the first signal.
    pub async fn until_requested(&self) -> StopSignal {
        let mut rx = self.0.tx.subscribe();
        loop {
            if let Some(s) = rx.borrow_and_update().first {
                return s;
            }
            if rx.changed().await.is_err() {
                // The sender lives as long as `self`: unreachable, but never spin.
                std::future::pending::<()>().await;
            }
        }
    }

    /// Waits (async) for a second signal.
    pub async fn until_hurried(&self) {
        let mut rx = self.0.tx.subscribe();
        let _ = rx.wait_for(|s| s.count >= 2).await;
    }

    /// Waits (async) for the first signal, then for the grace time or a second signal,
    /// whichever comes first: the moment work still in flight is abandoned.
    pub async fn until_grace_over(&self, grace: Duration) {
        self.until_requested().await;
        tokio::select! {
            () = tokio::time::sleep(grace) => {}
            () = self.until_hurried() => {}
        }
    }

    /// Blocks the calling thread until the first signal.
    pub fn wait_blocking(&self) -> StopSignal {
        let mut s = self.0.state.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(sig) = s.first {
                return sig;
            }
            s = self
                .0
                .changed
                .wait(s)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_signal_decides_and_a_second_hurries() {
        let stop = Stop::new();
        assert_eq!(stop.requested(), None);
        assert!(!stop.hurried());
        stop.request(StopSignal::Terminate);
        stop.clone().request(StopSignal::Interrupt);
        assert_eq!(stop.requested(), Some(StopSignal::Terminate));
        assert!(stop.hurried());
        assert_eq!(StopSignal::Terminate.exit_code(), 143);
        assert_eq!(StopSignal::Interrupt.exit_code(), 130);
    }

    #[test]
    fn a_blocked_thread_wakes_on_the_signal() {
        let stop = Stop::new();
        let waiter = {
            let stop = stop.clone();
            std::thread::spawn(move || stop.wait_blocking())
        };
        std::thread::sleep(Duration::from_millis(20));
        stop.request(StopSignal::Interrupt);
        assert_eq!(waiter.join().ok(), Some(StopSignal::Interrupt));
    }

    #[tokio::test]
    async fn async_waiters_see_the_request_and_the_hurry() {
        let stop = Stop::new();
        let first = tokio::spawn({
            let stop = stop.clone();
            async move { stop.until_requested().await }
        });
        let grace = tokio::spawn({
            let stop = stop.clone();
            async move {
                let t = tokio::time::Instant::now();
                stop.until_grace_over(Duration::from_secs(60)).await;
                t.elapsed()
            }
        });
        tokio::task::yield_now().await;
        stop.request(StopSignal::Interrupt);
        assert_eq!(first.await.ok(), Some(StopSignal::Interrupt));
        tokio::time::sleep(Duration::from_millis(20)).await;
        stop.request(StopSignal::Interrupt);
        let waited = grace.await.unwrap_or(Duration::MAX);
        assert!(waited < Duration::from_secs(60), "waited {waited:?}");
    }
}
