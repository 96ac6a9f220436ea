//! Command → response tables for every path of the virtual card.

use super::*;
use onshi_support::hex;

use super::sample::profile;

fn pinless() -> CardProfile {
    CardProfile {
        auth_pin: None,
        signing: None,
        support_pin: None,
        ..profile()
    }
}

/// Sends hex, returns the status word and the data.
fn send(card: &mut VirtualCard, apdu: &str) -> (Status, Vec<u8>) {
    let r = card.transmit(&hex::decode(apdu).unwrap());
    let status = Status::from_response(&r).expect("a status word");
    (status, r[..r.len() - 2].to_vec())
}

fn sw(card: &mut VirtualCard, apdu: &str) -> Status {
    send(card, apdu).0
}

/// VERIFY (P2 80) of the selected EF with `data` (ASCII digits) as reference data.
fn verify(card: &mut VirtualCard, data: &[u8]) -> Status {
    sw(
        card,
        &format!("00200080{:02X}{}", data.len(), hex::encode(data)),
    )
}

const SELECT_JPKI: &str = "00A4040C0AD392F000260100000001";
const SELECT_SUPPORT: &str = "00A4040C0AD3921000310001010408";
const SELECT_SURFACE: &str = "00A4040C0AD3921000310001010402";

fn read_all(card: &mut VirtualCard) -> Vec<u8> {
    let (s, head) = send(card, "00B0000004");
    assert_eq!(s, Status::Success);
    let size = usize::from(u16::from_be_bytes([head[2], head[3]])) + 4;
    let mut out = Vec::new();
    while out.len() < size {
        let rest = size - out.len();
        let le = if rest >= 256 { 0 } else { rest };
        let (s, chunk) = send(card, &format!("00B0{:04X}{:02X}", out.len(), le));
        assert_eq!(s, Status::Success);
        out.extend(chunk);
    }
    out
}

#[test]
fn select_applications_and_probes() {
    let mut card = VirtualCard::new(&profile());
    assert_eq!(sw(&mut card, SELECT_JPKI), Status::Success);
    assert_eq!(
        sw(&mut card, "00A404000AD392F000260100000001"),
        Status::Success
    );
    assert_eq!(
        sw(&mut card, "00A404040AD392F000260100000001"),
        Status::Success
    );
    assert_eq!(
        sw(&mut card, "00A404010AD392F000260100000001"),
        Status::IncorrectP1P2
    );
    assert_eq!(
        sw(&mut card, "00A4010C0AD392F000260100000001"),
        Status::IncorrectP1P2
    );
    assert_eq!(sw(&mut card, "00A4040C"), Status::WrongLength);
    // The probes OpenSC sends for other drivers must all fail (never 90 00).
    for probe in [
        "00A4040005A000000116",
        "00A4040006A00000000101",
        "00A404000BE82B0601040181C31F0201",
        "00A4040009A00000030800001000",
        "00A404000CF276A288BCFBA69D34F31001",
        "00A4040009A00000039742544659",
        "00A4040006D27600012401",
        "00A404000762760 1FF000000".replace(' ', "").as_str(),
    ] {
        let s = sw(&mut card, probe);
        assert!(!s.is_success(), "{probe} answered {s}");
        assert_eq!(s, Status::FileNotFound, "{probe}");
    }
    assert_eq!(sw(&mut card, "00CADF3005"), Status::InsNotSupported);
    assert_eq!(sw(&mut card, "B03C0100"), Status::ClaNotSupported);
    assert_eq!(sw(&mut card, "00CB3FFF"), Status::InsNotSupported);
    // A failed SELECT keeps the current DF.
    assert_eq!(sw(&mut card, "00A4020C02000A"), Status::Success);
}

#[test]
fn read_binary_semantics() {
    let p = profile();
    let mut card = VirtualCard::new(&p);
    assert_eq!(
        sw(&mut card, "00B0000004"),
        Status::CommandNotAllowedNoCurrentEf
    );
    sw(&mut card, SELECT_JPKI);
    assert_eq!(
        sw(&mut card, "00B0000004"),
        Status::CommandNotAllowedNoCurrentEf
    );
    assert_eq!(sw(&mut card, "00A4020C020099"), Status::FileNotFound);
    assert_eq!(sw(&mut card, "00A4020C02000A"), Status::Success);
    assert_eq!(read_all(&mut card), p.auth_cert.to_vec());
    // Le beyond the end: the rest and 90 00.
    let (s, data) = send(&mut card, "00B003E000");
    assert_eq!((s, data.len()), (Status::Success, 1000 - 0x3E0));
    // Offset exactly at the end: 90 00 and no data; beyond: 6B 00.
    assert_eq!(send(&mut card, "00B003E800"), (Status::Success, vec![]));
    assert_eq!(sw(&mut card, "00B003E900"), Status::WrongP1P2);
    // Extended Le reads the whole file at once.
    let (s, data) = send(&mut card, "00B00000000000");
    assert_eq!((s, data.as_slice()), (Status::Success, &p.auth_cert[..]));
    // Case 1 and data in READ BINARY are wrong lengths.
    assert_eq!(sw(&mut card, "00B00000"), Status::WrongLength);
    assert_eq!(sw(&mut card, "00B000000100"), Status::WrongLength);
    // Token file.
    sw(&mut card, "00A4020C020006");
    let (_, token) = send(&mut card, "00B0000020");
    assert_eq!(token, b"JPKIAPICCTOKEN2                 ");
    // PIN and key EFs are not readable.
    sw(&mut card, "00A4020C020018");
    assert_eq!(
        sw(&mut card, "00B0000000"),
        Status::IncompatibleWithFileStructure
    );
    sw(&mut card, "00A4020C020017");
    assert_eq!(
        sw(&mut card, "00B0000000"),
        Status::IncompatibleWithFileStructure
    );
    // SFI addressing (P1 = 80 | SFI) selects and reads.
    let (s, head) = send(&mut card, "00B08A0004");
    assert_eq!((s, head.as_slice()), (Status::Success, &p.auth_cert[..4]));
    assert_eq!(sw(&mut card, "00B0990000"), Status::FileNotFound);
    assert_eq!(sw(&mut card, "00B0CA0000"), Status::IncorrectP1P2);
}

#[test]
fn signing_certificate_needs_the_signing_password() {
    let p = profile();
    let mut card = VirtualCard::new(&p);
    sw(&mut card, SELECT_JPKI);
    sw(&mut card, "00A4020C020001");
    assert_eq!(
        sw(&mut card, "00B0000004"),
        Status::SecurityStatusNotSatisfied
    );
    sw(&mut card, "00A4020C02001B");
    assert_eq!(
        sw(&mut card, "00200080"),
        Status::VerificationFailed { tries_left: 5 }
    );
    assert_eq!(sw(&mut card, "0020008006414243313233"), Status::Success);
    sw(&mut card, "00A4020C020001");
    assert_eq!(
        read_all(&mut card),
        p.signing.as_ref().unwrap().cert.to_vec()
    );
    sw(&mut card, "00A4020C020002");
    assert_eq!(sw(&mut card, "00B0000004"), Status::Success);
}

#[test]
fn pin_counting_and_lockout() {
    let mut card = VirtualCard::new(&profile());
    sw(&mut card, SELECT_JPKI);
    sw(&mut card, "00A4020C020018");
    assert_eq!(
        sw(&mut card, "00200080"),
        Status::VerificationFailed { tries_left: 3 }
    );
    assert_eq!(
        sw(&mut card, "002000800431313131"),
        Status::VerificationFailed { tries_left: 2 }
    );
    // A correct PIN resets the counter; the retry query still answers 63 Cx.
    assert_eq!(sw(&mut card, "002000800431323334"), Status::Success);
    assert_eq!(
        sw(&mut card, "00200080"),
        Status::VerificationFailed { tries_left: 3 }
    );
    // Wrong length costs no try.
    assert_eq!(sw(&mut card, "00200080053132333435"), Status::WrongLength);
    assert_eq!(
        sw(&mut card, "00200080"),
        Status::VerificationFailed { tries_left: 3 }
    );
    for left in [2, 1, 0] {
        assert_eq!(
            sw(&mut card, "002000800430303030"),
            Status::VerificationFailed { tries_left: left }
        );
    }
    assert!(card.is_locked(PinId::AuthPin));
    assert_eq!(
        sw(&mut card, "00200080"),
        Status::VerificationFailed { tries_left: 0 }
    );
    // The right PIN on a locked card stays refused.
    assert_eq!(
        sw(&mut card, "002000800431323334"),
        Status::AuthenticationMethodBlocked
    );
    assert_eq!(card.state().tries_left[&PinId::AuthPin], 0);
    // The lock survives a reset and a fresh card restored from the state.
    card.reset();
    sw(&mut card, SELECT_JPKI);
    sw(&mut card, "00A4020C020018");
    assert_eq!(
        sw(&mut card, "002000800431323334"),
        Status::AuthenticationMethodBlocked
    );
    let mut again = VirtualCard::new(&profile());
    again.restore(&card.state());
    sw(&mut again, SELECT_JPKI);
    sw(&mut again, "00A4020C020018");
    assert_eq!(
        sw(&mut again, "002000800431323334"),
        Status::AuthenticationMethodBlocked
    );
    // VERIFY needs a PIN EF selected and P1 00.
    sw(&mut again, "00A4020C02000A");
    assert_eq!(
        sw(&mut again, "002000800431323334"),
        Status::ReferenceDataNotFound
    );
    assert_eq!(sw(&mut again, "002001800431323334"), Status::IncorrectP1P2);
}

#[test]
fn locked_status_word_is_configurable() {
    let mut p = profile();
    p.locked_status = Status::ReferenceDataNotUsable;
    p.initial_state.tries_left.insert(PinId::AuthPin, 0);
    let mut card = VirtualCard::new(&p);
    sw(&mut card, SELECT_JPKI);
    sw(&mut card, "00A4020C020018");
    assert_eq!(
        sw(&mut card, "002000800431323334"),
        Status::ReferenceDataNotUsable
    );
}

#[test]
fn verify_by_short_id() {
    let mut card = VirtualCard::new(&profile());
    sw(&mut card, SELECT_JPKI);
    // jsapdu style: P2 = 80 | short EF id, no SELECT EF.
    assert_eq!(
        sw(&mut card, "00200098"),
        Status::VerificationFailed { tries_left: 3 }
    );
    assert_eq!(sw(&mut card, "002000980431323334"), Status::Success);
}

#[test]
fn signing_rules() {
    let mut card = VirtualCard::new(&profile());
    let digest_info = "3031300D060960864801650304020105000420".to_owned() + &"11".repeat(32);
    let sign = format!("802A0080{:02X}{digest_info}00", digest_info.len() / 2);
    sw(&mut card, SELECT_JPKI);
    sw(&mut card, "00A4020C020017");
    assert_eq!(sw(&mut card, &sign), Status::SecurityStatusNotSatisfied);
    sw(&mut card, "00A4020C020018");
    assert_eq!(sw(&mut card, "002000800431323334"), Status::Success);
    // No key EF selected: the PIN EF is current.
    assert_eq!(sw(&mut card, &sign), Status::CommandNotAllowedNoCurrentEf);
    sw(&mut card, "00A4020C020017");
    let (s, sig) = send(&mut card, &sign);
    assert_eq!((s, sig.len()), (Status::Success, 256));
    // More than one signature per VERIFY, with or without Le.
    let without_le = &sign[..sign.len() - 2];
    let (s, sig2) = send(&mut card, without_le);
    assert_eq!((s, sig2), (Status::Success, sig));
    // The signing key needs the signing password, not the auth PIN.
    sw(&mut card, "00A4020C02001A");
    assert_eq!(sw(&mut card, &sign), Status::SecurityStatusNotSatisfied);
    // Length limits and parameters.
    sw(&mut card, "00A4020C020017");
    assert_eq!(
        sw(&mut card, &format!("802A0080F6{}00", "00".repeat(246))),
        Status::WrongLength
    );
    assert_eq!(sw(&mut card, "802A0080"), Status::WrongLength);
    assert_eq!(sw(&mut card, "802A9E9A0101"), Status::IncorrectP1P2);
    assert_eq!(sw(&mut card, "002A9E9A0101"), Status::InsNotSupported);
    // Re-selecting the application drops the verified state.
    sw(&mut card, SELECT_JPKI);
    sw(&mut card, "00A4020C020017");
    assert_eq!(sw(&mut card, &sign), Status::SecurityStatusNotSatisfied);
    // So does a reset.
    sw(&mut card, "00A4020C020018");
    sw(&mut card, "002000800431323334");
    card.reset();
    sw(&mut card, SELECT_JPKI);
    sw(&mut card, "00A4020C020017");
    assert_eq!(sw(&mut card, &sign), Status::SecurityStatusNotSatisfied);
}

#[test]
fn input_support_application() {
    let p = profile();
    let mut card = VirtualCard::new(&p);
    sw(&mut card, SELECT_SUPPORT);
    sw(&mut card, "00A4020C020001");
    assert_eq!(
        sw(&mut card, "00B0000000"),
        Status::SecurityStatusNotSatisfied
    );
    sw(&mut card, "00A4020C020011");
    assert_eq!(sw(&mut card, "002000800435363738"), Status::Success);
    sw(&mut card, "00A4020C020001");
    let (s, data) = send(&mut card, "00B0000000");
    assert_eq!((s, data.len()), (Status::Success, 17));
    assert_eq!(&data[3..15], b"123456789018");
    sw(&mut card, "00A4020C020002");
    let (s, data) = send(&mut card, "00B0000000");
    assert_eq!(s, Status::Success);
    let (outer, _) = tlv::parse_one(&data).unwrap();
    assert_eq!(
        tlv::find(outer.value, &[0xDF, 0x22]),
        Some(p.basic_four.name.as_bytes())
    );
    assert!(card.trace().my_number_read());
}

#[test]
fn match_b_opens_basic_four_but_not_my_number() {
    let mut card = VirtualCard::new(&profile());
    sw(&mut card, SELECT_SUPPORT);
    sw(&mut card, "00A4020C020015");
    assert_eq!(verify(&mut card, b"80040120341234"), Status::Success);
    sw(&mut card, "00A4020C020002");
    assert_eq!(sw(&mut card, "00B0000000"), Status::Success);
    sw(&mut card, "00A4020C020001");
    assert_eq!(
        sw(&mut card, "00B0000000"),
        Status::SecurityStatusNotSatisfied
    );
    assert!(!card.trace().my_number_read());
    assert!(!card.trace().match_a_used());
    // Refused, but reached for: the SELECT and the READ BINARY of EF 0001.
    let trace = card.trace();
    let attempts = trace.my_number_attempts();
    assert_eq!(attempts.len(), 2, "{attempts:#?}");
    assert!(attempts[1].status == Some(Status::SecurityStatusNotSatisfied));
}

#[test]
fn surface_photo_with_match_b() {
    let p = profile();
    let mut card = VirtualCard::new(&p);
    sw(&mut card, SELECT_SURFACE);
    sw(&mut card, "00A4020C020002");
    assert_eq!(
        sw(&mut card, "00B0000000"),
        Status::SecurityStatusNotSatisfied
    );
    sw(&mut card, "00A4020C020012");
    assert_eq!(
        verify(&mut card, b"80040120341235"),
        Status::VerificationFailed { tries_left: 9 }
    );
    assert_eq!(verify(&mut card, b"80040120341234"), Status::Success);
    sw(&mut card, "00A4020C020002");
    let (s, front) = send(&mut card, "00B00000000000");
    assert_eq!(s, Status::Success);
    assert_eq!(
        surface::face_photo_from_front(&front),
        Some(&p.face_photo[..])
    );
    assert!(
        card.trace().my_number_attempts().is_empty(),
        "the photo with 照合番号B is no attempt"
    );
    // The back (My Number image) needs 照合番号A.
    sw(&mut card, "00A4020C020005");
    assert_eq!(card.trace().my_number_attempts().len(), 1);
    assert_eq!(
        sw(&mut card, "00B0000000"),
        Status::SecurityStatusNotSatisfied
    );
    assert!(!card.trace().match_a_used());
    sw(&mut card, "00A4020C020013");
    verify(&mut card, b"123456789018");
    assert!(card.trace().match_a_used());
}

#[test]
fn pinless_card_has_no_pins_and_no_signing_half() {
    let p = pinless();
    let mut card = VirtualCard::new(&p);
    sw(&mut card, SELECT_JPKI);
    assert_eq!(sw(&mut card, "00A4020C020018"), Status::FileNotFound);
    assert_eq!(sw(&mut card, "00A4020C02001B"), Status::FileNotFound);
    assert_eq!(sw(&mut card, "00A4020C020001"), Status::FileNotFound);
    assert_eq!(sw(&mut card, "00A4020C02001A"), Status::FileNotFound);
    assert_eq!(sw(&mut card, "00A4020C02000A"), Status::Success);
    assert_eq!(read_all(&mut card), p.auth_cert.to_vec());
    sw(&mut card, "00A4020C020017");
    assert_eq!(
        sw(&mut card, "802A00800401020304"),
        Status::SecurityStatusNotSatisfied
    );
    sw(&mut card, SELECT_SUPPORT);
    assert_eq!(sw(&mut card, "00A4020C020011"), Status::FileNotFound);
    assert!(!card.state().tries_left.contains_key(&PinId::AuthPin));
}

#[test]
fn tampered_cards() {
    let mut p = profile();
    p.tamper = Some(TamperMode::Mute);
    let mut card = VirtualCard::new(&p);
    assert!(card.transmit(&hex::decode(SELECT_JPKI).unwrap()).is_empty());
    assert_eq!(card.trace().entries[0].status, None);
    p.tamper = Some(TamperMode::Fault);
    let mut card = VirtualCard::new(&p);
    for apdu in [SELECT_JPKI, "00B0000000", "00200080", "FFFF"] {
        assert_eq!(sw(&mut card, apdu), Status::NoPreciseDiagnosis);
    }
}

#[test]
fn arbitrary_bytes_never_panic() {
    let mut card = VirtualCard::new(&profile());
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..20_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let len = (x % 24) as usize;
        let mut apdu: Vec<u8> = (0..len).map(|i| (x >> (i % 8 * 8)) as u8).collect();
        // Bias towards our instructions so deep paths are reached.
        if len >= 2 {
            apdu[0] = [0x00, 0x80, 0x00, 0x0C][(x >> 3) as usize % 4];
            apdu[1] = [0xA4, 0xB0, 0x20, 0x2A, 0x24][(x >> 5) as usize % 5];
        }
        let r = card.transmit(&apdu);
        assert!(r.len() >= 2);
        if (x & 0xFF) == 7 {
            sw(&mut card, SELECT_JPKI);
        }
    }
}

#[test]
fn trace_redacts_pins_and_serializes() {
    let mut card = VirtualCard::new(&profile());
    sw(&mut card, SELECT_JPKI);
    sw(&mut card, "00A4020C020018");
    sw(&mut card, "002000800431323334");
    let trace = card.trace();
    let json = serde_json::to_string(&trace).unwrap();
    assert!(!json.contains("31 32 33 34"), "{json}");
    assert!(json.contains("00 20 00 80 04 ** ** ** **"), "{json}");
    let back: ApduTrace = serde_json::from_str(&json).unwrap();
    assert_eq!(back, trace);
    assert_eq!(trace.verify_count(PinId::AuthPin), 1);
}

/// Found by the `apdu` fuzz target (fuzz/regressions/apdu/): a VERIFY with a class the
/// card refuses (`30 20 …`) was traced unredacted, PIN and all; so were a malformed
/// VERIFY and the other commands that carry a PIN.
#[test]
fn pin_carrying_commands_are_redacted_whatever_their_class_or_form() {
    let mut card = VirtualCard::new(&profile());
    sw(&mut card, SELECT_JPKI);
    sw(&mut card, "00A4020C020018");
    for apdu in [
        "302000800431323334",
        "802000800431323334",
        "0020008005313233343536",
        "00200080043132333400",
        "002100800431323334",
        "0024008008313233343132333400",
        "802C00800431323334",
        "002D008004313233",
    ] {
        sw(&mut card, apdu);
    }
    for e in card.trace().entries.iter().skip(2) {
        assert!(!e.command.contains("31 32 33"), "{}", e.command);
        assert!(e.command.ends_with("**"), "{}", e.command);
    }
    // Other commands are traced as sent.
    sw(&mut card, "00B0000004");
    assert_eq!(
        card.trace().entries.last().map(|e| e.command.as_str()),
        Some("00 B0 00 00 04")
    );
}

#[test]
fn verifies_after_lock_are_counted() {
    let mut card = VirtualCard::new(&profile());
    sw(&mut card, SELECT_JPKI);
    sw(&mut card, "00A4020C020018");
    for _ in 0..3 {
        sw(&mut card, "002000800430303030");
    }
    assert_eq!(
        card.trace()
            .verifies_after_lock(PinId::AuthPin, Status::AuthenticationMethodBlocked),
        0
    );
    sw(&mut card, "002000800431323334");
    sw(&mut card, "002000800431323334");
    assert_eq!(
        card.trace()
            .verifies_after_lock(PinId::AuthPin, Status::AuthenticationMethodBlocked),
        2
    );
}

#[test]
fn state_revision_moves_only_on_counter_changes() {
    let mut card = VirtualCard::new(&profile());
    let r0 = card.state_revision();
    sw(&mut card, SELECT_JPKI);
    sw(&mut card, "00A4020C020018");
    sw(&mut card, "002000800431323334");
    assert_eq!(card.state_revision(), r0);
    sw(&mut card, "002000800430303030");
    assert!(card.state_revision() > r0);
}

#[test]
fn the_state_at_stake_of_a_verify_has_one_try_fewer() {
    let mut card = VirtualCard::new(&profile());
    sw(&mut card, SELECT_JPKI);
    sw(&mut card, "00A4020C020018");
    let wrong = hex::decode("002000800430303030").unwrap();
    let at_stake = card.state_at_stake(&wrong).expect("a VERIFY with a value");
    let before = card.state();
    assert_eq!(
        at_stake.tries_left[&PinId::AuthPin] + 1,
        before.tries_left[&PinId::AuthPin]
    );
    // A retry query changes nothing; neither does any other command.
    assert_eq!(
        card.state_at_stake(&hex::decode("0020008000").unwrap()),
        None
    );
    assert_eq!(
        card.state_at_stake(&hex::decode("00B0000004").unwrap()),
        None
    );
    // What is at stake is what a wrong PIN leaves.
    let _ = card.transmit(&wrong);
    assert_eq!(card.state(), at_stake);
}

#[test]
fn trace_redacts_reference_data_of_every_pin_command() {
    // A case-4 VERIFY (Le after the PIN), VERIFY with a proprietary class, a VERIFY
    // whose Lc does not match its data, CHANGE REFERENCE DATA and RESET RETRY COUNTER:
    // none may leave a PIN byte ("31 32 33 34", or any part of it) in the trace.
    let mut card = VirtualCard::new(&profile());
    sw(&mut card, SELECT_JPKI);
    sw(&mut card, "00A4020C020018");
    for apdu in [
        "00200080043132333400",
        "802000800431323334",
        "0C200080043132333400",
        "0020008004313233",
        "002000800531323334",
        "0024008008313233343132333400",
        "002C0080083132333431323334",
        "00200080000004313233340000",
    ] {
        sw(&mut card, apdu);
    }
    let trace = card.trace();
    for e in &trace.entries[2..] {
        for digit in ["31", "32", "33", "34"] {
            assert!(
                !e.command.split(' ').any(|b| b == digit),
                "a PIN byte in {:?}",
                e.command
            );
        }
        assert!(e.command.contains("**"), "{:?}", e.command);
    }
}
