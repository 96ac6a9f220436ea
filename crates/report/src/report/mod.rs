//! Reports: one data structure per run kind, rendered by sinks that each write to any
//! `io::Write` (so they test in memory), into a run directory written atomically.
//!
//! - [`certify`]: the signed certification package (`onshi certify`).
//! - [`model`]: the conformance report (run info, scenarios with evidence, matrix).
//! - [`junit`]: the JUnit model and its one writer, shared by the suite and by load.
//! - [`run_dir`]: the run directory `<root>/<run-id>/`, shared by the suite and by load.
//! - [`suite`]: the conformance report onto those two (its JUnit, its files).
//! - [`markdown`], [`html`]: the conformance sinks; JSON is serde.
//! - [`svg`]: inline charts shared with the load report.
//! - [`diff`]: two conformance runs compared (`onshi report diff`).
//! - [`index`]: the run index (`<root>/index.html`, `onshi report list`).

pub mod certify;
pub mod diff;
pub mod html;
pub mod index;
pub mod junit;
pub mod markdown;
pub mod model;
pub mod run_dir;
pub mod suite;
pub mod svg;

pub use model::{
    ConformanceReport, Coverage, Evidence, Exchange, RunInfo, ScenarioResult, Status, StepResult,
    VisitEvidence,
};
pub use run_dir::{RunDir, RunDirError};

/// A run id from a wall-clock time and the seed: `20261130-090000-s20261122`. The
/// clock is only used to name the directory; [`RunDir::create`] makes it unique.
pub fn run_id(now: chrono::NaiveDateTime, seed: u64) -> String {
    format!("{}-s{seed}", now.format("%Y%m%d-%H%M%S"))
}
