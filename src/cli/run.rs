//! `onshi run`: the conformance suite — Japanese Gherkin scenarios driving virtual
//! cards and the built-in reader against a backend — with a report a vendor can hand
//! to a customer.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use onshi::backend::{BackendSpec, QualificationBackend};
use onshi::conformance::env::{Env, Sut};
use onshi::conformance::remote::RemoteReaderTarget;
use onshi::conformance::run::{FeatureSource, RunOptions, count_scenarios};
use onshi::protocol::ServerClock;
use onshi::reader::control::RemoteReader;
use onshi::report::{RunInfo, Status};
use onshi::server::{Defect, DefectSet};

use super::common::{CliError, Exit, WorldArgs};

/// `onshi run` options.
#[derive(Debug, Args)]
pub(super) struct RunArgs {
    /// Directory of `*.feature` files (default: the embedded `features/`).
    #[arg(long, value_name = "DIR")]
    features: Option<PathBuf>,
    /// Only scenarios matching this tag expression, e.g. `@FAQ-4-11` or `@登録 and not @OKA-REG-5D`.
    #[arg(long, value_name = "EXPR")]
    tags: Option<String>,
    /// The backend under test: `embedded` (the reference backend, in process),
    /// `http://HOST:PORT` (onshi HTTP JSON), `xml+http://HOST:PORT`, or `folder:DIR`.
    #[arg(long, default_value = "embedded")]
    backend: BackendSpec,
    /// The reader under test: `builtin`, or the base URL of a reader-control API
    /// (`http://127.0.0.1:7070`); cards are then served through vpcd.
    #[arg(long, default_value = "builtin")]
    reader: String,
    /// With an external reader: the vpcd address onshi serves the cards on.
    #[arg(long, default_value = onshi::vpcd::DEFAULT_VPCD)]
    vpcd: std::net::SocketAddr,
    /// With an external reader: the PC/SC reader name of that vpcd slot.
    #[arg(long, default_value = "Virtual PCD 00 00")]
    pcsc_reader: String,
    /// Where `<run-id>/` is written.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    report_dir: PathBuf,
    /// Inject a defect into the embedded reference backend (repeatable): proves the
    /// suite's checks can fail.
    #[arg(long = "defect", value_name = "NAME")]
    defects: Vec<Defect>,
    /// Scenarios run at once.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    #[command(flatten)]
    world: WorldArgs,
}

pub(super) fn run(args: RunArgs) -> Result<Exit, CliError> {
    crate::steps::link();
    let remote_reader = match args.reader.as_str() {
        "builtin" => None,
        url if url.starts_with("http://") || url.starts_with("https://") => {
            Some(RemoteReaderTarget {
                client: RemoteReader::new(url),
                vpcd: args.vpcd,
                pcsc_reader: args.pcsc_reader.clone(),
            })
        }
        other => {
            return Err(CliError::input(format!(
                "--reader {other:?}: use builtin or http://HOST:PORT"
            )));
        }
    };
    if !args.defects.is_empty() && args.backend != BackendSpec::Embedded {
        return Err(CliError::input(
            "--defect applies to the embedded reference backend only",
        ));
    }
    let set = args.world.personas()?;
    let factory = args.world.factory()?;
    let as_of = args.world.as_of();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::failed(format!("tokio runtime: {e}")))?;
    let sut = match args.backend.client(ServerClock::start(as_of), None) {
        None => Sut::Embedded {
            defects: args.defects.iter().copied().collect::<DefectSet>(),
        },
        Some(b) => {
            runtime.block_on(b.health()).map_err(|e| CliError {
                code: Exit::Unreachable,
                message: format!("backend {} is not reachable: {e}", args.backend),
            })?;
            Sut::Remote(b)
        }
    };
    let mut env = Env::build(args.world.seed, as_of, &set, &factory, sut)
        .map_err(|e| CliError::failed(e.to_string()))?;
    let mut reader_name = "built-in simulated face reader".to_owned();
    if let Some(target) = remote_reader {
        let info = runtime
            .block_on(target.client.info())
            .map_err(|e| CliError {
                code: Exit::Unreachable,
                message: e.to_string(),
            })?;
        reader_name = format!(
            "{} {} {} at {} (cards via vpcd {})",
            info.vendor,
            info.model,
            info.version,
            target.client.url(),
            target.vpcd
        );
        env.remote_reader = Some(target);
    }
    // One PC/SC slot: a reader under test sees one card at a time.
    let concurrency = if env.remote_reader.is_some() {
        1
    } else {
        args.concurrency
    };
    let features = match &args.features {
        Some(d) => FeatureSource::Dir(d.clone()),
        None => FeatureSource::Embedded,
    };
    let started = chrono::Local::now().naive_local();
    let info = RunInfo {
        run_id: onshi::report::run_id(started, args.world.seed),
        onshi_version: env!("CARGO_PKG_VERSION").to_owned(),
        seed: args.world.seed,
        as_of: as_of.to_string(),
        features: args
            .features
            .as_ref()
            .map_or("embedded".to_owned(), |d| d.display().to_string()),
        tags: args.tags.clone(),
        backend: env.sut_name.clone(),
        reader: reader_name,
        defects: args.defects.iter().map(|d| d.name().to_owned()).collect(),
        started_at: started.format("%Y-%m-%dT%H:%M:%S").to_string(),
        complete: false,
    };
    let total = count_scenarios(&features);
    let bar = ProgressBar::new(total as u64);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {pos}/{len} scenarios {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let progress_bar = bar.clone();
    let opts = RunOptions {
        features,
        tags: args.tags.clone(),
        report_root: args.report_dir.clone(),
        info,
        concurrency,
    };
    let outcome = runtime
        .block_on(onshi::conformance::run::run(
            Arc::new(env),
            opts,
            Box::new(move |last, all| {
                let failed = all.iter().filter(|s| s.status != Status::Passed).count();
                progress_bar.set_position(all.len() as u64);
                progress_bar.set_message(format!("({failed} failed) {}", last.name));
                if last.status != Status::Passed {
                    progress_bar
                        .println(format!("FAIL {} ({}:{})", last.name, last.file, last.line));
                }
            }),
        ))
        .map_err(|e| CliError::input(e.to_string()))?;
    bar.finish_and_clear();
    let r = &outcome.report;
    let t = &r.totals;
    println!(
        "onshi conformance: {} — {t}",
        if r.passed() { "PASSED" } else { "FAILED" }
    );
    for s in r.scenarios.iter().filter(|s| s.status != Status::Passed) {
        let why = s
            .steps
            .iter()
            .find_map(|st| st.error.as_deref())
            .unwrap_or("");
        println!(
            "  FAIL {} ({}:{}) {}",
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
    println!(
        "report: {}/report.html (seed {}, as-of {})",
        outcome.dir.display(),
        r.run.seed,
        r.run.as_of
    );
    if !outcome.parse_errors.is_empty() {
        return Err(CliError::input(format!(
            "feature files that do not parse (use an ASCII colon after keywords and `# language: ja` on the first line):\n{}",
            outcome.parse_errors.join("\n")
        )));
    }
    Ok(if r.passed() {
        Exit::Passed
    } else {
        Exit::Failed
    })
}
