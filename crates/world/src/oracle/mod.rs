//! The oracle: compares a visit's outcome with the persona's ground truth and returns
//! verdicts with evidence. Pure, no I/O.
//!
//! - [`verdict`]: the checks and verdict type.
//! - [`checks`]: one function per check over a [`VisitRecord`], and [`evaluate`].

pub mod checks;
pub mod verdict;

pub use checks::{VisitRecord, evaluate, expected_copay, no_my_number, right_person};
pub use verdict::{Check, Verdict};
