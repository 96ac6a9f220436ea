//! Card authentication: the certificate's chain to a trusted root, the card signature
//! (PIN path) or the reader attestation (face / visual path), the card-session
//! evidence, and the challenge.
//!
//! Everything here is checked **before** the challenge is used, so a forged or
//! malformed request changes nothing.

use std::sync::Arc;

use chrono::{Duration, NaiveDateTime};

use super::defects::{Defect, DefectSet};
use super::engine::EngineError;
use onshi_domain::message::MedicalInstitutionCode;
use onshi_domain::protocol::ResultCode;
use onshi_domain::protocol::Tick;
use onshi_domain::protocol::wire::{AuthMethod, CardAuthentication, attestation_message};
use onshi_pki::pki::inspect::{CertError, VerifyError, parse_cert};
use onshi_pki::pki::{
    CaKind, DeviceChecks, HashAlg, KeyCache, LoadAuthRoot, PkiError, ReaderCa, ReaderError,
    TestPki, verify_pkcs1,
};
use onshi_world::population::{CertificateIssuer, RootKind};

/// The roots the reference backend trusts.
#[derive(Debug, Clone)]
pub struct TrustAnchors {
    /// The test JPKI (its user-authentication root signs persona certificates; a
    /// certificate from its signing root is refused as the wrong kind).
    pub jpki: Arc<TestPki>,
    /// The Ed25519 load-test root of generated persons (a load-test simplification;
    /// `None` = not trusted).
    pub load: Option<Arc<LoadAuthRoot>>,
    /// The reader CA (our model of 特定機関認証).
    pub readers: Arc<ReaderCa>,
}

/// Why the trust anchors could not be made.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    /// The JPKI test hierarchy.
    #[error("test JPKI: {0}")]
    Pki(#[from] PkiError),
    /// The reader CA or load root.
    #[error("Ed25519 CA: {0}")]
    Ed(#[from] ReaderError),
}

impl TrustAnchors {
    /// Every anchor derived from `seed` (the JPKI root keys through `keys`).
    pub fn from_seed(seed: u64, keys: &KeyCache) -> Result<Self, TrustError> {
        Ok(Self {
            jpki: Arc::new(TestPki::generate_with_cache(seed, keys)?),
            load: Some(Arc::new(LoadAuthRoot::generate(seed)?)),
            readers: Arc::new(ReaderCa::generate(seed)?),
        })
    }

    /// A device credential from this reader CA for `reader_id` at `facility_code`,
    /// valid from 2020 to 2040 (for tests and examples that need a trusted reader).
    pub fn long_lived_reader(
        &self,
        reader_id: &str,
        facility_code: &str,
    ) -> Result<onshi_pki::pki::ReaderCredential, ReaderError> {
        let year = |y| {
            chrono::NaiveDate::from_ymd_opt(y, 1, 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .unwrap_or_default()
        };
        self.readers
            .issue_device(reader_id, facility_code, year(2020), year(2040))
    }

    /// Anchors that trust what `issuer` issues (its JPKI test hierarchy and load
    /// root, shared), with the reader CA of the same seed.
    pub fn of_issuer(issuer: &CertificateIssuer) -> Result<Self, TrustError> {
        Ok(Self {
            jpki: Arc::clone(issuer.factory().pki()),
            load: Some(Arc::clone(issuer.load_root())),
            readers: Arc::new(ReaderCa::generate(issuer.factory().seed())?),
        })
    }
}

/// A certificate that chains to a trusted root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifiedCertificate {
    /// Its serial.
    pub serial: u64,
    /// The root.
    pub root: RootKind,
    /// The defect that let it through, if one did.
    pub waived: Option<Defect>,
}

fn chain_error(e: VerifyError) -> EngineError {
    match e {
        VerifyError::Malformed(c) => {
            EngineError::detail(ResultCode::CertificateMalformed, c.to_string())
                .field("card.auth_certificate")
        }
        VerifyError::NotIssuedByRoot => {
            EngineError::new(ResultCode::CertificateUnknownIssuer).field("card.auth_certificate")
        }
        other => EngineError::detail(ResultCode::CertificateForged, other.to_string())
            .field("card.auth_certificate"),
    }
}

impl TrustAnchors {
    /// Checks that `der` is a user-authentication certificate issued by a trusted root
    /// (less what `defects` leave out).
    pub fn verify_certificate(
        &self,
        der: &[u8],
        defects: DefectSet,
    ) -> Result<VerifiedCertificate, EngineError> {
        let cert = parse_cert(der).map_err(|e| chain_error(VerifyError::Malformed(e)))?;
        let issuer = cert.issuer().as_raw();
        let mut waived = None;
        let root = if issuer == self.jpki.root(CaKind::Auth).subject_der() {
            match self.jpki.root(CaKind::Auth).check_issued(&cert) {
                Ok(()) => {}
                Err(VerifyError::SignatureInvalid)
                    if defects.has(Defect::SkipCertificateSignature) =>
                {
                    waived = Some(Defect::SkipCertificateSignature);
                }
                // The root's name, another root's key.
                Err(VerifyError::NotIssuedByRoot) if defects.has(Defect::AcceptUnknownIssuer) => {
                    waived = Some(Defect::AcceptUnknownIssuer);
                }
                Err(e) => return Err(chain_error(e)),
            }
            RootKind::JpkiAuth
        } else if issuer == self.jpki.root(CaKind::Sign).subject_der() {
            return Err(
                EngineError::new(ResultCode::WrongCertificateKind).field("card.auth_certificate")
            );
        } else if let Some(load) = self.load.as_ref().filter(|l| issuer == l.subject_der()) {
            load.check_issued(&cert).map_err(chain_error)?;
            RootKind::LoadAuth
        } else if defects.has(Defect::AcceptUnknownIssuer) {
            waived = Some(Defect::AcceptUnknownIssuer);
            RootKind::JpkiAuth
        } else {
            return Err(chain_error(VerifyError::NotIssuedByRoot));
        };
        let serial = onshi_pki::pki::der::serial_to_u64(cert.raw_serial()).ok_or_else(|| {
            chain_error(VerifyError::Malformed(CertError::Malformed(
                "serial number does not fit 63 bits".into(),
            )))
        })?;
        Ok(VerifiedCertificate {
            serial,
            root,
            waived,
        })
    }

    /// Checks the path's evidence: the card signature (PIN) or the reader attestation
    /// (face / visual), less what `defects` leave out. `now` is JST.
    pub fn verify_evidence(
        &self,
        card: &CardAuthentication,
        facility: &MedicalInstitutionCode,
        now: NaiveDateTime,
        defects: DefectSet,
    ) -> Result<EvidenceOutcome, EngineError> {
        match card.method {
            AuthMethod::Pin => Self::verify_pin_evidence(card, defects),
            AuthMethod::Face | AuthMethod::Visual => {
                let att = card.attestation.as_ref().ok_or_else(|| {
                    EngineError::new(ResultCode::AttestationMissing).field("card.attestation")
                })?;
                self.verify_attestation(card, att, facility, now - Duration::hours(9), defects)
            }
        }
    }

    /// The PIN path: the session was not locked, and the card signed this nonce with
    /// the certificate's key.
    fn verify_pin_evidence(
        card: &CardAuthentication,
        defects: DefectSet,
    ) -> Result<EvidenceOutcome, EngineError> {
        let sig = card.card_signature.as_ref().ok_or_else(|| {
            EngineError::new(ResultCode::SignatureMissing).field("card.card_signature")
        })?;
        let tries = card.pin_tries_before_verify.ok_or_else(|| {
            EngineError::new(ResultCode::PinEvidenceMissing).field("card.pin_tries_before_verify")
        })?;
        let mut outcome = EvidenceOutcome::default();
        if tries == 0 {
            if !defects.has(Defect::IgnoreLockout) {
                return Err(EngineError::new(ResultCode::PinLockedSession)
                    .field("card.pin_tries_before_verify"));
            }
            outcome.waived.push(Defect::IgnoreLockout);
        }
        let verified = verify_pkcs1(
            card.auth_certificate.as_bytes(),
            card.nonce.as_bytes(),
            sig.as_bytes(),
            HashAlg::Sha256,
        );
        match verified {
            Ok(_) => {}
            Err(_) if defects.has(Defect::AcceptAnySignature) => {
                outcome.waived.push(Defect::AcceptAnySignature);
            }
            Err(_) => {
                return Err(
                    EngineError::new(ResultCode::SignatureInvalid).field("card.card_signature")
                );
            }
        }
        Ok(outcome)
    }

    /// The face or visual path: `att` is by a device of this facility, certified by
    /// the reader CA and valid at `utc`, over this nonce, certificate, method and
    /// facility.
    fn verify_attestation(
        &self,
        card: &CardAuthentication,
        att: &onshi_domain::protocol::wire::ReaderAttestation,
        facility: &MedicalInstitutionCode,
        utc: NaiveDateTime,
        defects: DefectSet,
    ) -> Result<EvidenceOutcome, EngineError> {
        let msg = attestation_message(
            card.nonce.as_bytes(),
            card.auth_certificate.as_bytes(),
            card.method,
            facility,
        );
        let checks = DeviceChecks {
            chain: !defects.has(Defect::AcceptUnknownReader),
            validity: !defects.has(Defect::AcceptExpiredReader),
            message: !defects.has(Defect::AcceptAnyAttestation),
        };
        let id = self
            .readers
            .verify_device_signature_with(
                att.reader_certificate.as_bytes(),
                &msg,
                att.signature.as_bytes(),
                utc,
                checks,
            )
            .map_err(|e| match e {
                VerifyError::MessageSignatureInvalid => {
                    EngineError::new(ResultCode::AttestationInvalid)
                        .field("card.attestation.signature")
                }
                VerifyError::Expired { .. } | VerifyError::NotYetValid { .. } => {
                    EngineError::detail(ResultCode::ReaderCertificateExpired, e.to_string())
                        .field("card.attestation.reader_certificate")
                }
                other => EngineError::detail(ResultCode::ReaderUnknown, other.to_string())
                    .field("card.attestation.reader_certificate"),
            })?;
        let mut waived: Vec<Defect> = [
            (checks.chain, Defect::AcceptUnknownReader),
            (checks.validity, Defect::AcceptExpiredReader),
            (checks.message, Defect::AcceptAnyAttestation),
        ]
        .into_iter()
        .filter(|(on, _)| !on)
        .map(|(_, d)| d)
        .collect();
        if id.facility_code != facility.as_str() && defects.has(Defect::IgnoreReaderFacility) {
            waived.push(Defect::IgnoreReaderFacility);
        } else if id.facility_code != facility.as_str() {
            return Err(EngineError::detail(
                ResultCode::ReaderFacilityMismatch,
                format!("reader of {}", id.facility_code),
            )
            .field("medical_institution_code"));
        }
        Ok(EvidenceOutcome {
            waived,
            reader_id: Some(id.reader_id),
        })
    }
}

/// What the evidence check found beyond pass / fail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EvidenceOutcome {
    /// Defects that were switched on and skipped a check (for the audit log). A
    /// defect that is on but had nothing to let through is not listed.
    pub waived: Vec<Defect>,
    /// The attesting reader.
    pub reader_id: Option<String>,
}

/// A request that passed authentication (the challenge is used).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated {
    /// The certificate.
    pub certificate: VerifiedCertificate,
    /// The evidence outcome.
    pub evidence: EvidenceOutcome,
    /// The member the certificate is linked to, if any.
    pub index: Option<u64>,
}

/// The steps of [`super::engine::Engine`]'s authentication, in order: challenge
/// known and fresh, certificate chain, evidence; the caller then looks the member
/// up and uses the challenge.
pub(crate) fn check_challenge_first(
    book: &super::challenge::ChallengeBook,
    card: &CardAuthentication,
    facility: Option<&str>,
    tick: Tick,
    replay_ok: bool,
) -> Result<(), EngineError> {
    book.check_at(card.nonce.as_bytes(), facility, tick, replay_ok)
        .map_err(|code| EngineError::new(code).field("card.nonce"))
}
