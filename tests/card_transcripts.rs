//! Full APDU transcripts of a real persona's card, as snapshots: what a reader sees,
//! byte for byte, with PINs redacted.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use onshi::card::VirtualCard;
use onshi::channel::{CardChannel, InProcessChannel};
use onshi::defaults;
use onshi::hex;
use onshi::persona::CardFactory;
use onshi::pki::{HashAlg, KeyCache};

fn card(persona: &str) -> InProcessChannel {
    let set = defaults::personas(None).expect("embedded personas");
    let p = set.get(persona).expect("persona");
    let keys = defaults::key_cache_dir().map_or_else(KeyCache::memory, KeyCache::with_dir);
    let factory = CardFactory::new(defaults::DEFAULT_SEED, keys).expect("factory");
    let issued = factory
        .issue(&p.resolve(defaults::default_as_of(), defaults::DEFAULT_SEED))
        .expect("issue");
    InProcessChannel::new(VirtualCard::new(&issued.profile))
}

fn send(ch: &mut InProcessChannel, apdu: &str) {
    let _ = ch.transmit_raw(&hex::decode(apdu).unwrap());
}

const SELECT_JPKI: &str = "00A4040C0AD392F000260100000001";

#[test]
fn read_auth_certificate() {
    let mut ch = card("standard-adult");
    send(&mut ch, SELECT_JPKI);
    send(&mut ch, "00A4020C02000A");
    send(&mut ch, "00B0000004");
    for chunk in 0..3 {
        send(&mut ch, &format!("00B0{:02X}0000", chunk));
    }
    send(&mut ch, "00B00300FD");
    insta::assert_snapshot!(ch.trace().transcript());
}

#[test]
fn verify_and_sign() {
    let mut ch = card("standard-adult");
    send(&mut ch, SELECT_JPKI);
    send(&mut ch, "00A4020C020018");
    send(&mut ch, "00200080");
    send(&mut ch, "002000800431323334");
    send(&mut ch, "00A4020C020017");
    let di = HashAlg::Sha256.digest_info(b"onshi transcript challenge");
    send(
        &mut ch,
        &format!("802A0080{:02X}{}00", di.len(), hex::encode(&di)),
    );
    insta::assert_snapshot!(ch.trace().transcript());
}

#[test]
fn lockout_sequence() {
    let mut ch = card("standard-adult");
    send(&mut ch, SELECT_JPKI);
    send(&mut ch, "00A4020C020018");
    send(&mut ch, "00200080");
    for _ in 0..3 {
        send(&mut ch, "002000800430303030");
    }
    send(&mut ch, "00200080");
    send(&mut ch, "002000800431323334");
    send(&mut ch, "00A4020C020017");
    send(&mut ch, "802A00800401020304");
    let trace = ch.trace();
    assert!(
        !trace.transcript().contains("31 32 33 34"),
        "PIN leaked into the transcript"
    );
    insta::assert_snapshot!(trace.transcript());
}

#[test]
fn input_support_read() {
    let mut ch = card("kyuji-name");
    send(&mut ch, "00A4040C0AD3921000310001010408");
    send(&mut ch, "00A4020C020011");
    send(&mut ch, "00200080");
    send(&mut ch, &format!("0020008004{}", hex::encode(b"1970")));
    send(&mut ch, "00A4020C020002");
    send(&mut ch, "00B0000000");
    let trace = ch.trace();
    assert!(!trace.my_number_read());
    insta::assert_snapshot!(trace.transcript());
    insta::assert_json_snapshot!("input_support_read_json", trace.entries[3..].to_vec());
}
