//! The test JPKI hierarchy: two self-signed RSA-2048 roots, one for
//! user-authentication certificates (利用者証明用電子証明書) and one for
//! signing certificates (署名用電子証明書), as J-LIS (地方公共団体情報システム機構)
//! runs them for the real My Number Card — here generated deterministically
//! from a seed, or loaded from files.
//!
//! Issuing lives in [`cert`](crate::pki::cert), CRLs in [`crl`](crate::pki::crl).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self as aws_sig, UnparsedPublicKey};
use chrono::NaiveDateTime;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, DnValue, IsCa, Issuer,
    KeyIdMethod, KeyUsagePurpose, PublicKeyData, SerialNumber, SigningKey,
};
use x509_parser::asn1_rs::Tag;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ParsedExtension;
use x509_parser::x509::X509Name;

use crate::pki::der::{Der, to_offset};
use crate::pki::inspect::{
    CertError, CertInfo, OID_SHA256_WITH_RSA, VerifyError, cert_time, check_issuer, parse_cert,
};
use crate::pki::keys::{KeyCache, KeyError, RsaKey, write_atomic};

/// Which JPKI root a certificate or CRL belongs to.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum CaKind {
    /// User authentication (利用者証明用): proves "this card, this person",
    /// no personal data; the one used by マイナ保険証 online verification.
    Auth,
    /// Digital signature (署名用): carries the basic four (基本4情報).
    Sign,
}

impl CaKind {
    /// Both kinds, auth first.
    pub const ALL: [CaKind; 2] = [CaKind::Auth, CaKind::Sign];

    /// The OU naming the hierarchy, as in the real JPKI DNs.
    pub fn organizational_unit(self) -> &'static str {
        match self {
            CaKind::Auth => "JPKI for user authentication",
            CaKind::Sign => "JPKI for digital signature",
        }
    }

    /// Fixed test CRL distribution point URL (reserved `.test` TLD).
    pub fn crl_url(self) -> &'static str {
        match self {
            CaKind::Auth => "http://crl.jpki.onshi.test/auth/root.crl",
            CaKind::Sign => "http://crl.jpki.onshi.test/sign/root.crl",
        }
    }

    /// Key label used for the root key derived from the seed.
    pub fn root_key_label(self) -> &'static str {
        match self {
            CaKind::Auth => "jpki-root/auth",
            CaKind::Sign => "jpki-root/sign",
        }
    }

    /// File stem used by [`TestPki::save`] / [`TestPki::load`].
    pub fn file_stem(self) -> &'static str {
        match self {
            CaKind::Auth => "jpki-auth-root",
            CaKind::Sign => "jpki-sign-root",
        }
    }

    fn root_serial(self) -> u64 {
        match self {
            CaKind::Auth => 1,
            CaKind::Sign => 2,
        }
    }
}

impl fmt::Display for CaKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CaKind::Auth => "auth",
            CaKind::Sign => "sign",
        })
    }
}

/// Errors from generating, loading or saving the hierarchy.
#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    /// Deriving or parsing a root key failed.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// rcgen refused to build a root certificate.
    #[error("building the {kind} root certificate failed: {source}")]
    Rcgen {
        /// Which root.
        kind: CaKind,
        /// rcgen's error.
        #[source]
        source: rcgen::Error,
    },
    /// Reading a root file failed.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A root certificate file does not parse.
    #[error("{path} is not a usable certificate: {source}")]
    BadCertificate {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: CertError,
    },
    /// The loaded key is not the key of the loaded certificate.
    #[error("the {kind} root key does not match the {kind} root certificate")]
    KeyMismatch {
        /// Which root.
        kind: CaKind,
    },
    /// The loaded root's subject name cannot be reproduced exactly as an
    /// issuer name (multi-valued RDNs, exotic string types, …).
    #[error("unsupported {kind} root subject name: {reason}")]
    UnsupportedRootName {
        /// Which root.
        kind: CaKind,
        /// Why.
        reason: String,
    },
}

/// rcgen signer backed by an [`RsaKey`] (sha256WithRSAEncryption through
/// aws-lc-rs; PKCS#1 v1.5 is deterministic, so certificates are too).
pub(crate) struct RsaSigner(pub(crate) Arc<RsaKey>);

impl PublicKeyData for RsaSigner {
    fn der_bytes(&self) -> &[u8] {
        self.0.public_key_pkcs1_der()
    }
    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &rcgen::PKCS_RSA_SHA256
    }
}

impl SigningKey for RsaSigner {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        let mut sig = vec![0u8; self.0.key_pair().public_modulus_len()];
        self.0
            .key_pair()
            .sign(
                &aws_sig::RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                msg,
                &mut sig,
            )
            .map_err(|_| rcgen::Error::RingUnspecified)?;
        Ok(sig)
    }
}

/// Public half of an [`RsaKey`] as rcgen subject key.
pub(crate) struct RsaSubject<'a>(pub(crate) &'a RsaKey);

impl PublicKeyData for RsaSubject<'_> {
    fn der_bytes(&self) -> &[u8] {
        self.0.public_key_pkcs1_der()
    }
    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &rcgen::PKCS_RSA_SHA256
    }
}

/// One root CA: certificate, key, and what is needed to issue and verify.
pub struct CaRoot {
    kind: CaKind,
    cert_der: Der,
    key: Arc<RsaKey>,
    issuer: Issuer<'static, RsaSigner>,
    subject_raw: Vec<u8>,
    key_id: Vec<u8>,
}

impl fmt::Debug for CaRoot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CaRoot")
            .field("kind", &self.kind)
            .field("cert_der", &self.cert_der)
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

/// Fixed root validity: 2014-01-01 .. 2049-12-31 23:59:59 UTC.
pub(crate) fn root_validity() -> (NaiveDateTime, NaiveDateTime) {
    let d = |y, m, day, h, min, s| {
        chrono::NaiveDate::from_ymd_opt(y, m, day)
            .and_then(|d| d.and_hms_opt(h, min, s))
            .unwrap_or_default()
    };
    (d(2014, 1, 1, 0, 0, 0), d(2049, 12, 31, 23, 59, 59))
}

/// The second OU of the test roots' names.
const TEST_ROOT_MARK: &str = "onshi TEST CA (not J-LIS)";

/// `C=JP, O=JPKI, OU=<kind OU>`: the start of every JPKI name.
pub(crate) fn jpki_dn(kind: CaKind) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, dn_string("JP"));
    dn.push(DnType::OrganizationName, dn_string("JPKI"));
    dn.push(
        DnType::OrganizationalUnitName,
        dn_string(kind.organizational_unit()),
    );
    dn
}

/// Root DN in the real JPKI style, marked as not J-LIS's in a second OU:
/// `C=JP, O=JPKI, OU=<kind OU>, OU=<mark>` (the test roots: `onshi TEST CA (not
/// J-LIS)`).
pub(crate) fn root_dn(kind: CaKind, mark: &str) -> DistinguishedName {
    let mut dn = jpki_dn(kind);
    // rcgen keys DN entries by type; a second OU goes in as a custom type
    // with the same OID (2.5.4.11).
    dn.push(DnType::CustomDnType(vec![2, 5, 4, 11]), dn_string(mark));
    dn
}

/// A PrintableString DN value, or UTF8String when `s` has characters
/// PrintableString cannot carry.
pub(crate) fn dn_string(s: &str) -> DnValue {
    match rcgen::string::PrintableString::try_from(s) {
        Ok(p) => DnValue::PrintableString(p),
        Err(_) => DnValue::Utf8String(s.to_owned()),
    }
}

impl CaRoot {
    /// Which root this is.
    pub fn kind(&self) -> CaKind {
        self.kind
    }

    /// The self-signed root certificate.
    pub fn cert_der(&self) -> &Der {
        &self.cert_der
    }

    /// The root's private key.
    pub fn key(&self) -> &Arc<RsaKey> {
        &self.key
    }

    /// DER of the root's subject name (= issuer name of what it issues).
    pub fn subject_der(&self) -> &[u8] {
        &self.subject_raw
    }

    /// The root's key identifier (SKI; AKI of what it issues).
    pub fn key_identifier(&self) -> &[u8] {
        &self.key_id
    }

    /// The rcgen issuer for signing certificates and CRLs.
    pub(crate) fn issuer(&self) -> &Issuer<'static, RsaSigner> {
        &self.issuer
    }

    fn generate(kind: CaKind, key: Arc<RsaKey>) -> Result<Self, PkiError> {
        let rcgen_err = |source| PkiError::Rcgen { kind, source };
        let (nb, na) = root_validity();
        let mut params = CertificateParams::default();
        params.distinguished_name = root_dn(kind, TEST_ROOT_MARK);
        params.serial_number = Some(SerialNumber::from(kind.root_serial()));
        params.not_before = to_offset(nb).ok_or_else(|| rcgen_err(rcgen::Error::Time))?;
        params.not_after = to_offset(na).ok_or_else(|| rcgen_err(rcgen::Error::Time))?;
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let signer = RsaSigner(Arc::clone(&key));
        let cert = params.self_signed(&signer).map_err(rcgen_err)?;
        let cert_der = Der::new(cert.der().to_vec());
        let key_id = params.key_identifier(&signer);
        let issuer = Issuer::new(params, signer);
        let subject_raw = parse_cert(&cert_der)
            .map_err(|source| PkiError::BadCertificate {
                path: PathBuf::from("<generated>"),
                source,
            })?
            .subject()
            .as_raw()
            .to_vec();
        Ok(CaRoot {
            kind,
            cert_der,
            key,
            issuer,
            subject_raw,
            key_id,
        })
    }

    /// Builds a root from an existing certificate and its key.
    fn from_parts(
        kind: CaKind,
        cert_der: Der,
        key: Arc<RsaKey>,
        path: &Path,
    ) -> Result<Self, PkiError> {
        let bad = |source| PkiError::BadCertificate {
            path: path.to_path_buf(),
            source,
        };
        let cert = parse_cert(&cert_der).map_err(bad)?;
        if cert.public_key().subject_public_key.data.as_ref() != key.public_key_pkcs1_der() {
            return Err(PkiError::KeyMismatch { kind });
        }
        let mut params = CertificateParams::default();
        params.distinguished_name = dn_from_x509(kind, cert.subject())?;
        let ski = cert
            .iter_extensions()
            .find_map(|e| match e.parsed_extension() {
                ParsedExtension::SubjectKeyIdentifier(id) => Some(id.0.to_vec()),
                _ => None,
            });
        params.key_identifier_method = match &ski {
            Some(id) => KeyIdMethod::PreSpecified(id.clone()),
            None => KeyIdMethod::Sha256,
        };
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let signer = RsaSigner(Arc::clone(&key));
        let key_id = params.key_identifier(&signer);
        let subject_raw = cert.subject().as_raw().to_vec();
        let issuer = Issuer::new(params, signer);
        let root = CaRoot {
            kind,
            cert_der: cert_der.clone(),
            key,
            issuer,
            subject_raw,
            key_id,
        };
        root.check_name_round_trip()?;
        Ok(root)
    }

    /// Issues a throw-away certificate and checks its issuer name is
    /// byte-identical to the root's subject name.
    fn check_name_round_trip(&self) -> Result<(), PkiError> {
        let kind = self.kind;
        let mut probe = CertificateParams::default();
        probe.serial_number = Some(SerialNumber::from(1u64));
        let cert = probe
            .signed_by(&RsaSubject(&self.key), &self.issuer)
            .map_err(|source| PkiError::Rcgen { kind, source })?;
        let parsed = parse_cert(cert.der()).map_err(|source| PkiError::BadCertificate {
            path: PathBuf::from("<probe>"),
            source,
        })?;
        if parsed.issuer().as_raw() != self.subject_raw.as_slice() {
            return Err(PkiError::UnsupportedRootName {
                kind,
                reason: "the name does not re-encode byte-identically".into(),
            });
        }
        Ok(())
    }

    /// Checks `cert` was signed by this root (name, key id, signature).
    pub fn check_issued(&self, cert: &X509Certificate<'_>) -> Result<(), VerifyError> {
        check_issuer(cert, &self.subject_raw, &self.key_id)?;
        if cert.signature_algorithm != cert.tbs_certificate.signature {
            return Err(CertError::Malformed(
                "signatureAlgorithm differs from tbsCertificate.signature".into(),
            )
            .into());
        }
        let alg = cert.signature_algorithm.algorithm.to_id_string();
        if alg != OID_SHA256_WITH_RSA {
            return Err(VerifyError::UnsupportedAlgorithm(alg));
        }
        UnparsedPublicKey::new(
            &aws_sig::RSA_PKCS1_2048_8192_SHA256,
            self.key.public_key_pkcs1_der(),
        )
        .verify(
            cert.tbs_certificate.as_ref(),
            cert.signature_value.data.as_ref(),
        )
        .map_err(|_| VerifyError::SignatureInvalid)
    }
}

/// Rebuilds an rcgen name from a parsed one, preserving order and string
/// types so the issuer name re-encodes byte-identically.
fn dn_from_x509(kind: CaKind, name: &X509Name<'_>) -> Result<DistinguishedName, PkiError> {
    let unsupported = |reason: String| PkiError::UnsupportedRootName { kind, reason };
    let mut dn = DistinguishedName::new();
    for rdn in name.iter() {
        let attrs: Vec<_> = rdn.iter().collect();
        let [attr] = attrs.as_slice() else {
            return Err(unsupported("multi-valued RDN".into()));
        };
        let oid: Vec<u64> = attr
            .attr_type()
            .iter()
            .ok_or_else(|| unsupported("OID arc too large".into()))?
            .collect();
        let mut ty = DnType::from_oid(&oid);
        if dn.get(&ty).is_some() {
            ty = DnType::CustomDnType(oid.clone());
            if dn.get(&ty).is_some() {
                return Err(unsupported(format!(
                    "attribute {oid:?} repeated more than twice"
                )));
            }
        }
        let value = attr.attr_value();
        let text = std::str::from_utf8(value.data)
            .map_err(|_| unsupported("non-UTF-8 attribute".into()))?;
        let value = match value.tag() {
            Tag::Utf8String => DnValue::Utf8String(text.to_owned()),
            Tag::PrintableString => DnValue::PrintableString(
                rcgen::string::PrintableString::try_from(text)
                    .map_err(|e| unsupported(e.to_string()))?,
            ),
            Tag::Ia5String => DnValue::Ia5String(
                rcgen::string::Ia5String::try_from(text).map_err(|e| unsupported(e.to_string()))?,
            ),
            other => return Err(unsupported(format!("attribute string type {other}"))),
        };
        dn.push(ty, value);
    }
    Ok(dn)
}

/// The test JPKI hierarchy: an auth root and a sign root.
///
/// Deterministic: `TestPki::generate(seed)` twice gives byte-identical root
/// certificates, and so does everything issued from them with the same
/// requests. Cheap to share (`&TestPki` is `Sync`).
#[derive(Debug)]
pub struct TestPki {
    auth: CaRoot,
    sign: CaRoot,
}

impl TestPki {
    /// Generates both roots from `seed` (keys through the process cache).
    pub fn generate(seed: u64) -> Result<Self, PkiError> {
        Self::generate_with_cache(seed, &KeyCache::memory())
    }

    /// Like [`TestPki::generate`] with an explicit key cache (e.g. one with
    /// an on-disk directory).
    pub fn generate_with_cache(seed: u64, cache: &KeyCache) -> Result<Self, PkiError> {
        let keys = cache.get_many(&[
            (seed, CaKind::Auth.root_key_label()),
            (seed, CaKind::Sign.root_key_label()),
        ])?;
        let [auth_key, sign_key] =
            <[Arc<RsaKey>; 2]>::try_from(keys).map_err(|_| KeyError::WorkerPanicked)?;
        Ok(TestPki {
            auth: CaRoot::generate(CaKind::Auth, auth_key)?,
            sign: CaRoot::generate(CaKind::Sign, sign_key)?,
        })
    }

    /// The root of `kind`.
    pub fn root(&self, kind: CaKind) -> &CaRoot {
        match kind {
            CaKind::Auth => &self.auth,
            CaKind::Sign => &self.sign,
        }
    }

    /// Certificate file path for `kind` under `dir`: `<stem>.der`.
    pub fn cert_path(dir: &Path, kind: CaKind) -> PathBuf {
        dir.join(format!("{}.der", kind.file_stem()))
    }

    /// Key file path for `kind` under `dir`: `<stem>.key.p8` (PKCS#8 DER).
    pub fn key_path(dir: &Path, kind: CaKind) -> PathBuf {
        dir.join(format!("{}.key.p8", kind.file_stem()))
    }

    /// Writes both roots (certificate DER + PKCS#8 key DER) into `dir`,
    /// atomically per file. See [`TestPki::cert_path`] / [`TestPki::key_path`].
    pub fn save(&self, dir: impl AsRef<Path>) -> Result<(), PkiError> {
        let dir = dir.as_ref();
        for kind in CaKind::ALL {
            let root = self.root(kind);
            write_atomic(&Self::cert_path(dir, kind), &root.cert_der)?;
            write_atomic(&Self::key_path(dir, kind), root.key.pkcs8_der())?;
        }
        Ok(())
    }

    /// Loads both roots from files written by [`TestPki::save`] (or supplied
    /// from elsewhere: any RSA-2048 root certificate with its PKCS#8 key).
    pub fn load(dir: impl AsRef<Path>) -> Result<Self, PkiError> {
        let dir = dir.as_ref();
        let load = |kind| -> Result<CaRoot, PkiError> {
            let read = |path: PathBuf| {
                std::fs::read(&path).map_err(|source| PkiError::Io { path, source })
            };
            let cert_path = Self::cert_path(dir, kind);
            let cert = read(cert_path.clone())?;
            let key = Arc::new(RsaKey::from_pkcs8_der(&read(Self::key_path(dir, kind))?)?);
            CaRoot::from_parts(kind, Der::new(cert), key, &cert_path)
        };
        Ok(TestPki {
            auth: load(CaKind::Auth)?,
            sign: load(CaKind::Sign)?,
        })
    }

    /// Verifies that `cert_der` was issued by the `kind` root: issuer name
    /// and authority key identifier match the root, the signature algorithm
    /// is sha256WithRSAEncryption, and the signature over the TBS bytes
    /// verifies with the root's public key (aws-lc-rs). Validity dates are
    /// not checked (see [`TestPki::verify_issued_at`]).
    ///
    /// This is what the reference backend uses to reject forged or unknown
    /// certificates.
    pub fn verify_issued(&self, kind: CaKind, cert_der: &[u8]) -> Result<CertInfo, VerifyError> {
        let cert = parse_cert(cert_der)?;
        self.root(kind).check_issued(&cert)?;
        Ok(CertInfo::from_parsed(&cert, cert_der)?)
    }

    /// [`TestPki::verify_issued`] plus a validity check at `at` (UTC).
    pub fn verify_issued_at(
        &self,
        kind: CaKind,
        cert_der: &[u8],
        at: NaiveDateTime,
    ) -> Result<CertInfo, VerifyError> {
        let cert = parse_cert(cert_der)?;
        self.root(kind).check_issued(&cert)?;
        let not_before = cert_time(cert.validity().not_before)?;
        let not_after = cert_time(cert.validity().not_after)?;
        if at < not_before {
            return Err(VerifyError::NotYetValid { not_before, at });
        }
        if at > not_after {
            return Err(VerifyError::Expired { not_after, at });
        }
        Ok(CertInfo::from_parsed(&cert, cert_der)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::testutil::{TEST_SEED, dt, sample_auth_cert, scratch_dir, test_pki};

    #[test]
    fn roots_are_deterministic_and_well_formed() {
        let pki = test_pki();
        let again = TestPki::generate(TEST_SEED).expect("regenerate");
        for kind in CaKind::ALL {
            let root = pki.root(kind);
            assert_eq!(root.cert_der(), again.root(kind).cert_der(), "{kind}");
            assert!(root.cert_der().starts_with(&[0x30, 0x82]));
            let info = CertInfo::parse(root.cert_der()).expect("parses");
            assert!(info.is_ca);
            assert_eq!(info.subject, info.issuer);
            assert!(
                info.subject.contains(kind.organizational_unit()),
                "{}",
                info.subject
            );
            assert!(info.subject.starts_with("C=JP, O=JPKI"));
            assert_eq!(info.public_key, "RSA 2048 bit");
            assert_eq!(info.signature_algorithm, "sha256WithRSAEncryption");
            assert_eq!(info.subject_key_id.as_deref(), Some(root.key_identifier()));
            // Self-signature verifies.
            pki.verify_issued(kind, root.cert_der())
                .expect("self-signed");
        }
        assert_ne!(
            pki.root(CaKind::Auth).cert_der(),
            pki.root(CaKind::Sign).cert_der()
        );
    }

    #[test]
    fn forged_and_cross_kind_certificates_are_rejected() {
        let pki = test_pki();
        let forger = TestPki::generate(TEST_SEED + 1).expect("other pki");
        let genuine = sample_auth_cert();
        assert!(pki.verify_issued(CaKind::Auth, &genuine).is_ok());
        // Wrong hierarchy kind.
        assert_eq!(
            pki.verify_issued(CaKind::Sign, &genuine).err(),
            Some(VerifyError::NotIssuedByRoot)
        );
        // Same DN, different root key (another seed): rejected.
        let forged = forger
            .issue_auth_cert(&crate::pki::AuthCertRequest {
                serial: 1001,
                not_before: dt(2025, 1, 1),
                not_after: dt(2030, 1, 1),
                key: &crate::pki::testutil::subject_key(),
                subject_id: "FORGED".into(),
            })
            .expect("forged cert");
        assert_eq!(
            pki.verify_issued(CaKind::Auth, &forged).err(),
            Some(VerifyError::NotIssuedByRoot)
        );
        // A tampered signature on a genuine certificate.
        let mut tampered = genuine.to_vec();
        let last = tampered.len() - 1;
        tampered[last] ^= 0x01;
        assert_eq!(
            pki.verify_issued(CaKind::Auth, &tampered).err(),
            Some(VerifyError::SignatureInvalid)
        );
        // A tampered TBS (inside the subject CN).
        let pos = genuine
            .windows(b"AUTH-SAMPLE".len())
            .position(|w| w == b"AUTH-SAMPLE")
            .expect("cn present");
        let mut tampered = genuine.to_vec();
        tampered[pos] = b'X';
        assert_eq!(
            pki.verify_issued(CaKind::Auth, &tampered).err(),
            Some(VerifyError::SignatureInvalid)
        );
    }

    #[test]
    fn validity_is_checked_when_asked() {
        let pki = test_pki();
        let cert = sample_auth_cert();
        assert!(
            pki.verify_issued_at(CaKind::Auth, &cert, dt(2026, 6, 1))
                .is_ok()
        );
        assert!(matches!(
            pki.verify_issued_at(CaKind::Auth, &cert, dt(2024, 1, 1)),
            Err(VerifyError::NotYetValid { .. })
        ));
        assert!(matches!(
            pki.verify_issued_at(CaKind::Auth, &cert, dt(2031, 1, 1)),
            Err(VerifyError::Expired { .. })
        ));
    }

    #[test]
    fn save_and_load_round_trip() {
        let pki = test_pki();
        let dir = scratch_dir("pki-files");
        pki.save(&dir).expect("save");
        let loaded = TestPki::load(&dir).expect("load");
        for kind in CaKind::ALL {
            assert_eq!(loaded.root(kind).cert_der(), pki.root(kind).cert_der());
            assert_eq!(
                loaded.root(kind).key_identifier(),
                pki.root(kind).key_identifier()
            );
            assert_eq!(
                loaded.root(kind).subject_der(),
                pki.root(kind).subject_der()
            );
        }
        // Certificates issued by the loaded hierarchy are identical and verify
        // against the generated one.
        let from_loaded = crate::pki::testutil::issue_sample_auth(&loaded);
        assert_eq!(from_loaded, sample_auth_cert());
        assert!(pki.verify_issued(CaKind::Auth, &from_loaded).is_ok());

        // Swapped key files are detected.
        std::fs::copy(
            TestPki::key_path(&dir, CaKind::Sign),
            TestPki::key_path(&dir, CaKind::Auth),
        )
        .expect("copy");
        assert!(matches!(
            TestPki::load(&dir),
            Err(PkiError::KeyMismatch { kind: CaKind::Auth })
        ));
        // Missing and garbage files are errors, not panics.
        std::fs::write(TestPki::cert_path(&dir, CaKind::Auth), b"junk").expect("write");
        assert!(matches!(
            TestPki::load(&dir),
            Err(PkiError::BadCertificate { .. })
        ));
        std::fs::remove_file(TestPki::cert_path(&dir, CaKind::Auth)).expect("rm");
        assert!(matches!(TestPki::load(&dir), Err(PkiError::Io { .. })));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
