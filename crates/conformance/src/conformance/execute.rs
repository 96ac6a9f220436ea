//! A whole conformance run as one call: [`execute`] takes a [`Plan`] (what the command
//! line asked for, already parsed), chooses and checks the systems under test, builds
//! the environment, runs the suite and writes the report. The binary maps arguments to
//! a plan and the result to an exit code; nothing here reads argv or prints.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use chrono::NaiveDateTime;

use super::clinic::ClinicTarget;
use super::collector::OnFinished;
use super::env::{Env, Sut};
use super::remote::{RemoteReaderTarget, Slot};
use super::run::{FeatureSource, RunError, RunOptions, RunOutcome};
use onshi_backend::backend::{BackendSpec, QualificationBackend};
use onshi_backend::server::{Defect, DefectSet};
use onshi_clinic::clinic::{ClinicDefect, RemoteClinic};
use onshi_domain::protocol::ServerClock;
use onshi_reader::reader::control::{ReaderInfo, RemoteReader};
use onshi_report::report::RunInfo;
use onshi_world::persona::{CardFactory, PersonaSet};

/// `--reader builtin|http://HOST:PORT`: the reader under test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReaderSpec {
    /// The built-in simulated face reader, in process.
    Builtin,
    /// A vendor's reader behind the reader-control API at this base URL.
    Remote(String),
}

impl FromStr for ReaderSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "builtin" => Ok(Self::Builtin),
            url if url.starts_with("http://") || url.starts_with("https://") => {
                Ok(Self::Remote(url.trim_end_matches('/').to_owned()))
            }
            other => Err(format!(
                "--reader {other:?}: use builtin or http://HOST:PORT"
            )),
        }
    }
}

/// `--clinic builtin|http://HOST:PORT`: the clinic at the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClinicSpec {
    /// The reference clinic, in process.
    Builtin,
    /// A clinic system behind the clinic-control API at this base URL.
    Remote(String),
}

impl FromStr for ClinicSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "builtin" => Ok(Self::Builtin),
            url if url.starts_with("http://") || url.starts_with("https://") => {
                Ok(Self::Remote(url.trim_end_matches('/').to_owned()))
            }
            other => Err(format!(
                "--clinic {other:?}: use builtin or http://HOST:PORT"
            )),
        }
    }
}

/// The systems under test of a run: the one place `--backend` and `--reader` (and
/// their options) become the run's backend and reader.
#[derive(Debug, Clone)]
pub struct Systems {
    /// The backend.
    pub backend: BackendSpec,
    /// Defects injected into the embedded reference backend.
    pub defects: Vec<Defect>,
    /// The reader.
    pub reader: ReaderSpec,
    /// With a remote reader: where onshi serves the first slot's card (vpcd); slot i
    /// uses this port + i.
    pub vpcd: SocketAddr,
    /// With a remote reader: the PC/SC reader name of each vpcd slot, in port order.
    pub pcsc_readers: Vec<String>,
    /// With a remote reader: use at most this many slots.
    pub max_slots: Option<usize>,
    /// Defects injected into the built-in reader: proves the reader checks can fail.
    pub reader_defects: Vec<onshi_reader::reader::ReaderDefect>,
    /// The clinic at the window.
    pub clinic: ClinicSpec,
    /// Defects injected into the in-process reference clinic: proves the clinic
    /// checks can fail.
    pub clinic_defects: Vec<ClinicDefect>,
}

/// Everything a run needs, parsed.
pub struct Plan {
    /// Where the features come from.
    pub features: FeatureSource,
    /// How the features are named in the report (`embedded` or the directory).
    pub features_label: String,
    /// A tag expression.
    pub tags: Option<String>,
    /// The systems under test.
    pub systems: Systems,
    /// Where `<run-id>/` is written.
    pub report_dir: PathBuf,
    /// Scenarios at once (one with a remote reader: it has one PC/SC slot).
    pub concurrency: usize,
    /// Run the features and scenarios in an order drawn from this seed.
    pub shuffle: Option<u64>,
    /// The seed of keys, certificates and populations.
    pub seed: u64,
    /// The as-of time.
    pub as_of: NaiveDateTime,
    /// The personas (templates: every scenario gets its own instances).
    pub personas: PersonaSet,
    /// Instances a registrable persona gets per scenario (runs a backend can keep
    /// registrations across).
    pub generations: u32,
    /// Issues the personas' cards.
    pub factory: CardFactory,
    /// onshi's version, for the report.
    pub version: String,
    /// When the run started (local time), for the run id and the report.
    pub started: NaiveDateTime,
    /// A signal's stop request: the run ends early, its report marked interrupted.
    pub stop: onshi_support::stop::Stop,
}

impl std::fmt::Debug for Plan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plan")
            .field("features", &self.features)
            .field("tags", &self.tags)
            .field("systems", &self.systems)
            .field("report_dir", &self.report_dir)
            .field("seed", &self.seed)
            .field("as_of", &self.as_of)
            .finish_non_exhaustive()
    }
}

pub use onshi_support::failure::Failure as ExecuteError;

impl From<RunError> for ExecuteError {
    fn from(e: RunError) -> Self {
        match e {
            RunError::Features(_) | RunError::Tags(_) => Self::BadInput(e.to_string()),
            RunError::Report { .. } => Self::BadInput(e.to_string()),
        }
    }
}

/// The checked systems under test: the backend as the environment needs it, the
/// reader target and a name for each.
struct Chosen {
    sut: Sut,
    reader: Option<RemoteReaderTarget>,
    reader_name: String,
    /// A reader under test's own answer to `GET /v1/reader`.
    reader_info: Option<ReaderInfo>,
    clinic: ClinicTarget,
    clinic_name: String,
}

async fn choose(systems: &Systems, as_of: NaiveDateTime) -> Result<Chosen, ExecuteError> {
    if !systems.defects.is_empty() && systems.backend != BackendSpec::Embedded {
        return Err(ExecuteError::BadInput(
            "--defect applies to the embedded reference backend only".into(),
        ));
    }
    let sut = match systems.backend.client(ServerClock::start(as_of), None) {
        None => Sut::Embedded {
            defects: systems.defects.iter().copied().collect::<DefectSet>(),
        },
        Some(b) => {
            b.reachable().await.map_err(|e| {
                ExecuteError::Unreachable(format!(
                    "backend {} is not reachable: {e}",
                    systems.backend
                ))
            })?;
            Sut::Remote(b)
        }
    };
    if !systems.reader_defects.is_empty() && systems.reader != ReaderSpec::Builtin {
        return Err(ExecuteError::BadInput(
            "--reader-defect applies to the built-in reader only (serve a defective one with `onshi reader serve --defect NAME`)".into(),
        ));
    }
    let (reader, reader_name, reader_info) = match &systems.reader {
        ReaderSpec::Builtin => (None, "built-in simulated face reader".to_owned(), None),
        ReaderSpec::Remote(url) => {
            let client = RemoteReader::new(url);
            let info = client
                .info()
                .await
                .map_err(|e| ExecuteError::Unreachable(e.to_string()))?;
            let count = info
                .usable_slots()
                .min(systems.pcsc_readers.len())
                .min(systems.max_slots.unwrap_or(usize::MAX))
                .max(1);
            let name = format!(
                "{} {} {} at {} (cards via vpcd {}, {})",
                info.vendor,
                info.model,
                info.version,
                client.url(),
                systems.vpcd,
                match count {
                    1 => "1 slot".to_owned(),
                    n => format!("{n} slots"),
                }
            );
            let slots = systems
                .pcsc_readers
                .iter()
                .take(count)
                .enumerate()
                .map(|(i, name)| {
                    let mut vpcd = systems.vpcd;
                    vpcd.set_port(systems.vpcd.port().wrapping_add(i as u16));
                    Slot {
                        vpcd,
                        pcsc_reader: name.clone(),
                    }
                })
                .collect::<Vec<_>>();
            if slots.is_empty() {
                return Err(ExecuteError::BadInput(
                    "--pcsc-reader: at least one PC/SC reader name is needed".into(),
                ));
            }
            let target = RemoteReaderTarget::new(client, slots);
            (Some(target), name, Some(info))
        }
    };
    if !systems.clinic_defects.is_empty() && systems.clinic != ClinicSpec::Builtin {
        return Err(ExecuteError::BadInput(
            "--clinic-defect applies to the in-process reference clinic only (serve a defective one with `onshi clinic serve --defect NAME`)".into(),
        ));
    }
    let (clinic, clinic_name) = match &systems.clinic {
        ClinicSpec::Builtin => (
            ClinicTarget::Builtin {
                defects: systems.clinic_defects.clone(),
            },
            "reference clinic (in process)".to_owned(),
        ),
        ClinicSpec::Remote(url) => {
            let client = RemoteClinic::new(url);
            let info = client
                .info()
                .await
                .map_err(|e| ExecuteError::Unreachable(e.to_string()))?;
            let name = format!(
                "{} {} {} at {}",
                info.vendor,
                info.model,
                info.version,
                client.url()
            );
            (ClinicTarget::Remote(client), name)
        }
    };
    Ok(Chosen {
        sut,
        reader,
        reader_name,
        reader_info,
        clinic,
        clinic_name,
    })
}

/// Runs the suite of `plan`, calling `on_progress` after every scenario.
pub fn execute(plan: Plan, on_progress: OnFinished) -> Result<RunOutcome, ExecuteError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| ExecuteError::Failed(format!("tokio runtime: {e}")))?;
    let chosen = runtime.block_on(choose(&plan.systems, plan.as_of))?;
    // A fresh embedded engine per scenario never holds an earlier registration: one
    // generation is enough there.
    let generations = match chosen.sut {
        Sut::Embedded { .. } => 1,
        Sut::Remote(_) => plan.generations,
    };
    let cast = super::cast::of_source(&plan.features, generations)?;
    let mut env = Env::build(
        plan.seed,
        plan.as_of,
        &plan.personas,
        &cast,
        &plan.factory,
        chosen.sut,
    )
    .map_err(|e| match e {
        super::env::EnvError::Cast(_) | super::env::EnvError::Population(_) => {
            ExecuteError::BadInput(e.to_string())
        }
        _ => ExecuteError::Failed(e.to_string()),
    })?;
    // A reader under test sees one card per slot: as many scenarios as slots.
    let concurrency = match &chosen.reader {
        Some(target) => target.slot_count(),
        None => plan.concurrency,
    };
    env.remote_reader = chosen.reader;
    env.clinic = chosen.clinic;
    env.reader.defects = plan.systems.reader_defects.clone();
    let reader_info = chosen.reader_info;
    let info = RunInfo {
        run_id: onshi_report::report::run_id(plan.started, plan.seed),
        onshi_version: plan.version,
        seed: plan.seed,
        as_of: plan.as_of.to_string(),
        features: plan.features_label,
        tags: plan.tags.clone(),
        backend: env.sut_name.clone(),
        reader: chosen.reader_name,
        clinic: chosen.clinic_name,
        defects: plan
            .systems
            .defects
            .iter()
            .map(|d| d.name().to_owned())
            .chain(
                plan.systems
                    .reader_defects
                    .iter()
                    .map(|d| format!("reader:{}", d.name())),
            )
            .chain(
                plan.systems
                    .clinic_defects
                    .iter()
                    .map(|d| format!("clinic:{}", d.name())),
            )
            .collect(),
        started_at: plan.started.format("%Y-%m-%dT%H:%M:%S").to_string(),
        complete: false,
        interrupted: None,
        shuffle: plan.shuffle,
    };
    let opts = RunOptions {
        features: plan.features,
        tags: plan.tags,
        report_root: plan.report_dir,
        info,
        concurrency,
        stop: plan.stop,
    };
    let tags = opts.tags.clone();
    let mut outcome = runtime.block_on(super::run::run(Arc::new(env), opts, on_progress))?;
    outcome.reader_info = reader_info;
    // Nothing selected is not a pass: the report is written, the run is bad input.
    if outcome.report.scenarios.is_empty() && outcome.interrupted.is_none() {
        return Err(ExecuteError::BadInput(match tags {
            Some(t) => format!(
                "no scenario matches --tags {t:?} (the empty report is in {})",
                outcome.dir.display()
            ),
            None => format!(
                "the features hold no scenario (the empty report is in {})",
                outcome.dir.display()
            ),
        }));
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_specs() {
        assert_eq!("builtin".parse::<ReaderSpec>(), Ok(ReaderSpec::Builtin));
        assert_eq!(
            "http://127.0.0.1:7070/".parse::<ReaderSpec>(),
            Ok(ReaderSpec::Remote("http://127.0.0.1:7070".into()))
        );
        assert!("pcsc".parse::<ReaderSpec>().is_err());
    }

    #[test]
    fn clinic_specs() {
        assert_eq!("builtin".parse::<ClinicSpec>(), Ok(ClinicSpec::Builtin));
        assert_eq!(
            "http://127.0.0.1:7080/".parse::<ClinicSpec>(),
            Ok(ClinicSpec::Remote("http://127.0.0.1:7080".into()))
        );
        assert!("receipt".parse::<ClinicSpec>().is_err());
    }
}
