//! The command line: bad input is reported with file, line and field and exits 2;
//! roots can be kept in and loaded from a directory.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::process::{Command, Output};

fn onshi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_onshi"))
        .args(args)
        .env("ONSHI_LOG", "error")
        .output()
        .expect("running onshi")
}

/// `onshi run ARGS… --report-dir REPORTS`.
fn run_into(reports: &tempfile::TempDir, args: &[&str]) -> Output {
    let dir = reports.path().to_str().expect("utf-8 temp dir");
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--report-dir", dir]);
    onshi(&all)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn a_broken_persona_names_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/virtual-cards/standard-adult.toml"
    ))
    .unwrap();
    std::fs::write(
        dir.path().join("mine.toml"),
        good.replace("auth_pin = \"1234\"", "auth_pin = \"12a4\""),
    )
    .unwrap();
    let o = onshi(&["cards", "list", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("mine.toml:") && e.contains("field `card.auth_pin`") && e.contains("4 digits"),
        "{e}"
    );
}

#[test]
fn unknown_cards_tags_and_features_exit_2() {
    let o = onshi(&["cards", "show", "nobody"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("no persona \"nobody\""));
    let reports = tempfile::tempdir().unwrap();
    let o = run_into(&reports, &["--tags", "@a and ("]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = run_into(&reports, &["--features", "/nonexistent/features"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // Dates the world cannot be built at are refused at parse time, not panicked on.
    for as_of in ["0001-01-01", "9999-12-31"] {
        let o = run_into(&reports, &["--as-of", as_of]);
        assert_eq!(o.status.code(), Some(2), "{as_of}: {}", stderr(&o));
        assert!(stderr(&o).contains("as-of year"), "{}", stderr(&o));
    }
    // A copied persona file (the same card and insured numbers twice) is bad input,
    // named once, not a failure in every scenario.
    let cards = tempfile::tempdir().unwrap();
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("virtual-cards");
    for e in std::fs::read_dir(&src).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), cards.path().join(e.file_name())).unwrap();
    }
    std::fs::copy(
        src.join("accuracy-hold.toml"),
        cards.path().join("accuracy-hold-copy.toml"),
    )
    .unwrap();
    let o = run_into(&reports, &["--cards", cards.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("accuracy-hold-copy"), "{}", stderr(&o));
    // Selecting nothing is not a pass.
    let o = run_into(&reports, &["--tags", "@no-such-tag"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no scenario matches --tags"),
        "{}",
        stderr(&o)
    );
    assert!(!String::from_utf8_lossy(&o.stdout).contains("PASSED"));
}

/// Mistakes in a feature file are bad input naming the file and the step's line,
/// never failed checks: an undefined step, a date that does not exist, a misspelt
/// keyword (which would silently leave a scenario with nothing to check).
#[test]
fn feature_mistakes_exit_2_naming_the_line() {
    let features = tempfile::tempdir().unwrap();
    std::fs::write(
        features.path().join("a.feature"),
        "# language: ja\n機能: x\n\n  シナリオ: 未定義\n    前提 照会日時は 2026-01-05T09:00 である\n    もし 存在しないステップを実行する\n\n  シナリオ: 日付\n    前提 照会日時は 2026-02-30T09:00 である\n\n  シナリオ: 綴り\n    前堤 照会日時は 2026-01-05T09:00 である\n",
    )
    .unwrap();
    let reports = tempfile::tempdir().unwrap();
    let o = run_into(&reports, &["--features", features.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    for wanted in [
        "a.feature:6: no step definition matches `もし 存在しないステップを実行する`",
        "a.feature:9: 2026-02-30 is not a date",
        "a.feature:11: this scenario has no steps",
        "a.feature:12: `前堤",
    ] {
        assert!(err.contains(wanted), "{wanted:?} in {err}");
    }
    assert!(!String::from_utf8_lossy(&o.stdout).contains("PASSED"));
}

#[test]
fn unreachable_backend_exits_3() {
    let reports = tempfile::tempdir().unwrap();
    let o = run_into(&reports, &["--backend", "http://127.0.0.1:1"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
}

#[test]
fn roots_are_kept_in_and_loaded_from_a_pki_dir() {
    let dir = tempfile::tempdir().unwrap();
    let pki = dir.path().join("pki");
    let (a, b) = (dir.path().join("a.der"), dir.path().join("b.der"));
    for (seed, out) in [("7", &a), ("8", &b)] {
        // The first call generates (seed 7) and saves; the second loads them, so the
        // seed no longer matters for the roots.
        let o = export_auth_ca(out, &pki, &["--seed", seed]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    std::fs::write(pki.join("jpki-auth-root.der"), b"not a certificate").unwrap();
    let o = export_auth_ca(&a, &pki, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

/// `onshi cards export standard-adult --what auth-ca --out OUT EXTRA… --pki-dir PKI`.
fn export_auth_ca(out: &std::path::Path, pki: &std::path::Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "cards",
        "export",
        "standard-adult",
        "--what",
        "auth-ca",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    args.extend(["--pki-dir", pki.to_str().unwrap()]);
    onshi(&args)
}

/// Creates the run directories `<time>-s<seed>` a run started in the next two minutes
/// would be named, so that run must take the next free suffix.
fn take_run_ids(root: &std::path::Path, seed: u64) {
    let now = chrono::Local::now().naive_local();
    for s in 0..120 {
        let t = now + chrono::Duration::seconds(s);
        let id = format!("{}-s{seed}", t.format("%Y%m%d-%H%M%S"));
        std::fs::create_dir_all(root.join(id)).unwrap();
    }
}

#[test]
fn runs_started_together_never_share_a_report_directory() {
    let reports = tempfile::tempdir().unwrap();
    take_run_ids(reports.path(), 4242);
    let args = ["--tags", "@FAQ-4-11", "--seed", "4242"];
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| run_into(&reports, &args));
        let b = s.spawn(|| run_into(&reports, &args));
        (a.join().unwrap(), b.join().unwrap())
    });
    for o in [&a, &b] {
        assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
    }
    let mut written: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(reports.path()).unwrap() {
        let dir = entry.unwrap().path();
        let Ok(bytes) = std::fs::read(dir.join("summary.json")) else {
            continue;
        };
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let summary: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(
            summary["run"]["run_id"],
            name.as_str(),
            "the id is the name"
        );
        assert!(
            name.ends_with("-s4242-2") || name.ends_with("-s4242-3"),
            "{name}"
        );
        let junit = std::fs::read_to_string(dir.join("junit.xml")).unwrap();
        assert!(junit.contains(&format!("name=\"onshi {name}\"")), "{junit}");
        written.push(name);
    }
    written.sort();
    written.dedup();
    assert_eq!(written.len(), 2, "two runs, two directories: {written:?}");
}

/// `cards export --what images`: the four card-face files as the card holds them, never
/// the My Number (neither its digits nor its image); bad input exits 2.
#[test]
fn cards_export_writes_the_card_face_and_never_the_my_number() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("face");
    let args = |what: &str, out: &std::path::Path| {
        onshi(&[
            "cards",
            "export",
            "kyuji-name",
            "--what",
            what,
            "--out",
            out.to_str().unwrap(),
            "--no-key-cache",
        ])
    };
    let font = onshi::facefont::font_path(None);
    let o = args("images", &out);
    if !font.exists() && std::env::var_os("ONSHI_REQUIRE_FONT").is_none() {
        // Without the font the images are refused, naming the font's path.
        assert_eq!(o.status.code(), Some(2));
        assert!(
            stderr(&o).contains(&font.display().to_string()),
            "{}",
            stderr(&o)
        );
        return;
    }
    assert!(o.status.success(), "{}", stderr(&o));
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["address.png", "face.jp2", "name.png", "security-code.png"]
    );
    let read = |n: &str| std::fs::read(out.join(n)).unwrap();
    let header = |n: &str| onshi::card::face::png::header(&read(n)).unwrap();
    for n in ["address.png", "name.png", "security-code.png"] {
        let h = header(n);
        assert_eq!((h.bit_depth, h.color_type), (1, 0), "{n}: 1-bit greyscale");
    }
    let name = header("name.png");
    assert_eq!((name.width, name.height), (4 * 24 + 12, 24), "髙橋 𠮷男");
    let code = header("security-code.png");
    assert_eq!((code.width, code.height), (24, 12));
    assert_eq!(&read("face.jp2")[4..8], b"jP  ");

    // Nothing written holds the My Number, as text or as the card back's image.
    let set = onshi::defaults::personas(None).unwrap();
    let p = set.get("kyuji-name").unwrap().resolve(
        onshi::defaults::default_as_of(),
        onshi::defaults::DEFAULT_SEED,
    );
    let my_number = p.person.my_number.as_bytes();
    let image = onshi::card::face::png::encode_gray1(
        &onshi::card::face::FaceRenderer::digits_bitmap(&p.person.my_number),
    );
    for n in &names {
        let bytes = read(n);
        assert!(
            !bytes.windows(12).any(|w| w == my_number),
            "{n} holds the My Number"
        );
        assert!(bytes != image, "{n} is the My Number image");
    }
    let said = format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
    assert!(
        !said.contains(&p.person.my_number),
        "the output names the My Number"
    );

    // One file at a time.
    let one = dir.path().join("one.png");
    assert!(args("security-code-image", &one).status.success());
    assert_eq!(std::fs::read(&one).unwrap(), read("security-code.png"));

    // Bad input: an unknown persona, a directory that cannot be made.
    let o = onshi(&[
        "cards", "export", "nobody", "--what", "images", "--out", "/tmp/x",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let blocked = one.join("sub");
    let o = args("images", &blocked);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&blocked.display().to_string()),
        "{}",
        stderr(&o)
    );
}
