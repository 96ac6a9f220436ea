//! Small shared helpers: hex, atomic file writes, TOML with file:line:field errors, the
//! failure classes of the exit-code contract, and the stop request of a signal.

pub mod failure;
pub mod fsutil;
pub mod hex;
pub mod stop;
pub mod tomlsrc;
