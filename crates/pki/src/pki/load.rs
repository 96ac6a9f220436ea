//! The **load** user-authentication root: an Ed25519 CA that issues
//! user-authentication certificates (利用者証明用電子証明書 look-alikes) for the
//! generated members of a large population.
//!
//! # ⚠ LOAD-TEST SIMPLIFICATION ⚠
//!
//! Real 利用者証明用電子証明書 are signed by J-LIS with RSA, and onshi's
//! conformance personas always get theirs from the RSA test JPKI root
//! ([`TestPki`](crate::pki::TestPki), [`CaKind::Auth`](crate::pki::CaKind::Auth)).
//! Issuing a million RSA-signed certificates costs about a millisecond each;
//! this root signs with Ed25519 instead, so issuing one costs tens of
//! microseconds and a population of millions can hand out distinct
//! certificates on demand. The *subject* keys are still RSA-2048 (from a
//! [`KeyPool`](crate::pki::KeyPool)), so the card-signature check a backend
//! performs is exactly the one it performs for personas; only the chain
//! signature differs (Ed25519 instead of sha256WithRSAEncryption).
//!
//! The root's name says so (`OU=onshi LOAD-TEST CA (Ed25519, not J-LIS)`), and
//! a backend that wants to accept population certificates must trust this
//! root explicitly, next to the JPKI test root. Never use it for conformance
//! personas or in reports that claim JPKI fidelity.

use std::fmt;

use rcgen::{CertificateParams, SerialNumber};
use x509_parser::certificate::X509Certificate;

use crate::pki::ca::{CaKind, RsaSubject, root_dn, root_validity};
use crate::pki::cert::{AuthCertRequest, IssueError, auth_params};
use crate::pki::der::{Der, to_offset};
use crate::pki::inspect::{CertInfo, VerifyError, parse_cert};
use crate::pki::reader::{EdCa, EdSigner, ReaderError, ReaderKey};

/// The label the root key derives from (with the seed).
const ROOT_LABEL: &str = "load-auth-root";

/// The second OU of the root's name, marking it as a load-test root.
pub const LOAD_ROOT_MARK: &str = "onshi LOAD-TEST CA (Ed25519, not J-LIS)";

/// The Ed25519 load-test user-authentication root. See the module docs for
/// why it exists and where it must not be used.
pub struct LoadAuthRoot {
    seed: u64,
    ca: EdCa,
}

impl fmt::Debug for LoadAuthRoot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoadAuthRoot")
            .field("seed", &self.seed)
            .field("cert_der", &self.ca.cert_der)
            .finish_non_exhaustive()
    }
}

impl LoadAuthRoot {
    /// The root for `seed`: key from SHA-256(seed || "load-auth-root"), a
    /// self-signed certificate `C=JP, O=JPKI, OU=JPKI for user
    /// authentication, OU=onshi LOAD-TEST CA (Ed25519, not J-LIS)`, valid
    /// 2014-01-01 .. 2049-12-31 (as the JPKI test roots). Takes well under a
    /// millisecond.
    pub fn generate(seed: u64) -> Result<Self, ReaderError> {
        let signer = EdSigner(ReaderKey::derive(seed, ROOT_LABEL)?);
        let (nb, na) = root_validity();
        let mut params = CertificateParams::default();
        params.distinguished_name = root_dn(CaKind::Auth, LOAD_ROOT_MARK);
        params.serial_number = Some(SerialNumber::from(3u64));
        params.not_before = to_offset(nb).ok_or(IssueError::TimeOutOfRange(nb))?;
        params.not_after = to_offset(na).ok_or(IssueError::TimeOutOfRange(na))?;
        Ok(Self {
            seed,
            ca: EdCa::self_signed(params, signer)?,
        })
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The self-signed root certificate (DER).
    pub fn cert_der(&self) -> &Der {
        &self.ca.cert_der
    }

    /// DER of the root's subject name (= issuer name of what it issues).
    pub fn subject_der(&self) -> &[u8] {
        &self.ca.subject_raw
    }

    /// Issues a user-authentication certificate exactly like
    /// [`TestPki::issue_auth_cert`](crate::pki::TestPki::issue_auth_cert)
    /// (same subject layout, key usages and extensions, RSA subject key) but
    /// signed with this root's Ed25519 key.
    pub fn issue_auth_cert(&self, req: &AuthCertRequest<'_>) -> Result<Der, IssueError> {
        let cert = auth_params(req)?.signed_by(&RsaSubject(req.key), &self.ca.issuer)?;
        Ok(Der::new(cert.der().to_vec()))
    }

    /// Checks a parsed certificate was issued by this root: issuer name,
    /// authority key identifier and the Ed25519 signature over the TBS bytes.
    pub fn check_issued(&self, cert: &X509Certificate<'_>) -> Result<(), VerifyError> {
        self.ca.check_issued(cert)
    }

    /// Verifies that `cert_der` was issued by this root (validity dates are
    /// not checked) and summarises it.
    pub fn verify_issued(&self, cert_der: &[u8]) -> Result<CertInfo, VerifyError> {
        let cert = parse_cert(cert_der)?;
        self.check_issued(&cert)?;
        CertInfo::from_parsed(&cert, cert_der).map_err(VerifyError::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::testutil::{TEST_SEED, dt, subject_key, test_pki};
    use crate::pki::{HashAlg, verify_pkcs1};

    fn request(serial: u64, key: &crate::pki::RsaKey) -> AuthCertRequest<'_> {
        AuthCertRequest {
            serial,
            not_before: dt(2025, 1, 1),
            not_after: dt(2030, 1, 1),
            key,
            subject_id: format!("{serial:016X}"),
        }
    }

    #[test]
    fn issues_and_verifies_deterministically() {
        let root = LoadAuthRoot::generate(TEST_SEED).expect("root");
        let again = LoadAuthRoot::generate(TEST_SEED).expect("root");
        assert_eq!(root.cert_der(), again.cert_der());
        let key = subject_key();
        let der = root.issue_auth_cert(&request(42, &key)).expect("issue");
        assert_eq!(der, again.issue_auth_cert(&request(42, &key)).unwrap());
        let info = root.verify_issued(&der).expect("verifies");
        assert_eq!(info.serial, Some(42));
        assert_eq!(info.signature_algorithm, "Ed25519");
        assert_eq!(info.public_key, "RSA 2048 bit");
        assert!(info.issuer.contains(LOAD_ROOT_MARK), "{}", info.issuer);
        // The RSA subject key signs exactly as a card does.
        let msg = b"challenge";
        let sig = key
            .sign_digest_info(&HashAlg::Sha256.digest_info(msg))
            .unwrap();
        verify_pkcs1(&der, msg, &sig, HashAlg::Sha256).expect("card signature");
    }

    #[test]
    fn roots_do_not_accept_each_other() {
        let root = LoadAuthRoot::generate(TEST_SEED).expect("root");
        let key = subject_key();
        let load_cert = root.issue_auth_cert(&request(7, &key)).unwrap();
        assert_eq!(
            test_pki()
                .verify_issued(CaKind::Auth, &load_cert)
                .unwrap_err(),
            VerifyError::NotIssuedByRoot
        );
        let jpki_cert = crate::pki::testutil::sample_auth_cert();
        assert_eq!(
            root.verify_issued(&jpki_cert).unwrap_err(),
            VerifyError::NotIssuedByRoot
        );
        let other = LoadAuthRoot::generate(TEST_SEED + 1).expect("root");
        let foreign = other.issue_auth_cert(&request(7, &key)).unwrap();
        assert!(matches!(
            root.verify_issued(&foreign),
            Err(VerifyError::NotIssuedByRoot | VerifyError::SignatureInvalid)
        ));
        // A flipped byte in the signature.
        let mut forged = load_cert.to_vec();
        let last = forged.len() - 1;
        forged[last] ^= 1;
        assert_eq!(
            root.verify_issued(&forged).unwrap_err(),
            VerifyError::SignatureInvalid
        );
    }

    #[test]
    fn issuing_is_cheap() {
        let root = LoadAuthRoot::generate(TEST_SEED).expect("root");
        let key = subject_key();
        let start = std::time::Instant::now();
        for i in 0..200 {
            root.issue_auth_cert(&request(1000 + i, &key)).unwrap();
        }
        // Generous bound for debug builds on a loaded machine; the release
        // figure is in docs/benchmarks.md.
        assert!(start.elapsed().as_secs_f64() < 5.0);
    }
}
