//! Reports: one data structure per run kind, rendered by sinks that each write to any
//! `io::Write` (so they test in memory), and a run directory written atomically.
//!
//! - [`model`]: the conformance report (run info, scenarios with evidence, matrix).
//! - [`junit`]: the JUnit model and its one writer, shared by the suite and by load.
//! - [`suite`]: the conformance report onto the shared JUnit model.
//! - [`markdown`], [`html`]: the conformance sinks; JSON is serde.
//! - [`svg`]: inline charts shared with the load report.

pub mod html;
pub mod junit;
pub mod markdown;
pub mod model;
pub mod suite;
pub mod svg;

use std::path::{Path, PathBuf};

pub use model::{
    ConformanceReport, Coverage, Evidence, Exchange, RunInfo, ScenarioResult, Status, StepResult,
};

/// A report directory: `<root>/<run-id>/`.
#[derive(Debug, Clone)]
pub struct ReportDir {
    path: PathBuf,
}

impl ReportDir {
    /// Creates `<root>/<run_id>/`.
    pub fn create(root: &Path, run_id: &str) -> std::io::Result<Self> {
        let path = root.join(run_id);
        std::fs::create_dir_all(&path)?;
        Ok(Self { path })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes one file atomically.
    pub fn write(&self, name: &str, bytes: &[u8]) -> std::io::Result<()> {
        onshi_support::fsutil::write_atomic(&self.path.join(name), bytes)
    }

    /// Writes every conformance sink (each atomically): `summary.json`, `junit.xml`,
    /// `summary.md`, `report.html`. Called after every scenario too, so an interrupted
    /// run leaves a valid partial report.
    pub fn write_conformance(&self, report: &ConformanceReport) -> std::io::Result<()> {
        let json = serde_json::to_vec_pretty(report).map_err(std::io::Error::other)?;
        self.write("summary.json", &json)?;
        let mut buf = Vec::new();
        junit::write(&suite::junit(report), &mut buf)?;
        self.write("junit.xml", &buf)?;
        buf.clear();
        markdown::write(report, &mut buf)?;
        self.write("summary.md", &buf)?;
        buf.clear();
        html::write(report, &mut buf)?;
        self.write("report.html", &buf)
    }
}

/// A run id from a wall-clock time and the seed: `20261130-090000-s20261122`. The
/// clock is only used to name the directory.
pub fn run_id(now: chrono::NaiveDateTime, seed: u64) -> String {
    format!("{}-s{seed}", now.format("%Y%m%d-%H%M%S"))
}
