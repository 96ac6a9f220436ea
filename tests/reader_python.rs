//! A reader written from the guide alone: `examples/reader-python/` (Python, PC/SC
//! through pcscd with pyscard, no onshi code) passes the whole suite through the
//! reader-control API — exit 0, every scenario — against a private pcscd with two vpcd
//! slots. It needs Debian's python3-pyscard and python3-cryptography (`scripts/test`
//! installs them); without them the test skips, unless `ONSHI_REQUIRE_PCSCD=1`.
#![cfg(feature = "pcsc")]
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

#[path = "support/private_pcscd.rs"]
mod private_pcscd;

use std::path::{Path, PathBuf};
use std::process::Command;

use private_pcscd::PrivatePcscd;

const PYTHON: &str = "/usr/bin/python3";

fn python_ready() -> bool {
    let ok = Command::new(PYTHON)
        .args(["-c", "import smartcard, cryptography"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        let required = std::env::var("ONSHI_REQUIRE_PCSCD").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "{PYTHON} with pyscard and cryptography is required (apt-get install python3-pyscard python3-cryptography)"
        );
        eprintln!("skipping: {PYTHON} lacks pyscard or cryptography");
    }
    ok
}

fn summary(root: &Path) -> serde_json::Value {
    let run = std::fs::read_dir(root)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.is_dir())
        .expect("a report");
    serde_json::from_slice(&std::fs::read(run.join("summary.json")).unwrap()).unwrap()
}

#[test]
fn the_python_reader_written_from_the_guide_passes_the_suite() {
    if !python_ready() {
        return;
    }
    let Some(pcscd) = PrivatePcscd::start(1) else {
        return;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let reports = tempfile::tempdir().unwrap();
    let script: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "examples",
        "reader-python",
        "run-suite.sh",
    ]
    .iter()
    .collect();
    let (key, socket) = pcscd.env();
    let out = Command::new(script)
        .env(key, &socket)
        .env("ONSHI", env!("CARGO_BIN_EXE_onshi"))
        .env("ONSHI_LOG", "warn")
        .env("PYTHON", PYTHON)
        .env("READER_PORT", port.to_string())
        .env("VPCD", format!("127.0.0.1:{}", pcscd.base))
        .env("PCSC_READER", &pcscd.readers[0])
        .env("PCSC_READER2", &pcscd.readers[1])
        .env("READER_SLOTS", "2")
        .env("READER_LOG", reports.path().join("reader.log"))
        .arg("--report-dir")
        .arg(reports.path())
        .output()
        .expect("run-suite.sh");
    let s = summary(reports.path());
    let failed: Vec<String> = s["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|sc| sc["status"] != "passed")
        .map(|sc| format!("{}:{} {}", sc["file"], sc["line"], sc["name"]))
        .collect();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{failed:#?}\n{}\nreader log:\n{}",
        String::from_utf8_lossy(&out.stderr),
        std::fs::read_to_string(reports.path().join("reader.log")).unwrap_or_default()
    );
    let t = &s["totals"];
    assert!(t["passed"].as_u64().unwrap() >= 100, "{t}");
    assert_eq!(t["failed"], 0, "{t}");
    let reader = s["run"]["reader"].as_str().unwrap();
    assert!(reader.contains("2 slots"), "{reader}");
}
