//! Deterministic RSA-2048 keys, the process-wide key cache, the optional
//! on-disk key cache and parallel generation.
//!
//! Every key a My Number Card holds in its JPKI applet (公的個人認証 AP) is
//! RSA-2048: the user-authentication key (利用者証明用) and the signing key
//! (署名用). The harness needs thousands of such keys that are *reproducible*:
//! the same `(seed, label)` must give the same key on every run and every
//! machine, so that a scenario replayed tomorrow presents byte-identical
//! certificates and signatures.
//!
//! Derivation: `ChaCha20Rng::from_seed(SHA-256(seed as 8 big-endian bytes ||
//! label as UTF-8))` feeds `rsa::RsaPrivateKey::new(rng, 2048)`. The
//! derivation depends on the `rsa` crate's prime search, so it is stable for
//! the pinned `rsa` 0.9 line; the on-disk cache file names carry a format tag
//! so a future change of algorithm never mixes old and new keys.

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Instant;

use aws_lc_rs::digest;
use aws_lc_rs::signature::RsaKeyPair;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use rsa::RsaPrivateKey;
use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use rsa::traits::PublicKeyParts;

use crate::pki::der::{derive32, hex};

/// Modulus size of every key in this module, in bits.
pub const RSA_BITS: usize = 2048;

/// Modulus size in bytes; also the length of every signature (256).
pub const MODULUS_LEN: usize = RSA_BITS / 8;

/// Domain-separation and format tag mixed into on-disk cache file names.
/// Bump it if the derivation (or the `rsa` crate's key generation) changes.
const CACHE_FORMAT_TAG: &[u8] = b"onshi-pki/rsa-2048/rsa-0.9/pkcs8/v1";

/// Errors from deriving, loading or caching an RSA key.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The `rsa` crate failed to generate a key (should not happen for 2048 bits).
    #[error("RSA key generation failed: {0}")]
    Generate(#[source] rsa::Error),
    /// Encoding the generated key as PKCS#8 / SPKI failed.
    #[error("encoding the key failed: {0}")]
    Encode(String),
    /// The bytes are not an RSA private key in PKCS#8 DER.
    #[error("not an RSA PKCS#8 private key: {0}")]
    InvalidPkcs8(String),
    /// The key parsed but is not RSA-2048.
    #[error("RSA key has a {bytes}-byte modulus; onshi test keys are RSA-2048 (256 bytes)")]
    WrongSize {
        /// Modulus length in bytes.
        bytes: usize,
    },
    /// aws-lc-rs refused the key.
    #[error("aws-lc-rs rejected the key: {0}")]
    Rejected(String),
    /// Reading or writing a key file failed.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A [`KeyPool`](crate::pki::pool::KeyPool) of size zero was requested.
    #[error("a key pool needs at least one key")]
    EmptyPool,
    /// A parallel key-generation worker thread panicked.
    #[error("a key generation worker thread panicked")]
    WorkerPanicked,
}

/// Where a key came from: the `(seed, label)` it was derived from.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyOrigin {
    /// The run/scenario seed.
    pub seed: u64,
    /// A label naming the key within the seed, e.g. `"jpki-root/auth"`.
    pub label: String,
}

/// An RSA-2048 private key held three ways: PKCS#8 DER (for files and rcgen),
/// an aws-lc-rs [`RsaKeyPair`] (fast signing) and an [`rsa::RsaPrivateKey`]
/// (raw PKCS#1 v1.5 padding for inputs aws-lc-rs cannot sign directly).
///
/// Build one with [`RsaKey::derive`] (slow, uncached), [`RsaKey::cached`] /
/// [`KeyCache::get`] (process-wide cache), or [`RsaKey::from_pkcs8_der`].
/// Card-style signing lives in [`sign`](crate::pki::sign)
/// (`RsaKey::sign_digest_info`).
pub struct RsaKey {
    origin: Option<KeyOrigin>,
    pkcs8: Vec<u8>,
    spki: Vec<u8>,
    pkcs1_public: Vec<u8>,
    key_pair: RsaKeyPair,
    private: RsaPrivateKey,
}

impl fmt::Debug for RsaKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaKey")
            .field("origin", &self.origin)
            .field(
                "spki_sha256",
                &hex(&crate::pki::der::sha256(&self.spki)[..8]),
            )
            .finish_non_exhaustive()
    }
}

impl RsaKey {
    /// Derives the key for `(seed, label)` from scratch (no caching).
    ///
    /// Slow — tens to hundreds of milliseconds in release builds; prefer
    /// [`RsaKey::cached`]. Same inputs always give the same key.
    pub fn derive(seed: u64, label: &str) -> Result<Self, KeyError> {
        let started = Instant::now();
        // The ChaCha20 seed is SHA-256(seed_be || label).
        let mut rng = ChaCha20Rng::from_seed(derive32(seed, label));
        let private = RsaPrivateKey::new(&mut rng, RSA_BITS).map_err(KeyError::Generate)?;
        let pkcs8 = private
            .to_pkcs8_der()
            .map_err(|e| KeyError::Encode(e.to_string()))?
            .as_bytes()
            .to_vec();
        let key = Self::assemble(
            Some(KeyOrigin {
                seed,
                label: label.to_owned(),
            }),
            pkcs8,
            private,
        )?;
        tracing::debug!(
            seed,
            label,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "derived RSA-2048 key"
        );
        Ok(key)
    }

    /// The key for `(seed, label)` from the process-wide cache, deriving it on
    /// first use. Shorthand for `KeyCache::memory().get(seed, label)`.
    pub fn cached(seed: u64, label: &str) -> Result<Arc<Self>, KeyError> {
        KeyCache::memory().get(seed, label)
    }

    /// Parses an RSA-2048 private key from PKCS#8 DER (e.g. a CA key file).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, KeyError> {
        Self::from_pkcs8_with_origin(der, None)
    }

    fn from_pkcs8_with_origin(der: &[u8], origin: Option<KeyOrigin>) -> Result<Self, KeyError> {
        let private = RsaPrivateKey::from_pkcs8_der(der)
            .map_err(|e| KeyError::InvalidPkcs8(e.to_string()))?;
        Self::assemble(origin, der.to_vec(), private)
    }

    fn assemble(
        origin: Option<KeyOrigin>,
        pkcs8: Vec<u8>,
        private: RsaPrivateKey,
    ) -> Result<Self, KeyError> {
        if private.size() != MODULUS_LEN {
            return Err(KeyError::WrongSize {
                bytes: private.size(),
            });
        }
        let public = private.to_public_key();
        let spki = public
            .to_public_key_der()
            .map_err(|e| KeyError::Encode(e.to_string()))?
            .as_bytes()
            .to_vec();
        let pkcs1_public = public
            .to_pkcs1_der()
            .map_err(|e| KeyError::Encode(e.to_string()))?
            .as_bytes()
            .to_vec();
        let key_pair =
            RsaKeyPair::from_pkcs8(&pkcs8).map_err(|e| KeyError::Rejected(e.to_string()))?;
        Ok(RsaKey {
            origin,
            pkcs8,
            spki,
            pkcs1_public,
            key_pair,
            private,
        })
    }

    /// `(seed, label)` this key was derived from; `None` if it was loaded from
    /// a PKCS#8 file with [`RsaKey::from_pkcs8_der`].
    pub fn origin(&self) -> Option<&KeyOrigin> {
        self.origin.as_ref()
    }

    /// The private key as PKCS#8 DER.
    pub fn pkcs8_der(&self) -> &[u8] {
        &self.pkcs8
    }

    /// The public key as X.509 SubjectPublicKeyInfo DER (rsaEncryption).
    pub fn public_key_spki_der(&self) -> &[u8] {
        &self.spki
    }

    /// The public key as PKCS#1 `RSAPublicKey` DER — the contents of the
    /// SPKI bit string, and what aws-lc-rs `UnparsedPublicKey` takes.
    pub fn public_key_pkcs1_der(&self) -> &[u8] {
        &self.pkcs1_public
    }

    /// The aws-lc-rs key pair (fast signing path).
    pub fn key_pair(&self) -> &RsaKeyPair {
        &self.key_pair
    }

    /// The `rsa` crate key (raw PKCS#1 v1.5 path).
    pub fn rsa_private_key(&self) -> &RsaPrivateKey {
        &self.private
    }
}

/// Name of the on-disk cache file for `(seed, label)`: hex SHA-256 over a
/// format tag, the seed and the label, plus `.p8` (PKCS#8 DER).
pub fn cache_file_name(seed: u64, label: &str) -> String {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(CACHE_FORMAT_TAG);
    ctx.update(&[0]);
    ctx.update(&seed.to_be_bytes());
    ctx.update(label.as_bytes());
    format!("{}.p8", hex(ctx.finish().as_ref()))
}

type Slot = Arc<Mutex<Option<Arc<RsaKey>>>>;

/// The process-wide cache: one slot per `(seed, label)`. A slot has its own
/// lock so two threads asking for the same key generate it once, while
/// different keys are generated in parallel.
fn memory_slot(seed: u64, label: &str) -> Slot {
    static MEMORY: OnceLock<Mutex<HashMap<KeyOrigin, Slot>>> = OnceLock::new();
    let map = MEMORY.get_or_init(Default::default);
    let mut map = map.lock().unwrap_or_else(PoisonError::into_inner);
    Arc::clone(
        map.entry(KeyOrigin {
            seed,
            label: label.to_owned(),
        })
        .or_default(),
    )
}

/// Access to derived keys through the process-wide in-memory cache and,
/// optionally, an on-disk cache directory.
///
/// The in-memory cache is shared by every `KeyCache` in the process; the
/// directory is per instance. On a miss, the key is read from
/// `dir/<cache_file_name>` if that file holds a valid RSA-2048 PKCS#8 key,
/// otherwise derived and written there atomically (temporary file, then
/// rename). A corrupt or unparsable file is ignored (with a warning) and
/// replaced. Writing is best-effort: an unwritable directory costs speed,
/// never correctness, and is reported with `tracing::warn!`.
///
/// The cache trusts the directory: whoever can write it can substitute keys.
#[derive(Clone, Debug, Default)]
pub struct KeyCache {
    dir: Option<PathBuf>,
}

impl KeyCache {
    /// In-memory caching only.
    pub fn memory() -> Self {
        KeyCache { dir: None }
    }

    /// In-memory caching backed by the directory `dir` (created on demand).
    pub fn with_dir(dir: impl Into<PathBuf>) -> Self {
        KeyCache {
            dir: Some(dir.into()),
        }
    }

    /// The on-disk cache directory, if any.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The key for `(seed, label)`: from memory, else from disk, else derived.
    pub fn get(&self, seed: u64, label: &str) -> Result<Arc<RsaKey>, KeyError> {
        let slot = memory_slot(seed, label);
        let mut guard = slot.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(key) = guard.as_ref() {
            if let Some(dir) = &self.dir {
                let path = dir.join(cache_file_name(seed, label));
                if !path.exists() {
                    store(&path, key);
                }
            }
            return Ok(Arc::clone(key));
        }
        let key = Arc::new(self.load_or_derive(seed, label)?);
        *guard = Some(Arc::clone(&key));
        Ok(key)
    }

    /// Disk-or-derive, bypassing the in-memory cache.
    fn load_or_derive(&self, seed: u64, label: &str) -> Result<RsaKey, KeyError> {
        let Some(dir) = &self.dir else {
            return RsaKey::derive(seed, label);
        };
        let path = dir.join(cache_file_name(seed, label));
        if let Some(key) = load_cached_file(&path, seed, label) {
            return Ok(key);
        }
        let key = RsaKey::derive(seed, label)?;
        store(&path, &key);
        Ok(key)
    }

    /// Gets many keys at once, deriving the missing ones in parallel on all
    /// cores (`std::thread::scope`). The result is in request order;
    /// duplicates in `requests` are generated once.
    pub fn get_many<S>(&self, requests: &[(u64, S)]) -> Result<Vec<Arc<RsaKey>>, KeyError>
    where
        S: AsRef<str> + Sync,
    {
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(requests.len());
        if threads <= 1 {
            return requests
                .iter()
                .map(|(seed, label)| self.get(*seed, label.as_ref()))
                .collect();
        }
        let next = AtomicUsize::new(0);
        let mut results: Vec<Option<Result<Arc<RsaKey>, KeyError>>> =
            (0..requests.len()).map(|_| None).collect();
        let joined: Vec<_> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        let mut done = Vec::new();
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some((seed, label)) = requests.get(i) else {
                                break;
                            };
                            done.push((i, self.get(*seed, label.as_ref())));
                        }
                        done
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join()).collect()
        });
        for worker in joined {
            let done = worker.map_err(|_| KeyError::WorkerPanicked)?;
            for (i, result) in done {
                results[i] = Some(result);
            }
        }
        results
            .into_iter()
            .map(|r| r.unwrap_or(Err(KeyError::WorkerPanicked)))
            .collect()
    }
}

/// Derives (or fetches) many keys in parallel through the in-memory cache.
/// Shorthand for `KeyCache::memory().get_many(requests)`.
pub fn generate_parallel<S>(requests: &[(u64, S)]) -> Result<Vec<Arc<RsaKey>>, KeyError>
where
    S: AsRef<str> + Sync,
{
    KeyCache::memory().get_many(requests)
}

/// Reads a cache file; `None` (after logging) when missing or unusable.
fn load_cached_file(path: &Path, seed: u64, label: &str) -> Option<RsaKey> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "cannot read key cache file; regenerating");
            return None;
        }
    };
    let origin = KeyOrigin {
        seed,
        label: label.to_owned(),
    };
    match RsaKey::from_pkcs8_with_origin(&bytes, Some(origin)) {
        Ok(key) => Some(key),
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "ignoring corrupt key cache file; regenerating");
            None
        }
    }
}

/// Best-effort atomic write of a key to the disk cache.
fn store(path: &Path, key: &RsaKey) {
    if let Err(e) = write_atomic(path, key.pkcs8_der()) {
        tracing::warn!(error = %e, "cannot write key cache file");
    }
}

/// Writes `bytes` to `path` atomically ([`onshi_support::fsutil::write_atomic`]), creating the
/// directory first.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), KeyError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&dir).map_err(|source| KeyError::Io {
        path: dir.clone(),
        source,
    })?;
    onshi_support::fsutil::write_atomic(path, bytes).map_err(|source| KeyError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// The card signs with its RSA key through this (the JPKI applet's `80 2A 00 80`).
impl onshi_card::card::CardKey for RsaKey {
    fn sign_padded(&self, data: &[u8]) -> Result<Vec<u8>, onshi_card::card::CardKeyError> {
        self.sign_digest_info(data)
            .map(|s| s.to_vec())
            .map_err(|e| onshi_card::card::CardKeyError(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::testutil::{TEST_SEED, scratch_dir};

    #[test]
    fn derivation_is_deterministic_and_label_separated() {
        let cached = RsaKey::cached(TEST_SEED, "test/subject-a").expect("key");
        let fresh = RsaKey::derive(TEST_SEED, "test/subject-a").expect("key");
        assert_eq!(cached.pkcs8_der(), fresh.pkcs8_der());
        assert_eq!(cached.public_key_spki_der(), fresh.public_key_spki_der());
        let other = RsaKey::cached(TEST_SEED, "jpki-root/auth").expect("key");
        assert_ne!(cached.public_key_spki_der(), other.public_key_spki_der());
        assert_eq!(cached.key_pair().public_modulus_len(), MODULUS_LEN);
        assert_eq!(
            cached.origin(),
            Some(&KeyOrigin {
                seed: TEST_SEED,
                label: "test/subject-a".into()
            })
        );
    }

    #[test]
    fn process_cache_returns_same_arc() {
        let a = RsaKey::cached(TEST_SEED, "test/subject-a").expect("key");
        let b = RsaKey::cached(TEST_SEED, "test/subject-a").expect("key");
        assert!(Arc::ptr_eq(&a, &b));
    }

    #[test]
    fn get_many_preserves_order_and_dedups() {
        let reqs = [
            (TEST_SEED, "jpki-root/sign"),
            (TEST_SEED, "test/subject-a"),
            (TEST_SEED, "jpki-root/sign"),
        ];
        let keys = generate_parallel(&reqs).expect("keys");
        assert_eq!(keys.len(), 3);
        assert!(Arc::ptr_eq(&keys[0], &keys[2]));
        assert_eq!(
            keys[1].origin().map(|o| o.label.as_str()),
            Some("test/subject-a")
        );
    }

    #[test]
    fn disk_cache_writes_reads_and_replaces_corrupt_files() {
        let dir = scratch_dir("keycache");
        let cache = KeyCache::with_dir(&dir);
        let label = "test/subject-a";
        let key = cache.get(TEST_SEED, label).expect("key");
        let path = dir.join(cache_file_name(TEST_SEED, label));
        assert_eq!(
            fs::read(&path).expect("cache file written"),
            key.pkcs8_der()
        );
        // A valid file is used as is (no keygen).
        let loaded = load_cached_file(&path, TEST_SEED, label).expect("loads");
        assert_eq!(loaded.pkcs8_der(), key.pkcs8_der());
        // A corrupt file is ignored and replaced by a freshly derived key.
        fs::write(&path, b"\x30\x82garbage").expect("write");
        assert!(load_cached_file(&path, TEST_SEED, label).is_none());
        let regenerated = cache.load_or_derive(TEST_SEED, label).expect("key");
        assert_eq!(regenerated.pkcs8_der(), key.pkcs8_der());
        assert_eq!(fs::read(&path).expect("rewritten"), key.pkcs8_der());
        // No temporary files left behind.
        let leftovers = fs::read_dir(&dir)
            .expect("dir")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
            .count();
        assert_eq!(leftovers, 0);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn file_names_are_stable_hex() {
        let a = cache_file_name(1, "x");
        assert_eq!(a.len(), 64 + 3);
        assert_eq!(a, cache_file_name(1, "x"));
        assert_ne!(a, cache_file_name(2, "x"));
        assert_ne!(a, cache_file_name(1, "y"));
    }

    #[test]
    fn rejects_garbage_pkcs8() {
        assert!(matches!(
            RsaKey::from_pkcs8_der(b"nope"),
            Err(KeyError::InvalidPkcs8(_))
        ));
    }
}
