//! Reader CA: onshi's model of 特定機関認証 for the face-recognition / visual
//! confirmation path — an Ed25519 CA certifying card-reader devices
//! (顔認証付きカードリーダー), whose signatures over their results the
//! backend checks.
//!
//! Everything is deterministic from the seed: the CA key, each device key
//! (from the reader id and facility code), serials and certificates.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, RwLock};

use aws_lc_rs::signature::{ED25519, Ed25519KeyPair, KeyPair as _, UnparsedPublicKey};
use chrono::NaiveDateTime;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyUsagePurpose, PublicKeyData, SerialNumber, SigningKey,
};
use x509_parser::certificate::X509Certificate;

use crate::pki::ca::dn_string;
use crate::pki::cert::{IssueError, validity};
use crate::pki::der::{Der, derive32};
use crate::pki::inspect::{
    CertError, OID_ED25519, VerifyError, cert_time, check_issuer, name_attr, parse_cert,
};

const OID_CN: &str = "2.5.4.3";
const OID_OU: &str = "2.5.4.11";

/// Errors from creating the reader CA or issuing device certificates.
#[derive(Debug, thiserror::Error)]
pub enum ReaderError {
    /// aws-lc-rs refused a derived Ed25519 seed (should not happen).
    #[error("Ed25519 key rejected: {0}")]
    KeyRejected(String),
    /// An empty field, a validity that cannot be encoded or ends before it starts, or
    /// rcgen failing: what issuing a card certificate can also fail with.
    #[error(transparent)]
    Issue(#[from] IssueError),
    /// The freshly built CA certificate did not parse (should not happen).
    #[error(transparent)]
    Cert(#[from] CertError),
}

impl From<rcgen::Error> for ReaderError {
    fn from(e: rcgen::Error) -> Self {
        Self::Issue(IssueError::Rcgen(e))
    }
}

/// An Ed25519 private key of the reader PKI.
pub struct ReaderKey {
    key_pair: Ed25519KeyPair,
    seed: [u8; 32],
}

impl ReaderKey {
    pub(crate) fn derive(seed: u64, label: &str) -> Result<Self, ReaderError> {
        Self::from_seed(&derive32(seed, label))
    }

    /// A key from its 32-byte Ed25519 seed (how a reader under test receives its test
    /// credential through the reader-control API).
    pub fn from_seed(seed: &[u8; 32]) -> Result<Self, ReaderError> {
        let key_pair = Ed25519KeyPair::from_seed_unchecked(seed)
            .map_err(|e| ReaderError::KeyRejected(e.to_string()))?;
        Ok(ReaderKey {
            key_pair,
            seed: *seed,
        })
    }

    /// The 32-byte seed. Test credentials only: onshi hands it to the reader under test.
    pub fn seed(&self) -> [u8; 32] {
        self.seed
    }

    /// Ed25519 signature over `msg` (64 bytes, deterministic).
    pub fn sign(&self, msg: &[u8]) -> Vec<u8> {
        self.key_pair.sign(msg).as_ref().to_vec()
    }

    /// The raw 32-byte public key.
    pub fn public_key(&self) -> &[u8] {
        self.key_pair.public_key().as_ref()
    }
}

impl fmt::Debug for ReaderKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReaderKey")
            .field("public_key", &crate::pki::der::hex(self.public_key()))
            .finish_non_exhaustive()
    }
}

/// rcgen adapter: an owned Ed25519 signer (CA) or a public key (device).
pub(crate) struct EdSigner(pub(crate) ReaderKey);

impl PublicKeyData for EdSigner {
    fn der_bytes(&self) -> &[u8] {
        self.0.public_key()
    }
    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &rcgen::PKCS_ED25519
    }
}

impl SigningKey for EdSigner {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        Ok(self.0.sign(msg))
    }
}

struct EdPublic<'a>(&'a [u8]);

impl PublicKeyData for EdPublic<'_> {
    fn der_bytes(&self) -> &[u8] {
        self.0
    }
    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &rcgen::PKCS_ED25519
    }
}

/// A self-signed Ed25519 CA (the reader CA, the load-test root): its certificate,
/// the rcgen issuer for what it signs, and what checking its signatures takes.
pub(crate) struct EdCa {
    pub(crate) cert_der: Der,
    pub(crate) issuer: Issuer<'static, EdSigner>,
    pub(crate) public_key: Vec<u8>,
    pub(crate) subject_raw: Vec<u8>,
    key_id: Vec<u8>,
}

impl EdCa {
    /// Self-signs `params` (name, serial and validity set) with `signer` as a CA
    /// certificate: path length 0, keyCertSign and cRLSign.
    pub(crate) fn self_signed(
        mut params: CertificateParams,
        signer: EdSigner,
    ) -> Result<Self, ReaderError> {
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let cert = params.self_signed(&signer)?;
        let cert_der = Der::new(cert.der().to_vec());
        let key_id = params.key_identifier(&signer);
        let public_key = signer.0.public_key().to_vec();
        let subject_raw = parse_cert(&cert_der)?.subject().as_raw().to_vec();
        Ok(Self {
            cert_der,
            issuer: Issuer::new(params, signer),
            public_key,
            subject_raw,
            key_id,
        })
    }

    /// Checks a parsed certificate was issued by this CA: issuer name, authority key
    /// identifier and the Ed25519 signature over the TBS bytes.
    pub(crate) fn check_issued(&self, cert: &X509Certificate<'_>) -> Result<(), VerifyError> {
        check_issuer(cert, &self.subject_raw, &self.key_id)?;
        let alg = cert.signature_algorithm.algorithm.to_id_string();
        if alg != OID_ED25519 || cert.signature_algorithm != cert.tbs_certificate.signature {
            return Err(VerifyError::UnsupportedAlgorithm(alg));
        }
        UnparsedPublicKey::new(&ED25519, &self.public_key)
            .verify(
                cert.tbs_certificate.as_ref(),
                cert.signature_value.data.as_ref(),
            )
            .map_err(|_| VerifyError::SignatureInvalid)
    }
}

/// A reader device's certificate and private key.
#[derive(Debug)]
pub struct ReaderCredential {
    /// The device certificate (DER), issued by the [`ReaderCa`].
    pub cert_der: Der,
    /// The device's Ed25519 key.
    pub key: ReaderKey,
}

impl ReaderCredential {
    /// Signs `msg` with the device key (Ed25519, 64 bytes).
    pub fn sign(&self, msg: &[u8]) -> Vec<u8> {
        self.key.sign(msg)
    }
}

/// Who signed: the identity in a verified device certificate.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ReaderIdentity {
    /// Reader id (certificate CN).
    pub reader_id: String,
    /// Facility code (医療機関コード etc., certificate OU).
    pub facility_code: String,
    /// Device certificate serial, if it fits in `u64`.
    pub serial: Option<u64>,
    /// Device certificate start of validity (UTC).
    pub not_before: NaiveDateTime,
    /// Device certificate end of validity (UTC).
    pub not_after: NaiveDateTime,
}

/// Which checks [`ReaderCa::verify_device_signature_with`] makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceChecks {
    /// The device certificate chains to this CA.
    pub chain: bool,
    /// The device certificate is valid at the time.
    pub validity: bool,
    /// The device's signature covers the message.
    pub message: bool,
}

impl DeviceChecks {
    /// Every check: what a correct backend does.
    pub const ALL: Self = Self {
        chain: true,
        validity: true,
        message: true,
    };
}

/// The Ed25519 reader CA.
pub struct ReaderCa {
    seed: u64,
    ca: EdCa,
    /// Device certificates whose chain to this CA was checked, by their DER. A
    /// reader sends the same certificate with every attestation, so the backend
    /// checks its chain once (the validity window and the attestation signature
    /// are checked on every use). Bounded: emptied when full.
    verified: RwLock<HashMap<Vec<u8>, Arc<VerifiedDevice>>>,
}

/// How many verified device certificates [`ReaderCa`] remembers (a large
/// hospital group's readers; more only costs a re-check).
const VERIFIED_DEVICES: usize = 65_536;

/// A device certificate issued by this CA: what an attestation is checked with.
#[derive(Debug)]
struct VerifiedDevice {
    identity: ReaderIdentity,
    /// The device's raw Ed25519 public key.
    public_key: Vec<u8>,
}

impl fmt::Debug for ReaderCa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReaderCa")
            .field("seed", &self.seed)
            .field("cert_der", &self.ca.cert_der)
            .finish_non_exhaustive()
    }
}

impl ReaderCa {
    /// Creates the reader CA for `seed`: key from SHA-256(seed || "reader-ca"),
    /// a self-signed Ed25519 certificate `C=JP, O=onshi TEST, CN=onshi test
    /// reader CA` valid 2020-01-01 .. 2049-12-31.
    pub fn generate(seed: u64) -> Result<Self, ReaderError> {
        let signer = EdSigner(ReaderKey::derive(seed, "reader-ca")?);
        let at = |y| {
            chrono::NaiveDate::from_ymd_opt(y, 1, 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .unwrap_or_default()
        };
        let (nb, na) = validity(at(2020), at(2050) - chrono::Duration::seconds(1))?;
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, dn_string("JP"));
        dn.push(DnType::OrganizationName, dn_string("onshi TEST"));
        dn.push(DnType::CommonName, dn_string("onshi test reader CA"));
        params.distinguished_name = dn;
        params.serial_number = Some(SerialNumber::from(1u64));
        params.not_before = nb;
        params.not_after = na;
        Ok(ReaderCa {
            seed,
            ca: EdCa::self_signed(params, signer)?,
            verified: RwLock::new(HashMap::new()),
        })
    }

    /// The CA certificate (DER).
    pub fn cert_der(&self) -> &Der {
        &self.ca.cert_der
    }

    /// The CA's raw 32-byte Ed25519 public key.
    pub fn public_key(&self) -> &[u8] {
        &self.ca.public_key
    }

    /// Issues a device certificate and key for `reader_id` at
    /// `facility_code` (subject `C=JP, O=onshi TEST, OU=<facility_code>,
    /// CN=<reader_id>`, keyUsage digitalSignature, EKU clientAuth, AKI).
    /// The device key depends only on the CA seed, reader id and facility
    /// code; the serial also on the validity, so re-issuing gives a new
    /// serial for the same device key.
    pub fn issue_device(
        &self,
        reader_id: &str,
        facility_code: &str,
        not_before: NaiveDateTime,
        not_after: NaiveDateTime,
    ) -> Result<ReaderCredential, ReaderError> {
        if reader_id.is_empty() {
            return Err(IssueError::EmptyField("reader_id").into());
        }
        if facility_code.is_empty() {
            return Err(IssueError::EmptyField("facility_code").into());
        }
        let (nb, na) = validity(not_before, not_after)?;
        // Length-prefixed so ("a/b", "c") and ("a", "b/c") differ.
        let label = format!(
            "reader-device/{}:{reader_id}/{facility_code}",
            reader_id.len()
        );
        let key = ReaderKey::derive(self.seed, &label)?;
        let serial_src = derive32(
            self.seed,
            &format!(
                "{label}/serial/{}/{}",
                nb.unix_timestamp(),
                na.unix_timestamp()
            ),
        );
        let mut serial = [0u8; 8];
        serial.copy_from_slice(&serial_src[..8]);
        let serial = (u64::from_be_bytes(serial) & 0x7FFF_FFFF_FFFF_FFFF).max(1);

        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, dn_string("JP"));
        dn.push(DnType::OrganizationName, dn_string("onshi TEST"));
        dn.push(DnType::OrganizationalUnitName, dn_string(facility_code));
        dn.push(DnType::CommonName, dn_string(reader_id));
        params.distinguished_name = dn;
        params.serial_number = Some(SerialNumber::from(serial));
        params.not_before = nb;
        params.not_after = na;
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.use_authority_key_identifier_extension = true;
        let cert = params.signed_by(&EdPublic(key.public_key()), &self.ca.issuer)?;
        Ok(ReaderCredential {
            cert_der: Der::new(cert.der().to_vec()),
            key,
        })
    }

    /// Verifies a reader attestation: `cert_der` was issued by this CA
    /// (issuer name, AKI, Ed25519 certificate signature), is valid at `at`
    /// (UTC), and `sig` is the device's Ed25519 signature over `msg`.
    pub fn verify_device_signature(
        &self,
        cert_der: &[u8],
        msg: &[u8],
        sig: &[u8],
        at: NaiveDateTime,
    ) -> Result<ReaderIdentity, VerifyError> {
        self.verify_device_signature_with(cert_der, msg, sig, at, DeviceChecks::ALL)
    }

    /// [`Self::verify_device_signature`] with some checks left out: what a defective
    /// backend does (the reference backend's defects use it).
    pub fn verify_device_signature_with(
        &self,
        cert_der: &[u8],
        msg: &[u8],
        sig: &[u8],
        at: NaiveDateTime,
        checks: DeviceChecks,
    ) -> Result<ReaderIdentity, VerifyError> {
        let device = self.device(cert_der, checks.chain)?;
        let id = &device.identity;
        if checks.validity {
            if at < id.not_before {
                return Err(VerifyError::NotYetValid {
                    not_before: id.not_before,
                    at,
                });
            }
            if at > id.not_after {
                return Err(VerifyError::Expired {
                    not_after: id.not_after,
                    at,
                });
            }
        }
        if checks.message {
            UnparsedPublicKey::new(&ED25519, &device.public_key)
                .verify(msg, sig)
                .map_err(|_| VerifyError::MessageSignatureInvalid)?;
        }
        Ok(id.clone())
    }

    /// The device certificate `cert_der`, its chain to this CA checked (once per
    /// distinct certificate; failures are not remembered).
    /// Without `chain`, the certificate is only parsed (and not remembered).
    fn device(&self, cert_der: &[u8], chain: bool) -> Result<Arc<VerifiedDevice>, VerifyError> {
        let known = self
            .verified
            .read()
            .ok()
            .and_then(|m| m.get(cert_der).cloned());
        if let Some(device) = known {
            return Ok(device);
        }
        let cert = parse_cert(cert_der)?;
        if chain {
            self.ca.check_issued(&cert)?;
        }
        let spki = cert.public_key();
        let key_alg = spki.algorithm.algorithm.to_id_string();
        if key_alg != OID_ED25519 {
            return Err(VerifyError::UnsupportedKey(format!(
                "device key algorithm {key_alg}, expected Ed25519"
            )));
        }
        let missing =
            |what: &str| CertError::Malformed(format!("device certificate has no {what}"));
        let device = Arc::new(VerifiedDevice {
            identity: ReaderIdentity {
                reader_id: name_attr(cert.subject(), OID_CN)
                    .ok_or_else(|| missing("CN (reader id)"))?,
                facility_code: name_attr(cert.subject(), OID_OU)
                    .ok_or_else(|| missing("OU (facility code)"))?,
                serial: crate::pki::der::serial_to_u64(cert.raw_serial()),
                not_before: cert_time(cert.validity().not_before)?,
                not_after: cert_time(cert.validity().not_after)?,
            },
            public_key: spki.subject_public_key.data.to_vec(),
        });
        if !chain {
            return Ok(device);
        }
        if let Ok(mut m) = self.verified.write() {
            if m.len() >= VERIFIED_DEVICES {
                m.clear();
            }
            m.insert(cert_der.to_vec(), Arc::clone(&device));
        }
        Ok(device)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::CertInfo;
    use crate::pki::testutil::{TEST_SEED, dt};

    fn device(ca: &ReaderCa) -> ReaderCredential {
        ca.issue_device("RDR-0001", "1312345678", dt(2025, 1, 1), dt(2027, 1, 1))
            .expect("device")
    }

    #[test]
    fn attestation_verifies() {
        let ca = ReaderCa::generate(TEST_SEED).expect("ca");
        let dev = device(&ca);
        let msg = br#"{"result":"face-match","session":"abc"}"#;
        let sig = dev.sign(msg);
        assert_eq!(sig.len(), 64);
        let id = ca
            .verify_device_signature(&dev.cert_der, msg, &sig, dt(2026, 1, 1))
            .expect("verifies");
        assert_eq!(id.reader_id, "RDR-0001");
        assert_eq!(id.facility_code, "1312345678");
        assert_eq!(id.not_after, dt(2027, 1, 1));
        let info = CertInfo::parse(&dev.cert_der).expect("parse");
        assert_eq!(info.public_key, "Ed25519");
        assert_eq!(info.signature_algorithm, "Ed25519");
        assert_eq!(info.serial, id.serial);
        assert!(dev.cert_der.starts_with(&[0x30, 0x82]));
    }

    /// A device certificate seen before is not trusted blindly: its window and
    /// every attestation signature are still checked, and a certificate that
    /// failed is checked again (not remembered).
    #[test]
    fn remembered_devices_are_still_checked() {
        let ca = ReaderCa::generate(TEST_SEED).expect("ca");
        let dev = device(&ca);
        let msg = b"attested result";
        let sig = dev.sign(msg);
        let at = dt(2026, 1, 1);
        let first = ca.verify_device_signature(&dev.cert_der, msg, &sig, at);
        assert_eq!(
            ca.verify_device_signature(&dev.cert_der, msg, &sig, at),
            first
        );
        assert!(first.is_ok());
        assert_eq!(
            ca.verify_device_signature(&dev.cert_der, b"another result", &sig, at),
            Err(VerifyError::MessageSignatureInvalid)
        );
        assert!(matches!(
            ca.verify_device_signature(&dev.cert_der, msg, &sig, dt(2027, 1, 2)),
            Err(VerifyError::Expired { .. })
        ));
        let mut forged = dev.cert_der.to_vec();
        let last = forged.len() - 1;
        forged[last] ^= 1;
        for _ in 0..2 {
            assert_eq!(
                ca.verify_device_signature(&forged, msg, &sig, at),
                Err(VerifyError::SignatureInvalid)
            );
        }
    }

    #[test]
    fn deterministic() {
        let a = ReaderCa::generate(TEST_SEED).expect("ca");
        let b = ReaderCa::generate(TEST_SEED).expect("ca");
        assert_eq!(a.cert_der(), b.cert_der());
        let (da, db) = (device(&a), device(&b));
        assert_eq!(da.cert_der, db.cert_der);
        assert_eq!(da.sign(b"m"), db.sign(b"m"));
        let other = a
            .issue_device("RDR-0002", "1312345678", dt(2025, 1, 1), dt(2027, 1, 1))
            .expect("device");
        assert_ne!(other.key.public_key(), da.key.public_key());
        assert_ne!(
            ReaderCa::generate(TEST_SEED + 1).expect("ca").public_key(),
            a.public_key()
        );
    }

    #[test]
    fn rejections() {
        let ca = ReaderCa::generate(TEST_SEED).expect("ca");
        let dev = device(&ca);
        let msg = b"attested result";
        let sig = dev.sign(msg);
        let at = dt(2026, 1, 1);
        // Device from another CA (same DN, different key).
        let other_ca = ReaderCa::generate(TEST_SEED + 1).expect("ca");
        let foreign = device(&other_ca);
        assert_eq!(
            ca.verify_device_signature(&foreign.cert_der, msg, &foreign.sign(msg), at),
            Err(VerifyError::NotIssuedByRoot)
        );
        // Expired / not yet valid.
        assert!(matches!(
            ca.verify_device_signature(&dev.cert_der, msg, &sig, dt(2027, 1, 2)),
            Err(VerifyError::Expired { .. })
        ));
        assert!(matches!(
            ca.verify_device_signature(&dev.cert_der, msg, &sig, dt(2024, 12, 31)),
            Err(VerifyError::NotYetValid { .. })
        ));
        // Tampered message and signature.
        assert_eq!(
            ca.verify_device_signature(&dev.cert_der, b"attested resulT", &sig, at),
            Err(VerifyError::MessageSignatureInvalid)
        );
        let mut bad_sig = sig.clone();
        bad_sig[0] ^= 1;
        assert_eq!(
            ca.verify_device_signature(&dev.cert_der, msg, &bad_sig, at),
            Err(VerifyError::MessageSignatureInvalid)
        );
        // Tampered certificate (reader id changed) and its signature.
        let pos = dev
            .cert_der
            .windows(8)
            .position(|w| w == b"RDR-0001")
            .expect("cn");
        let mut forged = dev.cert_der.to_vec();
        forged[pos + 7] = b'9';
        assert_eq!(
            ca.verify_device_signature(&forged, msg, &sig, at),
            Err(VerifyError::SignatureInvalid)
        );
        // Garbage.
        assert!(matches!(
            ca.verify_device_signature(&dev.cert_der[..40], msg, &sig, at),
            Err(VerifyError::Malformed(_))
        ));
        // Input validation.
        assert!(matches!(
            ca.issue_device("", "1", dt(2025, 1, 1), dt(2026, 1, 1)),
            Err(ReaderError::Issue(IssueError::EmptyField("reader_id")))
        ));
        assert!(matches!(
            ca.issue_device("R", "1", dt(2026, 1, 1), dt(2025, 1, 1)),
            Err(ReaderError::Issue(IssueError::InvalidValidity { .. }))
        ));
    }
}
