//! Entry point of the fuzz target `json_api` (`fuzz/`), also run over the committed
//! corpus by `tests/fuzz_corpus.rs`. It takes arbitrary bytes and panics only when it
//! finds a bug. No server is started and nothing is read or written: the body goes
//! through the JSON API's own parsing and the reference engine, as a handler does.

use std::sync::{Arc, OnceLock};

use axum::http::HeaderMap;
use axum::response::IntoResponse;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::server::audit::MemorySink;
use crate::server::engine::{EngineError, Outcome, RequestTime};
use crate::server::http::{ApiError, parse_json};
use crate::server::{AuditLog, Engine, EngineConfig, TrustAnchors};
use onshi_domain::codes::CharacterEncoding;
use onshi_domain::protocol::Tick;
use onshi_domain::protocol::wire::{
    Base64Bytes, CardAuthentication, CardConfirmationRequest, ChallengeRequest,
    EmergencyConfirmationRequest, NumbersConfirmationRequest, RegistrationRequest,
};
use onshi_pki::pki::KeyCache;
use onshi_world::defaults::{self, DEFAULT_SEED};
use onshi_world::population::{Population, PopulationMix};

/// The store and the trusted roots of the fuzzed engine: the embedded personas at the
/// default as-of, no generated members; the test PKI of the default seed, its keys
/// derived in memory (once per process).
fn world() -> Option<&'static (Arc<Population>, TrustAnchors)> {
    static WORLD: OnceLock<Option<(Arc<Population>, TrustAnchors)>> = OnceLock::new();
    WORLD
        .get_or_init(|| {
            let personas = defaults::personas(None).ok()?;
            let as_of = defaults::default_as_of();
            let resolved = personas
                .iter()
                .map(|p| p.resolve(as_of, DEFAULT_SEED))
                .collect();
            let population = Population::from_resolved(
                DEFAULT_SEED,
                0,
                resolved,
                as_of,
                PopulationMix::default(),
            )
            .ok()?;
            let trust = TrustAnchors::from_seed(DEFAULT_SEED, &KeyCache::memory()).ok()?;
            Some((Arc::new(population), trust))
        })
        .as_ref()
}

/// `json_api`: `data[0]` picks the route — `POST /v1/challenges`,
/// `/v1/confirmations/card`, `/v1/confirmations/numbers` or `/v1/registrations` — and
/// the rest is its JSON body. A fresh reference engine answers it. A card proof whose
/// `nonce` is empty gets a challenge the engine just issued, so the certificate, the
/// signature and the attestation are checked too. Whatever the body, the answer or
/// the refusal is written as the server writes it (JSON, the audit line, and a card
/// confirmation's face-result XML).
pub fn json_api(data: &[u8]) {
    let Some((population, trust)) = world() else {
        panic!("the fuzzed engine's world could not be built");
    };
    let Some((&route, body)) = data.split_first() else {
        return;
    };
    let config = EngineConfig {
        max_challenges: 64,
        max_bulk_jobs: 4,
        max_limit_grants: 64,
        ..EngineConfig::default()
    };
    let engine = Engine::new(Arc::clone(population), trust.clone(), config);
    let sink = MemorySink::default();
    let audit = sink.log();
    let t = RequestTime {
        now: defaults::default_as_of(),
        tick: Tick(1_000),
    };
    match route % 5 {
        0 => {
            let asked = if body.iter().all(u8::is_ascii_whitespace) {
                ChallengeRequest::default()
            } else {
                match parse::<ChallengeRequest>(body) {
                    Some(r) => r,
                    None => return,
                }
            };
            let out = engine.issue_challenge_for(asked.medical_institution_code.as_ref(), t);
            answer(&audit, out);
        }
        1 => {
            let Some(mut req) = parse::<CardConfirmationRequest>(body) else {
                return;
            };
            fresh_nonce(&engine, &mut req.card, t);
            let out = engine.confirm_card(&req, t);
            if let Ok(res) = &out.result {
                std::hint::black_box(onshi_domain::xml::encode(res, CharacterEncoding::ShiftJis));
            }
            answer(&audit, out);
        }
        2 => {
            let Some(req) = parse::<NumbersConfirmationRequest>(body) else {
                return;
            };
            answer(&audit, engine.confirm_numbers(&req, t));
        }
        4 => {
            let Some(req) = parse::<EmergencyConfirmationRequest>(body) else {
                return;
            };
            answer(&audit, engine.confirm_emergency(&req, t));
        }
        _ => {
            let Some(mut req) = parse::<RegistrationRequest>(body) else {
                return;
            };
            fresh_nonce(&engine, &mut req.card, t);
            answer(&audit, engine.register(&req, t));
        }
    }
    std::hint::black_box(sink.lines());
}

/// The body as the handlers read it; a refusal is answered as they answer it.
fn parse<T: DeserializeOwned>(body: &[u8]) -> Option<T> {
    match parse_json::<T>(&HeaderMap::new(), body) {
        Ok(r) => Some(r),
        Err(e) => {
            refuse(e);
            None
        }
    }
}

fn refuse(e: EngineError) {
    assert!(
        e.code.http_status() >= 400,
        "a refusal with HTTP status {}",
        e.code.http_status()
    );
    std::hint::black_box(ApiError::from(e).into_response());
}

fn answer<T: Serialize>(audit: &AuditLog, out: Outcome<T>) {
    audit.write(&out.audit);
    match out.result {
        Ok(body) => {
            serde_json::to_vec(&body)
                .unwrap_or_else(|e| panic!("an answer that cannot be written: {e}"));
        }
        Err(e) => refuse(e),
    }
}

fn fresh_nonce(engine: &Engine, card: &mut CardAuthentication, t: RequestTime) {
    if card.nonce.0.is_empty()
        && let Ok(c) = engine.issue_challenge(t).result
    {
        card.nonce = Base64Bytes(c.nonce.0);
    }
}
