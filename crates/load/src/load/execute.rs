//! A whole load run as one call: [`execute`] takes a [`Plan`] (the command line,
//! parsed), chooses the backend (the embedded reference on loopback, or a client for
//! an external one, probed first), prepares the schedule, runs the Goose attack and
//! writes the run directory (summary, HDR interval log). With a dashboard's channel
//! ([`Plan::live`]) it publishes the run's frames, the last one the summary's. The
//! binary maps arguments to a plan and the summary's verdict to an exit code; nothing
//! here reads argv.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use chrono::NaiveDateTime;

use super::facility::Shard;
use super::generator::{Generator, IntervalCpu, Observed, usable_cores};
use super::hlog::Entry;
use super::live::Frame;
use super::metrics::{LATENESS_TAG, log_entries};
use super::run::{AttackOptions, AttackOutput, Target, attack};
use super::scenario::{MAX_JOBS, MAX_SCALE, OutageSide, Scenario};
use super::setup::{self, Input, Setup};
use super::summary::{self, Meta, PopulationInfo, ScenarioInfo, ShardInfo, Summary};
use super::wire::Transport;
use super::{output, summary::arrivals_by_interval};
use onshi_backend::backend::{AnyBackend, BackendSpec, Capabilities, QualificationBackend};
use onshi_backend::server::faults::{FaultConfig, OutageWindow};
use onshi_backend::server::reference::{self, Loopback};
use onshi_backend::server::{AppState, AuditLog, Defect, DefectSet, FaultInjector, TrustAnchors};
use onshi_domain::protocol::ServerClock;
use onshi_pki::pki::KeyCache;
use onshi_report::report::{RunDir, RunDirError};
use onshi_world::persona::PersonaSet;
use onshi_world::population::{CertificateIssuer, Population, certs::DEFAULT_POOL_SIZE};

/// The most generated members a load run takes (members are computed on demand, so
/// this bounds identifiers and scans, not memory).
pub const MAX_SIZE: u64 = 100_000_000;

/// Builds the trust anchors of the embedded reference backend, when one is needed.
pub type TrustSource = Box<dyn FnOnce() -> Result<TrustAnchors, String> + Send>;

/// Everything a load run needs, parsed.
pub struct Plan {
    /// The scenario, as read (not yet scaled).
    pub scenario: Scenario,
    /// Every facility count is multiplied by this.
    pub scale: f64,
    /// The backend; `None` = the scenario's `[backend] target`, else embedded.
    pub backend: Option<BackendSpec>,
    /// This process's shard.
    pub shard: Shard,
    /// Where `<run-id>/` is written.
    pub report_dir: PathBuf,
    /// The run id (default: time, seed and shard).
    pub run_id: Option<String>,
    /// Generated members (default: the scenario's, else the population default).
    pub size: Option<u64>,
    /// Seed of arrivals and draws (default: the scenario's, else `seed`).
    pub arrival_seed: Option<u64>,
    /// Defects of the embedded reference backend.
    pub defects: Vec<Defect>,
    /// Faults of the embedded reference backend (`KEY=VALUE`), on top of the scenario's.
    pub faults: Vec<String>,
    /// Show the progress line.
    pub progress: bool,
    /// Write Goose's own reports into the run directory.
    pub goose_reports: bool,
    /// Seed of the population, keys and certificates.
    pub seed: u64,
    /// The as-of time.
    pub as_of: NaiveDateTime,
    /// The personas (the population's first members).
    pub personas: PersonaSet,
    /// The RSA key cache.
    pub keys: KeyCache,
    /// Draws the card faces (name and address images), once per card issued.
    pub face: Arc<onshi_card::card::face::FaceRenderer>,
    /// The embedded backend's trust anchors (only called for an embedded run).
    pub trust: TrustSource,
    /// When the run started (local time), for the run id and the report.
    pub started: NaiveDateTime,
    /// A signal's stop request: the schedule ends early, the report marked interrupted.
    pub stop: onshi_support::stop::Stop,
    /// Where the dashboard's frames go ([`super::dashboard`]), if one is shown: the
    /// run's frames while it goes on, then one marked done with the summary's totals
    /// once the report is written.
    pub live: Option<tokio::sync::watch::Sender<Frame>>,
}

/// A finished run.
#[derive(Debug)]
pub struct Executed {
    /// The summary (also written as `summary.json`).
    pub summary: Summary,
    /// The run directory.
    pub dir: PathBuf,
    /// The signal that stopped the run, if one did.
    pub interrupted: Option<onshi_support::stop::StopSignal>,
}

pub use onshi_support::failure::Failure as ExecuteError;

/// The plan's parameters that everything below needs.
struct Resolved {
    spec: BackendSpec,
    size: u64,
    arrival_seed: u64,
    run_id: String,
}

fn resolve(plan: &mut Plan) -> Result<Resolved, ExecuteError> {
    if !(plan.scale.is_finite() && plan.scale > 0.0 && plan.scale <= MAX_SCALE) {
        return Err(ExecuteError::BadInput(format!(
            "--scale must be a positive number up to {MAX_SCALE}"
        )));
    }
    plan.scenario.scale(plan.scale);
    let jobs = plan.scenario.expected_jobs() / f64::from(plan.shard.count.max(1));
    if jobs > MAX_JOBS {
        return Err(ExecuteError::BadInput(format!(
            "{}: about {jobs:.0} jobs in this process (facilities × patients{}); at most {MAX_JOBS} — use fewer, a smaller --scale, or more shards",
            plan.scenario.source,
            if plan.scale == 1.0 {
                String::new()
            } else {
                format!(", × {} scale", plan.scale)
            }
        )));
    }
    let spec = match (&plan.backend, &plan.scenario.backend) {
        (Some(b), _) => b.clone(),
        (None, Some(t)) => t.parse().map_err(ExecuteError::BadInput)?,
        (None, None) => BackendSpec::Embedded,
    };
    if spec != BackendSpec::Embedded && (!plan.defects.is_empty() || !plan.faults.is_empty()) {
        return Err(ExecuteError::BadInput(
            "--defect and --fault apply to the embedded reference backend only (start `onshi serve --defect … --fault …` for an external one)".into(),
        ));
    }
    let size = plan
        .size
        .or(plan.scenario.size)
        .unwrap_or(onshi_world::population::DEFAULT_SIZE);
    if !(1..=MAX_SIZE).contains(&size) {
        return Err(ExecuteError::BadInput(format!(
            "population size {size}: a load run needs 1 to {MAX_SIZE} generated members"
        )));
    }
    let arrival_seed = plan
        .arrival_seed
        .or(plan.scenario.run.seed)
        .unwrap_or(plan.seed);
    let shard = plan.shard;
    let run_id = plan.run_id.clone().unwrap_or_else(|| {
        let base = onshi_report::report::run_id(plan.started, arrival_seed);
        if shard.count > 1 {
            format!("load-{base}-shard-{}-of-{}", shard.index, shard.count)
        } else {
            format!("load-{base}")
        }
    });
    Ok(Resolved {
        spec,
        size,
        arrival_seed,
        run_id,
    })
}

/// The embedded backend's faults: the scenario's `[faults]`, its backend outage on the
/// server clock, then `extra` (`KEY=VALUE`).
fn fault_config(
    scenario: &Scenario,
    extra: &[String],
    as_of: NaiveDateTime,
) -> Result<FaultConfig, ExecuteError> {
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
    for f in extra {
        config
            .apply(f)
            .map_err(|e| ExecuteError::BadInput(format!("--fault {f}: {e}")))?;
    }
    Ok(config)
}

/// Starts the embedded reference backend on loopback (its own population: on-the-spot
/// registrations live in the population's overlay, apart from the ground truth).
async fn start_embedded(
    plan: Plan,
    size: u64,
    faults: FaultConfig,
) -> Result<Loopback, ExecuteError> {
    let population = Population::new(plan.seed, size, &plan.personas, plan.as_of)
        .map_err(|e| ExecuteError::BadInput(e.to_string()))?;
    let trust = (plan.trust)().map_err(ExecuteError::Failed)?;
    let defects: DefectSet = plan.defects.iter().copied().collect();
    let engine = reference::engine(Arc::new(population), trust, defects, 600_000)
        .map_err(|e| ExecuteError::Failed(e.to_string()))?;
    let clock = ServerClock::start(engine.population().as_of());
    let state = AppState::new(engine, clock, AuditLog::disabled());
    reference::serve_loopback(state, Some(Arc::new(FaultInjector::new(faults))))
        .await
        .map_err(|e| ExecuteError::Failed(e.to_string()))
}

/// Where the attack goes: the embedded backend (started here) or the external one
/// (probed first: it must hold the population).
async fn target(
    remote: Option<AnyBackend>,
    spec: &BackendSpec,
    setup: &Setup,
    plan: Plan,
    size: u64,
) -> Result<(String, Transport, Option<Loopback>), ExecuteError> {
    match remote {
        None => {
            let faults = fault_config(&plan.scenario, &plan.faults, plan.as_of)?;
            let e = start_embedded(plan, size, faults).await?;
            Ok((e.url(), Transport::Json, Some(e)))
        }
        Some(b) => {
            setup::probe(setup, b.clone(), plan.scenario.run.probe, plan.seed)
                .await
                .map_err(|e| ExecuteError::Unreachable(format!("{spec}: {e}")))?;
            Ok(match spec {
                BackendSpec::HttpJson(u) => (u.clone(), Transport::Json, None),
                BackendSpec::XmlHttp(u) => (u.clone(), Transport::Xml, None),
                _ => ("http://127.0.0.1:9".to_owned(), Transport::Direct(b), None),
            })
        }
    }
}

/// Runs the load of `plan` and writes its run directory.
pub fn execute(mut plan: Plan) -> Result<Executed, ExecuteError> {
    let r = resolve(&mut plan)?;
    let population = Arc::new(
        Population::new(plan.seed, r.size, &plan.personas, plan.as_of)
            .map_err(|e| ExecuteError::BadInput(e.to_string()))?,
    );
    let issuer = CertificateIssuer::from_seed(plan.seed, plan.keys.clone(), DEFAULT_POOL_SIZE)
        .map_err(|e| ExecuteError::Failed(e.to_string()))?
        .with_face(Arc::clone(&plan.face));
    let clock = ServerClock::start(plan.as_of);
    let remote = r.spec.client(clock, Some(Duration::from_secs(10)));
    let capabilities = match &remote {
        Some(b) => b.capabilities(),
        None => Capabilities::ALL,
    };
    let input = Input {
        scenario: plan.scenario.clone(),
        shard: plan.shard,
        seed: r.arrival_seed,
        population_seed: plan.seed,
        capabilities,
    };
    let prepared_at = std::time::Instant::now();
    let setup = setup::prepare(&input, population, issuer).map_err(ExecuteError::Failed)?;
    tracing::info!(
        "prepared {} jobs at {} facilities ({} lanes) in {:.1} s",
        setup.prepared.jobs(),
        setup.facilities,
        setup.prepared.lanes(),
        prepared_at.elapsed().as_secs_f64()
    );
    // A run directory is never reused: a chosen id that exists is refused, a
    // generated one gets `-2`, `-3`, ….
    let dir = match &plan.run_id {
        Some(id) => RunDir::create_new(&plan.report_dir, id).map_err(|e| match e {
            RunDirError::Exists { .. } | RunDirError::BadId { .. } => {
                ExecuteError::BadInput(format!("--run-id: {e}"))
            }
            e => ExecuteError::Failed(e.to_string()),
        })?,
        None => RunDir::create(&plan.report_dir, &r.run_id)
            .map_err(|e| ExecuteError::BadInput(e.to_string()))?,
    };
    let r = Resolved {
        run_id: dir.id().to_owned(),
        ..r
    };
    let report = ReportInput::new(&plan, &r, &setup);
    let plan_report_dir = plan.report_dir.clone();
    let live = plan.live.clone();
    if let Some(tx) = &live {
        let waiting = Frame::waiting(
            &r.run_id,
            &plan.scenario.name,
            setup.prepared.lanes() as u64,
            setup.prepared.jobs(),
        );
        tx.send_modify(|f| {
            *f = Frame {
                seq: f.seq + 1,
                ..waiting
            }
        });
    }
    let out = match attack_with(plan, &r, setup, remote, clock, dir.path()) {
        Ok(out) => out,
        Err(e) => {
            // Nothing ran (an unreachable backend, a refused configuration): leave no
            // empty run directory behind.
            output::remove_empty_files(dir.path());
            let _ = std::fs::remove_dir(dir.path());
            return Err(e);
        }
    };
    let interrupted = out.0.interrupted;
    if interrupted.is_some() {
        output::remove_empty_files(dir.path());
    }
    let (summary, entries) = report.summary(out.0, out.1);
    write(&dir, &report, &summary, &entries, out.2)?;
    if let Err(e) = onshi_report::report::index::write(&plan_report_dir) {
        tracing::warn!("rewriting the run index failed: {e}");
    }
    if let Some(tx) = &live {
        tx.send_modify(|f| *f = f.finished(&summary));
    }
    Ok(Executed {
        summary,
        dir: dir.path().to_owned(),
        interrupted,
    })
}

fn attack_with(
    plan: Plan,
    r: &Resolved,
    setup: Setup,
    remote: Option<AnyBackend>,
    clock: ServerClock,
    dir: &std::path::Path,
) -> Result<(AttackOutput, Vec<String>, Duration), ExecuteError> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
        .map_err(|e| ExecuteError::Failed(format!("tokio runtime: {e}")))?;
    let mut notes = setup.notes.clone();
    if r.spec != BackendSpec::Embedded
        && plan.scenario.faults.as_ref().is_some_and(|f| {
            !f.backend.is_quiet() || f.outage.is_some_and(|o| o.side == OutageSide::Backend)
        })
    {
        notes.push(format!(
            "the scenario's backend faults apply to the embedded backend only; {} ran without them (start `onshi serve --fault …`)",
            r.spec
        ));
    }
    if let BackendSpec::HttpJson(url) = &r.spec
        && plan.scenario.facilities.iter().any(|f| f.bulk_share > 0.0)
    {
        let note = format!(
            "this scenario's bulk inquiries (一括照会) are sent as XML to {url}/v1/xml/OQSmuquc01req and …02req: a backend without the XML face answers them as errors (leave bulk_share out of the scenario to load the JSON face alone)"
        );
        eprintln!("onshi load: {note}");
        notes.push(note);
    }
    let outage = plan.scenario.faults.as_ref().and_then(|f| f.outage);
    let opts = AttackOptions {
        progress: plan.progress,
        goose_reports: plan.goose_reports.then(|| dir.to_path_buf()),
        stop: plan.stop.clone(),
        live: plan.live.clone(),
    };
    let out = runtime.block_on(async {
        let (base_url, transport, embedded) = target(remote, &r.spec, &setup, plan, r.size).await?;
        let client_outage = outage
            .filter(|o| o.side == OutageSide::Client || embedded.is_none())
            .map(|o| (o.from_s, o.to_s));
        let target = Target {
            base_url,
            transport,
            client_outage,
            clock,
        };
        let out = attack(setup.prepared, target, opts)
            .await
            .map_err(|e| ExecuteError::Failed(e.to_string()));
        if let Some(e) = embedded {
            e.server.abort();
        }
        out
    })?;
    let duration = out.duration;
    Ok((out, notes, duration))
}

/// What the report needs from the plan and the setup, taken before the attack
/// consumes them.
struct ReportInput {
    meta: Meta,
    offsets: Vec<f64>,
    scheduled: u64,
    interval: Duration,
    drain: Duration,
    hdr_log: String,
    comments: Vec<String>,
    /// The backend runs in this process (its CPU counts as the generator's).
    with_backend: bool,
}

impl ReportInput {
    fn new(plan: &Plan, r: &Resolved, setup: &Setup) -> Self {
        let scenario = &plan.scenario;
        let interval = scenario.run.interval;
        let hdr_log = output::hdr_log_name(plan.shard);
        let w = &scenario.window;
        let meta = Meta {
            run_id: r.run_id.clone(),
            scenario: ScenarioInfo {
                name: scenario.name.clone(),
                description: scenario.description.clone(),
                source: scenario.source.clone(),
                seed: r.arrival_seed,
                window: format!("{}–{}", w.start.format("%H:%M"), w.end.format("%H:%M")),
                date: plan.as_of.date().to_string(),
                monday: setup.monday,
                compression: w.compression,
                scale: plan.scale,
                interval_ms: u64::try_from(interval.as_millis()).unwrap_or(1000),
                slos: scenario.slo.clone(),
            },
            backend: r.spec.to_string(),
            population: PopulationInfo {
                seed: plan.seed,
                size: r.size,
                as_of: plan.as_of.to_string(),
            },
            shards: vec![ShardInfo {
                shard: plan.shard,
                run_id: r.run_id.clone(),
                facilities: setup.facilities,
                lanes: setup.prepared.lanes() as u64,
                members: setup.members,
                hdr_log: hdr_log.clone(),
                generator: None,
            }],
            started_at: plan.started.format("%Y-%m-%dT%H:%M:%S").to_string(),
            duration_s: 0.0,
            interrupted: false,
        };
        let comments = vec![
            format!(
                "onshi load {} shard {} run {}",
                scenario.name, plan.shard, r.run_id
            ),
            format!(
                "seed {}; values in microseconds; tags response.|service.|request.|lateness.",
                r.arrival_seed
            ),
        ];
        Self {
            meta,
            offsets: setup.prepared.offsets(),
            scheduled: setup.prepared.jobs(),
            interval,
            drain: scenario.run.drain,
            hdr_log,
            comments,
            with_backend: r.spec == BackendSpec::Embedded,
        }
    }

    /// The summary of an attack, with the interval series and the log entries.
    fn summary(&self, out: AttackOutput, mut notes: Vec<String>) -> (Summary, Vec<Entry>) {
        let (counters, samples, intervals) = out.recorder.snapshot();
        let entries = log_entries(&intervals);
        let mut series = std::collections::BTreeMap::<u64, summary::SeriesCounts>::new();
        for i in &intervals {
            let c = series
                .entry(summary::interval_index(i.start, self.interval))
                .or_default();
            c.counts.started += i.counts.started;
            c.counts.completed += i.counts.completed;
            c.counts.failed += i.counts.failed;
            c.counts.errors += i.counts.errors;
            c.cpu_s += i.cpu.map_or(0.0, |d| d.as_secs_f64());
        }
        for (k, n) in arrivals_by_interval(&self.offsets, self.interval) {
            series.entry(k).or_default().arrivals += n;
        }
        let scheduled = self.scheduled;
        if let Some(signal) = out.interrupted {
            notes.push(format!(
                "interrupted by {signal}: {} of {scheduled} jobs never ran or were abandoned in flight; they are not counted as errors or failures",
                out.unfinished
            ));
        } else if out.unfinished > 0 {
            notes.push(format!(
                "{} of {scheduled} jobs did not finish within the drain time ({} s after the window) and count as errors",
                out.unfinished,
                self.drain.as_secs()
            ));
        }
        let meta = Meta {
            duration_s: out.duration.as_secs_f64(),
            interrupted: out.interrupted.is_some(),
            ..self.meta.clone()
        };
        let visits = counters.completed;
        let mut summary =
            summary::build(meta, counters, samples, out.goose, notes, &entries, &series);
        let lateness = summary.latency.get(LATENESS_TAG).copied();
        let generator = Generator::judge(&Observed {
            cores: usable_cores(),
            intervals: intervals
                .iter()
                .map(|i| {
                    let c = series.get(&summary::interval_index(i.start, self.interval));
                    IntervalCpu {
                        cpu_s: i.cpu.map_or(0.0, |d| d.as_secs_f64()),
                        wall_s: i.duration.as_secs_f64(),
                        busy: c.is_some_and(|c| c.arrivals > 0 || c.counts.started > 0),
                    }
                })
                .collect(),
            visits,
            lateness_p99_ms: lateness.map_or(0.0, |l| l.p99_ms),
            lateness_max_ms: lateness.map_or(0.0, |l| l.max_ms),
            with_backend: self.with_backend,
        });
        if generator.saturated {
            tracing::warn!("{}", generator.sentence());
        }
        if let Some(shard) = summary.meta.shards.first_mut() {
            shard.generator = Some(generator);
        }
        (summary, entries)
    }
}

fn write(
    dir: &RunDir,
    report: &ReportInput,
    summary: &Summary,
    entries: &[Entry],
    duration: Duration,
) -> Result<(), ExecuteError> {
    let failed = |e: output::OutputError| ExecuteError::Failed(e.to_string());
    let base = SystemTime::now()
        .checked_sub(duration)
        .unwrap_or(SystemTime::UNIX_EPOCH);
    output::write_log(dir, &report.hdr_log, base, &report.comments, entries).map_err(failed)?;
    output::write_summary(dir, summary).map_err(failed)
}
