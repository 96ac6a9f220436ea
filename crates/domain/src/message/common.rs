//! Small validated value types shared by several messages.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::codes::CodeError;

/// 医療機関コード MedicalInstitutionCode: 10 digits = 都道府県番号 (2, `01`–`47`) +
/// 点数表番号 (1: 1 医科, 3 歯科, 4 調剤) + 医療機関コード (7).
///
/// Parsing checks the length, the digits and the prefecture; the 点数表 digit and the
/// check digit of the 7-digit code are not checked (no public specification found).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MedicalInstitutionCode(String);

impl MedicalInstitutionCode {
    /// The element name.
    pub const FIELD: &'static str = "MedicalInstitutionCode";

    /// Parses and validates a code (surrounding ASCII whitespace is ignored).
    pub fn parse(value: &str) -> Result<Self, CodeError> {
        let v = value.trim();
        if v.len() != 10 || !v.bytes().all(|b| b.is_ascii_digit()) {
            return Err(code_error(Self::FIELD, value, "must be 10 digits"));
        }
        let pref = (v.as_bytes()[0] - b'0') * 10 + (v.as_bytes()[1] - b'0');
        if !(1..=47).contains(&pref) {
            return Err(code_error(Self::FIELD, value, "prefecture must be 01-47"));
        }
        Ok(Self(v.to_owned()))
    }

    /// The ten digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// 都道府県番号 (`01`–`47`).
    pub fn prefecture(&self) -> &str {
        &self.0[..2]
    }

    /// 点数表番号 (`1` 医科, `3` 歯科, `4` 調剤).
    pub fn fee_schedule(&self) -> char {
        char::from(self.0.as_bytes()[2])
    }
}

impl fmt::Display for MedicalInstitutionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for MedicalInstitutionCode {
    type Err = CodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for MedicalInstitutionCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for MedicalInstitutionCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A year and month, `yyyyMM` on the wire (診療年月 MedicalTreatmentMonth).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct YearMonth {
    year: u16,
    month: u8,
}

impl YearMonth {
    /// A year (1000–9999) and month (1–12).
    pub fn new(year: u16, month: u8) -> Result<Self, CodeError> {
        if !(1000..=9999).contains(&year) || !(1..=12).contains(&month) {
            return Err(code_error(
                "MedicalTreatmentMonth",
                &format!("{year:04}{month:02}"),
                "year 1000-9999, month 01-12",
            ));
        }
        Ok(Self { year, month })
    }

    /// Parses `yyyyMM` (exactly six ASCII digits, surrounding whitespace ignored).
    pub fn parse(value: &str) -> Result<Self, CodeError> {
        let v = value.trim();
        if v.len() != 6 || !v.bytes().all(|b| b.is_ascii_digit()) {
            return Err(code_error("MedicalTreatmentMonth", value, "must be yyyyMM"));
        }
        let n = |r: std::ops::Range<usize>| {
            v.as_bytes()[r]
                .iter()
                .fold(0u16, |acc, b| acc * 10 + u16::from(b - b'0'))
        };
        let month = u8::try_from(n(4..6)).unwrap_or(0);
        Self::new(n(0..4), month)
            .map_err(|_| code_error("MedicalTreatmentMonth", value, "must be yyyyMM"))
    }

    /// The year.
    pub const fn year(self) -> u16 {
        self.year
    }

    /// The month (1–12).
    pub const fn month(self) -> u8 {
        self.month
    }

    /// The six wire digits.
    pub fn to_digits(self) -> [u8; 6] {
        let y = self.year;
        [
            b'0' + (y / 1000 % 10) as u8,
            b'0' + (y / 100 % 10) as u8,
            b'0' + (y / 10 % 10) as u8,
            b'0' + (y % 10) as u8,
            b'0' + self.month / 10,
            b'0' + self.month % 10,
        ]
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}{:02}", self.year, self.month)
    }
}

impl Serialize for YearMonth {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for YearMonth {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

pub(crate) fn code_error(field: &'static str, value: &str, reason: &'static str) -> CodeError {
    CodeError {
        field,
        value: value.to_owned(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medical_institution_code_is_ten_digits_with_a_prefecture() {
        let c = MedicalInstitutionCode::parse("1311234567").unwrap();
        assert_eq!(c.prefecture(), "13");
        assert_eq!(c.fee_schedule(), '1');
        assert!(MedicalInstitutionCode::parse("131123456").is_err());
        assert!(MedicalInstitutionCode::parse("13112345678").is_err());
        assert!(MedicalInstitutionCode::parse("4811234567").is_err());
        assert!(MedicalInstitutionCode::parse("0011234567").is_err());
        assert!(MedicalInstitutionCode::parse("13112345６7").is_err());
    }

    #[test]
    fn year_month_round_trips() {
        let ym = YearMonth::parse("202604").unwrap();
        assert_eq!((ym.year(), ym.month()), (2026, 4));
        assert_eq!(&ym.to_digits(), b"202604");
        assert_eq!(ym.to_string(), "202604");
        assert!(YearMonth::parse("202613").is_err());
        assert!(YearMonth::parse("202600").is_err());
        assert!(YearMonth::parse("20264").is_err());
        let json = serde_json::to_string(&ym).unwrap();
        assert_eq!(json, "\"202604\"");
        assert_eq!(serde_json::from_str::<YearMonth>(&json).unwrap(), ym);
    }
}
