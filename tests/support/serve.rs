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

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
