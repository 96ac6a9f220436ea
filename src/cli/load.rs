//! `onshi load`: a peak-morning load run with Goose against a backend, every response
//! checked for meaning, SLOs as the exit code (see docs/load.md).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use clap::Args;

use onshi::backend::{BackendSpec, QualificationBackend};
use onshi::load::facility::Shard;
use onshi::load::metrics::log_entries;
use onshi::load::run::{AttackOptions, Target, attack};
use onshi::load::scenario::{OutageSide, Scenario};
use onshi::load::setup::{self, Input, ProbeError};
use onshi::load::summary::{self, Meta, PopulationInfo, ScenarioInfo, ShardInfo};
use onshi::load::wire::Transport;
use onshi::load::{output, summary::arrivals_by_interval};
use onshi::population::{CertificateIssuer, Population, certs::DEFAULT_POOL_SIZE};
use onshi::protocol::ServerClock;
use onshi::report::{RunDir, RunDirError};
use onshi::server::faults::{FaultConfig, OutageWindow};
use onshi::server::listener::FaultyListener;
use onshi::server::{AppState, AuditLog, Defect, DefectSet, FaultInjector, app};

use super::common::{CliError, Exit, WorldArgs};
use super::population::PopulationArgs;
use super::serve::build_engine;

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

/// The embedded reference backend on a loopback port.
struct Embedded {
    url: String,
    server: tokio::task::JoinHandle<()>,
}

fn fault_config(
    scenario: &Scenario,
    args: &LoadArgs,
    as_of: chrono::NaiveDateTime,
) -> Result<FaultConfig, CliError> {
    let mut config = scenario
        .faults
        .as_ref()
        .map(|f| f.backend.clone())
        .unwrap_or_default();
    if let Some(o) = scenario.faults.as_ref().and_then(|f| f.outage)
        && o.side == OutageSide::Backend
    {
        // The server clock starts just before the attack; the schedule clock about a
        // second later (lanes launching), at whole-second resolution.
        let lead = 1.0;
        let at = |s: f64| as_of + chrono::Duration::milliseconds(((s + lead) * 1000.0) as i64);
        config.outage = Some(OutageWindow {
            from: at(o.from_s),
            to: at(o.to_s),
        });
    }
    for f in &args.faults {
        config
            .apply(f)
            .map_err(|e| CliError::input(format!("--fault {f}: {e}")))?;
    }
    Ok(config)
}

async fn start_embedded(
    population: &PopulationArgs,
    defects: DefectSet,
    faults: FaultConfig,
) -> Result<Embedded, CliError> {
    let backend = build_engine(population, defects, true, 600_000)?;
    let faults = Arc::new(FaultInjector::new(faults));
    let mut state = AppState::new(
        Arc::clone(&backend.engine),
        ServerClock::start(backend.engine.population().as_of()),
        AuditLog::disabled(),
    );
    state.faults = Arc::clone(&faults);
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .map_err(|e| CliError::failed(format!("cannot listen on 127.0.0.1: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| CliError::failed(e.to_string()))?;
    let server = tokio::spawn(async move {
        let _ = axum::serve(FaultyListener::new(listener, faults), app(state)).await;
    });
    Ok(Embedded {
        url: format!("http://{addr}"),
        server,
    })
}

pub(super) fn run(args: LoadArgs) -> Result<Exit, CliError> {
    let mut scenario = load_scenario(&args.scenario)?;
    if !(args.scale.is_finite() && args.scale > 0.0) {
        return Err(CliError::input("--scale must be a positive number"));
    }
    scenario.scale(args.scale);
    let spec = match (&args.backend, &scenario.backend) {
        (Some(b), _) => b.clone(),
        (None, Some(t)) => t.parse().map_err(CliError::input)?,
        (None, None) => BackendSpec::Embedded,
    };
    if spec != BackendSpec::Embedded && (!args.defects.is_empty() || !args.faults.is_empty()) {
        return Err(CliError::input(
            "--defect and --fault apply to the embedded reference backend only (start `onshi serve --defect … --fault …` for an external one)",
        ));
    }
    let shard = args.shard.unwrap_or(Shard::WHOLE);
    let size = args
        .size
        .or(scenario.size)
        .unwrap_or(onshi::population::DEFAULT_SIZE);
    let population_args = PopulationArgs {
        world: args.world.clone(),
        size,
    };
    let seed = args.world.seed;
    let arrival_seed = args.arrival_seed.or(scenario.run.seed).unwrap_or(seed);
    let as_of = args.world.as_of();
    let started_wall = chrono::Local::now().naive_local();

    let personas = args.world.personas()?;
    let population = Arc::new(
        Population::new(seed, size, &personas, as_of)
            .map_err(|e| CliError::input(e.to_string()))?,
    );
    let issuer = CertificateIssuer::from_seed(seed, args.world.key_cache(), DEFAULT_POOL_SIZE)
        .map_err(|e| CliError::failed(e.to_string()))?;
    let clock = ServerClock::start(as_of);
    let remote = spec.client(clock, Some(Duration::from_secs(10)));
    let capabilities = match &remote {
        Some(b) => b.capabilities(),
        None => onshi::backend::Capabilities {
            card: true,
            document_rules: true,
            bulk: true,
        },
    };
    let input = Input {
        scenario: scenario.clone(),
        shard,
        seed: arrival_seed,
        population_seed: seed,
        capabilities,
    };
    let prepared_at = std::time::Instant::now();
    let setup =
        setup::prepare(&input, Arc::clone(&population), issuer).map_err(CliError::failed)?;
    let mut notes = setup.notes.clone();
    if spec != BackendSpec::Embedded
        && scenario.faults.as_ref().is_some_and(|f| {
            !f.backend.is_quiet() || f.outage.is_some_and(|o| o.side == OutageSide::Backend)
        })
    {
        notes.push(format!(
            "the scenario's backend faults apply to the embedded backend only; {spec} ran without them (start `onshi serve --fault …`)"
        ));
    }
    tracing::info!(
        "prepared {} jobs at {} facilities ({} lanes) in {:.1} s",
        setup.prepared.jobs(),
        setup.facilities,
        setup.prepared.lanes(),
        prepared_at.elapsed().as_secs_f64()
    );

    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
        .map_err(|e| CliError::failed(format!("tokio runtime: {e}")))?;
    let dir = match &args.run_id {
        Some(id) => RunDir::create_new(&args.report_dir, id).map_err(|e| match e {
            RunDirError::Exists { .. } | RunDirError::BadId { .. } => {
                CliError::input(format!("--run-id: {e}"))
            }
            e => CliError::failed(e.to_string()),
        })?,
        None => {
            let base = onshi::report::run_id(started_wall, arrival_seed);
            let id = if shard.count > 1 {
                format!("load-{base}-shard-{}-of-{}", shard.index, shard.count)
            } else {
                format!("load-{base}")
            };
            RunDir::create(&args.report_dir, &id).map_err(|e| CliError::failed(e.to_string()))?
        }
    };
    let run_id = dir.id().to_owned();
    let progress = !args.no_progress && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let offsets = setup.prepared.offsets();
    let scheduled = setup.prepared.jobs();
    let lanes = setup.prepared.lanes() as u64;
    let members = setup.members;
    let facilities = setup.facilities;
    let monday = setup.monday;

    let result = runtime.block_on(async {
        let (base_url, transport, embedded) = match &remote {
            None => {
                let faults = fault_config(&scenario, &args, as_of)?;
                let defects: DefectSet = args.defects.iter().copied().collect();
                let e = start_embedded(&population_args, defects, faults).await?;
                (e.url.clone(), Transport::Json, Some(e))
            }
            Some(b) => {
                match setup::probe(&setup, b.clone(), scenario.run.probe, seed).await {
                    Ok(()) => {}
                    Err(e @ ProbeError::Unreachable(_)) => {
                        return Err(CliError {
                            code: Exit::Unreachable,
                            message: format!("{spec}: {e}"),
                        });
                    }
                    Err(e) => {
                        return Err(CliError {
                            code: Exit::Unreachable,
                            message: format!("{spec}: {e}"),
                        });
                    }
                }
                match (&spec, b) {
                    (BackendSpec::HttpJson(u), _) => (u.clone(), Transport::Json, None),
                    (BackendSpec::XmlHttp(u), _) => (u.clone(), Transport::Xml, None),
                    (_, b) => (
                        "http://127.0.0.1:9".to_owned(),
                        Transport::Direct(b.clone()),
                        None,
                    ),
                }
            }
        };
        let client_outage = scenario
            .faults
            .as_ref()
            .and_then(|f| f.outage)
            .filter(|o| o.side == OutageSide::Client || embedded.is_none())
            .map(|o| (o.from_s, o.to_s));
        let target = Target {
            base_url,
            transport,
            client_outage,
            clock,
        };
        let out = attack(
            setup.prepared,
            target,
            AttackOptions {
                progress,
                goose_reports: (!args.no_goose_report).then(|| dir.path().to_owned()),
            },
        )
        .await
        .map_err(|e| CliError::failed(e.to_string()))?;
        if let Some(e) = embedded {
            e.server.abort();
        }
        Ok(out)
    });
    let out = result?;

    // The report.
    let interval = scenario.run.interval;
    let (counters, samples, intervals) = out.recorder.snapshot();
    let entries = log_entries(&intervals);
    let mut series = std::collections::BTreeMap::<u64, summary::SeriesCounts>::new();
    for i in &intervals {
        let k = summary::interval_index(i.start, interval);
        let c = series.entry(k).or_default();
        c.counts.started += i.counts.started;
        c.counts.completed += i.counts.completed;
        c.counts.failed += i.counts.failed;
        c.counts.errors += i.counts.errors;
    }
    for (k, n) in arrivals_by_interval(&offsets, interval) {
        series.entry(k).or_default().arrivals += n;
    }
    if out.interrupted {
        notes.push(format!(
            "interrupted (Ctrl-C): {} of {scheduled} jobs never finished",
            out.unfinished
        ));
    } else if out.unfinished > 0 {
        notes.push(format!(
            "{} of {scheduled} jobs did not finish within the drain time ({} s after the window) and count as errors",
            out.unfinished,
            scenario.run.drain.as_secs()
        ));
    }
    let hdr_log = output::hdr_log_name(shard);
    let w = &scenario.window;
    let meta = Meta {
        run_id: run_id.clone(),
        scenario: ScenarioInfo {
            name: scenario.name.clone(),
            description: scenario.description.clone(),
            source: scenario.source.clone(),
            seed: arrival_seed,
            window: format!("{}–{}", w.start.format("%H:%M"), w.end.format("%H:%M")),
            date: as_of.date().to_string(),
            monday,
            compression: w.compression,
            scale: args.scale,
            interval_ms: u64::try_from(interval.as_millis()).unwrap_or(1000),
            slos: scenario.slo.clone(),
        },
        backend: spec.to_string(),
        population: PopulationInfo {
            seed,
            size,
            as_of: as_of.to_string(),
        },
        shards: vec![ShardInfo {
            shard,
            run_id: run_id.clone(),
            facilities,
            lanes,
            members,
            hdr_log: hdr_log.clone(),
        }],
        started_at: started_wall.format("%Y-%m-%dT%H:%M:%S").to_string(),
        duration_s: out.duration.as_secs_f64(),
        interrupted: out.interrupted,
        goose: out.goose,
        notes,
    };
    let summary = summary::build(meta, counters, samples, &entries, &series);
    let base = SystemTime::now()
        .checked_sub(out.duration)
        .unwrap_or(SystemTime::UNIX_EPOCH);
    let comments = vec![
        format!("onshi load {} shard {shard} run {run_id}", scenario.name),
        format!("seed {arrival_seed}; values in microseconds; tags response.|service.|request."),
    ];
    output::write_log(&dir, &hdr_log, base, &comments, &entries)
        .map_err(|e| CliError::failed(e.to_string()))?;
    output::write_summary(&dir, &summary).map_err(|e| CliError::failed(e.to_string()))?;
    let mut md = Vec::new();
    let _ = onshi::load::render::markdown(&summary, &mut md);
    println!("{}", String::from_utf8_lossy(&md));
    println!("report: {}", dir.path().display());
    Ok(if summary.passed {
        Exit::Passed
    } else {
        Exit::Failed
    })
}
