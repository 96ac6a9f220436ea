//! Jobs against the embedded engine without Goose: a clean backend gives no failure,
//! each defect its failure kind, an unreachable one errors without 10割.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use super::*;
use crate::load::facility::facility_code;
use crate::load::patients::Auth;
use crate::load::patients::{Drawer, Pools};
use crate::load::scenario::RetryPolicy;
use crate::load::scenario::{AuthMix, FacilityKind, PatientMix};
use crate::load::wire::DirectWire;
use onshi_backend::backend::{AnyBackend, EmbeddedBackend, HttpJsonBackend};
use onshi_backend::server::{Defect, DefectSet, Engine, EngineConfig, TrustAnchors};
use onshi_domain::message::MedicalInstitutionCode;
use onshi_domain::rules::RulesCalendar;
use onshi_pki::pki::{KeyCache, ReaderCa};
use onshi_reader::reader::{ReaderConfig, ReaderOutcome};
use onshi_world::population::rng::Rng64;
use onshi_world::population::{CertificateIssuer, Population};

struct World {
    env: Env,
    engine_parts: (Arc<Population>, TrustAnchors),
    reader: ReaderConfig,
    code: MedicalInstitutionCode,
    pools: Pools,
}

fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        let seed = onshi_world::defaults::DEFAULT_SEED;
        let keys = KeyCache::with_dir(
            onshi_world::defaults::key_cache_dir()
                .unwrap_or_else(|| std::env::temp_dir().join("onshi-keys")),
        );
        let personas = onshi_world::defaults::personas(None).unwrap();
        let as_of = onshi_world::defaults::default_as_of();
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
            10_000,
        );
        World {
            env,
            engine_parts: (pop, trust),
            reader: ReaderConfig::reference(code.clone(), Arc::new(credential)),
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
        reader: &w.reader,
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

/// What a reader outcome says, without the parts only the suite records.
fn shape(
    o: &ReaderOutcome,
) -> (
    String,
    Option<String>,
    Option<String>,
    Option<AuthMethod>,
    bool,
) {
    let kind = serde_json::to_value(&o.result).unwrap()["result"]
        .as_str()
        .unwrap()
        .to_owned();
    let (code, validity) = match &o.result {
        ReaderResult::Answered { response } => (
            response.message_body.processing_result_code.clone(),
            response
                .message_body
                .qualification_validity
                .map(|v| v.code().to_owned()),
        ),
        ReaderResult::Refused { code, .. } => (code.clone(), None),
        _ => (None, None),
    };
    (kind, code, validity, o.method, o.registered_here)
}

/// Load's driver of the reader for one patient.
async fn lean_reader(
    w: &World,
    desk: Desk<'_>,
    wire: &mut DirectWire,
    profile: &onshi_card::card::CardProfile,
    script: &onshi_reader::reader::PatientScript,
    front: &CardFront,
    member: PersonIndex,
) -> at_reader::AtReader {
    let input = VisitInput {
        config: &w.reader,
        script,
        front,
        now: w.env.window_start,
        consent_screens: &[],
        record_events: false,
    };
    let mut run = Run {
        env: &w.env,
        desk,
        wire,
        started: Instant::now(),
        member: Member::None,
        requests: Vec::new(),
        retries: 0,
        error: None,
        failures: Vec::new(),
        registered_earlier: false,
    };
    run.at_reader(profile, input, member).await
}

/// A reference backend of its own (registrations on the spot live in the
/// population's overlay, so each its own population), in the state of every other.
fn fresh_backend(w: &World) -> AnyBackend {
    let personas = onshi_world::defaults::personas(None).unwrap();
    let as_of = onshi_world::defaults::default_as_of();
    let pop = Population::new(onshi_world::defaults::DEFAULT_SEED, 600, &personas, as_of).unwrap();
    let engine = Engine::new(
        Arc::new(pop),
        w.engine_parts.1.clone(),
        EngineConfig::default(),
    );
    AnyBackend::Embedded(EmbeddedBackend::new(Arc::new(engine)))
}

/// Variant `0..6` of a card patient: each auth method, a face mismatch, a PIN typo,
/// a declined registration.
fn card_patient(member: PersonIndex, variant: usize) -> Patient {
    Patient {
        member,
        path: Path::Card,
        auth: [Auth::Face, Auth::Pin, Auth::Visual][variant % 3],
        face_mismatch: variant == 3,
        pin_typo: variant == 4,
        accepts_registration: variant != 5,
        medical_consent: Some(true),
    }
}

/// The suite's driver of the reader for one patient.
async fn suite_reader(
    w: &World,
    backend: &AnyBackend,
    profile: &onshi_card::card::CardProfile,
    script: &onshi_reader::reader::PatientScript,
    front: &CardFront,
) -> ReaderOutcome {
    let mut channel =
        onshi_reader::channel::InProcessChannel::new(onshi_card::card::VirtualCard::new(profile));
    onshi_reader::reader::run(
        &w.reader,
        &w.env.calendar,
        &mut channel,
        backend,
        script,
        front,
        w.env.window_start,
    )
    .await
}

#[test]
fn the_suite_and_load_drive_the_same_reader() {
    let w = world();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // Each driver gets its own reference backend in the same state, and the same
    // patients in the same order: the outcomes must be the same.
    let suite_backend = fresh_backend(w);
    let mut wire = DirectWire::new(fresh_backend(w));
    let desk = Desk {
        code: &w.code,
        reader: &w.reader,
        booked: &[],
        id: 5,
    };
    let pop = &w.env.population;
    let members = (0..pop.persona_count()).chain(w.pools.all.iter().copied().take(30));
    let mut kinds = std::collections::BTreeMap::<String, usize>::new();
    let mut compared = 0;
    for member in members {
        let Ok(profile) = w.env.card(member) else {
            continue;
        };
        let p = pop.person(member).unwrap();
        for variant in 0..6 {
            let patient = card_patient(member, variant);
            let script = at_reader::script(&patient, &p, ConsentAnswers::ALL);
            let front = CardFront {
                match_b: p.card.match_b.clone(),
            };
            let suite = rt.block_on(suite_reader(w, &suite_backend, &profile, &script, &front));
            let lean = rt.block_on(lean_reader(
                w, desk, &mut wire, &profile, &script, &front, member,
            ));
            assert!(lean.outcome.events.is_empty(), "load keeps no event log");
            assert!(!suite.events.is_empty(), "the suite does");
            let s = shape(&suite);
            assert_eq!(
                s,
                shape(&lean.outcome),
                "member {member}, variant {variant}"
            );
            *kinds.entry(s.0).or_default() += 1;
            compared += 1;
        }
    }
    assert!(compared > 100, "{compared}");
    // The comparison covers the reader's different endings, not only answers.
    for k in ["answered", "registration-declined", "card-unreadable"] {
        assert!(kinds.contains_key(k), "{kinds:?}");
    }
}
