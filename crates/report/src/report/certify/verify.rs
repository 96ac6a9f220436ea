//! Checking a package: the signature over `MANIFEST`, then every file against it. The
//! shell reads the directory; this judges what it read, and each problem names the file
//! it is about.

use std::collections::BTreeMap;
use std::fmt;

use super::layout::{MANIFEST, MANIFEST_SIG, SIGNER_PUB};
use super::manifest::{Difference, Manifest, ManifestError, PackagePath, Sha256};
use super::signing::{KeyError, PublicKey, Signature};

/// What the shell read from a package directory.
#[derive(Debug, Clone, Copy)]
pub struct Contents<'a> {
    /// `MANIFEST`'s bytes.
    pub manifest: &'a [u8],
    /// `MANIFEST.sig`'s text, if the file is there.
    pub signature: Option<&'a str>,
    /// `signer.pub`'s text, if the file is there.
    pub signer: Option<&'a str>,
    /// Every regular file but `MANIFEST` and `MANIFEST.sig`, by path, with its hash.
    pub found: &'a BTreeMap<PackagePath, Sha256>,
    /// Entries that are no regular file (a symbolic link, a device) or whose name
    /// cannot be a package path, as found.
    pub odd: &'a [String],
}

/// One way a package is not intact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// `MANIFEST` is not UTF-8.
    ManifestNotText,
    /// `MANIFEST` does not parse.
    Manifest(ManifestError),
    /// `MANIFEST.sig` is not there.
    SignatureMissing,
    /// `MANIFEST.sig` is not a signature.
    SignatureUnreadable(KeyError),
    /// `signer.pub` is not there and no key was given.
    SignerMissing,
    /// `signer.pub` is not a public key.
    SignerUnreadable(KeyError),
    /// The signature does not verify over `MANIFEST` with `key`.
    SignatureInvalid {
        /// The key it was checked with.
        key: PublicKey,
    },
    /// `signer.pub` is not the key the verifier trusts.
    NotTrusted {
        /// The package's key.
        signer: PublicKey,
        /// The key given.
        trusted: PublicKey,
    },
    /// A file differs from the manifest.
    File(Difference),
    /// An entry that is no regular file or has an unusable name.
    NotAFile(String),
}

impl Problem {
    /// The file the problem is about.
    pub fn file(&self) -> &str {
        match self {
            Self::ManifestNotText | Self::Manifest(_) => MANIFEST,
            Self::SignatureMissing
            | Self::SignatureUnreadable(_)
            | Self::SignatureInvalid { .. } => MANIFEST_SIG,
            Self::SignerMissing | Self::SignerUnreadable(_) | Self::NotTrusted { .. } => SIGNER_PUB,
            Self::File(d) => d.path().as_str(),
            Self::NotAFile(name) => name,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ManifestNotText => write!(f, "{MANIFEST}: not UTF-8 text"),
            Self::Manifest(e) => write!(f, "{e}"),
            Self::SignatureMissing => {
                write!(f, "{MANIFEST_SIG}: missing (the package is unsigned)")
            }
            Self::SignatureUnreadable(e) => write!(f, "{MANIFEST_SIG}: {e}"),
            Self::SignerMissing => write!(
                f,
                "{SIGNER_PUB}: missing: no key to check the signature with (give --public-key)"
            ),
            Self::SignerUnreadable(e) => write!(f, "{SIGNER_PUB}: {e}"),
            Self::SignatureInvalid { key } => write!(
                f,
                "{MANIFEST_SIG}: the signature over {MANIFEST} does not verify with key {} \
                 ({MANIFEST} or {MANIFEST_SIG} changed, or another key signed it)",
                key.fingerprint()
            ),
            Self::NotTrusted { signer, trusted } => write!(
                f,
                "{SIGNER_PUB}: key {} is not the key given ({})",
                signer.fingerprint(),
                trusted.fingerprint()
            ),
            Self::File(d) => write!(f, "{d}"),
            Self::NotAFile(name) => write!(f, "{name}: not a regular file with a usable name"),
        }
    }
}

/// The result of checking a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// The key the signature was checked with (the given one, else `signer.pub`).
    pub key: Option<PublicKey>,
    /// Every problem found, signature first, then files by path.
    pub problems: Vec<Problem>,
    /// Files the manifest lists (0 when it did not parse).
    pub listed: usize,
}

impl Verification {
    /// Whether the package is intact: signed by the key, every listed file there and
    /// unchanged, nothing added.
    pub fn intact(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks `contents`; with `trusted`, the signature must be that key's and `signer.pub`
/// must be it.
pub fn verify(contents: &Contents<'_>, trusted: Option<&PublicKey>) -> Verification {
    let mut problems = Vec::new();
    let signer = match contents.signer.map(PublicKey::from_pem) {
        Some(Ok(k)) => Some(k),
        Some(Err(e)) => {
            problems.push(Problem::SignerUnreadable(e));
            None
        }
        None => {
            // Listed in MANIFEST, its absence is named by the comparison below.
            if trusted.is_none() {
                problems.push(Problem::SignerMissing);
            }
            None
        }
    };
    if let (Some(signer), Some(trusted)) = (signer, trusted)
        && signer != *trusted
    {
        problems.push(Problem::NotTrusted {
            signer,
            trusted: *trusted,
        });
    }
    let key = trusted.copied().or(signer);
    match contents.signature.map(Signature::from_text) {
        None => problems.push(Problem::SignatureMissing),
        Some(Err(e)) => problems.push(Problem::SignatureUnreadable(e)),
        Some(Ok(sig)) => {
            if let Some(key) = key
                && !key.verifies(contents.manifest, &sig)
            {
                problems.push(Problem::SignatureInvalid { key });
            }
        }
    }
    let mut listed = 0;
    match std::str::from_utf8(contents.manifest) {
        Err(_) => problems.push(Problem::ManifestNotText),
        Ok(text) => match Manifest::parse(text) {
            Err(e) => problems.push(Problem::Manifest(e)),
            Ok(m) => {
                listed = m.entries().len();
                problems.extend(m.compare(contents.found).into_iter().map(Problem::File));
            }
        },
    }
    problems.extend(contents.odd.iter().cloned().map(Problem::NotAFile));
    Verification {
        key,
        problems,
        listed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::certify::signing::tests::{key, other_key};

    /// A signed package in memory: (manifest, signature, signer.pub, found files).
    struct Package {
        manifest: Vec<u8>,
        signature: Option<String>,
        signer: Option<String>,
        files: BTreeMap<PackagePath, Vec<u8>>,
    }

    impl Package {
        fn new() -> Self {
            let k = key();
            let mut files = BTreeMap::new();
            for (p, b) in [
                ("VERDICT", b"CONFORMANT\n".as_slice()),
                ("tested.json", b"{}"),
                ("report/summary.json", b"{\"a\":1}"),
            ] {
                files.insert(PackagePath::new(p).unwrap(), b.to_vec());
            }
            let signer = k.public_key().to_pem();
            files.insert(
                PackagePath::new(SIGNER_PUB).unwrap(),
                signer.clone().into_bytes(),
            );
            let manifest = Manifest::of(files.iter().map(|(p, b)| (p, b.as_slice())))
                .text()
                .into_bytes();
            Self {
                signature: Some(k.sign(&manifest).to_text()),
                manifest,
                signer: Some(signer),
                files,
            }
        }

        fn check(&self, trusted: Option<&PublicKey>) -> Verification {
            let found: BTreeMap<PackagePath, Sha256> = self
                .files
                .iter()
                .map(|(p, b)| (p.clone(), Sha256::of(b)))
                .collect();
            verify(
                &Contents {
                    manifest: &self.manifest,
                    signature: self.signature.as_deref(),
                    signer: self.signer.as_deref(),
                    found: &found,
                    odd: &[],
                },
                trusted,
            )
        }

        fn file_mut(&mut self, p: &str) -> &mut Vec<u8> {
            self.files.get_mut(&PackagePath::new(p).unwrap()).unwrap()
        }
    }

    fn named(v: &Verification) -> Vec<&str> {
        v.problems.iter().map(Problem::file).collect()
    }

    #[test]
    fn an_intact_package_verifies() {
        let p = Package::new();
        let v = p.check(None);
        assert!(v.intact(), "{:?}", v.problems);
        assert_eq!(v.listed, 4);
        assert_eq!(v.key, Some(key().public_key()));
        assert!(p.check(Some(&key().public_key())).intact());
    }

    #[test]
    fn one_flipped_byte_is_named() {
        let mut p = Package::new();
        p.file_mut("report/summary.json")[2] ^= 0x01;
        let v = p.check(None);
        assert_eq!(named(&v), ["report/summary.json"]);
        assert!(
            v.problems[0]
                .to_string()
                .starts_with("report/summary.json: changed")
        );
    }

    #[test]
    fn a_changed_manifest_breaks_the_signature() {
        let mut p = Package::new();
        p.manifest[0] ^= 0x01;
        let v = p.check(None);
        assert_eq!(named(&v)[0], MANIFEST_SIG, "{:?}", v.problems);
        assert!(
            v.problems
                .iter()
                .any(|x| matches!(x, Problem::SignatureInvalid { .. }))
        );
        // What the flipped line now says (a bad digit, or a wrong hash) is named too.
        assert!(!v.intact());
    }

    #[test]
    fn extra_and_missing_files_are_named() {
        let mut p = Package::new();
        p.files.remove(&PackagePath::new("tested.json").unwrap());
        p.files.insert(
            PackagePath::new("evidence/extra.json").unwrap(),
            b"{}".to_vec(),
        );
        let v = p.check(None);
        assert_eq!(named(&v), ["evidence/extra.json", "tested.json"]);
        let shown: Vec<String> = v.problems.iter().map(ToString::to_string).collect();
        assert!(shown[0].contains("not listed"), "{shown:?}");
        assert!(shown[1].contains("missing"), "{shown:?}");
    }

    #[test]
    fn a_package_signed_by_another_key_is_refused_when_a_key_is_given() {
        let p = Package::new();
        let theirs = other_key().public_key();
        let v = p.check(Some(&theirs));
        assert_eq!(named(&v), [SIGNER_PUB, MANIFEST_SIG], "{:?}", v.problems);
    }

    #[test]
    fn a_resigned_package_with_its_own_key_is_consistent_but_not_trusted() {
        // Someone changes a file, re-hashes, re-signs with their key and swaps signer.pub:
        // the package is consistent in itself, and only the trusted key catches it.
        let mut p = Package::new();
        *p.file_mut("VERDICT") = b"CONFORMANT (forged)\n".to_vec();
        let forger = other_key();
        let pem = forger.public_key().to_pem();
        *p.file_mut(SIGNER_PUB) = pem.clone().into_bytes();
        p.signer = Some(pem);
        p.manifest = Manifest::of(p.files.iter().map(|(p, b)| (p, b.as_slice())))
            .text()
            .into_bytes();
        p.signature = Some(forger.sign(&p.manifest).to_text());
        assert!(p.check(None).intact());
        let v = p.check(Some(&key().public_key()));
        assert_eq!(named(&v), [SIGNER_PUB, MANIFEST_SIG]);
    }

    #[test]
    fn missing_or_broken_signature_and_key_are_named() {
        let mut p = Package::new();
        p.signature = None;
        assert_eq!(named(&p.check(None)), [MANIFEST_SIG]);
        p.signature = Some("AAAA\n".into());
        assert_eq!(named(&p.check(None)), [MANIFEST_SIG]);

        let mut p = Package::new();
        p.signer = None;
        p.files.remove(&PackagePath::new(SIGNER_PUB).unwrap());
        assert_eq!(named(&p.check(None)), [SIGNER_PUB, SIGNER_PUB]);
        // With the key given, the signature still checks; the file is missing.
        assert_eq!(named(&p.check(Some(&key().public_key()))), [SIGNER_PUB]);
    }

    #[test]
    fn an_unparsable_manifest_is_named() {
        let mut p = Package::new();
        p.manifest = b"garbage\n".to_vec();
        p.signature = Some(key().sign(&p.manifest).to_text());
        let v = p.check(None);
        assert_eq!(named(&v), [MANIFEST]);
        assert_eq!(
            v.problems[0].to_string(),
            "MANIFEST:1: not `<sha256 hex>  <path>`"
        );
    }
}
