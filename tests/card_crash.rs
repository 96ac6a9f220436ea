//! A PIN lock never fails open: `onshi cards serve --state-dir` is killed (SIGKILL) at
//! random points of a wrong-PIN loop, restarted, and asked for its tries left; the
//! counter never goes up. Then the same on a full disk: no PIN is compared while its
//! decremented counter cannot be saved, and nothing is given back after a restart.
//!
//! The test plays vpcd itself (the card server is a vpcd client), so it needs no
//! pcscd. `ONSHI_CRASH_KILLS` sets the number of kills (default 150; the figures in
//! `docs/reliability.md` are from a long run).
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A persona whose authentication PIN is 1212 (its tries: 3).
const PERSONA: &str = "accuracy-hold";
const SELECT_JPKI: &str = "00A4040C0AD392F000260100000001";
const SELECT_AUTH_PIN: &str = "00A4020C020018";
const RETRY_QUERY: &str = "0020008000";
const WRONG_PIN: &str = "002000800439393939";
const RIGHT_PIN: &str = "002000800431323132";

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// The card server on `port` with its state in `state`; `limit_files` runs it with
/// every file write failing (RLIMIT_FSIZE 1 byte, SIGXFSZ ignored) — a full disk where
/// no tmpfs can be mounted.
fn card_server(port: u16, state: &Path, limit_files: bool) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_onshi"));
    cmd.args(["cards", "serve", "--vpcd", &format!("127.0.0.1:{port}")])
        .arg("--state-dir")
        .arg(state)
        .arg(PERSONA)
        .env("ONSHI_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if limit_files {
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
                let lim = libc::rlimit {
                    rlim_cur: 1,
                    rlim_max: 1,
                };
                libc::setrlimit(libc::RLIMIT_FSIZE, &lim);
                Ok(())
            });
        }
    }
    cmd.spawn().unwrap()
}

/// The vpcd side of one card connection.
struct Vpcd(TcpStream);

impl Vpcd {
    fn accept(listener: &TcpListener) -> Self {
        let (s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        s.set_nodelay(true).unwrap();
        let mut v = Self(s);
        v.send(&[0x01]); // power on (no answer)
        v
    }

    fn send(&mut self, body: &[u8]) {
        let mut f = (body.len() as u16).to_be_bytes().to_vec();
        f.extend_from_slice(body);
        self.0.write_all(&f).unwrap();
    }

    fn answer(&mut self) -> Option<Vec<u8>> {
        let mut len = [0u8; 2];
        self.0.read_exact(&mut len).ok()?;
        let mut body = vec![0u8; usize::from(u16::from_be_bytes(len))];
        self.0.read_exact(&mut body).ok()?;
        Some(body)
    }

    fn apdu(&mut self, hex_apdu: &str) -> Vec<u8> {
        self.send(&hex(hex_apdu));
        self.answer().expect("an answer")
    }

    /// Selects the authentication PIN and asks for its tries left.
    fn tries_left(&mut self) -> u8 {
        assert_eq!(self.apdu(SELECT_JPKI), [0x90, 0x00]);
        assert_eq!(self.apdu(SELECT_AUTH_PIN), [0x90, 0x00]);
        let r = self.apdu(RETRY_QUERY);
        assert_eq!(r[0], 0x63, "{r:02X?}");
        r[1] & 0x0F
    }
}

fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// A small deterministic generator (xorshift), seeded; the seed is printed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn killed_at_random_points_of_a_wrong_pin_loop_the_counter_never_goes_up() {
    let kills: u32 = std::env::var("ONSHI_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(150);
    let seed = 0x5EED_0C4A_u64;
    eprintln!("crash test: {kills} kills, seed {seed:#x}");
    let mut rng = Rng(seed);
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // The most tries the card may have: lowered by every answer the loop has seen.
    let mut bound = 3u8;
    let (mut answered, mut unanswered, mut resets) = (0u32, 0u32, 0u32);
    for i in 0..kills {
        let mut server = card_server(port, &state, false);
        let mut vpcd = Vpcd::accept(&listener);
        let left = vpcd.tries_left();
        assert!(
            left <= bound,
            "kill {i}: the card came back with {left} tries after {bound} were seen"
        );
        bound = left;
        if left == 0 {
            // Locked: the municipality resets the PIN (a new state).
            kill(&mut server);
            std::fs::remove_dir_all(&state).unwrap();
            bound = 3;
            resets += 1;
            continue;
        }
        // The wrong PIN, then the kill at a random moment: before the card read it,
        // while it saves, after it answered.
        vpcd.send(&hex(WRONG_PIN));
        let wait_us = rng.next() % 3000;
        if rng.next().is_multiple_of(4) {
            if let Some(r) = vpcd.answer() {
                assert_eq!(r, [0x63, 0xC0 | (left - 1)], "kill {i}");
                bound = left - 1;
                answered += 1;
            }
        } else {
            std::thread::sleep(Duration::from_micros(wait_us));
            unanswered += 1;
        }
        kill(&mut server);
    }
    eprintln!(
        "crash test: {kills} kills ({answered} after the answer, {unanswered} at random points before or during it), {resets} lockouts reached and reset"
    );
    assert!(resets > 0, "the loop reached a lockout at least once");
}

/// A full disk: a tmpfs filled to the last byte where it can be mounted (root), else
/// every file write failing by RLIMIT_FSIZE.
struct FullDisk {
    dir: tempfile::TempDir,
    mounted: bool,
}

impl FullDisk {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
            .arg(dir.path())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        Self { dir, mounted }
    }

    fn state(&self) -> std::path::PathBuf {
        self.dir.path().join("state")
    }

    /// Fills the tmpfs (nothing to do when writes are limited per process).
    fn fill(&self) {
        if self.mounted {
            let mut f = std::fs::File::create(self.dir.path().join("filler")).unwrap();
            let block = [0u8; 4096];
            while f.write_all(&block).is_ok() {}
            let _ = f.sync_all();
        }
    }

    fn free(&self) {
        let _ = std::fs::remove_file(self.dir.path().join("filler"));
    }
}

impl Drop for FullDisk {
    fn drop(&mut self) {
        if self.mounted {
            let _ = Command::new("umount").arg(self.dir.path()).status();
        }
    }
}

#[test]
fn on_a_full_disk_no_pin_is_compared_and_nothing_is_given_back() {
    let disk = FullDisk::new();
    eprintln!(
        "full disk: {}",
        if disk.mounted {
            "a filled 64 KiB tmpfs"
        } else {
            "RLIMIT_FSIZE (no tmpfs could be mounted)"
        }
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // One wrong PIN while the disk has room: 2 tries left, saved.
    let mut server = card_server(port, &disk.state(), false);
    let mut vpcd = Vpcd::accept(&listener);
    assert_eq!(vpcd.tries_left(), 3);
    assert_eq!(vpcd.apdu(WRONG_PIN), [0x63, 0xC2]);
    kill(&mut server);

    // The disk is full: neither a wrong nor the right PIN is compared.
    disk.fill();
    let mut server = card_server(port, &disk.state(), !disk.mounted);
    let mut vpcd = Vpcd::accept(&listener);
    assert_eq!(vpcd.tries_left(), 2);
    for _ in 0..5 {
        assert_eq!(vpcd.apdu(WRONG_PIN), [0x65, 0x81], "memory failure");
    }
    assert_eq!(vpcd.apdu(RIGHT_PIN), [0x65, 0x81], "memory failure");
    assert_eq!(vpcd.apdu(RETRY_QUERY), [0x63, 0xC2]);
    kill(&mut server);

    // Space again: the card comes back with the 2 tries it had, and counts on.
    disk.free();
    let mut server = card_server(port, &disk.state(), false);
    let mut vpcd = Vpcd::accept(&listener);
    assert_eq!(vpcd.tries_left(), 2);
    assert_eq!(vpcd.apdu(WRONG_PIN), [0x63, 0xC1]);
    kill(&mut server);
    let mut server = card_server(port, &disk.state(), false);
    let mut vpcd = Vpcd::accept(&listener);
    assert_eq!(vpcd.tries_left(), 1);
    kill(&mut server);
}
