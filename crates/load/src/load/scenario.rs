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

use onshi_backend::server::faults::FaultConfig;
use onshi_support::tomlsrc::{InputError, TomlSource};

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
        onshi_world::defaults::SCENARIOS
            .iter()
            .find(|(p, _)| p.trim_start_matches("scenarios/").trim_end_matches(".toml") == stem)
            .map(|(p, text)| {
                Self::from_source(&TomlSource::from_text(Path::new(p), (*text).to_owned()))
            })
    }

    /// Validates a parsed source.    /// Multiplies every facility count by `factor` (at least one of each group).
    /// The jobs the scenario expects (facilities × patients), after scaling.
    pub fn expected_jobs(&self) -> f64 {
        self.facilities
            .iter()
            .map(|f| f64::from(f.count) * f.patients)
            .sum()
    }

    /// Multiplies every facility count by `factor` (at least one facility each; counts
    /// saturate at `u32::MAX`, and [`MAX_JOBS`] bounds the result where it is used).
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
mod file;

/// Facilities one `[[facility]]` group may have.
pub const MAX_FACILITIES: u32 = 300_000;
/// Patients per facility in the window.
pub const MAX_PATIENTS: f64 = 100_000.0;
/// The fastest time compression (and 1 = real time, the slowest).
pub const MAX_COMPRESSION: f64 = 100_000.0;
/// The longest drain after the window, in seconds.
pub const MAX_DRAIN_S: u64 = 3_600;
/// The most jobs one run (one shard's process) schedules, after `--scale`.
pub const MAX_JOBS: f64 = 20_000_000.0;
/// The largest `--scale`.
pub const MAX_SCALE: f64 = 1_000.0;

#[cfg(test)]
mod tests;
