//! Fault injection for load and resilience tests: latency distributions, an error
//! rate, 503 bursts, connection resets, an outage window and slow folder responses.
//! Everything is seeded, so a run with the same configuration and request order
//! injects the same faults.
//!
//! Configure with `--fault KEY=VALUE` (repeatable) or a TOML file (`--faults FILE`,
//! the same keys as [`FaultConfig`]'s fields):
//!
//! | key | value | effect |
//! |---|---|---|
//! | `latency` | `fixed:MS`, `uniform:MIN:MAX`, `lognormal:MEDIAN:SIGMA` | delay before every answer |
//! | `error-rate` | `0.0`–`1.0` | share of requests answered 500 `ONS-F502` |
//! | `burst` | `EVERY:LENGTH` | after every `EVERY` requests, the next `LENGTH` get 503 `ONS-F503` |
//! | `reset-rate` | `0.0`–`1.0` | share of new connections reset (RST) at accept |
//! | `outage` | `FROM..TO` (JST date-times) | 503 while the server clock is inside |
//! | `folder-delay` | `MS` | delay before each folder answer is written |
//! | `seed` | integer | seed of every random choice |
//!
//! `GET /v1/health` is exempt from everything but the outage.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use onshi_domain::protocol::result_code::ResultCode;
use onshi_world::population::rng::Rng64;

/// A latency distribution.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Latency {
    /// No added latency.
    #[default]
    None,
    /// Always `ms`.
    Fixed {
        /// Milliseconds.
        ms: f64,
    },
    /// Uniform in `min_ms..max_ms`.
    Uniform {
        /// Lower bound.
        min_ms: f64,
        /// Upper bound.
        max_ms: f64,
    },
    /// Log-normal with the given median and σ of the underlying normal.
    Lognormal {
        /// Median.
        median_ms: f64,
        /// σ.
        sigma: f64,
    },
}

impl Latency {
    /// Parses `fixed:MS`, `uniform:MIN:MAX`, `lognormal:MEDIAN:SIGMA` or `none`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let parts: Vec<&str> = text.split(':').collect();
        let num = |s: &str| {
            s.trim()
                .trim_end_matches("ms")
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| format!("{s:?} is not a non-negative number"))
        };
        match parts.as_slice() {
            ["none"] => Ok(Self::None),
            ["fixed", ms] => Ok(Self::Fixed { ms: num(ms)? }),
            ["uniform", a, b] => {
                let (min_ms, max_ms) = (num(a)?, num(b)?);
                if max_ms < min_ms {
                    return Err("uniform: MAX must not be below MIN".into());
                }
                Ok(Self::Uniform { min_ms, max_ms })
            }
            ["lognormal", m, s] => Ok(Self::Lognormal {
                median_ms: num(m)?,
                sigma: num(s)?,
            }),
            _ => Err(format!(
                "latency {text:?}: use fixed:MS, uniform:MIN:MAX or lognormal:MEDIAN:SIGMA"
            )),
        }
    }

    fn sample(&self, rng: &mut Rng64) -> f64 {
        match *self {
            Self::None => 0.0,
            Self::Fixed { ms } => ms,
            Self::Uniform { min_ms, max_ms } => min_ms + (max_ms - min_ms) * rng.unit(),
            Self::Lognormal { median_ms, sigma } => {
                // Box–Muller.
                let u1 = rng.unit().max(f64::MIN_POSITIVE);
                let u2 = rng.unit();
                let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
                median_ms * (sigma * z).exp()
            }
        }
    }
}

/// An outage window on the server clock (JST).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutageWindow {
    /// First moment of the outage.
    pub from: NaiveDateTime,
    /// Last moment of the outage.
    pub to: NaiveDateTime,
}

/// The fault configuration.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultConfig {
    /// Seed of every random choice.
    pub seed: u64,
    /// Added latency.
    pub latency: Latency,
    /// Share of requests answered 500.
    pub error_rate: f64,
    /// 503 bursts: after every `burst_every` requests…
    pub burst_every: u64,
    /// …the next `burst_length` get 503.
    pub burst_length: u64,
    /// Share of new connections reset at accept.
    pub reset_rate: f64,
    /// An outage window.
    pub outage: Option<OutageWindow>,
    /// Delay before each folder answer (ms).
    pub folder_delay_ms: u64,
}

fn rate(v: &str) -> Result<f64, String> {
    v.trim()
        .parse::<f64>()
        .ok()
        .filter(|r| (0.0..=1.0).contains(r))
        .ok_or_else(|| format!("{v:?} is not a rate between 0 and 1"))
}

/// The longest latency a fault may add (a minute): longer would only stall clients.
pub const MAX_LATENCY_MS: f64 = 60_000.0;

impl Latency {
    /// Checks the numbers a TOML file gave (the `KEY=VALUE` form is checked by
    /// [`Latency::parse`]): finite, not negative, at most [`MAX_LATENCY_MS`].
    fn validate(&self) -> Result<(), String> {
        let ok = |field: &str, v: f64| {
            if v.is_finite() && (0.0..=MAX_LATENCY_MS).contains(&v) {
                Ok(())
            } else {
                Err(format!(
                    "latency.{field} = {v}: expected 0 to {MAX_LATENCY_MS} ms"
                ))
            }
        };
        match *self {
            Self::None => Ok(()),
            Self::Fixed { ms } => ok("ms", ms),
            Self::Uniform { min_ms, max_ms } => {
                ok("min_ms", min_ms)?;
                ok("max_ms", max_ms)?;
                if max_ms < min_ms {
                    return Err("latency: max_ms is below min_ms".into());
                }
                Ok(())
            }
            Self::Lognormal { median_ms, sigma } => {
                ok("median_ms", median_ms)?;
                if sigma.is_finite() && (0.0..=10.0).contains(&sigma) {
                    Ok(())
                } else {
                    Err(format!("latency.sigma = {sigma}: expected 0 to 10"))
                }
            }
        }
    }
}

impl FaultConfig {
    /// Checks a configuration read from a file the way `KEY=VALUE` settings are
    /// checked when applied: rates between 0 and 1, a latency that is a number of
    /// milliseconds, an outage that ends after it starts. The error names the field.
    pub fn validate(&self) -> Result<(), String> {
        for (field, v) in [
            ("error_rate", self.error_rate),
            ("reset_rate", self.reset_rate),
        ] {
            if !(v.is_finite() && (0.0..=1.0).contains(&v)) {
                return Err(format!("{field} = {v}: expected a rate between 0 and 1"));
            }
        }
        self.latency.validate()?;
        if let Some(o) = self.outage
            && o.to < o.from
        {
            return Err("outage: `to` is before `from`".into());
        }
        Ok(())
    }

    /// Whether nothing is injected.
    pub fn is_quiet(&self) -> bool {
        *self
            == Self {
                seed: self.seed,
                ..Self::default()
            }
    }

    /// Applies one `KEY=VALUE` setting (see the module documentation).
    pub fn apply(&mut self, setting: &str) -> Result<(), String> {
        let (key, value) = setting
            .split_once('=')
            .ok_or_else(|| format!("fault {setting:?}: expected KEY=VALUE"))?;
        match key.trim() {
            "latency" => self.latency = Latency::parse(value.trim())?,
            "error-rate" => self.error_rate = rate(value)?,
            "reset-rate" => self.reset_rate = rate(value)?,
            "burst" => {
                let (every, length) = value
                    .split_once(':')
                    .ok_or("burst: expected EVERY:LENGTH")?;
                self.burst_every = every
                    .trim()
                    .parse()
                    .map_err(|_| "burst: EVERY is not a number")?;
                self.burst_length = length
                    .trim()
                    .parse()
                    .map_err(|_| "burst: LENGTH is not a number")?;
            }
            "outage" => {
                let (from, to) = value.split_once("..").ok_or("outage: expected FROM..TO")?;
                let from = onshi_world::defaults::parse_as_of(from.trim())?;
                let to = onshi_world::defaults::parse_as_of(to.trim())?;
                if to < from {
                    return Err("outage: TO is before FROM".into());
                }
                self.outage = Some(OutageWindow { from, to });
            }
            "folder-delay" => {
                self.folder_delay_ms = value
                    .trim()
                    .trim_end_matches("ms")
                    .parse()
                    .map_err(|_| format!("folder-delay {value:?}: expected milliseconds"))?;
            }
            "seed" => {
                self.seed = value
                    .trim()
                    .parse()
                    .map_err(|_| format!("seed {value:?}: expected an integer"))?;
            }
            other => {
                return Err(format!(
                    "unknown fault {other:?} (latency, error-rate, burst, reset-rate, outage, folder-delay, seed)"
                ));
            }
        }
        Ok(())
    }
}

/// What to do with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FaultDecision {
    /// Delay before answering.
    pub delay: Duration,
    /// Answer with this error instead.
    pub fail: Option<ResultCode>,
}

/// Applies a [`FaultConfig`].
#[derive(Debug)]
pub struct FaultInjector {
    config: FaultConfig,
    rng: Mutex<Rng64>,
    requests: AtomicU64,
}

impl FaultInjector {
    /// An injector for `config`.
    pub fn new(config: FaultConfig) -> Self {
        let rng = Mutex::new(Rng64::new(config.seed ^ 0xFA17));
        Self {
            config,
            rng,
            requests: AtomicU64::new(0),
        }
    }

    /// No faults.
    pub fn quiet() -> Self {
        Self::new(FaultConfig::default())
    }

    /// The configuration.
    pub fn config(&self) -> &FaultConfig {
        &self.config
    }

    /// Whether `now` is inside the outage window.
    pub fn in_outage(&self, now: NaiveDateTime) -> bool {
        self.config
            .outage
            .is_some_and(|w| w.from <= now && now <= w.to)
    }

    /// The fault for the next request at `now`.
    pub fn decide(&self, now: NaiveDateTime) -> FaultDecision {
        if self.config.is_quiet() {
            return FaultDecision::default();
        }
        let n = self.requests.fetch_add(1, Ordering::Relaxed);
        let mut rng = self.rng.lock().unwrap_or_else(PoisonError::into_inner);
        let delay_ms = self.config.latency.sample(&mut rng).clamp(0.0, 600_000.0);
        let delay = Duration::from_micros((delay_ms * 1000.0) as u64);
        let in_burst = self.config.burst_every > 0
            && n % (self.config.burst_every + self.config.burst_length) >= self.config.burst_every;
        let fail = if self.in_outage(now) || in_burst {
            Some(ResultCode::Unavailable)
        } else if self.config.error_rate > 0.0 && rng.unit() < self.config.error_rate {
            Some(ResultCode::InjectedError)
        } else {
            None
        };
        FaultDecision { delay, fail }
    }

    /// Whether to reset the next accepted connection.
    pub fn reset_connection(&self) -> bool {
        self.config.reset_rate > 0.0
            && self
                .rng
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .unit()
                < self.config.reset_rate
    }

    /// The delay before a folder answer.
    pub fn folder_delay(&self) -> Duration {
        Duration::from_millis(self.config.folder_delay_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_configuration_is_checked_like_settings() {
        for bad in [
            "error_rate = 5.0",
            "error_rate = -1.0",
            "error_rate = nan",
            "reset_rate = 1.5",
            "latency = { kind = \"fixed\", ms = -3.0 }",
            "latency = { kind = \"fixed\", ms = inf }",
            "latency = { kind = \"uniform\", min_ms = 5.0, max_ms = 1.0 }",
        ] {
            let c: FaultConfig = toml::from_str(bad).unwrap();
            assert!(c.validate().is_err(), "{bad}");
        }
        let good: FaultConfig =
            toml::from_str("error_rate = 0.1\nlatency = { kind = \"fixed\", ms = 5.0 }\n").unwrap();
        assert_eq!(good.validate(), Ok(()));
    }

    #[test]
    fn settings_parse() {
        let mut c = FaultConfig::default();
        assert!(c.is_quiet());
        for s in [
            "latency=lognormal:20:0.5",
            "error-rate=0.25",
            "burst=10:2",
            "reset-rate=0.1",
            "outage=2026-11-30T09:05..2026-11-30T09:10",
            "folder-delay=500ms",
            "seed=7",
        ] {
            c.apply(s).unwrap();
        }
        assert!(!c.is_quiet());
        assert_eq!(
            c.latency,
            Latency::Lognormal {
                median_ms: 20.0,
                sigma: 0.5
            }
        );
        assert_eq!(c.folder_delay_ms, 500);
        for bad in [
            "latency=gauss:1",
            "error-rate=2",
            "burst=1",
            "outage=x..y",
            "nonsense=1",
            "novalue",
        ] {
            assert!(FaultConfig::default().apply(bad).is_err(), "{bad}");
        }
        let toml: FaultConfig =
            toml::from_str("error_rate = 0.1\nlatency = { kind = \"fixed\", ms = 5.0 }\n").unwrap();
        assert_eq!(toml.latency, Latency::Fixed { ms: 5.0 });
    }

    #[test]
    fn decisions_follow_the_configuration() {
        let at = onshi_world::defaults::default_as_of();
        let mut c = FaultConfig::default();
        c.apply("burst=3:2").unwrap();
        let f = FaultInjector::new(c);
        let fails: Vec<bool> = (0..10).map(|_| f.decide(at).fail.is_some()).collect();
        assert_eq!(
            fails,
            [
                false, false, false, true, true, false, false, false, true, true
            ]
        );

        let mut c = FaultConfig::default();
        c.apply("error-rate=0.5").unwrap();
        c.apply("latency=uniform:1:3").unwrap();
        let f = FaultInjector::new(c.clone());
        let n = (0..1000).filter(|_| f.decide(at).fail.is_some()).count();
        assert!((400..600).contains(&n), "{n}");
        let d = FaultInjector::new(c).decide(at).delay;
        assert!(d >= Duration::from_millis(1) && d <= Duration::from_millis(3));

        let mut c = FaultConfig::default();
        c.apply("outage=2026-11-30T09:00..2026-11-30T09:10")
            .unwrap();
        let f = FaultInjector::new(c);
        assert_eq!(f.decide(at).fail, Some(ResultCode::Unavailable));
        assert_eq!(f.decide(at + chrono::Duration::minutes(11)).fail, None);

        let mut c = FaultConfig::default();
        c.apply("latency=lognormal:10:0.5").unwrap();
        let f = FaultInjector::new(c);
        let mut samples: Vec<u128> = (0..2001).map(|_| f.decide(at).delay.as_micros()).collect();
        samples.sort_unstable();
        let median = samples[1000] as f64 / 1000.0;
        assert!((8.0..12.0).contains(&median), "{median}");
        assert!(!FaultInjector::quiet().reset_connection());
    }
}
