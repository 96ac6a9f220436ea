//! A request to stop: the signal (SIGINT, SIGTERM) that the command line receives,
//! shared with the work it ends.
//!
//! The first signal asks for a clean stop: no new work is started, work in flight gets
//! a bounded grace time, and the report is written marked interrupted. A second signal
//! cuts the grace short; the report is still written. Whoever receives the signals
//! (the binary) calls [`Stop::request`]; the work polls [`Stop::requested`] or awaits
//! [`Stop::until_requested`] / [`Stop::until_hurried`].

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

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

#[derive(Debug, Default)]
struct State {
    first: Option<StopSignal>,
    count: u32,
    /// The async waiters, by id: each removes itself when dropped, so waiting in a
    /// loop never piles them up.
    waiting: Vec<(u64, Waker)>,
}

#[derive(Debug, Default)]
struct Inner {
    state: Mutex<State>,
    changed: Condvar,
    ids: AtomicU64,
}

/// A shared, cheaply cloned stop request. A fresh one is never requested until
/// [`Stop::request`] is called on it or a clone. Plain `std`: the pure core may hold
/// one; async waiters need no particular runtime.
#[derive(Debug, Clone, Default)]
pub struct Stop(Arc<Inner>);

impl Stop {
    /// A stop nobody has asked for yet.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records a signal: the first one decides the outcome, each one counts.
    pub fn request(&self, signal: StopSignal) {
        let waiting = {
            let mut s = self.lock();
            s.first.get_or_insert(signal);
            s.count = s.count.saturating_add(1);
            std::mem::take(&mut s.waiting)
        };
        self.0.changed.notify_all();
        for (_, w) in waiting {
            w.wake();
        }
    }

    /// The first signal, once one was received.
    pub fn requested(&self) -> Option<StopSignal> {
        self.lock().first
    }

    /// Whether a second signal asked to stop at once.
    pub fn hurried(&self) -> bool {
        self.lock().count >= 2
    }

    /// Resolves with the first signal.
    pub fn until_requested(&self) -> impl Future<Output = StopSignal> + Send + '_ {
        Wait {
            stop: self,
            id: self.0.ids.fetch_add(1, Ordering::Relaxed),
            ready: |s: &State| s.first,
        }
    }

    /// Resolves on a second signal.
    pub fn until_hurried(&self) -> impl Future<Output = ()> + Send + '_ {
        Wait {
            stop: self,
            id: self.0.ids.fetch_add(1, Ordering::Relaxed),
            ready: |s: &State| (s.count >= 2).then_some(()),
        }
    }

    /// Blocks the calling thread until the first signal.
    pub fn wait_blocking(&self) -> StopSignal {
        let mut s = self.lock();
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

/// A future of the stop's state: ready when `ready` says so.
struct Wait<'a, T> {
    stop: &'a Stop,
    id: u64,
    ready: fn(&State) -> Option<T>,
}

impl<T> Future for Wait<'_, T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut s = self.stop.lock();
        if let Some(v) = (self.ready)(&s) {
            return Poll::Ready(v);
        }
        // Registered under the same lock `request` takes: no wake-up is lost.
        match s.waiting.iter_mut().find(|(id, _)| *id == self.id) {
            Some((_, w)) => w.clone_from(cx.waker()),
            None => s.waiting.push((self.id, cx.waker().clone())),
        }
        Poll::Pending
    }
}

impl<T> Drop for Wait<'_, T> {
    fn drop(&mut self) {
        self.stop.lock().waiting.retain(|(id, _)| *id != self.id);
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
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_secs(60)) => {}
                    () = stop.until_hurried() => {}
                }
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
