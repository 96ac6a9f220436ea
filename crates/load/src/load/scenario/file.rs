//! The scenario file as written, and its validation into a [`Scenario`]: every
//! problem becomes an [`InputError`] with the file, line and field.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::NaiveTime;
use serde::Deserialize;

use super::*;
use onshi_backend::server::faults::{FaultConfig, Latency};
use onshi_support::tomlsrc::{InputError, TomlSource};

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
        if !(w.compression.is_finite() && (1.0..=super::MAX_COMPRESSION).contains(&w.compression)) {
            e.push(src.error(
                "window.compression",
                format!(
                    "{} must be 1 (real time) to {}",
                    w.compression,
                    super::MAX_COMPRESSION
                ),
            ));
        }
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
            if f.count == 0 || f.count > super::MAX_FACILITIES {
                e.push(src.error(
                    &p("count"),
                    format!("must be 1 to {}", super::MAX_FACILITIES),
                ));
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
            if !(f.patients.is_finite() && (0.0..=super::MAX_PATIENTS).contains(&f.patients)) {
                e.push(src.error(
                    &p("patients"),
                    format!("must be 0 to {}", super::MAX_PATIENTS),
                ));
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
            && let Err(m) = t.parse::<onshi_backend::backend::BackendSpec>()
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
        if file.run.drain_s.is_some_and(|d| d > super::MAX_DRAIN_S) {
            e.push(src.error(
                "run.drain_s",
                format!("must be at most {} s", super::MAX_DRAIN_S),
            ));
        }
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
            if !crate::load::metrics::TX_KINDS.contains(&l.transaction.as_str()) {
                e.push(src.error(
                    &p("transaction"),
                    format!(
                        "unknown transaction {:?} (one of {})",
                        l.transaction,
                        crate::load::metrics::TX_KINDS.join(", ")
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
}
