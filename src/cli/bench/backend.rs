//! `onshi bench backend`: card-path confirmations per second of the reference backend
//! (PIN path: certificate chain + card signature verified on every request), in
//! process and over loopback HTTP in the same run, plus how fast a large population
//! is ready. Build with `--release`; the figures go to docs/benchmarks.md.

use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;

use onshi::codes::QualificationValidity;
use onshi::message::MedicalInstitutionCode;
use onshi::persona::model::RegistrationState;
use onshi::pki::{Der, HashAlg, RsaKey};
use onshi::population::{CertificateIssuer, Population, PopulationMix};
use onshi::protocol::wire::{
    AuthMethod, Base64Bytes, CardAuthentication, CardConfirmationRequest, CareSettingWire,
    ConsentAnswers,
};
use onshi::protocol::{RequestTime, ServerClock};
use onshi::server::answer::has_valid_qualification;
use onshi::server::audit::AuditLog;
use onshi::server::{AppState, DefectSet, Engine};

use super::super::common::{CliError, Exit};
use super::super::population::PopulationArgs;
use super::super::population::build_engine;
use super::median;

/// `onshi bench backend` options.
#[derive(Debug, Args)]
pub(crate) struct BackendBenchArgs {
    #[command(flatten)]
    population: PopulationArgs,
    /// Confirmations per measured round.
    #[arg(long, default_value_t = 2000)]
    requests: usize,
    /// Measured rounds (the median is reported).
    #[arg(long, default_value_t = 5)]
    rounds: usize,
    /// Worker threads of the in-process run (and of the HTTP server).
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Requests in flight over HTTP.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Size of the population-readiness check (0 skips it).
    #[arg(long, default_value_t = 1_000_000)]
    population_check: u64,
}

/// Peak and current resident memory (Linux), in MiB.
fn memory_mib() -> Option<(f64, f64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map(|kb| kb / 1024.0)
    };
    Some((field("VmHWM:")?, field("VmRSS:")?))
}

/// One bench member: its certificate and key.
struct Member {
    der: Der,
    key: Arc<RsaKey>,
}

fn pick_members(
    engine: &Engine,
    issuer: &CertificateIssuer,
    want: usize,
) -> Result<Vec<Member>, CliError> {
    let pop = engine.population();
    let now = pop.as_of();
    let calendar = &engine.config().calendar;
    let mut out = Vec::new();
    for i in pop.persona_count()..pop.len() {
        if out.len() >= want {
            break;
        }
        let Some(p) = pop.person(i) else { continue };
        let cert = &p.card.certificate;
        let ok = matches!(p.registration, RegistrationState::Registered(Some(at)) if at <= now)
            && !p.card.pinless
            && !p.card.auth_pin_locked()
            && !p.non_disclosure
            && !cert.revoked_by(now)
            && cert.issued_at <= now
            && cert.expires_on > now.date()
            && has_valid_qualification(calendar, &p, now.date());
        if ok {
            let c = issuer
                .auth_certificate(pop, i)
                .map_err(|e| CliError::failed(e.to_string()))?;
            out.push(Member {
                der: c.der,
                key: c.key,
            });
        }
    }
    if out.is_empty() {
        return Err(CliError::input(
            "no generated member is confirmable; use --size ≥ 100",
        ));
    }
    Ok(out)
}

/// Requests signed over fresh challenges of `engine` (signing is not measured).
fn signed_requests(
    engine: &Engine,
    members: &[Member],
    n: usize,
    t: RequestTime,
    threads: usize,
) -> Result<Vec<CardConfirmationRequest>, CliError> {
    let facility = MedicalInstitutionCode::parse("1311234567").expect("literal code");
    let nonces: Vec<Vec<u8>> = (0..n)
        .map(|_| {
            engine
                .issue_challenge(t)
                .result
                .map(|c| c.nonce.0)
                .map_err(|e| CliError::failed(e.to_string()))
        })
        .collect::<Result<_, _>>()?;
    let per = n.div_ceil(threads.max(1));
    let parts: Vec<Vec<CardConfirmationRequest>> = std::thread::scope(|s| {
        nonces
            .chunks(per.max(1))
            .enumerate()
            .map(|(c, chunk)| {
                let facility = facility.clone();
                s.spawn(move || {
                    chunk
                        .iter()
                        .enumerate()
                        .map(|(k, nonce)| {
                            let m = &members[(c * per + k) % members.len()];
                            let sig = m
                                .key
                                .sign_digest_info(&HashAlg::Sha256.digest_info(nonce))
                                .map(|s| s.to_vec())
                                .unwrap_or_default();
                            CardConfirmationRequest {
                                medical_institution_code: facility.clone(),
                                arbitrary_file_identifier: None,
                                confirmation_time: None,
                                card: CardAuthentication {
                                    auth_certificate: Base64Bytes(m.der.to_vec()),
                                    nonce: Base64Bytes(nonce.clone()),
                                    method: AuthMethod::Pin,
                                    card_signature: Some(Base64Bytes(sig)),
                                    pin_tries_before_verify: Some(3),
                                    attestation: None,
                                },
                                consents: ConsentAnswers {
                                    medical_info: true,
                                    limit_info: true,
                                },
                                care_setting: CareSettingWire::Outpatient,
                                prescription_issue_select: None,
                            }
                        })
                        .collect()
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    Ok(parts.into_iter().flatten().collect())
}

fn in_process_round(
    engine: &Engine,
    reqs: &[CardConfirmationRequest],
    t: RequestTime,
    threads: usize,
) -> (f64, usize) {
    let per = reqs.len().div_ceil(threads.max(1)).max(1);
    let started = Instant::now();
    let valid: usize = std::thread::scope(|s| {
        reqs.chunks(per)
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .filter(|r| {
                            engine.confirm_card(r, t).result.is_ok_and(|res| {
                                res.message_body.qualification_validity
                                    == Some(QualificationValidity::Valid)
                            })
                        })
                        .count()
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|h| h.join().unwrap_or(0))
            .sum()
    });
    (reqs.len() as f64 / started.elapsed().as_secs_f64(), valid)
}

async fn http_round(
    client: &reqwest::Client,
    url: &str,
    reqs: Vec<CardConfirmationRequest>,
    concurrency: usize,
) -> (f64, usize) {
    let n = reqs.len();
    let queue = Arc::new(std::sync::Mutex::new(reqs));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency.max(1) {
        let queue = Arc::clone(&queue);
        let client = client.clone();
        let url = url.to_owned();
        tasks.push(tokio::spawn(async move {
            let mut ok = 0usize;
            loop {
                let next = queue.lock().ok().and_then(|mut q| q.pop());
                let Some(req) = next else { break };
                let resp = client.post(&url).json(&req).send().await;
                if let Ok(r) = resp
                    && r.status().is_success()
                    && r.bytes().await.is_ok()
                {
                    ok += 1;
                }
            }
            ok
        }));
    }
    let mut ok = 0;
    for t in tasks {
        ok += t.await.unwrap_or(0);
    }
    (n as f64 / started.elapsed().as_secs_f64(), ok)
}

fn population_check(args: &BackendBenchArgs) -> Result<(), CliError> {
    if args.population_check == 0 {
        return Ok(());
    }
    let before = memory_mib();
    let personas = args.population.world.personas()?;
    let started = Instant::now();
    let pop = Population::with_mix(
        args.population.world.seed,
        args.population_check,
        &personas,
        args.population.world.as_of(),
        PopulationMix::default(),
    )
    .map_err(|e| CliError::input(e.to_string()))?;
    let ready = started.elapsed();
    let started = Instant::now();
    let lookups = 100_000u64.min(pop.generated_count());
    let mut found = 0u64;
    let step = (pop.generated_count() / lookups.max(1)).max(1);
    for k in 0..lookups {
        let i = pop.persona_count() + (k * step) % pop.generated_count();
        let Some(p) = pop.person(i) else { continue };
        let q = &p.qualifications[0];
        let symbol = (!q.symbol.is_empty()).then_some(q.symbol.as_str());
        if pop.by_certificate_serial(p.card.certificate.serial) == Some(i)
            && pop.by_numbers(&q.insurer_number, symbol, &q.number, Some(&q.branch)) == Some((i, 0))
        {
            found += 1;
        }
    }
    let lookup_time = started.elapsed();
    let after = memory_mib();
    println!(
        "population: {} members ready in {:.1} ms; {lookups} members regenerated and looked up by serial and numbers in {:.0} ms ({:.1} µs each, {found} found)",
        pop.len(),
        ready.as_secs_f64() * 1000.0,
        lookup_time.as_secs_f64() * 1000.0,
        lookup_time.as_secs_f64() * 1e6 / lookups.max(1) as f64,
    );
    if let (Some((_, rss_before)), Some((peak, rss))) = (before, after) {
        println!(
            "population: resident memory {rss_before:.0} MiB → {rss:.0} MiB (peak {peak:.0} MiB) for the whole process"
        );
    }
    Ok(())
}

/// The in-process rounds after a warm-up that checks every confirmation is valid:
/// confirmations per second of each.
fn in_process_rounds(
    args: &BackendBenchArgs,
    engine: &Engine,
    members: &[Member],
    t: RequestTime,
) -> Result<Vec<f64>, CliError> {
    // Warm-up and a correctness check.
    let warm = signed_requests(engine, members, 200, t, args.threads)?;
    let (_, valid) = in_process_round(engine, &warm, t, args.threads);
    if valid != warm.len() {
        return Err(CliError::failed(format!(
            "only {valid} of {} warm-up confirmations were valid",
            warm.len()
        )));
    }
    let mut in_process = Vec::new();
    for _ in 0..args.rounds {
        let reqs = signed_requests(engine, members, args.requests, t, args.threads)?;
        let (rate, valid) = in_process_round(engine, &reqs, t, args.threads);
        if valid != reqs.len() {
            return Err(CliError::failed(format!("{valid} of {} valid", reqs.len())));
        }
        in_process.push(rate);
    }
    Ok(in_process)
}

/// The rounds over loopback HTTP (a warm-up round first, not counted), the server
/// on its own runtime: confirmations per second of each.
fn http_rounds(
    args: &BackendBenchArgs,
    engine: &Arc<Engine>,
    members: &[Member],
    t: RequestTime,
) -> Result<Vec<f64>, CliError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads.max(1))
        .enable_all()
        .build()
        .map_err(|e| CliError::failed(e.to_string()))?;
    let clock = ServerClock::start(engine.population().as_of());
    let state = AppState::new(Arc::clone(engine), clock, AuditLog::disabled());
    runtime.block_on(async {
        let (addr, server) = super::serve_loopback(state).await?;
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(args.concurrency)
            .tcp_nodelay(true)
            .build()
            .map_err(|e| CliError::failed(e.to_string()))?;
        let url = format!("http://{addr}/v1/confirmations/card");
        let mut rates = Vec::new();
        for round in 0..=args.rounds {
            let n = if round == 0 { 200 } else { args.requests };
            // Challenges come from the same engine the server runs; the HTTP clock's
            // ticks start later than `t`, and the 600 s lifetime covers the run.
            let reqs = signed_requests(engine, members, n, t, args.threads)?;
            let (rate, ok) = http_round(&client, &url, reqs, args.concurrency).await;
            if ok != n {
                return Err(CliError::failed(format!("HTTP: {ok} of {n} answered 200")));
            }
            if round > 0 {
                rates.push(rate);
            }
        }
        server.abort();
        Ok::<_, CliError>(rates)
    })
}

/// Prints the medians, the rounds and the ratio.
fn print_rates(args: &BackendBenchArgs, in_process: &[f64], over_http: &[f64]) {
    let a = median(in_process.to_vec());
    let b = median(over_http.to_vec());
    let fmt = |v: &[f64]| {
        v.iter()
            .map(|r| format!("{r:.0}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!(
        "in-process: median {a:.0} confirmations/s (rounds: {})",
        fmt(in_process)
    );
    println!(
        "loopback HTTP ({} in flight, client on the same cores): median {b:.0} confirmations/s (rounds: {})",
        args.concurrency,
        fmt(over_http)
    );
    println!(
        "ratio in-process / HTTP: {:.2}",
        a / b.max(f64::MIN_POSITIVE)
    );
}

pub(super) fn run_backend(args: BackendBenchArgs) -> Result<Exit, CliError> {
    if cfg!(debug_assertions) {
        eprintln!("warning: a debug build; benchmark with `cargo run --release -- bench backend`");
    }
    println!(
        "onshi bench backend: {} cores available, {} threads, {} requests × {} rounds",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        args.threads,
        args.requests,
        args.rounds
    );
    population_check(&args)?;
    let backend = build_engine(&args.population, DefectSet::NONE, true, 600_000)?;
    let engine = backend.engine;
    let issuer = CertificateIssuer::from_seed(
        args.population.world.seed,
        args.population.world.key_cache(),
        onshi::population::certs::DEFAULT_POOL_SIZE,
    )
    .map_err(|e| CliError::failed(e.to_string()))?;
    let members = pick_members(&engine, &issuer, 256)?;
    let t = RequestTime {
        now: engine.population().as_of(),
        tick: onshi::protocol::Tick(0),
    };
    let in_process = in_process_rounds(&args, &engine, &members, t)?;
    let over_http = http_rounds(&args, &engine, &members, t)?;
    print_rates(&args, &in_process, &over_http);
    Ok(Exit::Passed)
}
