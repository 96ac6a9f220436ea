use super::*;
use crate::defaults;
use crate::persona::model::RegistrationState;

fn population(size: u64) -> Population {
    let set = defaults::personas(None).expect("embedded personas");
    Population::new(
        defaults::DEFAULT_SEED,
        size,
        &set,
        defaults::default_as_of(),
    )
    .expect("population")
}

#[test]
fn personas_come_first_then_generated() {
    let pop = population(100);
    let p = pop.persona_count();
    assert!(p >= 20);
    assert_eq!(pop.len(), p + 100);
    assert_eq!(pop.person(0).unwrap().id, pop.personas()[0].id);
    assert!(!pop.is_generated(p - 1));
    assert!(pop.is_generated(p));
    assert_eq!(pop.person(p).unwrap().id, "gen-00000000");
    assert!(pop.person(p + 100).is_none());
    assert_eq!(
        pop.index_of_id("standard-adult"),
        pop.by_id.get("standard-adult").map(|i| u64::from(*i))
    );
    assert_eq!(pop.index_of_id("gen-00000042"), Some(p + 42));
    assert_eq!(pop.index_of_id("gen-00000100"), None);
    assert_eq!(pop.id_of(p + 7).as_deref(), Some("gen-00000007"));
}

#[test]
fn generation_is_deterministic_and_seeded() {
    let a = population(50);
    let b = population(50);
    let p = a.persona_count();
    for i in p..p + 50 {
        assert_eq!(a.person(i), b.person(i));
    }
    let set = defaults::personas(None).unwrap();
    let other = Population::new(7, 50, &set, defaults::default_as_of()).unwrap();
    assert_ne!(a.person(p).unwrap().person, other.person(p).unwrap().person);
}

#[test]
fn every_identifier_leads_back_to_its_member() {
    let pop = population(3000);
    for i in 0..pop.len() {
        let person = pop.person(i).unwrap();
        let serial = pop.certificate_serial(i).unwrap();
        assert_eq!(serial, person.card.certificate.serial);
        assert_eq!(pop.by_certificate_serial(serial), Some(i), "{}", person.id);
        for (r, q) in person.qualifications.iter().enumerate() {
            let symbol = (!q.symbol.is_empty()).then_some(q.symbol.as_str());
            assert_eq!(
                pop.by_numbers(&q.insurer_number, symbol, &q.number, Some(&q.branch)),
                Some((i, r)),
                "{} record {r}",
                person.id
            );
        }
        if pop.is_generated(i) {
            assert_eq!(pop.by_my_number(&person.person.my_number), Some(i));
            assert!(crate::persona::my_number::is_valid(
                &person.person.my_number
            ));
        }
    }
    // Near misses do not match.
    let g = pop.person(pop.persona_count()).unwrap();
    let q = &g.qualifications[0];
    let symbol = (!q.symbol.is_empty()).then_some(q.symbol.as_str());
    assert_eq!(
        pop.by_numbers(&q.insurer_number, symbol, &q.number, Some("09")),
        None
    );
    assert_eq!(
        pop.by_numbers(&q.insurer_number, Some("1"), &q.number, Some(&q.branch)),
        None
    );
    assert_eq!(pop.by_certificate_serial(12345), None);
    assert_eq!(pop.by_my_number("123456789018"), None);
}

/// Without a 枝番 a search finds every record under the 記号・番号 (the twins'
/// household both; a generated member alone); with one, exactly that record.
#[test]
fn a_search_without_branch_finds_the_household() {
    let pop = population(200);
    let twin = pop.index_of_id("twins-younger").unwrap();
    let elder = pop.index_of_id("twins-elder").unwrap();
    let q = pop.person(twin).unwrap().qualifications[0].clone();
    let symbol = Some(q.symbol.as_str());
    let mut all = pop.candidates(&q.insurer_number, symbol, &q.number, None);
    all.sort_unstable();
    let mut expected = vec![(elder, 0), (twin, 0)];
    expected.sort_unstable();
    assert_eq!(all, expected);
    assert_eq!(
        pop.candidates(&q.insurer_number, symbol, &q.number, Some(&q.branch)),
        vec![(twin, 0)]
    );
    assert_eq!(
        pop.candidates(&q.insurer_number, symbol, &q.number, Some(" ")),
        all
    );
    let g = pop.persona_count() + 5;
    let gq = &pop.person(g).unwrap().qualifications[0];
    let gsym = (!gq.symbol.is_empty()).then_some(gq.symbol.as_str());
    assert_eq!(
        pop.candidates(&gq.insurer_number, gsym, &gq.number, None),
        vec![(g, 0)]
    );
    assert!(
        pop.candidates(&gq.insurer_number, Some("nope"), &gq.number, None)
            .is_empty()
    );
}

#[test]
fn the_mix_shows_in_the_generated_part() {
    let pop = population(20_000);
    let p = pop.persona_count();
    let mut unregistered = 0;
    let mut late_stage = 0;
    let mut late_stage_wrong_age = 0;
    let mut job_lag = 0;
    let mut locked = 0;
    for i in p..pop.len() {
        let person = pop.person(i).unwrap();
        if person.registration == RegistrationState::Unregistered {
            unregistered += 1;
        }
        let q = person.qualifications.last().unwrap();
        let family = q.insurer_number.family();
        if family == onshi_domain::codes::InsurerFamily::LateStageElderly {
            late_stage += 1;
            let age =
                onshi_domain::rules::age_in_years(person.person.birth_date, pop.as_of().date());
            if age < 75 {
                late_stage_wrong_age += 1;
            }
        }
        if person.tags.iter().any(|t| t == "job-change-lag") {
            job_lag += 1;
            assert!(!q.visible_on(pop.as_of().date()), "{}", person.id);
            assert!(person.qualifications[0].lost_on.is_some());
        }
        if person.card.auth_pin_locked() {
            locked += 1;
        }
    }
    assert!((1_600..2_600).contains(&unregistered), "{unregistered}");
    assert!((2_800..4_000).contains(&late_stage), "{late_stage}");
    assert_eq!(late_stage_wrong_age, 0);
    assert!(job_lag > 50, "{job_lag}");
    assert!((250..550).contains(&locked), "{locked}");
}

#[test]
fn a_million_members_build_at_once_and_answer_lookups() {
    let pop = population(1_000_000);
    assert_eq!(pop.len(), pop.persona_count() + 1_000_000);
    for i in [0u64, 1, 499_999, 999_999].map(|g| g + pop.persona_count()) {
        let person = pop.person(i).unwrap();
        assert_eq!(
            pop.by_certificate_serial(person.card.certificate.serial),
            Some(i)
        );
        let q = &person.qualifications[0];
        let symbol = (!q.symbol.is_empty()).then_some(q.symbol.as_str());
        assert_eq!(
            pop.by_numbers(&q.insurer_number, symbol, &q.number, Some(&q.branch)),
            Some((i, 0))
        );
    }
}

#[test]
fn overlay_registrations_keep_the_first() {
    let pop = population(10);
    let t = defaults::default_as_of();
    assert_eq!(pop.overlay_registration(3), None);
    assert!(pop.record_registration(3, t));
    assert!(!pop.record_registration(3, t + chrono::Duration::hours(1)));
    assert_eq!(pop.overlay_registration(3), Some(t));
    assert_eq!(pop.overlay_len(), 1);
}

#[test]
fn too_large_and_bad_mix_are_refused() {
    let set = defaults::personas(None).unwrap();
    assert!(matches!(
        Population::new(1, MAX_GENERATED + 1, &set, defaults::default_as_of()),
        Err(PopulationError::TooLarge { .. })
    ));
    let mix = PopulationMix {
        unregistered: 900,
        cancelled: 200,
        ..PopulationMix::default()
    };
    assert!(matches!(
        Population::with_mix(1, 10, &set, defaults::default_as_of(), mix),
        Err(PopulationError::Mix(_))
    ));
}

#[test]
fn export_is_deterministic_and_complete() {
    let pop = population(40);
    let keys = onshi_pki::pki::KeyCache::with_dir(
        defaults::key_cache_dir().unwrap_or_else(|| std::env::temp_dir().join("onshi-keys")),
    );
    let issuer = CertificateIssuer::from_seed(pop.seed(), keys, 2).expect("issuer");
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let sa = export::export(&pop, &issuer, export::ExportFormat::JsonLines, a.path(), 2).unwrap();
    let sb = export::export(&pop, &issuer, export::ExportFormat::JsonLines, b.path(), 1).unwrap();
    assert_eq!(sa, sb);
    assert_eq!(sa.persons, pop.len());
    for f in &sa.files {
        assert_eq!(
            std::fs::read(a.path().join(f)).unwrap(),
            std::fs::read(b.path().join(f)).unwrap(),
            "{f}"
        );
    }
    let persons = std::fs::read_to_string(a.path().join("persons.jsonl")).unwrap();
    let first: serde_json::Value = serde_json::from_str(persons.lines().next().unwrap()).unwrap();
    assert_eq!(first["person_id"], pop.personas()[0].id.as_str());
    // Every certificate verifies against the root its link names.
    let certs = std::fs::read_to_string(a.path().join("certificates.jsonl")).unwrap();
    use base64::Engine as _;
    for line in certs.lines() {
        let row: serde_json::Value = serde_json::from_str(line).unwrap();
        let der = base64::engine::general_purpose::STANDARD
            .decode(row["der_base64"].as_str().unwrap())
            .unwrap();
        match row["root"].as_str().unwrap() {
            "jpki-auth" => {
                issuer
                    .factory()
                    .pki()
                    .verify_issued(onshi_pki::pki::CaKind::Auth, &der)
                    .unwrap();
            }
            _ => {
                issuer.load_root().verify_issued(&der).unwrap();
            }
        }
    }
    // Every trust anchor is exported; the CRL verifies and lists the revoked personas.
    for root in [
        "jpki-auth-root",
        "jpki-sign-root",
        "load-auth-root",
        "reader-ca",
    ] {
        let text = std::fs::read_to_string(a.path().join(format!("roots/{root}.pem"))).unwrap();
        assert!(text.starts_with("-----BEGIN CERTIFICATE-----"), "{root}");
    }
    let crl_pem = std::fs::read_to_string(a.path().join("roots/jpki-auth.crl.pem")).unwrap();
    let body: String = crl_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let crl_der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap();
    let revoked = issuer
        .factory()
        .pki()
        .verify_crl(onshi_pki::pki::CaKind::Auth, &crl_der)
        .unwrap();
    let lost = pop
        .personas()
        .iter()
        .find(|p| p.id == "revoked-lost")
        .unwrap();
    assert!(revoked.contains(lost.card.certificate.serial));
    let sign_pem = std::fs::read_to_string(a.path().join("roots/jpki-sign.crl.pem")).unwrap();
    let body: String = sign_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let revoked_signing = issuer
        .factory()
        .pki()
        .verify_crl(
            onshi_pki::pki::CaKind::Sign,
            &base64::engine::general_purpose::STANDARD
                .decode(body)
                .unwrap(),
        )
        .unwrap();
    assert!(revoked_signing.contains(crate::persona::cards::sign_serial(
        lost.card.certificate.serial
    )));
    let adult = pop
        .personas()
        .iter()
        .find(|p| p.id == "standard-adult")
        .unwrap();
    assert!(!revoked.contains(adult.card.certificate.serial));
    // CSV has a header and the same number of rows.
    let c = tempfile::tempdir().unwrap();
    export::export(&pop, &issuer, export::ExportFormat::Csv, c.path(), 2).unwrap();
    let csv = std::fs::read_to_string(c.path().join("persons.csv")).unwrap();
    assert!(csv.starts_with("person_id,index,kind,"));
    assert_eq!(csv.lines().count() as u64, pop.len() + 1);
    assert!(
        std::fs::read_to_string(c.path().join("README.md"))
            .unwrap()
            .contains("Load-test simplification")
    );
}

#[test]
fn a_registration_holds_from_the_earliest_visit_that_made_it() {
    let pop = population(2);
    let t = |h: u32| {
        defaults::default_as_of()
            .date()
            .and_hms_opt(h, 0, 0)
            .unwrap()
    };
    assert!(pop.record_registration(7, t(10)));
    assert!(
        !pop.record_registration(7, t(11)),
        "a later one changes nothing"
    );
    assert!(
        pop.record_registration(7, t(9)),
        "an earlier one moves it earlier"
    );
    assert_eq!(pop.overlay_registration(7), Some(t(9)));
}

/// The 基本4情報 find a persona; a template whose instance is present stands for it.
#[test]
fn the_basic_four_find_the_persona_or_its_instance() {
    let set = defaults::personas(None).expect("embedded personas");
    let as_of = defaults::default_as_of();
    let template = set.get("outage-patient").expect("the persona");
    let resolved = template.resolve(as_of, defaults::DEFAULT_SEED);
    let person = resolved.person.clone();
    let find = |pop: &Population| {
        pop.by_basic_info(&person.name, person.sex, person.birth_date, &person.address)
    };
    let alone = Population::from_resolved(
        defaults::DEFAULT_SEED,
        0,
        vec![resolved.clone()],
        as_of,
        PopulationMix::default(),
    )
    .unwrap();
    assert_eq!(find(&alone), vec![0]);
    assert!(
        alone
            .by_basic_info(&person.name, person.sex, person.birth_date, "別の住所")
            .is_empty()
    );
    let instance = template
        .instance("outage-patient--0000abcd-12-g0".into(), None)
        .resolve(as_of, defaults::DEFAULT_SEED);
    let cast = Population::from_resolved(
        defaults::DEFAULT_SEED,
        0,
        vec![resolved, instance],
        as_of,
        PopulationMix::default(),
    )
    .unwrap();
    assert_eq!(find(&cast), vec![1]);
}
