//! Figures the report draws that a tag's total latency stats do not hold: percentiles
//! per interval (the series, the latency SLOs interval by interval, the generator's
//! lateness) and whole percentile distributions (HdrHistogram's percentile curves).
//!
//! Entries are decoded one (tag, interval) group at a time, so a long run never holds
//! more than one decoded histogram per group being added up.

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;

use super::super::hlog::{self, Entry};
use super::interval_index;

/// Quantiles (0..=1, 1 = the maximum) of `tag` per interval number, in milliseconds,
/// for every (tag, quantiles) asked: every entry of the tag starting in the interval
/// is added first (shards of a merged run).
pub(super) fn per_interval(
    entries: &[Entry],
    interval: Duration,
    wanted: &BTreeMap<String, Vec<f64>>,
) -> BTreeMap<(String, u64), Vec<f64>> {
    let mut groups: BTreeMap<(&str, u64), Vec<&Entry>> = BTreeMap::new();
    for e in entries.iter().filter(|e| wanted.contains_key(&e.tag)) {
        groups
            .entry((e.tag.as_str(), interval_index(e.start, interval)))
            .or_default()
            .push(e);
    }
    groups
        .into_iter()
        .filter_map(|((tag, index), group)| {
            let mut h = hlog::histogram();
            for e in group {
                if let Ok(part) = e.histogram() {
                    let _ = h.add(&part);
                }
            }
            let qs = wanted.get(tag)?;
            (!h.is_empty()).then(|| {
                let figures = qs.iter().map(|q| hlog::ms_at(&h, *q)).collect();
                ((tag.to_owned(), index), figures)
            })
        })
        .collect()
}

/// Ticks per half distance of a percentile curve, as HdrHistogram's
/// `outputPercentileDistribution` uses by default.
const TICKS_PER_HALF_DISTANCE: u32 = 5;

/// The percentile curve of a histogram as (percentile 0–100, ms) points, as
/// HdrHistogram's percentile distribution lists them; the last point is the maximum at
/// 100.
pub(super) fn percentile_curve(h: &Histogram<u64>) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::new();
    for v in h.iter_quantiles(TICKS_PER_HALF_DISTANCE) {
        let point = (
            v.quantile_iterated_to() * 100.0,
            v.value_iterated_to() as f64 / 1000.0,
        );
        // The iterator repeats the last value at 100 %; keep one point per percentile.
        if out.last().is_none_or(|last| last.0 < point.0) {
            out.push(point);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_percentiles_add_shards_and_skip_other_tags() {
        let entry = |tag: &str, second: u64, values: &[u64]| {
            let mut h = hlog::histogram();
            for v in values {
                h.record(*v).unwrap();
            }
            Entry::new(Duration::from_secs(second), Duration::from_secs(1), tag, &h)
        };
        let entries = vec![
            entry("response.visit", 0, &[1000, 2000]),
            entry("response.visit", 0, &[9000]),
            entry("response.visit", 1, &[5000]),
            entry("service.visit", 0, &[1]),
        ];
        let wanted = BTreeMap::from([("response.visit".to_owned(), vec![0.5, 1.0])]);
        let got = per_interval(&entries, Duration::from_secs(1), &wanted);
        assert_eq!(got.len(), 2);
        let near = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 0.01);
        let zero = &got[&("response.visit".to_owned(), 0)];
        assert!(near(zero, &[2.0, 9.0]), "{zero:?}");
        let one = &got[&("response.visit".to_owned(), 1)];
        assert!(near(one, &[5.0, 5.0]), "{one:?}");
    }

    #[test]
    fn a_percentile_curve_rises_to_the_maximum_at_100() {
        let mut h = hlog::histogram();
        for v in 1..=10_000u64 {
            h.record(v * 10).unwrap();
        }
        let curve = percentile_curve(&h);
        assert!(curve.len() > 30, "{}", curve.len());
        assert!(
            curve
                .windows(2)
                .all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1)
        );
        let last = curve.last().copied().unwrap();
        assert_eq!(last.0, 100.0);
        assert!((last.1 - 100.0).abs() < 0.1, "{last:?}");
        assert!(percentile_curve(&hlog::histogram()).is_empty());
    }
}
