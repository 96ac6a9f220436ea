//! Entry points of the fuzz targets `persona` and `apdu` (`fuzz/`), also run over the
//! committed corpus by `tests/fuzz_corpus.rs`. Each takes arbitrary bytes and panics
//! only when it finds a bug. Nothing here reads or writes files: cards get stand-in
//! keys and certificates instead of the test PKI's RSA keys (whose cache is on disk).

use std::path::Path;
use std::sync::{Arc, OnceLock};

use chrono::NaiveDateTime;

use crate::defaults::{self, AS_OF_YEARS, DEFAULT_SEED};
use crate::persona::cards::card_profile;
use crate::persona::{Persona, ResolvedPersona};
use onshi_card::card::apdu::Command;
use onshi_card::card::virtual_card::PIN_CARRYING_INS;
use onshi_card::card::{CardKey, CardKeyError, CardProfile, SigningContent, Status, VirtualCard};
use onshi_domain::message::MedicalInstitutionCode;
use onshi_domain::rules::RegistrationChannel;
use onshi_support::tomlsrc::TomlSource;

/// A stand-in card key: 256 deterministic bytes derived from the input (no RSA).
#[derive(Debug)]
struct StandInKey(u8);

impl CardKey for StandInKey {
    fn sign_padded(&self, data: &[u8]) -> Result<Vec<u8>, CardKeyError> {
        let mut out = vec![self.0; 256];
        for (i, b) in data.iter().enumerate() {
            out[i % 256] ^= b;
        }
        Ok(out)
    }
}

/// A DER-looking blob of `len` bytes (`30 82 LL LL`, then a pattern).
fn stand_in_der(tag: u8, len: u16) -> Arc<[u8]> {
    let body = len.saturating_sub(4);
    let mut der = vec![0x30, 0x82];
    der.extend_from_slice(&body.to_be_bytes());
    der.extend((0..body).map(|i| (i as u8) ^ tag));
    der.into()
}

/// The card of a resolved persona, with stand-in keys and certificates.
pub fn stand_in_profile(p: &ResolvedPersona) -> CardProfile {
    let signing = (!p.card.pinless).then(|| SigningContent {
        cert: stand_in_der(0xC0, 1300),
        ca: stand_in_der(0xD0, 700),
        key: Arc::new(StandInKey(2)),
        password: p
            .card
            .sign_password
            .clone()
            .unwrap_or_default()
            .into_bytes(),
    });
    card_profile(
        p,
        DEFAULT_SEED,
        &stand_in_der(0xA0, 1000),
        &stand_in_der(0xB0, 700),
        Arc::new(StandInKey(1)),
        signing,
        stand_in_face(),
    )
}

/// onshi's own glyphs only (no font file): the fuzz targets do no I/O.
fn stand_in_face() -> &'static onshi_card::card::face::FaceRenderer {
    static FACE: OnceLock<onshi_card::card::face::FaceRenderer> = OnceLock::new();
    FACE.get_or_init(onshi_card::card::face::FaceRenderer::builtin)
}

/// The embedded personas resolved at the default as-of, with their cards.
fn persona_cards() -> &'static [(ResolvedPersona, CardProfile)] {
    static CARDS: OnceLock<Vec<(ResolvedPersona, CardProfile)>> = OnceLock::new();
    CARDS.get_or_init(|| {
        let set = defaults::personas(None).unwrap_or_default();
        set.iter()
            .map(|p| {
                let r = p.resolve(defaults::default_as_of(), DEFAULT_SEED);
                let profile = stand_in_profile(&r);
                (r, profile)
            })
            .collect()
    })
}

fn year_start(year: i32) -> NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(year, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default()
}

fn year_end(year: i32) -> NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(year, 12, 31)
        .and_then(|d| d.and_hms_opt(23, 59, 59))
        .unwrap_or_default()
}

/// `persona`: `data` is a persona file (`virtual-cards/*.toml`, read lossily as
/// UTF-8). A file that validates resolves at the default as-of and at both ends of
/// the as-of years `--as-of` accepts, as a persona and as a scenario's instance, and
/// its card is built and answers.
pub fn persona(data: &[u8]) {
    let text = String::from_utf8_lossy(data).into_owned();
    let src = TomlSource::from_text(Path::new("virtual-cards/fuzz.toml"), text);
    let persona = match Persona::from_source(&src) {
        Ok(p) => p,
        Err(errors) => {
            assert!(!errors.is_empty(), "a refused file without an error");
            for e in errors {
                std::hint::black_box(e.to_string());
            }
            return;
        }
    };
    let instance = persona.instance("fuzz--scene-g1".into(), None);
    for as_of in [
        defaults::default_as_of(),
        year_start(AS_OF_YEARS.0),
        year_end(AS_OF_YEARS.1),
    ] {
        for p in [&persona, &instance] {
            use_resolved(&p.resolve(as_of, DEFAULT_SEED));
        }
    }
}

/// What the rest of onshi does with a resolved persona, cheaply.
fn use_resolved(r: &ResolvedPersona) {
    let day = r.as_of_date();
    std::hint::black_box(r.presented());
    std::hint::black_box(r.true_qualification(day));
    std::hint::black_box(r.user_auth_certificate());
    std::hint::black_box(r.registration_attempt(
        r.as_of,
        RegistrationChannel::ClinicReader,
        false,
        true,
    ));
    std::hint::black_box(r.card.certificate.revoked_by(r.as_of));
    if let Ok(facility) = MedicalInstitutionCode::parse("1311234567") {
        for q in &r.qualifications {
            std::hint::black_box(q.visible_on(day));
            std::hint::black_box(q.search_info(r.person.birth_date));
            std::hint::black_box(q.numbers_request(facility.clone(), r.person.birth_date));
        }
    }
    let mut card = VirtualCard::new(&stand_in_profile(r));
    // SELECT the JPKI AP, the auth PIN EF, and ask for the tries left.
    for apdu in [
        &b"\x00\xA4\x04\x0C\x0A\xD3\x92\xF0\x00\x26\x01\x00\x00\x00\x01"[..],
        b"\x00\xA4\x02\x0C\x02\x00\x18",
        b"\x00\x20\x00\x80",
    ] {
        let response = card.transmit(apdu);
        assert!(
            response.len() >= 2 || r.card.tampered.is_some(),
            "no status word"
        );
    }
}

/// `apdu`: `data[0]` picks an embedded persona; the rest is a sequence of command
/// APDUs for a fresh card of that persona, each preceded by its length (one byte; `FF`
/// = a two-byte length follows; `FE` = a warm reset instead of an APDU). Every APDU
/// that parses serializes back to itself; every answer ends in a status word (none at
/// all from a mute card); the trace has one entry per APDU and never shows a PIN.
pub fn apdu(data: &[u8]) {
    let cards = persona_cards();
    let Some((&pick, mut rest)) = data.split_first() else {
        return;
    };
    if cards.is_empty() {
        return;
    }
    let (persona, profile) = &cards[usize::from(pick) % cards.len()];
    let mut card = VirtualCard::new(profile);
    let mut sent: Vec<&[u8]> = Vec::new();
    let mut out = Vec::new();
    while let Some((&len, tail)) = rest.split_first() {
        rest = tail;
        let len = match len {
            0xFE => {
                card.reset();
                continue;
            }
            0xFF => match rest {
                [hi, lo, tail @ ..] => {
                    rest = tail;
                    usize::from(u16::from_be_bytes([*hi, *lo]))
                }
                _ => break,
            },
            n => usize::from(n),
        };
        let (apdu, tail) = rest.split_at(len.min(rest.len()));
        rest = tail;
        if let Ok(cmd) = Command::parse(apdu) {
            let bytes = cmd.to_bytes();
            assert_eq!(
                Command::parse(&bytes),
                Ok(cmd),
                "{apdu:02X?} parses, but its serialization {bytes:02X?} parses differently"
            );
        }
        card.transmit_into(apdu, &mut out, Some(sent.len() as u64));
        sent.push(apdu);
        match profile.tamper {
            Some(onshi_card::card::TamperMode::Mute) => {
                assert!(out.is_empty(), "a mute card answered")
            }
            _ => assert!(
                Status::from_response(&out).is_some(),
                "an answer without a status word: {out:02X?}"
            ),
        }
    }
    let trace = card.take_trace();
    assert_eq!(trace.entries.len(), sent.len(), "one trace entry per APDU");
    let secrets: Vec<String> = [
        persona.card.auth_pin.as_deref(),
        persona.card.support_pin.as_deref(),
        persona.card.sign_password.as_deref(),
    ]
    .into_iter()
    .flatten()
    .map(|s| onshi_support::hex::encode_spaced(s.as_bytes()))
    .collect();
    // The data of a VERIFY or any command that carries a PIN, whatever its class and
    // well-formed or not, never shows in the trace.
    for (apdu, entry) in sent.iter().zip(&trace.entries) {
        if apdu
            .get(1)
            .is_some_and(|ins| PIN_CARRYING_INS.contains(ins))
        {
            for secret in &secrets {
                assert!(
                    !entry.command.contains(secret.as_str()),
                    "a PIN in the trace: {}",
                    entry.command
                );
            }
        }
    }
    // The persistent state survives a restore into a fresh card.
    let state = card.state();
    let mut again = VirtualCard::new(profile);
    again.restore(&state);
    assert_eq!(
        again.state(),
        state,
        "the card state does not survive a restore"
    );
}
