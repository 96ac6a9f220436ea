//! SLO verdicts from counters and latency histograms.

use std::collections::BTreeMap;

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use super::hlog;
use super::metrics::{Counters, FailureKind};
use super::scenario::{LatencySlo, Slos};

/// One SLO and how the run did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SloResult {
    /// A stable name (`latency.response.card.p99`, `error-rate`, …).
    pub name: String,
    /// The target, as text.
    pub target: String,
    /// What was measured, as text.
    pub actual: String,
    /// Whether the target is met.
    pub passed: bool,
}

fn count(name: &str, actual: u64, max: u64) -> SloResult {
    SloResult {
        name: name.to_owned(),
        target: format!("≤ {max}"),
        actual: actual.to_string(),
        passed: actual <= max,
    }
}

/// The histogram tag a latency SLO judges: `<measure>.<transaction>`; backend
/// requests have one latency, the request's own (`request.<name>`).
pub fn latency_tag(l: &LatencySlo) -> String {
    if super::metrics::REQUESTS.contains(&l.transaction.as_str()) {
        format!("request.{}", l.transaction)
    } else {
        format!("{}.{}", l.measure.name(), l.transaction)
    }
}

/// A latency SLO's stable name: `latency.<tag>.p<percentile>`.
pub fn latency_name(l: &LatencySlo) -> String {
    format!("latency.{}.p{}", latency_tag(l), l.percentile)
}

/// Evaluates every SLO. `unfinished` jobs (scheduled, never finished) count as
/// errors unless the run was interrupted.
pub fn evaluate(
    slos: &Slos,
    counters: &Counters,
    histograms: &BTreeMap<String, Histogram<u64>>,
    interrupted: bool,
) -> Vec<SloResult> {
    let mut out = Vec::new();
    let unfinished = if interrupted {
        0
    } else {
        counters.scheduled.saturating_sub(counters.completed)
    };
    let denominator = if interrupted {
        counters.completed
    } else {
        counters.scheduled.max(counters.completed)
    };
    let errors = counters.with_error + unfinished;
    let rate = if denominator == 0 {
        0.0
    } else {
        errors as f64 / denominator as f64
    };
    out.push(SloResult {
        name: "error-rate".into(),
        target: format!("≤ {:.2} %", slos.error_rate * 100.0),
        actual: format!("{:.3} % ({errors} of {denominator})", rate * 100.0),
        passed: rate <= slos.error_rate,
    });
    out.push(count(
        "ten-wari",
        counters.failures_of(FailureKind::TenWari),
        slos.ten_wari,
    ));
    out.push(count(
        "wrong-person",
        counters.failures_of(FailureKind::WrongPerson),
        slos.wrong_person,
    ));
    if let Some(max) = slos.semantic_failures {
        out.push(count("semantic-failures", counters.total_failures(), max));
    }
    for l in &slos.latency {
        let tag = latency_tag(l);
        let name = latency_name(l);
        let target = format!("p{} ≤ {} ms", l.percentile, l.max_ms);
        match histograms.get(&tag).filter(|h| !h.is_empty()) {
            Some(h) => {
                let ms = hlog::ms_at(h, l.percentile / 100.0);
                out.push(SloResult {
                    name,
                    target,
                    actual: format!("{ms:.1} ms ({} samples)", h.len()),
                    passed: ms <= l.max_ms,
                });
            }
            None => out.push(SloResult {
                name,
                target,
                actual: "no samples".into(),
                passed: true,
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::scenario::Measure;

    #[test]
    fn verdicts() {
        let slos = Slos {
            error_rate: 0.01,
            ten_wari: 0,
            wrong_person: 0,
            semantic_failures: Some(0),
            latency: vec![
                LatencySlo {
                    transaction: "card".into(),
                    percentile: 99.0,
                    max_ms: 50.0,
                    measure: Measure::Response,
                },
                LatencySlo {
                    transaction: "bulk".into(),
                    percentile: 50.0,
                    max_ms: 50.0,
                    measure: Measure::Service,
                },
            ],
        };
        let mut c = Counters {
            scheduled: 1000,
            completed: 995,
            with_error: 4,
            ..Counters::default()
        };
        let mut h = hlog::histogram();
        for v in 1..=1000u64 {
            h.record(v * 40_000).unwrap();
        }
        let hs = BTreeMap::from([("response.card".to_owned(), h)]);
        let r = evaluate(&slos, &c, &hs, false);
        // 4 errors + 5 unfinished of 1000 = 0.9 %.
        assert!(r[0].passed, "{r:?}");
        assert!(!r[4].passed, "p99 of 40 ms … 40 s: {r:?}");
        assert_eq!(r[5].actual, "no samples");
        c.failures.insert("wrong-person".into(), 2);
        let r = evaluate(&slos, &c, &hs, false);
        assert!(!r[2].passed && !r[3].passed && r[1].passed);
        c.with_error = 20;
        assert!(!evaluate(&slos, &c, &hs, true)[0].passed);
    }
}
