//! The authentication defects (`SEC-…`): for each, a forged request the clean engine
//! refuses with its code and the defective engine answers (saying so in the audit).

use std::sync::Arc;

use super::world::*;
use crate::server::Defect as D;
use onshi_domain::codes::QualificationValidity as V;
use onshi_domain::protocol::ResultCode as C;
use onshi_domain::protocol::wire::*;
use onshi_pki::pki::{self, AuthCertRequest, HashAlg, ReaderCa, ReaderCredential};

const WHO: &str = "standard-adult";

/// `nonce` with every byte inverted: a nonce the engine never issued.
fn other(nonce: &[u8]) -> Vec<u8> {
    nonce.iter().map(|b| !b).collect()
}

/// A PIN-path request for `WHO` with `cert` (DER) and its key's signature over `signed`
/// (the issued nonce when `None`).
fn pin_with(w: &World, cert: &[u8], signed: Option<Vec<u8>>) -> CardConfirmationRequest {
    let nonce = w.challenge();
    let key = &w.certificate(WHO).key;
    let data = signed.unwrap_or_else(|| nonce.clone());
    let sig = key
        .sign_digest_info(&HashAlg::Sha256.digest_info(&data))
        .unwrap();
    CardConfirmationRequest::outpatient(
        facility(),
        CardAuthentication::pin(cert, nonce, sig.to_vec(), 3),
    )
}

/// A face-path request for `WHO` attested by `device` over (nonce, cert, method) as
/// `tweak` changes them.
fn face_with(
    w: &World,
    device: &ReaderCredential,
    tweak: impl Fn(&mut Vec<u8>, &mut Vec<u8>, &mut AuthMethod),
) -> CardConfirmationRequest {
    let nonce = w.challenge();
    let cert = w.certificate(WHO).der.to_vec();
    let (mut n, mut c, mut m) = (nonce.clone(), cert.clone(), AuthMethod::Face);
    tweak(&mut n, &mut c, &mut m);
    let attestation = ReaderAttestation::sign(device, &n, &c, m, &facility());
    let mut auth =
        CardAuthentication::attested(&cert, nonce, AuthMethod::Face, &facility(), device);
    auth.attestation = Some(attestation);
    CardConfirmationRequest::outpatient(facility(), auth)
}

fn self_signed(w: &World) -> Vec<u8> {
    let p = w.person(WHO);
    let key = Arc::clone(&w.certificate(WHO).key);
    let c = &p.card.certificate;
    let (nb, na) = pki::card_validity(c.issued_at, c.expires_on);
    let req = AuthCertRequest::for_card(c.serial, nb, na, &key);
    pki::forge::self_signed_auth_cert(&req, Arc::clone(&key))
        .unwrap()
        .to_vec()
}

fn device_at(ca: &ReaderCa, facility_code: &str, from: &str, to: &str) -> ReaderCredential {
    ca.issue_device("RDR-FORGE", facility_code, at(from), at(to))
        .unwrap()
}

/// Builds the forged request of a defect against a world.
type Forge = fn(&World) -> CardConfirmationRequest;

const CASES: &[(D, C, Forge)] = &[
    (D::AcceptAnySignature, C::SignatureInvalid, |w| {
        let nonce = w.challenge();
        pin_with(w, w.certificate(WHO).der.as_bytes(), Some(other(&nonce)))
    }),
    (D::AcceptUnknownIssuer, C::CertificateUnknownIssuer, |w| {
        pin_with(w, &self_signed(w), None)
    }),
    (D::SkipCertificateSignature, C::CertificateForged, |w| {
        let altered = pki::forge::tamper(w.certificate(WHO).der.as_bytes()).unwrap();
        pin_with(w, altered.as_bytes(), None)
    }),
    (D::AcceptUnknownReader, C::ReaderUnknown, |w| {
        let stranger = ReaderCa::generate(99).unwrap();
        let device = device_at(&stranger, FACILITY, "2020-01-01", "2040-01-01");
        face_with(w, &device, |_, _, _| {})
    }),
    (D::IgnoreReaderFacility, C::ReaderFacilityMismatch, |w| {
        face_with(w, &shared().other_reader, |_, _, _| {})
    }),
    (D::AcceptExpiredReader, C::ReaderCertificateExpired, |w| {
        let device = device_at(
            &shared().trust.readers,
            FACILITY,
            "2000-01-01",
            "2001-01-01",
        );
        face_with(w, &device, |_, _, _| {})
    }),
    (D::AcceptAnyAttestation, C::AttestationInvalid, |w| {
        face_with(w, &shared().reader, |n, _, _| *n = other(n))
    }),
    (D::AcceptAnyAttestation, C::AttestationInvalid, |w| {
        face_with(w, &shared().reader, |_, _, m| *m = AuthMethod::Visual)
    }),
];

#[test]
fn each_authentication_defect_answers_what_the_clean_engine_refuses() {
    for (defect, code, forge) in CASES {
        let clean = world(&[]);
        let refused = clean.confirm(&forge(&clean)).result;
        assert_eq!(refused.unwrap_err().code, *code, "{defect} clean");
        let bad = world(&[*defect]);
        let out = bad.confirm(&forge(&bad));
        assert_eq!(out.audit.defects, vec![defect.name()], "{defect}");
        assert_eq!(out.result.unwrap().validity(), Some(V::Valid), "{defect}");
    }
}

/// Without the expiry check the answer falls through to the later ones (this persona's
/// registration was cancelled with the expiry, so R202 instead of R205).
#[test]
fn accept_expired_certificate_skips_the_expiry_refusal() {
    let clean = world(&[]);
    let bad = world(&[D::AcceptExpiredCertificate]);
    let who = "cert-expired-beyond-grace";
    assert_eq!(
        clean.confirm_id(who).code(),
        Some(C::CertificateExpired.code())
    );
    let out = bad.confirm(&bad.card_request(who, AuthMethod::Pin));
    assert_eq!(out.audit.defects, vec!["accept-expired-certificate"]);
    assert_eq!(
        out.result.unwrap().code(),
        Some(C::RegistrationCancelled.code())
    );
}

/// A challenge issued for another facility: refused with ONS-A114, answered by the
/// `challenge-any-facility` engine; a challenge issued for this facility passes both.
#[test]
fn challenge_any_facility_takes_another_facilitys_challenge() {
    use onshi_domain::message::MedicalInstitutionCode;
    let other = MedicalInstitutionCode::parse(OTHER_FACILITY).unwrap();
    let request = |w: &World, issued_for: &MedicalInstitutionCode| {
        let nonce = w
            .engine
            .issue_challenge_for(Some(issued_for), w.t())
            .result
            .unwrap()
            .nonce
            .0;
        let cert = w.certificate(WHO);
        let sig = cert
            .key
            .sign_digest_info(&HashAlg::Sha256.digest_info(&nonce))
            .unwrap();
        CardConfirmationRequest::outpatient(
            facility(),
            CardAuthentication::pin(cert.der.as_bytes(), nonce, sig.to_vec(), 3),
        )
    };
    let clean = world(&[]);
    let refused = clean.confirm(&request(&clean, &other)).result;
    assert_eq!(refused.unwrap_err().code, C::ChallengeFacilityMismatch);
    let own = clean.confirm(&request(&clean, &facility())).result;
    assert_eq!(own.unwrap().validity(), Some(V::Valid));
    let bad = world(&[D::ChallengeAnyFacility]);
    let out = bad.confirm(&request(&bad, &other));
    assert_eq!(out.result.unwrap().validity(), Some(V::Valid));
}

/// A PIN-path request sent after its challenge expired: refused with ONS-A111, answered
/// by the `accept-expired-challenge` engine.
#[test]
fn accept_expired_challenge_takes_a_stale_challenge() {
    use onshi_domain::protocol::{RequestTime, Tick};
    for (defects, refused) in [(&[][..], true), (&[D::AcceptExpiredChallenge][..], false)] {
        let w = world(defects);
        let req = w.card_request(WHO, AuthMethod::Pin);
        let late = RequestTime {
            now: w.as_of,
            tick: Tick(1_000 + 120_001),
        };
        let out = w.engine.confirm_card(&req, late);
        if refused {
            assert_eq!(out.result.unwrap_err().code, C::ChallengeExpired);
        } else {
            assert_eq!(out.result.unwrap().validity(), Some(V::Valid));
        }
    }
}
