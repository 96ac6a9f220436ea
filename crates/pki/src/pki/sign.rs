//! Card-style RSA signing (`80 2A 00 80`, PSO: COMPUTE DIGITAL SIGNATURE)
//! and PKCS#1 v1.5 verification for the backend side.
//!
//! The JPKI applet does not hash: the terminal sends a DER `DigestInfo`, the
//! card applies PKCS#1 v1.5 type-1 padding (`00 01 FF…FF 00 || DigestInfo`)
//! and performs the raw RSA private-key operation, answering exactly 256
//! bytes. [`RsaKey::sign_digest_info`] reproduces that: recognised SHA-2
//! `DigestInfo`s take the aws-lc-rs fast path, everything else (SHA-1
//! `DigestInfo`, arbitrary bytes up to 245) the `rsa` crate's raw padding.
//! PKCS#1 v1.5 is deterministic, so both paths give the same bytes.

use std::time::Instant;

use aws_lc_rs::digest::{self, Digest};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use rsa::Pkcs1v15Sign;

use crate::pki::inspect::{VerifyError, rsa_public_key_from_cert_or_spki};
use crate::pki::keys::{MODULUS_LEN, RsaKey};

/// Longest input the card accepts: 256 − 11 bytes of PKCS#1 v1.5 overhead.
pub const MAX_SIGN_INPUT: usize = MODULUS_LEN - 11;

/// Length of every card signature (the RSA-2048 modulus length).
pub const SIGNATURE_LEN: usize = MODULUS_LEN;

const SHA1_PREFIX: [u8; 15] = [
    0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2B, 0x0E, 0x03, 0x02, 0x1A, 0x05, 0x00, 0x04, 0x14,
];
const SHA256_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];
const SHA384_PREFIX: [u8; 19] = [
    0x30, 0x41, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05,
    0x00, 0x04, 0x30,
];
const SHA512_PREFIX: [u8; 19] = [
    0x30, 0x51, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05,
    0x00, 0x04, 0x40,
];

/// Hash algorithms a JPKI terminal may put in a `DigestInfo`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HashAlg {
    /// SHA-1 — legacy; still seen from old middleware.
    Sha1,
    /// SHA-256 — what current JPKI clients send.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlg {
    /// All supported algorithms.
    pub const ALL: [HashAlg; 4] = [
        HashAlg::Sha1,
        HashAlg::Sha256,
        HashAlg::Sha384,
        HashAlg::Sha512,
    ];

    /// Digest length in bytes.
    pub fn digest_len(self) -> usize {
        self.aws_digest().output_len()
    }

    /// The DER `DigestInfo` header that precedes the digest bytes.
    pub fn digest_info_prefix(self) -> &'static [u8] {
        match self {
            HashAlg::Sha1 => &SHA1_PREFIX,
            HashAlg::Sha256 => &SHA256_PREFIX,
            HashAlg::Sha384 => &SHA384_PREFIX,
            HashAlg::Sha512 => &SHA512_PREFIX,
        }
    }

    fn aws_digest(self) -> &'static digest::Algorithm {
        match self {
            HashAlg::Sha1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
            HashAlg::Sha256 => &digest::SHA256,
            HashAlg::Sha384 => &digest::SHA384,
            HashAlg::Sha512 => &digest::SHA512,
        }
    }

    /// Hashes `message`.
    pub fn digest(self, message: &[u8]) -> Vec<u8> {
        digest::digest(self.aws_digest(), message).as_ref().to_vec()
    }

    /// `DigestInfo(hash(message))` — what a terminal sends to the card.
    pub fn digest_info(self, message: &[u8]) -> Vec<u8> {
        let mut out = self.digest_info_prefix().to_vec();
        out.extend_from_slice(digest::digest(self.aws_digest(), message).as_ref());
        out
    }

    /// `DigestInfo` around an already computed digest.
    pub fn digest_info_from_digest(self, digest: &[u8]) -> Result<Vec<u8>, SignError> {
        if digest.len() != self.digest_len() {
            return Err(SignError::WrongDigestLength {
                hash: self,
                got: digest.len(),
            });
        }
        let mut out = self.digest_info_prefix().to_vec();
        out.extend_from_slice(digest);
        Ok(out)
    }

    /// Recognises an exact `DigestInfo` (header + digest of the right length)
    /// and returns its algorithm and digest bytes.
    pub fn parse_digest_info(data: &[u8]) -> Option<(HashAlg, &[u8])> {
        HashAlg::ALL.into_iter().find_map(|alg| {
            let digest = data.strip_prefix(alg.digest_info_prefix())?;
            (digest.len() == alg.digest_len()).then_some((alg, digest))
        })
    }

    fn verification(self) -> &'static dyn VerificationAlgorithm {
        match self {
            HashAlg::Sha1 => &signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
            HashAlg::Sha256 => &signature::RSA_PKCS1_2048_8192_SHA256,
            HashAlg::Sha384 => &signature::RSA_PKCS1_2048_8192_SHA384,
            HashAlg::Sha512 => &signature::RSA_PKCS1_2048_8192_SHA512,
        }
    }
}

/// Errors from card-style signing. The variants map onto the status words a
/// real card answers (empty / too long input → `67 00` wrong length).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// Nothing to sign.
    #[error("nothing to sign: the input is empty")]
    Empty,
    /// More than [`MAX_SIGN_INPUT`] (245) bytes: does not fit PKCS#1 v1.5
    /// type-1 padding of a 2048-bit modulus.
    #[error("input is {len} bytes; PKCS#1 v1.5 padding of an RSA-2048 key fits at most 245")]
    TooLong {
        /// Input length in bytes.
        len: usize,
    },
    /// A digest of the wrong length for its algorithm.
    #[error("a {hash:?} digest is {expected} bytes, got {got}", expected = hash.digest_len())]
    WrongDigestLength {
        /// The algorithm.
        hash: HashAlg,
        /// The length supplied.
        got: usize,
    },
    /// The RSA private-key operation failed (should not happen).
    #[error("RSA private-key operation failed: {0}")]
    Backend(String),
}

impl RsaKey {
    /// Signs like the JPKI applet's `80 2A 00 80`: PKCS#1 v1.5 type-1 padding
    /// over `data` (normally a DER `DigestInfo`), then the raw RSA private
    /// operation. Always 256 bytes.
    ///
    /// A SHA-256/384/512 `DigestInfo` is signed through aws-lc-rs
    /// (`RsaKeyPair::sign_digest`, fast); anything else up to 245 bytes —
    /// including a SHA-1 `DigestInfo` — through the `rsa` crate with
    /// `Pkcs1v15Sign::new_unprefixed()`. Both give identical bytes for the
    /// same input.
    pub fn sign_digest_info(&self, data: &[u8]) -> Result<[u8; SIGNATURE_LEN], SignError> {
        check_len(data)?;
        let fast = match HashAlg::parse_digest_info(data) {
            Some((HashAlg::Sha256, d)) => Some((&signature::RSA_PKCS1_SHA256, &digest::SHA256, d)),
            Some((HashAlg::Sha384, d)) => Some((&signature::RSA_PKCS1_SHA384, &digest::SHA384, d)),
            Some((HashAlg::Sha512, d)) => Some((&signature::RSA_PKCS1_SHA512, &digest::SHA512, d)),
            Some((HashAlg::Sha1, _)) | None => None,
        };
        let Some((padding, alg, digest_bytes)) = fast else {
            return self.sign_raw_pkcs1(data);
        };
        let digest = Digest::import_less_safe(digest_bytes, alg)
            .map_err(|e| SignError::Backend(e.to_string()))?;
        let mut sig = [0u8; SIGNATURE_LEN];
        self.key_pair()
            .sign_digest(padding, &digest, &mut sig)
            .map_err(|e| SignError::Backend(e.to_string()))?;
        Ok(sig)
    }

    /// The slow path alone: `rsa` crate PKCS#1 v1.5 type-1 padding of `data`
    /// as is (no `DigestInfo` added) and the raw private operation.
    pub(crate) fn sign_raw_pkcs1(&self, data: &[u8]) -> Result<[u8; SIGNATURE_LEN], SignError> {
        check_len(data)?;
        let raw = self
            .rsa_private_key()
            .sign(Pkcs1v15Sign::new_unprefixed(), data)
            .map_err(|e| SignError::Backend(e.to_string()))?;
        if raw.len() > SIGNATURE_LEN {
            return Err(SignError::Backend(format!(
                "signature is {} bytes",
                raw.len()
            )));
        }
        // Left-pad defensively; the rsa crate already pads to the modulus length.
        let mut sig = [0u8; SIGNATURE_LEN];
        sig[SIGNATURE_LEN - raw.len()..].copy_from_slice(&raw);
        Ok(sig)
    }
}

fn check_len(data: &[u8]) -> Result<(), SignError> {
    if data.is_empty() {
        return Err(SignError::Empty);
    }
    if data.len() > MAX_SIGN_INPUT {
        return Err(SignError::TooLong { len: data.len() });
    }
    Ok(())
}

/// Verifies an RSA PKCS#1 v1.5 signature over `message` (hashed here with
/// `hash`) against the public key in `cert_or_spki` — either a whole X.509
/// certificate or a SubjectPublicKeyInfo, both DER. Backend side of the card
/// signature check; uses aws-lc-rs `UnparsedPublicKey` with
/// `RSA_PKCS1_2048_8192_SHA256` and friends (SHA-1 via the legacy variant).
///
/// Errors: [`VerifyError::Malformed`] / [`VerifyError::UnsupportedKey`] for
/// the key container, [`VerifyError::MessageSignatureInvalid`] when the
/// signature does not verify.
pub fn verify_pkcs1(
    cert_or_spki: &[u8],
    message: &[u8],
    signature: &[u8],
    hash: HashAlg,
) -> Result<(), VerifyError> {
    let public_key = rsa_public_key_from_cert_or_spki(cert_or_spki)?;
    UnparsedPublicKey::new(hash.verification(), &public_key)
        .verify(message, signature)
        .map_err(|_| VerifyError::MessageSignatureInvalid)
}

/// Seed of the key [`bench_sign`] uses (cached like any other key).
pub const BENCH_SEED: u64 = 0x0B5E_5167_0000_0001;

/// Micro-benchmark for the harness's `bench` command: median nanoseconds per
/// signature of (1) the card path — [`RsaKey::sign_digest_info`] over a
/// SHA-256 `DigestInfo` of a 32-byte message — and (2) plain aws-lc-rs
/// `RsaKeyPair::sign(&RSA_PKCS1_SHA256, …)` over the same 32-byte message.
/// The two are interleaved to cancel drift. Target: (1) ≤ 1.3 × (2).
///
/// # Panics
/// If the benchmark key cannot be derived or a signature fails — neither
/// happens with a working crypto backend.
pub fn bench_sign(iterations: usize) -> (u64, u64) {
    let key = RsaKey::cached(BENCH_SEED, "bench/sign").expect("bench key derivation");
    bench_with_key(&key, iterations)
}

fn bench_with_key(key: &RsaKey, iterations: usize) -> (u64, u64) {
    let iterations = iterations.max(1);
    let message = [0x5Au8; 32];
    let digest_info = HashAlg::Sha256.digest_info(&message);
    let rng = SystemRandom::new();
    let mut plain_sig = [0u8; SIGNATURE_LEN];
    // Warm-up.
    for _ in 0..3 {
        key.sign_digest_info(&digest_info)
            .expect("card-path signature");
        key.key_pair()
            .sign(&signature::RSA_PKCS1_SHA256, &rng, &message, &mut plain_sig)
            .expect("plain signature");
    }
    let mut card = Vec::with_capacity(iterations);
    let mut plain = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let t = Instant::now();
        let sig = key.sign_digest_info(std::hint::black_box(&digest_info));
        card.push(t.elapsed().as_nanos() as u64);
        std::hint::black_box(sig.expect("card-path signature"));

        let t = Instant::now();
        let r = key.key_pair().sign(
            &signature::RSA_PKCS1_SHA256,
            &rng,
            std::hint::black_box(&message),
            &mut plain_sig,
        );
        plain.push(t.elapsed().as_nanos() as u64);
        r.expect("plain signature");
        std::hint::black_box(&plain_sig);
    }
    (median(&mut card), median(&mut plain))
}

fn median(samples: &mut [u64]) -> u64 {
    samples.sort_unstable();
    samples.get(samples.len() / 2).copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::testutil::{subject_key, test_pki};
    use crate::pki::{AuthCertRequest, CaKind};

    #[test]
    fn both_paths_agree_for_every_sha2_digest_info() {
        let key = subject_key();
        for alg in [HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512] {
            let di = alg.digest_info(b"onshi");
            assert!(HashAlg::parse_digest_info(&di).is_some());
            let fast = key.sign_digest_info(&di).expect("fast");
            let slow = key.sign_raw_pkcs1(&di).expect("slow");
            assert_eq!(fast, slow, "{alg:?}");
        }
    }

    #[test]
    fn sha1_and_arbitrary_bytes_use_raw_padding() {
        let key = subject_key();
        let di = HashAlg::Sha1.digest_info(b"legacy");
        assert_eq!(di.len(), 35);
        let sig = key.sign_digest_info(&di).expect("sha1");
        verify_pkcs1(key.public_key_spki_der(), b"legacy", &sig, HashAlg::Sha1).expect("verifies");
        let max = vec![0xA5; MAX_SIGN_INPUT];
        assert_eq!(key.sign_digest_info(&max).expect("245 bytes").len(), 256);
        assert_eq!(key.sign_digest_info(&[1]).expect("1 byte").len(), 256);
    }

    #[test]
    fn length_errors() {
        let key = subject_key();
        assert_eq!(key.sign_digest_info(&[]), Err(SignError::Empty));
        assert_eq!(
            key.sign_digest_info(&[0; 246]),
            Err(SignError::TooLong { len: 246 })
        );
        assert!(matches!(
            HashAlg::Sha256.digest_info_from_digest(&[0; 31]),
            Err(SignError::WrongDigestLength { got: 31, .. })
        ));
    }

    #[test]
    fn digest_info_recognition_is_exact() {
        let mut di = HashAlg::Sha256.digest_info(b"x");
        assert_eq!(
            HashAlg::parse_digest_info(&di).map(|(a, _)| a),
            Some(HashAlg::Sha256)
        );
        di.push(0);
        assert_eq!(HashAlg::parse_digest_info(&di), None);
        di.truncate(di.len() - 2);
        assert_eq!(HashAlg::parse_digest_info(&di), None);
        assert_eq!(
            HashAlg::Sha384
                .digest_info_from_digest(&[7; 48])
                .expect("ok")[..2],
            [0x30, 0x41]
        );
    }

    #[test]
    fn card_signature_verifies_with_issued_certificate() {
        let pki = test_pki();
        let key = subject_key();
        let cert = pki
            .issue_auth_cert(&AuthCertRequest {
                serial: 77,
                not_before: crate::pki::testutil::dt(2025, 1, 1),
                not_after: crate::pki::testutil::dt(2030, 1, 1),
                key: &key,
                subject_id: "AUTH-77".into(),
            })
            .expect("cert");
        let msg = b"challenge nonce from the verification server";
        let sig = key
            .sign_digest_info(&HashAlg::Sha256.digest_info(msg))
            .expect("sign");
        verify_pkcs1(&cert, msg, &sig, HashAlg::Sha256).expect("cert verifies");
        let info = pki.verify_issued(CaKind::Auth, &cert).expect("issued");
        verify_pkcs1(&info.spki_der, msg, &sig, HashAlg::Sha256).expect("spki verifies");
        assert_eq!(
            verify_pkcs1(&cert, b"other message", &sig, HashAlg::Sha256),
            Err(VerifyError::MessageSignatureInvalid)
        );
        assert_eq!(
            verify_pkcs1(&cert, msg, &sig, HashAlg::Sha384),
            Err(VerifyError::MessageSignatureInvalid)
        );
        assert!(matches!(
            verify_pkcs1(b"\x30\x03\x02\x01", msg, &sig, HashAlg::Sha256),
            Err(VerifyError::Malformed(_))
        ));
    }

    #[test]
    fn bench_runs() {
        let (card, plain) = bench_with_key(&subject_key(), 3);
        assert!(card > 0 && plain > 0);
    }
}
