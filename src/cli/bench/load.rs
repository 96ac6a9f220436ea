//! `onshi bench load`: full-semantics visits per second against the embedded backend
//! (Goose, card operations, backend calls, clinic step, meaning checks), the response
//! time of an open-model run at a target rate, and the cost per visit against raw Goose
//! sending the same endpoints fixed bodies — all in one run, the saturation rounds
//! interleaved. Build with `--release`; the figures go to docs/benchmarks.md.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Instant;

use chrono::NaiveDateTime;
use clap::Args;

use onshi::backend::{AnyBackend, Capabilities, EmbeddedBackend};
use onshi::bench::Figure;
use onshi::load::at_reader::card_request;
use onshi::load::costs::Step;
use onshi::load::env::Env;
use onshi::load::facility::{Job, Shard};
use onshi::load::patients::{Auth, Path as VisitPath};
use onshi::load::run::{AttackOptions, FacilityRt, Target, attack};
use onshi::load::scenario::Scenario as LoadScenario;
use onshi::load::setup::{self, Input, Setup};
use onshi::load::visit::{Desk, clinic_record_request, run_job};
use onshi::load::wire::{DirectWire, Transport};
use onshi::load::{hlog, summary::totals};
use onshi::population::{CertificateIssuer, PersonIndex, Population, certs::DEFAULT_POOL_SIZE};
use onshi::protocol::ServerClock;
use onshi::protocol::wire::{Challenge, NumbersConfirmationRequest};
use onshi::server::{AppState, AuditLog, Defect, DefectSet, Engine};
use onshi::tomlsrc::TomlSource;

use super::super::common::{CliError, Exit};
use super::super::population::PopulationArgs;
use super::super::population::build_engine;
use super::load_raw::{self, Bodies, RawState, raw_round};

mod figures;
mod shards;
pub(super) mod split;
use figures::{cores, open_figures, print, saturation_figures};
use split::{BackendProcess, Cpus, StdoutToStderr};

/// `onshi bench load` options.
#[derive(Debug, Args)]
pub(crate) struct LoadBenchArgs {
    #[command(flatten)]
    population: PopulationArgs,
    /// Reader lanes (Goose users) of the saturation rounds.
    #[arg(long, default_value_t = 32)]
    lanes: usize,
    /// Visits per saturation round.
    #[arg(long, default_value_t = 20_000)]
    visits: u64,
    /// Saturation rounds of each kind (medians are reported).
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Offered rate of an open-model run (visits/s), repeatable; none skips them.
    #[arg(long = "rate", default_values_t = [10_000.0, 2_000.0])]
    rates: Vec<f64>,
    /// Reader lanes of the open-model run.
    #[arg(long, default_value_t = 512)]
    open_lanes: usize,
    /// Seconds of the open-model run.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Share of card-path visits (the rest are numbers).
    #[arg(long, default_value_t = 0.5)]
    card_share: f64,
    /// Split mode: the reference backend in processes of its own (`onshi serve`),
    /// pinned to half of this process's CPUs, the generator to the other half, so the
    /// generator's CPU per visit is its own (docs/benchmarks.md).
    #[arg(long)]
    split: bool,
    /// Scale-out: for each N given (`--shards 1,2,4`), N `onshi load --shard i/N`
    /// processes against one `onshi serve`, their reports merged with `onshi report
    /// merge` and checked against the sum of the parts. Runs instead of the rounds.
    #[arg(long, value_name = "N,…", value_delimiter = ',')]
    shards: Vec<u32>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

fn scenario(
    lanes: usize,
    visits: f64,
    seconds: f64,
    card_share: f64,
    saturate: bool,
) -> Result<LoadScenario, CliError> {
    let text = scenario_text(lanes, visits, seconds, card_share, saturate);
    LoadScenario::from_source(&TomlSource::from_text(Path::new("bench.toml"), text))
        .map_err(CliError::inputs)
}

/// The bench's scenario: saturation (every patient waiting at the door) or an open
/// model at a flat rate.
fn scenario_text(
    lanes: usize,
    visits: f64,
    seconds: f64,
    card_share: f64,
    saturate: bool,
) -> String {
    // Saturation: every patient waits at the door (60 simulated seconds at ×10 000 =
    // 6 ms), so the lanes run back to back. Open model: a flat curve in real time.
    let (queue, compression, end) = if saturate {
        (1.0, 10_000.0, "09:10".to_owned())
    } else {
        let secs = seconds.max(1.0) as u32;
        (0.0, 1.0, format!("09:{:02}:{:02}", secs / 60, secs % 60))
    };
    format!(
        r#"
name = "bench"
[window]
start = "09:00"
end = "{end}"
open = "09:00"
queue_at_open = {queue}
compression = {compression}
curve = [{{ at = "09:00", rate = 1 }}, {{ at = "{end}", rate = 1 }}]
[[facility]]
kind = "clinic"
count = {lanes}
patients = {per}
card_share = {card_share}
[patients]
auth = {{ face = 0.78, pin = 0.2, visual = 0.02 }}
face_mismatch = 0
pin_typo = 0
accept_registration = 0
[run]
drain_s = 120
[slo]
error_rate = 0
semantic_failures = 0
[[slo.latency]]
transaction = "visit"
percentile = 99
max_ms = 50
"#,
        per = visits / lanes as f64,
    )
}

async fn start_server(args: &LoadBenchArgs, defects: DefectSet) -> Result<String, CliError> {
    let b = build_engine(&args.population, defects, true, 600_000)?;
    let state = AppState::new(
        Arc::clone(&b.engine),
        ServerClock::start(b.engine.population().as_of()),
        AuditLog::disabled(),
    );
    let (addr, _server) = super::serve_loopback(state).await?;
    Ok(format!("http://{addr}"))
}

/// One full-semantics round.
struct FullRound {
    rate: f64,
    cpu_per_visit_us: f64,
    service_p99_ms: f64,
    response_p99_ms: f64,
    failures: u64,
    errors: u64,
    mix: Vec<(&'static str, u64)>,
    /// Requests sent, by name (a visit may confirm by numbers after its card, or
    /// confirm its card again).
    requests: std::collections::BTreeMap<String, u64>,
    /// Split mode: the backend process's CPU per visit in this round and in the raw
    /// round beside it (µs).
    backend: Option<BackendCost>,
}

/// The backend's CPU per visit, read from its own process (split mode).
#[derive(Debug, Clone, Copy)]
struct BackendCost {
    /// During the full round.
    full_us: f64,
    /// During the raw round beside it.
    raw_us: f64,
}

async fn full_round(setup: Setup, url: &str, clock: ServerClock) -> Result<FullRound, CliError> {
    let jobs = setup.prepared.jobs();
    let out = attack(
        setup.prepared,
        Target {
            base_url: url.to_owned(),
            transport: Transport::Json,
            client_outage: None,
            clock,
        },
        AttackOptions {
            progress: false,
            goose_reports: None,
            stop: onshi::stop::Stop::new(),
            live: None,
        },
    )
    .await
    .map_err(|e| CliError::failed(e.to_string()))?;
    let cpu_used = out.cpu;
    let (counters, _, intervals) = out.recorder.snapshot();
    let span = out.recorder.last_finish().map_or(out.duration, |l| {
        l.saturating_duration_since(out.recorder.t0())
    });
    let hist = totals(&onshi::load::metrics::log_entries(&intervals));
    let p99 = |tag: &str| hist.get(tag).map_or(0.0, |h| hlog::ms_at(h, 0.99));
    let kinds = ["card-face", "card-pin", "card-visual", "numbers"];
    Ok(FullRound {
        rate: counters.completed as f64 / span.as_secs_f64().max(1e-6),
        cpu_per_visit_us: cpu_used.as_secs_f64() * 1e6 / jobs.max(1) as f64,
        service_p99_ms: p99("service.visit"),
        response_p99_ms: p99("response.visit"),
        failures: counters.total_failures(),
        errors: counters.with_error + jobs.saturating_sub(counters.completed),
        mix: kinds
            .iter()
            .map(|k| (*k, counters.by_kind.get(*k).copied().unwrap_or(0)))
            .collect(),
        requests: counters.requests.clone(),
        backend: None,
    })
}
/// The raw round's plan: one entry per visit of the full round, its kind in the low
/// bits ([`load_raw::FACE`] …), plus [`load_raw::THEN_NUMBERS`] for the visits whose
/// desk also confirmed by numbers and [`load_raw::CARD_AGAIN`] for those that
/// confirmed their card twice, so the raw baseline sends the same requests per
/// endpoint as the full round did. Kinds interleaved deterministically.
fn raw_plan(fr: &FullRound) -> Vec<u8> {
    let mut plan: Vec<u8> = fr
        .mix
        .iter()
        .enumerate()
        .flat_map(|(i, (_, n))| std::iter::repeat_n(i as u8, *n as usize))
        .collect();
    let sent = |name: &str| fr.requests.get(name).copied().unwrap_or(0);
    let numbers_visits = fr
        .mix
        .iter()
        .find(|(k, _)| *k == "numbers")
        .map_or(0, |(_, n)| *n);
    let card_visits = fr.mix.iter().map(|(_, n)| *n).sum::<u64>() - numbers_visits;
    let mut extra_numbers = sent("confirm-numbers").saturating_sub(numbers_visits);
    let mut extra_card = sent("confirm-card").saturating_sub(card_visits);
    for p in plan.iter_mut().filter(|p| **p != load_raw::NUMBERS) {
        if extra_numbers > 0 {
            *p |= load_raw::THEN_NUMBERS;
            extra_numbers -= 1;
        } else if extra_card > 0 {
            *p |= load_raw::CARD_AGAIN;
            extra_card -= 1;
        } else {
            break;
        }
    }
    let len = plan.len().max(1);
    (0..plan.len()).map(|i| plan[(i * 7919) % len]).collect()
}

/// What every round of the benchmark shares: the arguments, the population and its
/// issuer, the two loopback servers and their clock.
struct Bench<'a> {
    args: &'a LoadBenchArgs,
    pop: &'a Arc<Population>,
    issuer: &'a CertificateIssuer,
    seed: u64,
    /// The clean server.
    clean: String,
    /// The server accepting replayed challenges (for the raw baseline's fixed bodies).
    replay: String,
    clock: ServerClock,
    /// Split mode: the two servers' processes (clean, replay), for their CPU time.
    processes: Option<&'a (BackendProcess, BackendProcess)>,
    /// Split mode: the CPUs of each side.
    cpus: Option<&'a Cpus>,
}

/// The fixed request bodies of the raw baseline, and what they were made from.
struct Fixed {
    bodies: Bodies,
    numbers: NumbersConfirmationRequest,
    now: NaiveDateTime,
}

/// The first standard member on the card path in a facility's schedule.
fn standard_card_patient(
    f: &FacilityRt,
    pop: &Population,
    env: &Env,
) -> Result<PersonIndex, CliError> {
    f.plan
        .arrivals
        .iter()
        .find_map(|a| match a.job {
            Job::Visit(p) if p.path == VisitPath::Card => {
                let person = pop.person(p.member)?;
                (onshi::load::patients::classify(&env.calendar, &person, env.window_start)
                    == onshi::load::scenario::PatientState::Standard)
                    .then_some(p.member)
            }
            _ => None,
        })
        .ok_or_else(|| CliError::failed("no standard card patient in the schedule"))
}

/// Fixed bodies for the raw baseline: a standard member, a challenge of the
/// replay-accepting server (reused by every request), the clinic's reader.
async fn fixed_bodies(
    env: &Env,
    desk: &Desk<'_>,
    member: PersonIndex,
    replay: &str,
) -> Result<Fixed, CliError> {
    let http = reqwest::Client::new();
    let challenge: Challenge = http
        .post(format!("{replay}/v1/challenges"))
        .send()
        .await
        .map_err(|e| CliError::failed(e.to_string()))?
        .json()
        .await
        .map_err(|e| CliError::failed(e.to_string()))?;
    let now = env.now(0.0);
    let body = |auth| {
        card_request(env, desk, member, auth, challenge.nonce.0.clone(), now)
            .map_err(CliError::failed)
            .and_then(|r| serde_json::to_vec(&r).map_err(|e| CliError::failed(e.to_string())))
    };
    let numbers = clinic_record_request(env, desk, member, now)
        .ok_or_else(|| CliError::failed("no numbers for the member"))?;
    let bodies = Bodies {
        face: body(Auth::Face)?,
        pin: body(Auth::Pin)?,
        visual: body(Auth::Visual)?,
        numbers: serde_json::to_vec(&numbers).map_err(|e| CliError::failed(e.to_string()))?,
    };
    Ok(Fixed {
        bodies,
        numbers,
        now,
    })
}

/// The engine alone answering the fixed bodies, in process on one thread (a fresh
/// challenge signed into the face body): µs per request.
fn engine_only_us(engine: &Engine, fixed: &Fixed, desk: &Desk<'_>) -> Result<f64, CliError> {
    let t0 = onshi::protocol::RequestTime {
        now: fixed.now,
        tick: onshi::protocol::Tick(0),
    };
    let nonce = engine
        .issue_challenge(t0)
        .result
        .map_err(|e| CliError::failed(e.to_string()))?
        .nonce
        .0;
    let mut face: onshi::protocol::wire::CardConfirmationRequest =
        serde_json::from_slice(&fixed.bodies.face).map_err(|e| CliError::failed(e.to_string()))?;
    face.card.nonce = onshi::protocol::wire::Base64Bytes(nonce);
    if let Some(a) = face.card.attestation.as_mut() {
        let msg = onshi::protocol::wire::attestation_message(
            &face.card.nonce.0,
            &face.card.auth_certificate.0,
            face.card.method,
            desk.code,
        );
        a.signature = onshi::protocol::wire::Base64Bytes(desk.reader.credential.sign(&msg));
    }
    let t = Instant::now();
    let n = 2000;
    for k in 0..n {
        if k % 2 == 0 {
            let _ = engine.issue_challenge(t0);
            let _ = engine.confirm_card(&face, t0);
        } else {
            let _ = engine.confirm_numbers(&fixed.numbers, t0);
        }
    }
    Ok(t.elapsed().as_secs_f64() * 1e6 / f64::from(n))
}

/// Up to 300 generated members in the standard state.
fn standard_members(pop: &Population, env: &Env) -> Vec<u64> {
    (pop.persona_count()..pop.len())
        .filter(|i| {
            pop.person(*i).is_some_and(|p| {
                onshi::load::patients::classify(&env.calendar, &p, env.window_start)
                    == onshi::load::scenario::PatientState::Standard
            })
        })
        .take(300)
        .collect()
}

/// Where the time goes, in process on one thread (no HTTP, no Goose).
struct InProcess {
    /// µs per full visit against the engine.
    semantics: f64,
    /// µs per request of the engine alone on the fixed bodies.
    engine_only: f64,
    /// The harness's steps one by one.
    steps: Vec<Step>,
}

impl Bench<'_> {
    /// The setup of one round of `scenario` with `seed`.
    fn prepare(&self, scenario: LoadScenario, seed: u64) -> Result<Setup, CliError> {
        setup::prepare(
            &Input {
                scenario,
                shard: Shard::WHOLE,
                seed,
                population_seed: self.args.population.world.seed,
                capabilities: Capabilities::ALL,
            },
            Arc::clone(self.pop),
            self.issuer.clone(),
        )
        .map_err(CliError::failed)
    }

    /// A full visit against the engine, the engine alone answering the fixed bodies,
    /// and the cost breakdown.
    async fn in_process(
        &self,
        env: &Env,
        desk: Desk<'_>,
        f: &FacilityRt,
        fixed: &Fixed,
    ) -> Result<InProcess, CliError> {
        let population = &self.args.population;
        let b = build_engine(population, DefectSet::NONE, true, 600_000)?;
        let mut wire = DirectWire::new(AnyBackend::Embedded(EmbeddedBackend::new(Arc::clone(
            &b.engine,
        ))));
        let jobs: Vec<Job> = f.plan.arrivals.iter().map(|a| a.job).take(2000).collect();
        let t = Instant::now();
        for j in &jobs {
            let _ = run_job(env, desk, *j, 0.0, Instant::now(), &mut wire).await;
        }
        let semantics = t.elapsed().as_secs_f64() * 1e6 / jobs.len().max(1) as f64;
        let replay = [Defect::ReplayAccepted].into_iter().collect();
        let r = build_engine(population, replay, true, 600_000)?;
        let engine_only = engine_only_us(&r.engine, fixed, &desk)?;
        let standard = standard_members(self.pop, env);
        let steps = onshi::load::costs::breakdown(env, &desk, &standard, &r.engine, fixed.now)
            .map_err(CliError::failed)?;
        Ok(InProcess {
            semantics,
            engine_only,
            steps,
        })
    }

    /// The saturation rounds, each full round next to a raw round sending the same
    /// requests per endpoint: the full rounds and (visits/s, µs CPU/visit) of the raw.
    async fn saturation(
        &self,
        sat: &LoadScenario,
        bodies: &Bodies,
    ) -> Result<(Vec<FullRound>, Vec<(f64, f64)>), CliError> {
        let args = self.args;
        let mut full = Vec::new();
        let mut raw = Vec::new();
        for round in 0..args.rounds.max(1) {
            let setup = self.prepare(sat.clone(), self.seed.wrapping_add(round as u64))?;
            let backend_cpu = || self.processes.map(|(c, r)| (c.cpu(), r.cpu()));
            let before = backend_cpu();
            let mut fr = full_round(setup, &self.clean, self.clock).await?;
            let between = backend_cpu();
            let plan = raw_plan(&fr);
            let per_user = (args.visits as usize / args.lanes.max(1)).max(1);
            let state = Arc::new(RawState {
                bodies: Bodies {
                    face: bodies.face.clone(),
                    pin: bodies.pin.clone(),
                    visual: bodies.visual.clone(),
                    numbers: bodies.numbers.clone(),
                },
                plan,
                next: AtomicU64::new(0),
                done: AtomicU64::new(0),
                total: (per_user * args.lanes.max(1)) as u64,
                first: AtomicU64::new(0),
                last: AtomicU64::new(0),
                cpu_first: AtomicU64::new(0),
                cpu_last: AtomicU64::new(0),
                base: Instant::now(),
            });
            let raw_visits = state.total;
            let rr = raw_round(state, &self.replay, args.lanes, per_user).await?;
            if let (Some(b), Some(m), Some(a)) = (before, between, backend_cpu()) {
                let visits: u64 = fr.mix.iter().map(|(_, n)| *n).sum();
                fr.backend = Some(BackendCost {
                    full_us: m.0.saturating_sub(b.0).as_secs_f64() * 1e6 / visits.max(1) as f64,
                    raw_us: a.1.saturating_sub(m.1).as_secs_f64() * 1e6 / raw_visits.max(1) as f64,
                });
            }
            eprintln!(
                "round {}: full {:.0} visits/s ({:.0} µs CPU/visit, service p99 {:.1} ms, {} failures, {} errors) · raw {:.0} visits/s ({:.0} µs CPU/visit){}",
                round + 1,
                fr.rate,
                fr.cpu_per_visit_us,
                fr.service_p99_ms,
                fr.failures,
                fr.errors,
                rr.0,
                rr.1,
                fr.backend.map_or(String::new(), |b| format!(
                    " · backend process {:.0} / {:.0} µs CPU/visit",
                    b.full_us, b.raw_us
                ))
            );
            full.push(fr);
            raw.push(rr);
        }
        Ok((full, raw))
    }

    /// The open-model runs, one per offered rate: (offered visits/s, the round).
    async fn open_model(&self) -> Result<Vec<(f64, FullRound)>, CliError> {
        let args = self.args;
        let mut open = Vec::new();
        for (k, rate) in args.rates.iter().copied().filter(|r| *r > 0.0).enumerate() {
            let sc = scenario(
                args.open_lanes,
                rate * args.seconds as f64,
                args.seconds as f64,
                args.card_share,
                false,
            )?;
            let setup = self.prepare(sc, self.seed.wrapping_add(99 + k as u64))?;
            let offered = setup.prepared.jobs() as f64 / args.seconds.max(1) as f64;
            let fr = full_round(setup, &self.clean, self.clock).await?;
            eprintln!(
                "open model: offered {offered:.0}/s, achieved {:.0}/s, response p99 {:.1} ms, service p99 {:.1} ms, {} failures, {} errors, {:.0} µs CPU/visit",
                fr.rate,
                fr.response_p99_ms,
                fr.service_p99_ms,
                fr.failures,
                fr.errors,
                fr.cpu_per_visit_us
            );
            open.push((offered, fr));
        }
        Ok(open)
    }

    /// Every round, in order: in process, saturation, open model; then the figures.
    async fn run(&self) -> Result<(Vec<Figure>, Vec<Step>), CliError> {
        let args = self.args;
        let sat = scenario(args.lanes, args.visits as f64, 0.0, args.card_share, true)?;
        let warm = self.prepare(sat.clone(), self.seed)?;
        let env = Arc::clone(&warm.prepared.env);
        let f = warm
            .prepared
            .facilities
            .first()
            .ok_or_else(|| CliError::failed("no facility"))?;
        let desk = Desk {
            code: &f.plan.code,
            reader: &f.reader,
            booked: &[],
            id: f.plan.id,
        };
        let member = standard_card_patient(f, self.pop, &env)?;
        let fixed = fixed_bodies(&env, &desk, member, &self.replay).await?;
        let here = self.in_process(&env, desk, f, &fixed).await?;
        drop(warm);
        let (full, raw) = self.saturation(&sat, &fixed.bodies).await?;
        let open = self.open_model().await?;
        let mut figures = saturation_figures(args, &full, &raw, &here, self.cpus);
        figures.extend(open_figures(args, &open));
        Ok((figures, here.steps))
    }
}

pub(super) fn run_load(args: LoadBenchArgs) -> Result<Exit, CliError> {
    if cfg!(debug_assertions) {
        eprintln!("warning: a debug build; benchmark with `cargo run --release -- bench load`");
    }
    if !args.shards.is_empty() {
        return shards::run_shards(&args);
    }
    let cores = cores();
    let cpus = if args.split {
        let c = Cpus::split()?;
        split::pin_current_thread(&c.generator)
            .map_err(|e| CliError::failed(format!("pinning the generator: {e}")))?;
        eprintln!(
            "split mode: the generator (this process) on CPUs {:?}, the backend (onshi serve) on {:?}",
            c.generator, c.backend
        );
        Some(c)
    } else {
        None
    };
    let workers = cpus.as_ref().map_or(cores, |c| c.generator.len());
    eprintln!(
        "onshi bench load: {cores} cores, {} lanes, {} visits × {} rounds, card share {}, open model {:?} visits/s for {} s on {} lanes",
        args.lanes,
        args.visits,
        args.rounds,
        args.card_share,
        args.rates,
        args.seconds,
        args.open_lanes
    );
    let personas = args.population.world.personas()?;
    let seed = args.population.world.seed;
    let pop = Arc::new(
        Population::new(
            seed,
            args.population.size,
            &personas,
            args.population.world.as_of(),
        )
        .map_err(|e| CliError::input(e.to_string()))?,
    );
    let issuer =
        CertificateIssuer::from_seed(seed, args.population.world.key_cache(), DEFAULT_POOL_SIZE)
            .map_err(|e| CliError::failed(e.to_string()))?;
    let processes = match &cpus {
        Some(c) => Some((
            BackendProcess::start(&args, &[], Some(&c.backend))?,
            BackendProcess::start(&args, &["replay-accepted"], Some(&c.backend))?,
        )),
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .map_err(|e| CliError::failed(e.to_string()))?;
    let clock = ServerClock::start(pop.as_of());
    let quiet = StdoutToStderr::start();
    let (figures, steps) = runtime.block_on(async {
        let bench = Bench {
            args: &args,
            pop: &pop,
            issuer: &issuer,
            seed,
            clean: match &processes {
                Some((c, _)) => c.url.clone(),
                None => start_server(&args, DefectSet::NONE).await?,
            },
            replay: match &processes {
                Some((_, r)) => r.url.clone(),
                None => start_server(&args, [Defect::ReplayAccepted].into_iter().collect()).await?,
            },
            clock,
            processes: processes.as_ref(),
            cpus: cpus.as_ref(),
        };
        bench.run().await
    })?;
    drop(quiet);
    print(args.json, &figures, &steps);
    Ok(Exit::Passed)
}
