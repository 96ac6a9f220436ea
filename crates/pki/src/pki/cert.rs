//! Issuing card certificates: the user-authentication certificate
//! (利用者証明用電子証明書) and the signing certificate (署名用電子証明書).
//!
//! Both are RSA-2048 end-entity certificates with sha256WithRSAEncryption,
//! an authority key identifier and a CRL distribution point. The
//! authentication certificate's subject carries no personal data; the signing
//! certificate carries the basic four (基本4情報: name, address, birth date,
//! sex) as subjectAltName otherName entries under the JPKI OIDs.
//!
//! Issuance is deterministic: the same root and request give the same DER.

use std::fmt;

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use rcgen::{
    CertificateParams, CrlDistributionPoint, DistinguishedName, DnType, ExtendedKeyUsagePurpose,
    IsCa, KeyUsagePurpose, OtherNameValue, SanType, SerialNumber,
};

use crate::pki::ca::{CaKind, RsaSubject, TestPki, dn_string, jpki_dn};
use crate::pki::der::{Der, window};
use crate::pki::keys::RsaKey;

/// JPKI otherName OID of the name (氏名), UTF8String.
pub const OID_JPKI_NAME: &str = "1.2.392.200149.8.5.5.1";
/// JPKI otherName OID of the sex (性別), UTF8String `"1"`, `"2"`, `"9"` (ISO 5218).
pub const OID_JPKI_SEX: &str = "1.2.392.200149.8.5.5.3";
/// JPKI otherName OID of the birth date (生年月日), UTF8String `YYYYMMDD`.
pub const OID_JPKI_BIRTH_DATE: &str = "1.2.392.200149.8.5.5.4";
/// JPKI otherName OID of the address (住所), UTF8String.
pub const OID_JPKI_ADDRESS: &str = "1.2.392.200149.8.5.5.5";

const JPKI_ARC: [u64; 8] = [1, 2, 392, 200149, 8, 5, 5, 0];

fn jpki_oid(last: u64) -> Vec<u64> {
    let mut oid = JPKI_ARC.to_vec();
    oid[7] = last;
    oid
}

/// Sex code as in ISO 5218 (and the JPKI certificate).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// 0 — not known.
    NotKnown,
    /// 1 — male (男).
    Male,
    /// 2 — female (女).
    Female,
    /// 9 — not applicable.
    NotApplicable,
}

impl Sex {
    /// ISO 5218 code: 0, 1, 2 or 9.
    pub fn code(self) -> u8 {
        match self {
            Sex::NotKnown => 0,
            Sex::Male => 1,
            Sex::Female => 2,
            Sex::NotApplicable => 9,
        }
    }

    /// From an ISO 5218 code; `None` for anything else.
    pub fn from_code(code: u8) -> Option<Sex> {
        match code {
            0 => Some(Sex::NotKnown),
            1 => Some(Sex::Male),
            2 => Some(Sex::Female),
            9 => Some(Sex::NotApplicable),
            _ => None,
        }
    }
}

impl fmt::Display for Sex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Sex::NotKnown => "not known",
            Sex::Male => "male",
            Sex::Female => "female",
            Sex::NotApplicable => "not applicable",
        })
    }
}

/// The basic four (基本4情報) a signing certificate carries.
///
/// Strings are plain UTF-8: names may hold characters outside JIS X 0208
/// (髙, 𠮷, …) and they are carried as is.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct BasicFour {
    /// Name (氏名), family and given name separated by a full-width space on
    /// real cards.
    pub name: String,
    /// Name in kana (フリガナ). Persona data only: the real signing
    /// certificate has no kana, so it is **not** written into certificates
    /// and is always `None` when read back from one.
    pub name_kana: Option<String>,
    /// Address (住所), from the prefecture on, no postal code.
    pub address: String,
    /// Birth date (生年月日), written `YYYYMMDD`.
    pub birth_date: NaiveDate,
    /// Sex (性別).
    pub sex: Sex,
}

/// Request for a user-authentication certificate (利用者証明用電子証明書).
#[derive(Clone, Debug)]
pub struct AuthCertRequest<'a> {
    /// Serial number (unique per root).
    pub serial: u64,
    /// Start of validity (UTC; sub-seconds are dropped).
    pub not_before: NaiveDateTime,
    /// End of validity (UTC; must be after `not_before`).
    pub not_after: NaiveDateTime,
    /// The card's key.
    pub key: &'a RsaKey,
    /// Opaque subject identifier for the CN; never personal data.
    pub subject_id: String,
}

impl<'a> AuthCertRequest<'a> {
    /// The request for a card whose certificate serial also names the subject
    /// (`CN=<16 hex digits of serial>`, as on the signing certificate).
    pub fn for_card(
        serial: u64,
        not_before: NaiveDateTime,
        not_after: NaiveDateTime,
        key: &'a RsaKey,
    ) -> Self {
        Self {
            serial,
            not_before,
            not_after,
            key,
            subject_id: format!("{serial:016X}"),
        }
    }
}

/// The UTC validity of a card's certificates: from `issued_at` to the end of
/// `expires_on`, both Japan Standard Time (UTC+9) as persona data has them, and at
/// least one second long.
pub fn card_validity(
    issued_at: NaiveDateTime,
    expires_on: NaiveDate,
) -> (NaiveDateTime, NaiveDateTime) {
    let jst_to_utc = |t: NaiveDateTime| t - Duration::hours(9);
    let end_of_day = NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN);
    let not_before = jst_to_utc(issued_at);
    let not_after =
        jst_to_utc(expires_on.and_time(end_of_day)).max(not_before + Duration::seconds(1));
    (not_before, not_after)
}

/// Request for a signing certificate (署名用電子証明書).
#[derive(Clone, Debug)]
pub struct SignCertRequest<'a> {
    /// Serial number (unique per root); also names the subject
    /// (`CN=<16 hex digits of serial>`).
    pub serial: u64,
    /// Start of validity (UTC; sub-seconds are dropped).
    pub not_before: NaiveDateTime,
    /// End of validity (UTC; must be after `not_before`).
    pub not_after: NaiveDateTime,
    /// The card's key.
    pub key: &'a RsaKey,
    /// The basic four to carry.
    pub basic4: BasicFour,
}

/// Errors from issuing a certificate.
#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    /// `not_after` is not after `not_before`.
    #[error("validity ends ({not_after}) before it starts ({not_before})")]
    InvalidValidity {
        /// Requested start.
        not_before: NaiveDateTime,
        /// Requested end.
        not_after: NaiveDateTime,
    },
    /// A time outside what X.509 / the `time` crate can encode.
    #[error("time {0} cannot be encoded")]
    TimeOutOfRange(NaiveDateTime),
    /// A required text field is empty.
    #[error("{0} must not be empty")]
    EmptyField(&'static str),
    /// rcgen failed to build or sign the certificate.
    #[error("certificate construction failed: {0}")]
    Rcgen(#[from] rcgen::Error),
}

/// The `time` values of a validity window, checked to be encodable and in order.
pub(crate) fn validity(
    nb: NaiveDateTime,
    na: NaiveDateTime,
) -> Result<(time::OffsetDateTime, time::OffsetDateTime), IssueError> {
    window(nb, na, IssueError::TimeOutOfRange, || {
        IssueError::InvalidValidity {
            not_before: nb,
            not_after: na,
        }
    })
}

/// Subject DN for card certificates: `C=JP, O=JPKI, OU=<kind OU>, CN=<id>`.
pub(crate) fn leaf_dn(kind: CaKind, cn: &str) -> DistinguishedName {
    let mut dn = jpki_dn(kind);
    dn.push(DnType::CommonName, dn_string(cn));
    dn
}

pub(crate) fn leaf_params(
    kind: CaKind,
    serial: u64,
    nb: NaiveDateTime,
    na: NaiveDateTime,
    cn: &str,
) -> Result<CertificateParams, IssueError> {
    let (not_before, not_after) = validity(nb, na)?;
    let mut p = CertificateParams::default();
    p.serial_number = Some(SerialNumber::from(serial));
    p.not_before = not_before;
    p.not_after = not_after;
    p.distinguished_name = leaf_dn(kind, cn);
    p.is_ca = IsCa::ExplicitNoCa;
    p.use_authority_key_identifier_extension = true;
    p.crl_distribution_points = vec![CrlDistributionPoint {
        uris: vec![kind.crl_url().to_owned()],
    }];
    Ok(p)
}

/// A user-authentication certificate for `req`, to sign: subject `C=JP, O=JPKI,
/// OU=JPKI for user authentication, CN=<subject_id>`, keyUsage digitalSignature,
/// extendedKeyUsage clientAuth, AKI, CRL distribution point.
pub(crate) fn auth_params(req: &AuthCertRequest<'_>) -> Result<CertificateParams, IssueError> {
    if req.subject_id.is_empty() {
        return Err(IssueError::EmptyField("subject_id"));
    }
    let mut p = leaf_params(
        CaKind::Auth,
        req.serial,
        req.not_before,
        req.not_after,
        &req.subject_id,
    )?;
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    Ok(p)
}

impl TestPki {
    /// Issues a user-authentication certificate (利用者証明用電子証明書) from
    /// the auth root: subject `C=JP, O=JPKI, OU=JPKI for user authentication,
    /// CN=<subject_id>` (no personal data), keyUsage digitalSignature,
    /// extendedKeyUsage clientAuth, AKI, CRL distribution point.
    pub fn issue_auth_cert(&self, req: &AuthCertRequest<'_>) -> Result<Der, IssueError> {
        let cert =
            auth_params(req)?.signed_by(&RsaSubject(req.key), self.root(CaKind::Auth).issuer())?;
        Ok(Der::new(cert.der().to_vec()))
    }

    /// Issues a signing certificate (署名用電子証明書) from the sign root,
    /// carrying the basic four as subjectAltName otherName UTF8Strings
    /// (name .5.5.1, birth date .5.5.4 `YYYYMMDD`, sex .5.5.3, address
    /// .5.5.5 under 1.2.392.200149.8, in the order real cards use). keyUsage
    /// digitalSignature + nonRepudiation, AKI, CRL distribution point.
    /// `name_kana` is not written (real certificates have none).
    pub fn issue_sign_cert(&self, req: &SignCertRequest<'_>) -> Result<Der, IssueError> {
        let b = &req.basic4;
        if b.name.is_empty() {
            return Err(IssueError::EmptyField("basic4.name"));
        }
        if b.address.is_empty() {
            return Err(IssueError::EmptyField("basic4.address"));
        }
        let kind = CaKind::Sign;
        let cn = format!("{:016X}", req.serial);
        let mut p = leaf_params(kind, req.serial, req.not_before, req.not_after, &cn)?;
        p.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::ContentCommitment,
        ];
        let other = |last, value: String| {
            SanType::OtherName((jpki_oid(last), OtherNameValue::Utf8String(value)))
        };
        p.subject_alt_names = vec![
            other(1, b.name.clone()),
            other(4, b.birth_date.format("%Y%m%d").to_string()),
            other(3, b.sex.code().to_string()),
            other(5, b.address.clone()),
        ];
        let cert = p.signed_by(&RsaSubject(req.key), self.root(kind).issuer())?;
        Ok(Der::new(cert.der().to_vec()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::CertInfo;
    use crate::pki::testutil::{
        dt, sample_auth_cert, sample_basic4, sample_sign_cert, subject_key, test_pki,
    };

    #[test]
    fn card_validity_is_jst_days_in_utc() {
        let issued = dt(2024, 4, 1) + Duration::hours(10);
        let expires = NaiveDate::from_ymd_opt(2029, 4, 1).unwrap();
        assert_eq!(
            card_validity(issued, expires),
            (
                dt(2024, 4, 1) + Duration::hours(1),
                dt(2029, 4, 1) + Duration::hours(14) + Duration::seconds(3599)
            )
        );
        // Never empty: an expiry before the issue gives one second.
        let late = dt(2029, 4, 2) + Duration::hours(12);
        assert_eq!(
            card_validity(late, expires).1,
            late - Duration::hours(9) + Duration::seconds(1)
        );
    }

    #[test]
    fn issued_certs_are_der_and_deterministic() {
        let a1 = sample_auth_cert();
        let s1 = sample_sign_cert();
        // Issued again from a freshly generated hierarchy with the same seed.
        let pki2 = TestPki::generate(crate::pki::testutil::TEST_SEED).expect("pki");
        assert_eq!(crate::pki::testutil::issue_sample_auth(&pki2), a1);
        assert_eq!(crate::pki::testutil::issue_sample_sign(&pki2), s1);
        for der in [&a1, &s1] {
            assert!(der.len() >= 256, "{} bytes", der.len());
            assert_eq!(&der[..2], &[0x30, 0x82]);
        }
    }

    #[test]
    fn auth_cert_has_no_personal_data() {
        let info = test_pki()
            .verify_issued(CaKind::Auth, &sample_auth_cert())
            .expect("verifies");
        assert_eq!(
            info.subject,
            "C=JP, O=JPKI, OU=JPKI for user authentication, CN=AUTH-SAMPLE"
        );
        assert_eq!(info.serial, Some(0x1234_5678));
        assert!(info.basic4.is_none());
        assert!(info.other_names.is_empty());
        assert!(!info.is_ca);
        assert_eq!(info.not_before, dt(2025, 1, 1));
        assert_eq!(info.not_after, dt(2030, 1, 1));
        assert_eq!(
            info.crl_distribution_points,
            vec![CaKind::Auth.crl_url().to_owned()]
        );
        assert_eq!(
            info.authority_key_id.as_deref(),
            Some(test_pki().root(CaKind::Auth).key_identifier())
        );
        assert!(info.issuer.contains("JPKI for user authentication"));
        let der = sample_auth_cert();
        let parsed = x509_parser::parse_x509_certificate(&der).expect("parse").1;
        let eku = parsed.extended_key_usage().expect("ok").expect("present");
        assert!(eku.value.client_auth);
        let ku = parsed.key_usage().expect("ok").expect("present");
        assert!(ku.value.digital_signature() && !ku.value.non_repudiation());
    }

    #[test]
    fn sign_cert_carries_basic_four_including_non_jis_characters() {
        let info = test_pki()
            .verify_issued(CaKind::Sign, &sample_sign_cert())
            .expect("verifies");
        let mut expected = sample_basic4();
        assert!(expected.name.contains('𠮷') && expected.name.contains('髙'));
        expected.name_kana = None;
        assert_eq!(info.basic4, Some(expected));
        let oids: Vec<&str> = info.other_names.iter().map(|(o, _)| o.as_str()).collect();
        assert_eq!(
            oids,
            [
                OID_JPKI_NAME,
                OID_JPKI_BIRTH_DATE,
                OID_JPKI_SEX,
                OID_JPKI_ADDRESS
            ]
        );
        assert_eq!(info.other_names[1].1, "19800229");
        assert_eq!(info.other_names[2].1, "2");
        let shown = info.to_string();
        assert!(shown.contains("髙橋\u{3000}𠮷子"), "{shown}");
        assert!(shown.contains("1980-02-29"));
        assert!(shown.contains("SHA-256:"));
        let json = serde_json::to_value(&info).expect("json");
        assert_eq!(json["basic4"]["sex"], "female");
    }

    #[test]
    fn request_validation() {
        let pki = test_pki();
        let key = subject_key();
        let bad = pki.issue_auth_cert(&AuthCertRequest {
            serial: 1,
            not_before: dt(2030, 1, 1),
            not_after: dt(2025, 1, 1),
            key: &key,
            subject_id: "X".into(),
        });
        assert!(matches!(bad, Err(IssueError::InvalidValidity { .. })));
        let empty = pki.issue_auth_cert(&AuthCertRequest {
            serial: 1,
            not_before: dt(2025, 1, 1),
            not_after: dt(2030, 1, 1),
            key: &key,
            subject_id: String::new(),
        });
        assert!(matches!(empty, Err(IssueError::EmptyField("subject_id"))));
        let mut b = sample_basic4();
        b.address.clear();
        let r = pki.issue_sign_cert(&SignCertRequest {
            serial: 2,
            not_before: dt(2025, 1, 1),
            not_after: dt(2030, 1, 1),
            key: &key,
            basic4: b,
        });
        assert!(matches!(r, Err(IssueError::EmptyField("basic4.address"))));
    }

    #[test]
    fn sex_codes_and_serde() {
        for s in [Sex::NotKnown, Sex::Male, Sex::Female, Sex::NotApplicable] {
            assert_eq!(Sex::from_code(s.code()), Some(s));
        }
        assert_eq!(Sex::from_code(3), None);
        let b = sample_basic4();
        let json = serde_json::to_string(&b).expect("ser");
        assert_eq!(serde_json::from_str::<BasicFour>(&json).expect("de"), b);
        let _ = CertInfo::parse(&sample_sign_cert()).expect("parse");
    }
}
