//! `onshi certify`: the package a run writes verifies, one flipped byte (or an added,
//! removed or re-signed file) is named, a failing run's package says NOT CONFORMANT on
//! its first line, and no package holds a PIN or a My Number. The packaging is tested
//! with the built-in reader (no PC/SC needed); the reader under test — `onshi reader
//! serve` as its own process, cards through pcscd + vpcd — is tested when pcscd is there
//! (required under `scripts/test`), with a reader defect making the package not
//! conformant.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

#[cfg(feature = "pcsc")]
#[path = "support/reader_serve.rs"]
mod reader_serve;
#[path = "support/secrets.rs"]
mod secrets;

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// What a command printed and how it ended.
struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Ran {
    fn from(out: Output) -> Self {
        Self {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl std::fmt::Display for Ran {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

fn onshi(args: &[&str], paths: &[&Path]) -> Ran {
    let out = Command::new(env!("CARGO_BIN_EXE_onshi"))
        .env("ONSHI_LOG", "error")
        .args(args)
        .args(paths)
        .output()
        .unwrap();
    Ran::from(out)
}

/// `onshi certify <args> --signing-key KEY --out OUT`.
fn certify(args: &[&str], key: &Path, out: &Path) -> Ran {
    let mut all = vec!["certify"];
    all.extend_from_slice(args);
    let out = Command::new(env!("CARGO_BIN_EXE_onshi"))
        .env("ONSHI_LOG", "error")
        .args(&all)
        .arg("--signing-key")
        .arg(key)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    Ran::from(out)
}

fn verify(dir: &Path, public_key: Option<&Path>) -> Ran {
    match public_key {
        None => onshi(&["certify", "verify"], &[dir]),
        Some(k) => onshi(&["certify", "verify", "--public-key"], &[k, dir]),
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file of a package but MANIFEST and MANIFEST.sig, as package paths.
fn listed_files(pkg: &Path) -> Vec<String> {
    let mut out: Vec<String> = secrets::files(pkg)
        .iter()
        .map(|p| p.strip_prefix(pkg).unwrap().to_string_lossy().into_owned())
        .filter(|p| p != "MANIFEST" && p != "MANIFEST.sig")
        .collect();
    out.sort();
    out
}

/// Copies a package directory (flat enough for a test).
fn copy(from: &Path, to: &Path) {
    for f in secrets::files(from) {
        let dest = to.join(f.strip_prefix(from).unwrap());
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&f, &dest).unwrap();
    }
}

/// A copy of `pkg` with one byte of `file` flipped.
fn flipped(pkg: &Path, file: &str, scratch: &Path) -> PathBuf {
    let dir = scratch.join(format!("flipped-{}", file.replace('/', "_")));
    copy(pkg, &dir);
    let path = dir.join(file);
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    std::fs::write(&path, bytes).unwrap();
    dir
}

/// What every package must show, whatever its verdict: the layout, a manifest of
/// exactly its files, the public key beside it, `verify` accepting it, no secret in it.
fn check_package(pkg: &Path, first_line: &str) {
    let verdict = read(&pkg.join("VERDICT"));
    assert!(
        verdict.lines().next().unwrap().starts_with(first_line),
        "{verdict}"
    );
    for f in [
        "tested.json",
        "declarations.md",
        "signer.pub",
        "MANIFEST",
        "MANIFEST.sig",
        "report/summary.json",
        "report/report.html",
        "report/junit.xml",
        "report/summary.md",
    ] {
        assert!(pkg.join(f).is_file(), "{f} missing");
    }
    let manifest = read(&pkg.join("MANIFEST"));
    let in_manifest: Vec<&str> = manifest
        .lines()
        .map(|l| l.split_once("  ").unwrap().1)
        .collect();
    assert_eq!(in_manifest, listed_files(pkg), "MANIFEST lists every file");
    let beside = PathBuf::from(format!("{}.pub", pkg.display()));
    assert_eq!(read(&beside), read(&pkg.join("signer.pub")));
    let v = verify(pkg, None);
    assert_eq!(v.code, 0, "{v}");
    assert!(v.stdout.contains(&format!("VERDICT: {first_line}")), "{v}");
    let v = verify(pkg, Some(&beside));
    assert_eq!(v.code, 0, "{v}");
    let leaks = secrets::leaks(pkg, &secrets::secrets());
    assert!(leaks.is_empty(), "{leaks:#?}");
}

#[test]
fn a_package_verifies_and_every_change_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let key = tmp.path().join("keys/signer.pk8");
    let pkg = tmp.path().join("pkg");
    let tags = "@FAQ-4-11 or @FAQ-4-20";
    let r = certify(&["--reader", "builtin", "--tags", tags], &key, &pkg);
    assert_eq!(r.code, 0, "{r}");
    assert!(r.stdout.contains("CONFORMANT"), "{r}");
    // The key was made on first use, for the owner only.
    let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{mode:o}");
    check_package(&pkg, "CONFORMANT");

    // What was tested.
    let tested: serde_json::Value = serde_json::from_str(&read(&pkg.join("tested.json"))).unwrap();
    assert_eq!(tested["onshi"]["version"], env!("CARGO_PKG_VERSION"));
    assert!(!tested["onshi"]["revision"].as_str().unwrap().is_empty());
    assert_eq!(tested["features"]["tags"], tags);
    let files = tested["features"]["files"].as_array().unwrap();
    assert_eq!(files.len(), onshi::defaults::FEATURES.len());
    let (rel, text) = onshi::defaults::FEATURES[1];
    let name = Path::new(rel).file_name().unwrap().to_string_lossy();
    let listed = files.iter().find(|f| f["name"] == *name).unwrap();
    assert_eq!(
        listed["sha256"],
        onshi::report::certify::Sha256::of(text.as_bytes()).hex()
    );
    assert_eq!(tested["reader"]["spec"], "builtin");
    assert!(tested["reader"]["says"].is_null());
    assert_eq!(tested["seed"], onshi::defaults::DEFAULT_SEED);
    assert!(
        tested["personas"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "pin-locked")
    );
    assert!(tested["started"].is_string() && tested["ended"].is_string());
    // Evidence, one file per scenario the tags select in the embedded features.
    let evidence = listed_files(&pkg)
        .into_iter()
        .filter(|f| f.starts_with("evidence/"))
        .count();
    let selected: usize = onshi::defaults::FEATURES
        .iter()
        .map(|(_, text)| {
            text.lines()
                .filter(|l| {
                    let l = l.trim();
                    l.starts_with('@') && (l.contains("@FAQ-4-11") || l.contains("@FAQ-4-20"))
                })
                .count()
        })
        .sum();
    assert!(selected >= 6, "{selected}");
    assert_eq!(evidence, selected);
    // Declarations are declarations.
    let declarations = read(&pkg.join("declarations.md"));
    assert!(declarations.contains("not test results"), "{declarations}");
    assert!(declarations.contains("FLY-PHOTO"), "{declarations}");

    // One flipped byte, in any file, is named — and only that file.
    let first_evidence = listed_files(&pkg)
        .into_iter()
        .find(|f| f.starts_with("evidence/001-"))
        .expect("an evidence file");
    for file in [
        "tested.json",
        "report/summary.json",
        first_evidence.as_str(),
        "VERDICT",
    ] {
        let dir = flipped(&pkg, file, tmp.path());
        let v = verify(&dir, None);
        assert_eq!(v.code, 1, "{file}: {v}");
        let named: Vec<&str> = v
            .stdout
            .lines()
            .filter(|l| !l.starts_with("NOT INTACT"))
            .collect();
        assert_eq!(named.len(), 1, "{v}");
        assert!(named[0].starts_with(&format!("{file}: changed")), "{v}");
    }
    // A changed MANIFEST or signature: the signature no longer holds.
    for file in ["MANIFEST", "MANIFEST.sig"] {
        let dir = flipped(&pkg, file, tmp.path());
        let v = verify(&dir, None);
        assert_eq!(v.code, 1, "{file}: {v}");
        assert!(v.stdout.contains("MANIFEST.sig: "), "{v}");
    }
    // A file added, a file removed.
    let dir = tmp.path().join("added-removed");
    copy(&pkg, &dir);
    std::fs::write(dir.join("evidence/extra.json"), "{}").unwrap();
    std::fs::remove_file(dir.join("declarations.md")).unwrap();
    let v = verify(&dir, None);
    assert_eq!(v.code, 1, "{v}");
    assert!(v.stdout.contains("declarations.md: missing"), "{v}");
    assert!(v.stdout.contains("evidence/extra.json: not listed"), "{v}");

    // A second package with the same key: the key is reused, not made again.
    let again = tmp.path().join("again");
    let r = certify(&["--tags", "@FAQ-4-20"], &key, &again);
    assert_eq!(r.code, 0, "{r}");
    assert_eq!(
        read(&again.join("signer.pub")),
        read(&pkg.join("signer.pub"))
    );
    // Another signer's package, checked against our key: refused, the key named.
    let other = tmp.path().join("other");
    let r = certify(
        &["--tags", "@FAQ-4-20"],
        &tmp.path().join("keys/other.pk8"),
        &other,
    );
    assert_eq!(r.code, 0, "{r}");
    let v = verify(&other, Some(&tmp.path().join("pkg.pub")));
    assert_eq!(v.code, 1, "{v}");
    assert!(v.stdout.starts_with("signer.pub: "), "{v}");

    // Not a package; a package never written over anything.
    assert_eq!(verify(tmp.path(), None).code, 2);
    assert_eq!(verify(&tmp.path().join("nowhere"), None).code, 2);
    let r = certify(&["--tags", "@FAQ-4-20"], &key, &pkg);
    assert_eq!(r.code, 2, "{r}");
    assert!(r.stderr.contains("not empty"), "{r}");
    // Nothing selected: bad input, and no package, no leftovers.
    let none = tmp.path().join("none");
    let r = certify(&["--tags", "@nonexistent"], &key, &none);
    assert_eq!(r.code, 2, "{r}");
    assert!(!none.exists());
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".certify-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_failing_run_writes_a_package_that_says_not_conformant() {
    let tmp = tempfile::tempdir().unwrap();
    let key = tmp.path().join("signer.pk8");
    let pkg = tmp.path().join("pkg");
    let r = certify(
        &["--tags", "@FAQ-4-20", "--defect", "accept-my-number"],
        &key,
        &pkg,
    );
    assert_eq!(r.code, 1, "{r}");
    check_package(
        &pkg,
        "NOT CONFORMANT: 1 failed scenario; failing requirements FAQ-4-20",
    );
    let tested: serde_json::Value = serde_json::from_str(&read(&pkg.join("tested.json"))).unwrap();
    assert_eq!(tested["backend"]["defects"][0], "accept-my-number");
}

#[test]
fn an_unreachable_reader_writes_no_package() {
    let tmp = tempfile::tempdir().unwrap();
    let pkg = tmp.path().join("pkg");
    let r = certify(
        &["--reader", "http://127.0.0.1:1"],
        &tmp.path().join("signer.pk8"),
        &pkg,
    );
    assert_eq!(r.code, 3, "{r}");
    assert!(!pkg.exists());
}

/// The reader under test through the plug: `onshi reader serve` as its own process,
/// cards through pcscd + vpcd. A sound reader gets a CONFORMANT package; one that sends
/// a VERIFY to a locked PIN gets NOT CONFORMANT, from onshi's own card trace.
#[cfg(feature = "pcsc")]
#[test]
fn certify_a_reader_through_the_plug() {
    use reader_serve::{ReaderServer, pcscd_with};

    if !pcscd_with("Virtual PCD 00 00") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let key = tmp.path().join("signer.pk8");
    let tags = ["--tags", "@FAQ-4-11"];

    let pkg = tmp.path().join("sound");
    {
        let reader = ReaderServer::start(&[]);
        let r = certify(
            &[&["--reader", &reader.url][..], &tags].concat(),
            &key,
            &pkg,
        );
        assert_eq!(r.code, 0, "{r}");
    }
    check_package(&pkg, "CONFORMANT");
    let tested: serde_json::Value = serde_json::from_str(&read(&pkg.join("tested.json"))).unwrap();
    assert_eq!(tested["reader"]["says"]["vendor"], "onshi", "{tested}");
    // The reader's own answers are evidence.
    // Evidence files are named by order, feature and line: find them rather than
    // hard-code lines that move when a scenario gains a step.
    let evidence_file = |n: &str| -> String {
        listed_files(&pkg)
            .into_iter()
            .find(|f| f.starts_with(&format!("evidence/{n}-02_暗証番号ロック-L")))
            .unwrap_or_else(|| panic!("no evidence {n} in {:?}", listed_files(&pkg)))
    };
    let first = evidence_file("001");
    let second = evidence_file("002");
    let evidence = read(&pkg.join(&first));
    assert!(
        evidence.contains("the reader under test's answer"),
        "{evidence}"
    );
    let dir = flipped(&pkg, &second, tmp.path());
    let v = verify(&dir, None);
    assert_eq!(v.code, 1, "{v}");
    assert!(v.stdout.starts_with(&format!("{second}: changed")), "{v}");

    let pkg = tmp.path().join("defective");
    {
        let reader = ReaderServer::start(&["--defect", "pin-after-lock"]);
        let r = certify(
            &[&["--reader", &reader.url][..], &tags].concat(),
            &key,
            &pkg,
        );
        assert_eq!(r.code, 1, "{r}");
    }
    check_package(&pkg, "NOT CONFORMANT: ");
    let verdict = read(&pkg.join("VERDICT"));
    assert!(
        verdict.lines().next().unwrap().contains("FAQ-4-11"),
        "{verdict}"
    );
    assert!(verdict.contains("defects: pin-after-lock"), "{verdict}");
}
