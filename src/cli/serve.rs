//! `onshi serve`: the reference backend over HTTP (JSON and XML) and, with
//! `--folder`, the req/res folder exchange. Stops on SIGINT or SIGTERM within the
//! grace time and exits 130 or 143.

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use clap::Args;

use onshi::population::Population;
use onshi::server::faults::FaultConfig;
use onshi::server::folder::FolderServer;
use onshi::server::listener::FaultyListener;
use onshi::server::serving;
use onshi::server::{AppState, AuditLog, Defect, DefectSet, FaultInjector, app};

use super::common::{CliError, Exit};
use super::population::{Backend, PopulationArgs, build_engine};

/// `onshi serve` options.
#[derive(Debug, Args)]
pub(super) struct ServeArgs {
    #[command(flatten)]
    population: PopulationArgs,
    /// Address to listen on (loopback by default; say 0.0.0.0:PORT to expose it).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Also serve the req/res folder exchange in DIR (`DIR/req`, `DIR/res`).
    #[arg(long, value_name = "DIR")]
    folder: Option<PathBuf>,
    /// Folder poll interval in milliseconds.
    #[arg(long, default_value_t = 50)]
    folder_poll_ms: u64,
    /// Switch on a defect (repeatable): wrong-person, missing-ratio, wrong-ratio,
    /// ignore-lockout, leak-medical-without-consent, accept-my-number, no-reject-revoked,
    /// replay-accepted, picks-one-of-several, ignores-ticket-registration, and the
    /// security ones (accept-any-signature, accept-unknown-issuer, …; an unknown name is
    /// refused with the whole list).
    #[arg(long = "defect", value_name = "NAME")]
    defects: Vec<Defect>,
    /// A fault (repeatable), KEY=VALUE: latency=lognormal:20:0.5, error-rate=0.01,
    /// burst=100:5, reset-rate=0.001, outage=FROM..TO, folder-delay=500, seed=N.
    #[arg(long = "fault", value_name = "KEY=VALUE")]
    faults: Vec<String>,
    /// Faults from a TOML file (the keys of FaultConfig); `--fault` settings apply on top.
    #[arg(long = "faults", value_name = "FILE")]
    faults_file: Option<PathBuf>,
    /// Append the JSONL audit log to FILE.
    #[arg(long, value_name = "FILE")]
    audit: Option<PathBuf>,
    /// Do not trust the Ed25519 load-test root (generated members then fail as
    /// unknown issuers).
    #[arg(long)]
    no_load_root: bool,
    /// Challenge lifetime in seconds. Short by default so the suite's expired-challenge
    /// scenario (which waits at most 10 s) runs against it as it is.
    #[arg(long, default_value_t = 9)]
    challenge_ttl: u64,
    #[command(flatten)]
    http: super::common::HttpLimitArgs,
}

fn fault_config(args: &ServeArgs) -> Result<FaultConfig, CliError> {
    let mut config = match &args.faults_file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| CliError::input(format!("{}: {e}", path.display())))?;
            let config: FaultConfig = toml::from_str(&text)
                .map_err(|e| CliError::input(format!("{}: {e}", path.display())))?;
            config
                .validate()
                .map_err(|e| CliError::input(format!("{}: {e}", path.display())))?;
            config
        }
        None => FaultConfig::default(),
    };
    for f in &args.faults {
        config
            .apply(f)
            .map_err(|e| CliError::input(format!("--fault {f}: {e}")))?;
    }
    Ok(config)
}

/// Starts the req/res folder exchange in `dir` on its own thread, until `stop`.
fn start_folder(
    args: &ServeArgs,
    dir: &Path,
    backend: &Backend,
    audit: AuditLog,
    faults: &Arc<FaultInjector>,
    stop: &Arc<AtomicBool>,
) -> Result<JoinHandle<io::Result<()>>, CliError> {
    let server = FolderServer::new(
        Arc::clone(&backend.engine),
        backend.clock,
        audit,
        Arc::clone(faults),
        dir.to_path_buf(),
        Duration::from_millis(args.folder_poll_ms.max(1)),
    );
    server
        .prepare()
        .map_err(|e| CliError::failed(format!("{}: {e}", dir.display())))?;
    let stop = Arc::clone(stop);
    Ok(std::thread::spawn(move || server.run(&stop)))
}

/// The line saying what is served where: members, as-of, seed, defects, faults, folder.
fn serving_line(
    args: &ServeArgs,
    local: SocketAddr,
    pop: &Population,
    defects: &DefectSet,
    faults: &FaultInjector,
) -> String {
    format!(
        "onshi serve: http://{local}/v1 — {} members ({} personas), as of {}, seed {}{}{}{}",
        pop.len(),
        pop.persona_count(),
        pop.as_of(),
        pop.seed(),
        if defects.is_empty() {
            String::new()
        } else {
            format!(
                ", DEFECTS: {}",
                defects
                    .iter()
                    .map(|d| d.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
        if faults.config().is_quiet() {
            ""
        } else {
            ", faults on"
        },
        args.folder
            .as_ref()
            .map(|d| format!(", folder {}", d.display()))
            .unwrap_or_default(),
    )
}

pub(super) fn run(args: ServeArgs) -> Result<Exit, CliError> {
    let faults = Arc::new(FaultInjector::new(fault_config(&args)?));
    let defects: DefectSet = args.defects.iter().copied().collect();
    let backend = build_engine(
        &args.population,
        defects,
        !args.no_load_root,
        args.challenge_ttl.saturating_mul(1000),
    )?;
    let audit = match &args.audit {
        Some(path) => AuditLog::to_file(path)
            .map_err(|e| CliError::failed(format!("{}: {e}", path.display())))?,
        None => AuditLog::disabled(),
    };
    let mut state = AppState::new(Arc::clone(&backend.engine), backend.clock, audit.clone());
    state.faults = Arc::clone(&faults);
    state.face_results = args.folder.as_ref().map(|d| d.join("res"));

    let stop_request = super::stop::install()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::failed(format!("tokio runtime: {e}")))?;
    let stop = Arc::new(AtomicBool::new(false));
    let folder_thread = match &args.folder {
        Some(dir) => Some(start_folder(&args, dir, &backend, audit, &faults, &stop)?),
        None => None,
    };
    let pop = backend.engine.population();
    let result = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| CliError::input(format!("cannot listen on {}: {e}", args.listen)))?;
        let local = listener.local_addr().unwrap_or(args.listen);
        eprintln!("{}", serving_line(&args, local, pop, &defects, &faults));
        serving::serve(
            FaultyListener::new(listener, faults),
            app(state),
            args.http.limits(),
            async {
                stop_request.until_requested().await;
            },
            stop_request.until_hurried(),
        )
        .await;
        Ok::<(), CliError>(())
    });
    stop.store(true, Ordering::Relaxed);
    if let Some(t) = folder_thread {
        let _ = t.join();
    }
    result?;
    let signal = stop_request.requested();
    eprintln!(
        "onshi serve: stopped{}",
        signal.map(|s| format!(" ({s})")).unwrap_or_default()
    );
    Ok(signal.map_or(Exit::Passed, Exit::from))
}
