//! A coroutine on stable Rust, with no runtime and no I/O.
//!
//! The reader's visit is written as a straight-line `async` body, but it never awaits a
//! socket, a timer or a runtime: its only await point is [`Port::exchange`], which hands
//! a request to whoever drives the coroutine and waits for the reply. [`Coroutine`]
//! polls the body with a no-op waker; each poll runs the body to its next request (or
//! to its end) and returns it. The driver does the I/O — an APDU through a card
//! channel, an HTTP call through Goose or reqwest, an in-process call — and resumes
//! the body with the answer.
//!
//! This keeps the visit logic a pure function of its replies: the same replies give
//! the same requests and the same outcome, whoever drives it.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

/// The one-slot mailbox between the body and its driver.
enum Slot<Y, R> {
    Empty,
    /// The body asked for something and waits.
    Request(Y),
    /// The driver answered; the body has not taken it yet.
    Reply(R),
}

/// The body's end of the mailbox.
pub struct Port<Y, R> {
    slot: Arc<Mutex<Slot<Y, R>>>,
}

impl<Y, R> Port<Y, R> {
    fn lock(&self) -> MutexGuard<'_, Slot<Y, R>> {
        // Nothing can poison the slot (no code runs while it is held), but a poisoned
        // lock still holds a valid slot.
        self.slot
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Hands `request` to the driver and waits for its reply.
    pub async fn exchange(&self, request: Y) -> R {
        *self.lock() = Slot::Request(request);
        WaitReply { port: self }.await
    }
}

struct WaitReply<'p, Y, R> {
    port: &'p Port<Y, R>,
}

impl<Y, R> Future for WaitReply<'_, Y, R> {
    type Output = R;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<R> {
        let mut slot = self.port.lock();
        match std::mem::replace(&mut *slot, Slot::Empty) {
            Slot::Reply(r) => Poll::Ready(r),
            other => {
                *slot = other;
                Poll::Pending
            }
        }
    }
}

/// Where a coroutine stands after a resume.
#[derive(Debug)]
pub enum State<Y, O> {
    /// The body asks for something; resume it with the reply.
    Request(Y),
    /// The body finished.
    Done(O),
}

/// A driver error: a bug in the driver or the body, never caused by external input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CoroutineError {
    /// Resumed after it finished.
    #[error("the coroutine was resumed after it finished")]
    Finished,
    /// The body waited on something other than its port.
    #[error("the coroutine waited on something other than its driver")]
    Stalled,
}

type Body<'a, O> = Pin<Box<dyn Future<Output = O> + Send + 'a>>;

/// A body and its mailbox. See the module documentation.
pub struct Coroutine<'a, Y, R, O> {
    port: Port<Y, R>,
    body: Option<Body<'a, O>>,
}

impl<'a, Y, R, O> Coroutine<'a, Y, R, O>
where
    Y: Send + 'a,
    R: Send + 'a,
{
    /// Builds the body from its port. Nothing runs until the first [`resume`].
    ///
    /// [`resume`]: Coroutine::resume
    pub fn new<F>(body: impl FnOnce(Port<Y, R>) -> F) -> Self
    where
        F: Future<Output = O> + Send + 'a,
    {
        let slot = Arc::new(Mutex::new(Slot::Empty));
        let inner = Port { slot: slot.clone() };
        Self {
            port: Port { slot },
            body: Some(Box::pin(body(inner))),
        }
    }

    /// Runs the body to its next request or its end. `reply` answers the previous
    /// request (`None` on the first call).
    pub fn resume(&mut self, reply: Option<R>) -> Result<State<Y, O>, CoroutineError> {
        let body = self.body.as_mut().ok_or(CoroutineError::Finished)?;
        *self.port.lock() = match reply {
            Some(r) => Slot::Reply(r),
            None => Slot::Empty,
        };
        let mut cx = Context::from_waker(Waker::noop());
        match body.as_mut().poll(&mut cx) {
            Poll::Ready(out) => {
                self.body = None;
                Ok(State::Done(out))
            }
            Poll::Pending => match std::mem::replace(&mut *self.port.lock(), Slot::Empty) {
                Slot::Request(y) => Ok(State::Request(y)),
                _ => {
                    self.body = None;
                    Err(CoroutineError::Stalled)
                }
            },
        }
    }
}

/// Runs a future that never waits on anything but ready futures (a card session over
/// an in-process channel, say) to its end on this thread; `None` if it waited.
pub fn run_ready<F: Future>(f: F) -> Option<F::Output> {
    let mut f = std::pin::pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(out) => Some(out),
        Poll::Pending => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_yields_each_request_and_takes_each_reply() {
        let mut co: Coroutine<'_, u32, u32, Vec<u32>> = Coroutine::new(|port| async move {
            let mut seen = Vec::new();
            for i in 0..3 {
                seen.push(port.exchange(i).await);
            }
            seen
        });
        let mut reply = None;
        let mut asked = Vec::new();
        let out = loop {
            match co.resume(reply.take()).unwrap() {
                State::Request(y) => {
                    asked.push(y);
                    reply = Some(y * 10);
                }
                State::Done(out) => break out,
            }
        };
        assert_eq!(asked, [0, 1, 2]);
        assert_eq!(out, [0, 10, 20]);
        assert_eq!(co.resume(None).unwrap_err(), CoroutineError::Finished);
    }

    #[test]
    fn a_body_that_waits_elsewhere_is_reported_not_hung() {
        let mut co: Coroutine<'_, u32, u32, ()> =
            Coroutine::new(|_port| async { std::future::pending::<()>().await });
        assert_eq!(co.resume(None).unwrap_err(), CoroutineError::Stalled);
        assert_eq!(run_ready(std::future::pending::<()>()), None);
        assert_eq!(run_ready(async { 7 }), Some(7));
    }
}
