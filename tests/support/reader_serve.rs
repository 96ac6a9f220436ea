//! A separately started `onshi reader serve` — the built-in reader behind the
//! reader-control API, cards through PC/SC — on a free loopback port, stopped (by its
//! pid) when dropped: what a vendor's reader test mode looks like to onshi.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Whether pcscd is there with the vpcd reader `reader`. When it is not, the caller
/// skips — unless `ONSHI_REQUIRE_PCSCD=1` (set by `scripts/test`), which makes a missing
/// pcscd a failure.
#[allow(dead_code)]
pub(crate) fn pcscd_with(reader: &str) -> bool {
    match onshi::channel::list_readers() {
        Ok(readers) if readers.iter().any(|r| r == reader) => true,
        other => {
            let required = std::env::var("ONSHI_REQUIRE_PCSCD").is_ok_and(|v| v == "1");
            assert!(
                !required,
                "pcscd with the vpcd reader is required but not usable: {other:?}"
            );
            eprintln!("skipping: no pcscd with {reader:?} ({other:?})");
            false
        }
    }
}

/// `onshi reader serve` on a free loopback port.
pub(crate) struct ReaderServer {
    child: Child,
    pub url: String,
}

impl ReaderServer {
    /// Starts it with `extra` options (`--defect NAME`) and waits until it listens.
    #[allow(dead_code)]
    pub(crate) fn start(extra: &[&str]) -> Self {
        Self::start_with(extra, &[])
    }

    /// Starts it with `extra` options and environment `env` (a private pcscd's
    /// socket), and waits until it listens.
    pub(crate) fn start_with(extra: &[&str], env: &[(&str, &std::path::Path)]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let url = format!("http://127.0.0.1:{port}");
        let child = Command::new(env!("CARGO_BIN_EXE_onshi"))
            .env("ONSHI_LOG", "warn")
            .args(["reader", "serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(extra)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn onshi reader serve");
        let server = Self { child, url };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "reader-control API never came up"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }
}

impl Drop for ReaderServer {
    fn drop(&mut self) {
        // SAFETY: kill(2) on our own child's pid.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        let _ = self.child.wait();
    }
}
