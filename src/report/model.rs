//! The conformance report as data: run information, scenario results with evidence,
//! and the requirements matrix. Every sink renders this one structure.

use serde::{Deserialize, Serialize};

use crate::card::ApduTrace;
use crate::conformance::requirements::{REQUIREMENTS, RequirementKind};
use crate::oracle::Verdict;

/// What was run, against what, with which inputs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunInfo {
    /// Run id (also the report directory name).
    pub run_id: String,
    /// onshi version.
    pub onshi_version: String,
    /// The seed of every random choice in the run.
    pub seed: u64,
    /// The population's as-of time (scenarios may fix their own visit dates).
    pub as_of: String,
    /// Where the features came from.
    pub features: String,
    /// The tag filter, if any.
    pub tags: Option<String>,
    /// The backend under test.
    pub backend: String,
    /// The reader under test.
    pub reader: String,
    /// Defects injected into the reference backend.
    pub defects: Vec<String>,
    /// Wall-clock start (informational; no rule reads it).
    pub started_at: String,
    /// Whether the run finished (false in a partial report of an interrupted run).
    pub complete: bool,
}

/// Outcome of a step or scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Passed.
    Passed,
    /// Failed.
    Failed,
    /// Skipped (undefined step, or after a failure).
    Skipped,
}

/// One step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepResult {
    /// Gherkin keyword as written (`前提`, `もし`, `ならば`, `かつ`).
    pub keyword: String,
    /// Step text.
    pub text: String,
    /// Outcome.
    pub status: Status,
    /// Failure message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One HTTP or XML exchange with the system under test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exchange {
    /// What it was (`POST /v1/confirmations/card`, `req/OQSsiquc01req_…xml`).
    pub label: String,
    /// The request body as text.
    pub request: String,
    /// The response body as text (or the error).
    pub response: String,
}

/// What a scenario leaves behind as evidence.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// The APDU trace of the card(s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apdu_trace: Option<ApduTrace>,
    /// Exchanges with the backend.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exchanges: Vec<Exchange>,
    /// The result file the clinic received (face result XML), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_xml: Option<String>,
    /// The clinic's decision, rendered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clinic: Option<String>,
}

/// One scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioResult {
    /// Feature name.
    pub feature: String,
    /// Feature file path.
    pub file: String,
    /// Scenario name (with the example row for outlines).
    pub name: String,
    /// Line in the feature file.
    pub line: usize,
    /// Tags, without `@`.
    pub tags: Vec<String>,
    /// Outcome.
    pub status: Status,
    /// Steps.
    pub steps: Vec<StepResult>,
    /// The oracle's verdicts.
    pub verdicts: Vec<Verdict>,
    /// Evidence.
    pub evidence: Evidence,
    /// Duration in milliseconds.
    pub duration_ms: u64,
}

impl ScenarioResult {
    /// The requirement IDs this scenario is tagged with.
    pub fn requirement_ids(&self) -> impl Iterator<Item = &str> {
        self.tags
            .iter()
            .map(String::as_str)
            .filter(|t| REQUIREMENTS.iter().any(|r| r.id == *t))
    }
}

/// Coverage state of one requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Coverage {
    /// Every tagged scenario passed.
    Passed,
    /// At least one tagged scenario failed.
    Failed,
    /// Tagged scenarios exist but none ran to a verdict (skipped / filtered).
    NotRun,
    /// A behaviour or rule with no scenario.
    NotCovered,
    /// Background information; nothing to execute.
    Informational,
}

/// One row of the requirements matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixRow {
    /// Requirement ID.
    pub id: String,
    /// behaviour / rule / info.
    pub kind: String,
    /// The seed's question text.
    pub question: String,
    /// The requirement in Japanese.
    pub summary_ja: String,
    /// Scenario names with their status.
    pub scenarios: Vec<(String, Status)>,
    /// The row's verdict.
    pub coverage: Coverage,
}

/// Counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Scenarios passed.
    pub passed: usize,
    /// Scenarios failed.
    pub failed: usize,
    /// Scenarios skipped.
    pub skipped: usize,
    /// Failed critical verdicts.
    pub critical: usize,
    /// Behaviour/rule requirements covered by at least one scenario.
    pub requirements_covered: usize,
    /// Behaviour/rule requirements in the catalogue.
    pub requirements_executable: usize,
}

impl Totals {
    /// The headline figures as (label, value, is-bad-when-nonzero) cells, for tables.
    pub fn cells(&self) -> [(&'static str, String, bool); 5] {
        [
            ("scenarios passed", self.passed.to_string(), false),
            ("failed", self.failed.to_string(), true),
            ("skipped", self.skipped.to_string(), false),
            ("critical verdicts", self.critical.to_string(), true),
            (
                "requirements covered",
                format!(
                    "{} / {}",
                    self.requirements_covered, self.requirements_executable
                ),
                false,
            ),
        ]
    }
}

impl std::fmt::Display for Totals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} passed, {} failed, {} skipped; {} critical verdicts; requirements covered {}/{}",
            self.passed,
            self.failed,
            self.skipped,
            self.critical,
            self.requirements_covered,
            self.requirements_executable
        )
    }
}

/// The whole conformance report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConformanceReport {
    /// Run information.
    pub run: RunInfo,
    /// Totals.
    pub totals: Totals,
    /// The requirements matrix, in catalogue order.
    pub matrix: Vec<MatrixRow>,
    /// Every scenario.
    pub scenarios: Vec<ScenarioResult>,
}

impl ConformanceReport {
    /// Builds the matrix and totals from the scenarios.
    pub fn new(run: RunInfo, scenarios: Vec<ScenarioResult>) -> Self {
        let mut totals = Totals::default();
        for s in &scenarios {
            match s.status {
                Status::Passed => totals.passed += 1,
                Status::Failed => totals.failed += 1,
                Status::Skipped => totals.skipped += 1,
            }
            totals.critical += s
                .verdicts
                .iter()
                .filter(|v| v.is_critical_failure())
                .count();
        }
        let matrix: Vec<MatrixRow> = REQUIREMENTS
            .iter()
            .map(|r| {
                let tagged: Vec<(String, Status)> = scenarios
                    .iter()
                    .filter(|s| s.tags.iter().any(|t| t == r.id))
                    .map(|s| (s.name.clone(), s.status))
                    .collect();
                let coverage = if r.kind == RequirementKind::Info {
                    Coverage::Informational
                } else if tagged.is_empty() {
                    Coverage::NotCovered
                } else if tagged.iter().any(|(_, st)| *st == Status::Failed) {
                    Coverage::Failed
                } else if tagged.iter().any(|(_, st)| *st == Status::Passed) {
                    Coverage::Passed
                } else {
                    Coverage::NotRun
                };
                MatrixRow {
                    id: r.id.to_owned(),
                    kind: format!("{:?}", r.kind).to_lowercase(),
                    question: r.question.to_owned(),
                    summary_ja: r.summary_ja.to_owned(),
                    scenarios: tagged,
                    coverage,
                }
            })
            .collect();
        totals.requirements_executable = REQUIREMENTS
            .iter()
            .filter(|r| r.kind != RequirementKind::Info)
            .count();
        totals.requirements_covered = matrix
            .iter()
            .filter(|m| !matches!(m.coverage, Coverage::Informational | Coverage::NotCovered))
            .count();
        Self {
            run,
            totals,
            matrix,
            scenarios,
        }
    }

    /// Whether the run passed: no failed scenario.
    pub fn passed(&self) -> bool {
        self.totals.failed == 0 && self.totals.skipped == 0
    }

    /// Requirement IDs with at least one failed scenario.
    pub fn failed_requirements(&self) -> Vec<String> {
        self.matrix
            .iter()
            .filter(|m| m.coverage == Coverage::Failed)
            .map(|m| m.id.clone())
            .collect()
    }
}
