//! Load scenarios (`scenarios/*.toml`): the facilities, the arrival curve of the
//! simulated morning, the patient mix, retries, faults and the SLOs. Parsing and
//! validation only; every problem is an [`InputError`] with file, line and field.
//!
//! See `docs/load.md` for the format with an example of every section.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use chrono::NaiveTime;
use serde::{Deserialize, Serialize};

use crate::server::faults::{FaultConfig, Latency};
use crate::tomlsrc::{InputError, TomlSource};

/// The kinds of facility (domain.md §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FacilityKind {
    /// 病院 (up to 3 readers).
    Hospital,
    /// 医科診療所.
    Clinic,
    /// 歯科.
    Dental,
    /// 薬局.
    Pharmacy,
}

impl FacilityKind {
    /// Every kind, in report order.
    pub const ALL: [FacilityKind; 4] = [Self::Hospital, Self::Clinic, Self::Dental, Self::Pharmacy];

    /// The name used in files and reports.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Hospital => "hospital",
            Self::Clinic => "clinic",
            Self::Dental => "dental",
            Self::Pharmacy => "pharmacy",
        }
    }

    /// 点数表番号 of the 医療機関コード (`1` 医科, `3` 歯科, `4` 調剤).
    pub const fn fee_schedule(self) -> u8 {
        match self {
            Self::Hospital | Self::Clinic => 1,
            Self::Dental => 3,
            Self::Pharmacy => 4,
        }
    }

    /// Readers a facility of this kind may have (hospitals up to 3, others 1).
    pub const fn max_readers(self) -> u32 {
        match self {
            Self::Hospital => 3,
            _ => 1,
        }
    }
}

/// A member state the patient mix can weight (classified from the ground truth, see
/// [`super::patients::classify`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PatientState {
    /// Registered, certificate valid, PIN usable, a visible record in force.
    Standard,
    /// 保険証利用登録 never done, or cancelled.
    Unregistered,
    /// User-authentication PIN locked.
    PinLocked,
    /// PIN-less 顔認証マイナンバーカード.
    Pinless,
    /// Certificate expiring within 3 months, expired (grace or beyond), or renewed.
    CertificateIssue,
    /// Certificate revoked (lost card).
    Revoked,
    /// Job change: the new record not registered centrally yet (FAQ-4-14), or an
    /// accuracy hold.
    JobChangeLag,
    /// Job change done: an old record superseded by a visible new one.
    JobChangeDone,
    /// Non-disclosure, 医療扶助 and other rare situations.
    Other,
}

impl PatientState {
    /// Every state, in report order.
    pub const ALL: [PatientState; 9] = [
        Self::Standard,
        Self::Unregistered,
        Self::PinLocked,
        Self::Pinless,
        Self::CertificateIssue,
        Self::Revoked,
        Self::JobChangeLag,
        Self::JobChangeDone,
        Self::Other,
    ];

    /// The name used in files and reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::Unregistered => "unregistered",
            Self::PinLocked => "pin_locked",
            Self::Pinless => "pinless",
            Self::CertificateIssue => "certificate_issue",
            Self::Revoked => "revoked",
            Self::JobChangeLag => "job_change_lag",
            Self::JobChangeDone => "job_change_done",
            Self::Other => "other",
        }
    }
}

// ---------------------------------------------------------------------------------
// The file as written.

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    name: Option<String>,
    #[serde(default)]
    description: String,
    window: WindowFile,
    #[serde(default, rename = "facility")]
    facilities: Vec<FacilityFile>,
    #[serde(default)]
    patients: PatientsFile,
    #[serde(default)]
    backend: BackendFile,
    #[serde(default)]
    run: RunFile,
    #[serde(default)]
    retry: RetryFile,
    #[serde(default)]
    faults: Option<FaultsFile>,
    slo: SloFile,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WindowFile {
    start: String,
    end: String,
    open: Option<String>,
    #[serde(default)]
    queue_at_open: f64,
    #[serde(default = "one")]
    monday_factor: f64,
    compression: f64,
    curve: Vec<CurvePointFile>,
    bulk_at: Option<String>,
}

fn one() -> f64 {
    1.0
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CurvePointFile {
    at: String,
    rate: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FacilityFile {
    kind: FacilityKind,
    count: u32,
    #[serde(default = "one_u32")]
    readers: u32,
    patients: f64,
    card_share: f64,
    #[serde(default)]
    bulk_share: f64,
}

fn one_u32() -> u32 {
    1
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PatientsFile {
    auth: Option<BTreeMap<String, f64>>,
    face_mismatch: Option<f64>,
    pin_typo: Option<f64>,
    accept_registration: Option<f64>,
    medical_consent: Option<f64>,
    kakunin_share: Option<f64>,
    states: Option<BTreeMap<String, f64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct BackendFile {
    target: Option<String>,
    size: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RunFile {
    seed: Option<u64>,
    interval_ms: Option<u64>,
    request_timeout_ms: Option<u64>,
    drain_s: Option<u64>,
    probe: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RetryFile {
    max_attempts: Option<u32>,
    backoff_ms: Option<u64>,
    give_up_after_ms: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultsFile {
    latency: Option<String>,
    error_rate: Option<f64>,
    burst: Option<String>,
    reset_rate: Option<f64>,
    outage: Option<String>,
    outage_side: Option<String>,
    seed: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SloFile {
    error_rate: f64,
    #[serde(default)]
    ten_wari: u64,
    #[serde(default)]
    wrong_person: u64,
    semantic_failures: Option<u64>,
    #[serde(default)]
    latency: Vec<LatencySloFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LatencySloFile {
    transaction: String,
    percentile: f64,
    max_ms: f64,
    #[serde(default)]
    measure: Option<String>,
}

// ---------------------------------------------------------------------------------
// The validated scenario.

/// One point of the arrival curve: relative intensity at a simulated time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CurvePoint {
    /// Simulated seconds after the window start.
    pub at_s: f64,
    /// Relative intensity (any unit; the curve is normalised).
    pub rate: f64,
}

/// The simulated window and how arrivals spread over it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Window {
    /// Simulated start (JST time of day).
    pub start: NaiveTime,
    /// Simulated end.
    pub end: NaiveTime,
    /// Opening time: the queue at the door arrives here.
    pub open: NaiveTime,
    /// Share of the window's patients already waiting at opening.
    pub queue_at_open: f64,
    /// Factor on every facility's patients when the day is a Monday.
    pub monday_factor: f64,
    /// Simulated seconds per real second.
    pub compression: f64,
    /// The intensity curve, linear between points, over the whole window.
    pub curve: Vec<CurvePoint>,
    /// When facilities send their bulk inquiry for booked patients.
    pub bulk_at: NaiveTime,
}

impl Window {
    /// Simulated length in seconds.
    pub fn sim_seconds(&self) -> f64 {
        (self.end - self.start).num_seconds() as f64
    }

    /// Real length of the window.
    pub fn real_duration(&self) -> Duration {
        Duration::from_secs_f64(self.sim_seconds() / self.compression)
    }

    /// Simulated seconds after the start of a time of day (clamped into the window).
    pub fn offset_of(&self, t: NaiveTime) -> f64 {
        ((t - self.start).num_milliseconds() as f64 / 1000.0).clamp(0.0, self.sim_seconds())
    }
}

/// A group of identical facilities.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FacilityGroup {
    /// The kind.
    pub kind: FacilityKind,
    /// How many.
    pub count: u32,
    /// Readers (lanes) each.
    pub readers: u32,
    /// Patients each sees in the window on an ordinary day (before the Monday factor).
    pub patients: f64,
    /// Share of patients confirmed with the card at the reader.
    pub card_share: f64,
    /// Share of the other patients confirmed by the bulk inquiry beforehand.
    pub bulk_share: f64,
}

/// Auth-method choices at the reader (shares add up to 1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AuthMix {
    /// 顔認証.
    pub face: f64,
    /// 暗証番号.
    pub pin: f64,
    /// 目視確認.
    pub visual: f64,
}

/// Who the patients are and what they do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatientMix {
    /// Auth method chosen at the reader.
    pub auth: AuthMix,
    /// Share of face attempts the camera does not match.
    pub face_mismatch: f64,
    /// Share of PIN entries with one typo first.
    pub pin_typo: f64,
    /// Share of unregistered patients who register on the spot when offered.
    pub accept_registration: f64,
    /// Share of patients consenting to medical-information sharing (`None` = each
    /// member's own answer).
    pub medical_consent: Option<f64>,
    /// Share of numbers-path patients presenting a 資格確認書 (the others are repeat
    /// patients the clinic keys in from its records), when they hold one.
    pub kakunin_share: f64,
    /// Weights of member states among card-path patients (`None` = as the population
    /// has them).
    pub states: Option<BTreeMap<PatientState, f64>>,
}

/// Retries of a backend call that got no answer (transport error, timeout, 5xx).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RetryPolicy {
    /// Attempts per call, the first included.
    pub max_attempts: u32,
    /// Wait between attempts.
    pub backoff: Duration,
    /// Give up (the clinic falls back) after this long in one visit.
    pub give_up_after: Duration,
}

/// Where an outage happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OutageSide {
    /// The backend answers 503 (reference backend fault injection).
    Backend,
    /// The facilities' line is down: requests fail at the client.
    Client,
}

/// An outage window in real seconds after the schedule starts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Outage {
    /// Start, real seconds after t0.
    pub from_s: f64,
    /// End.
    pub to_s: f64,
    /// Where.
    pub side: OutageSide,
}

/// Faults for the embedded reference backend, plus an outage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Faults {
    /// Injected into the embedded backend (latency, error rate, 503 bursts, resets).
    pub backend: FaultConfig,
    /// The outage window.
    pub outage: Option<Outage>,
}

/// Which latency a latency SLO holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Measure {
    /// From the intended arrival (coordinated-omission safe).
    Response,
    /// From the moment a reader lane took the patient.
    Service,
}

impl Measure {
    /// The name used in tags and reports.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Response => "response",
            Self::Service => "service",
        }
    }
}

/// A latency SLO.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatencySlo {
    /// A transaction kind ([`super::metrics::TX_KINDS`]).
    pub transaction: String,
    /// Percentile (0–100].
    pub percentile: f64,
    /// Maximum in milliseconds.
    pub max_ms: f64,
    /// Which latency.
    pub measure: Measure,
}

/// The SLOs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Slos {
    /// Maximum share of visits without a backend answer.
    pub error_rate: f64,
    /// Maximum 10割 incidents for insured patients.
    pub ten_wari: u64,
    /// Maximum results showing another person.
    pub wrong_person: u64,
    /// Maximum semantic failures of any kind (`None` = not gated).
    pub semantic_failures: Option<u64>,
    /// Latency percentiles.
    pub latency: Vec<LatencySlo>,
}

/// Run settings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunSettings {
    /// Seed of the arrival schedule and patient draws (`None` = the population seed).
    pub seed: Option<u64>,
    /// HDR interval-log period.
    pub interval: Duration,
    /// Timeout of one HTTP request.
    pub request_timeout: Duration,
    /// How long to wait for visits in flight after the last arrival.
    pub drain: Duration,
    /// Known persons probed on an external backend before the run.
    pub probe: u32,
}

/// A validated scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    /// Name (the file stem unless given).
    pub name: String,
    /// Description.
    pub description: String,
    /// The file it came from.
    pub source: String,
    /// The simulated window.
    pub window: Window,
    /// Facilities.
    pub facilities: Vec<FacilityGroup>,
    /// Patients.
    pub patients: PatientMix,
    /// `--backend` default.
    pub backend: Option<String>,
    /// Population size (`None` = the shared default).
    pub size: Option<u64>,
    /// Run settings.
    pub run: RunSettings,
    /// Retries.
    pub retry: RetryPolicy,
    /// Faults.
    pub faults: Option<Faults>,
    /// SLOs.
    pub slo: Slos,
}

fn time_of_day(src: &TomlSource, field: &str, text: &str) -> Result<NaiveTime, InputError> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(text.trim(), "%H:%M:%S"))
        .map_err(|_| src.error(field, format!("{text:?} is not a time of day (HH:MM)")))
}

fn share(src: &TomlSource, field: &str, v: f64, errors: &mut Vec<InputError>) -> f64 {
    if !(0.0..=1.0).contains(&v) || !v.is_finite() {
        errors.push(src.error(field, format!("{v} is not a share between 0 and 1")));
    }
    v
}

fn positive(src: &TomlSource, field: &str, v: f64, errors: &mut Vec<InputError>) {
    if !(v.is_finite() && v > 0.0) {
        errors.push(src.error(field, format!("{v} must be a positive number")));
    }
}

/// Parses `"20s..35s"` (real seconds after the schedule starts).
fn outage_window(text: &str) -> Result<(f64, f64), String> {
    let (a, b) = text
        .split_once("..")
        .ok_or_else(|| format!("{text:?}: expected FROM..TO in seconds, e.g. \"20s..35s\""))?;
    let num = |s: &str| {
        s.trim()
            .trim_end_matches('s')
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| format!("{s:?} is not a number of seconds"))
    };
    let (from, to) = (num(a)?, num(b)?);
    if to <= from {
        return Err(format!("{text:?}: TO must be after FROM"));
    }
    Ok((from, to))
}

impl Scenario {
    /// Reads and validates a scenario file.
    pub fn read(path: &Path) -> Result<Self, Vec<InputError>> {
        let src = TomlSource::read(path).map_err(|e| vec![e])?;
        Self::from_source(&src)
    }

    /// An embedded scenario by file name (`smoke`, `smoke.toml` or
    /// `scenarios/smoke.toml`).
    pub fn embedded(name: &str) -> Option<Result<Self, Vec<InputError>>> {
        let stem = name
            .trim_start_matches("scenarios/")
            .trim_end_matches(".toml");
        crate::defaults::SCENARIOS
            .iter()
            .find(|(p, _)| p.trim_start_matches("scenarios/").trim_end_matches(".toml") == stem)
            .map(|(p, text)| {
                Self::from_source(&TomlSource::from_text(Path::new(p), (*text).to_owned()))
            })
    }

    /// Validates a parsed source.
    pub fn from_source(src: &TomlSource) -> Result<Self, Vec<InputError>> {
        let file: File = src.parse().map_err(|e| vec![e])?;
        let mut errors = Vec::new();
        let e = &mut errors;

        // The window.
        let w = &file.window;
        let start = time_of_day(src, "window.start", &w.start);
        let end = time_of_day(src, "window.end", &w.end);
        let (start, end) = match (start, end) {
            (Ok(s), Ok(t)) => {
                if t <= s {
                    e.push(src.error("window.end", "must be after window.start"));
                }
                (s, t)
            }
            (a, b) => {
                e.extend(a.err());
                e.extend(b.err());
                (NaiveTime::MIN, NaiveTime::MIN)
            }
        };
        let open = match &w.open {
            Some(t) => match time_of_day(src, "window.open", t) {
                Ok(o) if o < start || o > end => {
                    e.push(src.error("window.open", "must be inside the window"));
                    start
                }
                Ok(o) => o,
                Err(x) => {
                    e.push(x);
                    start
                }
            },
            None => start,
        };
        let bulk_at = match &w.bulk_at {
            Some(t) => match time_of_day(src, "window.bulk_at", t) {
                Ok(b) if b < start || b > end => {
                    e.push(src.error("window.bulk_at", "must be inside the window"));
                    start
                }
                Ok(b) => b,
                Err(x) => {
                    e.push(x);
                    start
                }
            },
            None => start,
        };
        share(src, "window.queue_at_open", w.queue_at_open, e);
        positive(src, "window.monday_factor", w.monday_factor, e);
        positive(src, "window.compression", w.compression, e);
        let mut curve = Vec::new();
        if w.curve.len() < 2 {
            e.push(src.error("window.curve", "needs at least two points"));
        }
        for (i, p) in w.curve.iter().enumerate() {
            let field = format!("window.curve[{i}]");
            match time_of_day(src, &field, &p.at) {
                Ok(t) if t < start || t > end => {
                    e.push(src.error(&field, format!("{} is outside the window", p.at)));
                }
                Ok(t) => {
                    let at_s = (t - start).num_seconds() as f64;
                    if curve.last().is_some_and(|l: &CurvePoint| l.at_s >= at_s) {
                        e.push(src.error(&field, "points must be in increasing time order"));
                    }
                    if !(p.rate.is_finite() && p.rate >= 0.0) {
                        e.push(src.error(&field, "rate must be ≥ 0"));
                    }
                    curve.push(CurvePoint { at_s, rate: p.rate });
                }
                Err(x) => e.push(x),
            }
        }
        if !w.curve.is_empty() && curve.iter().all(|p| p.rate == 0.0) {
            e.push(src.error("window.curve", "every rate is 0: nobody would arrive"));
        }

        // Facilities.
        if file.facilities.is_empty() {
            e.push(src.error("facility", "at least one [[facility]] is needed"));
        }
        let mut facilities = Vec::new();
        for (i, f) in file.facilities.iter().enumerate() {
            let p = |k: &str| format!("facility[{i}].{k}");
            if f.count == 0 {
                e.push(src.error(&p("count"), "must be at least 1"));
            }
            if f.readers == 0 || f.readers > f.kind.max_readers() {
                e.push(src.error(
                    &p("readers"),
                    format!(
                        "a {} has 1 to {} reader(s) (domain.md §1: ≤3 per hospital, 1 otherwise)",
                        f.kind.name(),
                        f.kind.max_readers()
                    ),
                ));
            }
            if !(f.patients.is_finite() && f.patients >= 0.0) {
                e.push(src.error(&p("patients"), "must be ≥ 0"));
            }
            share(src, &p("card_share"), f.card_share, e);
            share(src, &p("bulk_share"), f.bulk_share, e);
            facilities.push(FacilityGroup {
                kind: f.kind,
                count: f.count,
                readers: f.readers,
                patients: f.patients,
                card_share: f.card_share,
                bulk_share: f.bulk_share,
            });
        }

        // Patients.
        let pf = &file.patients;
        let auth = match &pf.auth {
            None => AuthMix {
                face: 0.8,
                pin: 0.18,
                visual: 0.02,
            },
            Some(map) => {
                let mut a = AuthMix {
                    face: 0.0,
                    pin: 0.0,
                    visual: 0.0,
                };
                for (k, v) in map {
                    let field = format!("patients.auth.{k}");
                    let v = share(src, &field, *v, e);
                    match k.as_str() {
                        "face" => a.face = v,
                        "pin" => a.pin = v,
                        "visual" => a.visual = v,
                        _ => e.push(src.error(&field, "unknown method (face, pin, visual)")),
                    }
                }
                let total = a.face + a.pin + a.visual;
                if (total - 1.0).abs() > 1e-6 {
                    e.push(src.error("patients.auth", format!("shares add up to {total}, not 1")));
                }
                a
            }
        };
        let states = match &pf.states {
            None => None,
            Some(map) => {
                let mut out = BTreeMap::new();
                for (k, v) in map {
                    let field = format!("patients.states.{k}");
                    match PatientState::ALL.iter().find(|s| s.name() == k) {
                        Some(s) => {
                            if !(v.is_finite() && *v >= 0.0) {
                                e.push(src.error(&field, "weight must be ≥ 0"));
                            }
                            out.insert(*s, *v);
                        }
                        None => e.push(src.error(
                            &field,
                            format!(
                                "unknown state (one of {})",
                                PatientState::ALL
                                    .iter()
                                    .map(|s| s.name())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        )),
                    }
                }
                if out.values().sum::<f64>() <= 0.0 {
                    e.push(src.error("patients.states", "weights add up to 0"));
                }
                Some(out)
            }
        };
        let opt_share = |field: &str, v: Option<f64>, default: f64, e: &mut Vec<InputError>| {
            v.map_or(default, |v| share(src, field, v, e))
        };
        let patients = PatientMix {
            auth,
            face_mismatch: opt_share("patients.face_mismatch", pf.face_mismatch, 0.02, e),
            pin_typo: opt_share("patients.pin_typo", pf.pin_typo, 0.02, e),
            accept_registration: opt_share(
                "patients.accept_registration",
                pf.accept_registration,
                0.0,
                e,
            ),
            medical_consent: pf
                .medical_consent
                .map(|v| share(src, "patients.medical_consent", v, e)),
            kakunin_share: opt_share("patients.kakunin_share", pf.kakunin_share, 0.5, e),
            states,
        };

        // Backend, run, retry.
        if let Some(t) = &file.backend.target
            && let Err(m) = t.parse::<crate::backend::BackendSpec>()
        {
            e.push(src.error("backend.target", m));
        }
        let run = RunSettings {
            seed: file.run.seed,
            interval: Duration::from_millis(file.run.interval_ms.unwrap_or(1000)),
            request_timeout: Duration::from_millis(file.run.request_timeout_ms.unwrap_or(10_000)),
            drain: Duration::from_secs(file.run.drain_s.unwrap_or(30)),
            probe: file.run.probe.unwrap_or(5),
        };
        if run.interval < Duration::from_millis(100) {
            e.push(src.error("run.interval_ms", "must be at least 100"));
        }
        if run.request_timeout.is_zero() {
            e.push(src.error("run.request_timeout_ms", "must be positive"));
        }
        let retry = RetryPolicy {
            max_attempts: file.retry.max_attempts.unwrap_or(3),
            backoff: Duration::from_millis(file.retry.backoff_ms.unwrap_or(500)),
            give_up_after: Duration::from_millis(file.retry.give_up_after_ms.unwrap_or(20_000)),
        };
        if retry.max_attempts == 0 {
            e.push(src.error("retry.max_attempts", "must be at least 1"));
        }

        // Faults.
        let faults = file.faults.as_ref().map(|f| {
            let mut backend = FaultConfig {
                seed: f.seed.unwrap_or(0),
                ..FaultConfig::default()
            };
            if let Some(l) = &f.latency {
                match Latency::parse(l) {
                    Ok(l) => backend.latency = l,
                    Err(m) => e.push(src.error("faults.latency", m)),
                }
            }
            for (key, v) in [("error-rate", f.error_rate), ("reset-rate", f.reset_rate)] {
                if let Some(v) = v
                    && let Err(m) = backend.apply(&format!("{key}={v}"))
                {
                    e.push(src.error(&format!("faults.{}", key.replace('-', "_")), m));
                }
            }
            if let Some(b) = &f.burst
                && let Err(m) = backend.apply(&format!("burst={b}"))
            {
                e.push(src.error("faults.burst", m));
            }
            let side = match f.outage_side.as_deref() {
                None | Some("backend") => OutageSide::Backend,
                Some("client") => OutageSide::Client,
                Some(other) => {
                    e.push(src.error(
                        "faults.outage_side",
                        format!("{other:?}: use \"backend\" or \"client\""),
                    ));
                    OutageSide::Backend
                }
            };
            let outage = f.outage.as_ref().and_then(|o| match outage_window(o) {
                Ok((from_s, to_s)) => Some(Outage { from_s, to_s, side }),
                Err(m) => {
                    e.push(src.error("faults.outage", m));
                    None
                }
            });
            Faults { backend, outage }
        });

        // SLOs.
        let s = &file.slo;
        share(src, "slo.error_rate", s.error_rate, e);
        let mut latency = Vec::new();
        for (i, l) in s.latency.iter().enumerate() {
            let p = |k: &str| format!("slo.latency[{i}].{k}");
            if !super::metrics::TX_KINDS.contains(&l.transaction.as_str()) {
                e.push(src.error(
                    &p("transaction"),
                    format!(
                        "unknown transaction {:?} (one of {})",
                        l.transaction,
                        super::metrics::TX_KINDS.join(", ")
                    ),
                ));
            }
            if !(l.percentile > 0.0 && l.percentile <= 100.0) {
                e.push(src.error(&p("percentile"), "must be in (0, 100]"));
            }
            positive(src, &p("max_ms"), l.max_ms, e);
            let measure = match l.measure.as_deref() {
                None | Some("response") => Measure::Response,
                Some("service") => Measure::Service,
                Some(other) => {
                    e.push(src.error(
                        &p("measure"),
                        format!("{other:?}: use \"response\" or \"service\""),
                    ));
                    Measure::Response
                }
            };
            latency.push(LatencySlo {
                transaction: l.transaction.clone(),
                percentile: l.percentile,
                max_ms: l.max_ms,
                measure,
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let name = file.name.clone().unwrap_or_else(|| {
            src.path()
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "scenario".into())
        });
        Ok(Self {
            name,
            description: file.description,
            source: src.path().display().to_string(),
            window: Window {
                start,
                end,
                open,
                queue_at_open: w.queue_at_open,
                monday_factor: w.monday_factor,
                compression: w.compression,
                curve,
                bulk_at,
            },
            facilities,
            patients,
            backend: file.backend.target,
            size: file.backend.size,
            run,
            retry,
            faults,
            slo: Slos {
                error_rate: s.error_rate,
                ten_wari: s.ten_wari,
                wrong_person: s.wrong_person,
                semantic_failures: s.semantic_failures,
                latency,
            },
        })
    }

    /// Multiplies every facility count by `factor` (at least one of each group).
    pub fn scale(&mut self, factor: f64) {
        for f in &mut self.facilities {
            f.count = ((f64::from(f.count) * factor).round() as u32).max(1);
        }
    }

    /// Reader lanes in the whole scenario.
    pub fn lanes(&self) -> u64 {
        self.facilities
            .iter()
            .map(|f| u64::from(f.count) * u64::from(f.readers))
            .sum()
    }
}

#[cfg(test)]
mod tests;
