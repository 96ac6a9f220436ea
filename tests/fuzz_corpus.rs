//! The fuzz targets' committed corpus (`fuzz/corpus/TARGET/`) and every input that once
//! crashed a target (`fuzz/regressions/TARGET/`), replayed through the entry points the
//! targets call (`<crate>::fuzzing::TARGET`), so `cargo test` catches a regression
//! without libFuzzer or `scripts/fuzz`.
//!
//! `cargo test --test fuzz_corpus -- --ignored write_seed_corpus` writes the hand-made
//! seeds (`seed-*` files) the corpus started from; `scripts/fuzz --merge` grows and
//! minimizes it.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

#[path = "xml/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// Every file of `fuzz/corpus/TARGET/` and `fuzz/regressions/TARGET/` through `f`.
fn replay(target: &str, f: fn(&[u8])) {
    let mut seen = 0;
    for dir in ["corpus", "regressions"] {
        let dir = root().join(dir).join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for path in paths {
            let data = std::fs::read(&path).unwrap();
            if std::panic::catch_unwind(|| f(&data)).is_err() {
                panic!("{target}: {} fails", path.display());
            }
            seen += 1;
        }
    }
    assert!(seen > 0, "{target}: no corpus");
}

macro_rules! targets {
    ($($name:ident => $f:path),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                replay(stringify!($name), $f);
            }
        )*
        /// Every target of `fuzz/fuzz_targets/` is replayed here.
        #[test]
        fn every_fuzz_target_is_replayed() {
            let mut ours = vec![$(stringify!($name)),*];
            ours.sort_unstable();
            let mut theirs: Vec<String> = std::fs::read_dir(root().join("fuzz_targets"))
                .unwrap()
                .map(|e| e.unwrap().path().file_stem().unwrap().to_string_lossy().into_owned())
                .collect();
            theirs.sort();
            assert_eq!(ours, theirs);
        }
    };
}

targets! {
    apdu => onshi_world::fuzzing::apdu,
    reader_apdu => onshi_reader::fuzzing::reader_apdu,
    xml_utf8 => onshi_domain::fuzzing::xml_utf8,
    xml_sjis => onshi_domain::fuzzing::xml_sjis,
    persona => onshi_world::fuzzing::persona,
    scenario => onshi_load::fuzzing::scenario,
    feature => onshi_conformance::fuzzing::feature,
    json_api => onshi_backend::fuzzing::json_api,
    reader_control => onshi_conformance::fuzzing::reader_control,
    clinic_control => onshi_domain::fuzzing::clinic_control,
}

mod seeds {
    //! The hand-made seeds.

    use std::path::Path;
    use std::sync::Arc;

    use super::common::*;
    use onshi::card::VirtualCard;
    use onshi::card::ids::{self, FileId};
    use onshi::codes::CharacterEncoding;
    use onshi::defaults::{self, DEFAULT_SEED};
    use onshi::message::MedicalInstitutionCode;
    use onshi::persona::ResolvedPersona;
    use onshi::protocol::wire::*;
    use onshi::reader::control::{ReaderInfo, ResultFileWire, VisitResponse};
    use onshi::reader::engine::{Call, CallFailure, ReaderMachine, Reply, Step, VisitInput};
    use onshi::reader::outcome::{CardFront, ReaderConfig, ReaderEvent, ReaderOutcome};
    use onshi::reader::result_file::face_result;
    use onshi::reader::{AuthChoice, Operator, ReaderResult};
    use onshi::xml::encode;

    fn write(target: &str, name: &str, data: &[u8]) {
        let dir = super::root().join("corpus").join(target);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("seed-{name}")), data).unwrap();
    }

    fn copy_dir(target: &str, dir: &str) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            write(target, &name, &std::fs::read(&path).unwrap());
        }
    }

    fn personas() -> Vec<ResolvedPersona> {
        defaults::personas(None)
            .unwrap()
            .iter()
            .map(|p| p.resolve(defaults::default_as_of(), DEFAULT_SEED))
            .collect()
    }

    fn facility() -> MedicalInstitutionCode {
        MedicalInstitutionCode::parse("1311234567").unwrap()
    }

    /// A length-prefixed chunk as the `apdu` and `reader_apdu` targets read them.
    fn chunk(out: &mut Vec<u8>, bytes: &[u8]) {
        if bytes.len() < 0xFE {
            out.push(bytes.len() as u8);
        } else {
            out.push(0xFF);
            out.extend_from_slice(&(bytes.len() as u16).to_be_bytes());
        }
        out.extend_from_slice(bytes);
    }

    fn select_app(aid: ids::Aid) -> Vec<u8> {
        let mut a = vec![0x00, 0xA4, 0x04, 0x0C, aid.as_bytes().len() as u8];
        a.extend_from_slice(aid.as_bytes());
        a
    }

    fn select_file(id: FileId) -> Vec<u8> {
        let [hi, lo] = id.0.to_be_bytes();
        vec![0x00, 0xA4, 0x02, 0x0C, 0x02, hi, lo]
    }

    fn verify(pin: &str) -> Vec<u8> {
        let mut a = vec![0x00, 0x20, 0x00, 0x80, pin.len() as u8];
        a.extend_from_slice(pin.as_bytes());
        a
    }

    /// What a reader, OpenSC and a careless client send to a persona's card.
    fn apdu_seeds(personas: &[ResolvedPersona]) {
        let read = |offset: u16, le: u8| {
            let [hi, lo] = offset.to_be_bytes();
            vec![0x00, 0xB0, hi, lo, le]
        };
        let sign = {
            let mut a = vec![0x80, 0x2A, 0x00, 0x80, 0x33];
            a.extend_from_slice(&[0x30; 0x33]);
            a.push(0x00);
            a
        };
        for id in [
            "standard-adult",
            "pinless",
            "pin-locked",
            "one-try-left",
            "tampered",
        ] {
            let Some(i) = personas.iter().position(|p| p.id == id) else {
                continue;
            };
            let p = &personas[i];
            let mut jpki = vec![i as u8];
            for a in [
                select_app(ids::JPKI_AID),
                select_file(ids::jpki::AUTH_CERT),
                read(0, 4),
                read(4, 0),
                vec![0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00],
                select_file(ids::jpki::AUTH_PIN),
                vec![0x00, 0x20, 0x00, 0x80],
                verify("0000"),
                verify(p.card.auth_pin.as_deref().unwrap_or("1234")),
                select_file(ids::jpki::AUTH_KEY),
                sign.clone(),
                select_file(ids::jpki::SIGN_PIN),
                verify(p.card.sign_password.as_deref().unwrap_or("ABC123")),
                select_file(ids::jpki::SIGN_KEY),
                sign.clone(),
            ] {
                chunk(&mut jpki, &a);
            }
            jpki.push(0xFE);
            chunk(&mut jpki, &[0x00, 0xA4, 0x00, 0x00, 0x02, 0x3F, 0x00]);
            chunk(&mut jpki, &[0x00, 0xB0, 0x81, 0x00, 0x10]);
            chunk(&mut jpki, &[0x00, 0x20, 0x00, 0x80, 0x05, 0x31]);
            chunk(&mut jpki, &[0x80, 0xCA, 0x00, 0x00]);
            write("apdu", &format!("{id}-jpki"), &jpki);

            let mut support = vec![i as u8];
            for a in [
                select_app(ids::INPUT_SUPPORT_AID),
                select_file(ids::input_support::PIN),
                verify(p.card.support_pin.as_deref().unwrap_or("5678")),
                select_file(ids::input_support::BASIC_FOUR),
                read(0, 0),
                select_app(ids::SURFACE_AID),
                select_file(ids::surface::MATCH_B),
                verify(&p.card.match_b),
                select_file(ids::surface::FRONT),
                vec![0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00],
                vec![0x00, 0xB0, 0x82, 0x00, 0x20],
            ] {
                chunk(&mut support, &a);
            }
            write("apdu", &format!("{id}-support-surface"), &support);
        }
    }

    /// The card answers of whole visits at the built-in reader (the stream the
    /// `reader_apdu` target reads), recorded from persona cards.
    fn reader_apdu_seeds(personas: &[ResolvedPersona]) {
        let ca = onshi::pki::ReaderCa::generate(1).unwrap();
        let at = |y| {
            chrono::NaiveDate::from_ymd_opt(y, 1, 1)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap()
        };
        let credential = ca
            .issue_device("RDR-FUZZ", "1311234567", at(2020), at(2040))
            .unwrap();
        let config = ReaderConfig::reference(facility(), Arc::new(credential));
        let calendar = onshi::rules::RulesCalendar::reference();
        let now = defaults::default_as_of();
        for (id, flags) in [
            ("standard-adult", 16u8),
            ("standard-adult", 0),
            ("standard-adult", 1),
            ("standard-adult", 2 | 4),
            ("pinless", 1 | 4),
            ("pin-locked", 1 | 4 | 8),
            ("one-try-left", 1),
            ("tampered", 16),
        ] {
            let Some(p) = personas.iter().find(|p| p.id == id) else {
                continue;
            };
            // The same patient as the target makes from `flags`.
            let script = onshi_reader::fuzzing::patient(flags);
            let front = CardFront {
                match_b: "80040120341234".into(),
            };
            let mut profile = onshi_world::fuzzing::stand_in_profile(p);
            profile.match_b = front.match_b.clone();
            let mut card = VirtualCard::new(&profile);
            let mut machine = ReaderMachine::new(VisitInput {
                config: &config,
                script: &script,
                front: &front,
                now,
                consent_screens: calendar.consent_screens(now.date()),
                record_events: true,
            });
            let mut stream = vec![flags];
            let mut reply = None;
            loop {
                reply = Some(match machine.resume(reply.take()) {
                    Step::Transmit(apdu) => {
                        let answer = card.transmit(&apdu);
                        chunk(&mut stream, &answer);
                        Reply::Card(Ok(answer))
                    }
                    Step::Call(Call::Challenge) => Reply::Challenge(Ok(Challenge {
                        nonce: Base64Bytes(vec![0x5A; 32]),
                        expires_in_seconds: 120,
                    })),
                    Step::Call(Call::ConfirmCard(_)) => {
                        Reply::Confirmation(Err(CallFailure::Refused {
                            code: None,
                            message: String::new(),
                        }))
                    }
                    Step::Call(Call::Register(_)) => {
                        Reply::Registration(Err(CallFailure::Refused {
                            code: None,
                            message: String::new(),
                        }))
                    }
                    Step::MayRetry => Reply::Retry(false),
                    Step::Done(_) => break,
                });
            }
            write("reader_apdu", &format!("{id}-{flags}"), &stream);
        }
    }

    /// A message written in an encoding.
    type Encoder = Box<dyn Fn(CharacterEncoding) -> Vec<u8>>;

    fn xml_seeds() {
        let mut multi = card_response(vec![adult_kyokai(), preschool_child(), takahashi()]);
        multi.message_body.qualification_validity =
            Some(onshi::codes::QualificationValidity::MultipleMatches);
        let mut docs: Vec<(&str, Encoder)> = vec![
            ("request", Box::new(|e| encode(&request(), e))),
            ("error", Box::new(|e| encode(&error_response(), e))),
            ("multi", Box::new(move |e| encode(&multi, e))),
            ("bulk-request", Box::new(|e| encode(&bulk_request(), e))),
            ("bulk-ack", Box::new(|e| encode(&bulk_ack(), e))),
            ("bulk-download", Box::new(|e| encode(&bulk_download(), e))),
            ("bulk-response", Box::new(|e| encode(&bulk_response(), e))),
        ];
        for (name, person) in [
            ("adult", adult_kyokai()),
            ("elderly", elderly_70_74_nhi()),
            ("late-elderly", late_elderly()),
            ("preschool", preschool_child()),
            ("takahashi", takahashi()),
            ("medical-aid", medical_aid()),
        ] {
            docs.push((
                name,
                Box::new(move |e| encode(&card_response(vec![person.clone()]), e)),
            ));
        }
        for (name, doc) in &docs {
            write(
                "xml_utf8",
                &format!("{name}-utf8.xml"),
                &doc(CharacterEncoding::Utf8),
            );
            let sjis = doc(CharacterEncoding::ShiftJis);
            write("xml_utf8", &format!("{name}-sjis.xml"), &sjis);
            // The `xml_sjis` target puts the declaration back.
            let end = sjis.windows(2).position(|w| w == b"?>").unwrap() + 2;
            let body = sjis[end..].strip_prefix(b"\n").unwrap_or(&sjis[end..]);
            write("xml_sjis", &format!("{name}.xml"), body);
        }
    }

    fn json_api_seeds(personas: &[ResolvedPersona]) {
        let body = |route: u8, v: &dyn erased::Json| {
            let mut out = vec![route];
            out.extend_from_slice(v.json().as_bytes());
            out
        };
        write("json_api", "challenge-empty", &[0]);
        write(
            "json_api",
            "challenge-facility",
            &body(
                0,
                &ChallengeRequest {
                    medical_institution_code: Some(facility()),
                },
            ),
        );
        for id in [
            "standard-adult",
            "medical-aid",
            "elderly-75-plus",
            "old-card-holder",
        ] {
            let Some(p) = personas.iter().find(|p| p.id == id) else {
                continue;
            };
            for (i, q) in p.qualifications.iter().enumerate() {
                let mut req = q.numbers_request(facility(), p.person.birth_date);
                req.confirmation_time = Some(defaults::default_as_of());
                write("json_api", &format!("numbers-{id}-{i}"), &body(2, &req));
            }
            let emergency = onshi::protocol::wire::EmergencyConfirmationRequest {
                medical_institution_code: facility(),
                confirmation_time: Some(defaults::default_as_of()),
                name: p.person.name.clone(),
                sex: p.person.sex,
                birthdate: p.person.birth_date,
                address: p.person.address.clone(),
            };
            write("json_api", &format!("emergency-{id}"), &body(4, &emergency));
        }
        // A real certificate (the test PKI of the default seed), a nonce the target
        // replaces with a fresh challenge, and a signature that cannot be right.
        let keys = onshi::pki::KeyCache::with_dir(
            defaults::key_cache_dir().unwrap_or_else(|| std::env::temp_dir().join("onshi-keys")),
        );
        let issuer =
            onshi::population::CertificateIssuer::from_seed(DEFAULT_SEED, keys, 1).unwrap();
        let Some(p) = personas.iter().find(|p| p.id == "standard-adult") else {
            return;
        };
        let cert = issuer.factory().issue(p).unwrap().auth_cert;
        let pin = CardAuthentication {
            auth_certificate: Base64Bytes(cert.as_bytes().to_vec()),
            nonce: Base64Bytes(Vec::new()),
            method: AuthMethod::Pin,
            card_signature: Some(Base64Bytes(vec![0x11; 256])),
            pin_tries_before_verify: Some(3),
            attestation: None,
        };
        let face = CardAuthentication {
            method: AuthMethod::Face,
            card_signature: None,
            pin_tries_before_verify: None,
            attestation: Some(ReaderAttestation {
                reader_certificate: Base64Bytes(vec![0x30, 0x82, 0x01, 0x00]),
                signature: Base64Bytes(vec![0x22; 64]),
            }),
            ..pin.clone()
        };
        for (name, card) in [("pin", pin), ("face", face)] {
            let mut req = CardConfirmationRequest::outpatient(facility(), card.clone());
            req.confirmation_time = Some(defaults::default_as_of());
            write("json_api", &format!("card-{name}"), &body(1, &req));
            let reg = RegistrationRequest {
                medical_institution_code: facility(),
                confirmation_time: Some(defaults::default_as_of()),
                card,
            };
            write("json_api", &format!("registration-{name}"), &body(3, &reg));
        }
    }

    mod erased {
        pub(super) trait Json {
            fn json(&self) -> String;
        }
        impl<T: serde::Serialize> Json for T {
            fn json(&self) -> String {
                serde_json::to_string_pretty(self).unwrap()
            }
        }
    }

    /// A visit request with the reader's Shift_JIS face-result file, one for each
    /// display, and answers: good, 10割, unreadable.
    fn clinic_control_seeds() {
        use onshi::clinic::ReaderAtClinic;
        let response = card_response(vec![adult_kyokai()]);
        let file = face_result(
            &response,
            &facility(),
            "vendor-reader",
            7,
            defaults::default_as_of(),
            CharacterEncoding::ShiftJis,
        );
        let request = |reader: Option<ReaderAtClinic>, presented: bool| {
            serde_json::json!({
                "visit_id": "seed",
                "visit_time": "2026-11-30T09:00:00",
                "facility": { "medical_institution_code": "1311234567", "online_confirmation": true,
                              "reader": "working", "network": "up", "care_setting": "outpatient" },
                "backend_url": "http://127.0.0.1:1",
                "patient": { "name": response.message_body.result_list[0].name, "birth_date": response.message_body.result_list[0].birthdate,
                             "sex": "1", "address": "東京都千代田区霞が関一丁目2番2号" },
                "card": { "presented": presented, "reader": reader },
                "documents": [
                    { "kind": "notice", "form": "paper", "ratio": null,
                      "numbers": { "insurer_number": "01130012", "symbol": "31080098", "number": "23", "branch": "00" } },
                    { "kind": "old-insurance-card", "issued_on": "2020-04-01", "expires_on": null,
                      "insurer_changed_on": null, "ratio": "030",
                      "numbers": { "insurer_number": "01130012", "symbol": null, "number": "23", "branch": null } }
                ],
                "clinic_record": null,
                "number_check": "when-needed",
                "limit_consent": null,
                "answers": { "fills_in_declaration": false, "declares_no_insurance": false },
                "identity_in_doubt": false,
                "medical_fee": 10000,
                "payments": [
                    { "date": "2026-11-02", "medical_institution_code": "1311234567",
                      "medical_fee": 200000, "paid": 60000 }
                ]
            })
            .to_string()
        };
        let shown = [
            ("file", Some(file.at_clinic()), true),
            ("none", None, true),
            ("absent", None, false),
            ("unreadable", Some(ReaderAtClinic::CardUnreadable), true),
            (
                "refused",
                Some(ReaderAtClinic::Refused {
                    code: Some("ONS-R206".into()),
                }),
                true,
            ),
        ];
        for (name, reader, presented) in shown {
            write(
                "clinic_control",
                &format!("request-{name}"),
                request(reader, presented).as_bytes(),
            );
        }
        write(
            "clinic_control",
            "answer-good",
            br#"{"basis":"online-card","copay":"030","ratio_source":"insured-partial-contribution-ratio","charge":3000,"card_front":["notation"],"card_images":["front"],"billed":{"insurer_number":"01130012","symbol":"31080098","number":"23","branch":"00"},"asked":[],"numbers_queries":[{"label":"POST /v1/confirmations/numbers","request":"{}","response":"{}"}],"notes":["n"]}"#,
        );
        write(
            "clinic_control",
            "answer-10wari",
            br#"{"basis":"not-insured-declined-declaration","copay":"100","ratio_source":null,"charge":10000,"billed":null,"asked":["declaration"],"card_front":[],"card_images":[],"numbers_queries":[]}"#,
        );
        write(
            "clinic_control",
            "answer-no-source",
            br#"{"basis":"declaration","copay":"030","ratio_source":null,"charge":3000,"billed":null,"asked":[],"card_front":[],"card_images":[],"numbers_queries":[]}"#,
        );
        write(
            "clinic_control",
            "recovery-request",
            r#"{"visit_id":"v","recovered_at":"2026-11-30T12:00:00","medical_institution_code":"1311234567","backend_url":"http://127.0.0.1:1","noted":{"name":"山田 太郎","sex":"1","birth_date":"1985-04-12","address":"東京都千代田区霞が関一丁目2番2号"}}"#.as_bytes(),
        );
        write(
            "clinic_control",
            "recovery-answer",
            br#"{"billed":{"insurer_number":"01130012","symbol":"31080012","number":"1024","branch":"00"},"queries":[{"label":"POST /v1/confirmations/emergency","request":"{}","response":"{}"}],"notes":["n"]}"#,
        );
        write(
            "clinic_control",
            "info",
            br#"{"vendor":"v","model":"m","version":"1"}"#,
        );
    }

    fn reader_control_seeds() {
        let response = card_response(vec![adult_kyokai()]);
        let file = face_result(
            &response,
            &facility(),
            "vendor-reader",
            7,
            defaults::default_as_of(),
            CharacterEncoding::ShiftJis,
        );
        let events = vec![
            ReaderEvent::CardPlaced {
                by: Operator::Patient,
            },
            ReaderEvent::CertificateRead { bytes: 1000 },
            ReaderEvent::FaceAttempt {
                score: 0.42,
                matched: false,
            },
            ReaderEvent::MethodSwitched {
                from: AuthChoice::Face,
                to: AuthChoice::Pin,
                reason: onshi::reader::policy::SwitchReason::FaceFailed,
            },
            ReaderEvent::PinRetryQuery { tries_left: 3 },
            ReaderEvent::PinVerify {
                by: Operator::Patient,
                status: "90 00".into(),
            },
            ReaderEvent::Authenticated {
                method: AuthChoice::Pin,
            },
            ReaderEvent::RegistrationOffered { accepted: true },
            ReaderEvent::Error {
                detail: "none".into(),
            },
        ];
        let outcome = |result| ReaderOutcome {
            result,
            method: Some(AuthMethod::Pin),
            events: events.clone(),
            exchanges: Vec::new(),
            photo_stored: false,
            registered_here: false,
        };
        let results = [
            (
                "answered",
                ReaderResult::Answered {
                    response: Box::new(response.clone()),
                },
            ),
            (
                "error",
                ReaderResult::Answered {
                    response: Box::new(error_response()),
                },
            ),
            (
                "unreadable",
                ReaderResult::CardUnreadable {
                    detail: "001".into(),
                },
            ),
            ("not-my-number-card", ReaderResult::NotMyNumberCard),
            ("authentication-failed", ReaderResult::AuthenticationFailed),
            (
                "registration-refused",
                ReaderResult::RegistrationRefused {
                    response: RegistrationResponse {
                        outcome: RegistrationOutcome::Refused,
                        message: "x".into(),
                        code: Some("ONS-R201".into()),
                        rule: Some("OKA-REG-24H".into()),
                        registered_at: None,
                    },
                },
            ),
            ("registration-declined", ReaderResult::RegistrationDeclined),
            (
                "refused",
                ReaderResult::Refused {
                    code: Some("ONS-A101".into()),
                    message: "x".into(),
                },
            ),
            (
                "unavailable",
                ReaderResult::BackendUnavailable { detail: "x".into() },
            ),
        ];
        for (name, result) in results {
            let with_file = name == "answered";
            let r = VisitResponse {
                outcome: outcome(result),
                result_file: with_file.then(|| ResultFileWire::from_file(&file)),
            };
            write(
                "reader_control",
                name,
                serde_json::to_string_pretty(&r).unwrap().as_bytes(),
            );
        }
        let info = ReaderInfo {
            vendor: "v".into(),
            model: "m".into(),
            version: "1".into(),
            slots: 1,
        };
        write(
            "reader_control",
            "reader-info",
            serde_json::to_string(&info).unwrap().as_bytes(),
        );
    }

    #[test]
    #[ignore = "writes fuzz/corpus/*/seed-*"]
    fn write_seed_corpus() {
        let personas = personas();
        apdu_seeds(&personas);
        reader_apdu_seeds(&personas);
        xml_seeds();
        json_api_seeds(&personas);
        reader_control_seeds();
        clinic_control_seeds();
        copy_dir("persona", "virtual-cards");
        copy_dir("scenario", "scenarios");
        copy_dir("feature", "features");
    }
}

#[test]
fn regressions_are_kept_apart_from_the_corpus() {
    // `scripts/fuzz --merge` rewrites fuzz/corpus/TARGET/; the inputs that once crashed
    // a target live in fuzz/regressions/TARGET/, which nothing rewrites.
    let dir = root().join("regressions");
    for e in std::fs::read_dir(&dir).unwrap() {
        let target = e.unwrap().file_name();
        assert!(
            Path::new(&root().join("fuzz_targets").join(&target))
                .with_extension("rs")
                .exists(),
            "fuzz/regressions/{} names no target",
            target.to_string_lossy()
        );
    }
}

/// `fuzz/` has its own lock file, and `scripts/fuzz` builds with `--locked`: a
/// dependency added to a workspace crate must be added there too (`cargo metadata
/// --manifest-path fuzz/Cargo.toml` does it), or CI's fuzz step fails late. This says
/// so early.
#[test]
fn the_fuzz_lock_file_is_current() {
    let out = std::process::Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--locked",
            "--format-version",
            "1",
            "--manifest-path",
        ])
        .arg(root().join("Cargo.toml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "fuzz/Cargo.lock is stale: run `cargo metadata --format-version 1 --manifest-path fuzz/Cargo.toml > /dev/null` and commit it\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
