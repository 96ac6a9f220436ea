//! `onshi certify`: the conformance suite run against a reader under test, packed into
//! a signed evidence package (`report::certify` is the package's pure core; this is the
//! shell: the run, the files, the key), and `onshi certify verify`, which checks one.
//!
//! Exit codes of `certify`: 0 the package is written and says CONFORMANT; 1 it is
//! written and says NOT CONFORMANT; 2 bad input (no package); 3 the reader or backend
//! could not be reached (no package); 130 / 143 a signal stopped the run — the package
//! is written all the same, its VERDICT saying `NOT CONFORMANT: interrupted by …`, so
//! what ran stays signed evidence. `certify verify`: 0 intact, 1 not (each problem
//! named by its file), 2 not a package.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use onshi::conformance::run::{RunOutcome, feature_texts};
use onshi::report::certify::layout::{
    self, DECLARATIONS, MANIFEST, MANIFEST_SIG, REPORT_DIR, SIGNER_PUB, TESTED, VERDICT,
};
use onshi::report::certify::tested::{self, FeatureFile, Tested};
use onshi::report::certify::{
    Contents, Manifest, PackagePath, PackageVerdict, PublicKey, Sha256, SigningKey, declarations,
    verify,
};

use super::common::{CliError, Exit};
use super::run::{SuiteArgs, execute_with_progress, exit_of, print_summary};

/// The source revision this binary was built from (`build.rs`).
const REVISION: &str = env!("ONSHI_REVISION");

/// Where the signing key is when `--signing-key` is not given, below the config
/// directory (`$XDG_CONFIG_HOME`, else `~/.config`).
const DEFAULT_KEY: &str = "onshi/certify-ed25519.pk8";

/// `onshi certify` options.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub(super) struct CertifyArgs {
    #[command(subcommand)]
    command: Option<CertifyCommand>,
    #[command(flatten)]
    package: PackageArgs,
}

impl CertifyArgs {
    /// Whether this runs the suite (and so should turn signals into a clean stop).
    pub(super) fn runs_suite(&self) -> bool {
        self.command.is_none()
    }
}

#[derive(Debug, Subcommand)]
enum CertifyCommand {
    /// Check a package: the signature over MANIFEST, then every file against it; each
    /// problem is named by its file. Exit 0 intact, 1 not, 2 not a package.
    Verify(VerifyArgs),
}

/// Writing a package.
#[derive(Debug, Args)]
struct PackageArgs {
    #[command(flatten)]
    suite: SuiteArgs,
    /// The package directory to write: a new directory, or an empty one. Its public key
    /// is also written beside it as `<DIR>.pub`.
    #[arg(long, value_name = "DIR", required = true)]
    out: Option<PathBuf>,
    /// The signer's Ed25519 private key (PKCS#8, DER, as `openssl genpkey -algorithm
    /// ED25519 -outform DER` writes it); created (mode 0600) when missing. Default:
    /// `$XDG_CONFIG_HOME/onshi/certify-ed25519.pk8`, else
    /// `~/.config/onshi/certify-ed25519.pk8`.
    #[arg(long, value_name = "FILE")]
    signing_key: Option<PathBuf>,
}

/// `certify verify` options.
#[derive(Debug, Args)]
struct VerifyArgs {
    /// The package directory.
    dir: PathBuf,
    /// The signer's public key (PEM) as you received it from the signer: the signature
    /// must be this key's, and the package's signer.pub must be it. Without it the
    /// package is checked against its own signer.pub, which shows it is intact, not
    /// who signed it.
    #[arg(long, value_name = "FILE")]
    public_key: Option<PathBuf>,
}

pub(super) fn run(args: CertifyArgs) -> Result<Exit, CliError> {
    match args.command {
        Some(CertifyCommand::Verify(v)) => verify_package(&v),
        None => write_package(args.package),
    }
}

/// The default signing key's path.
fn default_key_path() -> Option<PathBuf> {
    let non_empty = |v: std::ffi::OsString| (!v.is_empty()).then(|| PathBuf::from(v));
    std::env::var_os("XDG_CONFIG_HOME")
        .and_then(non_empty)
        .or_else(|| {
            std::env::var_os("HOME")
                .and_then(non_empty)
                .map(|h| h.join(".config"))
        })
        .map(|d| d.join(DEFAULT_KEY))
}

/// The signing key at `path`, made (mode 0600, its directory 0700) when there is none;
/// `true` when it was made now.
fn signing_key(path: &Path) -> Result<(SigningKey, bool), CliError> {
    let bad = |e: &dyn std::fmt::Display| {
        CliError::input(format!("--signing-key {}: {e}", path.display()))
    };
    match fs::read(path) {
        Ok(der) => {
            if let Ok(meta) = fs::metadata(path)
                && meta.permissions().mode() & 0o077 != 0
            {
                eprintln!(
                    "warning: signing key {} is readable by others (mode {:o}); chmod 600 it",
                    path.display(),
                    meta.permissions().mode() & 0o777
                );
            }
            SigningKey::from_pkcs8(&der)
                .map(|k| (k, false))
                .map_err(|e| bad(&e))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let rng = aws_lc_rs::rand::SystemRandom::new();
            let pkcs8 = aws_lc_rs::signature::Ed25519KeyPair::generate_pkcs8(&rng)
                .map_err(|e| CliError::failed(format!("generating an Ed25519 key: {e}")))?;
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o700)
                    .create(dir)
                    .map_err(|e| bad(&e))?;
            }
            let mut f = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .map_err(|e| bad(&e))?;
            f.write_all(pkcs8.as_ref())
                .and_then(|()| f.sync_all())
                .map_err(|e| bad(&e))?;
            let key = SigningKey::from_pkcs8(pkcs8.as_ref()).map_err(|e| bad(&e))?;
            Ok((key, true))
        }
        Err(e) => Err(bad(&e)),
    }
}

/// The package directory being written: `.<name>.certify-<pid>` beside `--out`,
/// removed on every way out but [`Staging::publish`].
struct Staging {
    path: PathBuf,
    published: bool,
}

impl Staging {
    fn new(out: &Path) -> Result<Self, CliError> {
        let name = out
            .file_name()
            .ok_or_else(|| {
                CliError::input(format!("--out {}: not a directory name", out.display()))
            })?
            .to_string_lossy()
            .into_owned();
        let parent = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let in_place = |e: std::io::Error| CliError::input(format!("--out {}: {e}", out.display()));
        match fs::read_dir(out) {
            Ok(mut entries) => {
                if entries.next().is_some() {
                    return Err(CliError::input(format!(
                        "--out {}: exists and is not empty; a package is never written over anything",
                        out.display()
                    )));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(in_place(e)),
        }
        fs::create_dir_all(parent).map_err(in_place)?;
        let path = parent.join(format!(".{name}.certify-{}", std::process::id()));
        fs::create_dir(&path).map_err(in_place)?;
        Ok(Self {
            path,
            published: false,
        })
    }

    /// Writes `bytes` at the package path `rel`, making its directories.
    fn write(&self, rel: &PackagePath, bytes: &[u8]) -> Result<(), CliError> {
        let path = self.path.join(rel.as_str());
        let failed = |e: std::io::Error| CliError::failed(format!("{}: {e}", path.display()));
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(failed)?;
        }
        onshi::fsutil::write_atomic(&path, bytes).map_err(failed)
    }

    /// Moves the finished package to `out` (an empty directory there is replaced).
    fn publish(mut self, out: &Path) -> Result<(), CliError> {
        let failed = |e: std::io::Error| CliError::failed(format!("--out {}: {e}", out.display()));
        if out.exists() {
            // Empty when the run started; `remove_dir` refuses if anything appeared since.
            fs::remove_dir(out).map_err(failed)?;
        }
        fs::rename(&self.path, out).map_err(failed)?;
        self.published = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.published {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

/// A package path for one of the fixed names or a name the core built.
fn package_path(name: &str) -> Result<PackagePath, CliError> {
    PackagePath::new(name).map_err(|e| CliError::failed(e.to_string()))
}

/// Every entry below `dir` but the top-level `MANIFEST` and `MANIFEST.sig`: regular
/// files by package path with their hash, and what is odd (no regular file, a name
/// that cannot be a package path, unreadable).
fn hash_tree(dir: &Path) -> (BTreeMap<PackagePath, Sha256>, Vec<String>) {
    let mut found = BTreeMap::new();
    let mut odd = Vec::new();
    let mut todo: Vec<(PathBuf, String)> = vec![(dir.to_owned(), String::new())];
    while let Some((path, rel)) = todo.pop() {
        let entries = match fs::read_dir(&path) {
            Ok(e) => e,
            Err(e) => {
                odd.push(format!("{rel} (unreadable: {e})"));
                continue;
            }
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                odd.push(format!("{rel}{}", name.to_string_lossy()));
                continue;
            };
            let rel = format!("{rel}{name}");
            if rel == MANIFEST || rel == MANIFEST_SIG {
                continue;
            }
            match entry.file_type() {
                Ok(t) if t.is_dir() => todo.push((entry.path(), format!("{rel}/"))),
                Ok(t) if t.is_file() => match (PackagePath::new(&rel), fs::read(entry.path())) {
                    (Ok(p), Ok(bytes)) => {
                        found.insert(p, Sha256::of(&bytes));
                    }
                    (Err(_), _) => odd.push(rel),
                    (_, Err(e)) => odd.push(format!("{rel} (unreadable: {e})")),
                },
                _ => odd.push(rel),
            }
        }
    }
    odd.sort();
    (found, odd)
}

/// `tested.json` of a finished run: `features` hashed and `personas` taken before it.
fn tested(
    suite: &SuiteArgs,
    outcome: &RunOutcome,
    features: Vec<FeatureFile>,
    personas: Vec<String>,
    ended: chrono::NaiveDateTime,
) -> Tested {
    let run = &outcome.report.run;
    Tested {
        onshi: tested::Build {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            revision: REVISION.to_owned(),
        },
        run_id: run.run_id.clone(),
        features: tested::Features {
            source: suite.features_label(),
            files: features,
            tags: suite.tags.clone(),
        },
        seed: run.seed,
        as_of: run.as_of.clone(),
        shuffle: run.shuffle,
        personas_source: suite
            .world
            .cards
            .as_ref()
            .map_or("embedded".to_owned(), |d| d.display().to_string()),
        personas,
        reader: tested::Reader {
            spec: suite.reader.trim().to_owned(),
            described: run.reader.clone(),
            says: outcome
                .reader_info
                .as_ref()
                .and_then(|i| serde_json::to_value(i).ok()),
        },
        backend: tested::Backend {
            spec: suite.backend.to_string(),
            described: run.backend.clone(),
            defects: run.defects.clone(),
        },
        started: run.started_at.clone(),
        ended: ended.format("%Y-%m-%dT%H:%M:%S").to_string(),
        complete: run.complete,
    }
}

fn write_package(args: PackageArgs) -> Result<Exit, CliError> {
    let out = args
        .out
        .clone()
        .ok_or_else(|| CliError::input("--out DIR is required"))?;
    let staging = Staging::new(&out)?;
    let key_path = args
        .signing_key
        .clone()
        .or_else(default_key_path)
        .ok_or_else(|| {
            CliError::input("no --signing-key, and neither XDG_CONFIG_HOME nor HOME is set")
        })?;
    let (key, created) = signing_key(&key_path)?;
    if created {
        eprintln!(
            "created signing key {} (keep it private; its public half goes beside every package)",
            key_path.display()
        );
    }
    let suite = &args.suite;
    let features: Vec<FeatureFile> = feature_texts(&suite.feature_source())
        .map_err(|e| CliError::input(e.to_string()))?
        .iter()
        .map(|(name, text)| FeatureFile::of(name, text))
        .collect();
    let plan = suite.plan(staging.path.join(".run"))?;
    let personas: Vec<String> = plan.personas.iter().map(|p| p.id.clone()).collect();
    let outcome = execute_with_progress(plan).map_err(|e| CliError {
        // A report the run wrote into the staging directory is gone with it.
        message: e
            .message
            .replace(&staging.path.display().to_string(), "<removed>"),
        ..e
    })?;
    print_summary(&outcome);
    if !outcome.parse_errors.is_empty() {
        return exit_of(&outcome);
    }
    let ended = chrono::Local::now().naive_local();
    let report = &outcome.report;
    let moved = |e: std::io::Error| CliError::failed(format!("{}: {e}", outcome.dir.display()));
    fs::rename(&outcome.dir, staging.path.join(REPORT_DIR)).map_err(moved)?;
    // The run index the run wrote beside its directory is no part of the package.
    fs::remove_dir_all(staging.path.join(".run")).map_err(moved)?;

    let tested = tested(suite, &outcome, features, personas, ended);
    let verdict = PackageVerdict::of(report);
    let mut tested_json = serde_json::to_vec_pretty(&tested)
        .map_err(|e| CliError::failed(format!("tested.json: {e}")))?;
    tested_json.push(b'\n');
    let mut files = vec![
        (
            package_path(VERDICT)?,
            verdict.text(report, REVISION).into_bytes(),
        ),
        (package_path(TESTED)?, tested_json),
        (
            package_path(DECLARATIONS)?,
            declarations::markdown().into_bytes(),
        ),
        (
            package_path(SIGNER_PUB)?,
            key.public_key().to_pem().into_bytes(),
        ),
    ];
    files.extend(layout::evidence_files(report).map_err(CliError::failed)?);
    for (path, bytes) in &files {
        staging.write(path, bytes)?;
    }
    // The manifest lists what is on disk, the run directory's files included.
    let (found, odd) = hash_tree(&staging.path);
    if !odd.is_empty() {
        return Err(CliError::failed(format!(
            "the package holds entries it cannot list: {}",
            odd.join(", ")
        )));
    }
    let manifest = Manifest::from_hashes(found).text();
    staging.write(&package_path(MANIFEST)?, manifest.as_bytes())?;
    staging.write(
        &package_path(MANIFEST_SIG)?,
        key.sign(manifest.as_bytes()).to_text().as_bytes(),
    )?;
    staging.publish(&out)?;
    let beside = out.with_file_name(format!(
        "{}.pub",
        out.file_name().unwrap_or_default().to_string_lossy()
    ));
    onshi::fsutil::write_atomic(&beside, key.public_key().to_pem().as_bytes())
        .map_err(|e| CliError::failed(format!("{}: {e}", beside.display())))?;

    println!("{}", verdict.first_line());
    println!(
        "package: {} ({} files, signed by {}; public key {})",
        out.display(),
        manifest.lines().count(),
        key.public_key().fingerprint(),
        beside.display()
    );
    Ok(match outcome.interrupted {
        Some(signal) => signal.into(),
        None if verdict.is_conformant() => Exit::Passed,
        None => Exit::Failed,
    })
}

fn verify_package(args: &VerifyArgs) -> Result<Exit, CliError> {
    let dir = &args.dir;
    let not_a_package = |why: String| {
        CliError::input(format!(
            "{}: not a certification package ({why})",
            dir.display()
        ))
    };
    if !dir.is_dir() {
        return Err(not_a_package("not a directory".into()));
    }
    let manifest =
        fs::read(dir.join(MANIFEST)).map_err(|e| not_a_package(format!("{MANIFEST}: {e}")))?;
    let trusted = match &args.public_key {
        None => None,
        Some(path) => {
            let bad = |e: &dyn std::fmt::Display| {
                CliError::input(format!("--public-key {}: {e}", path.display()))
            };
            let text = fs::read_to_string(path).map_err(|e| bad(&e))?;
            Some(PublicKey::from_pem(&text).map_err(|e| bad(&e))?)
        }
    };
    let text = |name: &str| {
        fs::read(dir.join(name))
            .ok()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    };
    let (signature, signer) = (text(MANIFEST_SIG), text(SIGNER_PUB));
    let (found, odd) = hash_tree(dir);
    let v = verify(
        &Contents {
            manifest: &manifest,
            signature: signature.as_deref(),
            signer: signer.as_deref(),
            found: &found,
            odd: &odd,
        },
        trusted.as_ref(),
    );
    if !v.intact() {
        for p in &v.problems {
            println!("{p}");
        }
        println!(
            "NOT INTACT: {} problem{} in {}",
            v.problems.len(),
            if v.problems.len() == 1 { "" } else { "s" },
            dir.display()
        );
        return Ok(Exit::Failed);
    }
    let verdict = text(VERDICT).unwrap_or_default();
    println!(
        "intact: {} files, signed by {}{}",
        v.listed,
        v.key.map(|k| k.fingerprint()).unwrap_or_default(),
        if trusted.is_some() {
            " (the key given)"
        } else {
            " (the package's own signer.pub: compare it with the signer's published key)"
        }
    );
    println!("VERDICT: {}", verdict.lines().next().unwrap_or_default());
    Ok(Exit::Passed)
}
