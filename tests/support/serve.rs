//! A separately started `onshi serve` on a free loopback port, killed when dropped:
//! the reference backend as its own process, as a vendor's would be.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// `onshi serve` on a free loopback port, stopped (by its pid) when dropped.
pub(crate) struct Serve {
    child: Child,
    pub url: String,
}

impl Serve {
    pub(crate) fn start(extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_onshi"))
            .env("ONSHI_LOG", "warn")
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(extra)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("onshi serve starts");
        let stderr = child.stderr.take().unwrap();
        let mut lines = BufReader::new(stderr).lines();
        let url = loop {
            let line = lines
                .next()
                .expect("onshi serve prints its address")
                .unwrap();
            if let Some(rest) = line.strip_prefix("onshi serve: ") {
                let addr = rest.split_whitespace().next().unwrap();
                break addr.trim_end_matches("/v1").to_owned();
            }
        };
        // Keep draining stderr so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Self { child, url }
    }
}

#[allow(dead_code)] // not every test binary that includes this module signals
impl Serve {
    /// Sends `signal` to the server and waits (at most `within`) for its exit code.
    pub(crate) fn stop_with(&mut self, signal: i32, within: std::time::Duration) -> Option<i32> {
        // SAFETY: kill(2) on our own child's pid has no memory-safety preconditions.
        unsafe {
            libc::kill(self.child.id() as i32, signal);
        }
        let until = std::time::Instant::now() + within;
        while std::time::Instant::now() < until {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
