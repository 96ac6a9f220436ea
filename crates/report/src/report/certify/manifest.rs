//! The package's `MANIFEST`: the SHA-256 of every file, one `<hex>  <path>` line each,
//! sorted by path — the format `sha256sum` writes and `sha256sum -c` checks — and how a
//! manifest compares with the files a directory holds.

use std::collections::BTreeMap;
use std::fmt;

use super::layout::{MANIFEST, MANIFEST_SIG};

/// A SHA-256 digest.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sha256([u8; 32]);

impl Sha256 {
    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
        let mut out = [0u8; 32];
        out.copy_from_slice(d.as_ref());
        Self(out)
    }

    /// Lower-case hex, as `sha256sum` prints it.
    pub fn hex(&self) -> String {
        onshi_support::hex::encode(&self.0).to_ascii_lowercase()
    }

    /// From 64 hex digits (either case).
    pub fn from_hex(text: &str) -> Option<Self> {
        if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let bytes = onshi_support::hex::decode(text).ok()?;
        bytes.try_into().ok().map(Self)
    }
}

impl fmt::Debug for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256({})", self.hex())
    }
}

impl fmt::Display for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hex())
    }
}

/// Why a path cannot name a file of a package.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path:?} cannot name a file of a package: {reason}")]
pub struct PathError {
    /// The path as given.
    pub path: String,
    /// The rule it breaks.
    pub reason: &'static str,
}

/// A file's path inside a package: relative, `/`-separated, no `.` or `..` component,
/// no empty component, no control character or backslash (so every path is one
/// unambiguous `MANIFEST` line).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PackagePath(String);

impl PackagePath {
    /// Checks `path` against the rules.
    pub fn new(path: &str) -> Result<Self, PathError> {
        let fail = |reason| {
            Err(PathError {
                path: path.to_owned(),
                reason,
            })
        };
        if path.is_empty() {
            return fail("empty");
        }
        if path.chars().any(|c| c.is_control() || c == '\\') {
            return fail("a control character or backslash");
        }
        for part in path.split('/') {
            match part {
                "" => return fail("an empty component (leading, trailing or double `/`)"),
                "." | ".." => return fail("a `.` or `..` component"),
                _ => {}
            }
        }
        Ok(Self(path.to_owned()))
    }

    /// The path.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is `MANIFEST` or `MANIFEST.sig`, the two files the manifest cannot
    /// list.
    pub fn is_manifest(&self) -> bool {
        self.0 == MANIFEST || self.0 == MANIFEST_SIG
    }
}

impl fmt::Display for PackagePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A `MANIFEST` that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("MANIFEST:{line}: {reason}")]
pub struct ManifestError {
    /// The line (from 1).
    pub line: usize,
    /// What is wrong with it.
    pub reason: String,
}

/// How the files found differ from the manifest: each names one file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Difference {
    /// The file's content is not what the manifest lists.
    Changed {
        /// The file.
        path: PackagePath,
        /// The hash the manifest lists.
        listed: Sha256,
        /// The hash of the file found.
        found: Sha256,
    },
    /// The manifest lists the file; the package does not hold it.
    Missing {
        /// The file.
        path: PackagePath,
    },
    /// The package holds a file the manifest does not list.
    Extra {
        /// The file.
        path: PackagePath,
    },
}

impl Difference {
    /// The file this difference is about.
    pub fn path(&self) -> &PackagePath {
        match self {
            Self::Changed { path, .. } | Self::Missing { path } | Self::Extra { path } => path,
        }
    }
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Changed {
                path,
                listed,
                found,
            } => write!(
                f,
                "{path}: changed (MANIFEST lists sha256 {listed}, the file has {found})"
            ),
            Self::Missing { path } => write!(f, "{path}: missing (MANIFEST lists it)"),
            Self::Extra { path } => write!(f, "{path}: not listed in MANIFEST (added)"),
        }
    }
}

/// The hashes of a package's files, by path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    entries: BTreeMap<PackagePath, Sha256>,
}

impl Manifest {
    /// A manifest of `files` (path, content). `MANIFEST` and `MANIFEST.sig` are left
    /// out: the manifest cannot hash itself, and the signature is over it.
    pub fn of<'a>(files: impl IntoIterator<Item = (&'a PackagePath, &'a [u8])>) -> Self {
        Self::from_hashes(files.into_iter().map(|(p, b)| (p.clone(), Sha256::of(b))))
    }

    /// A manifest of already hashed files (`MANIFEST` and `MANIFEST.sig` left out).
    pub fn from_hashes(files: impl IntoIterator<Item = (PackagePath, Sha256)>) -> Self {
        Self {
            entries: files
                .into_iter()
                .filter(|(p, _)| !p.is_manifest())
                .collect(),
        }
    }

    /// The listed files and their hashes, sorted by path.
    pub fn entries(&self) -> &BTreeMap<PackagePath, Sha256> {
        &self.entries
    }

    /// The text: `<sha256 hex>  <path>\n` per file, sorted by path.
    pub fn text(&self) -> String {
        self.entries
            .iter()
            .map(|(p, h)| format!("{h}  {p}\n"))
            .collect()
    }

    /// Parses a manifest's text; every line must be `<64 hex digits>  <path>`, no path
    /// twice, and neither `MANIFEST` nor `MANIFEST.sig` listed.
    pub fn parse(text: &str) -> Result<Self, ManifestError> {
        let mut entries = BTreeMap::new();
        for (i, line) in text.lines().enumerate() {
            let fail = |reason: String| ManifestError {
                line: i + 1,
                reason,
            };
            let (hex, path) = line
                .split_once("  ")
                .ok_or_else(|| fail("not `<sha256 hex>  <path>`".to_owned()))?;
            let hash = Sha256::from_hex(hex)
                .ok_or_else(|| fail(format!("{hex:?} is not 64 hex digits")))?;
            let path = PackagePath::new(path).map_err(|e| fail(e.to_string()))?;
            if path.is_manifest() {
                return Err(fail(format!("{path} cannot be listed")));
            }
            if entries.insert(path.clone(), hash).is_some() {
                return Err(fail(format!("{path} is listed twice")));
            }
        }
        Ok(Self { entries })
    }

    /// How `found` (every file of the package but `MANIFEST` and `MANIFEST.sig`, with
    /// its hash) differs from this manifest, by path.
    pub fn compare(&self, found: &BTreeMap<PackagePath, Sha256>) -> Vec<Difference> {
        let mut out = Vec::new();
        for (path, listed) in &self.entries {
            match found.get(path) {
                None => out.push(Difference::Missing { path: path.clone() }),
                Some(h) if h != listed => out.push(Difference::Changed {
                    path: path.clone(),
                    listed: *listed,
                    found: *h,
                }),
                Some(_) => {}
            }
        }
        for path in found.keys() {
            if !path.is_manifest() && !self.entries.contains_key(path) {
                out.push(Difference::Extra { path: path.clone() });
            }
        }
        out.sort_by(|a, b| a.path().cmp(b.path()));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> PackagePath {
        PackagePath::new(s).unwrap()
    }

    fn files() -> Vec<(PackagePath, Vec<u8>)> {
        vec![
            (p("VERDICT"), b"CONFORMANT\n".to_vec()),
            (p("report/summary.json"), b"{}".to_vec()),
            (p("evidence/001-a.json"), b"[1]".to_vec()),
        ]
    }

    fn manifest() -> Manifest {
        Manifest::of(files().iter().map(|(p, b)| (p, b.as_slice())))
    }

    fn found(files: &[(PackagePath, Vec<u8>)]) -> BTreeMap<PackagePath, Sha256> {
        files
            .iter()
            .map(|(p, b)| (p.clone(), Sha256::of(b)))
            .collect()
    }

    #[test]
    fn sha256_of_a_known_text() {
        assert_eq!(
            Sha256::of(b"abc").hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let h = Sha256::of(b"abc");
        assert_eq!(Sha256::from_hex(&h.hex().to_uppercase()), Some(h));
        assert_eq!(Sha256::from_hex("abc"), None);
        assert_eq!(Sha256::from_hex(&"g".repeat(64)), None);
    }

    #[test]
    fn the_text_is_sorted_sha256sum_lines_and_parses_back() {
        let m = manifest();
        let text = m.text();
        let paths: Vec<&str> = text
            .lines()
            .map(|l| l.split_once("  ").unwrap().1)
            .collect();
        assert_eq!(
            paths,
            ["VERDICT", "evidence/001-a.json", "report/summary.json"]
        );
        assert!(text.starts_with(&format!("{}  VERDICT\n", Sha256::of(b"CONFORMANT\n"))));
        assert_eq!(Manifest::parse(&text), Ok(m));
    }

    #[test]
    fn the_manifest_and_its_signature_are_never_listed() {
        let mut all = files();
        all.push((p("MANIFEST"), b"x".to_vec()));
        all.push((p("MANIFEST.sig"), b"y".to_vec()));
        let m = Manifest::of(all.iter().map(|(p, b)| (p, b.as_slice())));
        assert_eq!(m, manifest());
        // And finding them is no difference.
        assert!(m.compare(&found(&all)).is_empty());
        let listed = format!("{}  MANIFEST\n", Sha256::of(b"x"));
        assert_eq!(Manifest::parse(&listed).unwrap_err().line, 1);
    }

    #[test]
    fn a_changed_file_is_named() {
        let mut now = files();
        now[1].1 = b"{ }".to_vec();
        let d = manifest().compare(&found(&now));
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(
            matches!(&d[0], Difference::Changed { path, .. } if path.as_str() == "report/summary.json")
        );
        assert!(d[0].to_string().starts_with("report/summary.json: changed"));
    }

    #[test]
    fn missing_and_extra_files_are_named() {
        let mut now = files();
        now.remove(0);
        now.push((p("evidence/999-new.json"), b"{}".to_vec()));
        let d = manifest().compare(&found(&now));
        let shown: Vec<String> = d.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "VERDICT: missing (MANIFEST lists it)",
                "evidence/999-new.json: not listed in MANIFEST (added)"
            ]
        );
    }

    #[test]
    fn bad_lines_are_refused_with_their_line() {
        let good = manifest().text();
        for (bad, line) in [
            (format!("{good}nonsense\n"), 4),
            (format!("{}  x\n{good}", "0".repeat(63)), 1),
            (format!("{good}{}  ../etc/passwd\n", "0".repeat(64)), 4),
            (format!("{good}{}  /abs\n", "0".repeat(64)), 4),
            (format!("{good}{}", good.lines().next().unwrap()), 4),
        ] {
            let e = Manifest::parse(&bad).unwrap_err();
            assert_eq!(e.line, line, "{bad:?}: {e}");
        }
    }

    #[test]
    fn package_paths() {
        for ok in [
            "VERDICT",
            "report/junit.xml",
            "evidence/001-02_暗証番号ロック-L11.json",
        ] {
            assert!(PackagePath::new(ok).is_ok(), "{ok}");
        }
        for bad in ["", "/a", "a/", "a//b", "./a", "a/../b", "a\nb", "a\\b"] {
            assert!(PackagePath::new(bad).is_err(), "{bad:?}");
        }
    }
}
