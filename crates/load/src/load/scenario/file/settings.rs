//! The `[run]`, `[retry]`, `[faults]` and `[slo]` sections as written, and their
//! validation.

use std::time::Duration;

use serde::Deserialize;

use super::super::*;
use super::{positive, share};
use onshi_backend::server::faults::{FaultConfig, Latency};
use onshi_support::tomlsrc::{InputError, TomlSource};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RunFile {
    seed: Option<u64>,
    interval_ms: Option<u64>,
    request_timeout_ms: Option<u64>,
    drain_s: Option<u64>,
    probe: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RetryFile {
    max_attempts: Option<u32>,
    backoff_ms: Option<u64>,
    give_up_after_ms: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FaultsFile {
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
pub(super) struct SloFile {
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
pub(super) struct LatencySloFile {
    transaction: String,
    percentile: f64,
    max_ms: f64,
    #[serde(default)]
    measure: Option<String>,
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

/// Validates `[run]`, with the defaults for what is absent.
pub(super) fn run_settings(src: &TomlSource, r: &RunFile, e: &mut Vec<InputError>) -> RunSettings {
    let run = RunSettings {
        seed: r.seed,
        interval: Duration::from_millis(r.interval_ms.unwrap_or(1000)),
        request_timeout: Duration::from_millis(r.request_timeout_ms.unwrap_or(10_000)),
        drain: Duration::from_secs(r.drain_s.unwrap_or(30)),
        probe: r.probe.unwrap_or(5),
    };
    if r.drain_s.is_some_and(|d| d > super::super::MAX_DRAIN_S) {
        e.push(src.error(
            "run.drain_s",
            format!("must be at most {} s", super::super::MAX_DRAIN_S),
        ));
    }
    if run.interval < Duration::from_millis(100) {
        e.push(src.error("run.interval_ms", "must be at least 100"));
    }
    if run.request_timeout.is_zero() {
        e.push(src.error("run.request_timeout_ms", "must be positive"));
    }
    run
}

/// Validates `[retry]`, with the defaults for what is absent.
pub(super) fn retry_policy(
    src: &TomlSource,
    r: &RetryFile,
    e: &mut Vec<InputError>,
) -> RetryPolicy {
    let retry = RetryPolicy {
        max_attempts: r.max_attempts.unwrap_or(3),
        backoff: Duration::from_millis(r.backoff_ms.unwrap_or(500)),
        give_up_after: Duration::from_millis(r.give_up_after_ms.unwrap_or(20_000)),
    };
    if retry.max_attempts == 0 {
        e.push(src.error("retry.max_attempts", "must be at least 1"));
    }
    retry
}

/// Validates `[faults]`: the backend's fault injection and the outage window.
pub(super) fn faults(src: &TomlSource, f: &FaultsFile, e: &mut Vec<InputError>) -> Faults {
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
}

/// Validates `[slo]`.
pub(super) fn slos(src: &TomlSource, s: &SloFile, e: &mut Vec<InputError>) -> Slos {
    share(src, "slo.error_rate", s.error_rate, e);
    let latency = s
        .latency
        .iter()
        .enumerate()
        .map(|(i, l)| latency_slo(src, i, l, e))
        .collect();
    Slos {
        error_rate: s.error_rate,
        ten_wari: s.ten_wari,
        wrong_person: s.wrong_person,
        semantic_failures: s.semantic_failures,
        latency,
    }
}

/// Validates one `[[slo.latency]]`.
fn latency_slo(
    src: &TomlSource,
    i: usize,
    l: &LatencySloFile,
    e: &mut Vec<InputError>,
) -> LatencySlo {
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
    LatencySlo {
        transaction: l.transaction.clone(),
        percentile: l.percentile,
        max_ms: l.max_ms,
        measure,
    }
}
