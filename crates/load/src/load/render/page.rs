//! `report.html`: the load report as a page. Self-contained — inline CSS and SVG, no
//! script, no font or image from anywhere — and every verdict in words and colour,
//! never in emoji.

use std::fmt::Write as _;

use super::super::summary::Summary;
use super::charts::{self, Figure};
use super::doc::{Block, Sections, blocks_html, spans_html};
use super::lateness::Lateness;
use onshi_report::report::svg::esc;

const STYLE: &str = r#"
body{font-family:system-ui,"DejaVu Sans","IPAGothic",sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.5em}h2{margin-top:1.8em;border-bottom:1px solid #ccc;padding-bottom:.2em}
.muted{color:#666}nav{margin:1em 0;font-size:.9em}nav a{margin-right:1em}
table{border-collapse:collapse;margin:.8em 0;font-size:.9em}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:0 .5em;border-radius:.7em;font-weight:bold;font-size:.9em;color:#fff}
.badge.good{background:#2e7d32}.badge.bad{background:#c62828}
h1 .badge{font-size:.8em;vertical-align:middle}
figure{margin:1.4em 0}figcaption{font-size:.9em;max-width:720px;margin-top:.3em}
figcaption.alarm{color:#b71c1c;font-weight:bold}
svg.chart{max-width:100%;height:auto;font-family:inherit}
.callout{border-left:4px solid #ef6c00;background:#fff3e0;padding:.5em 1em;margin:1em 0}
.callout.bad{border-color:#c62828;background:#ffebee}
code{background:#f4f4f4;padding:0 .2em}
"#;

/// The whole page.
pub(super) fn page(s: &Summary) -> String {
    let sections = Sections::of(s);
    let figures = charts::figures(s);
    let failures = charts::failures(s);
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>onshi load — {}</title><style>{STYLE}</style></head><body>
<h1>{}</h1>{}"#,
        esc(&s.meta.scenario.name),
        spans_html(&sections.title),
        blocks_html(std::slice::from_ref(&sections.run)),
    );
    callouts(&mut h, s);
    h.push_str(r##"<nav><a href="#slos">SLOs</a><a href="#over-time">Over time</a><a href="#distributions">Distributions</a><a href="#jobs">Jobs</a><a href="#failures">Failures and errors</a></nav>"##);
    section(&mut h, "slos", &sections.slos);
    h.push_str(r#"<h2 id="over-time">Over time</h2>"#);
    let (dists, over_time): (Vec<&Figure>, Vec<&Figure>) =
        figures.iter().partition(|f| f.id.starts_with("dist-"));
    for f in over_time {
        figure(&mut h, f);
    }
    h.push_str(r#"<h2 id="distributions">Latency distributions</h2>"#);
    for f in dists {
        figure(&mut h, f);
    }
    section(&mut h, "jobs", &sections.jobs);
    h.push_str(&blocks_html(&sections.latency));
    section(&mut h, "failures", &sections.failures[..1]);
    figure(&mut h, &failures);
    h.push_str(&blocks_html(&sections.failures[1..]));
    h.push_str(&blocks_html(&sections.desk_and_notes));
    h.push_str(r#"<h2>Files</h2><p>Goose's own report is alongside: <a href="goose-report.html">goose-report.html</a> (its charts load a script from a CDN), <code>goose-report.json</code>, <code>goose-report.md</code>. HdrHistogram interval logs: <code>hdr/</code>. This page is drawn from <code>summary.json</code> (<code>onshi report render</code> draws it again).</p>"#);
    h.push_str("\n</body></html>\n");
    h
}

/// Warnings worth reading before any chart: an interrupted run, a late generator.
fn callouts(h: &mut String, s: &Summary) {
    if s.meta.interrupted {
        h.push_str(r#"<p class="callout bad"><b>Interrupted:</b> the run was stopped before its schedule was done; the figures cover the finished jobs only and the run does not pass.</p>"#);
    }
    for (sh, g) in s.saturated_generators() {
        let _ = write!(
            h,
            r#"<p class="callout bad"><b>Unreliable{}:</b> {}</p>"#,
            if s.meta.shards.len() > 1 {
                format!(" (shard {})", sh.shard)
            } else {
                String::new()
            },
            esc(&g.sentence())
        );
    }
    if let Some(l) = Lateness::of(s).filter(|l| !l.behind.is_empty()) {
        let _ = write!(
            h,
            r##"<p class="callout">{} See <a href="#schedule">the schedule</a>.</p>"##,
            spans_html(&l.sentence())
        );
    }
}

/// A section: its heading with an anchor, then its blocks.
fn section(h: &mut String, id: &str, blocks: &[Block]) {
    match blocks.split_first() {
        Some((Block::Heading(title), rest)) => {
            let _ = write!(h, r#"<h2 id="{id}">{}</h2>"#, esc(title));
            h.push_str(&blocks_html(rest));
        }
        _ => {
            let _ = write!(h, r#"<a id="{id}"></a>"#);
            h.push_str(&blocks_html(blocks));
        }
    }
}

fn figure(h: &mut String, f: &Figure) {
    let _ = write!(
        h,
        r#"<figure id="{}">{}<figcaption{}>{}</figcaption></figure>"#,
        esc(&f.id),
        f.svg,
        if f.alarm { r#" class="alarm""# } else { "" },
        esc(&f.caption)
    );
}

#[cfg(test)]
mod tests {
    use super::super::tests::sample;
    use super::*;
    use crate::load::metrics::{IntervalCounts, LATENESS_TAG};
    use crate::load::scenario::{LatencySlo, Measure};
    use crate::load::summary::{LatencyStats, SeriesPoint, SloSeries};

    fn point(index: u64, p99_ms: f64, lateness_max_ms: f64) -> SeriesPoint {
        SeriesPoint {
            index,
            t_s: index as f64,
            arrivals: 10,
            counts: IntervalCounts {
                started: 10,
                completed: 9,
                failed: 0,
                errors: 0,
            },
            p50_ms: p99_ms / 4.0,
            p99_ms,
            lateness_p99_ms: lateness_max_ms / 2.0,
            lateness_max_ms,
            generator_cpu_s: 0.0,
        }
    }

    /// [`sample`] with three intervals: the visit p99 above its 50 ms target in the
    /// second, the generator 250 ms late in the third; failures and an error.
    fn eventful() -> Summary {
        let mut s = sample();
        s.series = vec![
            point(0, 10.0, 1.0),
            point(1, 80.0, 2.0),
            point(2, 20.0, 250.0),
        ];
        s.meta.scenario.slos.latency = vec![LatencySlo {
            transaction: "visit".into(),
            percentile: 99.0,
            max_ms: 50.0,
            measure: Measure::Response,
        }];
        s.slo_series = vec![SloSeries {
            name: "latency.response.visit.p99".into(),
            tag: "response.visit".into(),
            percentile: 99.0,
            max_ms: 50.0,
            points: vec![(0, 10.0), (1, 80.0), (2, 20.0)],
        }];
        let stats = |count, max_ms| LatencyStats {
            count,
            mean_ms: 1.0,
            p50_ms: 1.0,
            p90_ms: 2.0,
            p99_ms: 3.0,
            p999_ms: 4.0,
            max_ms,
        };
        s.latency.insert("response.visit".into(), stats(30, 90.0));
        s.latency.insert(LATENESS_TAG.into(), stats(30, 250.0));
        s.percentiles.insert(
            "response.visit".into(),
            vec![(0.0, 1.0), (50.0, 2.0), (99.0, 60.0), (100.0, 90.0)],
        );
        s.counters.failures.insert("wrong-person".into(), 2);
        s.counters.errors.insert("timeout".into(), 1);
        s
    }

    #[test]
    fn the_page_shows_tables_charts_and_what_went_wrong_in_words_and_colour() {
        let html = page(&eventful());
        assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n"));
        for absent in [
            "<script",
            " src=",
            "<pre>",
            "<link",
            "@font-face",
            "✅",
            "❌",
        ] {
            assert!(!html.contains(absent), "{absent}");
        }
        assert!(html.matches("<table>").count() >= 4);
        assert!(html.matches("<svg").count() >= 7);
        assert!(html.contains(r#"<span class="badge bad">SLOs missed</span>"#));
        assert!(html.contains("above the target of 50 ms in 1 of 3 intervals"));
        assert!(html.contains("SLO p99 ≤ 50 ms"), "the threshold is drawn");
        assert!(
            html.contains(r#"class="callout""#)
                && html.contains("behind its schedule in 1 of 3 intervals")
        );
        // Failures in the failure colour, errors in the error colour.
        assert!(html.contains(r##"fill="#c62828"><title>semantic failure: 2</title>"##));
        assert!(html.contains(r##"fill="#ef6c00"><title>visit without an answer: 1</title>"##));
        assert!(html.contains("Latency distributions") && html.contains(">99%<"));
        // The in-page links lead somewhere.
        for (i, _) in html.match_indices(r##"href="#"##) {
            let id = &html[i + 7..];
            let id = &id[..id.find('"').unwrap()];
            assert!(html.contains(&format!(r#"id="{id}""#)), "#{id}");
        }
    }

    #[test]
    fn an_older_summary_still_draws_its_visit_slo_and_says_what_it_lacks() {
        let mut s = eventful();
        s.slo_series.clear();
        s.percentiles.clear();
        s.latency.remove(LATENESS_TAG);
        let html = page(&s);
        assert!(html.contains("above the target of 50 ms in 1 of 3 intervals"));
        assert!(html.contains("lateness was not recorded"));
        assert!(!html.contains(r#"class="callout""#));
    }
}
