//! Running the suite: features (embedded or a directory) → cucumber with our steps →
//! scenario results with evidence → the conformance report, written after every
//! scenario (so an interrupted run leaves a valid partial report) and at the end.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use cucumber::{World as _, WriterExt as _};

use super::collector::{Collector, OnFinished, Shared, key};
use super::env::Env;
use super::world::{OnshiWorld, install_env};
use onshi_reader::reader::control::ReaderInfo;
use onshi_report::report::{
    ConformanceReport, RunDir, RunDirError, RunInfo, ScenarioResult, Status, StepResult, suite,
};
use onshi_support::stop::{Stop, StopSignal};

/// Where the features come from.
#[derive(Debug, Clone)]
pub enum FeatureSource {
    /// The features compiled into the binary.
    Embedded,
    /// A directory of `*.feature` files.
    Dir(PathBuf),
}

/// Options of a run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The features.
    pub features: FeatureSource,
    /// A tag expression (`@FAQ-4-11 and not @slow`).
    pub tags: Option<String>,
    /// Where `<run-id>/` is created.
    pub report_root: PathBuf,
    /// Run information for the report (run id, seed, …); `complete` is managed here,
    /// and `run_id` becomes the directory's name (`<id>-2` if `<id>` is taken).
    pub info: RunInfo,
    /// Scenarios run concurrently.
    pub concurrency: usize,
    /// A signal ends the run: scenarios in flight are abandoned, the report holds the
    /// finished ones and is marked interrupted.
    pub stop: Stop,
}

/// Errors before or around the run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The features could not be read or staged.
    #[error("features: {0}")]
    Features(String),
    /// The tag expression does not parse.
    #[error("--tags {0:?} is not a tag expression")]
    Tags(String),
    /// The report could not be written.
    #[error("report: {0}")]
    Report(#[from] RunDirError),
}

/// A finished run.
#[derive(Debug)]
pub struct RunOutcome {
    /// The report.
    pub report: ConformanceReport,
    /// Where it was written.
    pub dir: PathBuf,
    /// Feature files that did not parse (they also appear as failed scenarios).
    pub parse_errors: Vec<String>,
    /// The signal that stopped the run, if one did.
    pub interrupted: Option<StopSignal>,
    /// With a reader under test: its own answer to `GET /v1/reader`.
    pub reader_info: Option<ReaderInfo>,
}

fn stage_embedded() -> Result<PathBuf, RunError> {
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "onshi-features-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir)
        .map_err(|e| RunError::Features(format!("{}: {e}", dir.display())))?;
    for (rel, text) in onshi_world::defaults::FEATURES {
        let name = Path::new(rel).file_name().unwrap_or_default();
        std::fs::write(dir.join(name), text).map_err(|e| RunError::Features(e.to_string()))?;
    }
    Ok(dir)
}

/// The feature files of `source` as (file name, text), sorted by name.
pub fn feature_texts(source: &FeatureSource) -> Result<Vec<(String, String)>, RunError> {
    let mut texts = match source {
        FeatureSource::Embedded => onshi_world::defaults::FEATURES
            .iter()
            .map(|(rel, text)| {
                let name = Path::new(rel).file_name().unwrap_or_default();
                (name.to_string_lossy().into_owned(), (*text).to_owned())
            })
            .collect(),
        FeatureSource::Dir(dir) => {
            let entries = std::fs::read_dir(dir)
                .map_err(|e| RunError::Features(format!("{}: {e}", dir.display())))?;
            let mut texts = Vec::new();
            for p in entries.filter_map(|e| e.ok().map(|e| e.path())) {
                if p.extension().is_some_and(|x| x == "feature") {
                    let text = std::fs::read_to_string(&p)
                        .map_err(|e| RunError::Features(format!("{}: {e}", p.display())))?;
                    let name = p.file_name().unwrap_or_default().to_string_lossy();
                    texts.push((name.into_owned(), text));
                }
            }
            texts
        }
    };
    texts.sort();
    Ok(texts)
}

/// Counts the scenarios of one feature text (outline rows included).
pub(crate) fn scenarios_in(text: &str) -> usize {
    let Ok(f) = cucumber::gherkin::Feature::parse(text, cucumber::gherkin::GherkinEnv::default())
    else {
        return 0;
    };
    f.scenarios
        .iter()
        .chain(f.rules.iter().flat_map(|r| r.scenarios.iter()))
        .map(|s| {
            if s.examples.is_empty() {
                1
            } else {
                s.examples
                    .iter()
                    .map(|e| {
                        e.table
                            .as_ref()
                            .map_or(0, |t| t.rows.len().saturating_sub(1))
                    })
                    .sum()
            }
        })
        .sum()
}

/// Counts the scenarios (outline rows included) for the progress display.
pub fn count_scenarios(source: &FeatureSource) -> usize {
    match source {
        FeatureSource::Embedded => onshi_world::defaults::FEATURES
            .iter()
            .map(|(_, t)| scenarios_in(t))
            .sum(),
        FeatureSource::Dir(dir) => std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "feature"))
                    .filter_map(|p| std::fs::read_to_string(p).ok())
                    .map(|t| scenarios_in(&t))
                    .sum()
            })
            .unwrap_or(0),
    }
}

/// Runs the suite.
pub async fn run(
    env: Arc<Env>,
    opts: RunOptions,
    on_progress: OnFinished,
) -> Result<RunOutcome, RunError> {
    let tags = match &opts.tags {
        Some(t) => Some(t.parse().map_err(|_| RunError::Tags(t.clone()))?),
        None => None,
    };
    let staged = feature_dir(&opts.features)?;
    let (dir, is_staged) = (staged.path.clone(), staged.removed);
    let findings = lint_features(&dir, is_staged)?;
    if !findings.is_empty() {
        return Err(RunError::Features(findings.join("\n")));
    }
    let report_dir = RunDir::create(&opts.report_root, &opts.info.run_id)?;
    let info = RunInfo {
        run_id: report_dir.id().to_owned(),
        ..opts.info
    };
    install_env(env);

    let shared = Arc::new(Mutex::new(Shared::default()));
    let on_finished =
        partial_report_writer(report_dir.clone(), &info, on_progress, opts.stop.clone());
    let collector = Collector::new(shared.clone(), feature_rename(&dir, is_staged), on_finished);
    let cli = cucumber::cli::Opts::<_, _, _, cucumber::cli::Empty> {
        tags_filter: tags,
        ..Default::default()
    };
    let hook_shared = shared.clone();
    let before_stop = opts.stop.clone();
    let suite = OnshiWorld::cucumber::<PathBuf>()
        .with_parser::<_, PathBuf>(super::shuffle::Shuffled { seed: info.shuffle })
        .with_writer(collector.fail_on_skipped().normalized())
        .with_cli(cli)
        .max_concurrent_scenarios(opts.concurrency.max(1))
        .before(move |feature, _rule, scenario, world| {
            let file = feature
                .path
                .as_deref()
                .and_then(|p| p.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            world.scene = Some(onshi_world::persona::SceneKey::new(
                &file,
                scenario.position.line,
            ));
            // After a stop request no scenario starts: with the embedded backend no
            // scenario waits on I/O and the suite would otherwise run to its end in
            // one poll; held here, it returns to the select below.
            let stop = before_stop.clone();
            Box::pin(async move {
                if stop.requested().is_some() {
                    std::future::pending::<()>().await;
                }
            })
        })
        .after(move |feature, _rule, scenario, _finished, world| {
            if let (Some(w), Ok(mut s)) = (world, hook_shared.lock()) {
                s.left
                    .insert(key(feature, scenario), (w.evidence(), w.all_verdicts()));
            }
            Box::pin(async {})
        })
        .run(dir.clone());
    // A signal drops the suite: scenarios in flight are abandoned (their results were
    // never collected), the finished ones make the report.
    let interrupted = tokio::select! {
        _ = suite => None,
        signal = opts.stop.until_requested() => Some(signal),
    };
    drop(staged);

    let (results, parse_errors) = collected_results(&shared);
    let report = ConformanceReport::new(
        RunInfo {
            complete: interrupted.is_none(),
            interrupted: interrupted.map(|s| s.name().to_owned()),
            ..info
        },
        results,
    );
    suite::write(&report_dir, &report)?;
    if let Err(e) = onshi_report::report::index::write(&opts.report_root) {
        tracing::warn!("rewriting the run index failed: {e}");
    }
    Ok(RunOutcome {
        report,
        dir: report_dir.path().to_owned(),
        parse_errors,
        interrupted,
        reader_info: None,
    })
}

/// The directory of the features; staged (embedded) features are removed when it is
/// dropped, on every path out of the run.
struct FeatureDir {
    path: PathBuf,
    removed: bool,
}

impl Drop for FeatureDir {
    fn drop(&mut self) {
        if self.removed {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

fn feature_dir(features: &FeatureSource) -> Result<FeatureDir, RunError> {
    match features {
        FeatureSource::Embedded => Ok(FeatureDir {
            path: stage_embedded()?,
            removed: true,
        }),
        FeatureSource::Dir(d) => {
            if !d.is_dir() {
                return Err(RunError::Features(format!(
                    "{} is not a directory",
                    d.display()
                )));
            }
            Ok(FeatureDir {
                path: d.clone(),
                removed: false,
            })
        }
    }
}

/// The lint findings of the `*.feature` files in `dir`, in file order, as
/// `file:line: message` (staged files shown as `features/<name>`).
fn lint_features(dir: &Path, staged: bool) -> Result<Vec<String>, RunError> {
    let mut findings = Vec::new();
    let steps = OnshiWorld::collection();
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "feature"))
            .collect();
        paths.sort();
        for p in paths {
            let text = std::fs::read_to_string(&p)
                .map_err(|e| RunError::Features(format!("{}: {e}", p.display())))?;
            let shown = if staged {
                format!(
                    "features/{}",
                    p.file_name().unwrap_or_default().to_string_lossy()
                )
            } else {
                p.display().to_string()
            };
            for (line, msg) in super::lint::lint(&text) {
                findings.push(format!("{shown}:{line}: {msg}"));
            }
            for (line, msg) in undefined_steps(&steps, &text) {
                findings.push(format!("{shown}:{line}: {msg}"));
            }
        }
    }
    Ok(findings)
}

/// The steps of one feature text (outlines expanded) that no step definition matches,
/// or that several match, as (line, message). A text that does not parse has none here:
/// the run reports it as a parse error.
fn undefined_steps(
    steps: &cucumber::step::Collection<OnshiWorld>,
    text: &str,
) -> Vec<(usize, String)> {
    use cucumber::feature::Ext as _;
    use cucumber::gherkin::{Feature, GherkinEnv};
    let Some(feature) = Feature::parse(text, GherkinEnv::default())
        .ok()
        .and_then(|f| f.expand_examples().ok())
    else {
        return Vec::new();
    };
    let backgrounds = feature
        .background
        .iter()
        .chain(feature.rules.iter().filter_map(|r| r.background.as_ref()))
        .flat_map(|b| b.steps.iter());
    let scenarios = feature
        .scenarios
        .iter()
        .chain(feature.rules.iter().flat_map(|r| r.scenarios.iter()))
        .flat_map(|s| s.steps.iter());
    let mut out: Vec<(usize, String)> = backgrounds
        .chain(scenarios)
        .filter_map(|step| match steps.find(step) {
            Ok(Some(_)) => None,
            Ok(None) => Some((
                step.position.line,
                format!(
                    "no step definition matches `{} {}`",
                    step.keyword.trim(),
                    step.value
                ),
            )),
            Err(_) => Some((
                step.position.line,
                format!(
                    "several step definitions match `{} {}`",
                    step.keyword.trim(),
                    step.value
                ),
            )),
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// How feature paths appear in the report: `features/<name>` for staged files and
/// files under `dir`, other paths as they are.
fn feature_rename(dir: &Path, staged: bool) -> Box<dyn Fn(&str) -> String> {
    let prefix = dir.display().to_string();
    Box::new(move |p: &str| {
        let name = Path::new(p)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if staged || p.starts_with(&prefix) {
            format!("features/{name}")
        } else {
            p.to_owned()
        }
    })
}

/// After each scenario: reports progress, then writes the partial report (marked
/// incomplete) into `report_dir` — unless a stop was requested: the final report
/// follows at once.
fn partial_report_writer(
    report_dir: RunDir,
    info: &RunInfo,
    mut on_progress: OnFinished,
    stop: Stop,
) -> OnFinished {
    let partial_info = RunInfo {
        complete: false,
        ..info.clone()
    };
    Box::new(move |last, all| {
        on_progress(last, all);
        if stop.requested().is_some() {
            return;
        }
        let report = ConformanceReport::new(partial_info.clone(), all.to_vec());
        if let Err(e) = suite::write(&report_dir, &report) {
            tracing::warn!("writing the partial report failed: {e}");
        }
    })
}

/// The collected scenario results, with each feature parse error as a failed
/// scenario, sorted by file, line and name; and the parse errors.
fn collected_results(shared: &Mutex<Shared>) -> (Vec<ScenarioResult>, Vec<String>) {
    let mut results: Vec<ScenarioResult> = Vec::new();
    let mut parse_errors = Vec::new();
    if let Ok(mut s) = shared.lock() {
        results.append(&mut s.results);
        parse_errors = s.parse_errors.clone();
        results.extend(s.parse_errors.drain(..).map(parse_error_result));
    }
    results.sort_by(|a, b| (&a.file, a.line, &a.name).cmp(&(&b.file, b.line, &b.name)));
    (results, parse_errors)
}

/// A feature file that did not parse, as a failed scenario.
fn parse_error_result(e: String) -> ScenarioResult {
    ScenarioResult {
        feature: "(parse error)".into(),
        file: String::new(),
        name: e.clone(),
        line: 0,
        tags: Vec::new(),
        status: Status::Failed,
        steps: vec![StepResult {
            keyword: "parse".into(),
            text: e.clone(),
            status: Status::Failed,
            error: Some(e),
        }],
        verdicts: Vec::new(),
        evidence: Default::default(),
        duration_ms: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_outline_rows() {
        let text = "# language: ja\n機能: x\n  シナリオ: a\n    前提 y\n  シナリオアウトライン: b\n    前提 <z>\n    例:\n      | z |\n      | 1 |\n      | 2 |\n";
        assert_eq!(scenarios_in(text), 3);
        assert!(count_scenarios(&FeatureSource::Embedded) >= 90);
    }
}
