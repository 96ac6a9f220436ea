//! The open arrival model: when patients arrive at one facility, whatever the backend
//! does. Pure and seeded.
//!
//! A facility expecting `mean` patients in the window (its `patients`, times the
//! Monday factor on a Monday) gets a Poisson number of them. A share `queue_at_open`
//! were already waiting at the door: they arrive at opening, within a minute (the
//! queue filing in). The rest arrive as a non-homogeneous Poisson process whose
//! intensity is the scenario's curve (linear between points): each time is drawn by
//! inverting the curve's cumulative integral. Real time = simulated time divided by
//! the compression factor.

use onshi_world::population::rng::{Rng64, mix64};

use super::scenario::Window;

/// How long the queue at the door takes to file in at opening (simulated seconds).
pub const QUEUE_FILE_IN_S: f64 = 60.0;

/// The normalised cumulative intensity of a curve (piecewise linear).
#[derive(Debug, Clone)]
pub struct Curve {
    /// (simulated seconds, cumulative share at that point), from (0, 0) to (len, 1).
    points: Vec<(f64, f64, f64)>,
}

impl Curve {
    /// The curve of a window. Nobody is served before opening: the curve counts
    /// from `open` (the early comers are the queue at the door), and a curve ending
    /// before the window does falls to zero at the end.
    pub fn new(window: &Window) -> Self {
        let len = window.sim_seconds();
        let open = window.offset_of(window.open);
        let mut raw: Vec<(f64, f64)> = window.curve.iter().map(|p| (p.at_s, p.rate)).collect();
        if raw.first().is_none_or(|p| p.0 > 0.0) {
            raw.insert(0, (0.0, 0.0));
        }
        if raw.last().is_none_or(|p| p.0 < len) {
            raw.push((len, 0.0));
        }
        let at_open = interpolate(&raw, open);
        let mut pts = vec![(0.0, 0.0)];
        if open > 0.0 {
            pts.push((open, 0.0));
        }
        pts.push((open, at_open));
        pts.extend(raw.iter().copied().filter(|p| p.0 > open));
        // (x, rate, cumulative share up to x)
        let mut out = Vec::with_capacity(pts.len());
        let mut acc = 0.0;
        for (i, &(x, r)) in pts.iter().enumerate() {
            if i > 0 {
                let (px, pr) = pts[i - 1];
                acc += (x - px) * (r + pr) / 2.0;
            }
            out.push((x, r, acc));
        }
        let total = acc.max(f64::MIN_POSITIVE);
        for p in &mut out {
            p.2 /= total;
        }
        Self { points: out }
    }

    /// Relative intensity at simulated second `x` (normalised so the integral is 1).
    pub fn density(&self, x: f64) -> f64 {
        let total = self.total_area();
        for w in self.points.windows(2) {
            let ((x0, r0, _), (x1, r1, _)) = (w[0], w[1]);
            if x >= x0 && x < x1 {
                return (r0 + (r1 - r0) * (x - x0) / (x1 - x0)) / total;
            }
        }
        self.points
            .last()
            .filter(|p| p.0 == x)
            .map_or(0.0, |p| p.1 / total)
    }

    fn total_area(&self) -> f64 {
        let mut acc = 0.0;
        for w in self.points.windows(2) {
            acc += (w[1].0 - w[0].0) * (w[0].1 + w[1].1) / 2.0;
        }
        acc.max(f64::MIN_POSITIVE)
    }

    /// The cumulative share of arrivals before simulated second `x`.
    pub fn cdf(&self, x: f64) -> f64 {
        let total = self.total_area();
        for w in self.points.windows(2) {
            let ((x0, r0, c0), (x1, r1, _)) = (w[0], w[1]);
            if x <= x1 {
                let dx = (x - x0).max(0.0);
                let slope = if x1 > x0 { (r1 - r0) / (x1 - x0) } else { 0.0 };
                return (c0 + (r0 * dx + slope * dx * dx / 2.0) / total).clamp(0.0, 1.0);
            }
        }
        1.0
    }

    /// The simulated second at which the cumulative share reaches `u` (0..1).
    pub fn inverse(&self, u: f64) -> f64 {
        let total = self.total_area();
        for w in self.points.windows(2) {
            let ((x0, r0, c0), (x1, r1, c1)) = (w[0], w[1]);
            if u <= c1 && c1 > c0 {
                // Solve r0·d + s·d²/2 = (u − c0)·total for d in [0, x1 − x0].
                let target = (u - c0) * total;
                let s = if x1 > x0 { (r1 - r0) / (x1 - x0) } else { 0.0 };
                let d = if s.abs() < 1e-12 {
                    if r0 > 0.0 { target / r0 } else { 0.0 }
                } else {
                    let disc = (r0 * r0 + 2.0 * s * target).max(0.0);
                    (-r0 + disc.sqrt()) / s
                };
                return (x0 + d.clamp(0.0, x1 - x0)).clamp(x0, x1);
            }
        }
        self.points.last().map_or(0.0, |p| p.0)
    }
}

fn interpolate(pts: &[(f64, f64)], x: f64) -> f64 {
    for w in pts.windows(2) {
        let ((x0, r0), (x1, r1)) = (w[0], w[1]);
        if x >= x0 && x <= x1 {
            return if x1 > x0 {
                r0 + (r1 - r0) * (x - x0) / (x1 - x0)
            } else {
                r1
            };
        }
    }
    0.0
}

/// A Poisson draw with mean `mean` (Knuth below 30, a rounded normal above).
pub fn poisson(rng: &mut Rng64, mean: f64) -> u64 {
    if mean <= 0.0 {
        return 0;
    }
    if mean < 30.0 {
        let l = (-mean).exp();
        let mut k = 0u64;
        let mut p = 1.0;
        loop {
            p *= rng.unit();
            if p <= l {
                return k;
            }
            k += 1;
        }
    }
    let u1 = rng.unit().max(f64::MIN_POSITIVE);
    let u2 = rng.unit();
    let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
    (mean + z * mean.sqrt()).round().max(0.0) as u64
}

/// The random stream of facility `id` for arrival draws.
pub fn facility_rng(seed: u64, id: u64, stream: u64) -> Rng64 {
    Rng64::new(mix64(
        seed ^ mix64(id.wrapping_mul(0x100).wrapping_add(stream) ^ 0xA441_7A15),
    ))
}

/// Simulated arrival seconds (after the window start, sorted) of one facility
/// expecting `mean` patients.
pub fn arrival_times(window: &Window, curve: &Curve, mean: f64, rng: &mut Rng64) -> Vec<f64> {
    let n = poisson(rng, mean);
    let open = window.offset_of(window.open);
    let len = window.sim_seconds();
    let mut out = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let t = if rng.unit() < window.queue_at_open {
            (open + rng.unit() * QUEUE_FILE_IN_S).min(len)
        } else {
            curve.inverse(rng.unit())
        };
        out.push(t);
    }
    out.sort_by(f64::total_cmp);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::scenario::CurvePoint;
    use chrono::NaiveTime;

    fn window() -> Window {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        let at = |h, m| (t(h, m) - t(8, 0)).num_seconds() as f64;
        Window {
            start: t(8, 0),
            end: t(12, 0),
            open: t(8, 30),
            queue_at_open: 0.1,
            monday_factor: 1.3,
            compression: 60.0,
            curve: vec![
                CurvePoint {
                    at_s: at(8, 0),
                    rate: 0.2,
                },
                CurvePoint {
                    at_s: at(8, 30),
                    rate: 3.0,
                },
                CurvePoint {
                    at_s: at(9, 30),
                    rate: 1.0,
                },
                CurvePoint {
                    at_s: at(11, 0),
                    rate: 1.0,
                },
                CurvePoint {
                    at_s: at(11, 45),
                    rate: 2.0,
                },
                CurvePoint {
                    at_s: at(12, 0),
                    rate: 0.1,
                },
            ],
            bulk_at: t(8, 0),
        }
    }

    #[test]
    fn the_curve_inverts_its_cdf() {
        let c = Curve::new(&window());
        assert_eq!(c.cdf(0.0), 0.0);
        assert!((c.cdf(4.0 * 3600.0) - 1.0).abs() < 1e-9);
        for k in 1..100 {
            let u = f64::from(k) / 100.0;
            let x = c.inverse(u);
            assert!((c.cdf(x) - u).abs() < 1e-6, "u {u} x {x} cdf {}", c.cdf(x));
        }
        // Density peaks at opening.
        assert!(c.density(1800.0) > c.density(3.0 * 3600.0) * 2.5);
    }

    #[test]
    fn poisson_has_the_right_mean() {
        let mut rng = Rng64::new(3);
        for mean in [0.5, 7.0, 120.0] {
            let n = 4000;
            let sum: u64 = (0..n).map(|_| poisson(&mut rng, mean)).sum();
            let avg = sum as f64 / f64::from(n);
            assert!(
                (avg - mean).abs() < mean.sqrt() * 0.15 + 0.05,
                "{mean}: {avg}"
            );
        }
        assert_eq!(poisson(&mut rng, 0.0), 0);
    }

    #[test]
    fn arrivals_are_seeded_and_follow_the_shape() {
        let w = window();
        let c = Curve::new(&w);
        let a = arrival_times(&w, &c, 20_000.0, &mut facility_rng(7, 1, 0));
        let b = arrival_times(&w, &c, 20_000.0, &mut facility_rng(7, 1, 0));
        let other = arrival_times(&w, &c, 20_000.0, &mut facility_rng(8, 1, 0));
        assert_eq!(a, b, "same seed, same schedule");
        assert_ne!(a, other);
        assert!(a.windows(2).all(|p| p[0] <= p[1]), "sorted");
        assert!((a.len() as f64 - 20_000.0).abs() < 600.0, "{}", a.len());
        let in_range = |lo: f64, hi: f64| a.iter().filter(|t| **t >= lo && **t < hi).count();
        // The queue at the door: about 10 % in the first minute after opening.
        let queue = in_range(1800.0, 1860.0);
        assert!(queue > 1800 && queue < 2600, "queue {queue}");
        // Nobody before opening, the opening surge is the busiest half hour, the
        // second rise before the close beats mid-morning.
        let before = in_range(0.0, 1800.0);
        let surge = in_range(1860.0, 3600.0);
        let mid = in_range(2.0 * 3600.0, 2.5 * 3600.0);
        let close = in_range(3.5 * 3600.0, 3.75 * 3600.0) * 2;
        assert!(surge > 2 * mid, "surge {surge} mid {mid}");
        assert_eq!(before, 0, "nobody is served before opening");
        assert!(close > mid, "close {close} mid {mid}");
        // Compression: a 4-hour window in 4 real minutes.
        assert_eq!(w.real_duration().as_secs(), 240);
    }
}
