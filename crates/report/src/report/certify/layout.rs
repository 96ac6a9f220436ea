//! The names of a package's files, and the per-scenario evidence files.
//!
//! ```text
//! <DIR>/
//!   VERDICT           first line CONFORMANT or NOT CONFORMANT: …, then the run in brief
//!   tested.json       what was tested: onshi's version and revision, feature hashes, seed,
//!                     as-of, personas, the reader's own description, the backend, start, end
//!   declarations.md   what no test can observe: the signer's declarations, not results
//!   report/           the run directory as `onshi run` writes it (report.html, summary.json,
//!                     junit.xml, summary.md: the report and the requirement matrix)
//!   evidence/NNN-<feature>-L<line>.json
//!                     one file per scenario: its steps, verdicts, APDU trace (PINs
//!                     redacted), backend exchanges, the reader's answers, result files
//!   signer.pub        the signer's Ed25519 public key (PEM)
//!   MANIFEST          `<sha256 hex>  <path>` of every file above, sorted by path
//!   MANIFEST.sig      Ed25519 signature over MANIFEST's bytes (base64)
//! <DIR>.pub           the same public key, beside the package
//! ```

use super::manifest::{PackagePath, PathError};
use crate::report::model::{ConformanceReport, ScenarioResult};

/// The verdict; its first line is the whole answer.
pub const VERDICT: &str = "VERDICT";
/// What was tested.
pub const TESTED: &str = "tested.json";
/// The signer's declarations.
pub const DECLARATIONS: &str = "declarations.md";
/// The run directory.
pub const REPORT_DIR: &str = "report";
/// The per-scenario evidence.
pub const EVIDENCE_DIR: &str = "evidence";
/// The signer's public key.
pub const SIGNER_PUB: &str = "signer.pub";
/// The hashes of every other file.
pub const MANIFEST: &str = "MANIFEST";
/// The signature over `MANIFEST`.
pub const MANIFEST_SIG: &str = "MANIFEST.sig";

/// A file name part from free text: letters and digits (any script), `_` and `-` kept,
/// anything else `_`.
fn slug(text: &str) -> String {
    let s: String = text
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() { "_".to_owned() } else { s }
}

/// The evidence file of the `index`-th scenario (from 0):
/// `evidence/NNN-<feature file stem>-L<line>.json`.
pub fn evidence_path(index: usize, scenario: &ScenarioResult) -> Result<PackagePath, PathError> {
    let file = scenario.file.rsplit('/').next().unwrap_or_default();
    let stem = file.strip_suffix(".feature").unwrap_or(file);
    PackagePath::new(&format!(
        "{EVIDENCE_DIR}/{:03}-{}-L{}.json",
        index + 1,
        slug(stem),
        scenario.line
    ))
}

/// One file per scenario of the report, in report order: the scenario as the report
/// holds it (steps, tags, verdicts, evidence), as pretty JSON.
pub fn evidence_files(report: &ConformanceReport) -> Result<Vec<(PackagePath, Vec<u8>)>, String> {
    report
        .scenarios
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let path = evidence_path(i, s).map_err(|e| e.to_string())?;
            let mut json = serde_json::to_vec_pretty(s).map_err(|e| e.to_string())?;
            json.push(b'\n');
            Ok((path, json))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::{Evidence, RunInfo, Status};

    fn scenario(file: &str, line: usize) -> ScenarioResult {
        ScenarioResult {
            feature: "f".into(),
            file: file.into(),
            name: "n".into(),
            line,
            tags: Vec::new(),
            status: Status::Passed,
            steps: Vec::new(),
            verdicts: Vec::new(),
            evidence: Evidence::default(),
            duration_ms: 0,
        }
    }

    #[test]
    fn one_evidence_file_per_scenario_named_by_order_file_and_line() {
        let report = ConformanceReport::new(
            RunInfo::default(),
            vec![
                scenario("features/02_暗証番号ロック.feature", 11),
                scenario("odd name (copy).feature", 7),
                scenario("", 1),
            ],
        );
        let files = evidence_files(&report).unwrap();
        let names: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            names,
            [
                "evidence/001-02_暗証番号ロック-L11.json",
                "evidence/002-odd_name__copy_-L7.json",
                "evidence/003-_-L1.json"
            ]
        );
        let back: ScenarioResult = serde_json::from_slice(&files[0].1).unwrap();
        assert_eq!(back, report.scenarios[0]);
    }
}
