//! The conformance report as data: run information, scenario results with evidence,
//! and the requirements matrix. Every sink renders this one structure.
//!
//! The matrix has one row per row of `requirements.md` (the seed and notice origins of
//! the catalogue, [`onshi_domain::rules::catalogue`]), in its order; onshi's own `DOM-…` rules
//! are not rows.

use serde::{Deserialize, Serialize};

use onshi_card::card::ApduTrace;
use onshi_domain::rules::catalogue::System;
use onshi_domain::rules::{CATALOGUE, Requirement, RequirementKind, RuleId};
use onshi_world::oracle::Verdict;

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
    /// The clinic at the window (reports before the clinic-control API: empty).
    #[serde(default)]
    pub clinic: String,
    /// Defects injected into the reference backend.
    pub defects: Vec<String>,
    /// Wall-clock start (informational; no rule reads it).
    pub started_at: String,
    /// Whether the run finished (false in the partial report written while it runs,
    /// and in the report of an interrupted run).
    pub complete: bool,
    /// The signal that stopped the run (`SIGINT`, `SIGTERM`), if one did: the report
    /// then holds the scenarios finished before it, and the run has not passed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<String>,
    /// The seed the scenario order was shuffled with (`--shuffle`), if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shuffle: Option<u64>,
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
    /// What each visit of the scenario left, in visit order (empty in a report of an
    /// onshi that did not record it): with it a verdict links to the evidence of its
    /// own visit ([`ScenarioResult::evidence_of`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub visits: Vec<VisitEvidence>,
}

/// What one visit of a scenario left. A scenario's verdicts, exchanges and APDU trace
/// entries follow each other visit by visit (then come the scenario's own verdicts and
/// exchanges, of protocol-level steps): this says how many of each are this visit's,
/// and whether the result file and the clinic decision kept in [`Evidence`] are its.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitEvidence {
    /// The oracle's verdicts on this visit.
    pub verdicts: usize,
    /// Its exchanges with the backend.
    pub exchanges: usize,
    /// Its APDU trace entries.
    pub apdus: usize,
    /// Whether [`Evidence::result_xml`] is this visit's result file.
    #[serde(default)]
    pub result_xml: bool,
    /// Whether [`Evidence::clinic`] is this visit's decision.
    #[serde(default)]
    pub clinic: bool,
}

/// The evidence behind one verdict: which of the scenario's exchanges and APDU trace
/// entries (index ranges), and whether its result file and clinic decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceRefs {
    /// The visit (0-based), if the verdict is on a visit.
    pub visit: Option<usize>,
    /// Indices into [`Evidence::exchanges`].
    pub exchanges: std::ops::Range<usize>,
    /// Indices into the APDU trace's entries.
    pub apdus: std::ops::Range<usize>,
    /// The result file.
    pub result_xml: bool,
    /// The clinic decision.
    pub clinic: bool,
}

impl ScenarioResult {
    /// Replaces every My Number quoted in the evidence and the step errors (a request
    /// that carried one to see it refused) by a placeholder: no report holds one.
    pub fn redact_my_numbers(&mut self) {
        use onshi_world::persona::my_number::redact;
        let scrub = |s: &mut String| {
            if let std::borrow::Cow::Owned(clean) = redact(s) {
                *s = clean;
            }
        };
        for x in &mut self.evidence.exchanges {
            scrub(&mut x.request);
            scrub(&mut x.response);
        }
        for s in self
            .evidence
            .result_xml
            .iter_mut()
            .chain(self.evidence.clinic.iter_mut())
        {
            scrub(s);
        }
        for v in &mut self.verdicts {
            scrub(&mut v.message);
            v.evidence.iter_mut().for_each(scrub);
        }
        for st in &mut self.steps {
            scrub(&mut st.text);
            if let Some(e) = &mut st.error {
                scrub(e);
            }
        }
    }
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
    /// The evidence behind the verdict at `index`: its visit's exchanges, APDU trace
    /// entries, result file and decision. A verdict of the scenario's own (after every
    /// visit's) has the exchanges no visit left; without visit records (a report of an
    /// older onshi) every verdict has all the evidence.
    pub fn evidence_of(&self, index: usize) -> EvidenceRefs {
        let e = &self.evidence;
        let apdus_total = e.apdu_trace.as_ref().map_or(0, |t| t.entries.len());
        let all = EvidenceRefs {
            visit: None,
            exchanges: 0..e.exchanges.len(),
            apdus: 0..apdus_total,
            result_xml: e.result_xml.is_some(),
            clinic: e.clinic.is_some(),
        };
        if e.visits.is_empty() {
            return all;
        }
        let (mut verdicts, mut exchanges, mut apdus) = (0, 0, 0);
        for (i, v) in e.visits.iter().enumerate() {
            if index < verdicts + v.verdicts {
                return EvidenceRefs {
                    visit: Some(i),
                    exchanges: exchanges..(exchanges + v.exchanges).min(e.exchanges.len()),
                    apdus: apdus..(apdus + v.apdus).min(apdus_total),
                    result_xml: v.result_xml && e.result_xml.is_some(),
                    clinic: v.clinic && e.clinic.is_some(),
                };
            }
            verdicts += v.verdicts;
            exchanges += v.exchanges;
            apdus += v.apdus;
        }
        EvidenceRefs {
            visit: None,
            exchanges: exchanges.min(e.exchanges.len())..e.exchanges.len(),
            apdus: 0..0,
            result_xml: false,
            clinic: false,
        }
    }

    /// The requirement IDs (rows of `requirements.md`) this scenario is tagged with.
    pub fn requirement_ids(&self) -> impl Iterator<Item = &str> {
        self.tags
            .iter()
            .map(String::as_str)
            .filter(|t| RuleId::parse(t).is_some_and(|id| id.entry().origin.in_requirements_md()))
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
    /// The seed's question text (empty for a later notice, which no seed states).
    pub question: String,
    /// The requirement in Japanese.
    pub summary_ja: String,
    /// Scenario names with their status.
    pub scenarios: Vec<(String, Status)>,
    /// The row's verdict.
    pub coverage: Coverage,
    /// onshi's own requirement (`SEC-…`), not a row of `requirements.md`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub onshi: bool,
    /// The systems under test the requirement is judged on (a defect of each fails
    /// it); empty: no system can fail it, so it is information, never coverage.
    #[serde(default)]
    pub judged_by: Vec<System>,
}

/// How many requirements judged on one system were covered by the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemCoverage {
    /// The system under test.
    pub system: System,
    /// Requirements judged on it that a scenario of this run exercised (passed or
    /// failed).
    pub covered: usize,
    /// Requirements judged on it.
    pub judged: usize,
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
    /// Behaviour/rule requirements judged on a system under test and covered by at
    /// least one scenario.
    pub requirements_covered: usize,
    /// Behaviour/rule requirements judged on a system under test (a defect of it fails
    /// them).
    pub requirements_executable: usize,
    /// Behaviour/rule requirements no system under test can fail: their scenarios
    /// run, but only onshi's own simulation decides them, so they count as information.
    #[serde(default)]
    pub requirements_unjudged: usize,
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
            "{} passed, {} failed, {} skipped; {} critical verdicts; requirements covered {}/{} (+{} no system under test can fail)",
            self.passed,
            self.failed,
            self.skipped,
            self.critical,
            self.requirements_covered,
            self.requirements_executable,
            self.requirements_unjudged
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
    /// Coverage per system under test (backend, reader, clinic, card).
    #[serde(default)]
    pub by_system: Vec<SystemCoverage>,
    /// Every scenario.
    pub scenarios: Vec<ScenarioResult>,
}

impl ConformanceReport {
    /// Builds the matrix and totals from the scenarios, against the rules' catalogue.
    pub fn new(run: RunInfo, scenarios: Vec<ScenarioResult>) -> Self {
        Self::with_catalogue(run, scenarios, CATALOGUE)
    }

    /// Builds the matrix and totals from the scenarios against `catalogue`: one matrix
    /// row per entry that is a row of `requirements.md`, in catalogue order.
    pub fn with_catalogue(
        run: RunInfo,
        mut scenarios: Vec<ScenarioResult>,
        catalogue: &[Requirement],
    ) -> Self {
        for s in &mut scenarios {
            s.redact_my_numbers();
        }
        let rows: Vec<&Requirement> = catalogue.iter().filter(|r| r.in_matrix()).collect();
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
        let matrix: Vec<MatrixRow> = rows
            .iter()
            .map(|r| {
                let tagged: Vec<(String, Status)> = scenarios
                    .iter()
                    .filter(|s| s.tags.iter().any(|t| t == r.id.code()))
                    .map(|s| (s.name.clone(), s.status))
                    .collect();
                let judged = !r.judged_by().is_empty();
                let failed = tagged.iter().any(|(_, st)| *st == Status::Failed);
                let coverage = if r.kind == RequirementKind::Info || (!judged && !failed) {
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
                    id: r.id.code().to_owned(),
                    kind: r.kind.as_str().to_owned(),
                    question: r.question.unwrap_or_default().to_owned(),
                    summary_ja: r.summary_ja.to_owned(),
                    scenarios: tagged,
                    coverage,
                    onshi: !r.origin.in_requirements_md(),
                    judged_by: r.judged_by().to_vec(),
                }
            })
            .collect();
        let exercised = |m: &MatrixRow| {
            !matches!(
                m.coverage,
                Coverage::Informational | Coverage::NotCovered | Coverage::NotRun
            )
        };
        let executable = |m: &MatrixRow| m.kind != RequirementKind::Info.as_str();
        totals.requirements_executable = matrix
            .iter()
            .filter(|m| executable(m) && !m.judged_by.is_empty())
            .count();
        totals.requirements_unjudged = matrix
            .iter()
            .filter(|m| executable(m) && m.judged_by.is_empty())
            .count();
        totals.requirements_covered = matrix
            .iter()
            .filter(|m| !m.judged_by.is_empty() && exercised(m))
            .count();
        let by_system = System::ALL
            .iter()
            .map(|&system| {
                let judged: Vec<&MatrixRow> = matrix
                    .iter()
                    .filter(|m| executable(m) && m.judged_by.contains(&system))
                    .collect();
                SystemCoverage {
                    system,
                    covered: judged.iter().filter(|m| exercised(m)).count(),
                    judged: judged.len(),
                }
            })
            .collect();
        Self {
            run,
            totals,
            matrix,
            by_system,
            scenarios,
        }
    }

    /// Whether the run passed: no failed scenario, and not everything skipped.
    pub fn passed(&self) -> bool {
        // A scenario is skipped only when the backend's face cannot carry it (an
        // undefined step fails): skips are reported, not failures, as long as
        // something ran.
        self.run.interrupted.is_none()
            && self.totals.failed == 0
            && (self.totals.skipped == 0 || self.totals.passed > 0)
    }

    /// The headline word: `PASSED`, `FAILED`, or `INTERRUPTED (SIGINT)`.
    pub fn headline(&self) -> String {
        match &self.run.interrupted {
            Some(signal) => format!("INTERRUPTED ({signal})"),
            None if self.passed() => "PASSED".to_owned(),
            None => "FAILED".to_owned(),
        }
    }

    /// What the header says of a report that is not the end of a whole run.
    pub fn partial_note(&self) -> Option<String> {
        match (&self.run.interrupted, self.run.complete) {
            (Some(signal), _) => Some(format!(
                "interrupted by {signal}: only the {} scenarios finished before it are here",
                self.scenarios.len()
            )),
            (None, false) => Some("partial: the run is still going (or was killed)".to_owned()),
            (None, true) => None,
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use onshi_domain::rules::catalogue::{documented, matrix_rows};

    fn scenario(name: &str, tags: &[&str], status: Status) -> ScenarioResult {
        ScenarioResult {
            feature: "f".to_owned(),
            file: "f.feature".to_owned(),
            name: name.to_owned(),
            line: 1,
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            status,
            steps: Vec::new(),
            verdicts: Vec::new(),
            evidence: Evidence::default(),
            duration_ms: 0,
        }
    }

    #[test]
    fn a_verdict_links_to_the_evidence_of_its_own_visit() {
        use onshi_world::oracle::{Check, Verdict};
        let x = |label: &str| Exchange {
            label: label.into(),
            request: String::new(),
            response: String::new(),
        };
        let mut s = scenario("two visits", &[], Status::Passed);
        s.verdicts = vec![
            Verdict::pass(Check::RightPerson, "1"),
            Verdict::pass(Check::RightPerson, "2a"),
            Verdict::pass(Check::CopayCorrect, "2b"),
            Verdict::pass(Check::ForgeryRefused, "own"),
        ];
        s.evidence.exchanges = vec![x("v1"), x("v2 a"), x("v2 b"), x("protocol")];
        s.evidence.result_xml = Some("result".into());
        // Without visit records every verdict has all of it.
        assert_eq!(s.evidence_of(0).exchanges, 0..4);
        assert!(s.evidence_of(0).result_xml);
        s.evidence.visits = vec![
            VisitEvidence {
                verdicts: 1,
                exchanges: 1,
                apdus: 0,
                result_xml: false,
                clinic: false,
            },
            VisitEvidence {
                verdicts: 2,
                exchanges: 2,
                apdus: 0,
                result_xml: true,
                clinic: false,
            },
        ];
        let first = s.evidence_of(0);
        assert_eq!(
            (first.visit, first.exchanges, first.result_xml),
            (Some(0), 0..1, false)
        );
        let second = s.evidence_of(2);
        assert_eq!(
            (second.visit, second.exchanges, second.result_xml),
            (Some(1), 1..3, true)
        );
        let own = s.evidence_of(3);
        assert_eq!(
            (own.visit, own.exchanges, own.result_xml),
            (None, 3..4, false)
        );
    }

    #[test]
    fn the_matrix_is_the_rows_of_requirements_md_then_onshis_own_in_order() {
        let scenarios = vec![
            scenario("a", &["FAQ-4-11", "smoke"], Status::Passed),
            scenario("b", &["NOTICE-2025-06-27", "DOM-COPAY-AGE"], Status::Failed),
            scenario("c", &["FAQ-4-21"], Status::Passed),
        ];
        let report = ConformanceReport::new(RunInfo::default(), scenarios);
        let ids: Vec<&str> = report.matrix.iter().map(|m| m.id.as_str()).collect();
        let expected: Vec<&str> = matrix_rows().map(|r| r.id.code()).collect();
        assert_eq!(ids, expected);
        let documented: Vec<&str> = documented().map(|r| r.id.code()).collect();
        assert_eq!(
            ids[..documented.len()],
            documented[..],
            "requirements.md first"
        );
        assert!(report.matrix[documented.len()..].iter().all(|m| m.onshi
            && (m.id.starts_with("SEC-")
                || (m.id.starts_with("DOM-") && !m.judged_by.is_empty()))));
        assert!(report.matrix[..documented.len()].iter().all(|m| !m.onshi));
        // onshi's domain rules are rows only when a system under test can fail them.
        assert!(ids.contains(&"DOM-VALIDITY-MULTIPLE"));
        assert!(!ids.contains(&"DOM-COPAY-AGE"));
        assert!(ids.contains(&"NOTICE-KOUKI-2026-07"));

        let row = |id: &str| report.matrix.iter().find(|m| m.id == id).unwrap();
        assert_eq!(row("FAQ-4-11").coverage, Coverage::Passed);
        assert_eq!(row("FAQ-4-11").kind, "behaviour");
        assert!(!row("FAQ-4-11").question.is_empty());
        assert_eq!(row("NOTICE-2025-06-27").coverage, Coverage::Failed);
        assert_eq!(row("NOTICE-2025-06-27").kind, "rule");
        assert_eq!(row("NOTICE-2025-06-27").question, "");
        assert_eq!(row("FAQ-4-22").coverage, Coverage::Informational);
        assert_eq!(row("KQ-3").coverage, Coverage::NotCovered);
        // A behaviour no system under test can fail is information, also when its
        // scenarios ran; one that failed still shows the failure.
        assert!(row("FAQ-4-21").judged_by.is_empty());
        assert_eq!(row("FAQ-4-21").coverage, Coverage::Informational);
        assert_eq!(
            row("FAQ-4-11").judged_by,
            vec![System::Backend, System::Reader]
        );
        assert_eq!(
            report.totals.requirements_executable,
            matrix_rows()
                .filter(|r| r.kind.is_executable() && !r.judged_by().is_empty())
                .count()
        );
        assert_eq!(
            report.totals.requirements_unjudged,
            matrix_rows()
                .filter(|r| r.kind.is_executable() && r.judged_by().is_empty())
                .count()
        );
        assert_eq!(report.totals.requirements_covered, 2);
        let backend = report
            .by_system
            .iter()
            .find(|c| c.system == System::Backend)
            .unwrap();
        // FAQ-4-11 (backend and reader); NOTICE-2025-06-27 is the clinic's (it judges
        // the お知らせ; the backend answers the numbers).
        assert_eq!(backend.covered, 1, "{:?}", report.by_system);
        let clinic = report
            .by_system
            .iter()
            .find(|c| c.system == System::Clinic)
            .unwrap();
        assert_eq!(clinic.covered, 1, "{:?}", report.by_system);
        assert_eq!(report.failed_requirements(), vec!["NOTICE-2025-06-27"]);
        assert_eq!(
            report.scenarios[1].requirement_ids().collect::<Vec<_>>(),
            vec!["NOTICE-2025-06-27"]
        );
    }
}
