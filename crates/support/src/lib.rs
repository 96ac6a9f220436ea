//! Small shared helpers: hex, atomic file writes, TOML with file:line:field errors.

pub mod fsutil;
pub mod hex;
pub mod tomlsrc;
