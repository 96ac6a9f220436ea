//! The embedded defaults: personas, features and scenarios compiled into the binary,
//! plus the default seed and as-of time. Nothing here reads the clock.

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};

use crate::persona::PersonaSet;
use onshi_support::tomlsrc::{InputError, TomlSource};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

pub use embedded::{FEATURES, PERSONAS, SCENARIOS};

/// The default seed for keys, certificates and populations.
pub const DEFAULT_SEED: u64 = 20_261_122;

/// The default as-of time: Monday 2026-11-30 09:00 JST, a peak morning.
pub fn default_as_of() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 30)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .expect("a valid literal date")
}

/// Parses an `--as-of` value: `YYYY-MM-DD` (09:00) or `YYYY-MM-DDTHH:MM[:SS]`.
pub fn parse_as_of(text: &str) -> Result<NaiveDateTime, String> {
    let t = parse_date_time(text)?;
    // Every date the personas, the population and the rules calendar derive from an
    // as-of time (birth dates decades back, certificate lifetimes ahead) must exist.
    let year = chrono::Datelike::year(&t);
    if !(AS_OF_YEARS.0..=AS_OF_YEARS.1).contains(&year) {
        return Err(format!(
            "{text:?}: the as-of year must be between {} and {}",
            AS_OF_YEARS.0, AS_OF_YEARS.1
        ));
    }
    Ok(t)
}

/// The years an as-of time may fall in.
pub const AS_OF_YEARS: (i32, i32) = (2000, 2099);

fn parse_date_time(text: &str) -> Result<NaiveDateTime, String> {
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return d
            .and_hms_opt(9, 0, 0)
            .ok_or_else(|| "invalid date".to_owned());
    }
    for f in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, f) {
            return Ok(t);
        }
    }
    Err(format!(
        "{text:?} is not a date (YYYY-MM-DD) or date-time (YYYY-MM-DDTHH:MM[:SS])"
    ))
}

/// Where RSA keys are cached between runs: `$ONSHI_KEY_CACHE`, else
/// `$XDG_CACHE_HOME/onshi/keys`, else `~/.cache/onshi/keys`.
pub fn key_cache_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("ONSHI_KEY_CACHE") {
        return (!d.is_empty()).then(|| PathBuf::from(d));
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME") {
        return Some(PathBuf::from(d).join("onshi/keys"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/onshi/keys"))
}

/// The personas of `dir`, or the embedded ones when `dir` is `None`.
pub fn personas(dir: Option<&Path>) -> Result<PersonaSet, Vec<InputError>> {
    match dir {
        Some(d) => PersonaSet::load_dir(d),
        None => PersonaSet::from_sources(
            PERSONAS
                .iter()
                .map(|(path, text)| TomlSource::from_text(Path::new(path), (*text).to_owned()))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_personas_load() {
        let set = personas(None).unwrap_or_else(|e| panic!("{e:#?}"));
        assert!(set.len() >= 20, "{}", set.len());
        assert!(set.get("standard-adult").is_some());
    }

    #[test]
    fn as_of_parsing() {
        assert_eq!(
            parse_as_of("2026-03-31").unwrap().to_string(),
            "2026-03-31 09:00:00"
        );
        assert_eq!(
            parse_as_of("2026-03-31T23:59").unwrap().to_string(),
            "2026-03-31 23:59:00"
        );
        assert!(parse_as_of("31/03/2026").is_err());
    }
}
