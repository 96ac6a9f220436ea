//! Certificate revocation lists (失効リスト) signed by the test roots, and a
//! plain in-memory [`RevocationList`] for fast lookups.

use std::collections::BTreeSet;

use aws_lc_rs::signature::{self as aws_sig, UnparsedPublicKey};
use chrono::NaiveDateTime;
use rcgen::{
    CertificateRevocationListParams, KeyIdMethod, RevocationReason, RevokedCertParams, SerialNumber,
};
use x509_parser::revocation_list::CertificateRevocationList;

use crate::pki::ca::{CaKind, TestPki};
use crate::pki::der::{Der, hex, serial_to_u64, to_offset, window};
use crate::pki::inspect::{OID_SHA256_WITH_RSA, cert_time, names_other_key};

/// Errors from building, parsing or verifying a CRL.
#[derive(Debug, thiserror::Error)]
pub enum CrlError {
    /// `next_update` is not after `this_update`.
    #[error("next update ({next_update}) must be after this update ({this_update})")]
    InvalidUpdateWindow {
        /// Requested this-update.
        this_update: NaiveDateTime,
        /// Requested next-update.
        next_update: NaiveDateTime,
    },
    /// A time that cannot be encoded.
    #[error("time {0} cannot be encoded")]
    TimeOutOfRange(NaiveDateTime),
    /// rcgen failed to build or sign the CRL.
    #[error("CRL construction failed: {0}")]
    Rcgen(#[from] rcgen::Error),
    /// Not a DER CRL.
    #[error("malformed CRL: {0}")]
    Malformed(String),
    /// A revoked serial number does not fit in `u64`.
    #[error("revoked serial 0x{0} does not fit in 64 bits")]
    SerialTooLarge(String),
    /// Issuer name or authority key identifier is not the expected root's.
    #[error("CRL was not issued by the expected root CA")]
    NotIssuedByRoot,
    /// Signature algorithm other than sha256WithRSAEncryption.
    #[error("unsupported CRL signature algorithm {0}")]
    UnsupportedAlgorithm(String),
    /// The CRL signature does not verify.
    #[error("CRL signature does not verify")]
    SignatureInvalid,
}

/// A set of revoked serial numbers, for O(log n) "is this card revoked?"
/// checks without touching DER.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RevocationList {
    serials: BTreeSet<u64>,
}

impl RevocationList {
    /// Empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// From serial numbers.
    pub fn from_serials(serials: impl IntoIterator<Item = u64>) -> Self {
        RevocationList {
            serials: serials.into_iter().collect(),
        }
    }

    /// Adds a serial; `true` if it was not there.
    pub fn insert(&mut self, serial: u64) -> bool {
        self.serials.insert(serial)
    }

    /// Removes a serial; `true` if it was there.
    pub fn remove(&mut self, serial: u64) -> bool {
        self.serials.remove(&serial)
    }

    /// Whether `serial` is revoked.
    pub fn contains(&self, serial: u64) -> bool {
        self.serials.contains(&serial)
    }

    /// Number of revoked serials.
    pub fn len(&self) -> usize {
        self.serials.len()
    }

    /// Whether nothing is revoked.
    pub fn is_empty(&self) -> bool {
        self.serials.is_empty()
    }

    /// Revoked serials in ascending order.
    pub fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        self.serials.iter().copied()
    }

    /// Reads the revoked serials of a DER CRL **without** checking its
    /// signature (use [`TestPki::verify_crl`] for that).
    pub fn parse_crl(der: &[u8]) -> Result<Self, CrlError> {
        Self::from_parsed(&parse_der(der)?)
    }

    fn from_parsed(crl: &CertificateRevocationList<'_>) -> Result<Self, CrlError> {
        let mut list = RevocationList::new();
        for revoked in crl.iter_revoked_certificates() {
            let raw = revoked.raw_serial();
            list.insert(serial_to_u64(raw).ok_or_else(|| CrlError::SerialTooLarge(hex(raw)))?);
        }
        Ok(list)
    }
}

/// Parses a DER CRL, rejecting trailing bytes.
fn parse_der(der: &[u8]) -> Result<CertificateRevocationList<'_>, CrlError> {
    let (rest, crl) =
        x509_parser::parse_x509_crl(der).map_err(|e| CrlError::Malformed(e.to_string()))?;
    if !rest.is_empty() {
        return Err(CrlError::Malformed(format!(
            "{} trailing bytes",
            rest.len()
        )));
    }
    Ok(crl)
}

impl TestPki {
    /// Builds a CRL signed by the `kind` root listing `revoked` as
    /// `(serial, revocation time)` pairs (reason keyCompromise is not set;
    /// entries carry no reason code). The CRL number is `this_update` as Unix
    /// seconds, so later CRLs have larger numbers. Deterministic.
    pub fn crl(
        &self,
        kind: CaKind,
        revoked: &[(u64, NaiveDateTime)],
        this_update: NaiveDateTime,
        next_update: NaiveDateTime,
    ) -> Result<Der, CrlError> {
        let (this, next) = window(this_update, next_update, CrlError::TimeOutOfRange, || {
            CrlError::InvalidUpdateWindow {
                this_update,
                next_update,
            }
        })?;
        let revoked_certs = revoked
            .iter()
            .map(|&(serial, at)| {
                Ok(RevokedCertParams {
                    serial_number: SerialNumber::from(serial),
                    revocation_time: to_offset(at).ok_or(CrlError::TimeOutOfRange(at))?,
                    reason_code: None::<RevocationReason>,
                    invalidity_date: None,
                })
            })
            .collect::<Result<Vec<_>, CrlError>>()?;
        let root = self.root(kind);
        let params = CertificateRevocationListParams {
            this_update: this,
            next_update: next,
            crl_number: SerialNumber::from(u64::try_from(this.unix_timestamp()).unwrap_or(0)),
            issuing_distribution_point: None,
            revoked_certs,
            key_identifier_method: KeyIdMethod::PreSpecified(root.key_identifier().to_vec()),
        };
        let crl = params.signed_by(root.issuer())?;
        Ok(Der::new(crl.der().to_vec()))
    }

    /// Parses a CRL, checks it was issued by the `kind` root (name, AKI,
    /// sha256WithRSA signature) and returns its revoked serials.
    pub fn verify_crl(&self, kind: CaKind, der: &[u8]) -> Result<RevocationList, CrlError> {
        let crl = parse_der(der)?;
        let root = self.root(kind);
        if crl.issuer().as_raw() != root.subject_der()
            || names_other_key(crl.extensions(), root.key_identifier())
        {
            return Err(CrlError::NotIssuedByRoot);
        }
        let alg = crl.signature_algorithm.algorithm.to_id_string();
        if alg != OID_SHA256_WITH_RSA {
            return Err(CrlError::UnsupportedAlgorithm(alg));
        }
        UnparsedPublicKey::new(
            &aws_sig::RSA_PKCS1_2048_8192_SHA256,
            root.key().public_key_pkcs1_der(),
        )
        .verify(
            crl.tbs_cert_list.as_ref(),
            crl.signature_value.data.as_ref(),
        )
        .map_err(|_| CrlError::SignatureInvalid)?;
        // Reject CRLs whose times cannot be represented.
        cert_time(crl.last_update()).map_err(|e| CrlError::Malformed(e.to_string()))?;
        RevocationList::from_parsed(&crl)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::testutil::{TEST_SEED, dt, test_pki};

    fn sample(kind: CaKind) -> Der {
        test_pki()
            .crl(
                kind,
                &[
                    (5, dt(2025, 3, 1)),
                    (0x1234_5678, dt(2025, 3, 2)),
                    (u64::MAX, dt(2025, 3, 3)),
                ],
                dt(2025, 4, 1),
                dt(2025, 4, 2),
            )
            .expect("crl")
    }

    #[test]
    fn crl_parses_and_lists_serials() {
        let der = sample(CaKind::Auth);
        let (_, crl) = x509_parser::parse_x509_crl(&der).expect("x509-parser parses it");
        let serials: Vec<u64> = crl
            .iter_revoked_certificates()
            .map(|r| serial_to_u64(r.raw_serial()).expect("fits"))
            .collect();
        assert_eq!(serials, vec![5, 0x1234_5678, u64::MAX]);
        assert!(
            crl.issuer()
                .to_string()
                .contains("JPKI for user authentication")
        );
        assert_eq!(
            crl.last_update().timestamp(),
            dt(2025, 4, 1).and_utc().timestamp()
        );
        let list = RevocationList::parse_crl(&der).expect("list");
        assert!(list.contains(5) && list.contains(u64::MAX) && !list.contains(6));
        assert_eq!(list.len(), 3);
        // Deterministic.
        assert_eq!(der, sample(CaKind::Auth));
    }

    #[test]
    fn crl_verification_binds_to_the_right_root() {
        let pki = test_pki();
        let auth = sample(CaKind::Auth);
        let sign = sample(CaKind::Sign);
        assert_eq!(pki.verify_crl(CaKind::Auth, &auth).expect("ok").len(), 3);
        assert_eq!(pki.verify_crl(CaKind::Sign, &sign).expect("ok").len(), 3);
        assert!(matches!(
            pki.verify_crl(CaKind::Sign, &auth),
            Err(CrlError::NotIssuedByRoot)
        ));
        let forger = TestPki::generate(TEST_SEED + 1).expect("pki");
        let forged = forger
            .crl(CaKind::Auth, &[], dt(2025, 4, 1), dt(2025, 4, 2))
            .expect("crl");
        assert!(matches!(
            pki.verify_crl(CaKind::Auth, &forged),
            Err(CrlError::NotIssuedByRoot)
        ));
        let mut tampered = auth.to_vec();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(matches!(
            pki.verify_crl(CaKind::Auth, &tampered),
            Err(CrlError::SignatureInvalid)
        ));
        for len in [0, 1, 10, auth.len() / 2, auth.len() - 1] {
            assert!(RevocationList::parse_crl(&auth[..len]).is_err());
            assert!(pki.verify_crl(CaKind::Auth, &auth[..len]).is_err());
        }
    }

    #[test]
    fn crl_input_validation_and_empty_list() {
        let pki = test_pki();
        assert!(matches!(
            pki.crl(CaKind::Sign, &[], dt(2025, 4, 2), dt(2025, 4, 1)),
            Err(CrlError::InvalidUpdateWindow { .. })
        ));
        let empty = pki
            .crl(CaKind::Sign, &[], dt(2025, 4, 1), dt(2025, 4, 2))
            .expect("crl");
        assert!(pki.verify_crl(CaKind::Sign, &empty).expect("ok").is_empty());
        let mut list = RevocationList::from_serials([3, 1]);
        assert!(list.insert(2) && !list.insert(2) && list.remove(1));
        assert_eq!(list.iter().collect::<Vec<_>>(), vec![2, 3]);
    }
}
