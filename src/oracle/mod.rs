//! The oracle: compares a visit's outcome with the persona's ground truth and returns
//! verdicts with evidence. Pure, no I/O.

pub mod verdict;

pub use verdict::{Check, Verdict};
