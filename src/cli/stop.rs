//! Signals: SIGINT and SIGTERM become a [`Stop`] request instead of killing the
//! process, so `run`, `certify`, `load`, `serve`, `cards serve` and `reader serve` end
//! cleanly, write what they did marked interrupted, and exit 130 (SIGINT) or 143
//! (SIGTERM).

use std::sync::OnceLock;

use onshi::stop::{Stop, StopSignal};

use super::common::{CliError, Exit};

/// Installs the handlers once for the process and returns the shared stop request.
///
/// Goose installs its own Ctrl-C handler at the start of every attack, one that ends
/// the process on a second Ctrl-C without a summary; claiming the `ctrlc` slot first
/// leaves Goose's attempt a no-op, and every signal reaches the one handler here.
pub(super) fn install() -> Result<Stop, CliError> {
    static STOP: OnceLock<Stop> = OnceLock::new();
    if let Some(stop) = STOP.get() {
        return Ok(stop.clone());
    }
    let _ = ctrlc::set_handler(|| {});
    let mut signals = signal_hook::iterator::Signals::new([
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
    ])
    .map_err(|e| CliError::failed(format!("installing signal handlers: {e}")))?;
    let stop = STOP.get_or_init(Stop::new).clone();
    let receiver = stop.clone();
    std::thread::Builder::new()
        .name("onshi-signals".into())
        .spawn(move || {
            for sig in signals.forever() {
                let signal = if sig == signal_hook::consts::SIGTERM {
                    StopSignal::Terminate
                } else {
                    StopSignal::Interrupt
                };
                let again = receiver.requested().is_some();
                receiver.request(signal);
                if again {
                    eprintln!("onshi: {signal} again: stopping now, writing what was done");
                } else {
                    eprintln!(
                        "onshi: {signal} received: stopping, writing what was done (again to stop at once)"
                    );
                }
            }
        })
        .map_err(|e| CliError::failed(format!("starting the signal thread: {e}")))?;
    Ok(stop)
}

impl From<StopSignal> for Exit {
    fn from(s: StopSignal) -> Self {
        match s {
            StopSignal::Interrupt => Exit::Interrupted,
            StopSignal::Terminate => Exit::Terminated,
        }
    }
}
