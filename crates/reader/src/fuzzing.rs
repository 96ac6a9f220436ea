//! Entry point of the fuzz target `reader_apdu` (`fuzz/`), also run over the committed
//! corpus by `tests/fuzz_corpus.rs`. It takes arbitrary bytes and panics only when it
//! finds a bug. Nothing here touches a card reader, the network or a file.

use std::collections::HashSet;
use std::sync::{Arc, OnceLock};

use crate::channel::ChannelError;
use crate::reader::engine::{Call, CallFailure, ReaderMachine, Reply, Step, VisitInput};
use crate::reader::outcome::{CardFront, ReaderConfig};
use crate::reader::script::PatientScript;
use onshi_backend::backend::Challenge;
use onshi_card::card::ids::{self, FileId};
use onshi_card::card::{Status, apdu::Command};
use onshi_domain::message::MedicalInstitutionCode;
use onshi_domain::protocol::wire::Base64Bytes;
use onshi_domain::rules::RulesCalendar;
use onshi_pki::pki::ReaderCa;

fn config() -> Option<&'static ReaderConfig> {
    static CONFIG: OnceLock<Option<ReaderConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let facility = MedicalInstitutionCode::parse("1311234567").ok()?;
            let ca = ReaderCa::generate(1).ok()?;
            let at =
                |y| chrono::NaiveDate::from_ymd_opt(y, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0));
            let credential = ca
                .issue_device("RDR-FUZZ", facility.as_str(), at(2020)?, at(2040)?)
                .ok()?;
            Some(ReaderConfig::reference(facility, Arc::new(credential)))
        })
        .as_ref()
}

/// The next card answer from the input: a length (one byte; `FF` = a two-byte length
/// follows; `FE` = the card was removed), then the raw response (data + SW1 SW2).
/// An exhausted input is a card that no longer answers.
fn next_answer(rest: &mut &[u8]) -> Result<Vec<u8>, ChannelError> {
    let Some((&len, tail)) = rest.split_first() else {
        return Err(ChannelError::NoResponse);
    };
    *rest = tail;
    let len = match len {
        0xFE => return Err(ChannelError::Removed),
        0xFF => match *rest {
            [hi, lo, tail @ ..] => {
                *rest = tail;
                usize::from(u16::from_be_bytes([*hi, *lo]))
            }
            _ => return Err(ChannelError::NoResponse),
        },
        n => usize::from(n),
    };
    let (answer, tail) = rest.split_at(len.min(rest.len()));
    *rest = tail;
    Ok(answer.to_vec())
}

/// The patient `reader_apdu` plays from its first byte: bits 0–1 the method (face, PIN,
/// visual), bit 2 whether staff can check visually, bit 3 whether the patient accepts
/// registration, bit 4 whether the camera matches.
pub fn patient(flags: u8) -> PatientScript {
    let mut script = match flags & 3 {
        0 => PatientScript::face(),
        1 => PatientScript::pin("1234"),
        _ => PatientScript::visual(),
    };
    script.staff_visual_check_available = flags & 4 != 0;
    script.accept_registration = flags & 8 != 0;
    script.face_scores = if flags & 16 != 0 {
        vec![0.95]
    } else {
        vec![0.2, 0.3, 0.4]
    };
    script.pins = vec!["1234".into(), "0000".into(), "9999".into()];
    script
}

/// `reader_apdu`: the built-in reader's engine (one visit) against a card whose every
/// answer comes from the input. `data[0]` sets the patient: bits 0–1 the method (face,
/// PIN, visual), bit 2 whether staff can check visually, bit 3 whether the patient
/// accepts registration, bit 4 whether the camera matches; the rest is the card's
/// answers in order (see [`next_answer`]). The backend refuses every confirmation.
/// Whatever the card answers, the visit ends, every command the reader sends is a
/// well-formed APDU, the reader never reads the My Number, and never sends a PIN to a
/// PIN EF the card reported locked (FAQ-4-9, FAQ-4-11).
pub fn reader_apdu(data: &[u8]) {
    let Some(config) = config() else {
        panic!("the reader's credential could not be made");
    };
    let Some((&flags, mut rest)) = data.split_first() else {
        return;
    };
    let script = patient(flags);
    let now = onshi_world::defaults::default_as_of();
    let calendar = RulesCalendar::reference();
    let front = CardFront {
        match_b: "80040120341234".into(),
    };
    let mut machine = ReaderMachine::new(VisitInput {
        config,
        script: &script,
        front: &front,
        now,
        consent_screens: calendar.consent_screens(now.date()),
        record_events: true,
    });
    // What the reader has selected, and the PIN EFs the card said are locked.
    let mut app: Option<Vec<u8>> = None;
    let mut file: Option<FileId> = None;
    let mut locked: HashSet<(Vec<u8>, u16)> = HashSet::new();
    let mut pending_retry_query = false;
    let mut reply = None;
    let mut steps = 0usize;
    let bound = 64 + data.len();
    loop {
        steps += 1;
        assert!(steps <= bound, "the visit does not end ({steps} steps)");
        let step = machine.resume(reply.take());
        reply = Some(match step {
            Step::Transmit(apdu) => {
                let cmd = Command::parse(&apdu).unwrap_or_else(|sw| {
                    panic!("the reader sent a malformed APDU ({sw}): {apdu:02X?}")
                });
                match (cmd.cla, cmd.ins, cmd.p1) {
                    (0x00, 0xA4, 0x04) => {
                        app = Some(cmd.data.to_vec());
                        file = None;
                    }
                    (0x00, 0xA4, 0x02) => {
                        if let [hi, lo] = cmd.data {
                            file = Some(FileId(u16::from_be_bytes([*hi, *lo])));
                        }
                        assert!(
                            !(app.as_deref() == Some(ids::INPUT_SUPPORT_AID.as_bytes())
                                && file == Some(ids::input_support::MY_NUMBER)),
                            "the reader selected the My Number file"
                        );
                    }
                    (0x00, 0x20, _) => {
                        let key = (app.clone().unwrap_or_default(), file.map_or(0, |f| f.0));
                        if !cmd.data.is_empty() {
                            assert!(
                                !locked.contains(&key),
                                "the reader sent a PIN to a PIN EF the card reported locked"
                            );
                        }
                        pending_retry_query = cmd.data.is_empty();
                    }
                    _ => {}
                }
                let answer = next_answer(&mut rest);
                if std::mem::take(&mut pending_retry_query)
                    && let Ok(bytes) = &answer
                    && matches!(
                        Status::from_response(bytes),
                        Some(Status::VerificationFailed { tries_left: 0 })
                    )
                {
                    locked.insert((app.clone().unwrap_or_default(), file.map_or(0, |f| f.0)));
                }
                Reply::Card(answer)
            }
            Step::Call(Call::Challenge) => Reply::Challenge(Ok(Challenge {
                nonce: Base64Bytes(vec![0x5A; 32]),
                expires_in_seconds: 120,
            })),
            Step::Call(Call::ConfirmCard(_)) => Reply::Confirmation(Err(CallFailure::Refused {
                code: Some("ONS-E001".into()),
                message: "refused by the fuzz backend".into(),
            })),
            Step::Call(Call::Register(_)) => Reply::Registration(Err(CallFailure::Refused {
                code: None,
                message: "refused by the fuzz backend".into(),
            })),
            Step::MayRetry => Reply::Retry(false),
            Step::Done(outcome) => {
                assert!(!outcome.photo_stored, "the reader kept the face photo");
                if let Err(e) = serde_json::to_string(&outcome) {
                    panic!("the outcome cannot be written as JSON: {e}");
                }
                return;
            }
        });
    }
}
