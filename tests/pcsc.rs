//! Real PC/SC exposure: virtual cards served through vpcd to pcscd, read by the `pcsc`
//! crate and by OpenSC (software nobody here wrote).
//!
//! Needs a running pcscd with the vpcd driver (`scripts/test` starts one). Without it
//! the tests skip — unless `ONSHI_REQUIRE_PCSCD=1`, which `scripts/test` sets, turns a
//! missing pcscd into a failure. All tests share the first vpcd slot and run one at a
//! time.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test
#![cfg(feature = "pcsc")]

#[path = "support/reader_serve.rs"]
mod reader_serve;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use onshi::card::{Status, VirtualCard};
use onshi::channel::{CardChannel, PcscChannel, wait_for_card, wait_for_empty};
use onshi::defaults;
use onshi::persona::CardFactory;
use onshi::pki::{HashAlg, KeyCache, verify_pkcs1};
use onshi::vpcd::{ServedCard, StopHandle};
use reader_serve::ReaderServer;

const READER: &str = "Virtual PCD 00 00";
const VPCD: &str = "127.0.0.1:35963";

static SLOT: Mutex<()> = Mutex::new(());

/// Takes the vpcd slot, or returns `None` (skip) when pcscd is not there and not required.
fn slot() -> Option<MutexGuard<'static, ()>> {
    let guard = SLOT.lock().unwrap_or_else(|e| e.into_inner());
    reader_serve::pcscd_with(READER).then_some(guard)
}

fn key_cache() -> KeyCache {
    defaults::key_cache_dir().map_or_else(KeyCache::memory, KeyCache::with_dir)
}

fn issued(persona: &str) -> onshi::persona::IssuedCard {
    let set = defaults::personas(None).expect("embedded personas");
    let p = set.get(persona).expect("persona");
    let factory = CardFactory::new(defaults::DEFAULT_SEED, key_cache()).expect("factory");
    factory
        .issue(&p.resolve(defaults::default_as_of(), defaults::DEFAULT_SEED))
        .expect("issue")
}

/// Waits until pcscd reports the reader empty (after a server stopped), so the next
/// card does not queue behind the old connection.
fn wait_absent() {
    wait_for_empty(READER, Duration::from_secs(10)).expect("the card left the reader");
}

/// Serves a card on a thread of this process for the closure's duration.
fn with_served_card<T>(persona: &str, f: impl FnOnce(&onshi::persona::IssuedCard) -> T) -> T {
    let issued = issued(persona);
    let stop = StopHandle::new();
    let card = ServedCard {
        id: persona.to_owned(),
        card: VirtualCard::new(&issued.profile),
        state: None,
        keep_trace: false,
        pull_after: None,
    };
    let handles = onshi::vpcd::serve_all(vec![card], VPCD.parse().unwrap(), &stop);
    wait_for_card(READER, Duration::from_secs(10)).expect("card present in the reader");
    let out = f(&issued);
    stop.stop();
    for h in handles {
        h.join().unwrap();
    }
    wait_absent();
    out
}

fn onshi() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_onshi"));
    c.env("ONSHI_LOG", "warn");
    c
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

fn read_file_pcsc(ch: &mut PcscChannel, ef: [u8; 2]) -> Vec<u8> {
    let r = ch
        .transmit(&[0x00, 0xA4, 0x02, 0x0C, 0x02, ef[0], ef[1]])
        .unwrap();
    assert_eq!(r.status, Status::Success);
    let head = ch.transmit(&[0x00, 0xB0, 0x00, 0x00, 0x04]).unwrap();
    let size = usize::from(u16::from_be_bytes([head.data[2], head.data[3]])) + 4;
    let mut out = Vec::new();
    while out.len() < size {
        let le = (size - out.len()).min(256) as u8;
        let r = ch
            .transmit(&[0x00, 0xB0, (out.len() >> 8) as u8, out.len() as u8, le])
            .unwrap();
        assert_eq!(r.status, Status::Success);
        out.extend(r.data);
    }
    out
}

#[test]
fn pcsc_reads_the_exported_certificate_and_signs() {
    let Some(_slot) = slot() else { return };
    let dir = tempdir();
    let exported = dir.path().join("auth.der");
    let status = onshi()
        .args([
            "cards",
            "export",
            "standard-adult",
            "--what",
            "auth-cert",
            "--out",
        ])
        .arg(&exported)
        .status()
        .unwrap();
    assert!(status.success());
    let exported = std::fs::read(&exported).unwrap();
    with_served_card("standard-adult", |issued| {
        let mut ch = PcscChannel::connect(READER).expect("connect");
        let aid = onshi::card::ids::JPKI_AID.as_bytes();
        let mut select = vec![0x00, 0xA4, 0x04, 0x0C, aid.len() as u8];
        select.extend_from_slice(aid);
        assert_eq!(ch.transmit(&select).unwrap().status, Status::Success);
        let cert = read_file_pcsc(&mut ch, [0x00, 0x0A]);
        assert_eq!(
            cert, exported,
            "PC/SC read differs from `onshi cards export`"
        );
        assert_eq!(cert, issued.auth_cert.to_vec());
        // VERIFY the auth PIN and sign through pcscd.
        ch.transmit(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x18])
            .unwrap();
        let r = ch
            .transmit(&[0x00, 0x20, 0x00, 0x80, 0x04, b'1', b'2', b'3', b'4'])
            .unwrap();
        assert_eq!(r.status, Status::Success);
        ch.transmit(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x17])
            .unwrap();
        let message = b"challenge over PC/SC";
        let di = HashAlg::Sha256.digest_info(message);
        let mut sign = vec![0x80, 0x2A, 0x00, 0x80, di.len() as u8];
        sign.extend_from_slice(&di);
        sign.push(0x00);
        let r = ch.transmit(&sign).unwrap();
        assert_eq!((r.status, r.data.len()), (Status::Success, 256));
        verify_pkcs1(&cert, message, &r.data, HashAlg::Sha256)
            .expect("signature verifies with the certificate");
    });
}

fn opensc(tool: &str, xdg: &Path) -> Command {
    let mut c = Command::new(tool);
    c.env("XDG_CACHE_HOME", xdg).env("OPENSC_CONF", "/dev/null");
    c
}

fn output(c: &mut Command) -> (bool, String) {
    let out = c
        .stdin(Stdio::null())
        .output()
        .expect("running an OpenSC tool");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// `pkcs11-tool --login --pin PIN --sign` with the auth key (id 01).
fn pkcs11_sign(xdg: &Path, pin: &str, msg: &Path, sig: &Path) -> (bool, String) {
    output(
        opensc("pkcs11-tool", xdg)
            .arg("--module")
            .arg(pkcs11_module())
            .args([
                "--slot-index",
                "0",
                "--login",
                "--pin",
                pin,
                "--sign",
                "-m",
                "SHA256-RSA-PKCS",
                "--id",
                "01",
            ])
            .arg("-i")
            .arg(msg)
            .arg("-o")
            .arg(sig),
    )
}

fn pkcs11_module() -> PathBuf {
    for p in [
        "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
        "/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so",
        "/usr/lib/opensc-pkcs11.so",
    ] {
        if Path::new(p).exists() {
            return PathBuf::from(p);
        }
    }
    panic!("opensc-pkcs11.so not found (apt install opensc)");
}

#[test]
fn opensc_reads_signs_and_sees_the_lock() {
    let Some(_slot) = slot() else { return };
    let xdg = tempdir();
    with_served_card("standard-adult", |issued| {
        // OpenSC picks its jpki driver for our card.
        let (ok, text) = output(opensc("opensc-tool", xdg.path()).args(["-r", "0", "-n"]));
        assert!(ok && text.contains("jpki"), "opensc-tool -n: {text}");
        // pkcs15-tool lists and reads the user-authentication certificate.
        let (ok, text) =
            output(opensc("pkcs15-tool", xdg.path()).args(["-r", "0", "--list-certificates"]));
        assert!(
            ok && text.contains("User Authentication Certificate"),
            "{text}"
        );
        let pem_path = xdg.path().join("cert.pem");
        let (ok, text) = output(
            opensc("pkcs15-tool", xdg.path())
                .args(["-r", "0", "--read-certificate", "01", "--output"])
                .arg(&pem_path),
        );
        assert!(ok, "{text}");
        let pem = std::fs::read_to_string(&pem_path).unwrap();
        let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        use base64::Engine as _;
        let der = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        assert_eq!(
            der,
            issued.auth_cert.to_vec(),
            "pkcs15-tool read a different certificate"
        );

        // pkcs11-tool signs with the auth key (id 01) after login with the persona's PIN.
        let msg = xdg.path().join("msg");
        let sig = xdg.path().join("sig");
        std::fs::write(&msg, b"signed by pkcs11-tool").unwrap();
        let (ok, text) = pkcs11_sign(xdg.path(), "1234", &msg, &sig);
        assert!(ok, "pkcs11-tool --sign: {text}");
        let signature = std::fs::read(&sig).unwrap();
        verify_pkcs1(
            &issued.auth_cert,
            b"signed by pkcs11-tool",
            &signature,
            HashAlg::Sha256,
        )
        .expect("pkcs11-tool signature verifies");

        // Three wrong PINs lock the card, as OpenSC reports it.
        for _ in 0..3 {
            let (ok, _) = pkcs11_sign(xdg.path(), "0000", &msg, &sig);
            assert!(!ok, "a wrong PIN must not sign");
        }
        let (_, text) = output(
            opensc("pkcs11-tool", xdg.path())
                .arg("--module")
                .arg(pkcs11_module())
                .arg("-L"),
        );
        assert!(
            text.contains("user PIN locked"),
            "pkcs11-tool -L after three wrong PINs: {text}"
        );
        let (ok, text) = pkcs11_sign(xdg.path(), "1234", &msg, &sig);
        assert!(
            !ok,
            "the right PIN on a locked card must be refused: {text}"
        );
    });
}

struct Server(Child);

impl Server {
    fn start(state: &Path) -> Self {
        let child = onshi()
            .args(["cards", "serve", "--vpcd", VPCD, "--state-dir"])
            .arg(state)
            .arg("one-try-left")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn onshi cards serve");
        // Owned before waiting, so a timeout still kills the child.
        let server = Self(child);
        wait_for_card(READER, Duration::from_secs(20)).expect("served card present");
        server
    }

    /// SIGTERM, then wait for a clean stop (exit 143: stopped by SIGTERM).
    fn stop(mut self) {
        // SAFETY: kill(2) on our own child's pid.
        unsafe {
            libc::kill(self.0.id() as i32, libc::SIGTERM);
        }
        let status = self.0.wait().expect("wait");
        assert_eq!(
            status.code(),
            Some(143),
            "onshi cards serve exited with {status}"
        );
        wait_absent();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn verify_auth_pin(pin: &[u8]) -> Status {
    let mut ch = PcscChannel::connect(READER).expect("connect");
    let aid = onshi::card::ids::JPKI_AID.as_bytes();
    let mut select = vec![0x00, 0xA4, 0x04, 0x0C, aid.len() as u8];
    select.extend_from_slice(aid);
    ch.transmit(&select).unwrap();
    ch.transmit(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x18])
        .unwrap();
    let mut verify = vec![0x00, 0x20, 0x00, 0x80, pin.len() as u8];
    verify.extend_from_slice(pin);
    ch.transmit(&verify).unwrap().status
}

#[test]
fn lockout_survives_a_restart_with_a_state_directory() {
    let Some(_slot) = slot() else { return };
    let state = tempdir();
    // one-try-left: a single wrong PIN locks the card.
    let server = Server::start(state.path());
    assert_eq!(
        verify_auth_pin(b"0000"),
        Status::VerificationFailed { tries_left: 0 }
    );
    server.stop();
    let saved = std::fs::read_to_string(state.path().join("one-try-left.json")).unwrap();
    assert!(saved.contains("\"auth-pin\": 0"), "{saved}");
    let server = Server::start(state.path());
    assert_eq!(
        verify_auth_pin(b"2468"),
        Status::AuthenticationMethodBlocked
    );
    server.stop();
}

fn run_with_reader(url: &str, tags: &str, extra: &[&str]) -> (i32, serde_json::Value) {
    let reports = tempdir();
    let out = onshi()
        .args(["run", "--reader", url, "--tags", tags, "--report-dir"])
        .arg(reports.path())
        .args(extra)
        .output()
        .expect("onshi run");
    let run = std::fs::read_dir(reports.path())
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.is_dir())
        .unwrap_or_else(|| panic!("no report: {}", String::from_utf8_lossy(&out.stdout)));
    let summary =
        serde_json::from_slice(&std::fs::read(run.join("summary.json")).unwrap()).unwrap();
    (out.status.code().unwrap_or(-1), summary)
}

/// The external-reader plug, end to end: `onshi run --reader URL` drives a reader
/// through the reader-control API while its cards go through pcscd + vpcd; the
/// built-in reader plays the vendor's reader. The suite passes, and a defect of the
/// backend is still caught through the plug.
#[test]
fn reader_control_api_drives_a_pcsc_reader_end_to_end() {
    let Some(_slot) = slot() else { return };
    let reader = ReaderServer::start(&[]);
    let tags = "@FAQ-4-11 or @FAQ-4-9 or @FAQ-4-21 or @OKA-FACEONLY or @FAQ-4-6";
    let (code, s) = run_with_reader(&reader.url, tags, &[]);
    let t = &s["totals"];
    assert_eq!(code, 0, "{t}");
    assert!(t["passed"].as_u64().unwrap() >= 12, "{t}");
    let reader_name = s["run"]["reader"].as_str().unwrap();
    assert!(
        reader_name.contains(&reader.url) && reader_name.contains("vpcd"),
        "{reader_name}"
    );
    // The evidence is onshi's own card trace, taken through PC/SC.
    let traced = s["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|sc| {
            sc["evidence"]["apdu_trace"]["entries"]
                .as_array()
                .is_some_and(|e| !e.is_empty())
        })
        .count();
    assert!(traced >= 10, "only {traced} scenarios carry an APDU trace");
    // And the reader's reports were held against the backend's audit.
    let audited = s["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|sc| sc["verdicts"].as_array().cloned().unwrap_or_default())
        .filter(|v| v["check"] == "reader-matches-backend" && v["passed"] == true)
        .count();
    assert!(
        audited >= 10,
        "only {audited} visits were checked against the backend's audit"
    );

    let (code, s) = run_with_reader(
        &reader.url,
        "@FAQ-4-8 and @TRN-NO10",
        &["--defect", "missing-ratio"],
    );
    assert_eq!(
        code, 1,
        "missing-ratio must be caught through the plug: {}",
        s["totals"]
    );
}
