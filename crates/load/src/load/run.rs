//! The Goose attack: one Goose user per reader lane, an open schedule on a shared
//! clock, and a coordinator that rotates the interval histograms, draws the progress
//! line and ends the run.
//!
//! - Every lane claims a (facility, reader) slot in `on_start`; once every lane has
//!   one, the schedule's clock starts (t0 = the window start in real time).
//! - A lane loops over two transactions: `await patient` takes the next job of its
//!   facility's queue (shared by the facility's readers) and sleeps until its intended
//!   arrival; `visit` runs it ([`super::visit::run_job`]). A patient arriving while
//!   every reader is busy waits in the queue, and that wait is part of the response
//!   time: latency is measured from the intended arrival, so a slow backend cannot
//!   hide behind fewer requests (no coordinated omission).
//! - The run ends when every job is finished, when the drain time after the last
//!   arrival is over, or on a signal ([`AttackOptions::stop`]): no job starts after
//!   it, jobs in flight get the grace time, and the report is still written, marked
//!   interrupted, with the jobs that never ran counted apart from failures.

use std::collections::BTreeMap;
use std::path::Path as FsPath;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use goose::client::GooseClientBuilder;
use goose::config::GooseConfiguration;
use goose::prelude::*;
use onshi_support::stop::{GRACE, Stop, StopSignal};
use tokio::sync::watch;

use super::facility::{FacilityPlan, Job, Schedule};
use super::live::Frame;
use super::metrics::{JobResult, Recorder};
use super::scenario::FacilityKind;
use super::summary::GooseRow;
use super::visit::{Desk, Env, run_job};
use super::wire::{ClientOutage, GooseWire, Transport};
use onshi_domain::protocol::ServerClock;
use onshi_pki::pki::ReaderCredential;
use onshi_reader::reader::ReaderConfig;

mod coordinator;
mod feed;
use coordinator::coordinate;
use feed::Feed;

/// A facility at run time: its plan, reader credential and queue position.
#[derive(Debug)]
pub struct FacilityRt {
    /// The plan.
    pub plan: FacilityPlan,
    /// The facility's reader: its device credential (特定機関認証 model) and policy.
    pub reader: ReaderConfig,
    next: AtomicUsize,
}

impl FacilityRt {
    /// Wraps a plan.
    pub fn new(plan: FacilityPlan, credential: ReaderCredential) -> Self {
        Self {
            reader: ReaderConfig::reference(plan.code.clone(), Arc::new(credential)),
            plan,
            next: AtomicUsize::new(0),
        }
    }
}

/// What a run needs, built before the attack.
#[derive(Debug)]
pub struct Prepared {
    /// The environment of every job.
    pub env: Arc<Env>,
    /// The facilities.
    pub facilities: Vec<FacilityRt>,
    /// Simulated seconds per real second.
    pub compression: f64,
    /// Interval of the logs.
    pub interval: Duration,
    /// How long after the window to wait for stragglers.
    pub drain: Duration,
    /// Real length of the window.
    pub window: Duration,
    /// HTTP request timeout.
    pub request_timeout: Duration,
}

impl Prepared {
    /// Jobs in the schedule.
    pub fn jobs(&self) -> u64 {
        self.facilities
            .iter()
            .map(|f| f.plan.arrivals.len() as u64)
            .sum()
    }

    /// Reader lanes.
    pub fn lanes(&self) -> usize {
        self.facilities
            .iter()
            .map(|f| f.plan.readers as usize)
            .sum()
    }

    /// Real offsets (seconds after t0) of every job.
    pub fn offsets(&self) -> Vec<f64> {
        self.facilities
            .iter()
            .flat_map(|f| f.plan.arrivals.iter().map(|a| a.sim_s / self.compression))
            .collect()
    }
}

/// Builds the run-time facilities of a schedule, with a reader credential each.
pub fn facilities(
    schedule: Schedule,
    readers: &onshi_pki::pki::ReaderCa,
    as_of: chrono::NaiveDateTime,
) -> Result<Vec<FacilityRt>, String> {
    schedule
        .facilities
        .into_iter()
        .map(|plan| {
            let cred = readers
                .issue_device(
                    &format!("onshi-load-reader-{}", plan.id),
                    plan.code.as_str(),
                    as_of - chrono::Duration::days(365),
                    as_of + chrono::Duration::days(365),
                )
                .map_err(|e| format!("reader credential: {e}"))?;
            Ok(FacilityRt::new(plan, cred))
        })
        .collect()
}

/// Where the backend is.
#[derive(Debug, Clone)]
pub struct Target {
    /// Base URL for Goose (a placeholder for the folder).
    pub base_url: String,
    /// How requests travel.
    pub transport: Transport,
    /// A client-side outage, in real seconds after t0.
    pub client_outage: Option<(f64, f64)>,
    /// Clock for XML requests without a time (unused when times are given).
    pub clock: ServerClock,
}

/// Options of the attack.
#[derive(Debug, Clone)]
pub struct AttackOptions {
    /// Draw the progress line (on a terminal).
    pub progress: bool,
    /// Where Goose writes its own reports (`goose-report.{html,json,md}`), if anywhere.
    pub goose_reports: Option<std::path::PathBuf>,
    /// A signal ends the schedule: no job starts after it, jobs in flight get the
    /// grace time ([`onshi_support::stop::GRACE`], or until a second signal).
    pub stop: Stop,
    /// The dashboard's frames ([`super::live`]), if one is shown: a frame at every
    /// tick of the scenario's interval and at least every 500 ms, and one after the
    /// last job. The frame in the channel gives the run id and scenario.
    pub live: Option<watch::Sender<Frame>>,
}

/// CPU time of the whole process (user + system), for cost-per-visit figures.
pub fn process_cpu() -> Duration {
    // SAFETY: an all-zero rusage is a valid value for getrusage to overwrite.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: RUSAGE_SELF with a pointer to a live rusage.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) } != 0 {
        return Duration::ZERO;
    }
    let tv = |t: libc::timeval| {
        Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0))
            + Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0))
    };
    tv(u.ru_utime) + tv(u.ru_stime)
}

/// What the attack produced.
#[derive(Debug)]
pub struct AttackOutput {
    /// The recorder (counters, samples, intervals).
    pub recorder: Arc<Recorder>,
    /// Real duration from t0 to the end.
    pub duration: Duration,
    /// The signal that stopped the run, if one did.
    pub interrupted: Option<StopSignal>,
    /// Goose's request counts.
    pub goose: BTreeMap<String, GooseRow>,
    /// Jobs never finished.
    pub unfinished: u64,
    /// Process CPU time from t0 to the end of the schedule.
    pub cpu: Duration,
}

/// Why the attack failed.
#[derive(Debug, thiserror::Error)]
pub enum AttackError {
    /// Goose refused the configuration or failed.
    #[error("goose: {0}")]
    Goose(String),
}

fn goose_error(e: GooseError) -> AttackError {
    AttackError::Goose(format!("{e} ({e:?})"))
}

/// The lane a Goose user plays.
#[derive(Debug, Clone)]
struct Lane {
    facility: usize,
    /// The job taken: the job, its simulated arrival, and when it could start (its
    /// intended arrival, or the moment the lane took it when that was later).
    current: Option<(Job, f64, Instant)>,
}

struct Shared {
    prepared: Prepared,
    target: Target,
    recorder: Arc<Recorder>,
    lanes_by_kind: Mutex<BTreeMap<FacilityKind, Vec<usize>>>,
    claimed: AtomicUsize,
    lanes: usize,
    t0_tx: watch::Sender<Option<Instant>>,
    stop_tx: watch::Sender<bool>,
    finished: AtomicU64,
    jobs: u64,
    outage: Mutex<ClientOutage>,
}

impl Shared {
    fn t0(&self) -> Option<Instant> {
        *self.t0_tx.borrow()
    }

    fn stopped(&self) -> bool {
        *self.stop_tx.borrow()
    }

    fn stop(&self) {
        self.stop_tx.send_replace(true);
    }

    fn claim(&self, kind: FacilityKind) -> Option<usize> {
        let mut map = self
            .lanes_by_kind
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(f) = map.get_mut(&kind).and_then(Vec::pop) {
            return Some(f);
        }
        map.values_mut().find_map(Vec::pop)
    }

    fn start_clock(&self) {
        let t0 = Instant::now() + Duration::from_millis(200);
        let started = self.t0_tx.send_if_modified(|v| {
            if v.is_none() {
                *v = Some(t0);
                true
            } else {
                false
            }
        });
        if started && let Some((a, b)) = self.target.client_outage {
            *self.outage.lock().unwrap_or_else(PoisonError::into_inner) = Some((
                t0 + Duration::from_secs_f64(a),
                t0 + Duration::from_secs_f64(b),
            ));
        }
    }
}

async fn until_stopped(shared: &Shared) {
    let mut rx = shared.stop_tx.subscribe();
    let _ = rx.wait_for(|s| *s).await;
}

async fn claim_lane(
    shared: Arc<Shared>,
    kind: FacilityKind,
    user: &mut GooseUser,
) -> TransactionResult {
    let facility = shared.claim(kind);
    if let Some(f) = facility {
        user.set_session_data(Lane {
            facility: f,
            current: None,
        });
    }
    if shared.claimed.fetch_add(1, Ordering::SeqCst) + 1 >= shared.lanes {
        shared.start_clock();
    }
    Ok(())
}

async fn await_patient(shared: Arc<Shared>, user: &mut GooseUser) -> TransactionResult {
    let Some(lane) = user.get_session_data::<Lane>().cloned() else {
        until_stopped(&shared).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        return Ok(());
    };
    let t0 = {
        let mut rx = shared.t0_tx.subscribe();
        let mut stop = shared.stop_tx.subscribe();
        tokio::select! {
            v = rx.wait_for(Option::is_some) => v.ok().and_then(|v| *v),
            _ = stop.wait_for(|s| *s) => None,
        }
    };
    let Some(t0) = t0.filter(|_| !shared.stopped()) else {
        tokio::time::sleep(Duration::from_millis(50)).await;
        return Ok(());
    };
    let f = &shared.prepared.facilities[lane.facility];
    let idx = f.next.fetch_add(1, Ordering::SeqCst);
    let Some(arrival) = f.plan.arrivals.get(idx).copied() else {
        // Nothing more at this facility: idle until the run ends.
        until_stopped(&shared).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        return Ok(());
    };
    let intended = t0 + Duration::from_secs_f64(arrival.sim_s / shared.prepared.compression);
    // A lane that takes its patient late (it was busy) could start no earlier.
    let ready = intended.max(Instant::now());
    let mut stop = shared.stop_tx.subscribe();
    tokio::select! {
        () = tokio::time::sleep_until(intended.into()) => {}
        _ = stop.wait_for(|s| *s) => return Ok(()),
    }
    if let Some(l) = user.get_session_data_mut::<Lane>() {
        l.current = Some((arrival.job, arrival.sim_s, ready));
    }
    Ok(())
}

async fn visit_tx(shared: Arc<Shared>, user: &mut GooseUser) -> TransactionResult {
    let Some((facility, (job, sim_s, ready))) = user.get_session_data_mut::<Lane>().and_then(|l| {
        let f = l.facility;
        l.current.take().map(|c| (f, c))
    }) else {
        return Ok(());
    };
    let Some(t0) = shared.t0() else {
        return Ok(());
    };
    let intended = t0 + Duration::from_secs_f64(sim_s / shared.prepared.compression);
    shared
        .recorder
        .started(Instant::now().saturating_duration_since(ready));
    let f = &shared.prepared.facilities[facility];
    let desk = Desk {
        code: &f.plan.code,
        reader: &f.reader,
        booked: &f.plan.booked,
        id: f.plan.id,
    };
    let outage = *shared.outage.lock().unwrap_or_else(PoisonError::into_inner);
    let result: JobResult = {
        let mut wire = GooseWire::new(user, &shared.target.transport, outage, &shared.target.clock);
        run_job(&shared.prepared.env, desk, job, sim_s, intended, &mut wire).await
    };
    let failed: Vec<&'static str> = result.failures.iter().map(|f| f.kind.name()).collect();
    shared.recorder.finish(result);
    if shared.finished.fetch_add(1, Ordering::SeqCst) + 1 >= shared.jobs {
        shared.stop();
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Box::new(TransactionError::Custom(failed.join(", "))))
    }
}

fn goose_config(
    base_url: &str,
    users: usize,
    run_time: Duration,
    reports: Option<&FsPath>,
) -> GooseConfiguration {
    let mut c = GooseConfiguration::default();
    c.host = Some(base_url.to_owned());
    c.users = Some(users.max(1));
    c.increase_rate = Some(format!("{}", users.max(1) * 2));
    c.run_time = Some(format!("{}", run_time.as_secs().max(1)));
    c.no_reset_metrics = true;
    c.no_telnet = true;
    c.no_print_metrics = true;
    c.no_error_summary = true;
    c.quiet = 1;
    if let Some(dir) = reports {
        c.report_file = ["goose-report.html", "goose-report.json", "goose-report.md"]
            .iter()
            .map(|n| dir.join(n).display().to_string())
            .collect();
    }
    c
}

/// Reader lanes by facility kind: a facility index per reader, popped in plan order.
fn lanes_by_kind(prepared: &Prepared) -> BTreeMap<FacilityKind, Vec<usize>> {
    let mut by_kind: BTreeMap<FacilityKind, Vec<usize>> = BTreeMap::new();
    for (i, f) in prepared.facilities.iter().enumerate() {
        for _ in 0..f.plan.readers {
            by_kind.entry(f.plan.kind).or_default().push(i);
        }
    }
    for v in by_kind.values_mut() {
        v.reverse();
    }
    by_kind
}

/// The Goose scenario of one facility kind's `n` lanes: claim, await, visit.
fn lane_scenario(
    shared: &Arc<Shared>,
    kind: FacilityKind,
    n: usize,
) -> Result<goose::prelude::Scenario, AttackError> {
    let s1 = Arc::clone(shared);
    let s2 = Arc::clone(shared);
    let s3 = Arc::clone(shared);
    Ok(
        goose::prelude::Scenario::new(&format!("{} reader", kind.name()))
            .set_weight(n)
            .map_err(goose_error)?
            .register_transaction(
                Transaction::new(Arc::new(move |u| {
                    Box::pin(claim_lane(Arc::clone(&s1), kind, u))
                }))
                .set_name("claim lane")
                .set_on_start(),
            )
            .register_transaction(
                Transaction::new(Arc::new(move |u| {
                    Box::pin(await_patient(Arc::clone(&s2), u))
                }))
                .set_name("await patient")
                .set_sequence(1),
            )
            .register_transaction(
                Transaction::new(Arc::new(move |u| Box::pin(visit_tx(Arc::clone(&s3), u))))
                    .set_name("visit")
                    .set_sequence(2),
            ),
    )
}

/// Goose's request counts by request name (the transaction prefix dropped).
fn goose_rows(metrics: &goose::metrics::GooseMetrics) -> BTreeMap<String, GooseRow> {
    let mut goose_rows = BTreeMap::new();
    for (key, agg) in &metrics.requests {
        let name = key
            .split_once(' ')
            .map_or(key.as_str(), |(_, n)| n)
            .to_owned();
        let row: &mut GooseRow = goose_rows.entry(name).or_default();
        row.requests += (agg.success_count + agg.fail_count) as u64;
        row.fails += agg.fail_count as u64;
    }
    goose_rows
}

/// Runs the attack.
pub async fn attack(
    prepared: Prepared,
    target: Target,
    opts: AttackOptions,
) -> Result<AttackOutput, AttackError> {
    let jobs = prepared.jobs();
    let lanes = prepared.lanes();
    let by_kind = lanes_by_kind(&prepared);
    let counts: Vec<(FacilityKind, usize)> = by_kind.iter().map(|(k, v)| (*k, v.len())).collect();
    let (t0_tx, _) = watch::channel(None);
    let (stop_tx, _) = watch::channel(false);
    let recorder = Arc::new(Recorder::new(Instant::now(), jobs));
    let run_bound = prepared.window + prepared.drain + Duration::from_secs(30);
    let request_timeout = prepared.request_timeout;
    let shared = Arc::new(Shared {
        prepared,
        target: target.clone(),
        recorder: Arc::clone(&recorder),
        lanes_by_kind: Mutex::new(by_kind),
        claimed: AtomicUsize::new(0),
        lanes,
        t0_tx,
        stop_tx,
        finished: AtomicU64::new(0),
        jobs,
        outage: Mutex::new(None),
    });
    if jobs == 0 {
        shared.stop();
    }

    let mut attack = GooseAttack::initialize_with_config(goose_config(
        &target.base_url,
        lanes,
        run_bound,
        opts.goose_reports.as_deref(),
    ))
    .map_err(goose_error)?
    .set_client_builder_without_cookies(
        GooseClientBuilder::new()
            .without_cookies()
            .timeout(request_timeout),
    )
    .map_err(goose_error)?;
    for (kind, n) in counts {
        attack = attack.register_scenario(lane_scenario(&shared, kind, n)?);
    }

    let (t0_out_tx, t0_out_rx) = tokio::sync::oneshot::channel::<Instant>();
    let (cpu_tx, cpu_rx) = tokio::sync::oneshot::channel::<Duration>();
    let feed = |tx: &watch::Sender<Frame>| Feed::new(tx.clone(), &shared.prepared, Instant::now());
    let coordinator = tokio::spawn(coordinate(
        Arc::clone(&shared),
        opts.stop.clone(),
        opts.progress,
        opts.live.as_ref().map(feed),
        t0_out_tx,
        cpu_tx,
    ));
    // After a signal, Goose ends once its users finish the job in hand; past the grace
    // time (or on a second signal) the jobs still in flight are abandoned.
    let result = tokio::select! {
        r = attack.execute() => Some(r),
        () = async {
            opts.stop.until_requested().await;
            tokio::select! {
                () = tokio::time::sleep(GRACE) => {}
                () = opts.stop.until_hurried() => {}
            }
        } => None,
    };
    shared.stop();
    let _ = coordinator.await;
    let t0 = t0_out_rx.await.unwrap_or_else(|_| recorder.t0());
    let cpu = cpu_rx.await.unwrap_or_default();
    let end = Instant::now();
    let _ = recorder.rotate_measured(end, Some(process_cpu()));
    if let Some(tx) = &opts.live {
        // After the last job: every figure and the latest evidence of every failure
        // (the CPU share stays the last whole interval's).
        let share = tx.borrow().generator_cpu;
        feed(tx).publish(&recorder, t0, end, share, opts.stop.requested().is_some());
    }
    let goose = match result {
        Some(r) => goose_rows(&r.map_err(goose_error)?),
        None => BTreeMap::new(),
    };
    let finished = shared.finished.load(Ordering::SeqCst);
    Ok(AttackOutput {
        recorder,
        duration: end.saturating_duration_since(t0),
        interrupted: opts.stop.requested(),
        goose,
        unfinished: jobs.saturating_sub(finished),
        cpu,
    })
}
