//! `onshi load`: a peak-morning load run with Goose against a backend, every response
//! checked for meaning, SLOs as the exit code (see docs/load.md).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;

use onshi::backend::BackendSpec;
use onshi::load::dashboard::{self, Dashboard};
use onshi::load::execute::{Plan, execute};
use onshi::load::facility::Shard;
use onshi::load::scenario::Scenario;
use onshi::load::summary::Outcome;
use onshi::server::Defect;

use super::common::{CliError, Exit, WorldArgs};

/// `onshi load` options.
#[derive(Debug, Args)]
pub(super) struct LoadArgs {
    /// The scenario: a file (`scenarios/smoke.toml`) or the name of an embedded one
    /// (`smoke`, `monday-morning`, `pharmacy-afternoon`, `outage-recovery`).
    #[arg(long, value_name = "FILE")]
    scenario: String,
    /// The backend: `embedded` (the reference backend in this process, on loopback),
    /// `http://HOST:PORT`, `xml+http://HOST:PORT` or `folder:DIR`. Default: the
    /// scenario's `[backend] target`, else `embedded`.
    #[arg(long)]
    backend: Option<BackendSpec>,
    /// This process's shard, `I/N` (0-based; in Kubernetes `$(JOB_COMPLETION_INDEX)/N`).
    #[arg(long, value_name = "I/N", env = "ONSHI_SHARD")]
    shard: Option<Shard>,
    /// Where `<run-id>/` is written.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    report_dir: PathBuf,
    /// The run id (default: time, seed and shard, with `-2`, `-3`, … if that
    /// directory exists). A chosen id whose directory exists is refused: a run
    /// directory is never reused.
    #[arg(long)]
    run_id: Option<String>,
    /// Generated members (default: the scenario's `[backend] size`, else 10 000).
    #[arg(long, value_name = "N")]
    size: Option<u64>,
    /// Multiply every facility count by this factor.
    #[arg(long, default_value_t = 1.0)]
    scale: f64,
    /// Seed of arrivals and patient draws (default: the scenario's, else `--seed`).
    #[arg(long, value_name = "S")]
    arrival_seed: Option<u64>,
    /// Inject a defect into the embedded reference backend (repeatable).
    #[arg(long = "defect", value_name = "NAME")]
    defects: Vec<Defect>,
    /// A fault for the embedded reference backend (repeatable), KEY=VALUE as for
    /// `onshi serve --fault`, on top of the scenario's `[faults]`.
    #[arg(long = "fault", value_name = "KEY=VALUE")]
    faults: Vec<String>,
    /// No progress line.
    #[arg(long)]
    no_progress: bool,
    /// Do not write Goose's own reports.
    #[arg(long)]
    no_goose_report: bool,
    /// Serve a live dashboard of the run at `HOST:PORT`, or `PORT` meaning
    /// 127.0.0.1:PORT (0: any free port; the URL is printed on stderr). It shows
    /// member ids and failure details: keep it on loopback unless that is fine.
    #[arg(long, value_name = "ADDR", value_parser = dashboard::parse_addr)]
    dashboard: Option<SocketAddr>,
    /// How long the dashboard keeps serving the final figures after the run
    /// (a signal ends it at once).
    #[arg(long, value_name = "SECONDS", default_value_t = 3, requires = "dashboard",
          value_parser = clap::value_parser!(u64).range(0..=3600))]
    dashboard_linger: u64,
    #[command(flatten)]
    world: WorldArgs,
}

fn load_scenario(text: &str) -> Result<Scenario, CliError> {
    let path = Path::new(text);
    if path.exists() {
        return Scenario::read(path).map_err(CliError::inputs);
    }
    match Scenario::embedded(text) {
        Some(r) => r.map_err(CliError::inputs),
        None => Err(CliError::input(format!(
            "--scenario {text}: no such file, and no embedded scenario of that name (known: {})",
            onshi::defaults::SCENARIOS
                .iter()
                .map(|(p, _)| p.trim_start_matches("scenarios/").trim_end_matches(".toml"))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// Starts the dashboard of `--dashboard`, printing its URL.
fn start_dashboard(addr: SocketAddr, stop: &onshi::stop::Stop) -> Result<Dashboard, CliError> {
    let d = Dashboard::start(addr, stop.clone())
        .map_err(|e| CliError::input(format!("--dashboard: {e}")))?;
    if !d.addr().ip().is_loopback() {
        eprintln!(
            "onshi load: the dashboard listens on {} beyond this host: anyone who reaches it sees the run's member ids and failure details",
            d.addr()
        );
    }
    eprintln!("onshi load: dashboard at {}", d.url());
    Ok(d)
}

pub(super) fn run(args: LoadArgs) -> Result<Exit, CliError> {
    let scenario = load_scenario(&args.scenario)?;
    let world = args.world.clone();
    let stop = super::stop::install()?;
    let dashboard = match args.dashboard {
        Some(addr) => Some(start_dashboard(addr, &stop)?),
        None => None,
    };
    let plan = Plan {
        scenario,
        scale: args.scale,
        backend: args.backend.clone(),
        shard: args.shard.unwrap_or(Shard::WHOLE),
        report_dir: args.report_dir.clone(),
        run_id: args.run_id.clone(),
        size: args.size,
        arrival_seed: args.arrival_seed,
        defects: args.defects.clone(),
        faults: args.faults.clone(),
        progress: !args.no_progress && std::io::IsTerminal::is_terminal(&std::io::stderr()),
        goose_reports: !args.no_goose_report,
        seed: args.world.seed,
        as_of: args.world.as_of(),
        personas: args.world.personas()?,
        keys: args.world.key_cache(),
        face: args.world.face(false)?,
        trust: Box::new(move || world.trust().map_err(|e| e.message)),
        started: chrono::Local::now().naive_local(),
        stop,
        live: dashboard.as_ref().map(Dashboard::publisher),
    };
    let done = execute(plan)?;
    let mut md = Vec::new();
    let _ = onshi::load::render::markdown(&done.summary, &mut md);
    println!("{}", String::from_utf8_lossy(&md));
    println!("report: {}", done.dir.display());
    if let Some(d) = dashboard {
        // A signal now ends the linger; the exit code stays the run's.
        d.finish(Duration::from_secs(args.dashboard_linger));
    }
    Ok(match done.interrupted {
        Some(signal) => signal.into(),
        None => match done.summary.outcome() {
            Outcome::Passed => Exit::Passed,
            Outcome::Unreliable => Exit::Unreliable,
            Outcome::Failed | Outcome::Interrupted => Exit::Failed,
        },
    })
}
