//! Certificate inspection (x509-parser) and the verification error type.
//!
//! [`CertInfo`] is what `onshi cards show` prints and what the reference
//! backend works with after [`TestPki::verify_issued`](crate::pki::TestPki::verify_issued)
//! accepted a certificate. Everything here takes external bytes: parsing
//! never panics, every failure is an error value.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;
use x509_parser::asn1_rs::{Any, Class, FromDer, Tag};
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::{DistributionPointName, GeneralName, ParsedExtension, X509Extension};
use x509_parser::public_key::PublicKey;
use x509_parser::x509::{SubjectPublicKeyInfo, X509Name};

use crate::pki::cert::{
    BasicFour, OID_JPKI_ADDRESS, OID_JPKI_BIRTH_DATE, OID_JPKI_NAME, OID_JPKI_SEX, Sex,
};
use crate::pki::der::{
    from_unix, hex, hex_colon, serial_to_u64, serialize_hex, serialize_opt_hex, sha256,
};

/// OID of sha256WithRSAEncryption.
pub(crate) const OID_SHA256_WITH_RSA: &str = "1.2.840.113549.1.1.11";
/// OID of rsaEncryption (SPKI algorithm).
pub(crate) const OID_RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
/// OID of Ed25519 (signature and SPKI algorithm).
pub(crate) const OID_ED25519: &str = "1.3.101.112";

/// Errors from parsing a certificate (or a public key container).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertError {
    /// Not a DER X.509 certificate (truncated, garbage, wrong structure).
    #[error("malformed certificate: {0}")]
    Malformed(String),
    /// A valid certificate followed by extra bytes.
    #[error("{0} trailing bytes after the certificate")]
    TrailingData(usize),
    /// Neither a certificate nor a SubjectPublicKeyInfo.
    #[error("not a certificate or SubjectPublicKeyInfo: {0}")]
    MalformedPublicKey(String),
    /// A validity time outside what chrono can represent.
    #[error("certificate time out of range")]
    TimeOutOfRange,
    /// JPKI basic-four otherName entries are present but unusable
    /// (missing items, wrong encoding, invalid date or sex code).
    #[error("invalid JPKI basic-four information (基本4情報): {0}")]
    InvalidBasicFour(String),
}

/// Why a certificate or signature was rejected.
///
/// "Certificate signature" (the CA's signature on the certificate) and
/// "message signature" (the card's or reader's signature over data) are kept
/// apart: [`VerifyError::SignatureInvalid`] vs
/// [`VerifyError::MessageSignatureInvalid`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The input does not parse.
    #[error(transparent)]
    Malformed(#[from] CertError),
    /// Issuer name or authority key identifier does not match the expected
    /// root: the certificate comes from an unknown or forged CA.
    #[error("certificate was not issued by the expected root CA")]
    NotIssuedByRoot,
    /// Signature or key algorithm other than the one this verifier accepts.
    #[error("unsupported algorithm {0}")]
    UnsupportedAlgorithm(String),
    /// The public key is not usable (not RSA, not Ed25519 where required…).
    #[error("unsupported public key: {0}")]
    UnsupportedKey(String),
    /// The CA's signature on the certificate does not verify.
    #[error("certificate signature does not verify against the root's public key")]
    SignatureInvalid,
    /// The certificate is not valid yet at the checked time.
    #[error("certificate not valid before {not_before} (checked at {at})")]
    NotYetValid {
        /// Start of validity.
        not_before: NaiveDateTime,
        /// The time checked.
        at: NaiveDateTime,
    },
    /// The certificate has expired at the checked time.
    #[error("certificate expired at {not_after} (checked at {at})")]
    Expired {
        /// End of validity.
        not_after: NaiveDateTime,
        /// The time checked.
        at: NaiveDateTime,
    },
    /// The signature over the message does not verify with the
    /// certificate's key.
    #[error("message signature does not verify")]
    MessageSignatureInvalid,
}

/// A parsed certificate summary.
///
/// All times are UTC. `basic4` is `Some` when the certificate carries the
/// JPKI basic-four otherName entries (署名用電子証明書); a user-authentication
/// certificate (利用者証明用電子証明書) has none.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CertInfo {
    /// Serial number if it fits in `u64` (always for onshi-issued certs).
    pub serial: Option<u64>,
    /// Serial number as hex (any length).
    pub serial_hex: String,
    /// Subject DN, e.g. `C=JP, O=JPKI, OU=JPKI for user authentication, CN=…`.
    pub subject: String,
    /// Issuer DN in the same format.
    pub issuer: String,
    /// Start of validity (UTC).
    pub not_before: NaiveDateTime,
    /// End of validity (UTC).
    pub not_after: NaiveDateTime,
    /// Subject public key as SubjectPublicKeyInfo DER.
    #[serde(serialize_with = "serialize_hex")]
    pub spki_der: Vec<u8>,
    /// Key description, e.g. `RSA 2048 bit` or `Ed25519`.
    pub public_key: String,
    /// Signature algorithm name (or OID when unknown).
    pub signature_algorithm: String,
    /// basicConstraints cA flag.
    pub is_ca: bool,
    /// Subject key identifier, if present.
    #[serde(serialize_with = "serialize_opt_hex")]
    pub subject_key_id: Option<Vec<u8>>,
    /// Authority key identifier (keyIdentifier field), if present.
    #[serde(serialize_with = "serialize_opt_hex")]
    pub authority_key_id: Option<Vec<u8>>,
    /// CRL distribution point URLs.
    pub crl_distribution_points: Vec<String>,
    /// The JPKI basic four (基本4情報), if carried.
    pub basic4: Option<BasicFour>,
    /// Every otherName SAN as `(dotted OID, string value)`, in order
    /// (includes the basic-four entries; non-string values are shown as hex).
    pub other_names: Vec<(String, String)>,
    /// SHA-256 over the whole certificate DER.
    #[serde(serialize_with = "serialize_hex")]
    pub sha256_fingerprint: [u8; 32],
}

/// Checks `cert` names a CA as its issuer: `subject` (the CA's subject name, DER)
/// and, when it has an authority key identifier, `key_id`.
pub(crate) fn check_issuer(
    cert: &X509Certificate<'_>,
    subject: &[u8],
    key_id: &[u8],
) -> Result<(), VerifyError> {
    if cert.issuer().as_raw() != subject || names_other_key(cert.iter_extensions(), key_id) {
        return Err(VerifyError::NotIssuedByRoot);
    }
    Ok(())
}

/// Whether an authority key identifier among `extensions` (of a certificate or a CRL)
/// names another key than `key_id`.
pub(crate) fn names_other_key<'a, 'b: 'a>(
    extensions: impl IntoIterator<Item = &'a X509Extension<'b>>,
    key_id: &[u8],
) -> bool {
    extensions
        .into_iter()
        .any(|ext| match ext.parsed_extension() {
            ParsedExtension::AuthorityKeyIdentifier(aki) => {
                aki.key_identifier.as_ref().is_some_and(|id| id.0 != key_id)
            }
            _ => false,
        })
}

/// Parses a certificate, rejecting trailing bytes.
pub fn parse_cert(der: &[u8]) -> Result<X509Certificate<'_>, CertError> {
    let (rest, cert) = x509_parser::parse_x509_certificate(der)
        .map_err(|e| CertError::Malformed(e.to_string()))?;
    if !rest.is_empty() {
        return Err(CertError::TrailingData(rest.len()));
    }
    Ok(cert)
}

/// The PKCS#1 `RSAPublicKey` DER from a certificate or SPKI (DER).
pub(crate) fn rsa_public_key_from_cert_or_spki(der: &[u8]) -> Result<Vec<u8>, VerifyError> {
    let spki_key = |spki: &SubjectPublicKeyInfo<'_>| {
        let alg = spki.algorithm.algorithm.to_id_string();
        if alg != OID_RSA_ENCRYPTION {
            return Err(VerifyError::UnsupportedKey(format!(
                "algorithm {alg}, expected RSA"
            )));
        }
        Ok(spki.subject_public_key.data.to_vec())
    };
    if let Ok((rest, cert)) = x509_parser::parse_x509_certificate(der) {
        if !rest.is_empty() {
            return Err(CertError::TrailingData(rest.len()).into());
        }
        return spki_key(cert.public_key());
    }
    match SubjectPublicKeyInfo::from_der(der) {
        Ok(([], spki)) => spki_key(&spki),
        Ok((rest, _)) => Err(CertError::TrailingData(rest.len()).into()),
        Err(e) => Err(CertError::MalformedPublicKey(e.to_string()).into()),
    }
}

/// `C=JP, O=…` rendering of a name, reading attribute values directly.
pub(crate) fn name_to_string(name: &X509Name<'_>) -> String {
    name.iter_attributes()
        .map(|attr| {
            let oid = attr.attr_type().to_id_string();
            let key = match oid.as_str() {
                "2.5.4.6" => "C".to_owned(),
                "2.5.4.10" => "O".to_owned(),
                "2.5.4.11" => "OU".to_owned(),
                "2.5.4.3" => "CN".to_owned(),
                "2.5.4.7" => "L".to_owned(),
                "2.5.4.8" => "ST".to_owned(),
                "2.5.4.5" => "serialNumber".to_owned(),
                _ => oid,
            };
            let value = any_string(attr.attr_value())
                .unwrap_or_else(|| format!("#{}", hex(attr.attr_value().data)));
            format!("{key}={value}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// First value of attribute `oid` in `name`, as a string.
pub(crate) fn name_attr(name: &X509Name<'_>, oid: &str) -> Option<String> {
    name.iter_attributes()
        .find(|a| a.attr_type().to_id_string() == oid)
        .and_then(|a| any_string(a.attr_value()))
}

/// The text of a directory string (UTF8String, PrintableString, IA5String,
/// VisibleString, TeletexString read as UTF-8, BMPString as UTF-16BE).
fn any_string(value: &Any<'_>) -> Option<String> {
    match value.tag() {
        Tag::Utf8String
        | Tag::PrintableString
        | Tag::Ia5String
        | Tag::VisibleString
        | Tag::TeletexString => std::str::from_utf8(value.data).ok().map(str::to_owned),
        Tag::BmpString => {
            if !value.data.len().is_multiple_of(2) {
                return None;
            }
            let units: Vec<u16> = value
                .data
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).ok()
        }
        _ => None,
    }
}

pub(crate) fn cert_time(t: x509_parser::time::ASN1Time) -> Result<NaiveDateTime, CertError> {
    from_unix(t.timestamp()).ok_or(CertError::TimeOutOfRange)
}

/// Decodes an otherName value: `[0] EXPLICIT` around a string type.
fn other_name_value(bytes: &[u8]) -> Result<String, String> {
    let (_, outer) = Any::from_der(bytes).map_err(|e| e.to_string())?;
    if outer.class() != Class::ContextSpecific || outer.tag() != Tag(0) {
        return Err("otherName value is not [0] EXPLICIT".into());
    }
    let (rest, inner) = Any::from_der(outer.data).map_err(|e| e.to_string())?;
    if !rest.is_empty() {
        return Err("trailing bytes in otherName value".into());
    }
    match inner.tag() {
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::VisibleString => {
            std::str::from_utf8(inner.data)
                .map(str::to_owned)
                .map_err(|_| "otherName string is not valid UTF-8".into())
        }
        other => Err(format!("otherName value has tag {other}")),
    }
}

/// Birth date as `YYYYMMDD`, or with the one-digit era prefix real JPKI
/// certificates use (`XYYYYMMDD`).
fn parse_birth_date(s: &str) -> Option<NaiveDate> {
    let digits = match s.len() {
        8 => s,
        9 => s.get(1..)?,
        _ => return None,
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDate::parse_from_str(digits, "%Y%m%d").ok()
}

/// The OIDs of the JPKI basic-four otherName entries.
const JPKI_OIDS: [&str; 4] = [
    OID_JPKI_NAME,
    OID_JPKI_SEX,
    OID_JPKI_BIRTH_DATE,
    OID_JPKI_ADDRESS,
];

/// The key type and size shown for a SubjectPublicKeyInfo (`RSA 2048 bit`, `Ed25519`).
fn public_key_description(spki: &SubjectPublicKeyInfo<'_>) -> String {
    let key_alg = spki.algorithm.algorithm.to_id_string();
    match (key_alg.as_str(), spki.parsed()) {
        (_, Ok(PublicKey::RSA(rsa))) => format!("RSA {} bit", rsa.key_size()),
        (OID_ED25519, _) => "Ed25519".to_owned(),
        (_, Ok(PublicKey::EC(_))) => format!("EC ({key_alg})"),
        _ => format!("unknown ({key_alg})"),
    }
}

/// The name of the certificate's signature algorithm (its OID when unknown).
fn signature_algorithm_name(cert: &X509Certificate<'_>) -> String {
    let sig_oid = cert.signature_algorithm.algorithm.to_id_string();
    match sig_oid.as_str() {
        OID_SHA256_WITH_RSA => "sha256WithRSAEncryption".to_owned(),
        "1.2.840.113549.1.1.5" => "sha1WithRSAEncryption".to_owned(),
        "1.2.840.113549.1.1.12" => "sha384WithRSAEncryption".to_owned(),
        "1.2.840.113549.1.1.13" => "sha512WithRSAEncryption".to_owned(),
        OID_ED25519 => "Ed25519".to_owned(),
        _ => sig_oid,
    }
}

/// What [`CertInfo`] shows of a certificate's extensions.
struct Extensions {
    subject_key_id: Option<Vec<u8>>,
    authority_key_id: Option<Vec<u8>>,
    crl_distribution_points: Vec<String>,
    other_names: Vec<(String, String)>,
}

impl Extensions {
    /// Key identifiers, CRL URLs and every otherName (leniently shown) of `cert`.
    fn of(cert: &X509Certificate<'_>) -> Self {
        let mut x = Self {
            subject_key_id: None,
            authority_key_id: None,
            crl_distribution_points: Vec::new(),
            other_names: Vec::new(),
        };
        for ext in cert.iter_extensions() {
            match ext.parsed_extension() {
                ParsedExtension::SubjectKeyIdentifier(id) => x.subject_key_id = Some(id.0.to_vec()),
                ParsedExtension::AuthorityKeyIdentifier(aki) => {
                    x.authority_key_id = aki.key_identifier.as_ref().map(|k| k.0.to_vec())
                }
                ParsedExtension::CRLDistributionPoints(points) => {
                    for point in points.iter() {
                        if let Some(DistributionPointName::FullName(names)) =
                            &point.distribution_point
                        {
                            x.crl_distribution_points.extend(names.iter().filter_map(
                                |n| match n {
                                    GeneralName::URI(uri) => Some((*uri).to_owned()),
                                    _ => None,
                                },
                            ));
                        }
                    }
                }
                ParsedExtension::SubjectAlternativeName(san) => {
                    for name in &san.general_names {
                        if let GeneralName::OtherName(oid, value) = name {
                            let shown = other_name_value(value)
                                .unwrap_or_else(|_| format!("#{}", hex(value)));
                            x.other_names.push((oid.to_id_string(), shown));
                        }
                    }
                }
                _ => {}
            }
        }
        x
    }
}

/// The basic four of `cert`, decoded strictly (only the JPKI OIDs).
fn basic4_of(cert: &X509Certificate<'_>) -> Result<Option<BasicFour>, CertError> {
    let mut jpki = BTreeMap::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            if let GeneralName::OtherName(oid, value) = name {
                let oid = oid.to_id_string();
                if JPKI_OIDS.contains(&oid.as_str()) {
                    let v = other_name_value(value)
                        .map_err(|e| CertError::InvalidBasicFour(format!("{oid}: {e}")))?;
                    jpki.insert(oid, v);
                }
            }
        }
    }
    let jpki_refs: BTreeMap<&str, &str> =
        jpki.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    basic4_from(&jpki_refs)
}

fn basic4_from(values: &BTreeMap<&str, &str>) -> Result<Option<BasicFour>, CertError> {
    let get = |oid: &str| values.get(oid).copied();
    let items = [
        get(OID_JPKI_NAME),
        get(OID_JPKI_SEX),
        get(OID_JPKI_BIRTH_DATE),
        get(OID_JPKI_ADDRESS),
    ];
    let (name, sex, birth, address) = match items {
        [None, None, None, None] => return Ok(None),
        [Some(n), Some(s), Some(b), Some(a)] => (n, s, b, a),
        _ => {
            return Err(CertError::InvalidBasicFour(
                "some of the four items are missing".into(),
            ));
        }
    };
    let sex = sex
        .parse::<u8>()
        .ok()
        .and_then(Sex::from_code)
        .ok_or_else(|| CertError::InvalidBasicFour(format!("sex code {sex:?}")))?;
    let birth_date = parse_birth_date(birth)
        .ok_or_else(|| CertError::InvalidBasicFour(format!("birth date {birth:?}")))?;
    Ok(Some(BasicFour {
        name: name.to_owned(),
        name_kana: None,
        address: address.to_owned(),
        birth_date,
        sex,
    }))
}

impl CertInfo {
    /// Parses a DER certificate. Never panics on arbitrary input.
    pub fn parse(der: &[u8]) -> Result<CertInfo, CertError> {
        let cert = parse_cert(der)?;
        Self::from_parsed(&cert, der)
    }

    pub(crate) fn from_parsed(
        cert: &X509Certificate<'_>,
        der: &[u8],
    ) -> Result<CertInfo, CertError> {
        let raw_serial = cert.raw_serial();
        let spki = cert.public_key();
        let extensions = Extensions::of(cert);
        let basic4 = basic4_of(cert)?;
        Ok(CertInfo {
            serial: serial_to_u64(raw_serial),
            serial_hex: hex(raw_serial),
            subject: name_to_string(cert.subject()),
            issuer: name_to_string(cert.issuer()),
            not_before: cert_time(cert.validity().not_before)?,
            not_after: cert_time(cert.validity().not_after)?,
            spki_der: spki.raw.to_vec(),
            public_key: public_key_description(spki),
            signature_algorithm: signature_algorithm_name(cert),
            is_ca: cert.is_ca(),
            subject_key_id: extensions.subject_key_id,
            authority_key_id: extensions.authority_key_id,
            crl_distribution_points: extensions.crl_distribution_points,
            basic4,
            other_names: extensions.other_names,
            sha256_fingerprint: sha256(der),
        })
    }

    /// Fingerprint as colon-separated upper-case hex.
    pub fn fingerprint_hex(&self) -> String {
        hex_colon(&self.sha256_fingerprint)
    }

    /// Whether `at` (UTC) lies within `not_before ..= not_after`.
    pub fn is_valid_at(&self, at: NaiveDateTime) -> bool {
        self.not_before <= at && at <= self.not_after
    }
}

impl fmt::Display for CertInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let serial = match self.serial {
            Some(s) => format!("{s} (0x{})", self.serial_hex),
            None => format!("0x{}", self.serial_hex),
        };
        writeln!(f, "Serial:        {serial}")?;
        writeln!(f, "Subject:       {}", self.subject)?;
        writeln!(f, "Issuer:        {}", self.issuer)?;
        writeln!(f, "Not before:    {} UTC", self.not_before)?;
        writeln!(f, "Not after:     {} UTC", self.not_after)?;
        writeln!(f, "Public key:    {}", self.public_key)?;
        writeln!(f, "Signature:     {}", self.signature_algorithm)?;
        writeln!(
            f,
            "CA:            {}",
            if self.is_ca { "yes" } else { "no" }
        )?;
        if let Some(id) = &self.subject_key_id {
            writeln!(f, "Subject KID:   {}", hex_colon(id))?;
        }
        if let Some(id) = &self.authority_key_id {
            writeln!(f, "Authority KID: {}", hex_colon(id))?;
        }
        for url in &self.crl_distribution_points {
            writeln!(f, "CRL:           {url}")?;
        }
        if let Some(b) = &self.basic4 {
            writeln!(f, "Basic four (基本4情報):")?;
            writeln!(f, "  Name:        {}", b.name)?;
            writeln!(f, "  Birth date:  {}", b.birth_date)?;
            writeln!(f, "  Sex:         {} ({})", b.sex.code(), b.sex)?;
            writeln!(f, "  Address:     {}", b.address)?;
        }
        for (oid, value) in &self.other_names {
            if self.basic4.is_none() || !JPKI_OIDS.contains(&oid.as_str()) {
                writeln!(f, "otherName:     {oid} = {value}")?;
            }
        }
        write!(f, "SHA-256:       {}", self.fingerprint_hex())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::CaKind;
    use crate::pki::testutil::{sample_sign_cert, test_pki};

    #[test]
    fn garbage_and_truncated_der_never_panic() {
        let pki = test_pki();
        let cert = sample_sign_cert();
        for len in 0..cert.len() {
            let cut = &cert[..len];
            assert!(CertInfo::parse(cut).is_err(), "len {len}");
            assert!(pki.verify_issued(CaKind::Sign, cut).is_err());
        }
        let mut trailing = cert.to_vec();
        trailing.push(0);
        assert_eq!(CertInfo::parse(&trailing), Err(CertError::TrailingData(1)));
        assert!(matches!(
            pki.verify_issued(CaKind::Sign, &trailing),
            Err(VerifyError::Malformed(CertError::TrailingData(1)))
        ));
        // Pseudo-random garbage, some starting with a plausible header.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for i in 0..200 {
            let len = (i * 7) % 900;
            let mut bytes: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect();
            if i % 2 == 0 && bytes.len() >= 4 {
                bytes[..4].copy_from_slice(&[0x30, 0x82, (len >> 8) as u8, len as u8]);
            }
            assert!(CertInfo::parse(&bytes).is_err());
            assert!(matches!(
                pki.verify_issued(CaKind::Auth, &bytes),
                Err(VerifyError::Malformed(_))
            ));
        }
        // Flipping bytes in the body must not panic either.
        for pos in (0..cert.len()).step_by(13) {
            let mut bad = cert.to_vec();
            bad[pos] ^= 0xFF;
            let _ = CertInfo::parse(&bad);
            assert!(
                pki.verify_issued(CaKind::Sign, &bad).is_err(),
                "flip at {pos}"
            );
        }
    }

    #[test]
    fn birth_date_formats() {
        assert_eq!(
            parse_birth_date("19900101"),
            NaiveDate::from_ymd_opt(1990, 1, 1)
        );
        assert_eq!(
            parse_birth_date("419900101"),
            NaiveDate::from_ymd_opt(1990, 1, 1)
        );
        assert_eq!(parse_birth_date("1990-1-1"), None);
        assert_eq!(parse_birth_date("19901301"), None);
        assert_eq!(parse_birth_date("１９９０0101"), None);
    }

    #[test]
    fn other_name_decoding() {
        // [0] { UTF8String "あ" }
        let v = [0xA0, 0x05, 0x0C, 0x03, 0xE3, 0x81, 0x82];
        assert_eq!(other_name_value(&v).as_deref(), Ok("あ"));
        assert!(other_name_value(&[0xA0, 0x05, 0x0C]).is_err());
        assert!(other_name_value(&[0x04, 0x01, 0x00]).is_err());
        assert!(other_name_value(&[0xA0, 0x03, 0x02, 0x01, 0x05]).is_err());
    }
}
