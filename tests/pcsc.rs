//! Real PC/SC exposure: virtual cards served through vpcd to pcscd, read by the `pcsc`
//! crate and by OpenSC (software nobody here wrote).
//!
//! Needs a running pcscd with the vpcd driver (`scripts/test` starts one). Without it
//! the tests skip — unless `ONSHI_REQUIRE_PCSCD=1`, which `scripts/test` sets, turns a
//! missing pcscd into a failure. All tests share the first vpcd slot and run one at a
//! time. The vpcd address is `127.0.0.1:35963` unless `ONSHI_TEST_VPCD` names another
//! (a private pcscd: `PCSCLITE_CSOCK_NAME` points the PC/SC clients at its socket).
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

/// The first vpcd slot: `$ONSHI_TEST_VPCD`, default `127.0.0.1:35963`.
fn vpcd() -> String {
    std::env::var("ONSHI_TEST_VPCD").unwrap_or_else(|_| "127.0.0.1:35963".to_owned())
}

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
    // The card-face font (IPAGothic, installed by scripts/test): with pcscd here, the
    // images are checked, so a missing font is a failure, not a skip.
    let face = onshi::facefont::load(&onshi::facefont::font_path(None)).expect("card-face font");
    let factory = CardFactory::new(defaults::DEFAULT_SEED, key_cache())
        .expect("factory")
        .with_face(std::sync::Arc::new(face));
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
    let handles = onshi::vpcd::serve_all(vec![card], vpcd().parse().unwrap(), &stop);
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
            .args(["cards", "serve", "--vpcd", &vpcd(), "--state-dir"])
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
        .args([
            "run",
            "--reader",
            url,
            "--vpcd",
            &vpcd(),
            "--tags",
            tags,
            "--report-dir",
        ])
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

/// The `pcsc` crate straight, not onshi's reader code: raw APDUs, raw status words.
struct RawCard(pcsc::Card);

/// `90 00`, `69 82`, … as a number.
type Sw = u16;

impl RawCard {
    fn connect() -> Self {
        let ctx = pcsc::Context::establish(pcsc::Scope::User).expect("pcsc context");
        let name = std::ffi::CString::new(READER).unwrap();
        Self(
            ctx.connect(&name, pcsc::ShareMode::Shared, pcsc::Protocols::ANY)
                .expect("pcsc connect"),
        )
    }

    fn send(&self, apdu: &[u8]) -> (Vec<u8>, Sw) {
        let mut buf = vec![0u8; pcsc::MAX_BUFFER_SIZE_EXTENDED];
        let r = self.0.transmit(apdu, &mut buf).expect("pcsc transmit");
        let n = r.len();
        assert!(n >= 2, "a response without a status word");
        (
            r[..n - 2].to_vec(),
            u16::from_be_bytes([r[n - 2], r[n - 1]]),
        )
    }

    fn select_aid(&self, aid: &[u8]) -> Sw {
        let mut apdu = vec![0x00, 0xA4, 0x04, 0x0C, aid.len() as u8];
        apdu.extend_from_slice(aid);
        self.send(&apdu).1
    }

    fn select_ef(&self, ef: u16) -> Sw {
        let [hi, lo] = ef.to_be_bytes();
        self.send(&[0x00, 0xA4, 0x02, 0x0C, 0x02, hi, lo]).1
    }

    /// VERIFY of the EF selected just before; the value is never printed.
    fn verify(&self, value: &[u8]) -> Sw {
        let mut apdu = vec![0x00, 0x20, 0x00, 0x80, value.len() as u8];
        apdu.extend_from_slice(value);
        self.send(&apdu).1
    }

    /// The whole BER-TLV object of the selected EF, read the way jpki/myna and
    /// soltia48/myna-card do: 256 bytes at 0, the length from the header, then chained
    /// short READ BINARYs (`00 B0 hi lo Le`).
    fn read_object(&self) -> Result<Vec<u8>, Sw> {
        let (mut out, sw) = self.send(&[0x00, 0xB0, 0x00, 0x00, 0x00]);
        if sw != 0x9000 {
            return Err(sw);
        }
        let total = ber_total(&out).expect("the file starts with a BER-TLV header");
        while out.len() < total {
            let le = (total - out.len()).min(256) as u8;
            let at = out.len() as u16;
            let (chunk, sw) = self.send(&[0x00, 0xB0, (at >> 8) as u8, at as u8, le]);
            assert_eq!(sw, 0x9000, "READ BINARY at {at}");
            assert!(!chunk.is_empty(), "READ BINARY at {at} returned nothing");
            out.extend(chunk);
        }
        out.truncate(total);
        Ok(out)
    }
}

/// Header length and value length of the BER-TLV at the start of `b`.
fn ber_header(b: &[u8]) -> Option<(usize, usize)> {
    let tag_len = if b.first()? & 0x1F == 0x1F { 2 } else { 1 };
    let (len, len_len) = match *b.get(tag_len)? {
        n @ 0..=0x7F => (usize::from(n), 1),
        0x81 => (usize::from(*b.get(tag_len + 1)?), 2),
        0x82 => (
            usize::from(u16::from_be_bytes([
                *b.get(tag_len + 1)?,
                *b.get(tag_len + 2)?,
            ])),
            3,
        ),
        _ => return None,
    };
    Some((tag_len + len_len, len))
}

/// Header + value length of the BER-TLV at the start of `b`.
fn ber_total(b: &[u8]) -> Option<usize> {
    ber_header(b).map(|(h, l)| h + l)
}

/// The children (two-byte tag, value, offset from the start of `file`) of the object
/// `file` holds.
fn children(file: &[u8]) -> Vec<(u16, Vec<u8>, usize)> {
    let (header, len) = ber_header(file).unwrap();
    let mut at = header;
    let mut out = Vec::new();
    while at < header + len {
        let (h, l) = ber_header(&file[at..]).unwrap();
        let tag = u16::from_be_bytes([file[at], file[at + 1]]);
        out.push((tag, file[at + h..at + h + l].to_vec(), at));
        at += h + l;
    }
    out
}

fn value(items: &[(u16, Vec<u8>, usize)], tag: u16) -> &[u8] {
    &items
        .iter()
        .find(|i| i.0 == tag)
        .unwrap_or_else(|| panic!("no {tag:04X}"))
        .1
}

/// An offset table (`DF 21`) lists where each following object starts in the file.
fn assert_offsets(items: &[(u16, Vec<u8>, usize)]) {
    let table = value(items, 0xDF21);
    let starts: Vec<usize> = items.iter().skip(1).map(|i| i.2).collect();
    let listed: Vec<usize> = table
        .chunks(2)
        .map(|c| usize::from(u16::from_be_bytes([c[0], c[1]])))
        .collect();
    assert_eq!(listed, starts, "DF 21 offsets");
}

/// A decoded 1-bit greyscale PNG: width, height and the ink (0) pixels per row — decoded
/// here with flate2, not with onshi's own PNG code.
fn decode_png(png: &[u8]) -> (u32, u32, Vec<Vec<bool>>) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&png[12..16], b"IHDR");
    let w = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert_eq!(
        (png[24], png[25], png[28]),
        (1, 0, 0),
        "1-bit greyscale, no interlace"
    );
    let mut idat = Vec::new();
    let mut at = 8;
    while at + 8 <= png.len() {
        let len = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
        if &png[at + 4..at + 8] == b"IDAT" {
            idat.extend_from_slice(&png[at + 8..at + 8 + len]);
        }
        at += 12 + len;
    }
    let mut raw = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::ZlibDecoder::new(&idat[..]), &mut raw).unwrap();
    let stride = w.div_ceil(8) as usize;
    assert_eq!(raw.len(), (stride + 1) * h as usize);
    let rows = raw
        .chunks(stride + 1)
        .map(|line| {
            assert_eq!(line[0], 0, "onshi writes filter 0");
            (0..w)
                .map(|x| line[1 + (x / 8) as usize] & (0x80 >> (x % 8)) == 0)
                .collect()
        })
        .collect();
    (w, h, rows)
}

fn ink(rows: &[Vec<bool>], x0: usize, w: usize) -> usize {
    rows.iter()
        .map(|r| r[x0..x0 + w].iter().filter(|i| **i).count())
        .sum()
}

/// What independent PC/SC tools read, read here with the `pcsc` crate: the JPKI
/// certificates, token and PIN status; the input-support AP's basic information (EF 0005)
/// and, after its PIN, the basic four; the card-surface AP's basic information (EF 0003)
/// and, after 照合番号B, the card front with its images. Never the My Number.
fn read_card_files(persona: &str) -> Vec<u8> {
    let set = defaults::personas(None).unwrap();
    let r = set
        .get(persona)
        .unwrap()
        .resolve(defaults::default_as_of(), defaults::DEFAULT_SEED);
    with_served_card(persona, |issued| {
        let card = RawCard::connect();
        // 公的個人認証AP: token, certificates, PIN status.
        assert_eq!(
            card.select_aid(onshi::card::ids::JPKI_AID.as_bytes()),
            0x9000
        );
        assert_eq!(card.select_ef(0x0006), 0x9000);
        let (token, sw) = card.send(&[0x00, 0xB0, 0x00, 0x00, 0x20]);
        assert_eq!((&token[..15], sw), (&b"JPKIAPICCTOKEN2"[..], 0x9000));
        for (ef, der) in [
            (0x000A, issued.auth_cert.to_vec()),
            (0x000B, issued.profile.auth_ca.to_vec()),
        ] {
            assert_eq!(card.select_ef(ef), 0x9000);
            assert_eq!(card.read_object(), Ok(der), "EF {ef:04X}");
        }
        assert_eq!(card.select_ef(0x0018), 0x9000);
        assert_eq!(
            card.send(&[0x00, 0x20, 0x00, 0x80]).1,
            0x63C3,
            "auth PIN status"
        );
        assert_eq!(card.select_ef(0x001B), 0x9000);
        assert_eq!(
            card.send(&[0x00, 0x20, 0x00, 0x80]).1,
            0x63C5,
            "signing PIN status"
        );
        assert_eq!(card.select_ef(0x0001), 0x9000);
        assert_eq!(
            card.read_object(),
            Err(0x6982),
            "signing certificate before VERIFY"
        );
        assert_eq!(card.select_ef(0x001B), 0x9000);
        assert_eq!(
            card.verify(r.card.sign_password.as_deref().unwrap().as_bytes()),
            0x9000
        );
        assert_eq!(card.select_ef(0x0001), 0x9000);
        assert_eq!(
            card.read_object().ok(),
            issued.sign_cert.as_ref().map(|d| d.to_vec())
        );

        // 券面事項入力補助AP: EF 0005 free, 256 bytes as jpki/myna's Go client wants.
        assert_eq!(
            card.select_aid(onshi::card::ids::INPUT_SUPPORT_AID.as_bytes()),
            0x9000
        );
        assert_eq!(card.select_ef(0x0005), 0x9000);
        let (info, sw) = card.send(&[0x00, 0xB0, 0x00, 0x00, 0x00]);
        assert_eq!((info.len(), sw), (256, 0x9000));
        let n = ber_total(&info).unwrap();
        assert_eq!(&info[..2], &[0xFF, 0x40]);
        assert!(
            info[n..].iter().all(|b| *b == 0xFF),
            "FF filler after the object"
        );
        let items = children(&info[..n]);
        let tags: Vec<(u16, usize)> = items.iter().map(|i| (i.0, i.1.len())).collect();
        assert_eq!(tags, [(0xDF41, 4), (0xDF42, 16), (0xDF43, 128)]);
        assert!(
            value(&items, 0xDF42)[..7].iter().all(u8::is_ascii_digit),
            "key id digits"
        );
        // Basic four: refused before the PIN, read after it.
        assert_eq!(card.select_ef(0x0002), 0x9000);
        assert_eq!(card.read_object(), Err(0x6982));
        assert_eq!(card.select_ef(0x0011), 0x9000);
        assert_eq!(
            card.verify(r.card.support_pin.as_deref().unwrap().as_bytes()),
            0x9000
        );
        assert_eq!(card.select_ef(0x0002), 0x9000);
        let four = card.read_object().unwrap();
        let items = children(&four);
        assert_offsets(&items);
        assert_eq!(value(&items, 0xDF22), r.person.name.as_bytes());
        assert_eq!(value(&items, 0xDF23), r.person.address.as_bytes());

        // 券面確認AP: EF 0003 free; the front after 照合番号B; the back stays closed.
        assert_eq!(
            card.select_aid(onshi::card::ids::SURFACE_AID.as_bytes()),
            0x9000
        );
        assert_eq!(card.select_ef(0x0003), 0x9000);
        let info = card.read_object().unwrap();
        assert_eq!(&info[..2], &[0xFF, 0x30]);
        let items = children(&info);
        let tags: Vec<(u16, usize)> = items.iter().map(|i| (i.0, i.1.len())).collect();
        assert_eq!(
            tags,
            [
                (0xDF31, 4),
                (0xDF32, 16),
                (0xDF33, 1),
                (0xDF34, 5),
                (0xDF35, 272)
            ]
        );
        assert!(
            value(&items, 0xDF34).iter().all(u8::is_ascii_digit),
            "municipality code"
        );
        assert_eq!(card.select_ef(0x0002), 0x9000);
        assert_eq!(card.read_object(), Err(0x6982), "front before 照合番号B");
        assert_eq!(card.select_ef(0x0012), 0x9000);
        assert_eq!(card.verify(r.card.match_b.as_bytes()), 0x9000);
        assert_eq!(card.select_ef(0x0002), 0x9000);
        let front = card.read_object().unwrap();
        // One extended READ BINARY (Le `00 00 00`: up to 65,536) returns the same file
        // where the PC/SC stack passes extended APDUs (OpenSC does not send them).
        let mut buf = vec![0u8; pcsc::MAX_BUFFER_SIZE_EXTENDED];
        match card
            .0
            .transmit(&[0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00], &mut buf)
        {
            Ok(r) => assert_eq!(r, [&front[..], &[0x90, 0x00]].concat(), "extended read"),
            Err(e) => eprintln!("this PC/SC stack refused an extended READ BINARY: {e}"),
        }
        let items = children(&front);
        assert_offsets(&items);
        let tags: Vec<u16> = items.iter().map(|i| i.0).collect();
        assert_eq!(tags, (0xDF21..=0xDF2A).collect::<Vec<u16>>());
        assert_eq!(
            value(&items, 0xDF27)[4..8],
            *b"jP  ",
            "JPEG 2000 face photo"
        );
        // Name and address: 24-pixel lines, full-width 24 wide; every character inked.
        for (tag, text) in [(0xDF25, &r.person.name), (0xDF26, &r.person.address)] {
            let (w, h, rows) = decode_png(value(&items, tag));
            assert_eq!(h % 24, 0, "{tag:04X} height");
            assert!(w % 12 == 0 && w >= 24, "{tag:04X} width {w}");
            let inked = rows.iter().flatten().filter(|i| **i).count();
            assert!(
                inked > 20 * text.chars().filter(|c| !c.is_whitespace()).count().min(20),
                "{tag:04X} is nearly blank"
            );
        }
        // The security code: 4 digits of 6 × 12, each inked.
        let (w, h, rows) = decode_png(value(&items, 0xDF2A));
        assert_eq!((w, h), (24, 12));
        for d in 0..4 {
            assert!(ink(&rows, d * 6, 6) >= 10, "security-code digit {d}");
        }
        // 照合番号B opens the front, not the back (the My Number image).
        assert_eq!(card.select_ef(0x0005), 0x9000);
        assert_eq!(card.read_object(), Err(0x6982), "the back after 照合番号B");
        value(&items, 0xDF25).to_vec()
    })
}

#[test]
fn pcsc_crate_reads_every_file_independent_tools_read() {
    let Some(_slot) = slot() else { return };
    let kyuji = read_card_files("kyuji-name");
    let standard = read_card_files("standard-adult");
    assert_ne!(kyuji, standard, "two personas, one name image");
    // 髙橋 𠮷男: five cells (ASCII space = half a cell); 𠮷 is onshi's 外字, not ⊠.
    let (w, _, rows) = decode_png(&kyuji);
    assert_eq!(w, 4 * 24 + 12);
    let gaiji = onshi::card::face::builtin::gaiji('\u{20BB7}', 24).unwrap();
    let x0 = 2 * 24 + 12;
    for (y, row) in rows.iter().enumerate().take(24) {
        for x in 0..24 {
            assert_eq!(
                row[x0 + x],
                gaiji.ink(x as u32, y as u32),
                "𠮷 at ({x},{y})"
            );
        }
    }
}
