//! Jobs against the embedded engine without Goose: a clean backend gives no failure,
//! each defect its failure kind, an unreachable one errors without 10割.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use super::*;
use crate::backend::{AnyBackend, EmbeddedBackend, HttpJsonBackend};
use crate::load::facility::facility_code;
use crate::load::patients::{Drawer, Pools};
use crate::load::scenario::RetryPolicy;
use crate::load::scenario::{AuthMix, FacilityKind, PatientMix};
use crate::load::wire::DirectWire;
use crate::message::MedicalInstitutionCode;
use crate::pki::ReaderCredential;
use crate::pki::{KeyCache, ReaderCa};
use crate::population::rng::Rng64;
use crate::population::{CertificateIssuer, Population};
use crate::rules::RulesCalendar;
use crate::server::{Defect, DefectSet, Engine, EngineConfig, TrustAnchors};

struct World {
    env: Env,
    engine_parts: (Arc<Population>, TrustAnchors),
    credential: ReaderCredential,
    code: MedicalInstitutionCode,
    pools: Pools,
}

fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        let seed = crate::defaults::DEFAULT_SEED;
        let keys = KeyCache::with_dir(
            crate::defaults::key_cache_dir()
                .unwrap_or_else(|| std::env::temp_dir().join("onshi-keys")),
        );
        let personas = crate::defaults::personas(None).unwrap();
        let as_of = crate::defaults::default_as_of();
        let pop = Arc::new(Population::new(seed, 600, &personas, as_of).unwrap());
        let issuer = CertificateIssuer::from_seed(seed, keys, 2).unwrap();
        let readers = Arc::new(ReaderCa::generate(seed).unwrap());
        let trust = TrustAnchors {
            jpki: Arc::clone(issuer.factory().pki()),
            load: Some(Arc::clone(issuer.load_root())),
            readers: Arc::clone(&readers),
        };
        let code = facility_code(5, FacilityKind::Clinic);
        let credential = readers
            .issue_device(
                "RDR-LOAD",
                code.as_str(),
                as_of - chrono::Duration::days(30),
                as_of + chrono::Duration::days(30),
            )
            .unwrap();
        let calendar = RulesCalendar::reference();
        let start = as_of.date().and_hms_opt(8, 30, 0).unwrap();
        let (lo, hi) = (pop.persona_count(), pop.len());
        let pools = Pools::scan(&pop, &calendar, start, lo, hi, 10_000);
        let env = Env::new(
            Arc::clone(&pop),
            issuer,
            calendar,
            start,
            RetryPolicy {
                max_attempts: 2,
                backoff: Duration::from_millis(1),
                give_up_after: Duration::from_secs(1),
            },
            true,
            10_000,
        );
        World {
            env,
            engine_parts: (pop, trust),
            credential,
            code,
            pools,
        }
    })
}

fn backend(defects: &[Defect]) -> AnyBackend {
    let w = world();
    let config = EngineConfig {
        defects: defects.iter().copied().collect::<DefectSet>(),
        ..EngineConfig::default()
    };
    let engine = Engine::new(
        Arc::clone(&w.engine_parts.0),
        w.engine_parts.1.clone(),
        config,
    );
    AnyBackend::Embedded(EmbeddedBackend::new(Arc::new(engine)))
}

fn mix() -> PatientMix {
    PatientMix {
        auth: AuthMix {
            face: 0.6,
            pin: 0.35,
            visual: 0.05,
        },
        face_mismatch: 0.1,
        pin_typo: 0.1,
        accept_registration: 0.5,
        medical_consent: None,
        kakunin_share: 0.5,
        states: None,
    }
}

/// Runs `n` drawn patients and a bulk job; returns every result.
fn run_many(backend: AnyBackend, n: usize) -> Vec<JobResult> {
    let w = world();
    let drawer = Drawer::new(&mix(), &w.pools);
    let mut rng = Rng64::new(42);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let booked: Vec<PersonIndex> = w.pools.all.iter().take(25).copied().collect();
    let desk = Desk {
        code: &w.code,
        credential: &w.credential,
        booked: &booked,
        id: 5,
    };
    let mut wire = DirectWire::new(backend);
    rt.block_on(async {
        let mut out = Vec::new();
        for i in 0..n {
            let patient = drawer.draw(&w.pools, i % 3 != 0, &mut rng).unwrap();
            out.push(
                run_job(
                    &w.env,
                    desk,
                    Job::Visit(patient),
                    60.0,
                    Instant::now(),
                    &mut wire,
                )
                .await,
            );
        }
        out.push(run_job(&w.env, desk, Job::Bulk, 0.0, Instant::now(), &mut wire).await);
        out
    })
}

fn failures(results: &[JobResult]) -> Vec<&Sample> {
    results.iter().flat_map(|r| r.failures.iter()).collect()
}

#[test]
fn a_clean_backend_passes_every_check() {
    let results = run_many(backend(&[]), 150);
    let f = failures(&results);
    assert!(f.is_empty(), "{f:#?}");
    assert!(results.iter().all(|r| r.error.is_none()));
    let kinds: std::collections::BTreeSet<&str> = results.iter().map(|r| r.kinds[0]).collect();
    for k in ["card-face", "card-pin", "numbers", "bulk"] {
        assert!(kinds.contains(k), "{kinds:?}");
    }
    let bulk = results.last().unwrap();
    assert_eq!(bulk.units, 25);
    assert!(results.iter().any(|r| r.basis == Some("online-card")));
}

#[test]
fn defects_are_counted_by_kind() {
    for (defect, kind) in [
        (Defect::WrongPerson, FailureKind::WrongPerson),
        (Defect::MissingRatio, FailureKind::MissingRatio),
        (Defect::WrongRatio, FailureKind::WrongRatio),
    ] {
        let results = run_many(backend(&[defect]), 60);
        let f = failures(&results);
        assert!(
            f.iter().any(|s| s.kind == kind),
            "{defect:?}: {:#?}",
            f.iter().map(|s| (s.kind, &s.detail)).collect::<Vec<_>>()
        );
    }
    // 10割: the wrong-ratio defect answers 100 for some patients.
    let results = run_many(backend(&[Defect::WrongRatio]), 60);
    assert!(
        failures(&results)
            .iter()
            .any(|s| s.kind == FailureKind::TenWari)
    );
}

#[test]
fn an_unreachable_backend_errors_but_never_charges_10wari() {
    let dead = AnyBackend::HttpJson(HttpJsonBackend::with_timeout(
        "http://127.0.0.1:9",
        Duration::from_millis(300),
    ));
    let results = run_many(dead, 12);
    assert!(results.iter().all(|r| r.error.is_some()), "every job errs");
    let f = failures(&results);
    assert!(f.iter().all(|s| s.kind != FailureKind::TenWari), "{f:#?}");
    assert!(results.iter().any(|r| r.retries > 0));
}
