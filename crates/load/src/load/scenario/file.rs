//! The scenario file as written, and its validation into a [`Scenario`]: every
//! problem becomes an [`InputError`] with the file, line and field.

use std::collections::BTreeMap;

use chrono::NaiveTime;
use serde::Deserialize;

use super::*;
use onshi_support::tomlsrc::{InputError, TomlSource};

mod settings;
use settings::{FaultsFile, RetryFile, RunFile, SloFile, faults, retry_policy, run_settings, slos};

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

/// A time of day inside the window (`start` when absent or invalid).
fn time_inside(
    src: &TomlSource,
    field: &str,
    text: Option<&String>,
    (start, end): (NaiveTime, NaiveTime),
    e: &mut Vec<InputError>,
) -> NaiveTime {
    match text {
        Some(t) => match time_of_day(src, field, t) {
            Ok(o) if o < start || o > end => {
                e.push(src.error(field, "must be inside the window"));
                start
            }
            Ok(o) => o,
            Err(x) => {
                e.push(x);
                start
            }
        },
        None => start,
    }
}

/// Validates `[window]`.
fn window(src: &TomlSource, w: &WindowFile, e: &mut Vec<InputError>) -> Window {
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
    let open = time_inside(src, "window.open", w.open.as_ref(), (start, end), e);
    let bulk_at = time_inside(src, "window.bulk_at", w.bulk_at.as_ref(), (start, end), e);
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
    Window {
        start,
        end,
        open,
        queue_at_open: w.queue_at_open,
        monday_factor: w.monday_factor,
        compression: w.compression,
        curve: curve(src, &w.curve, (start, end), e),
        bulk_at,
    }
}

/// Validates `window.curve` (times inside the window, increasing, some rate > 0).
fn curve(
    src: &TomlSource,
    points: &[CurvePointFile],
    (start, end): (NaiveTime, NaiveTime),
    e: &mut Vec<InputError>,
) -> Vec<CurvePoint> {
    let mut curve = Vec::new();
    if points.len() < 2 {
        e.push(src.error("window.curve", "needs at least two points"));
    }
    for (i, p) in points.iter().enumerate() {
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
    if !points.is_empty() && curve.iter().all(|p| p.rate == 0.0) {
        e.push(src.error("window.curve", "every rate is 0: nobody would arrive"));
    }
    curve
}

/// Validates the `[[facility]]` groups.
fn facilities(
    src: &TomlSource,
    files: &[FacilityFile],
    e: &mut Vec<InputError>,
) -> Vec<FacilityGroup> {
    if files.is_empty() {
        e.push(src.error("facility", "at least one [[facility]] is needed"));
    }
    let mut facilities = Vec::new();
    for (i, f) in files.iter().enumerate() {
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
    facilities
}

/// Validates `patients.auth` (shares of face, pin and visual adding up to 1).
fn auth_mix(
    src: &TomlSource,
    auth: Option<&BTreeMap<String, f64>>,
    e: &mut Vec<InputError>,
) -> AuthMix {
    let Some(map) = auth else {
        return AuthMix {
            face: 0.8,
            pin: 0.18,
            visual: 0.02,
        };
    };
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

/// Validates `patients.states` (known states, weights ≥ 0 and not all 0).
fn state_weights(
    src: &TomlSource,
    map: &BTreeMap<String, f64>,
    e: &mut Vec<InputError>,
) -> BTreeMap<PatientState, f64> {
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
    out
}

/// Validates `[patients]`, with the defaults for what is absent.
fn patients(src: &TomlSource, pf: &PatientsFile, e: &mut Vec<InputError>) -> PatientMix {
    let auth = auth_mix(src, pf.auth.as_ref(), e);
    let states = pf.states.as_ref().map(|map| state_weights(src, map, e));
    let opt_share = |field: &str, v: Option<f64>, default: f64, e: &mut Vec<InputError>| {
        v.map_or(default, |v| share(src, field, v, e))
    };
    PatientMix {
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
    }
}

impl Scenario {
    /// Validates a parsed source: every problem found, with file, line and field.
    pub fn from_source(src: &TomlSource) -> Result<Self, Vec<InputError>> {
        let file: File = src.parse().map_err(|e| vec![e])?;
        let mut errors = Vec::new();
        let e = &mut errors;
        let window = window(src, &file.window, e);
        let facilities = facilities(src, &file.facilities, e);
        let patients = patients(src, &file.patients, e);
        if let Some(t) = &file.backend.target
            && let Err(m) = t.parse::<onshi_backend::backend::BackendSpec>()
        {
            e.push(src.error("backend.target", m));
        }
        let run = run_settings(src, &file.run, e);
        let retry = retry_policy(src, &file.retry, e);
        let faults = file.faults.as_ref().map(|f| faults(src, f, e));
        let slo = slos(src, &file.slo, e);
        if !errors.is_empty() {
            return Err(errors);
        }
        let name = file.name.unwrap_or_else(|| {
            src.path()
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "scenario".into())
        });
        Ok(Self {
            name,
            description: file.description,
            source: src.path().display().to_string(),
            window,
            facilities,
            patients,
            backend: file.backend.target,
            size: file.backend.size,
            run,
            retry,
            faults,
            slo,
        })
    }
}
