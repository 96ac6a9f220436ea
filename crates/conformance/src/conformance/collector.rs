//! A cucumber writer that turns the event stream into [`ScenarioResult`]s, joined with
//! the evidence each scenario's World left behind, and reports progress.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use cucumber::event::{self, Cucumber, Feature, RetryableScenario, Rule, Scenario, Step};
use cucumber::{Event, Writer, gherkin, parser};

use super::world::OnshiWorld;
use onshi_report::report::{Evidence, ScenarioResult, Status, StepResult};
use onshi_world::oracle::Verdict;

/// Identifies a scenario across events and hooks.
pub type ScenarioKey = (String, usize, String);

/// The key of a scenario in a feature.
pub fn key(feature: &gherkin::Feature, scenario: &gherkin::Scenario) -> ScenarioKey {
    let path = feature
        .path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| feature.name.clone());
    (path, scenario.position.line, scenario.name.clone())
}

/// What the `after` hook leaves for the writer.
#[derive(Debug, Default)]
pub struct Shared {
    /// Evidence and verdicts by scenario.
    pub left: HashMap<ScenarioKey, (Evidence, Vec<Verdict>)>,
    /// Finished scenarios.
    pub results: Vec<ScenarioResult>,
    /// Parse errors.
    pub parse_errors: Vec<String>,
}

/// Called for every finished scenario (progress, partial reports).
pub type OnFinished = Box<dyn FnMut(&ScenarioResult, &[ScenarioResult])>;

struct Running {
    started: Instant,
    result: ScenarioResult,
}

/// The writer.
pub struct Collector {
    shared: Arc<Mutex<Shared>>,
    running: HashMap<ScenarioKey, Running>,
    rename: Box<dyn Fn(&str) -> String>,
    on_finished: OnFinished,
}

impl Collector {
    /// A collector writing into `shared`; `rename` maps feature paths for the report
    /// (temporary directory → `features/…`).
    pub fn new(
        shared: Arc<Mutex<Shared>>,
        rename: Box<dyn Fn(&str) -> String>,
        on_finished: OnFinished,
    ) -> Self {
        Self {
            shared,
            running: HashMap::new(),
            rename,
            on_finished,
        }
    }

    fn step(&mut self, k: &ScenarioKey, step: &gherkin::Step, ev: &Step<OnshiWorld>) {
        let Some(r) = self.running.get_mut(k) else {
            return;
        };
        let (status, error) = match ev {
            Step::Started => return,
            Step::Passed(..) => (Status::Passed, None),
            Step::Skipped => (Status::Skipped, Some("step is not defined".to_owned())),
            Step::Failed(_, _, _, err) => {
                let text = err.to_string();
                match text.split_once(super::world::SKIP) {
                    Some((_, why)) => (Status::Skipped, Some(why.trim().to_owned())),
                    None => (Status::Failed, Some(text)),
                }
            }
        };
        r.result.steps.push(StepResult {
            keyword: step.keyword.trim().to_owned(),
            text: step.value.clone(),
            status,
            error,
        });
    }

    fn scenario(
        &mut self,
        feature: &gherkin::Feature,
        scenario: &gherkin::Scenario,
        ev: &Scenario<OnshiWorld>,
    ) {
        let k = key(feature, scenario);
        match ev {
            Scenario::Started => {
                let file = (self.rename)(&k.0);
                let mut tags: Vec<String> = feature.tags.clone();
                tags.extend(scenario.tags.iter().cloned());
                self.running.insert(
                    k.clone(),
                    Running {
                        started: Instant::now(),
                        result: ScenarioResult {
                            feature: feature.name.clone(),
                            file,
                            name: scenario.name.clone(),
                            line: scenario.position.line,
                            tags,
                            status: Status::Passed,
                            steps: Vec::new(),
                            verdicts: Vec::new(),
                            evidence: Evidence::default(),
                            duration_ms: 0,
                        },
                    },
                );
            }
            Scenario::Background(step, e) | Scenario::Step(step, e) => self.step(&k, step, e),
            Scenario::Hook(_, event::Hook::Failed(_, info)) => {
                if let Some(r) = self.running.get_mut(&k) {
                    r.result.steps.push(StepResult {
                        keyword: "hook".into(),
                        text: "before/after hook".into(),
                        status: Status::Failed,
                        error: Some(format!("{info:?}")),
                    });
                }
            }
            Scenario::Finished => {
                let Some(mut run) = self.running.remove(&k) else {
                    return;
                };
                let r = &mut run.result;
                r.duration_ms = run.started.elapsed().as_millis() as u64;
                r.status = if r.steps.iter().any(|s| s.status == Status::Failed) {
                    Status::Failed
                } else if r.steps.iter().any(|s| s.status == Status::Skipped) {
                    Status::Skipped
                } else {
                    Status::Passed
                };
                let Ok(mut shared) = self.shared.lock() else {
                    return;
                };
                if let Some((evidence, verdicts)) = shared.left.remove(&k) {
                    r.evidence = evidence;
                    r.verdicts = verdicts;
                }
                shared.results.push(run.result);
                let results = shared.results.clone();
                drop(shared);
                if let Some(last) = results.last() {
                    (self.on_finished)(last, &results);
                }
            }
            _ => {}
        }
    }
}

impl Writer<OnshiWorld> for Collector {
    type Cli = cucumber::cli::Empty;

    async fn handle_event(
        &mut self,
        event: parser::Result<Event<Cucumber<OnshiWorld>>>,
        _cli: &Self::Cli,
    ) {
        match event {
            Ok(ev) => match &ev.value {
                Cucumber::Feature(f, Feature::Scenario(sc, RetryableScenario { event, .. }))
                | Cucumber::Feature(
                    f,
                    Feature::Rule(_, Rule::Scenario(sc, RetryableScenario { event, .. })),
                ) => {
                    self.scenario(f, sc, event);
                }
                _ => {}
            },
            Err(e) => {
                if let Ok(mut shared) = self.shared.lock() {
                    shared.parse_errors.push(e.to_string());
                }
            }
        }
    }
}
