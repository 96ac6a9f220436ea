//! A small world for engine tests: the embedded personas (or custom ones), the shared
//! test PKI and keys, a reader, and helpers that build signed requests.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use chrono::NaiveDateTime;

use crate::server::{Defect, DefectSet, Engine, EngineConfig, Outcome, TrustAnchors};
use onshi_domain::message::{MedicalInstitutionCode, QualificationResponse};
use onshi_domain::protocol::RequestTime;
use onshi_domain::protocol::Tick;
use onshi_domain::protocol::wire::*;
use onshi_pki::pki::{HashAlg, KeyCache, ReaderCredential};
use onshi_support::tomlsrc::TomlSource;
use onshi_world::defaults;
use onshi_world::persona::{Persona, ResolvedPersona};
use onshi_world::population::{CertificateIssuer, Population, PopulationMix};

pub(crate) const FACILITY: &str = "1311234567";
pub(crate) const OTHER_FACILITY: &str = "2712345678";

pub(crate) struct Shared {
    pub issuer: CertificateIssuer,
    pub trust: TrustAnchors,
    pub reader: ReaderCredential,
    pub other_reader: ReaderCredential,
}

pub(crate) fn keys() -> KeyCache {
    KeyCache::with_dir(
        defaults::key_cache_dir().unwrap_or_else(|| std::env::temp_dir().join("onshi-keys")),
    )
}

pub(crate) fn shared() -> &'static Shared {
    static S: OnceLock<Shared> = OnceLock::new();
    S.get_or_init(|| {
        let issuer = CertificateIssuer::from_seed(defaults::DEFAULT_SEED, keys(), 2).unwrap();
        let trust = TrustAnchors::of_issuer(&issuer).unwrap();
        let reader = trust.long_lived_reader("RDR-TEST-1", FACILITY).unwrap();
        let other_reader = trust
            .long_lived_reader("RDR-TEST-2", OTHER_FACILITY)
            .unwrap();
        Shared {
            issuer,
            trust,
            reader,
            other_reader,
        }
    })
}

pub(crate) fn at(text: &str) -> NaiveDateTime {
    defaults::parse_as_of(text).unwrap()
}

pub(crate) fn facility() -> MedicalInstitutionCode {
    MedicalInstitutionCode::parse(FACILITY).unwrap()
}

/// A persona from TOML text (id = `name`).
pub(crate) fn persona(name: &str, text: &str) -> Persona {
    Persona::from_source(&TomlSource::from_text(
        Path::new(&format!("virtual-cards/{name}.toml")),
        text.to_owned(),
    ))
    .unwrap_or_else(|e| panic!("{e:#?}"))
}

/// The `[card]` tables of a card whose certificate was issued two years before the
/// as-of (`pin` for every PIN and code).
pub(crate) fn recent_card(pin: &str, sign_password: &str) -> String {
    format!(
        r#"[card]
auth_pin = "{pin}"
sign_password = "{sign_password}"
support_pin = "{pin}"
security_code = "{pin}"
expires_on = "as-of+6y"
[card.certificate]
issued_at = "as-of-2y"
expires_on = "as-of+3y""#
    )
}

/// One `[[qualification]]` table (`acquired_on` as a TOML value).
pub(crate) fn qualification(
    insurer_number: &str,
    insurer_name: &str,
    number: &str,
    acquired_on: &str,
) -> String {
    format!(
        r#"[[qualification]]
insurer_number = "{insurer_number}"
insurer_name = "{insurer_name}"
number = "{number}"
acquired_on = {acquired_on}"#
    )
}

pub(crate) struct World {
    pub engine: Engine,
    pub as_of: NaiveDateTime,
}

pub(crate) fn config(defects: &[Defect]) -> EngineConfig {
    EngineConfig {
        defects: defects.iter().copied().collect::<DefectSet>(),
        ..EngineConfig::default()
    }
}

/// The embedded personas (and `generated` members) at `as_of`.
pub(crate) fn world_at(as_of: &str, generated: u64, defects: &[Defect]) -> World {
    let as_of = at(as_of);
    let set = defaults::personas(None).unwrap();
    let pop = Population::new(defaults::DEFAULT_SEED, generated, &set, as_of).unwrap();
    World::new(pop, defects)
}

/// The default world: embedded personas at the default as-of.
pub(crate) fn world(defects: &[Defect]) -> World {
    world_at("2026-11-30T09:00", 50, defects)
}

/// Custom personas at `as_of`.
pub(crate) fn custom_world(as_of: &str, personas: Vec<Persona>, defects: &[Defect]) -> World {
    let as_of = at(as_of);
    let resolved: Vec<ResolvedPersona> = personas
        .iter()
        .map(|p| p.resolve(as_of, defaults::DEFAULT_SEED))
        .collect();
    let pop = Population::from_resolved(
        defaults::DEFAULT_SEED,
        0,
        resolved,
        as_of,
        PopulationMix::default(),
    )
    .unwrap();
    World::new(pop, defects)
}

impl World {
    pub(crate) fn new(pop: Population, defects: &[Defect]) -> Self {
        let as_of = pop.as_of();
        Self {
            engine: Engine::new(Arc::new(pop), shared().trust.clone(), config(defects)),
            as_of,
        }
    }

    pub(crate) fn t(&self) -> RequestTime {
        RequestTime {
            now: self.as_of,
            tick: Tick(1_000),
        }
    }

    pub(crate) fn index(&self, id: &str) -> u64 {
        self.engine
            .population()
            .index_of_id(id)
            .unwrap_or_else(|| panic!("no member {id}"))
    }

    pub(crate) fn person(&self, id: &str) -> ResolvedPersona {
        self.engine
            .population()
            .person(self.index(id))
            .unwrap()
            .into_owned()
    }

    pub(crate) fn challenge(&self) -> Vec<u8> {
        self.engine
            .issue_challenge(self.t())
            .result
            .unwrap()
            .nonce
            .0
    }

    pub(crate) fn certificate(&self, id: &str) -> onshi_world::population::IssuedAuthCert {
        shared()
            .issuer
            .auth_certificate(self.engine.population(), self.index(id))
            .unwrap()
    }

    /// A correct card authentication for member `id` by `method`.
    pub(crate) fn auth(&self, id: &str, method: AuthMethod) -> CardAuthentication {
        let nonce = self.challenge();
        let cert = self.certificate(id);
        let person = self.person(id);
        match method {
            AuthMethod::Pin => {
                let sig = cert
                    .key
                    .sign_digest_info(&HashAlg::Sha256.digest_info(&nonce))
                    .unwrap();
                let tries = person
                    .card
                    .tries
                    .tries_left
                    .get(&onshi_card::card::PinId::AuthPin)
                    .copied()
                    .unwrap_or(3);
                CardAuthentication::pin(&cert.der, nonce, sig.to_vec(), tries)
            }
            AuthMethod::Face | AuthMethod::Visual => CardAuthentication::attested(
                &cert.der,
                nonce,
                method,
                &facility(),
                &shared().reader,
            ),
        }
    }

    pub(crate) fn card_request(&self, id: &str, method: AuthMethod) -> CardConfirmationRequest {
        CardConfirmationRequest {
            arbitrary_file_identifier: Some("TEST0001".into()),
            ..CardConfirmationRequest::outpatient(facility(), self.auth(id, method))
        }
    }

    pub(crate) fn confirm(&self, req: &CardConfirmationRequest) -> Outcome<QualificationResponse> {
        self.engine.confirm_card(req, self.t())
    }

    /// Confirms member `id` by the PIN path (face when its PIN is locked or absent).
    pub(crate) fn confirm_id(&self, id: &str) -> QualificationResponse {
        let p = self.person(id);
        let method = if p.card.pinless || p.card.auth_pin_locked() {
            AuthMethod::Face
        } else {
            AuthMethod::Pin
        };
        self.confirm(&self.card_request(id, method))
            .result
            .unwrap_or_else(|e| panic!("{id}: {e}"))
    }

    /// A numbers request for record `r` of member `id`.
    pub(crate) fn numbers_request(&self, id: &str, r: usize) -> NumbersConfirmationRequest {
        let p = self.person(id);
        let q = &p.qualifications[r];
        q.numbers_request(facility(), p.person.birth_date)
    }

    pub(crate) fn numbers(
        &self,
        req: &NumbersConfirmationRequest,
    ) -> Outcome<QualificationResponse> {
        self.engine.confirm_numbers(req, self.t())
    }
}

/// Shortcuts on a response.
pub(crate) trait ResponseExt {
    fn validity(&self) -> Option<onshi_domain::codes::QualificationValidity>;
    fn code(&self) -> Option<&str>;
    fn refused(&self) -> bool;
}

impl ResponseExt for QualificationResponse {
    fn validity(&self) -> Option<onshi_domain::codes::QualificationValidity> {
        self.message_body.qualification_validity
    }
    fn code(&self) -> Option<&str> {
        self.message_body.processing_result_code.as_deref()
    }
    fn refused(&self) -> bool {
        self.message_body.processing_result_status
            == onshi_domain::codes::ProcessingResultStatus::Error
    }
}
