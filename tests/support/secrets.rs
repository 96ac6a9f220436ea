//! What must never be written (every persona's My Number — templates and every
//! scenario's instances —, PINs and signing passwords as a card receives them, signing
//! passwords as text), and a scan of files for it.

use std::path::{Path, PathBuf};

use onshi::conformance::cast;
use onshi::conformance::run::FeatureSource;
use onshi::defaults;

/// Every file below `dir`.
pub(crate) fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// What must never be written: (what, needle).
pub(crate) fn secrets() -> Vec<(String, String)> {
    let templates = defaults::personas(None).unwrap();
    let cast = cast::of_source(&FeatureSource::Embedded, 16).unwrap();
    let all = templates.with_cast(&cast).unwrap();
    let mut out = Vec::new();
    for p in all.iter() {
        let r = p.resolve(defaults::default_as_of(), defaults::DEFAULT_SEED);
        out.push((format!("{} My Number", r.id), r.person.my_number.clone()));
        for (what, secret) in [
            ("PIN", &r.card.auth_pin),
            ("signing password", &r.card.sign_password),
            ("support PIN", &r.card.support_pin),
        ] {
            let Some(secret) = secret else { continue };
            let hex: String = secret.bytes().map(|b| format!("{b:02X}")).collect();
            out.push((format!("{} {what} as APDU data", r.id), hex.clone()));
            out.push((format!("{} {what} as APDU data", r.id), hex.to_lowercase()));
            // A 4-digit PIN as text cannot be told from any other number (a histogram
            // bucket, a count); the longer signing passwords can.
            if secret.len() >= 6 {
                out.push((
                    format!("{} {what} as a JSON string", r.id),
                    format!("\"{secret}\""),
                ));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// `file: what` for every secret found in the files below `dir`.
pub(crate) fn leaks(dir: &Path, secrets: &[(String, String)]) -> Vec<String> {
    let mut out = Vec::new();
    for f in files(dir) {
        let bytes = std::fs::read(&f).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for (what, needle) in secrets {
            if text.contains(needle.as_str()) {
                out.push(format!("{}: {what}", f.display()));
            }
        }
    }
    out
}
