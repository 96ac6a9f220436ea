//! The package's verdict: `VERDICT`, whose first line is `CONFORMANT` or
//! `NOT CONFORMANT: …` with the reasons. Conformant is exactly what makes `onshi run`
//! exit 0 ([`ConformanceReport::passed`]): a run that finished, no failed scenario, and
//! something passed.

use std::fmt;

use crate::report::model::{ConformanceReport, Status};

/// Why a package is not conformant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// A signal stopped the run: only `ran` scenarios finished.
    Interrupted {
        /// `SIGINT` or `SIGTERM`.
        signal: String,
        /// Scenarios finished before it.
        ran: usize,
    },
    /// Scenarios failed.
    Failed {
        /// How many.
        scenarios: usize,
    },
    /// Requirements with a failed scenario.
    FailingRequirements(Vec<String>),
    /// Every scenario was skipped: nothing was shown to work.
    NothingPassed {
        /// How many were skipped.
        skipped: usize,
    },
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        match self {
            Self::Interrupted { signal, ran } => write!(
                f,
                "interrupted by {signal} after {ran} scenario{}",
                plural(*ran)
            ),
            Self::Failed { scenarios } => {
                write!(f, "{scenarios} failed scenario{}", plural(*scenarios))
            }
            Self::FailingRequirements(ids) => write!(f, "failing requirements {}", ids.join(" ")),
            Self::NothingPassed { skipped } => write!(
                f,
                "nothing passed ({skipped} scenario{} skipped)",
                plural(*skipped)
            ),
        }
    }
}

/// The package's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackageVerdict {
    /// Every scenario of a finished run passed.
    Conformant,
    /// Not: the reasons, in the order the first line gives them.
    NotConformant(Vec<Reason>),
}

impl PackageVerdict {
    /// The verdict of a run's report.
    pub fn of(report: &ConformanceReport) -> Self {
        if report.passed() {
            return Self::Conformant;
        }
        let t = &report.totals;
        let mut reasons = Vec::new();
        if let Some(signal) = &report.run.interrupted {
            reasons.push(Reason::Interrupted {
                signal: signal.clone(),
                ran: report.scenarios.len(),
            });
        }
        if t.failed > 0 {
            reasons.push(Reason::Failed {
                scenarios: t.failed,
            });
        }
        let failing = report.failed_requirements();
        if !failing.is_empty() {
            reasons.push(Reason::FailingRequirements(failing));
        }
        if t.failed == 0 && t.passed == 0 && t.skipped > 0 {
            reasons.push(Reason::NothingPassed { skipped: t.skipped });
        }
        Self::NotConformant(reasons)
    }

    /// Whether the package says conformant.
    pub fn is_conformant(&self) -> bool {
        matches!(self, Self::Conformant)
    }

    /// The first line of `VERDICT`.
    pub fn first_line(&self) -> String {
        match self {
            Self::Conformant => "CONFORMANT".to_owned(),
            Self::NotConformant(reasons) if reasons.is_empty() => "NOT CONFORMANT".to_owned(),
            Self::NotConformant(reasons) => format!(
                "NOT CONFORMANT: {}",
                reasons
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        }
    }

    /// The whole `VERDICT` file: the first line, then the run in brief and the failed
    /// scenarios by name. `revision` is onshi's source revision.
    pub fn text(&self, report: &ConformanceReport, revision: &str) -> String {
        let run = &report.run;
        let mut out = format!("{}\n\n", self.first_line());
        let mut line = |k: &str, v: &str| out.push_str(&format!("{k:<13}{v}\n"));
        line("reader:", &run.reader);
        line("backend:", &run.backend);
        if !run.clinic.is_empty() {
            line("clinic:", &run.clinic);
        }
        if !run.defects.is_empty() {
            line("defects:", &run.defects.join(", "));
        }
        line("scenarios:", &report.totals.to_string());
        line(
            "selection:",
            run.tags
                .as_deref()
                .map_or("every scenario".to_owned(), |t| format!("--tags {t}"))
                .as_str(),
        );
        line(
            "run:",
            &format!(
                "{} (onshi {}, revision {revision}; seed {}, as-of {})",
                run.run_id, run.onshi_version, run.seed, run.as_of
            ),
        );
        let failed: Vec<String> = report
            .scenarios
            .iter()
            .filter(|s| s.status == Status::Failed)
            .map(|s| format!("  {} ({}:{})\n", s.name, s.file, s.line))
            .collect();
        if !failed.is_empty() {
            out.push_str("\nfailed scenarios:\n");
            out.extend(failed);
        }
        out.push_str(
            "\nThe report and the requirement matrix are in report/ (report.html), the evidence \
             of each scenario in evidence/, what was tested in tested.json. declarations.md \
             lists what no test can observe: the signer's declarations, not test results. \
             MANIFEST holds the SHA-256 of every file, MANIFEST.sig the signer's Ed25519 \
             signature over it; check both with `onshi certify verify`.\n",
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::{Evidence, RunInfo, ScenarioResult};

    fn scenario(name: &str, tags: &[&str], status: Status) -> ScenarioResult {
        ScenarioResult {
            feature: "f".into(),
            file: "features/02_暗証番号ロック.feature".into(),
            name: name.into(),
            line: 11,
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            status,
            steps: Vec::new(),
            verdicts: Vec::new(),
            evidence: Evidence::default(),
            duration_ms: 0,
        }
    }

    fn report(scenarios: Vec<ScenarioResult>, interrupted: Option<&str>) -> ConformanceReport {
        ConformanceReport::new(
            RunInfo {
                run_id: "20261130-090000-s1".into(),
                reader: "acme face 1.0".into(),
                backend: "embedded".into(),
                complete: interrupted.is_none(),
                interrupted: interrupted.map(str::to_owned),
                ..RunInfo::default()
            },
            scenarios,
        )
    }

    #[test]
    fn a_green_run_is_conformant() {
        let r = report(
            vec![
                scenario("a", &["FAQ-4-11"], Status::Passed),
                scenario("b", &["FAQ-4-9"], Status::Passed),
            ],
            None,
        );
        let v = PackageVerdict::of(&r);
        assert!(v.is_conformant());
        let text = v.text(&r, "abc123");
        assert_eq!(text.lines().next(), Some("CONFORMANT"));
        assert!(text.contains("reader:      acme face 1.0"), "{text}");
        assert!(text.contains("revision abc123"), "{text}");
    }

    #[test]
    fn a_failed_scenario_says_not_conformant_on_the_first_line() {
        let r = report(
            vec![
                scenario("a", &["FAQ-4-11"], Status::Failed),
                scenario("b", &["FAQ-4-11", "TRN-NO10"], Status::Failed),
                scenario("c", &["FAQ-4-9"], Status::Passed),
            ],
            None,
        );
        let v = PackageVerdict::of(&r);
        assert!(!v.is_conformant());
        assert_eq!(
            v.first_line(),
            "NOT CONFORMANT: 2 failed scenarios; failing requirements FAQ-4-11 TRN-NO10"
        );
        let text = v.text(&r, "x");
        assert!(
            text.contains("failed scenarios:\n  a (features/02_暗証番号ロック.feature:11)\n"),
            "{text}"
        );
    }

    #[test]
    fn an_interrupted_run_is_not_conformant_even_if_green() {
        let r = report(
            vec![scenario("a", &["FAQ-4-11"], Status::Passed)],
            Some("SIGINT"),
        );
        assert_eq!(
            PackageVerdict::of(&r).first_line(),
            "NOT CONFORMANT: interrupted by SIGINT after 1 scenario"
        );
    }

    #[test]
    fn nothing_but_skips_is_not_conformant() {
        let r = report(vec![scenario("a", &["FAQ-4-11"], Status::Skipped)], None);
        assert_eq!(
            PackageVerdict::of(&r).first_line(),
            "NOT CONFORMANT: nothing passed (1 scenario skipped)"
        );
    }
}
