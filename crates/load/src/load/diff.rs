//! Two load runs compared (`onshi report diff A B`): throughput, errors and semantic
//! failures, and per-transaction latency percentiles, each with its change and
//! whether that change is beyond run-to-run noise.
//!
//! **Noise.** A percentile's uncertainty comes from the histogram itself: for `n`
//! samples, the rank of the true q-quantile lies, with 99 % confidence, within
//! `n·q ± 2.576·√(n·q·(1−q))` (the distribution-free order-statistic interval). The
//! values at those ranks bound the percentile in each run; a change is beyond noise
//! when the two runs' intervals do not overlap (and the HDR resolution, 3 significant
//! digits, cannot blur them together). Rates (errors, failures) use a two-proportion
//! z-test at the same 99 %.
//!
//! **Regression** (for `--fail-on regression`): a percentile up by more than its
//! threshold *and* beyond noise; throughput down by more than its threshold; an error
//! or failure rate up beyond noise (or from zero to any).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use hdrhistogram::Histogram;
use serde::Serialize;

use super::summary::Summary;

/// z for 99 % two-sided.
const Z99: f64 = 2.576;

/// The percentiles compared, with their labels.
pub const QUANTILES: [(&str, f64); 4] = [
    ("p50", 0.50),
    ("p90", 0.90),
    ("p99", 0.99),
    ("p99.9", 0.999),
];

/// Fewer samples than this in either run: a percentile is shown, never judged.
pub const MIN_SAMPLES: u64 = 20;

/// What counts as a regression.
#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds {
    /// Largest tolerated increase per percentile label (`p99` → 0.10 = +10 %).
    pub increase: BTreeMap<String, f64>,
    /// Largest tolerated drop of throughput (0.10 = −10 %).
    pub throughput_drop: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            increase: [("p50".to_owned(), 0.10), ("p99".to_owned(), 0.10)].into(),
            throughput_drop: 0.10,
        }
    }
}

impl Thresholds {
    /// Applies `KEY=VALUE` (`p99=+10%`, `p50=25%`, `throughput=-5%`; `KEY=off` drops a
    /// percentile's threshold).
    pub fn apply(&mut self, setting: &str) -> Result<(), String> {
        let (key, value) = setting
            .split_once('=')
            .ok_or_else(|| format!("{setting:?}: expected KEY=VALUE, e.g. p99=+10%"))?;
        let key = key.trim();
        let value = value.trim();
        if key != "throughput" && !QUANTILES.iter().any(|(l, _)| *l == key) {
            return Err(format!(
                "{key:?}: thresholds are for p50, p90, p99, p99.9 or throughput"
            ));
        }
        if value == "off" {
            self.increase.remove(key);
            return Ok(());
        }
        let pct: f64 = value
            .trim_start_matches(['+', '-'])
            .trim_end_matches('%')
            .parse()
            .map_err(|_| format!("{setting:?}: the value is a percentage, e.g. +10%"))?;
        if !(pct.is_finite() && (0.0..=10_000.0).contains(&pct)) {
            return Err(format!("{setting:?}: a percentage from 0 to 10000"));
        }
        if key == "throughput" {
            self.throughput_drop = pct / 100.0;
        } else {
            self.increase.insert(key.to_owned(), pct / 100.0);
        }
        Ok(())
    }
}

/// One side of the comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side {
    /// Run id.
    pub run_id: String,
    /// Scenario name.
    pub scenario: String,
    /// Backend.
    pub backend: String,
    /// Visits completed.
    pub completed: u64,
    /// Run time (s).
    pub duration_s: f64,
    /// Whether it was interrupted.
    pub interrupted: bool,
}

/// A figure in both runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    /// What it is (`visits/s`, `errors`, `request.card p99`).
    pub name: String,
    /// In A.
    pub a: f64,
    /// In B.
    pub b: f64,
    /// Relative change (B/A − 1); `None` when A is 0.
    pub change: Option<f64>,
    /// Whether the change is beyond run-to-run noise (`None`: not judged — too few
    /// samples).
    pub beyond_noise: Option<bool>,
    /// Worse than the thresholds allow.
    pub regression: bool,
    /// The 99 % interval of A and B (percentiles only), in the figure's unit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intervals: Option<[(f64, f64); 2]>,
}

/// The comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoadDiff {
    /// Run A (the baseline).
    pub a: Side,
    /// Run B.
    pub b: Side,
    /// Throughput, errors, failures.
    pub totals: Vec<Figure>,
    /// Percentiles per transaction tag (ms).
    pub latency: Vec<Figure>,
    /// Tags in only one run.
    pub unmatched: Vec<String>,
}

impl LoadDiff {
    /// Whether anything regressed.
    pub fn regressed(&self) -> bool {
        self.totals
            .iter()
            .chain(&self.latency)
            .any(|f| f.regression)
    }

    /// The transactions with a percentile slower beyond noise, with their worst change.
    pub fn slower(&self) -> Vec<(&str, f64)> {
        let mut out: BTreeMap<&str, f64> = BTreeMap::new();
        for f in &self.latency {
            if f.beyond_noise == Some(true)
                && let Some(c) = f.change.filter(|c| *c > 0.0)
            {
                let tag = f.name.rsplit_once(' ').map_or(f.name.as_str(), |(t, _)| t);
                let e = out.entry(tag).or_insert(c);
                *e = e.max(c);
            }
        }
        let mut v: Vec<(&str, f64)> = out.into_iter().collect();
        v.sort_by(|x, y| y.1.total_cmp(&x.1));
        v
    }
}

fn side(s: &Summary) -> Side {
    Side {
        run_id: s.meta.run_id.clone(),
        scenario: s.meta.scenario.name.clone(),
        backend: s.meta.backend.clone(),
        completed: s.counters.completed,
        duration_s: s.meta.duration_s,
        interrupted: s.meta.interrupted,
    }
}

fn change(a: f64, b: f64) -> Option<f64> {
    (a > 0.0).then(|| b / a - 1.0)
}

/// The 99 % interval of the q-quantile of `h` (ms), or `None` below [`MIN_SAMPLES`].
pub fn quantile_interval(h: &Histogram<u64>, q: f64) -> Option<(f64, f64)> {
    let n = h.len();
    if n < MIN_SAMPLES {
        return None;
    }
    let nf = n as f64;
    let spread = Z99 * (nf * q * (1.0 - q)).sqrt();
    let lo = ((nf * q - spread).floor() / nf).clamp(0.0, 1.0);
    let hi = ((nf * q + spread).ceil() / nf).clamp(0.0, 1.0);
    let at = |x: f64| h.value_at_quantile(x) as f64 / 1000.0;
    Some((at(lo), at(hi)))
}

/// Whether two rates differ beyond noise (two-proportion z-test, 99 %); `k` of `n`.
fn rate_beyond_noise(ka: u64, na: u64, kb: u64, nb: u64) -> bool {
    if na == 0 || nb == 0 {
        return false;
    }
    let (pa, pb) = (ka as f64 / na as f64, kb as f64 / nb as f64);
    let p = (ka + kb) as f64 / (na + nb) as f64;
    let se = (p * (1.0 - p) * (1.0 / na as f64 + 1.0 / nb as f64)).sqrt();
    if se == 0.0 {
        return pa != pb;
    }
    ((pb - pa) / se).abs() > Z99
}

fn rate(s: &Summary) -> f64 {
    if s.meta.duration_s > 0.0 {
        s.counters.completed as f64 / s.meta.duration_s
    } else {
        0.0
    }
}

fn count_figure(name: &str, ka: u64, na: u64, kb: u64, nb: u64) -> Figure {
    let noisy = rate_beyond_noise(ka, na, kb, nb);
    let worse = kb as f64 / nb.max(1) as f64 > ka as f64 / na.max(1) as f64;
    Figure {
        name: name.to_owned(),
        a: ka as f64,
        b: kb as f64,
        change: change(ka as f64, kb as f64),
        beyond_noise: Some(noisy || (ka == 0 && kb > 0)),
        regression: worse && (noisy || (ka == 0 && kb > 0)),
        intervals: None,
    }
}

/// Compares A (the baseline) with B, each with its histograms by tag (µs).
pub fn diff(
    a: &Summary,
    ha: &BTreeMap<String, Histogram<u64>>,
    b: &Summary,
    hb: &BTreeMap<String, Histogram<u64>>,
    t: &Thresholds,
) -> LoadDiff {
    let (ra, rb) = (rate(a), rate(b));
    let throughput_change = change(ra, rb);
    let mut totals = vec![Figure {
        name: "visits/s".into(),
        a: ra,
        b: rb,
        change: throughput_change,
        beyond_noise: None,
        regression: throughput_change.is_some_and(|c| c < -t.throughput_drop),
        intervals: None,
    }];
    let (na, nb) = (a.counters.completed, b.counters.completed);
    totals.push(count_figure(
        "visits with an error",
        a.counters.with_error,
        na,
        b.counters.with_error,
        nb,
    ));
    totals.push(count_figure(
        "visits with a semantic failure",
        a.counters.with_failure,
        na,
        b.counters.with_failure,
        nb,
    ));
    let mut latency = Vec::new();
    let mut unmatched = Vec::new();
    let tags: std::collections::BTreeSet<&String> = ha.keys().chain(hb.keys()).collect();
    for tag in tags {
        let (Some(x), Some(y)) = (ha.get(tag), hb.get(tag)) else {
            unmatched.push(tag.clone());
            continue;
        };
        for (label, q) in QUANTILES {
            let (va, vb) = (
                x.value_at_quantile(q) as f64 / 1000.0,
                y.value_at_quantile(q) as f64 / 1000.0,
            );
            let (ia, ib) = (quantile_interval(x, q), quantile_interval(y, q));
            let beyond = match (ia, ib) {
                (Some(ia), Some(ib)) => {
                    let apart = ia.1 < ib.0 || ib.1 < ia.0;
                    let resolved = !x.equivalent(x.value_at_quantile(q), y.value_at_quantile(q));
                    Some(apart && resolved)
                }
                _ => None,
            };
            let c = change(va, vb);
            let regression = beyond == Some(true)
                && t.increase
                    .get(label)
                    .is_some_and(|max| c.is_some_and(|c| c > *max));
            latency.push(Figure {
                name: format!("{tag} {label}"),
                a: va,
                b: vb,
                change: c,
                beyond_noise: beyond,
                regression,
                intervals: ia.zip(ib).map(|(p, q)| [p, q]),
            });
        }
    }
    LoadDiff {
        a: side(a),
        b: side(b),
        totals,
        latency,
        unmatched,
    }
}

fn pct(c: Option<f64>) -> String {
    c.map_or("—".into(), |c| format!("{:+.1} %", c * 100.0))
}

fn noise(b: Option<bool>) -> &'static str {
    match b {
        Some(true) => "beyond noise",
        Some(false) => "within noise",
        None => "not judged",
    }
}

fn verdict(d: &LoadDiff) -> &'static str {
    if d.regressed() {
        "REGRESSED"
    } else if d.slower().is_empty() {
        "no regression"
    } else {
        "slower within thresholds"
    }
}

fn sides(d: &LoadDiff) -> Vec<(&'static str, String, String)> {
    let visits = |s: &Side| {
        format!(
            "{} · {:.1} s{}",
            s.completed,
            s.duration_s,
            if s.interrupted { " (interrupted)" } else { "" }
        )
    };
    vec![
        (
            "run",
            format!("`{}`", d.a.run_id),
            format!("`{}`", d.b.run_id),
        ),
        ("scenario", d.a.scenario.clone(), d.b.scenario.clone()),
        ("backend", d.a.backend.clone(), d.b.backend.clone()),
        ("visits · time", visits(&d.a), visits(&d.b)),
    ]
}

/// Markdown, for a pull-request comment.
pub fn markdown(d: &LoadDiff) -> String {
    let mut m = String::new();
    let _ = writeln!(m, "# onshi report diff — load — {}\n", verdict(d));
    m.push_str(&onshi_report::report::diff::sides_markdown(&sides(d)));
    let slower = d.slower();
    if !slower.is_empty() {
        let list: Vec<String> = slower
            .iter()
            .map(|(t, c)| format!("`{t}` ({:+.0} %)", c * 100.0))
            .collect();
        let _ = writeln!(m, "Slower beyond noise: {}.\n", list.join(", "));
    }
    let _ = writeln!(
        m,
        "| figure | A | B | change | noise | |\n|---|---|---|---|---|---|"
    );
    for f in d.totals.iter().chain(&d.latency) {
        let _ = writeln!(
            m,
            "| {} | {:.2} | {:.2} | {} | {} | {} |",
            f.name,
            f.a,
            f.b,
            pct(f.change),
            noise(f.beyond_noise),
            if f.regression { "REGRESSION" } else { "" }
        );
    }
    if !d.unmatched.is_empty() {
        let _ = writeln!(m, "\nIn one run only: {}.", d.unmatched.join(", "));
    }
    let _ = writeln!(
        m,
        "\nNoise: a percentile's 99 % interval from its own histogram (order statistics); a change is beyond noise when A's and B's intervals do not overlap. Latencies in ms."
    );
    m
}

/// A self-contained page.
pub fn html(d: &LoadDiff) -> String {
    use onshi_report::report::svg::esc;
    let mut h = format!(
        r#"<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>onshi report diff {} → {}</title><style>{}</style></head><body><h1>onshi report diff — load — <span class="{}">{}</span></h1>"#,
        esc(&d.a.run_id),
        esc(&d.b.run_id),
        onshi_report::report::diff::STYLE,
        if d.regressed() { "bad" } else { "good" },
        verdict(d)
    );
    h.push_str(&onshi_report::report::diff::sides_html(&sides(d)));
    h.push_str(r#"<table id="figures"><tr><th>figure</th><th>A</th><th>B</th><th>change</th><th>noise</th><th></th></tr>"#);
    for f in d.totals.iter().chain(&d.latency) {
        let _ = write!(
            h,
            r#"<tr class="{}"><td>{}</td><td>{:.2}</td><td>{:.2}</td><td>{}</td><td>{}</td><td>{}</td></tr>"#,
            if f.regression { "bad" } else { "" },
            esc(&f.name),
            f.a,
            f.b,
            pct(f.change),
            noise(f.beyond_noise),
            if f.regression { "regression" } else { "" }
        );
    }
    h.push_str(r#"</table><p class="muted">Noise: a percentile's 99 % interval from its own histogram (order statistics); a change is beyond noise when A's and B's intervals do not overlap. Latencies in ms.</p></body></html>"#);
    h.push('\n');
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hist(values_us: impl Iterator<Item = u64>) -> Histogram<u64> {
        let mut h = super::super::hlog::histogram();
        for v in values_us {
            h.saturating_record(v);
        }
        h
    }

    #[test]
    fn the_same_distribution_is_within_noise_and_a_slower_one_beyond() {
        let base = hist((0..5000).map(|i| 1000 + (i * 7919) % 4000));
        let same = hist((0..5000).map(|i| 1000 + (i * 104_729) % 4000));
        let slow = hist((0..5000).map(|i| 3000 + (i * 7919) % 4000));
        for q in [0.5, 0.99] {
            let (a, b) = (
                quantile_interval(&base, q).unwrap(),
                quantile_interval(&same, q).unwrap(),
            );
            assert!(!(a.1 < b.0 || b.1 < a.0), "q {q}: {a:?} vs {b:?} overlap");
            let c = quantile_interval(&slow, q).unwrap();
            assert!(a.1 < c.0, "q {q}: {a:?} below {c:?}");
        }
        assert_eq!(quantile_interval(&hist(0..5), 0.5), None, "too few samples");
    }

    #[test]
    fn rates_differ_beyond_noise_only_when_they_do() {
        assert!(!rate_beyond_noise(10, 10_000, 12, 10_000));
        assert!(rate_beyond_noise(10, 10_000, 200, 10_000));
    }

    #[test]
    fn thresholds_parse_and_refuse_nonsense() {
        let mut t = Thresholds::default();
        t.apply("p99=+25%").unwrap();
        t.apply("p50=off").unwrap();
        t.apply("throughput=-5%").unwrap();
        assert_eq!(t.increase.get("p99"), Some(&0.25));
        assert!(!t.increase.contains_key("p50"));
        assert_eq!(t.throughput_drop, 0.05);
        assert!(t.apply("p42=1%").is_err());
        assert!(t.apply("p99=fast").is_err());
        assert!(t.apply("p99=NaN%").is_err());
    }
}
