//! Exposes virtual cards to real PC/SC software through pcscd + vsmartcard's vpcd.
//!
//! vpcd listens (Debian: `0.0.0.0:35963` and `:35964` for "Virtual PCD 00 00/00 01");
//! each card connects to one port using the `vpicc` crate and answers vpcd's frames.
//! Three things the plain crate does not do are done here:
//! - `TCP_QUICKACK` is set before every poll: Debian 12's vpcd sends length and APDU in
//!   two writes without `TCP_NODELAY`, so without it every APDU waits ~40 ms for a
//!   delayed ACK;
//! - the connection is re-established with backoff when pcscd restarts;
//! - [`StopHandle::stop`] ends the blocking poll from another thread (Ctrl-C, SIGTERM)
//!   by shutting the socket down.
//!
//! The blocking `std::net` loop runs on its own thread, never on a tokio worker.

use std::net::{Shutdown, SocketAddr, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::cardstate::StateDir;
use onshi_card::card::{Status, VirtualCard};

/// The default vpcd address (Debian's `/etc/reader.conf.d/vpcd`).
pub const DEFAULT_VPCD: &str = "127.0.0.1:35963";

/// Stops serving cards from any thread.
#[derive(Debug, Clone, Default)]
pub struct StopHandle {
    inner: Arc<StopInner>,
}

#[derive(Debug, Default)]
struct StopInner {
    stopped: AtomicBool,
    streams: Mutex<Vec<TcpStream>>,
}

impl StopHandle {
    /// A new handle.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks every card served with this handle to disconnect and return.
    pub fn stop(&self) {
        self.inner.stopped.store(true, Ordering::SeqCst);
        if let Ok(streams) = self.inner.streams.lock() {
            for s in streams.iter() {
                let _ = s.shutdown(Shutdown::Both);
            }
        }
    }

    /// Whether [`Self::stop`] was called.
    pub fn is_stopped(&self) -> bool {
        self.inner.stopped.load(Ordering::SeqCst)
    }

    fn register(&self, stream: &TcpStream) {
        if let (Ok(clone), Ok(mut streams)) = (stream.try_clone(), self.inner.streams.lock()) {
            streams.push(clone);
        }
        // A stop that raced with the connect must still end this connection.
        if self.is_stopped() {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    fn sleep(&self, total: Duration) {
        let step = Duration::from_millis(20);
        let mut left = total;
        while !left.is_zero() && !self.is_stopped() {
            let d = left.min(step);
            std::thread::sleep(d);
            left -= d;
        }
    }
}

/// One card as served: the card, its id, and where its state is kept.
#[derive(Debug)]
pub struct ServedCard {
    /// The persona id (state file name).
    pub id: String,
    /// The card.
    pub card: VirtualCard,
    /// The state directory, when PIN counters must survive restarts.
    pub state: Option<StateDir>,
    /// Keep the APDU trace (evidence for a conformance run); otherwise it is dropped
    /// after every APDU so a long-running server does not grow.
    pub keep_trace: bool,
    /// The patient lifts the card after this many APDUs: the next APDU gets no
    /// answer, the connection to vpcd is dropped (pcscd reports the card removed) and
    /// the card stays away until [`StopHandle::stop`].
    pub pull_after: Option<usize>,
}

/// Adapter from [`VirtualCard`] to vpicc's trait, persisting state changes.
struct Adapter<'a> {
    served: &'a mut ServedCard,
    saved_revision: u64,
    /// The current connection, to hang up on when the chip goes mute.
    control: Option<TcpStream>,
    /// Set when the chip gave no answer and the connection was dropped.
    went_mute: bool,
    /// APDUs answered so far (for [`ServedCard::pull_after`]).
    answered: usize,
    /// Set when the card was lifted off the reader.
    pulled: bool,
    /// Set while a changed state could not be saved: VERIFY is refused until it is,
    /// so a lost save can never give tries back.
    unsaved: bool,
}

impl Adapter<'_> {
    fn persist(&mut self) {
        let rev = self.served.card.state_revision();
        if rev == self.saved_revision {
            return;
        }
        if let Some(dir) = &self.served.state {
            match dir.save(&self.served.id, &self.served.card.state()) {
                Ok(()) => {
                    self.saved_revision = rev;
                    self.unsaved = false;
                }
                Err(e) => {
                    self.unsaved = true;
                    tracing::error!(card = %self.served.id, "saving card state failed: {e}; VERIFY is refused until it is saved");
                }
            }
        }
    }
}

impl vpicc::VSmartCard for Adapter<'_> {
    fn atr(&self) -> &[u8] {
        self.served.card.atr()
    }

    fn power_on(&mut self) {
        tracing::debug!(card = %self.served.id, "power on");
        self.served.card.reset();
    }

    fn power_off(&mut self) {
        tracing::debug!(card = %self.served.id, "power off");
        self.served.card.reset();
    }

    fn reset(&mut self) {
        tracing::debug!(card = %self.served.id, "reset");
        self.served.card.reset();
    }

    fn execute(&mut self, apdu: &[u8]) -> Vec<u8> {
        if self.served.pull_after.is_some_and(|n| self.answered >= n) {
            // The patient lifted the card: no answer, and the reader loses it.
            tracing::debug!(card = %self.served.id, "card pulled after {} APDU(s)", self.answered);
            self.pulled = true;
            if let Some(c) = &self.control {
                let _ = c.shutdown(Shutdown::Both);
            }
            return Vec::new();
        }
        self.answered += 1;
        if self.unsaved {
            self.persist();
        }
        // As a chip does: the decremented retry counter is durable before the PIN is
        // compared, so a crash or a full disk can cost a try, never give one back.
        if let (Some(dir), Some(at_stake)) =
            (&self.served.state, self.served.card.state_at_stake(apdu))
            && let Err(e) = dir.save(&self.served.id, &at_stake)
        {
            self.unsaved = true;
            tracing::error!(card = %self.served.id, "saving card state failed: {e}; VERIFY is refused (65 81) until it can be saved");
            return Status::MemoryFailure.to_bytes().to_vec();
        }
        let response = self.served.card.transmit(apdu);
        if response.is_empty() {
            // A mute chip: vpcd would wait forever for a zero-length reply (and block
            // pcscd with it), so hang up instead — the reader sees the card vanish.
            self.went_mute = true;
            if let Some(c) = &self.control {
                let _ = c.shutdown(Shutdown::Both);
            }
        }
        if tracing::enabled!(tracing::Level::DEBUG)
            && let Some(e) = self.served.card.trace().entries.last()
        {
            tracing::debug!(card = %self.served.id, ">> {} | {}", e.command, e.meaning);
        }
        if !self.served.keep_trace {
            let _ = self.served.card.take_trace();
        }
        self.persist();
        response
    }
}

/// Turns on TCP_QUICKACK on a connected socket, so a small answer is acknowledged at
/// once instead of after the delayed-ACK timer (vpcd's request/response pattern).
pub(crate) fn quickack(fd: std::os::fd::RawFd) {
    let one: libc::c_int = 1;
    // SAFETY: setsockopt on a valid, open socket descriptor with a pointer to a c_int
    // and its exact size; the kernel copies the value and keeps no pointer.
    unsafe {
        libc::setsockopt(
            fd,
            libc::IPPROTO_TCP,
            libc::TCP_QUICKACK,
            (&one as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
    }
}

/// Restores the card's PIN counters from `dir`. A state that cannot be read (truncated,
/// empty, corrupt, unreadable) restarts the card with every PIN locked — fail closed,
/// never a fresh card — and says so.
fn restore_state(served: &mut ServedCard, dir: &StateDir) {
    match dir.load(&served.id) {
        Ok(Some(state)) => {
            tracing::info!(card = %served.id, "restored PIN counters from {}", dir.path().display());
            served.card.restore(&state);
        }
        Ok(None) => {}
        Err(e) => {
            let locked = served.card.state().all_locked();
            served.card.restore(&locked);
            tracing::error!(card = %served.id, "{e}: the card's PINs are locked until the state is repaired");
            // Write the locked state over the damaged file, so it stays locked.
            if let Err(e) = dir.save(&served.id, &locked) {
                tracing::error!(card = %served.id, "saving the locked state failed: {e}");
            }
        }
    }
}

/// Serves one card to vpcd at `addr` until `stop` is called, then hands the card back
/// (with its trace when `keep_trace` is set). Reconnects with backoff (100 ms doubling
/// to 2 s) when vpcd is not listening or the connection drops.
pub fn serve(mut served: ServedCard, addr: SocketAddr, stop: StopHandle) -> ServedCard {
    if let Some(dir) = served.state.clone() {
        restore_state(&mut served, &dir);
    }
    let mut adapter = Adapter {
        saved_revision: served.card.state_revision(),
        served: &mut served,
        control: None,
        went_mute: false,
        answered: 0,
        pulled: false,
        unsaved: false,
    };
    let mut backoff = Duration::from_millis(100);
    while !stop.is_stopped() {
        let stream = match TcpStream::connect_timeout(&addr, Duration::from_secs(2)) {
            Ok(s) => s,
            Err(e) => {
                tracing::debug!(%addr, "vpcd not reachable ({e}); retrying in {backoff:?}");
                stop.sleep(backoff);
                backoff = (backoff * 2).min(Duration::from_secs(2));
                continue;
            }
        };
        backoff = Duration::from_millis(100);
        let _ = stream.set_nodelay(true);
        let Ok(control) = stream.try_clone() else {
            continue;
        };
        stop.register(&control);
        adapter.control = control.try_clone().ok();
        tracing::info!(card = %adapter.served.id, %addr, "connected to vpcd");
        let mut conn = vpicc::Connection::from(stream);
        loop {
            quickack(control.as_raw_fd());
            if let Err(e) = conn.poll(&mut adapter) {
                if !stop.is_stopped() {
                    tracing::info!(card = %adapter.served.id, %addr, "vpcd connection ended ({e}); reconnecting");
                }
                break;
            }
        }
        adapter.served.card.reset();
        if adapter.pulled {
            // A lifted card does not come back by itself.
            while !stop.is_stopped() {
                stop.sleep(Duration::from_millis(100));
            }
            break;
        }
        if std::mem::take(&mut adapter.went_mute) {
            // Stay out long enough for pcscd (400 ms polls) to see the card gone.
            stop.sleep(Duration::from_millis(1500));
        }
    }
    adapter.persist();
    served
}

/// Starts serving each card on its own thread; card `i` uses `base` port + `i`.
pub fn serve_all(
    cards: Vec<ServedCard>,
    base: SocketAddr,
    stop: &StopHandle,
) -> Vec<std::thread::JoinHandle<ServedCard>> {
    cards
        .into_iter()
        .enumerate()
        .map(|(i, card)| {
            let mut addr = base;
            addr.set_port(base.port().wrapping_add(i as u16));
            let stop = stop.clone();
            std::thread::Builder::new()
                .name(format!("vpcd-{}", card.id))
                .spawn(move || serve(card, addr, stop))
                .expect("spawning a thread")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    use onshi_card::card::PinId;
    use vpicc::VSmartCard;

    fn served(dir: &StateDir) -> ServedCard {
        ServedCard {
            id: "alice".into(),
            card: VirtualCard::new(&onshi_card::card::sample::profile()),
            state: Some(dir.clone()),
            keep_trace: false,
            pull_after: None,
        }
    }

    /// SELECT the JPKI AP and its auth PIN, then VERIFY `pin`.
    fn verify(a: &mut Adapter<'_>, pin: &[u8]) -> Vec<u8> {
        let jpki = onshi_card::card::ids::JPKI_AID.as_bytes();
        let mut select = vec![0x00, 0xA4, 0x04, 0x0C, jpki.len() as u8];
        select.extend_from_slice(jpki);
        a.execute(&select);
        let [hi, lo] = onshi_card::card::ids::jpki::AUTH_PIN.0.to_be_bytes();
        a.execute(&[0x00, 0xA4, 0x02, 0x0C, 0x02, hi, lo]);
        let mut v = vec![0x00, 0x20, 0x00, 0x80, pin.len() as u8];
        v.extend_from_slice(pin);
        a.execute(&v)
    }

    #[test]
    fn damaged_state_restarts_the_card_locked() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = StateDir::open(tmp.path()).unwrap();
        for damage in [&b""[..], &b"{\"tries_left\": {"[..], &b"not json"[..]] {
            std::fs::write(tmp.path().join("alice.json"), damage).unwrap();
            let mut s = served(&dir);
            restore_state(&mut s, &dir);
            let state = s.card.state();
            assert!(!state.tries_left.is_empty());
            assert!(state.tries_left.values().all(|t| *t == 0), "{state:?}");
            // The locked state replaced the damaged file: a second restart stays locked.
            let mut again = served(&dir);
            restore_state(&mut again, &dir);
            assert!(again.card.state().is_locked(PinId::AuthPin));
        }
    }

    #[test]
    fn a_lost_save_refuses_verify_until_saved() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("state");
        let dir = StateDir::open(&root).unwrap();
        let mut s = served(&dir);
        let mut a = Adapter {
            saved_revision: s.card.state_revision(),
            served: &mut s,
            control: None,
            went_mute: false,
            answered: 0,
            pulled: false,
            unsaved: false,
        };
        let first = verify(&mut a, b"9999");
        assert_eq!(first, vec![0x63, 0xC2], "a wrong PIN counts down");
        assert_eq!(
            dir.load("alice").unwrap().unwrap().tries_left[&PinId::AuthPin],
            2
        );
        // The disk goes away: the directory becomes a file.
        std::fs::remove_dir_all(&root).unwrap();
        std::fs::write(&root, b"").unwrap();
        for pin in [b"9999", b"1234"] {
            assert_eq!(
                verify(&mut a, pin),
                vec![0x65, 0x81],
                "no PIN is compared while its counter cannot be saved"
            );
        }
        assert_eq!(
            a.served.card.state().tries_left[&PinId::AuthPin],
            2,
            "refused attempts are not compared"
        );
        // The disk comes back: the next VERIFY saves first, then runs.
        std::fs::remove_file(&root).unwrap();
        std::fs::create_dir(&root).unwrap();
        assert_eq!(verify(&mut a, b"1234"), vec![0x90, 0x00]);
        assert!(!a.unsaved);
        let saved = dir.load("alice").unwrap().unwrap();
        assert_eq!(saved.tries_left[&PinId::AuthPin], 3);
    }

    fn frame(body: &[u8]) -> Vec<u8> {
        let mut v = (body.len() as u16).to_be_bytes().to_vec();
        v.extend_from_slice(body);
        v
    }

    fn read_frame(s: &mut TcpStream) -> Vec<u8> {
        let mut len = [0u8; 2];
        s.read_exact(&mut len).unwrap();
        let mut body = vec![0u8; usize::from(u16::from_be_bytes(len))];
        s.read_exact(&mut body).unwrap();
        body
    }

    /// A card pulled after two APDUs answers two, hangs up on the third and does not
    /// come back until stopped.
    #[test]
    fn a_pulled_card_hangs_up_and_stays_away() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = StopHandle::new();
        let handle = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                serve(
                    ServedCard {
                        id: "t".into(),
                        card: VirtualCard::new(&onshi_card::card::sample::profile()),
                        state: None,
                        keep_trace: true,
                        pull_after: Some(2),
                    },
                    addr,
                    stop,
                )
            })
        };
        let (mut s, _) = listener.accept().unwrap();
        let select = onshi_support::hex::decode("00A4040C0AD392F000260100000001").unwrap();
        for _ in 0..2 {
            s.write_all(&frame(&select)).unwrap();
            assert_eq!(read_frame(&mut s), vec![0x90, 0x00]);
        }
        s.write_all(&frame(&select)).unwrap();
        let mut rest = Vec::new();
        let _ = s.read_to_end(&mut rest);
        assert!(rest.is_empty(), "the pulled card answered {rest:02X?}");
        listener.set_nonblocking(true).unwrap();
        std::thread::sleep(Duration::from_millis(600));
        assert!(
            listener.accept().is_err(),
            "a pulled card must not reconnect by itself"
        );
        stop.stop();
        let served = handle.join().unwrap();
        assert_eq!(
            served.card.trace().entries.len(),
            2,
            "two APDUs reached the chip"
        );
    }

    /// A fake vpcd: accepts the card, asks for the ATR, sends a SELECT, then drops the
    /// connection so the card must reconnect; the second connection is stopped.
    #[test]
    fn answers_vpcd_frames_and_reconnects() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let card = VirtualCard::new(&onshi_card::card::sample::profile());
        let stop = StopHandle::new();
        let handle = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                serve(
                    ServedCard {
                        id: "t".into(),
                        card,
                        state: None,
                        keep_trace: false,
                        pull_after: None,
                    },
                    addr,
                    stop,
                )
            })
        };
        let (mut s, _) = listener.accept().unwrap();
        s.write_all(&frame(&[0x04])).unwrap();
        assert_eq!(
            read_frame(&mut s),
            onshi_card::card::CardProfile::DEFAULT_ATR
        );
        s.write_all(&frame(
            &onshi_support::hex::decode("00A4040C0AD392F000260100000001").unwrap(),
        ))
        .unwrap();
        assert_eq!(read_frame(&mut s), vec![0x90, 0x00]);
        s.write_all(&frame(
            &onshi_support::hex::decode("00A4040C05A000000116").unwrap(),
        ))
        .unwrap();
        assert_eq!(read_frame(&mut s), vec![0x6A, 0x82]);
        drop(s);
        let (mut s2, _) = listener.accept().unwrap();
        s2.write_all(&frame(&[0x04])).unwrap();
        assert_eq!(
            read_frame(&mut s2).len(),
            onshi_card::card::CardProfile::DEFAULT_ATR.len()
        );
        stop.stop();
        handle.join().unwrap();
    }
}
