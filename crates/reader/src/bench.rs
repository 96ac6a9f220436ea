//! Benchmarks of the virtual card (driven by `onshi bench card`). Every figure is a
//! median over rounds, and every ratio is against a baseline measured in the same run,
//! interleaved, because the machines are noisy.

use std::time::Instant;

use serde::Serialize;

use onshi_card::card::{CardProfile, VirtualCard};
use onshi_pki::pki::{HashAlg, RsaKey};

/// One measured figure, with its baseline when it has one.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    /// What was measured.
    pub name: String,
    /// Median value.
    pub value: f64,
    /// Unit of `value`.
    pub unit: &'static str,
    /// Baseline measured in the same run, if any.
    pub baseline: Option<f64>,
    /// `value / baseline` (or baseline/value for rates, see `higher_is_better`).
    pub ratio: Option<f64>,
    /// The target, as text.
    pub target: String,
    /// Whether the target is met.
    pub met: bool,
}

impl Figure {
    /// One line of the benchmark table: MET/MISS, the name padded to `width`, the
    /// value, the baseline and ratio when there are, the target.
    pub fn line(&self, width: usize) -> String {
        let base = match (self.baseline, self.ratio) {
            (Some(b), Some(r)) => format!("  baseline {b:.1} {}  ratio {r:.3}", self.unit),
            (Some(b), None) => format!("  baseline {b:.1} {}", self.unit),
            _ => String::new(),
        };
        format!(
            "{} {:<width$} {:>12.1} {}{}  target {}",
            if self.met { "MET " } else { "MISS" },
            self.name,
            self.value,
            self.unit,
            base,
            self.target
        )
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

const SELECT_JPKI: [u8; 15] = [
    0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01,
];
const SELECT_AUTH_CERT: [u8; 7] = [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x0A];
const READ_256: [u8; 5] = [0x00, 0xB0, 0x00, 0x00, 0x00];

/// In-process APDU throughput on one core: SELECT + READ BINARY pairs, tracing off.
/// Target ≥ 1 M APDU/s.
pub fn apdu_throughput(profile: &CardProfile, rounds: usize, pairs_per_round: usize) -> Figure {
    let mut card = VirtualCard::new(profile);
    card.set_tracing(false);
    let mut out = Vec::with_capacity(300);
    card.transmit_into(&SELECT_JPKI, &mut out, None);
    let mut rates = Vec::with_capacity(rounds);
    for _ in 0..rounds.max(1) {
        let t = Instant::now();
        for _ in 0..pairs_per_round {
            card.transmit_into(std::hint::black_box(&SELECT_AUTH_CERT), &mut out, None);
            card.transmit_into(std::hint::black_box(&READ_256), &mut out, None);
            std::hint::black_box(&out);
        }
        rates.push((2 * pairs_per_round) as f64 / t.elapsed().as_secs_f64());
        assert_eq!(out.len(), 258, "READ BINARY must return 256 bytes + 90 00");
    }
    let value = median(&mut rates);
    Figure {
        name: "in-process APDU throughput (SELECT EF + READ BINARY 256, one core)".into(),
        value,
        unit: "APDU/s",
        baseline: None,
        ratio: None,
        target: "≥ 1,000,000 APDU/s".into(),
        met: value >= 1_000_000.0,
    }
}

/// A card signature (`80 2A 00 80` over a SHA-256 DigestInfo, through
/// [`VirtualCard::transmit`]) against a plain aws-lc-rs `RsaKeyPair::sign` with
/// `RSA_PKCS1_SHA256` over the same message with the same key, interleaved. Target: the
/// card path costs ≤ 1.3× the plain signature.
pub fn sign_vs_plain(profile: &CardProfile, key: &RsaKey, pin: &[u8], iterations: usize) -> Figure {
    let mut card = VirtualCard::new(profile);
    card.set_tracing(false);
    let mut out = Vec::new();
    card.transmit_into(&SELECT_JPKI, &mut out, None);
    card.transmit_into(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x18], &mut out, None);
    let mut verify = vec![0x00, 0x20, 0x00, 0x80, pin.len() as u8];
    verify.extend_from_slice(pin);
    card.transmit_into(&verify, &mut out, None);
    card.transmit_into(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x17], &mut out, None);
    let message = [0x5Au8; 32];
    let di = HashAlg::Sha256.digest_info(&message);
    let mut sign = vec![0x80, 0x2A, 0x00, 0x80, di.len() as u8];
    sign.extend_from_slice(&di);
    sign.push(0x00);
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let mut plain_sig = vec![0u8; key.key_pair().public_modulus_len()];
    let mut card_ns = Vec::with_capacity(iterations);
    let mut plain_ns = Vec::with_capacity(iterations);
    for i in 0..iterations.max(1) + 3 {
        let t = Instant::now();
        card.transmit_into(std::hint::black_box(&sign), &mut out, None);
        let c = t.elapsed().as_nanos() as f64;
        assert_eq!(out.len(), 258, "the card must sign (is the PIN right?)");
        let t = Instant::now();
        let r = key.key_pair().sign(
            &aws_lc_rs::signature::RSA_PKCS1_SHA256,
            &rng,
            std::hint::black_box(&message),
            &mut plain_sig,
        );
        let p = t.elapsed().as_nanos() as f64;
        r.expect("plain aws-lc-rs signature");
        if i >= 3 {
            card_ns.push(c);
            plain_ns.push(p);
        }
    }
    let card_median = median(&mut card_ns);
    let plain_median = median(&mut plain_ns);
    let ratio = card_median / plain_median;
    Figure {
        name: "card signature (80 2A through the card) vs plain aws-lc-rs RSA-2048 sign".into(),
        value: card_median / 1000.0,
        unit: "µs",
        baseline: Some(plain_median / 1000.0),
        ratio: Some(ratio),
        target: "≤ 1.3× the plain signature".into(),
        met: ratio <= 1.3,
    }
}

#[cfg(feature = "pcsc")]
pub use pcsc_bench::round_trip_vs_trivial;

#[cfg(feature = "pcsc")]
mod pcsc_bench {
    use std::net::SocketAddr;
    use std::time::{Duration, Instant};

    use super::{Figure, SELECT_JPKI, median};
    use crate::channel::{CardChannel, ChannelError, PcscChannel, wait_for_card, wait_for_empty};
    use crate::vpcd::{ServedCard, StopHandle, serve};
    use onshi_card::card::{CardProfile, VirtualCard};

    /// A trivial card that answers `90 00` to everything, on its own thread, with the
    /// same QUICKACK treatment as ours (vpicc's `DummySmartCard` semantics).
    fn serve_trivial(addr: SocketAddr, stop: StopHandle) -> std::thread::JoinHandle<()> {
        std::thread::spawn(move || {
            use std::os::fd::AsRawFd;
            while !stop.is_stopped() {
                let Ok(stream) = std::net::TcpStream::connect(addr) else {
                    std::thread::sleep(Duration::from_millis(100));
                    continue;
                };
                let ctl = stream.try_clone().expect("clone");
                let fd = ctl.as_raw_fd();
                let stop2 = stop.clone();
                let ctl2 = ctl.try_clone().expect("clone");
                std::thread::spawn(move || {
                    while !stop2.is_stopped() {
                        std::thread::sleep(Duration::from_millis(20));
                    }
                    let _ = ctl2.shutdown(std::net::Shutdown::Both);
                });
                let mut conn = vpicc::Connection::from(stream);
                let mut card = vpicc::DummySmartCard;
                loop {
                    crate::vpcd::quickack(fd);
                    if conn.poll(&mut card).is_err() {
                        break;
                    }
                }
            }
        })
    }

    /// Times one SELECT round trip.
    fn once(ch: &mut PcscChannel) -> Result<f64, ChannelError> {
        let t = Instant::now();
        let r = ch.transmit(&SELECT_JPKI)?;
        let d = t.elapsed().as_secs_f64();
        if !r.status.is_success() {
            return Err(ChannelError::Transport(format!(
                "SELECT answered {}",
                r.status
            )));
        }
        Ok(d)
    }

    /// One phase: our card on `ours_slot`, the trivial card on the other slot, APDUs
    /// interleaved one by one so both see the same machine at the same moment.
    fn phase(
        profile: &CardProfile,
        base: SocketAddr,
        ours_slot: u16,
        n: usize,
        lat_ours: &mut Vec<f64>,
        lat_trivial: &mut Vec<f64>,
    ) -> Result<(), ChannelError> {
        let stop = StopHandle::new();
        let mut card = VirtualCard::new(profile);
        card.set_tracing(false);
        let mut ours_addr = base;
        ours_addr.set_port(base.port() + ours_slot);
        let mut trivial_addr = base;
        trivial_addr.set_port(base.port() + 1 - ours_slot);
        let ours = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                serve(
                    ServedCard {
                        id: "bench".into(),
                        card,
                        state: None,
                        keep_trace: false,
                        pull_after: None,
                    },
                    ours_addr,
                    stop,
                )
            })
        };
        let trivial = serve_trivial(trivial_addr, stop.clone());
        let reader = |slot: u16| format!("Virtual PCD 00 0{slot}");
        let result = (|| {
            wait_for_card(&reader(ours_slot), Duration::from_secs(10))?;
            wait_for_card(&reader(1 - ours_slot), Duration::from_secs(10))?;
            let mut a = PcscChannel::connect(&reader(ours_slot))?;
            let mut b = PcscChannel::connect(&reader(1 - ours_slot))?;
            for _ in 0..100 {
                once(&mut a)?;
                once(&mut b)?;
            }
            for _ in 0..n {
                lat_ours.push(once(&mut a)?);
                lat_trivial.push(once(&mut b)?);
            }
            Ok(())
        })();
        stop.stop();
        let _ = ours.join();
        let _ = trivial.join();
        let _ = wait_for_empty(&reader(0), Duration::from_secs(5));
        let _ = wait_for_empty(&reader(1), Duration::from_secs(5));
        result
    }

    /// SELECT round trips through pcscd + vpcd to our card and to a trivial
    /// always-9000 card, interleaved APDU by APDU, in two phases with the vpcd slots
    /// swapped. Reports the rate from the median latency. Target: ours ≥ 0.9× trivial.
    pub fn round_trip_vs_trivial(
        profile: &CardProfile,
        base: SocketAddr,
        _rounds: usize,
        per_round: usize,
    ) -> Result<Figure, ChannelError> {
        let (mut ours, mut trivial) = (Vec::new(), Vec::new());
        phase(profile, base, 0, per_round, &mut ours, &mut trivial)?;
        phase(profile, base, 1, per_round, &mut ours, &mut trivial)?;
        let ours_rate = 1.0 / median(&mut ours);
        let trivial_rate = 1.0 / median(&mut trivial);
        let ratio = ours_rate / trivial_rate;
        Ok(Figure {
            name: "APDU round trip through pcscd + vpcd (SELECT), our card vs a trivial 9000 card"
                .into(),
            value: ours_rate,
            unit: "APDU/s",
            baseline: Some(trivial_rate),
            ratio: Some(ratio),
            target: "≥ 0.9× the trivial card".into(),
            met: ratio >= 0.9,
        })
    }
}
