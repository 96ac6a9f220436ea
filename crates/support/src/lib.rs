//! Small shared helpers: hex, atomic file writes, TOML with file:line:field errors, and
//! the failure classes of the exit-code contract.

pub mod failure;
pub mod fsutil;
pub mod hex;
pub mod tomlsrc;
