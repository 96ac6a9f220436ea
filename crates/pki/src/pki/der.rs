//! DER byte strings and the small encoding helpers shared by the PKI module
//! (hex, SHA-256 fingerprints, chrono ↔ `time` ↔ ASN.1 time conversion).

use std::fmt;
use std::ops::Deref;

use aws_lc_rs::digest;
use chrono::{DateTime, NaiveDateTime};
use time::OffsetDateTime;

/// DER-encoded bytes: a certificate, a CRL or a key, exactly as they travel.
///
/// A thin owned wrapper around `Vec<u8>` so signatures say what the bytes
/// are. It dereferences to `[u8]`, so `&der[..]`, `der.len()` and
/// `der.starts_with(..)` all work.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Der(Vec<u8>);

impl Der {
    /// Wraps already-encoded DER bytes (no validation).
    pub fn new(bytes: Vec<u8>) -> Self {
        Der(bytes)
    }

    /// The encoded bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Gives the bytes back.
    pub fn into_vec(self) -> Vec<u8> {
        self.0
    }

    /// SHA-256 over the whole encoding (the usual certificate fingerprint).
    pub fn sha256(&self) -> [u8; 32] {
        sha256(&self.0)
    }
}

impl Deref for Der {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl AsRef<[u8]> for Der {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for Der {
    fn from(bytes: Vec<u8>) -> Self {
        Der(bytes)
    }
}

impl From<Der> for Vec<u8> {
    fn from(der: Der) -> Self {
        der.0
    }
}

impl fmt::Debug for Der {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let head = &self.0[..self.0.len().min(8)];
        write!(f, "Der({} bytes, {}…)", self.0.len(), hex(head))
    }
}

/// SHA-256 of `bytes` (aws-lc-rs).
pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    let d = digest::digest(&digest::SHA256, bytes);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

/// SHA-256(seed_be || label): the 32 bytes a key (RSA generator seed, Ed25519
/// seed) or a serial derives from.
pub(crate) fn derive32(seed: u64, label: &str) -> [u8; 32] {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(&seed.to_be_bytes());
    ctx.update(label.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

/// Lower-case hex without separators.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        // Writing to a String cannot fail.
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Upper-case hex with `:` separators, the way certificate viewers print
/// fingerprints and key identifiers.
pub(crate) fn hex_colon(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Serde helper: serialise bytes as lower-case hex.
pub(crate) fn serialize_hex<S: serde::Serializer>(
    bytes: impl AsRef<[u8]>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex(bytes.as_ref()))
}

/// Serde helper: serialise optional bytes as lower-case hex or `null`.
pub(crate) fn serialize_opt_hex<S: serde::Serializer>(
    bytes: &Option<Vec<u8>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match bytes {
        Some(b) => s.serialize_some(&hex(b)),
        None => s.serialize_none(),
    }
}

/// Converts a naive UTC timestamp to `time::OffsetDateTime` (what rcgen
/// wants), dropping sub-second precision: X.509 times have whole seconds, and
/// dropping it keeps certificates deterministic. `None` when out of range.
pub(crate) fn to_offset(t: NaiveDateTime) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(t.and_utc().timestamp()).ok()
}

/// A validity (or update) window as `time` values: `out_of_range(t)` when an end
/// cannot be encoded, `reversed()` when the end is not after the start.
pub(crate) fn window<E>(
    start: NaiveDateTime,
    end: NaiveDateTime,
    out_of_range: impl Fn(NaiveDateTime) -> E,
    reversed: impl FnOnce() -> E,
) -> Result<(OffsetDateTime, OffsetDateTime), E> {
    let s = to_offset(start).ok_or_else(|| out_of_range(start))?;
    let e = to_offset(end).ok_or_else(|| out_of_range(end))?;
    if e <= s {
        return Err(reversed());
    }
    Ok((s, e))
}

/// Converts seconds since the Unix epoch to a naive UTC timestamp.
pub(crate) fn from_unix(secs: i64) -> Option<NaiveDateTime> {
    DateTime::from_timestamp(secs, 0).map(|d| d.naive_utc())
}

/// Interprets big-endian unsigned integer bytes (as in a DER INTEGER's
/// content, possibly with a leading zero) as `u64`; `None` if it doesn't fit
/// or is negative.
pub fn serial_to_u64(bytes: &[u8]) -> Option<u64> {
    if bytes.first().is_some_and(|b| b & 0x80 != 0) {
        return None;
    }
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    let significant = &bytes[start..];
    if significant.len() > 8 {
        return None;
    }
    Some(
        significant
            .iter()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_conversion() {
        assert_eq!(serial_to_u64(&[0x00, 0x80]), Some(0x80));
        assert_eq!(serial_to_u64(&[0x01, 0x02]), Some(0x0102));
        assert_eq!(serial_to_u64(&[]), Some(0));
        assert_eq!(serial_to_u64(&[0x80]), None);
        assert_eq!(serial_to_u64(&[0x01; 9]), None);
        assert_eq!(
            serial_to_u64(&[0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            Some(u64::MAX)
        );
    }

    #[test]
    fn time_conversion_drops_subseconds() {
        let t = chrono::NaiveDate::from_ymd_opt(2025, 4, 1)
            .and_then(|d| d.and_hms_milli_opt(9, 30, 15, 750))
            .expect("valid date");
        let o = to_offset(t).expect("in range");
        assert_eq!(o.unix_timestamp(), t.and_utc().timestamp());
        assert_eq!(o.nanosecond(), 0);
        assert_eq!(
            from_unix(o.unix_timestamp()).map(|d| d.and_utc().timestamp()),
            Some(t.and_utc().timestamp())
        );
    }

    #[test]
    fn hex_helpers() {
        assert_eq!(hex(&[0x00, 0xab]), "00ab");
        assert_eq!(hex_colon(&[0x00, 0xab]), "00:AB");
        let d = Der::new(vec![0x30, 0x82, 0x01]);
        assert!(format!("{d:?}").contains("3 bytes"));
    }
}
