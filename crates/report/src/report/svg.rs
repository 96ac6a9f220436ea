//! Small inline SVG charts for self-contained HTML reports (no scripts, no CDN).
//! [`plot`]: line charts with thresholds, shaded ranges, log and percentile axes, and
//! bars with a colour per series.

use std::fmt::Write as _;

pub mod plot;

/// Escapes text for HTML/SVG.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Colours used by every chart, in series order.
pub const PALETTE: [&str; 6] = [
    "#2e7d32", "#c62828", "#9e9e9e", "#1565c0", "#ef6c00", "#6a1b9a",
];

/// A horizontal stacked bar chart: one bar per category, one segment per series.
pub fn stacked_bars(title: &str, categories: &[String], series: &[(&str, Vec<f64>)]) -> String {
    let row = 22.0;
    let label_w = 260.0;
    let bar_w = 420.0;
    let height = 40.0 + row * categories.len() as f64 + 24.0;
    let max: f64 = (0..categories.len())
        .map(|i| {
            series
                .iter()
                .map(|(_, v)| v.get(i).copied().unwrap_or(0.0))
                .sum::<f64>()
        })
        .fold(0.0, f64::max)
        .max(1.0);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{height}" role="img" aria-label="{}"><text x="0" y="16" font-size="14" font-weight="bold">{}</text>"#,
        label_w + bar_w + 60.0,
        esc(title),
        esc(title)
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
        for (j, (_, values)) in series.iter().enumerate() {
            let v = values.get(i).copied().unwrap_or(0.0);
            if v <= 0.0 {
                continue;
            }
            let w = v / max * bar_w;
            let _ = write!(
                s,
                r#"<rect x="{x:.1}" y="{}" width="{w:.1}" height="{}" fill="{}"><title>{v}</title></rect>"#,
                y + 2.0,
                row - 6.0,
                PALETTE[j % PALETTE.len()]
            );
            x += w;
        }
        let total: f64 = series
            .iter()
            .map(|(_, v)| v.get(i).copied().unwrap_or(0.0))
            .sum();
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{}" font-size="11">{total}</text>"#,
            x + 4.0,
            y + 14.0
        );
    }
    let legend_y = height - 8.0;
    let mut lx = label_w;
    for (j, (name, _)) in series.iter().enumerate() {
        let _ = write!(
            s,
            r#"<rect x="{lx}" y="{}" width="10" height="10" fill="{}"/><text x="{}" y="{legend_y}" font-size="11">{}</text>"#,
            legend_y - 9.0,
            PALETTE[j % PALETTE.len()],
            lx + 14.0,
            esc(name)
        );
        lx += 24.0 + 7.0 * name.chars().count() as f64 + 20.0;
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_well_formed_svg() {
        let b = stacked_bars(
            "t<>",
            &["a".into(), "b".into()],
            &[("pass", vec![1.0, 2.0]), ("fail", vec![0.0, 1.0])],
        );
        assert!(b.starts_with("<svg") && b.ends_with("</svg>"));
        assert!(b.contains("t&lt;&gt;"));
    }
}
