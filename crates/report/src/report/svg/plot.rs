//! A line chart with what a report needs to judge at a glance: thresholds drawn across
//! it, x ranges shaded (when an SLO was missed, when the generator fell behind),
//! markers, a linear or logarithmic y axis, and HdrHistogram's percentile x axis
//! (`1 / (1 − p)` on a log scale: 0 %, 90 %, 99 %, 99.9 % … evenly spaced, the maximum
//! at the right end). Pure: data in, SVG text out.

use std::fmt::Write as _;

use super::esc;

/// Colours with a meaning, shared by every chart and page.
pub mod colour {
    /// Met, passed.
    pub const GOOD: &str = "#2e7d32";
    /// Missed, failed, a threshold.
    pub const BAD: &str = "#c62828";
    /// An error (no answer), a warning.
    pub const WARN: &str = "#ef6c00";
    /// Neutral, planned (arrivals).
    pub const NEUTRAL: &str = "#757575";
    /// Data lines, in order: none of them green, red or orange, which carry a verdict.
    pub const LINES: [&str; 6] = [
        "#1565c0", "#6a1b9a", "#00838f", "#6d4c41", "#ad1457", "#455a64",
    ];
}

/// How the x axis maps values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XAxis {
    /// Linear (e.g. seconds).
    Linear,
    /// Percentiles 0–100 on HdrHistogram's log scale of `1 / (1 − p)`; 100 (the
    /// maximum) is drawn at the right end, one decade past the last finite point.
    Percentile,
}

/// How the y axis maps values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YAxis {
    /// Linear from 0.
    Linear,
    /// Logarithmic (decades); values ≤ 0 are left out.
    Log,
}

/// One line.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Legend text.
    pub name: String,
    /// Points (x, y); a point whose y is not finite breaks the line.
    pub points: Vec<(f64, f64)>,
    /// Stroke colour.
    pub colour: &'static str,
    /// Dashed stroke.
    pub dashed: bool,
}

/// A horizontal line across the plot (an SLO target).
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    /// Label, drawn at its right end.
    pub label: String,
    /// Its y.
    pub y: f64,
    /// Colour.
    pub colour: &'static str,
}

/// A shaded x range (e.g. intervals above a target).
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    /// Start x.
    pub from: f64,
    /// End x.
    pub to: f64,
    /// Fill colour (drawn translucent).
    pub colour: &'static str,
    /// Tooltip.
    pub title: String,
}

/// A point worth pointing at (an SLO's percentile and target on a distribution).
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    /// Its x.
    pub x: f64,
    /// Its y.
    pub y: f64,
    /// Label beside it.
    pub label: String,
    /// Colour.
    pub colour: &'static str,
}

/// A line chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// Title (also the accessible name).
    pub title: String,
    /// Under the x axis.
    pub x_label: String,
    /// Beside the y axis.
    pub y_label: String,
    /// x mapping.
    pub x_axis: XAxis,
    /// y mapping.
    pub y_axis: YAxis,
    /// Lines, drawn in order.
    pub lines: Vec<Line>,
    /// Thresholds.
    pub thresholds: Vec<Threshold>,
    /// Shaded ranges, drawn under the lines.
    pub bands: Vec<Band>,
    /// Markers.
    pub markers: Vec<Marker>,
}

const W: f64 = 720.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 150.0;
const PLOT_H: f64 = 210.0;
const BOTTOM: f64 = 40.0;
const LEGEND_ROW: f64 = 16.0;

impl Chart {
    /// A chart without lines yet.
    pub fn new(title: &str, x_label: &str, y_label: &str, x_axis: XAxis, y_axis: YAxis) -> Self {
        Self {
            title: title.to_owned(),
            x_label: x_label.to_owned(),
            y_label: y_label.to_owned(),
            x_axis,
            y_axis,
            lines: Vec::new(),
            thresholds: Vec::new(),
            bands: Vec::new(),
            markers: Vec::new(),
        }
    }

    /// Adds a line.
    pub fn line(mut self, name: &str, colour: &'static str, points: Vec<(f64, f64)>) -> Self {
        self.lines.push(Line {
            name: name.to_owned(),
            points,
            colour,
            dashed: false,
        });
        self
    }

    /// Adds a dashed line (a plan, an aggregate).
    pub fn dashed(mut self, name: &str, colour: &'static str, points: Vec<(f64, f64)>) -> Self {
        self = self.line(name, colour, points);
        if let Some(l) = self.lines.last_mut() {
            l.dashed = true;
        }
        self
    }

    /// The SVG.
    pub fn svg(&self) -> String {
        let legend = legend_rows(&self.lines);
        let top = 26.0 + LEGEND_ROW * legend.len() as f64 + 6.0;
        let h = top + PLOT_H + BOTTOM;
        let plot_w = W - LEFT - RIGHT;
        let x = XScale::of(self);
        let y = YScale::of(self);
        let mut s = String::new();
        let _ = write!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{W}" height="{h}" viewBox="0 0 {W} {h}" role="img" aria-label="{t}"><title>{t}</title><text x="0" y="16" font-size="14" font-weight="bold">{t}</text>"#,
            t = esc(&self.title)
        );
        for (row, items) in legend.iter().enumerate() {
            let ly = 26.0 + LEGEND_ROW * row as f64 + 10.0;
            for (lx, line) in items {
                let _ = write!(
                    s,
                    r#"<line x1="{lx}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2.5"{}/><text x="{}" y="{ly}" font-size="11">{}</text>"#,
                    ly - 4.0,
                    lx + 16.0,
                    ly - 4.0,
                    line.colour,
                    dash(line.dashed),
                    lx + 20.0,
                    esc(&line.name)
                );
            }
        }
        let py = |v: f64| y.map(v).map(|f| top + PLOT_H - f * PLOT_H);
        let px = |v: f64| LEFT + x.map(v) * plot_w;
        for b in &self.bands {
            let (x0, x1) = (px(b.from), px(b.to));
            let _ = write!(
                s,
                r#"<rect x="{x0:.1}" y="{top}" width="{:.1}" height="{PLOT_H}" fill="{}" fill-opacity="0.16"><title>{}</title></rect>"#,
                (x1 - x0).max(1.5),
                b.colour,
                esc(&b.title)
            );
        }
        // Axes and grid.
        for (v, label) in y.ticks() {
            if let Some(gy) = py(v) {
                let _ = write!(
                    s,
                    r##"<line x1="{LEFT}" y1="{gy:.1}" x2="{:.1}" y2="{gy:.1}" stroke="#e4e4e4"/><text x="{}" y="{:.1}" font-size="10" text-anchor="end">{label}</text>"##,
                    LEFT + plot_w,
                    LEFT - 4.0,
                    gy + 3.0
                );
            }
        }
        for (v, label) in x.ticks() {
            let gx = px(v);
            let _ = write!(
                s,
                r##"<line x1="{gx:.1}" y1="{top}" x2="{gx:.1}" y2="{:.1}" stroke="#f0f0f0"/><text x="{gx:.1}" y="{:.1}" font-size="10" text-anchor="middle">{label}</text>"##,
                top + PLOT_H,
                top + PLOT_H + 13.0
            );
        }
        let _ = write!(
            s,
            r##"<line x1="{LEFT}" y1="{b:.1}" x2="{:.1}" y2="{b:.1}" stroke="#555"/><line x1="{LEFT}" y1="{top}" x2="{LEFT}" y2="{b:.1}" stroke="#555"/><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle">{}</text><text x="12" y="{m:.1}" font-size="11" transform="rotate(-90 12 {m:.1})" text-anchor="middle">{}</text>"##,
            LEFT + plot_w,
            LEFT + plot_w / 2.0,
            h - 6.0,
            esc(&self.x_label),
            esc(&self.y_label),
            b = top + PLOT_H,
            m = top + PLOT_H / 2.0,
        );
        for line in &self.lines {
            for run in segments(line, &y) {
                let pts: Vec<String> = run
                    .iter()
                    .filter_map(|(vx, vy)| Some(format!("{:.1},{:.1}", px(*vx), py(*vy)?)))
                    .collect();
                if pts.len() == 1 {
                    let (cx, cy) = pts[0].split_once(',').unwrap_or(("0", "0"));
                    let _ = write!(
                        s,
                        r#"<circle cx="{cx}" cy="{cy}" r="2.5" fill="{}"/>"#,
                        line.colour
                    );
                } else {
                    let _ = write!(
                        s,
                        r#"<polyline fill="none" stroke="{}" stroke-width="1.8"{} points="{}"/>"#,
                        line.colour,
                        dash(line.dashed),
                        pts.join(" ")
                    );
                }
            }
        }
        for t in &self.thresholds {
            if let Some(ty) = py(t.y) {
                let _ = write!(
                    s,
                    r#"<line x1="{LEFT}" y1="{ty:.1}" x2="{:.1}" y2="{ty:.1}" stroke="{c}" stroke-width="1.5" stroke-dasharray="6 4"/><text x="{:.1}" y="{:.1}" font-size="11" fill="{c}">{}</text>"#,
                    LEFT + plot_w,
                    LEFT + plot_w + 4.0,
                    ty + 4.0,
                    esc(&t.label),
                    c = t.colour
                );
            }
        }
        for m in &self.markers {
            if let Some(my) = py(m.y) {
                let mx = px(m.x);
                let _ = write!(
                    s,
                    r#"<path d="M{:.1},{my:.1} l5,-5 l5,5 l-5,5 z" fill="white" stroke="{c}" stroke-width="1.8"/><text x="{:.1}" y="{:.1}" font-size="11" fill="{c}" text-anchor="end">{}</text>"#,
                    mx - 5.0,
                    mx - 8.0,
                    my - 8.0,
                    esc(&m.label),
                    c = m.colour
                );
            }
        }
        s.push_str("</svg>");
        s
    }
}

fn dash(dashed: bool) -> &'static str {
    if dashed {
        r#" stroke-dasharray="5 3""#
    } else {
        ""
    }
}

/// The legend laid out in rows that fit the width: (x, line) per item.
fn legend_rows(lines: &[Line]) -> Vec<Vec<(f64, &Line)>> {
    let mut rows: Vec<Vec<(f64, &Line)>> = Vec::new();
    let mut x = LEFT;
    for line in lines {
        let width = 20.0 + 6.4 * line.name.chars().count() as f64 + 18.0;
        if rows.is_empty() || x + width > W {
            rows.push(Vec::new());
            x = LEFT;
        }
        if let Some(row) = rows.last_mut() {
            row.push((x, line));
        }
        x += width;
    }
    rows
}

/// The runs of drawable points of a line (a non-finite or, on a log axis, non-positive
/// y breaks it).
fn segments(line: &Line, y: &YScale) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for &(vx, vy) in &line.points {
        if vx.is_finite() && vy.is_finite() && y.map(vy).is_some() {
            if let Some(run) = out.last_mut() {
                run.push((vx, vy));
            }
        } else if out.last().is_some_and(|r| !r.is_empty()) {
            out.push(Vec::new());
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

/// x: value → 0..1.
enum XScale {
    Linear {
        lo: f64,
        hi: f64,
    },
    /// Decades of `1 / (1 − p)`: `top` is where 100 % is drawn.
    Percentile {
        top: f64,
    },
}

/// `log10(1 / (1 − p/100))`, the HdrHistogram plotter's x of a percentile.
pub fn percentile_x(p: f64) -> f64 {
    (1.0 / (1.0 - p / 100.0)).log10()
}

impl XScale {
    fn of(c: &Chart) -> Self {
        let xs = c
            .lines
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.0))
            .chain(c.bands.iter().flat_map(|b| [b.from, b.to]))
            .chain(c.markers.iter().map(|m| m.x));
        match c.x_axis {
            XAxis::Linear => {
                let (lo, hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                    (lo.min(v), hi.max(v))
                });
                let lo = if lo.is_finite() { lo.min(0.0) } else { 0.0 };
                let hi = if hi.is_finite() && hi > lo {
                    hi
                } else {
                    lo + 1.0
                };
                // Out to the next round tick, so the last tick ends the axis.
                let hi = nice_ticks(lo, hi, 8).last().copied().unwrap_or(hi).max(hi);
                Self::Linear { lo, hi }
            }
            XAxis::Percentile => {
                let last = xs
                    .filter(|p| *p < 100.0)
                    .map(percentile_x)
                    .fold(0.0, f64::max);
                // (99 % is 1.9999999999999996 in floating point.)
                Self::Percentile {
                    top: ((last + 1e-9).floor() + 1.0).max(2.0),
                }
            }
        }
    }

    fn map(&self, v: f64) -> f64 {
        match *self {
            Self::Linear { lo, hi } => (v - lo) / (hi - lo),
            Self::Percentile { top } => {
                let x = if v >= 100.0 {
                    top
                } else {
                    percentile_x(v.max(0.0)).min(top)
                };
                x / top
            }
        }
    }

    fn ticks(&self) -> Vec<(f64, String)> {
        match *self {
            Self::Linear { lo, hi } => nice_ticks(lo, hi, 8)
                .into_iter()
                .map(|v| (v, fmt_num(v)))
                .collect(),
            Self::Percentile { top } => (0..=top as i32)
                .map(|d| {
                    let p = 100.0 * (1.0 - 10f64.powi(-d));
                    let label = if f64::from(d) >= top {
                        "max".to_owned()
                    } else {
                        format!("{}%", trim(p))
                    };
                    (if f64::from(d) >= top { 100.0 } else { p }, label)
                })
                .collect(),
        }
    }
}

/// y: value → 0..1 (None: not drawable on this axis).
enum YScale {
    Linear { hi: f64 },
    Log { lo: f64, hi: f64 },
}

impl YScale {
    fn of(c: &Chart) -> Self {
        let ys: Vec<f64> = c
            .lines
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.1))
            .chain(c.thresholds.iter().map(|t| t.y))
            .chain(c.markers.iter().map(|m| m.y))
            .filter(|v| v.is_finite())
            .collect();
        match c.y_axis {
            YAxis::Linear => {
                let max = ys.iter().copied().fold(0.0, f64::max);
                let hi = nice_ticks(0.0, if max > 0.0 { max } else { 1.0 }, 5)
                    .last()
                    .copied()
                    .unwrap_or(1.0)
                    .max(max);
                Self::Linear { hi }
            }
            YAxis::Log => {
                let pos = ys.iter().copied().filter(|v| *v > 0.0);
                let (lo, hi) = pos.fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
                    (lo.min(v), hi.max(v))
                });
                if !lo.is_finite() {
                    return Self::Log { lo: 0.0, hi: 1.0 };
                }
                let lo = lo.log10().floor();
                let hi = (hi.log10().ceil()).max(lo + 1.0);
                Self::Log { lo, hi }
            }
        }
    }

    fn map(&self, v: f64) -> Option<f64> {
        match *self {
            Self::Linear { hi } => Some((v / hi).clamp(0.0, 1.0)),
            Self::Log { lo, hi } => {
                (v > 0.0).then(|| ((v.log10() - lo) / (hi - lo)).clamp(0.0, 1.0))
            }
        }
    }

    fn ticks(&self) -> Vec<(f64, String)> {
        match *self {
            Self::Linear { hi } => nice_ticks(0.0, hi, 5)
                .into_iter()
                .map(|v| (v, fmt_num(v)))
                .collect(),
            Self::Log { lo, hi } => (lo as i32..=hi as i32)
                .map(|d| {
                    let v = 10f64.powi(d);
                    (v, fmt_num(v))
                })
                .collect(),
        }
    }
}

/// Round tick values (1, 2, 5 × 10ⁿ apart) covering lo..hi, about `n` of them.
fn nice_ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let span = (hi - lo).max(1e-9);
    let raw = span / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).floor() * step;
    let mut out = Vec::new();
    let mut v = first;
    while v < hi + step * 0.999 && out.len() < 40 {
        out.push(if v.abs() < step * 1e-9 { 0.0 } else { v });
        v += step;
    }
    out
}

/// A number for an axis: no needless decimals.
pub fn fmt_num(v: f64) -> String {
    if v == 0.0 {
        "0".to_owned()
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        trim(v)
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').to_owned()
    }
}

fn trim(v: f64) -> String {
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A horizontal stacked bar chart with a colour per series: one bar per category,
/// one segment per series, the total at the end of the bar.
pub fn bars(title: &str, categories: &[String], series: &[(&str, &str, Vec<f64>)]) -> String {
    let row = 22.0;
    let label_w = 300.0;
    let bar_w = 360.0;
    let legend = !series.is_empty();
    let height = 40.0 + row * categories.len() as f64 + if legend { 24.0 } else { 0.0 };
    let total = |i: usize| {
        series
            .iter()
            .map(|(_, _, v)| v.get(i).copied().unwrap_or(0.0))
            .sum::<f64>()
    };
    let max = (0..categories.len())
        .map(total)
        .fold(0.0, f64::max)
        .max(1.0);
    let width = label_w + bar_w + 60.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{t}"><title>{t}</title><text x="0" y="16" font-size="14" font-weight="bold">{t}</text>"#,
        t = esc(title)
    );
    for (i, cat) in categories.iter().enumerate() {
        let y = 30.0 + row * i as f64;
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" font-size="12" text-anchor="end">{}</text>"#,
            label_w - 6.0,
            y + 14.0,
            esc(cat)
        );
        let mut x = label_w;
        for (name, colour, values) in series {
            let v = values.get(i).copied().unwrap_or(0.0);
            if v <= 0.0 {
                continue;
            }
            let w = v / max * bar_w;
            let _ = write!(
                s,
                r#"<rect x="{x:.1}" y="{}" width="{w:.1}" height="{}" fill="{colour}"><title>{}: {v}</title></rect>"#,
                y + 2.0,
                row - 6.0,
                esc(name)
            );
            x += w;
        }
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{}" font-size="11">{}</text>"#,
            x + 4.0,
            y + 14.0,
            total(i)
        );
    }
    if legend {
        let legend_y = height - 8.0;
        let mut lx = label_w;
        for (name, colour, _) in series {
            let _ = write!(
                s,
                r#"<rect x="{lx}" y="{}" width="10" height="10" fill="{colour}"/><text x="{}" y="{legend_y}" font-size="11">{}</text>"#,
                legend_y - 9.0,
                lx + 14.0,
                esc(name)
            );
            lx += 24.0 + 6.4 * name.chars().count() as f64 + 20.0;
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_draws_lines_thresholds_bands_and_markers() {
        let mut c = Chart::new("p99 <&>", "s", "ms", XAxis::Linear, YAxis::Log).line(
            "p99",
            colour::LINES[0],
            vec![(0.0, 2.0), (1.0, f64::NAN), (2.0, 40.0), (3.0, 50.0)],
        );
        c.thresholds.push(Threshold {
            label: "SLO 30 ms".into(),
            y: 30.0,
            colour: colour::BAD,
        });
        c.bands.push(Band {
            from: 2.0,
            to: 4.0,
            colour: colour::BAD,
            title: "missed".into(),
        });
        let svg = c.svg();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("p99 &lt;&amp;&gt;"));
        // The NaN breaks the line: a dot, then a two-point polyline.
        assert_eq!(svg.matches("<polyline").count(), 1);
        assert_eq!(svg.matches("<circle").count(), 1);
        assert!(svg.contains("stroke-dasharray=\"6 4\"") && svg.contains("SLO 30 ms"));
        assert!(svg.contains("fill-opacity"));
        // Log ticks: 1, 10, 100.
        for t in [">1<", ">10<", ">100<"] {
            assert!(svg.contains(t), "{t}");
        }
    }

    #[test]
    fn the_percentile_axis_is_hdrhistograms() {
        assert!((percentile_x(99.0) - 2.0).abs() < 1e-9);
        assert!((percentile_x(99.9) - 3.0).abs() < 1e-9);
        let c = Chart::new("d", "percentile", "ms", XAxis::Percentile, YAxis::Log).line(
            "card",
            colour::LINES[0],
            vec![(0.0, 1.0), (50.0, 2.0), (99.5, 8.0), (100.0, 9.0)],
        );
        let x = XScale::of(&c);
        let labels: Vec<String> = x.ticks().into_iter().map(|t| t.1).collect();
        assert_eq!(labels, ["0%", "90%", "99%", "max"]);
        // A percentile asked for (an SLO's p99) gets its own place before the maximum.
        let mut short = Chart::new("d", "p", "ms", XAxis::Percentile, YAxis::Log).line(
            "few",
            colour::LINES[0],
            vec![(0.0, 1.0), (95.0, 2.0), (100.0, 3.0)],
        );
        short.markers.push(Marker {
            x: 99.0,
            y: 50.0,
            label: "SLO".into(),
            colour: colour::BAD,
        });
        let labels: Vec<String> = XScale::of(&short)
            .ticks()
            .into_iter()
            .map(|t| t.1)
            .collect();
        assert_eq!(labels, ["0%", "90%", "99%", "max"]);
        assert_eq!(x.map(100.0), 1.0);
        assert!((x.map(99.0) - 2.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn nice_ticks_are_round() {
        assert_eq!(nice_ticks(0.0, 10.0, 5), [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(fmt_num(0.5), "0.5");
        assert_eq!(fmt_num(2.50), "2.5");
        assert_eq!(fmt_num(3000.0), "3000");
    }

    #[test]
    fn bars_take_their_colours() {
        let b = bars(
            "by kind",
            &["failure: a".into(), "error: b".into()],
            &[
                ("failures", colour::BAD, vec![2.0, 0.0]),
                ("errors", colour::WARN, vec![0.0, 3.0]),
            ],
        );
        assert!(b.contains(&format!(r#"fill="{}"><title>failures: 2"#, colour::BAD)));
        assert!(b.contains(&format!(r#"fill="{}"><title>errors: 3"#, colour::WARN)));
    }
}
