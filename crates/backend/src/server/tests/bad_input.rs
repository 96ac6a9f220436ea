//! Bad input and attacks: each gets a precise code, nothing panics, nothing changes
//! (the challenge stays usable, no registration is recorded).

use chrono::NaiveDate;

use super::world::*;
use onshi_domain::codes::QualificationValidity as V;
use onshi_domain::protocol::ResultCode as C;
use onshi_domain::protocol::Tick;
use onshi_domain::protocol::wire::*;
use onshi_pki::pki::{AuthCertRequest, HashAlg, LoadAuthRoot, ReaderCa, ReaderCredential};

fn expect(w: &World, req: &CardConfirmationRequest, code: C) {
    let out = w.confirm(req);
    let err = out.result.expect_err("must be refused");
    assert_eq!(err.code, code, "{err}");
    assert_eq!(out.audit.outcome, code.code());
    // No state change: the same challenge still works with correct evidence.
    if ![
        C::ChallengeUnknown,
        C::ChallengeExpired,
        C::ChallengeReplayed,
    ]
    .contains(&code)
    {
        let mut good = w.card_request("standard-adult", AuthMethod::Pin);
        let nonce = req.card.nonce.clone();
        let cert = w.certificate("standard-adult");
        good.card.card_signature = Some(Base64Bytes(
            cert.key
                .sign_digest_info(&HashAlg::Sha256.digest_info(nonce.as_bytes()))
                .unwrap()
                .to_vec(),
        ));
        good.card.nonce = nonce;
        let res = w.confirm(&good).result.unwrap();
        assert_eq!(
            res.validity(),
            Some(V::Valid),
            "challenge unusable after {code}"
        );
    }
}

fn dt(y: i32) -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(y, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
}

#[test]
fn certificates_unknown_forged_malformed_or_of_the_wrong_kind() {
    let w = world(&[]);
    let base = w.card_request("standard-adult", AuthMethod::Pin);

    let mut req = base.clone();
    req.card.auth_certificate = Base64Bytes(b"not a certificate".to_vec());
    expect(&w, &req, C::CertificateMalformed);

    // Same issuer name as our load root, another key: an unknown CA.
    let rogue = LoadAuthRoot::generate(12345).unwrap();
    let key = w.certificate("standard-adult").key;
    let der = rogue
        .issue_auth_cert(&AuthCertRequest {
            serial: 42,
            not_before: dt(2025),
            not_after: dt(2030),
            key: &key,
            subject_id: "ROGUE".into(),
        })
        .unwrap();
    let mut req = w.card_request("standard-adult", AuthMethod::Pin);
    req.card.auth_certificate = Base64Bytes(der.to_vec());
    expect(&w, &req, C::CertificateUnknownIssuer);

    // The reader CA's certificate is no user-authentication certificate either.
    let mut req = w.card_request("standard-adult", AuthMethod::Pin);
    req.card.auth_certificate = Base64Bytes(shared().trust.readers.cert_der().to_vec());
    expect(&w, &req, C::CertificateUnknownIssuer);

    // A forged signature on a genuine certificate.
    let mut req = w.card_request("standard-adult", AuthMethod::Pin);
    let n = req.card.auth_certificate.0.len();
    req.card.auth_certificate.0[n - 1] ^= 0x01;
    expect(&w, &req, C::CertificateForged);

    // The signing certificate instead of the user-authentication one.
    let idx = w.index("standard-adult");
    let card = shared().issuer.card(w.engine.population(), idx).unwrap();
    let mut req = w.card_request("standard-adult", AuthMethod::Pin);
    req.card.auth_certificate = Base64Bytes(card.sign_cert.unwrap().to_vec());
    expect(&w, &req, C::WrongCertificateKind);
}

#[test]
fn signatures_missing_mismatched_or_forged() {
    let w = world(&[]);
    let mut req = w.card_request("standard-adult", AuthMethod::Pin);
    req.card.card_signature = None;
    expect(&w, &req, C::SignatureMissing);

    let mut req = w.card_request("standard-adult", AuthMethod::Pin);
    req.card.pin_tries_before_verify = None;
    expect(&w, &req, C::PinEvidenceMissing);

    // Signed over another nonce.
    let mut req = w.card_request("standard-adult", AuthMethod::Pin);
    let other = w.challenge();
    let key = w.certificate("standard-adult").key;
    req.card.card_signature = Some(Base64Bytes(
        key.sign_digest_info(&HashAlg::Sha256.digest_info(&other))
            .unwrap()
            .to_vec(),
    ));
    expect(&w, &req, C::SignatureInvalid);

    // Signed by another card's key (mismatched certificate).
    let mut req = w.card_request("standard-adult", AuthMethod::Pin);
    let key = w.certificate("kyuji-name").key;
    req.card.card_signature = Some(Base64Bytes(
        key.sign_digest_info(&HashAlg::Sha256.digest_info(req.card.nonce.as_bytes()))
            .unwrap()
            .to_vec(),
    ));
    expect(&w, &req, C::SignatureInvalid);

    // Garbage of the wrong length.
    let mut req = w.card_request("standard-adult", AuthMethod::Pin);
    req.card.card_signature = Some(Base64Bytes(vec![1, 2, 3]));
    expect(&w, &req, C::SignatureInvalid);

    // A locked card's session cannot have produced a signature (FAQ-4-11).
    let mut req = w.card_request("standard-adult", AuthMethod::Pin);
    req.card.pin_tries_before_verify = Some(0);
    expect(&w, &req, C::PinLockedSession);
}

#[test]
fn challenges_unknown_expired_and_replayed() {
    let w = world(&[]);
    let mut req = w.card_request("standard-adult", AuthMethod::Pin);
    req.card.nonce = Base64Bytes(vec![7; 32]);
    expect(&w, &req, C::ChallengeUnknown);
    let mut req = w.card_request("standard-adult", AuthMethod::Pin);
    req.card.nonce = Base64Bytes(vec![7; 3]);
    expect(&w, &req, C::ChallengeUnknown);

    let req = w.card_request("standard-adult", AuthMethod::Pin);
    let late = onshi_domain::protocol::RequestTime {
        now: w.as_of,
        tick: Tick(1_000 + 120_001),
    };
    assert_eq!(
        w.engine.confirm_card(&req, late).result.unwrap_err().code,
        C::ChallengeExpired
    );
    // The same request in time still works, once.
    assert_eq!(w.confirm(&req).result.unwrap().validity(), Some(V::Valid));
    let replay = w.confirm(&req);
    assert_eq!(replay.result.unwrap_err().code, C::ChallengeReplayed);
}

#[test]
fn reader_attestations_unknown_invalid_expired_or_elsewhere() {
    let w = world(&[]);
    let base = w.card_request("pin-locked", AuthMethod::Face);

    let mut req = base.clone();
    req.card.attestation = None;
    let err = w.confirm(&req).result.unwrap_err();
    assert_eq!(err.code, C::AttestationMissing);

    // A fresh face request attested by `reader`.
    let cert = base.card.auth_certificate.0.clone();
    let attested_by = |reader: &ReaderCredential| {
        let mut req = w.card_request("pin-locked", AuthMethod::Face);
        req.card.attestation = Some(ReaderAttestation::sign(
            reader,
            req.card.nonce.as_bytes(),
            &cert,
            AuthMethod::Face,
            &facility(),
        ));
        req
    };

    // A reader from another CA.
    let rogue_ca = ReaderCa::generate(999).unwrap();
    let rogue = rogue_ca
        .issue_device("RDR-ROGUE", FACILITY, dt(2020), dt(2040))
        .unwrap();
    assert_eq!(
        w.confirm(&attested_by(&rogue)).result.unwrap_err().code,
        C::ReaderUnknown
    );

    // Our reader, signing something else (the visual path's bytes for a face request).
    let mut req = w.card_request("pin-locked", AuthMethod::Face);
    let msg = attestation_message(
        req.card.nonce.as_bytes(),
        &cert,
        AuthMethod::Visual,
        &facility(),
    );
    req.card.attestation.as_mut().unwrap().signature = Base64Bytes(shared().reader.sign(&msg));
    assert_eq!(
        w.confirm(&req).result.unwrap_err().code,
        C::AttestationInvalid
    );

    // Another facility's reader.
    assert_eq!(
        w.confirm(&attested_by(&shared().other_reader))
            .result
            .unwrap_err()
            .code,
        C::ReaderFacilityMismatch
    );

    // An expired reader certificate.
    let old = shared()
        .trust
        .readers
        .issue_device("RDR-OLD", FACILITY, dt(2019), dt(2021))
        .unwrap();
    assert_eq!(
        w.confirm(&attested_by(&old)).result.unwrap_err().code,
        C::ReaderCertificateExpired
    );
    // After all that, the base request (its challenge untouched) still works.
    assert_eq!(w.confirm(&base).result.unwrap().validity(), Some(V::Valid));
}

#[test]
fn failed_registrations_change_nothing() {
    let w = world(&[]);
    let mut auth = w.auth("unregistered", AuthMethod::Pin);
    auth.card_signature = Some(Base64Bytes(vec![0; 256]));
    let out = w.engine.register(
        &RegistrationRequest {
            medical_institution_code: facility(),
            confirmation_time: None,
            card: auth,
        },
        w.t(),
    );
    assert_eq!(out.result.unwrap_err().code, C::SignatureInvalid);
    assert_eq!(w.engine.population().overlay_len(), 0);
    assert_eq!(
        w.confirm_id("unregistered").code(),
        Some(C::RegistrationMissing.code())
    );
}
