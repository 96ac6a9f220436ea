//! Everything a run needs before the attack: the shard's pools of patients, the
//! schedule, reader credentials, the environment, and the probe of an external
//! backend.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::NaiveDateTime;

use super::facility::{Job, Schedule, Shard};
use super::patients::{Auth, Drawer, Path, Patient, Pools};
use super::run::{Prepared, facilities};
use super::scenario::{PatientState, Scenario};
use super::visit::{Desk, Env, run_job};
use super::wire::DirectWire;
use onshi_backend::backend::{AnyBackend, Capabilities};
use onshi_domain::rules::RulesCalendar;
use onshi_pki::pki::ReaderCa;
use onshi_world::population::{CertificateIssuer, Population};

/// Members scanned per shard to fill the pools.
pub const POOL_SCAN_CAP: u64 = 50_000;

/// Card profiles issued ahead of the run (and kept).
pub const CARD_CACHE: usize = 200_000;

/// The inputs.
#[derive(Debug, Clone)]
pub struct Input {
    /// The scenario (already scaled).
    pub scenario: Scenario,
    /// This shard.
    pub shard: Shard,
    /// Seed of arrivals and draws.
    pub seed: u64,
    /// The population's seed (reader CA, keys).
    pub population_seed: u64,
    /// What the backend can carry.
    pub capabilities: Capabilities,
}

/// A prepared run.
#[derive(Debug)]
pub struct Setup {
    /// For [`super::run::attack`].
    pub prepared: Prepared,
    /// The shard's slice of generated members.
    pub members: (u64, u64),
    /// Facilities of the shard.
    pub facilities: u64,
    /// Whether the Monday factor applied.
    pub monday: bool,
    /// Warnings for the report.
    pub notes: Vec<String>,
}

/// The window start of the as-of date.
pub fn window_start(scenario: &Scenario, as_of: NaiveDateTime) -> NaiveDateTime {
    as_of.date().and_time(scenario.window.start)
}

/// Builds pools, schedule, facilities and the environment.
pub fn prepare(
    input: &Input,
    population: Arc<Population>,
    issuer: CertificateIssuer,
) -> Result<Setup, String> {
    let mut scenario = input.scenario.clone();
    let mut notes = Vec::new();
    if !input.capabilities.card {
        for f in &mut scenario.facilities {
            f.card_share = 0.0;
        }
        notes.push(
            "the backend cannot carry card confirmations: every patient is confirmed by numbers (and bulk)"
                .into(),
        );
    }
    let calendar = RulesCalendar::reference();
    let as_of = population.as_of();
    let start = window_start(&scenario, as_of);
    let classify_at = as_of.date().and_time(scenario.window.open);
    let (lo, hi) = input.shard.members(&population);
    if hi <= lo {
        return Err(format!(
            "shard {} has no generated members (population size {})",
            input.shard,
            population.generated_count()
        ));
    }
    let pools = Pools::scan(&population, &calendar, classify_at, lo, hi, POOL_SCAN_CAP);
    for s in Drawer::missing(&scenario.patients, &pools) {
        notes.push(format!(
            "no member of shard {} is in state {}: its weight is dropped (grow --size)",
            input.shard,
            s.name()
        ));
    }
    let drawer = Drawer::new(&scenario.patients, &pools);
    let schedule = Schedule::build(&scenario, input.seed, start, input.shard, &pools, &drawer);
    let monday = schedule.monday;
    let readers = ReaderCa::generate(input.population_seed).map_err(|e| e.to_string())?;
    let facilities_rt = facilities(schedule, &readers, as_of)?;
    let members: BTreeSet<u64> = facilities_rt
        .iter()
        .flat_map(|f| f.plan.arrivals.iter())
        .filter_map(|a| match a.job {
            Job::Visit(p) if p.path == Path::Card => Some(p.member),
            _ => None,
        })
        .collect();
    let env = Env::new(
        Arc::clone(&population),
        issuer,
        calendar,
        start,
        scenario.retry,
        CARD_CACHE,
    );
    env.warm_cards(members);
    let n = facilities_rt.len() as u64;
    Ok(Setup {
        prepared: Prepared {
            env: Arc::new(env),
            facilities: facilities_rt,
            compression: scenario.window.compression,
            interval: scenario.run.interval,
            drain: scenario.run.drain,
            window: scenario.window.real_duration(),
            request_timeout: scenario.run.request_timeout,
        },
        members: (lo, hi),
        facilities: n,
        monday,
        notes,
    })
}

/// Why an external backend cannot be load-tested.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProbeError {
    /// It does not answer.
    #[error("the backend does not answer: {0}")]
    Unreachable(String),
    /// It answers, but not for the scenario's population.
    #[error(
        "the backend does not know the scenario's population ({0}); provision it with `onshi population export --seed {seed} --size {size} --as-of {as_of} --format jsonl --out pop/` (see docs/implementing-a-backend.md)",
        seed = .1, size = .2, as_of = .3
    )]
    UnknownPopulation(String, u64, u64, String),
}

/// Up to `n` members of the shard whose visit at the window's start is standard
/// (insured, registered, nothing unusual), in index order.
fn standard_members(setup: &Setup, n: u32) -> Vec<u64> {
    let env = &setup.prepared.env;
    let calendar = RulesCalendar::reference();
    let (lo, hi) = setup.members;
    (lo..hi)
        .filter(|&i| {
            env.population.person(i).is_some_and(|p| {
                super::patients::classify(&calendar, &p, env.window_start) == PatientState::Standard
            })
        })
        .take(n as usize)
        .collect()
}

/// Probes `backend` with up to `n` standard members of the shard: a numbers
/// confirmation each, and a face-path card confirmation where the backend carries
/// cards. Any error → unreachable; answers that read as an unknown person (資格情報
/// なし, refused, charged 10割) → unknown population; any other wrong answer (another
/// person's record, a wrong ratio) is the backend's defect: the load runs and counts it.
pub async fn probe(
    setup: &Setup,
    backend: AnyBackend,
    n: u32,
    population_seed: u64,
) -> Result<(), ProbeError> {
    use onshi_backend::backend::QualificationBackend as _;
    let env = &setup.prepared.env;
    let pop = &env.population;
    let Some(f) = setup.prepared.facilities.first() else {
        return Ok(());
    };
    let caps = backend.capabilities();
    let picked = standard_members(setup, n);
    let unknown = |detail: String| {
        ProbeError::UnknownPopulation(
            detail,
            population_seed,
            pop.generated_count(),
            pop.as_of().format("%Y-%m-%dT%H:%M").to_string(),
        )
    };
    let mut wire = DirectWire::new(backend);
    for (k, member) in picked.into_iter().enumerate() {
        let path = if caps.card && k == 0 {
            Path::Card
        } else {
            Path::ClinicRecord
        };
        let patient = Patient {
            member,
            path,
            auth: Auth::Face,
            face_mismatch: false,
            pin_typo: false,
            accepts_registration: false,
            medical_consent: Some(true),
        };
        let desk = Desk {
            code: &f.plan.code,
            reader: &f.reader,
            booked: &[],
            id: f.plan.id,
        };
        let r = run_job(
            env,
            desk,
            Job::Visit(patient),
            0.0,
            std::time::Instant::now(),
            &mut wire,
        )
        .await;
        if let Some(e) = r.error {
            return Err(ProbeError::Unreachable(format!(
                "{} ({})",
                e.name(),
                r.kinds[0]
            )));
        }
        if let Some(s) = r.failures.first() {
            if r.failures.iter().all(|s| s.kind.may_mean_unprovisioned()) {
                return Err(unknown(format!("{}: {}", s.member, s.detail)));
            }
            // The backend knows the person and answered wrongly (another person's
            // record, a wrong ratio, …): a defect of the backend, not of its
            // provisioning. The run goes on and counts it.
            tracing::warn!(
                "probe: {} for {}: {} — running the load, which counts such failures",
                s.kind.name(),
                s.member,
                s.detail
            );
            return Ok(());
        }
    }
    Ok(())
}
