//! A private pcscd (`scripts/pcscd-private`) with its own vpcd slots, beside the system
//! one: a test that needs several card slots, or must not share the system's vpcd
//! ports, starts one and hands its socket to the processes it runs
//! (`PCSCLITE_CSOCK_NAME`). It needs root (a private mount namespace); without it the
//! caller skips — unless `ONSHI_REQUIRE_PCSCD=1` (set by `scripts/test`).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, Instant};

/// A running private pcscd; stopped when dropped.
pub(crate) struct PrivatePcscd {
    child: Child,
    dir: tempfile::TempDir,
    /// The first vpcd port; slot i is on `base + i`.
    pub base: u16,
    /// The PC/SC reader names of the slots, in port order.
    pub readers: Vec<String>,
}

/// Whether `port` is free on every interface (vpcd binds 0.0.0.0).
fn free(port: u16) -> bool {
    TcpListener::bind(("0.0.0.0", port)).is_ok()
}

/// Whether something listens on `port` (from /proc/net/tcp: never probe vpcd with a
/// connect, it would take the probe for a card).
fn listening(port: u16) -> bool {
    let needle = format!(":{port:04X} 00000000:0000 0A");
    std::fs::read_to_string("/proc/net/tcp").is_ok_and(|t| t.contains(&needle))
}

fn skip_or_fail(why: &str) -> Option<PrivatePcscd> {
    let required = std::env::var("ONSHI_REQUIRE_PCSCD").is_ok_and(|v| v == "1");
    assert!(!required, "a private pcscd is required but {why}");
    eprintln!("skipping: {why}");
    None
}

impl PrivatePcscd {
    /// Starts one with `entries` vpcd entries (two slots each) on free ports, and waits
    /// until vpcd listens on all of them.
    pub(crate) fn start(entries: u16) -> Option<Self> {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            return skip_or_fail("it needs root (a private mount namespace)");
        }
        if !std::path::Path::new("/usr/lib/pcsc/drivers/serial/libifdvpcd.so").exists() {
            return skip_or_fail("vsmartcard-vpcd is not installed");
        }
        static NEXT: AtomicU16 = AtomicU16::new(0);
        let slots = 2 * entries;
        let spread = (std::process::id() % 64) as u16 * 64;
        let base = (0..64)
            .map(|_| 41_000 + spread + NEXT.fetch_add(slots.max(8), Ordering::SeqCst) % 4096)
            .find(|b| (0..slots).all(|i| free(b + i)))
            .expect("free vpcd ports");
        let dir = tempfile::tempdir().expect("tempdir");
        let script: PathBuf = [env!("CARGO_MANIFEST_DIR"), "scripts", "pcscd-private"]
            .iter()
            .collect();
        let child = Command::new(script)
            .arg(dir.path())
            .arg(base.to_string())
            .arg(entries.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn scripts/pcscd-private");
        let letters = ["", " B", " C", " D", " E", " F", " G", " H"];
        let readers = (0..usize::from(entries))
            .flat_map(|k| {
                let name = format!("Virtual PCD{}", letters[k]);
                [format!("{name} 00 00"), format!("{name} 00 01")]
            })
            .collect();
        let mut pcscd = Self {
            child,
            dir,
            base,
            readers,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while !(pcscd.socket().exists() && (0..slots).all(|i| listening(base + i))) {
            if let Ok(Some(status)) = pcscd.child.try_wait() {
                return skip_or_fail(&format!("the private pcscd exited: {status}"));
            }
            assert!(
                Instant::now() < deadline,
                "the private pcscd never listened"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(pcscd)
    }

    /// The socket clients use (`PCSCLITE_CSOCK_NAME`).
    pub(crate) fn socket(&self) -> PathBuf {
        self.dir.path().join("pcscd.comm")
    }

    /// The environment a PC/SC client of this pcscd needs.
    pub(crate) fn env(&self) -> (&'static str, PathBuf) {
        ("PCSCLITE_CSOCK_NAME", self.socket())
    }

    /// `--vpcd 127.0.0.1:BASE` and one `--pcsc-reader` per slot.
    #[allow(dead_code)]
    pub(crate) fn run_args(&self) -> Vec<String> {
        let mut args = vec!["--vpcd".to_owned(), format!("127.0.0.1:{}", self.base)];
        for r in &self.readers {
            args.push("--pcsc-reader".into());
            args.push(r.clone());
        }
        args
    }
}

impl Drop for PrivatePcscd {
    fn drop(&mut self) {
        // SAFETY: kill(2) on our own child's pid (the script exec'd into pcscd).
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        let _ = self.child.wait();
    }
}
