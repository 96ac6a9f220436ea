//! `onshi run`: the conformance suite — Japanese Gherkin scenarios driving virtual
//! cards and the built-in reader against a backend — with a report a vendor can hand
//! to a customer.

use std::path::PathBuf;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use onshi::backend::BackendSpec;
use onshi::conformance::execute::{ClinicSpec, Plan, ReaderSpec, Systems, execute};
use onshi::conformance::run::{FeatureSource, RunOutcome, count_scenarios};
use onshi::report::Status;
use onshi::server::Defect;

use super::common::{CliError, Exit, WorldArgs};

/// What to run and against what: the options `onshi run` and `onshi certify` share.
#[derive(Debug, Args)]
pub(super) struct SuiteArgs {
    /// Directory of `*.feature` files (default: the embedded `features/`).
    #[arg(long, value_name = "DIR")]
    features: Option<PathBuf>,
    /// Only scenarios matching this tag expression, e.g. `@FAQ-4-11` or `@登録 and not @OKA-REG-5D`.
    #[arg(long, value_name = "EXPR")]
    pub tags: Option<String>,
    /// The backend under test: `embedded` (the reference backend, in process),
    /// `http://HOST:PORT` (onshi HTTP JSON), `xml+http://HOST:PORT`, or `folder:DIR`.
    #[arg(long, default_value = "embedded")]
    pub backend: BackendSpec,
    /// The reader under test: `builtin`, or the base URL of a reader-control API
    /// (`http://127.0.0.1:7070`); cards are then served through vpcd.
    #[arg(long, default_value = "builtin")]
    pub reader: String,
    /// With an external reader: the vpcd address onshi serves the first slot's card on;
    /// slot i uses this port + i.
    #[arg(long, default_value = onshi::vpcd::DEFAULT_VPCD)]
    vpcd: std::net::SocketAddr,
    /// With an external reader: the PC/SC reader name of each vpcd slot, in port order
    /// (repeatable; default: Debian's two vpcd slots).
    #[arg(
        long = "pcsc-reader",
        value_name = "NAME",
        default_values_t = ["Virtual PCD 00 00".to_owned(), "Virtual PCD 00 01".to_owned()]
    )]
    pcsc_readers: Vec<String>,
    /// With an external reader: use at most this many slots (default: as many as the
    /// reader reports in `GET /v1/reader` and `--pcsc-reader` names).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=16))]
    slots: Option<u32>,
    /// Inject a defect into the embedded reference backend (repeatable): proves the
    /// suite's checks can fail.
    #[arg(long = "defect", value_name = "NAME")]
    pub defects: Vec<Defect>,
    /// Inject a defect into the built-in reader (repeatable): proves the reader checks
    /// can fail (`tries-my-number`, `lenient-face`, `pin-after-lock`, `skips-consent`,
    /// `no-registration-offer`, `keeps-photo`).
    #[arg(long = "reader-defect", value_name = "NAME")]
    pub reader_defects: Vec<onshi::reader::ReaderDefect>,
    /// The clinic at the window: `builtin` (the reference clinic, in process), or the
    /// base URL of a clinic-control API (`http://127.0.0.1:7080`, docs/implementing-a-clinic.md).
    #[arg(long, default_value = "builtin")]
    pub clinic: String,
    /// Inject a defect into the in-process reference clinic (repeatable): proves the
    /// clinic checks can fail (`charges-10wari-on-no-record`, `ignores-ratio`,
    /// `accepts-notice-alone`, `accepts-expired-old-card`,
    /// `ignores-public-expense-certificate`, `assumes-child-aid`, `caps-each-visit-alone`,
    /// `sums-all-payments`, `uses-old-qualification`,
    /// `never-checks-card-front`, `copies-card-back`,
    /// `treats-unregistered-as-invalid`, `skips-recovery-check`, `never-asks-declaration`).
    #[arg(long = "clinic-defect", value_name = "NAME")]
    pub clinic_defects: Vec<onshi::clinic::ClinicDefect>,
    /// Scenarios run at once.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Run the features and their scenarios in an order drawn from SEED (recorded in
    /// the report): proves no scenario depends on another having run first.
    #[arg(long, value_name = "SEED")]
    shuffle: Option<u64>,
    #[command(flatten)]
    cast: super::population::CastArgs,
    #[command(flatten)]
    pub world: WorldArgs,
}

impl SuiteArgs {
    /// Where the features come from.
    pub(super) fn feature_source(&self) -> FeatureSource {
        match &self.features {
            Some(d) => FeatureSource::Dir(d.clone()),
            None => FeatureSource::Embedded,
        }
    }

    /// How the features are named in the report and in `tested.json`.
    pub(super) fn features_label(&self) -> String {
        self.features
            .as_ref()
            .map_or("embedded".to_owned(), |d| d.display().to_string())
    }

    /// The run's plan, its report written under `report_dir`.
    pub(super) fn plan(&self, report_dir: PathBuf) -> Result<Plan, CliError> {
        let reader: ReaderSpec = self.reader.parse().map_err(CliError::input)?;
        let clinic: ClinicSpec = self.clinic.parse().map_err(CliError::input)?;
        Ok(Plan {
            features_label: self.features_label(),
            features: self.feature_source(),
            tags: self.tags.clone(),
            systems: Systems {
                backend: self.backend.clone(),
                defects: self.defects.clone(),
                reader,
                vpcd: self.vpcd,
                pcsc_readers: self.pcsc_readers.clone(),
                max_slots: self.slots.map(|n| n as usize),
                reader_defects: self.reader_defects.clone(),
                clinic,
                clinic_defects: self.clinic_defects.clone(),
            },
            report_dir,
            concurrency: self.concurrency,
            shuffle: self.shuffle,
            seed: self.world.seed,
            as_of: self.world.as_of(),
            personas: self.world.personas()?,
            generations: self.cast.generations,
            factory: self.world.factory()?,
            version: env!("CARGO_PKG_VERSION").to_owned(),
            started: chrono::Local::now().naive_local(),
            stop: super::stop::install()?,
        })
    }
}

/// `onshi run` options.
#[derive(Debug, Args)]
pub(super) struct RunArgs {
    #[command(flatten)]
    suite: SuiteArgs,
    /// Where `<run-id>/` is written.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    report_dir: PathBuf,
}

pub(super) fn run(args: RunArgs) -> Result<Exit, CliError> {
    let plan = args.suite.plan(args.report_dir.clone())?;
    let outcome = execute_with_progress(plan)?;
    print_summary(&outcome);
    println!(
        "report: {}/report.html (seed {}, as-of {})",
        outcome.dir.display(),
        outcome.report.run.seed,
        outcome.report.run.as_of
    );
    exit_of(&outcome)
}

/// Runs `plan` with a progress line on the terminal (each failure printed as it
/// happens).
pub(super) fn execute_with_progress(plan: Plan) -> Result<RunOutcome, CliError> {
    crate::steps::link();
    let total = count_scenarios(&plan.features);
    let bar = ProgressBar::new(total as u64);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {pos}/{len} scenarios {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let progress_bar = bar.clone();
    let outcome = execute(
        plan,
        Box::new(move |last, all| {
            let failed = all.iter().filter(|s| s.status == Status::Failed).count();
            progress_bar.set_position(all.len() as u64);
            progress_bar.set_message(format!("({failed} failed) {}", last.name));
            if last.status == Status::Failed {
                progress_bar.println(format!("FAIL {} ({}:{})", last.name, last.file, last.line));
            }
        }),
    );
    bar.finish_and_clear();
    Ok(outcome?)
}

/// Prints the headline, the scenarios that did not pass and the failing requirements.
pub(super) fn print_summary(outcome: &RunOutcome) {
    let r = &outcome.report;
    let t = &r.totals;
    println!("onshi conformance: {} — {t}", r.headline());
    for s in r.scenarios.iter().filter(|s| s.status != Status::Passed) {
        let why = s
            .steps
            .iter()
            .find_map(|st| st.error.as_deref())
            .unwrap_or("");
        println!(
            "  {} {} ({}:{}) {}",
            if s.status == Status::Skipped {
                "SKIP"
            } else {
                "FAIL"
            },
            s.name,
            s.file,
            s.line,
            why.lines().next().unwrap_or("")
        );
    }
    if !r.failed_requirements().is_empty() {
        println!(
            "  failing requirements: {}",
            r.failed_requirements().join(" ")
        );
    }
}

/// The exit code of a run: bad input when feature files did not parse, the signal's
/// code when one stopped it, else passed or failed.
pub(super) fn exit_of(outcome: &RunOutcome) -> Result<Exit, CliError> {
    let r = &outcome.report;
    if !outcome.parse_errors.is_empty() {
        return Err(CliError::input(format!(
            "feature files that do not parse (use an ASCII colon after keywords and `# language: ja` on the first line):\n{}",
            outcome.parse_errors.join("\n")
        )));
    }
    Ok(match outcome.interrupted {
        Some(signal) => {
            println!("  {}", r.partial_note().unwrap_or_default());
            signal.into()
        }
        None if r.passed() => Exit::Passed,
        None => Exit::Failed,
    })
}
