//! Shared set-up: the embedded personas, the test PKI from the key cache, a reader,
//! and request builders.

#![allow(dead_code)]

use std::sync::{Arc, OnceLock};

use onshi::defaults;
use onshi::message::MedicalInstitutionCode;
use onshi::pki::{HashAlg, KeyCache, ReaderCredential};
use onshi::population::{CertificateIssuer, IssuedAuthCert, Population};
use onshi::protocol::ServerClock;
use onshi::protocol::wire::*;
use onshi::server::audit::MemorySink;
use onshi::server::{AppState, Defect, DefectSet, Engine, EngineConfig, TrustAnchors};

pub(crate) const FACILITY: &str = "1311234567";

pub(crate) struct Shared {
    pub issuer: CertificateIssuer,
    pub trust: TrustAnchors,
    pub reader: ReaderCredential,
}

pub(crate) fn shared() -> &'static Shared {
    static S: OnceLock<Shared> = OnceLock::new();
    S.get_or_init(|| {
        let keys = KeyCache::with_dir(
            defaults::key_cache_dir().unwrap_or_else(|| std::env::temp_dir().join("onshi-keys")),
        );
        let issuer = CertificateIssuer::from_seed(defaults::DEFAULT_SEED, keys, 2).unwrap();
        let trust = TrustAnchors::of_issuer(&issuer).unwrap();
        let reader = trust.long_lived_reader("RDR-HTTP-1", FACILITY).unwrap();
        Shared {
            issuer,
            trust,
            reader,
        }
    })
}

pub(crate) fn facility() -> MedicalInstitutionCode {
    MedicalInstitutionCode::parse(FACILITY).unwrap()
}

pub(crate) fn engine(defects: &[Defect]) -> Arc<Engine> {
    let set = defaults::personas(None).unwrap();
    let pop = Population::new(defaults::DEFAULT_SEED, 20, &set, defaults::default_as_of()).unwrap();
    Arc::new(Engine::new(
        Arc::new(pop),
        shared().trust.clone(),
        EngineConfig {
            defects: defects.iter().copied().collect::<DefectSet>(),
            ..EngineConfig::default()
        },
    ))
}

pub(crate) fn state(defects: &[Defect]) -> (AppState, MemorySink) {
    let engine = engine(defects);
    let sink = MemorySink::default();
    let clock = ServerClock::start(engine.population().as_of());
    (AppState::new(engine, clock, sink.log()), sink)
}

/// A PIN-path authentication of `id` over `nonce`.
pub(crate) fn pin_auth(engine: &Engine, id: &str, nonce: &[u8]) -> CardAuthentication {
    let cert = certificate(engine, id);
    let sig = cert
        .key
        .sign_digest_info(&HashAlg::Sha256.digest_info(nonce))
        .unwrap();
    CardAuthentication::pin(&cert.der, nonce.to_vec(), sig.to_vec(), 3)
}

/// A face-path authentication of `id` over `nonce`.
pub(crate) fn face_auth(engine: &Engine, id: &str, nonce: &[u8]) -> CardAuthentication {
    let cert = certificate(engine, id);
    CardAuthentication::attested(
        &cert.der,
        nonce.to_vec(),
        AuthMethod::Face,
        &facility(),
        &shared().reader,
    )
}

fn certificate(engine: &Engine, id: &str) -> IssuedAuthCert {
    let pop = engine.population();
    let index = pop.index_of_id(id).unwrap();
    shared().issuer.auth_certificate(pop, index).unwrap()
}

pub(crate) fn card_request(card: CardAuthentication) -> CardConfirmationRequest {
    CardConfirmationRequest {
        arbitrary_file_identifier: Some("HTTP0001".into()),
        ..CardConfirmationRequest::outpatient(facility(), card)
    }
}

pub(crate) fn numbers_request(engine: &Engine, id: &str) -> NumbersConfirmationRequest {
    let pop = engine.population();
    let p = pop.person(pop.index_of_id(id).unwrap()).unwrap();
    let q = &p.qualifications[0];
    q.numbers_request(facility(), p.person.birth_date)
}

pub(crate) fn xml_inquiry_bytes(engine: &Engine, id: &str, encoding: &str) -> Vec<u8> {
    let pop = engine.population();
    let p = pop.person(pop.index_of_id(id).unwrap()).unwrap();
    let q = &p.qualifications[0];
    let symbol = if q.symbol.is_empty() {
        String::new()
    } else {
        format!("<InsuredCardSymbol>{}</InsuredCardSymbol>", q.symbol)
    };
    let text = format!(
        "<?xml version=\"1.0\" encoding=\"{encoding}\" standalone=\"no\"?>\n<XmlMsg><MessageHeader>\
         <QualificationConfirmationDate>{}</QualificationConfirmationDate>\
         <MedicalInstitutionCode>{FACILITY}</MedicalInstitutionCode>\
         <ArbitraryFileIdentifier>X1</ArbitraryFileIdentifier></MessageHeader><MessageBody>\
         <QualificationConfirmSearchInfo><InsurerNumber>{}</InsurerNumber>{symbol}\
         <InsuredIdentificationNumber>{}</InsuredIdentificationNumber>\
         <InsuredBranchNumber>{}</InsuredBranchNumber><Birthdate>{}</Birthdate>\
         </QualificationConfirmSearchInfo></MessageBody></XmlMsg>\n",
        engine.population().as_of().format("%Y%m%d"),
        q.insurer_number.padded(),
        q.number,
        q.branch,
        p.person.birth_date.format("%Y%m%d"),
    );
    match encoding {
        "Shift_JIS" => encoding_rs::SHIFT_JIS.encode(&text).0.into_owned(),
        _ => text.into_bytes(),
    }
}
