//! Element text ⇄ typed values: dates, date-times, codes, numbers, strings.
//!
//! Reading trims surrounding whitespace for every typed value (codes, dates, numbers,
//! insurer numbers) and keeps strings verbatim. Writing formats into stack buffers: no
//! allocation per value.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

use super::XmlErrorKind;
use crate::codes::{
    CharacterEncoding, ConsentFlag, ContributionRatio, InsuredCardClassification, InsurerNumber,
    LimitCertificateClassification, LimitClass, LimitConsentFlag, MedicalTreatmentFlag,
    PersonalFamilyClassification, PreschoolClassification, PrescriptionIssueSelect,
    ProcessingResultStatus, QualificationValidity, ReasonOfLoss, ReferenceClassification,
    SegmentOfResult, Sex, SpecificDiseaseCategory,
};
use crate::message::{LimitCertificateChanged, MedicalInstitutionCode, YearMonth};

/// A value read from (non-empty) element text.
pub(crate) trait FromText: Sized {
    fn from_text(text: &str) -> Result<Self, XmlErrorKind>;
}

/// A value written as element text; `f` receives the text.
pub(crate) trait ToText {
    fn with_text<R>(&self, f: impl FnOnce(&str) -> R) -> R;
}

impl FromText for String {
    fn from_text(text: &str) -> Result<Self, XmlErrorKind> {
        Ok(text.to_owned())
    }
}

impl ToText for String {
    fn with_text<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        f(self)
    }
}

impl ToText for str {
    fn with_text<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        f(self)
    }
}

impl ToText for CharacterEncoding {
    fn with_text<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        f(self.code())
    }
}

impl FromText for u32 {
    fn from_text(text: &str) -> Result<Self, XmlErrorKind> {
        let t = text.trim();
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(XmlErrorKind::InvalidNumber { value: text.into() });
        }
        t.parse()
            .map_err(|_| XmlErrorKind::InvalidNumber { value: text.into() })
    }
}

impl ToText for u32 {
    fn with_text<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        let mut buf = [0u8; 10];
        let mut i = buf.len();
        let mut n = *self;
        loop {
            i -= 1;
            buf[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        f(ascii(&buf[i..]))
    }
}

/// Parses `N` ASCII digits into a number; `None` if any byte is not a digit.
fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, &d| {
        d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
    })
}

fn date_from(b: &[u8]) -> Option<NaiveDate> {
    let year = i32::try_from(digits(&b[0..4])?).ok()?;
    NaiveDate::from_ymd_opt(year, digits(&b[4..6])?, digits(&b[6..8])?)
}

impl FromText for NaiveDate {
    fn from_text(text: &str) -> Result<Self, XmlErrorKind> {
        let t = text.trim().as_bytes();
        (t.len() == 8)
            .then(|| date_from(t))
            .flatten()
            .ok_or_else(|| XmlErrorKind::InvalidDate {
                value: text.into(),
                expected: "yyyyMMdd",
            })
    }
}

impl FromText for NaiveDateTime {
    fn from_text(text: &str) -> Result<Self, XmlErrorKind> {
        let t = text.trim().as_bytes();
        let parse = || {
            let date = date_from(&t[..8])?;
            date.and_hms_opt(digits(&t[8..10])?, digits(&t[10..12])?, digits(&t[12..14])?)
        };
        (t.len() == 14)
            .then(parse)
            .flatten()
            .ok_or_else(|| XmlErrorKind::InvalidDate {
                value: text.into(),
                expected: "yyyyMMddHHmmss",
            })
    }
}

/// Writes `n` as `width` zero-padded digits into `out`.
fn put(out: &mut [u8], n: u32) {
    let mut n = n;
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

fn date_digits(d: NaiveDate, out: &mut [u8]) {
    // Years outside 0..=9999 cannot be written in 4 digits; clamp rather than panic.
    put(&mut out[0..4], d.year().clamp(0, 9999).unsigned_abs());
    put(&mut out[4..6], d.month());
    put(&mut out[6..8], d.day());
}

impl ToText for NaiveDate {
    fn with_text<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        let mut buf = [b'0'; 8];
        date_digits(*self, &mut buf);
        f(ascii(&buf))
    }
}

impl ToText for NaiveDateTime {
    fn with_text<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        let mut buf = [b'0'; 14];
        date_digits(self.date(), &mut buf);
        put(&mut buf[8..10], self.hour());
        put(&mut buf[10..12], self.minute());
        put(&mut buf[12..14], self.second());
        f(ascii(&buf))
    }
}

/// Views bytes we formatted ourselves (ASCII digits and spaces) as `&str`.
fn ascii(b: &[u8]) -> &str {
    std::str::from_utf8(b).unwrap_or_default()
}

impl FromText for ContributionRatio {
    fn from_text(text: &str) -> Result<Self, XmlErrorKind> {
        Ok(Self::parse(text)?)
    }
}

impl ToText for ContributionRatio {
    fn with_text<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        let mut buf = [b'0'; 3];
        put(&mut buf, u32::from(self.percent()));
        f(ascii(&buf))
    }
}

impl FromText for InsurerNumber {
    fn from_text(text: &str) -> Result<Self, XmlErrorKind> {
        Ok(Self::parse(text)?)
    }
}

impl ToText for InsurerNumber {
    /// Right-aligned in 8 characters, space-padded on the left (6-digit 国保 numbers).
    fn with_text<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        let digits = self.as_str().as_bytes();
        let mut buf = [b' '; 8];
        let n = digits.len().min(8);
        buf[8 - n..].copy_from_slice(&digits[digits.len() - n..]);
        f(ascii(&buf))
    }
}

impl FromText for YearMonth {
    fn from_text(text: &str) -> Result<Self, XmlErrorKind> {
        Ok(Self::parse(text)?)
    }
}

impl ToText for YearMonth {
    fn with_text<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        f(ascii(&self.to_digits()))
    }
}

impl FromText for MedicalInstitutionCode {
    fn from_text(text: &str) -> Result<Self, XmlErrorKind> {
        Ok(Self::parse(text)?)
    }
}

impl ToText for MedicalInstitutionCode {
    fn with_text<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        f(self.as_str())
    }
}

/// Code tables: `parse` / `code` from `codes.rs`.
macro_rules! code_text {
    ($($t:ty),+ $(,)?) => {$(
        impl FromText for $t {
            fn from_text(text: &str) -> Result<Self, XmlErrorKind> {
                Ok(<$t>::parse(text)?)
            }
        }
        impl ToText for $t {
            fn with_text<R>(&self, f: impl FnOnce(&str) -> R) -> R {
                f(self.code())
            }
        }
    )+};
}

code_text!(
    ConsentFlag,
    InsuredCardClassification,
    LimitCertificateChanged,
    LimitCertificateClassification,
    LimitClass,
    LimitConsentFlag,
    MedicalTreatmentFlag,
    PersonalFamilyClassification,
    PreschoolClassification,
    PrescriptionIssueSelect,
    ProcessingResultStatus,
    QualificationValidity,
    ReasonOfLoss,
    ReferenceClassification,
    SegmentOfResult,
    Sex,
    SpecificDiseaseCategory,
);

#[cfg(test)]
mod tests {
    use super::*;

    fn text<T: ToText>(v: &T) -> String {
        v.with_text(str::to_owned)
    }

    #[test]
    fn dates_are_strict() {
        let d = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
        assert_eq!(text(&d), "20260401");
        assert_eq!(NaiveDate::from_text(" 20260401\n").unwrap(), d);
        for bad in [
            "2026041",
            "202604011",
            "20260431",
            "2026-4-1",
            "２０２６０４０１",
            "",
        ] {
            assert!(NaiveDate::from_text(bad).is_err(), "{bad}");
        }
        let t = d.and_hms_opt(9, 5, 7).unwrap();
        assert_eq!(text(&t), "20260401090507");
        assert_eq!(NaiveDateTime::from_text("20260401090507").unwrap(), t);
        for bad in [
            "20260401240000",
            "20260401096000",
            "2026040109050",
            "20260401O90507",
        ] {
            assert!(NaiveDateTime::from_text(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn insurer_numbers_pad_with_spaces_and_ratios_keep_zeros() {
        let nhi = InsurerNumber::with_check_digit("13800").unwrap();
        let padded = text(&nhi);
        assert_eq!(padded.len(), 8);
        assert_eq!(padded.trim_start(), nhi.as_str());
        assert_eq!(InsurerNumber::from_text(&padded).unwrap(), nhi);
        assert_eq!(text(&InsurerNumber::parse("01130012").unwrap()), "01130012");
        assert_eq!(text(&ContributionRatio::THIRTY), "030");
        assert_eq!(text(&ContributionRatio::FULL), "100");
    }

    #[test]
    fn numbers() {
        assert_eq!(text(&0u32), "0");
        assert_eq!(text(&u32::MAX), "4294967295");
        assert_eq!(u32::from_text(" 12 ").unwrap(), 12);
        assert!(u32::from_text("-1").is_err());
        assert!(u32::from_text("4294967296").is_err());
        assert!(u32::from_text("").is_err());
    }
}
