//! The package's signature: Ed25519 over the bytes of `MANIFEST`. The private key is
//! PKCS#8 (as `openssl genpkey -algorithm ED25519` writes it, DER); the public key is
//! written as a PEM `PUBLIC KEY` (SubjectPublicKeyInfo) and the signature as base64, so
//! a customer can check both with OpenSSL as well as with `onshi certify verify`.
//!
//! Making a key needs randomness: the shell does it
//! (`Ed25519KeyPair::generate_pkcs8`); everything here is a pure function of its input.

use std::fmt;

use aws_lc_rs::signature::{ED25519, Ed25519KeyPair, KeyPair as _, UnparsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::manifest::Sha256;

/// The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the 32-byte key follows.
const SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00,
];
const PEM_BEGIN: &str = "-----BEGIN PUBLIC KEY-----";
const PEM_END: &str = "-----END PUBLIC KEY-----";

/// A key or signature that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The private key is not an unencrypted Ed25519 PKCS#8 document.
    #[error("not an Ed25519 private key in PKCS#8 (DER): {0}")]
    PrivateKey(String),
    /// The public key is not a PEM Ed25519 `PUBLIC KEY`.
    #[error("not an Ed25519 public key (PEM `PUBLIC KEY`): {0}")]
    PublicKey(&'static str),
    /// The signature is not 64 bytes of base64.
    #[error("not an Ed25519 signature (64 bytes, base64): {0}")]
    Signature(&'static str),
}

/// The signer's private key.
pub struct SigningKey {
    pair: Ed25519KeyPair,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("public", &self.public_key())
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// From a PKCS#8 document (v1 or v2, DER).
    pub fn from_pkcs8(der: &[u8]) -> Result<Self, KeyError> {
        Ed25519KeyPair::from_pkcs8(der)
            .map(|pair| Self { pair })
            .map_err(|e| KeyError::PrivateKey(e.to_string()))
    }

    /// The public half.
    pub fn public_key(&self) -> PublicKey {
        let mut raw = [0u8; 32];
        raw.copy_from_slice(self.pair.public_key().as_ref());
        PublicKey(raw)
    }

    /// The signature over `message` (deterministic).
    pub fn sign(&self, message: &[u8]) -> Signature {
        let mut raw = [0u8; 64];
        raw.copy_from_slice(self.pair.sign(message).as_ref());
        Signature(raw)
    }
}

/// An Ed25519 public key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey([u8; 32]);

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.fingerprint())
    }
}

impl PublicKey {
    /// From the raw 32 bytes.
    pub const fn from_raw(raw: [u8; 32]) -> Self {
        Self(raw)
    }

    /// The PEM text (`-----BEGIN PUBLIC KEY-----`, SubjectPublicKeyInfo), as OpenSSL
    /// writes and reads it.
    pub fn to_pem(&self) -> String {
        let mut der = SPKI_PREFIX.to_vec();
        der.extend_from_slice(&self.0);
        format!("{PEM_BEGIN}\n{}\n{PEM_END}\n", BASE64.encode(der))
    }

    /// From PEM text; text around the PEM block is ignored.
    pub fn from_pem(text: &str) -> Result<Self, KeyError> {
        let start = text
            .find(PEM_BEGIN)
            .ok_or(KeyError::PublicKey("no `-----BEGIN PUBLIC KEY-----` line"))?;
        let body = &text[start + PEM_BEGIN.len()..];
        let end = body
            .find(PEM_END)
            .ok_or(KeyError::PublicKey("no `-----END PUBLIC KEY-----` line"))?;
        let b64: String = body[..end]
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        let der = BASE64
            .decode(b64)
            .map_err(|_| KeyError::PublicKey("the body is not base64"))?;
        let raw = der
            .strip_prefix(&SPKI_PREFIX[..])
            .ok_or(KeyError::PublicKey("not an Ed25519 SubjectPublicKeyInfo"))?;
        raw.try_into()
            .map(Self)
            .map_err(|_| KeyError::PublicKey("the key is not 32 bytes"))
    }

    /// Whether `signature` is this key's over `message`.
    pub fn verifies(&self, message: &[u8], signature: &Signature) -> bool {
        UnparsedPublicKey::new(&ED25519, &self.0)
            .verify(message, &signature.0)
            .is_ok()
    }

    /// `SHA256:` and the hex SHA-256 of the raw key: how a person compares two keys.
    pub fn fingerprint(&self) -> String {
        format!("SHA256:{}", Sha256::of(&self.0))
    }
}

/// An Ed25519 signature.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature([u8; 64]);

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({})", BASE64.encode(self.0))
    }
}

impl Signature {
    /// The file's text: base64 and a newline.
    pub fn to_text(&self) -> String {
        format!("{}\n", BASE64.encode(self.0))
    }

    /// From the file's text (surrounding whitespace ignored).
    pub fn from_text(text: &str) -> Result<Self, KeyError> {
        let raw = BASE64
            .decode(text.trim())
            .map_err(|_| KeyError::Signature("not base64"))?;
        raw.try_into()
            .map(Self)
            .map_err(|_| KeyError::Signature("not 64 bytes"))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A fixed test key: PKCS#8 v1 of the RFC 8032 test 1 seed.
    pub(crate) fn key() -> SigningKey {
        let seed = onshi_support::hex::decode(
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        )
        .unwrap();
        let mut der = onshi_support::hex::decode("302e020100300506032b657004220420").unwrap();
        der.extend(seed);
        SigningKey::from_pkcs8(&der).unwrap()
    }

    /// Another key.
    pub(crate) fn other_key() -> SigningKey {
        let mut der = onshi_support::hex::decode("302e020100300506032b657004220420").unwrap();
        der.extend([7u8; 32]);
        SigningKey::from_pkcs8(&der).unwrap()
    }

    #[test]
    fn rfc8032_test_vector_1() {
        let k = key();
        assert_eq!(
            onshi_support::hex::encode(&k.public_key().0).to_ascii_lowercase(),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        );
        let sig = k.sign(b"");
        assert_eq!(
            onshi_support::hex::encode(&sig.0).to_ascii_lowercase(),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155\
             5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        );
    }

    #[test]
    fn sign_and_verify_round_trip_through_text() {
        let k = key();
        let sig = Signature::from_text(&k.sign(b"MANIFEST").to_text()).unwrap();
        let public = PublicKey::from_pem(&k.public_key().to_pem()).unwrap();
        assert_eq!(public, k.public_key());
        assert!(public.verifies(b"MANIFEST", &sig));
        assert!(!public.verifies(b"MANIFESt", &sig));
        assert!(!other_key().public_key().verifies(b"MANIFEST", &sig));
    }

    #[test]
    fn the_pem_is_what_openssl_writes() {
        // `openssl pkey -pubout` of the RFC 8032 test 1 key.
        assert_eq!(
            key().public_key().to_pem(),
            "-----BEGIN PUBLIC KEY-----\n\
             MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n\
             -----END PUBLIC KEY-----\n"
        );
    }

    #[test]
    fn bad_keys_and_signatures_are_refused() {
        assert!(SigningKey::from_pkcs8(b"not a key").is_err());
        assert!(PublicKey::from_pem("hello").is_err());
        assert!(
            PublicKey::from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
                .is_err()
        );
        assert!(Signature::from_text("AAAA").is_err());
        assert!(Signature::from_text("not base64!").is_err());
    }
}
