//! Authentication a backend must refuse (the `SEC-…` requirements): card confirmations
//! whose signature, certificate or reader attestation is forged, built from a fresh
//! challenge of the backend under test. Each [`Attempt`] names the code the reference
//! backend refuses it with; a backend that skips the check answers with the person's
//! record instead, and the scenario fails.
//!
//! The forgeries need keys nobody trusts: another JPKI test hierarchy and another
//! reader CA, both derived from the run's seed ([`Strangers`], made once per run).

use std::sync::Arc;

use chrono::{Duration, NaiveDateTime};

use super::env::{Env, FACILITY_CODE, READER_ID};
use onshi_domain::message::MedicalInstitutionCode;
use onshi_domain::protocol::ResultCode;
use onshi_domain::protocol::wire::{
    AuthMethod, Base64Bytes, CardAuthentication, CardConfirmationRequest, ReaderAttestation,
};
use onshi_domain::rules::RuleId;
use onshi_pki::pki::{
    self, AuthCertRequest, Der, HashAlg, KeyCache, ReaderCa, ReaderCredential, TestPki,
};
use onshi_world::persona::ResolvedPersona;

/// One request a backend must refuse, or (for an expired certificate) an honest one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// PIN path, honestly signed: refused only for what the certificate is.
    HonestPin,
    /// PIN path signed by another card's key.
    SignatureByAnotherKey,
    /// PIN path with the card's signature over another nonce.
    SignatureOverAnotherNonce,
    /// A certificate signed by the card's own key.
    SelfSignedCertificate,
    /// A certificate issued by another root with the JPKI root's name.
    CertificateFromAnotherRoot,
    /// The issued certificate with a byte of its subject changed.
    CertificateAlteredAfterIssue,
    /// Face path attested by a device another CA certified.
    UnknownReader,
    /// Face path attested by a device of another facility.
    ReaderOfAnotherFacility,
    /// Face path attested by a device whose certificate expired.
    ExpiredReader,
    /// An attestation over another nonce.
    AttestationOverAnotherNonce,
    /// An attestation over another card's certificate.
    AttestationOverAnotherCertificate,
    /// An attestation of 目視確認 sent as 顔認証.
    AttestationForAnotherMethod,
    /// An honest PIN-path request with a challenge issued for another facility.
    ChallengeOfAnotherFacility,
    /// An honest PIN-path request sent after its challenge expired.
    ExpiredChallenge,
}

impl Attempt {
    /// Every attempt with its Gherkin label (`カードリーダーが…を送る`).
    pub const LABELS: &'static [(Attempt, &'static str)] = &[
        (Self::HonestPin, "暗証番号方式の確認"),
        (
            Self::SignatureByAnotherKey,
            "別のカードの鍵で署名した暗証番号方式の確認",
        ),
        (
            Self::SignatureOverAnotherNonce,
            "別のチャレンジへの署名を付けた暗証番号方式の確認",
        ),
        (
            Self::SelfSignedCertificate,
            "カードの鍵で自己署名した証明書での確認",
        ),
        (
            Self::CertificateFromAnotherRoot,
            "別のルート認証局が発行した証明書での確認",
        ),
        (
            Self::CertificateAlteredAfterIssue,
            "発行後に書き換えた証明書での確認",
        ),
        (
            Self::UnknownReader,
            "認証局の知らない端末が証明した顔認証の確認",
        ),
        (
            Self::ReaderOfAnotherFacility,
            "他の医療機関の端末が証明した顔認証の確認",
        ),
        (
            Self::ExpiredReader,
            "端末証明書の有効期限が切れた端末が証明した顔認証の確認",
        ),
        (
            Self::AttestationOverAnotherNonce,
            "別のチャレンジに対する端末の証明を付けた顔認証の確認",
        ),
        (
            Self::AttestationOverAnotherCertificate,
            "別のカードの証明書に対する端末の証明を付けた顔認証の確認",
        ),
        (
            Self::AttestationForAnotherMethod,
            "目視確認の証明を付けた顔認証の確認",
        ),
        (
            Self::ChallengeOfAnotherFacility,
            "他の医療機関に発行されたチャレンジでの暗証番号方式の確認",
        ),
        (
            Self::ExpiredChallenge,
            "有効期限の過ぎたチャレンジでの暗証番号方式の確認",
        ),
    ];

    /// The facility whose challenge the attempt uses: another one for
    /// [`Attempt::ChallengeOfAnotherFacility`], else the run's.
    pub fn challenge_facility(self, env: &Env) -> MedicalInstitutionCode {
        match self {
            Self::ChallengeOfAnotherFacility => MedicalInstitutionCode::parse(OTHER_FACILITY)
                .unwrap_or_else(|_| env.reader.facility.clone()),
            _ => env.reader.facility.clone(),
        }
    }

    /// The attempt a label names.
    pub fn from_label(label: &str) -> Option<Self> {
        Self::LABELS
            .iter()
            .find(|(_, l)| *l == label)
            .map(|(a, _)| *a)
    }

    /// The label.
    pub fn label(self) -> &'static str {
        Self::LABELS
            .iter()
            .find(|(a, _)| *a == self)
            .map_or("", |(_, l)| l)
    }

    /// The requirement the attempt tests (`None` for the honest request, whose refusal
    /// belongs to the persona's scenario).
    pub fn requirement(self) -> Option<RuleId> {
        Some(match self {
            Self::HonestPin => return None,
            Self::SignatureByAnotherKey | Self::SignatureOverAnotherNonce => {
                RuleId::SecPinSignature
            }
            Self::SelfSignedCertificate | Self::CertificateFromAnotherRoot => RuleId::SecCertIssuer,
            Self::CertificateAlteredAfterIssue => RuleId::SecCertSignature,
            Self::UnknownReader => RuleId::SecReaderChain,
            Self::ReaderOfAnotherFacility => RuleId::SecReaderFacility,
            Self::ExpiredReader => RuleId::SecReaderExpired,
            Self::AttestationOverAnotherNonce
            | Self::AttestationOverAnotherCertificate
            | Self::AttestationForAnotherMethod => RuleId::SecAttestation,
            Self::ChallengeOfAnotherFacility => RuleId::SecChallengeFacility,
            Self::ExpiredChallenge => RuleId::SecChallengeExpired,
        })
    }

    fn method(self) -> AuthMethod {
        match self {
            Self::UnknownReader
            | Self::ReaderOfAnotherFacility
            | Self::ExpiredReader
            | Self::AttestationOverAnotherNonce
            | Self::AttestationOverAnotherCertificate
            | Self::AttestationForAnotherMethod => AuthMethod::Face,
            _ => AuthMethod::Pin,
        }
    }
}

/// Keys nobody trusts: another JPKI test hierarchy and another reader CA.
#[derive(Debug)]
pub struct Strangers {
    pki: TestPki,
    readers: ReaderCa,
}

impl Strangers {
    /// Derived from `seed` (never the run's own roots); the root keys go through the
    /// run's key cache like the cards' (generated once per machine).
    fn new(seed: u64, keys: &KeyCache) -> Result<Self, String> {
        let other = seed ^ 0x5EC0_5EC0_5EC0_5EC0;
        Ok(Self {
            pki: TestPki::generate_with_cache(other, keys).map_err(|e| e.to_string())?,
            readers: ReaderCa::generate(other).map_err(|e| e.to_string())?,
        })
    }
}

/// What a forged request is made of: the run's environment, the patient, the nonce
/// the backend just issued and a nonce it did not.
#[derive(Debug)]
pub struct Materials<'a> {
    /// The run.
    pub env: &'a Env,
    /// The patient.
    pub persona: &'a ResolvedPersona,
    /// Another patient (another card's key and certificate).
    pub other: &'a ResolvedPersona,
    /// The fresh challenge.
    pub nonce: Vec<u8>,
    /// The visit time.
    pub now: NaiveDateTime,
}

/// Makes the run's strangers (their root keys may take seconds to generate on a cold
/// key cache): called before a challenge is requested, so a short-lived challenge
/// never expires while keys are made.
pub fn prepare(env: &Env) -> Result<&Strangers, String> {
    if let Some(s) = env.strangers.get() {
        return Ok(s);
    }
    let made = Strangers::new(env.seed, env.factory.keys())?;
    Ok(env.strangers.get_or_init(|| made))
}

impl Materials<'_> {
    fn strangers(&self) -> Result<&Strangers, String> {
        prepare(self.env)
    }

    fn card_cert(&self, p: &ResolvedPersona) -> Result<Der, String> {
        self.env
            .cards
            .get(&p.id)
            .map(|c| c.auth_cert.clone())
            .ok_or_else(|| format!("no card for {}", p.id))
    }

    /// The card's certificate as `attempt` presents it.
    fn certificate(&self, attempt: Attempt) -> Result<Der, String> {
        let issued = self.card_cert(self.persona)?;
        let cert = &self.persona.card.certificate;
        let key = self
            .env
            .factory
            .auth_key(self.persona)
            .map_err(|e| e.to_string())?;
        let (nb, na) = pki::card_validity(cert.issued_at, cert.expires_on);
        let req = AuthCertRequest::for_card(cert.serial, nb, na, &key);
        match attempt {
            Attempt::SelfSignedCertificate => {
                pki::forge::self_signed_auth_cert(&req, Arc::clone(&key)).map_err(|e| e.to_string())
            }
            Attempt::CertificateFromAnotherRoot => self
                .strangers()?
                .pki
                .issue_auth_cert(&req)
                .map_err(|e| e.to_string()),
            Attempt::CertificateAlteredAfterIssue => pki::forge::tamper(issued.as_bytes())
                .ok_or_else(|| "the certificate's subject cannot be altered".to_owned()),
            _ => Ok(issued),
        }
    }

    /// The device credential that attests.
    fn device(&self, attempt: Attempt) -> Result<Arc<ReaderCredential>, String> {
        let own = &self.env.trust.readers;
        let (nb, na) = (
            self.now - Duration::days(365),
            self.now + Duration::days(365),
        );
        let issued = match attempt {
            Attempt::UnknownReader => {
                self.strangers()?
                    .readers
                    .issue_device(READER_ID, FACILITY_CODE, nb, na)
            }
            Attempt::ReaderOfAnotherFacility => {
                own.issue_device("onshi-other-clinic-reader", OTHER_FACILITY, nb, na)
            }
            Attempt::ExpiredReader => own.issue_device(
                READER_ID,
                FACILITY_CODE,
                self.now - Duration::days(800),
                self.now - Duration::days(400),
            ),
            _ => return Ok(Arc::clone(&self.env.reader.credential)),
        };
        issued.map(Arc::new).map_err(|e| e.to_string())
    }

    fn facility(&self) -> MedicalInstitutionCode {
        self.env.reader.facility.clone()
    }

    /// The request `attempt` sends.
    pub fn request(&self, attempt: Attempt) -> Result<CardConfirmationRequest, String> {
        let cert = self.certificate(attempt)?;
        let card = match attempt.method() {
            AuthMethod::Pin => self.pin_evidence(attempt, &cert)?,
            method => self.attested(attempt, &cert, method)?,
        };
        Ok(CardConfirmationRequest {
            medical_institution_code: self.facility(),
            arbitrary_file_identifier: None,
            confirmation_time: Some(self.now),
            card,
            consents: Default::default(),
            care_setting: Default::default(),
            prescription_issue_select: None,
        })
    }

    fn pin_evidence(&self, attempt: Attempt, cert: &Der) -> Result<CardAuthentication, String> {
        let (signer, signed) = match attempt {
            Attempt::SignatureByAnotherKey => (self.other, self.nonce.clone()),
            Attempt::SignatureOverAnotherNonce => (self.persona, another_nonce(&self.nonce)),
            _ => (self.persona, self.nonce.clone()),
        };
        let key = self
            .env
            .cards
            .get(&signer.id)
            .map(|c| Arc::clone(&c.profile.auth_key))
            .ok_or_else(|| format!("no card for {}", signer.id))?;
        let di = HashAlg::Sha256.digest_info(&signed);
        let signature = key.sign_padded(&di).map_err(|e| e.to_string())?;
        Ok(CardAuthentication::pin(
            cert.as_bytes(),
            self.nonce.clone(),
            signature,
            3,
        ))
    }

    fn attested(
        &self,
        attempt: Attempt,
        cert: &Der,
        method: AuthMethod,
    ) -> Result<CardAuthentication, String> {
        let device = self.device(attempt)?;
        let other_cert;
        let (nonce, attested_cert, attested_method) = match attempt {
            Attempt::AttestationOverAnotherNonce => (another_nonce(&self.nonce), cert, method),
            Attempt::AttestationOverAnotherCertificate => {
                other_cert = self.card_cert(self.other)?;
                (self.nonce.clone(), &other_cert, method)
            }
            Attempt::AttestationForAnotherMethod => (self.nonce.clone(), cert, AuthMethod::Visual),
            _ => (self.nonce.clone(), cert, method),
        };
        let attestation = ReaderAttestation::sign(
            &device,
            &nonce,
            attested_cert.as_bytes(),
            attested_method,
            &self.facility(),
        );
        Ok(CardAuthentication {
            auth_certificate: Base64Bytes(cert.to_vec()),
            nonce: Base64Bytes(self.nonce.clone()),
            method,
            card_signature: None,
            pin_tries_before_verify: None,
            attestation: Some(attestation),
        })
    }
}

/// A facility code no scenario uses (東京都, 医科).
const OTHER_FACILITY: &str = "1319999999";

/// A nonce the backend did not issue: `nonce` with every byte inverted.
fn another_nonce(nonce: &[u8]) -> Vec<u8> {
    nonce.iter().map(|b| !b).collect()
}

/// The code the reference backend refuses `attempt` with, for the report's evidence
/// (the scenario states the code it expects).
pub fn reference_code(attempt: Attempt) -> Option<ResultCode> {
    Some(match attempt {
        Attempt::HonestPin => return None,
        Attempt::SignatureByAnotherKey | Attempt::SignatureOverAnotherNonce => {
            ResultCode::SignatureInvalid
        }
        Attempt::SelfSignedCertificate | Attempt::CertificateFromAnotherRoot => {
            ResultCode::CertificateUnknownIssuer
        }
        Attempt::CertificateAlteredAfterIssue => ResultCode::CertificateForged,
        Attempt::UnknownReader => ResultCode::ReaderUnknown,
        Attempt::ReaderOfAnotherFacility => ResultCode::ReaderFacilityMismatch,
        Attempt::ExpiredReader => ResultCode::ReaderCertificateExpired,
        Attempt::AttestationOverAnotherNonce
        | Attempt::AttestationOverAnotherCertificate
        | Attempt::AttestationForAnotherMethod => ResultCode::AttestationInvalid,
        Attempt::ChallengeOfAnotherFacility => ResultCode::ChallengeFacilityMismatch,
        Attempt::ExpiredChallenge => ResultCode::ChallengeExpired,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip_and_every_forgery_names_a_requirement() {
        for (a, l) in Attempt::LABELS {
            assert_eq!(Attempt::from_label(l), Some(*a));
            assert_eq!(a.label(), *l);
            assert_eq!(a.requirement().is_some(), *a != Attempt::HonestPin);
            assert_eq!(reference_code(*a).is_some(), *a != Attempt::HonestPin);
        }
        assert_eq!(Attempt::from_label("何か"), None);
        assert_ne!(another_nonce(&[1, 2]), vec![1, 2]);
    }
}
