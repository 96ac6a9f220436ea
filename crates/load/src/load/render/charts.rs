//! The load report's charts, each an SVG with a caption that says in words what the
//! chart shows: throughput against the arrivals due, response time over time against
//! the SLO targets (the intervals above a target shaded), every other latency SLO
//! interval by interval, the schedule kept (arrivals due vs jobs started vs finished,
//! the intervals where the generator fell behind shaded) and its lateness, the
//! latency distributions as HdrHistogram percentile curves, failures and errors by
//! kind.

use super::super::generator::{CPU_CEILING, Generator};
use super::super::metrics::{ErrorKind, FailureKind, LATENESS_TAG, REQUESTS, VISIT_KINDS};
use super::super::slo;
use super::super::summary::{LatencyStats, Summary};
use super::lateness::{BEHIND_MS, Lateness};
use super::ms;
use onshi_report::report::svg::plot::{
    Band, Chart, Line, Marker, Threshold, XAxis, YAxis, bars, colour, fmt_num,
};

/// A chart and what it shows, in words.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Figure {
    /// An anchor.
    pub(super) id: String,
    /// The SVG.
    pub(super) svg: String,
    /// The caption.
    pub(super) caption: String,
    /// Whether the caption reports a problem (a missed target, a late generator).
    pub(super) alarm: bool,
}

const SECONDS: &str = "seconds after the window start (real time)";

/// One latency SLO over time: its percentile of each interval's samples.
#[derive(Debug, Clone, PartialEq)]
struct SloView {
    name: String,
    tag: String,
    percentile: f64,
    max_ms: f64,
    /// (start of the interval in seconds, ms) of the intervals with samples.
    points: Vec<(f64, f64)>,
}

impl SloView {
    fn short(&self) -> String {
        format!("p{} ≤ {} ms", self.percentile, fmt_num(self.max_ms))
    }

    fn missed(&self) -> Vec<(f64, f64)> {
        self.points
            .iter()
            .copied()
            .filter(|p| p.1 > self.max_ms)
            .collect()
    }

    /// Shaded bands over the intervals above the target.
    fn bands(&self, interval_s: f64) -> Vec<Band> {
        self.missed()
            .into_iter()
            .map(|(t, v)| Band {
                from: t,
                to: t + interval_s,
                colour: colour::BAD,
                title: format!(
                    "{} in the interval from {} s: {} ms (target {} ms)",
                    self.name,
                    fmt_num(t),
                    ms(v),
                    fmt_num(self.max_ms)
                ),
            })
            .collect()
    }

    fn threshold(&self) -> Threshold {
        Threshold {
            label: format!("SLO {}", self.short()),
            y: self.max_ms,
            colour: colour::BAD,
        }
    }

    /// When and by how much the target was missed, or that it never was.
    fn caption(&self) -> (String, bool) {
        let missed = self.missed();
        let highest = self.points.iter().map(|p| p.1).fold(0.0, f64::max);
        match missed.iter().copied().max_by(|a, b| a.1.total_cmp(&b.1)) {
            None if self.points.is_empty() => {
                (format!("{}: no interval had samples.", self.name), false)
            }
            None => (
                format!(
                    "{}: no interval above the target of {} ms (the highest interval: {} ms).",
                    self.name,
                    fmt_num(self.max_ms),
                    ms(highest)
                ),
                false,
            ),
            Some((t, worst)) => (
                format!(
                    "{}: above the target of {} ms in {} of {} intervals (shaded red); worst {} ms in the interval from {} s, {} ms over (×{:.1}).",
                    self.name,
                    fmt_num(self.max_ms),
                    missed.len(),
                    self.points.len(),
                    ms(worst),
                    fmt_num(t),
                    ms(worst - self.max_ms),
                    worst / self.max_ms.max(1e-9)
                ),
                true,
            ),
        }
    }
}

/// Every latency SLO interval by interval: from the summary's SLO series, else (a
/// summary of an older onshi) from the visit series when the SLO is on it.
fn slo_views(s: &Summary) -> Vec<(SloView, bool)> {
    let t_of = |index: u64| index as f64 * interval_s(s);
    s.meta
        .scenario
        .slos
        .latency
        .iter()
        .map(|l| {
            let name = slo::latency_name(l);
            let tag = slo::latency_tag(l);
            let recorded = s.slo_series.iter().find(|x| x.name == name);
            let from_visits = |pick: fn(&super::super::summary::SeriesPoint) -> f64| {
                s.series
                    .iter()
                    .filter(|p| pick(p) > 0.0)
                    .map(|p| (p.t_s, pick(p)))
                    .collect()
            };
            let points = match recorded {
                Some(r) => r.points.iter().map(|(i, v)| (t_of(*i), *v)).collect(),
                None if tag == "response.visit" && l.percentile == 99.0 => {
                    from_visits(|p| p.p99_ms)
                }
                None if tag == "response.visit" && l.percentile == 50.0 => {
                    from_visits(|p| p.p50_ms)
                }
                None => Vec::new(),
            };
            let known = recorded.is_some() || !points.is_empty();
            (
                SloView {
                    name,
                    tag,
                    percentile: l.percentile,
                    max_ms: l.max_ms,
                    points,
                },
                known,
            )
        })
        .collect()
}

fn interval_s(s: &Summary) -> f64 {
    (s.meta.scenario.interval_ms as f64 / 1000.0).max(1e-3)
}

/// Where an interval's figure is drawn: the middle of the interval starting at `t`.
fn mid(s: &Summary, t: f64) -> f64 {
    t + interval_s(s) / 2.0
}

/// Every chart of the report, in page order.
pub(super) fn figures(s: &Summary) -> Vec<Figure> {
    let mut out = vec![throughput(s)];
    let views = slo_views(s);
    out.push(visit_latency(s, &views));
    for (v, known) in &views {
        if !on_visit_chart(v) {
            out.push(slo_chart(s, v, *known));
        }
    }
    out.push(schedule(s));
    if let Some(l) = Lateness::of(s) {
        out.push(lateness(s, &l));
    }
    if let Some(f) = generator_cpu(s) {
        out.push(f);
    }
    out.push(distribution(
        s,
        "dist-response",
        "Response time by transaction (percentile distribution)",
        &VISIT_KINDS
            .iter()
            .map(|k| format!("response.{k}"))
            .collect::<Vec<_>>(),
    ));
    out.push(distribution(
        s,
        "dist-requests",
        "Backend requests (percentile distribution)",
        &REQUESTS
            .iter()
            .map(|k| format!("request.{k}"))
            .collect::<Vec<_>>(),
    ));
    out
}

/// The failures chart (drawn in its own section).
pub(super) fn failures(s: &Summary) -> Figure {
    let mut cats = Vec::new();
    let mut failed = Vec::new();
    let mut errors = Vec::new();
    for k in FailureKind::ALL {
        cats.push(format!("failure: {}", k.name()));
        failed.push(s.counters.failures_of(k) as f64);
        errors.push(0.0);
    }
    for k in [
        ErrorKind::Transport,
        ErrorKind::Timeout,
        ErrorKind::Unavailable,
        ErrorKind::ServerError,
        ErrorKind::ClientOutage,
    ] {
        cats.push(format!("no answer: {}", k.name()));
        failed.push(0.0);
        errors.push(s.counters.errors.get(k.name()).copied().unwrap_or(0) as f64);
    }
    let f: f64 = failed.iter().sum();
    let e: f64 = errors.iter().sum();
    Figure {
        id: "failures-chart".into(),
        svg: bars(
            "Failures and errors by kind (jobs)",
            &cats,
            &[
                ("semantic failure", colour::BAD, failed),
                ("visit without an answer", colour::WARN, errors),
            ],
        ),
        caption: format!(
            "{f} semantic failure(s) (red) and {e} visit(s) without an answer (orange)."
        ),
        alarm: f > 0.0 || e > 0.0,
    }
}

/// Whether an SLO is drawn on the visit response-time chart (its p50 or p99 line).
fn on_visit_chart(v: &SloView) -> bool {
    v.tag == "response.visit" && (v.percentile == 50.0 || v.percentile == 99.0)
}

fn nonzero(v: f64) -> f64 {
    if v > 0.0 { v } else { f64::NAN }
}

fn throughput(s: &Summary) -> Figure {
    let i = interval_s(s);
    let chart = Chart::new(
        "Throughput: jobs finished per second, against the arrivals due",
        SECONDS,
        "jobs/s",
        XAxis::Linear,
        YAxis::Linear,
    )
    .dashed(
        "due (intended arrivals)/s",
        colour::NEUTRAL,
        s.series
            .iter()
            .map(|p| (mid(s, p.t_s), p.arrivals as f64 / i))
            .collect(),
    )
    .line(
        "finished/s",
        colour::LINES[0],
        s.series
            .iter()
            .map(|p| (mid(s, p.t_s), p.counts.completed as f64 / i))
            .collect(),
    );
    let peak = s
        .series
        .iter()
        .map(|p| p.counts.completed as f64 / i)
        .fold(0.0, f64::max);
    Figure {
        id: "throughput".into(),
        svg: chart.svg(),
        caption: format!(
            "{} jobs finished of {} scheduled; the busiest interval finished {:.1} jobs/s.",
            s.counters.completed, s.counters.scheduled, peak
        ),
        alarm: false,
    }
}

fn visit_latency(s: &Summary, views: &[(SloView, bool)]) -> Figure {
    let mut chart = Chart::new(
        "Response time of every visit over time (ms, log scale)",
        SECONDS,
        "ms",
        XAxis::Linear,
        YAxis::Log,
    )
    .line(
        "p50",
        colour::LINES[0],
        s.series
            .iter()
            .map(|p| (mid(s, p.t_s), nonzero(p.p50_ms)))
            .collect(),
    )
    .line(
        "p99",
        colour::LINES[1],
        s.series
            .iter()
            .map(|p| (mid(s, p.t_s), nonzero(p.p99_ms)))
            .collect(),
    );
    let mut captions = Vec::new();
    let mut alarm = false;
    for (v, _) in views.iter().filter(|(v, _)| on_visit_chart(v)) {
        chart.thresholds.push(v.threshold());
        chart.bands.extend(v.bands(interval_s(s)));
        let (c, a) = v.caption();
        captions.push(c);
        alarm |= a;
    }
    if captions.is_empty() {
        captions.push("No latency SLO on every visit's p50 or p99.".into());
    }
    Figure {
        id: "latency".into(),
        svg: chart.svg(),
        caption: format!(
            "The p50 and p99 of the visits finished in each interval. {}",
            captions.join(" ")
        ),
        alarm,
    }
}

fn slo_chart(s: &Summary, v: &SloView, known: bool) -> Figure {
    let mut chart = Chart::new(
        &format!("SLO {}: {} per interval (ms, log scale)", v.name, v.short()),
        SECONDS,
        "ms",
        XAxis::Linear,
        YAxis::Log,
    )
    .line(
        &format!("{} p{}", v.tag, v.percentile),
        colour::LINES[2],
        v.points.iter().map(|(t, v)| (mid(s, *t), *v)).collect(),
    );
    chart.thresholds.push(v.threshold());
    chart.bands.extend(v.bands(interval_s(s)));
    let (caption, alarm) = if known {
        v.caption()
    } else {
        (
            format!(
                "{}: not recorded interval by interval by the onshi that ran this (re-run to see it).",
                v.name
            ),
            false,
        )
    };
    Figure {
        id: format!("slo-{}", v.name.replace('.', "-")),
        svg: chart.svg(),
        caption,
        alarm,
    }
}

fn schedule(s: &Summary) -> Figure {
    let mut cum = (0.0, 0.0, 0.0);
    let mut backlog = (0.0, 0.0);
    let mut due = Vec::new();
    let mut started = Vec::new();
    let mut finished = Vec::new();
    let i = interval_s(s);
    for p in &s.series {
        cum.0 += p.arrivals as f64;
        cum.1 += p.counts.started as f64;
        cum.2 += p.counts.completed as f64;
        // Counts close at the interval's end.
        let end = p.t_s + i;
        due.push((end, cum.0));
        started.push((end, cum.1));
        finished.push((end, cum.2));
        if cum.0 - cum.1 > backlog.0 {
            backlog = (cum.0 - cum.1, end);
        }
    }
    let mut chart = Chart::new(
        "Schedule kept? Jobs due vs started vs finished (cumulative)",
        SECONDS,
        "jobs",
        XAxis::Linear,
        YAxis::Linear,
    )
    .dashed("due (intended arrivals)", colour::NEUTRAL, due)
    .line("started", colour::LINES[0], started)
    .line("finished", colour::LINES[1], finished);
    let late = Lateness::of(s);
    let mut caption = if backlog.0 > 0.0 {
        format!(
            "At most {:.0} job(s) were due but not started (at {} s): patients waiting for a busy reader, or a late generator. ",
            backlog.0,
            fmt_num(backlog.1)
        )
    } else {
        "Every job started in the interval it was due. ".to_owned()
    };
    let mut alarm = false;
    match &late {
        Some(l) if !l.behind.is_empty() => {
            alarm = true;
            for (t, worst) in &l.behind {
                chart.bands.push(Band {
                    from: *t,
                    to: t + i,
                    colour: colour::WARN,
                    title: format!(
                        "the generator was {} ms late in the interval from {} s",
                        ms(*worst),
                        fmt_num(*t)
                    ),
                });
            }
            caption.push_str(&format!(
                "The generator fell more than {BEHIND_MS:.0} ms behind its schedule in {} interval(s) (shaded orange).",
                l.behind.len()
            ));
        }
        Some(_) => caption.push_str(&format!(
            "The generator was never more than {BEHIND_MS:.0} ms behind its schedule."
        )),
        None => caption
            .push_str("The generator's lateness was not recorded by the onshi that ran this."),
    }
    Figure {
        id: "schedule".into(),
        svg: chart.svg(),
        caption,
        alarm,
    }
}

/// The load process's CPU per interval as a share of its CPUs (every shard's
/// together), `None` when the onshi that ran it did not measure it.
fn generator_cpu(s: &Summary) -> Option<Figure> {
    let gens: Vec<&Generator> = s
        .meta
        .shards
        .iter()
        .filter_map(|sh| sh.generator.as_ref())
        .collect();
    if gens.is_empty() {
        return None;
    }
    let cores: f64 = gens.iter().map(|g| f64::from(g.cores)).sum();
    let i = interval_s(s);
    let mut chart = Chart::new(
        "Generator CPU per interval (% of its CPUs)",
        SECONDS,
        "%",
        XAxis::Linear,
        YAxis::Linear,
    )
    .line(
        "CPU",
        colour::LINES[0],
        s.series
            .iter()
            .map(|p| {
                (
                    mid(s, p.t_s),
                    100.0 * p.generator_cpu_s / (i * cores).max(1e-9),
                )
            })
            .collect(),
    );
    chart.thresholds.push(Threshold {
        label: format!("ceiling: {:.0} %", CPU_CEILING * 100.0),
        y: CPU_CEILING * 100.0,
        colour: colour::WARN,
    });
    let saturated = gens.iter().any(|g| g.saturated);
    let caption = gens
        .iter()
        .map(|g| g.sentence())
        .collect::<Vec<_>>()
        .join(" ");
    Some(Figure {
        id: "generator-cpu".into(),
        svg: chart.svg(),
        caption,
        alarm: saturated,
    })
}

fn lateness(s: &Summary, l: &Lateness) -> Figure {
    let mut chart = Chart::new(
        "Generator lateness per interval (ms, log scale)",
        SECONDS,
        "ms",
        XAxis::Linear,
        YAxis::Log,
    )
    .line(
        "p99",
        colour::LINES[0],
        s.series
            .iter()
            .map(|p| (mid(s, p.t_s), nonzero(p.lateness_p99_ms)))
            .collect(),
    )
    .line(
        "max",
        colour::LINES[1],
        s.series
            .iter()
            .map(|p| (mid(s, p.t_s), nonzero(p.lateness_max_ms)))
            .collect(),
    );
    chart.thresholds.push(Threshold {
        label: format!("behind: {BEHIND_MS:.0} ms"),
        y: BEHIND_MS,
        colour: colour::WARN,
    });
    let i = interval_s(s);
    for (t, _) in &l.behind {
        chart.bands.push(Band {
            from: *t,
            to: t + i,
            colour: colour::WARN,
            title: format!("behind in the interval from {} s", fmt_num(*t)),
        });
    }
    let caption = super::doc::spans_text(&l.sentence());
    Figure {
        id: LATENESS_TAG.replace('.', "-"),
        svg: chart.svg(),
        caption,
        alarm: !l.behind.is_empty(),
    }
}

/// The five figures of a tag as a curve (a summary without recorded curves).
fn curve_of_stats(l: &LatencyStats) -> Vec<(f64, f64)> {
    vec![
        (50.0, l.p50_ms),
        (90.0, l.p90_ms),
        (99.0, l.p99_ms),
        (99.9, l.p999_ms),
        (100.0, l.max_ms),
    ]
}

fn distribution(s: &Summary, id: &str, title: &str, tags: &[String]) -> Figure {
    let mut chart = Chart::new(
        &format!("{title} (ms, log scale)"),
        "percentile (HdrHistogram scale: 1/(1−p) logarithmic; max at the right end)",
        "ms",
        XAxis::Percentile,
        YAxis::Log,
    );
    let mut shown = Vec::new();
    let mut colours = colour::LINES.iter().cycle();
    for tag in tags {
        let Some(stats) = s.latency.get(tag).filter(|l| l.count > 0) else {
            continue;
        };
        let points = s
            .percentiles
            .get(tag)
            .filter(|c| !c.is_empty())
            .cloned()
            .unwrap_or_else(|| curve_of_stats(stats));
        let name = tag.split_once('.').map_or(tag.as_str(), |(_, k)| k);
        let (c, dashed) = if name == "visit" {
            (colour::NEUTRAL, true)
        } else {
            (*colours.next().unwrap_or(&colour::LINES[0]), false)
        };
        chart.lines.push(Line {
            name: format!("{name} ({})", stats.count),
            points,
            colour: c,
            dashed,
        });
        shown.push(name.to_owned());
    }
    let mut slos = Vec::new();
    for l in &s.meta.scenario.slos.latency {
        let tag = slo::latency_tag(l);
        if tags.contains(&tag) && s.latency.contains_key(&tag) {
            chart.markers.push(Marker {
                x: l.percentile,
                y: l.max_ms,
                label: format!(
                    "SLO {} p{} ≤ {} ms",
                    l.transaction,
                    l.percentile,
                    ms(l.max_ms)
                ),
                colour: colour::BAD,
            });
            slos.push(slo::latency_name(l));
        }
    }
    let caption = if shown.is_empty() {
        "No samples.".to_owned()
    } else {
        format!(
            "One curve per kind (samples in brackets): the latency at each percentile, as HdrHistogram's plotter draws it.{}",
            if slos.is_empty() {
                String::new()
            } else {
                format!(
                    " The red diamond marks each SLO's percentile and target: {}.",
                    slos.join(", ")
                )
            }
        )
    };
    Figure {
        id: id.to_owned(),
        svg: chart.svg(),
        caption,
        alarm: false,
    }
}
