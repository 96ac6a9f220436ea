//! Dates in persona files: absolute (`1985-04-12`, `2026-11-21T22:00:00`) or relative to
//! the scenario's as-of time (`"as-of-12h"`, `"as-of+3d"`, `"as-of-2m+5d"`).
//!
//! Relative dates keep a persona's meaning ("certificate renewed 12 hours ago",
//! "expires in 3 days") true at whatever as-of date a scenario fixes.

use std::fmt;

use chrono::{Days, Duration, Months, NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One `±N unit` term of a relative date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    /// Signed amount.
    pub amount: i64,
    /// Unit.
    pub unit: Unit,
}

/// Units of a relative date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// `h`
    Hours,
    /// `d`
    Days,
    /// `w`
    Weeks,
    /// `m` (calendar months, clamped to month end)
    Months,
    /// `y`
    Years,
}

/// A date or date-time, absolute or relative to the as-of time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateSpec {
    /// A calendar date (time 00:00 when a time is needed).
    Date(NaiveDate),
    /// A date and time (JST, naive).
    DateTime(NaiveDateTime),
    /// `as-of` plus terms.
    Relative(Vec<Term>),
}

impl DateSpec {
    /// Parses the string form.
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        if let Some(rest) = t.strip_prefix("as-of") {
            return parse_terms(rest).map(DateSpec::Relative);
        }
        if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            return Ok(DateSpec::Date(d));
        }
        for fmt in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"] {
            if let Ok(dt) = NaiveDateTime::parse_from_str(t, fmt) {
                return Ok(DateSpec::DateTime(dt));
            }
        }
        Err(format!(
            "{text:?} is not a date: write YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS, or as-of±N(h|d|w|m|y)…"
        ))
    }

    /// The date-time this spec means at `as_of`.
    pub fn at(&self, as_of: NaiveDateTime) -> NaiveDateTime {
        match self {
            DateSpec::Date(d) => d.and_time(NaiveTime::MIN),
            DateSpec::DateTime(dt) => *dt,
            DateSpec::Relative(terms) => terms.iter().fold(as_of, |t, term| apply(t, *term)),
        }
    }

    /// The date this spec means at `as_of`.
    pub fn date_at(&self, as_of: NaiveDateTime) -> NaiveDate {
        self.at(as_of).date()
    }
}

fn parse_terms(mut rest: &str) -> Result<Vec<Term>, String> {
    let mut terms = Vec::new();
    while !rest.is_empty() {
        let sign = match rest.as_bytes()[0] {
            b'+' => 1,
            b'-' => -1,
            _ => return Err(format!("expected + or - at {rest:?}")),
        };
        rest = &rest[1..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 6 {
            return Err(format!("expected a number at {rest:?}"));
        }
        let amount: i64 = rest[..digits]
            .parse()
            .map_err(|_| "bad number".to_owned())?;
        rest = &rest[digits..];
        let unit = match rest.as_bytes().first() {
            Some(b'h') => Unit::Hours,
            Some(b'd') => Unit::Days,
            Some(b'w') => Unit::Weeks,
            Some(b'm') => Unit::Months,
            Some(b'y') => Unit::Years,
            _ => return Err(format!("expected a unit h, d, w, m or y at {rest:?}")),
        };
        rest = &rest[1..];
        terms.push(Term {
            amount: sign * amount,
            unit,
        });
    }
    Ok(terms)
}

fn apply(t: NaiveDateTime, term: Term) -> NaiveDateTime {
    let n = term.amount;
    let months = |m: i64| {
        let abs = Months::new(m.unsigned_abs() as u32);
        if m >= 0 {
            t.checked_add_months(abs)
        } else {
            t.checked_sub_months(abs)
        }
    };
    let days = |d: i64| {
        let abs = Days::new(d.unsigned_abs());
        if d >= 0 {
            t.checked_add_days(abs)
        } else {
            t.checked_sub_days(abs)
        }
    };
    let r = match term.unit {
        Unit::Hours => t.checked_add_signed(Duration::hours(n)),
        Unit::Days => days(n),
        Unit::Weeks => days(n * 7),
        Unit::Months => months(n),
        Unit::Years => months(n * 12),
    };
    r.unwrap_or(t)
}

impl fmt::Display for DateSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateSpec::Date(d) => write!(f, "{d}"),
            DateSpec::DateTime(dt) => write!(f, "{}", dt.format("%Y-%m-%dT%H:%M:%S")),
            DateSpec::Relative(terms) => {
                f.write_str("as-of")?;
                for t in terms {
                    let u = match t.unit {
                        Unit::Hours => 'h',
                        Unit::Days => 'd',
                        Unit::Weeks => 'w',
                        Unit::Months => 'm',
                        Unit::Years => 'y',
                    };
                    write!(
                        f,
                        "{}{}{u}",
                        if t.amount < 0 { '-' } else { '+' },
                        t.amount.abs()
                    )?;
                }
                Ok(())
            }
        }
    }
}

impl<'de> Deserialize<'de> for DateSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = toml::Value::deserialize(d)?;
        let text = match v {
            toml::Value::String(s) => s,
            toml::Value::Datetime(dt) => dt.to_string(),
            other => {
                return Err(serde::de::Error::custom(format!(
                    "expected a date, found {}",
                    other.type_str()
                )));
            }
        };
        DateSpec::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl Serialize for DateSpec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        let as_of = NaiveDate::from_ymd_opt(2026, 3, 31)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        DateSpec::parse(s).unwrap().at(as_of)
    }

    #[test]
    fn relative_dates() {
        assert_eq!(at("as-of").to_string(), "2026-03-31 09:00:00");
        assert_eq!(at("as-of-12h").to_string(), "2026-03-30 21:00:00");
        assert_eq!(at("as-of+3d").to_string(), "2026-04-03 09:00:00");
        assert_eq!(at("as-of-1m").to_string(), "2026-02-28 09:00:00");
        assert_eq!(at("as-of-2y+1w").to_string(), "2024-04-07 09:00:00");
        assert_eq!(at("1985-04-12").to_string(), "1985-04-12 00:00:00");
        assert_eq!(at("2026-11-21T22:00:00").to_string(), "2026-11-21 22:00:00");
    }

    #[test]
    fn bad_specs() {
        for bad in [
            "as-of+",
            "as-of3d",
            "as-of+3x",
            "yesterday",
            "2026-02-30",
            "as-of+9999999d",
        ] {
            assert!(DateSpec::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn display_round_trips() {
        for s in ["as-of-2m+5d", "1985-04-12", "2026-11-21T22:00:00", "as-of"] {
            assert_eq!(DateSpec::parse(s).unwrap().to_string(), s);
        }
    }
}
