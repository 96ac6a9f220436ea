//! Test PKI for onshi: deterministic stand-ins for the My Number Card's JPKI
//! certificates (公的個人認証サービス) and for the card-reader CA.
//!
//! * [`keys`] — deterministic RSA-2048 keys with process-wide and on-disk
//!   caches and parallel generation.
//! * [`sign`] — card-style signing (`80 2A 00 80` over a `DigestInfo`) and
//!   PKCS#1 v1.5 verification.
//! * [`ca`] / [`cert`] — the two JPKI roots (user authentication 利用者証明用,
//!   digital signature 署名用) and the card certificates they issue.
//! * [`crl`] — CRLs signed by the roots, and a fast [`RevocationList`].
//! * [`pool`] — a round-robin [`KeyPool`] for huge load-test populations
//!   (a load-test simplification; never used by conformance personas).
//! * [`reader`] — the Ed25519 reader CA (our model of 特定機関認証).
//! * [`load`] — the Ed25519 **load-test** user-authentication root for
//!   generated population members (a load-test simplification).
//! * [`inspect`] — [`CertInfo`] parsing/printing and [`VerifyError`].
//!
//! Nothing here is real J-LIS material: every root says `onshi TEST CA` in
//! its name and all keys derive from a seed.

pub mod ca;
pub mod cert;
pub mod crl;
pub mod der;
pub mod forge;
pub mod inspect;
pub mod keys;
pub mod load;
pub mod pool;
pub mod reader;
pub mod sign;

pub use ca::{CaKind, CaRoot, PkiError, TestPki};
pub use cert::{AuthCertRequest, BasicFour, IssueError, Sex, SignCertRequest, card_validity};
pub use crl::{CrlError, RevocationList};
pub use der::Der;
pub use inspect::{CertError, CertInfo, VerifyError};
pub use keys::{KeyCache, KeyError, KeyOrigin, RsaKey, generate_parallel};
pub use load::LoadAuthRoot;
pub use pool::KeyPool;
pub use reader::{
    DeviceChecks, ReaderCa, ReaderCredential, ReaderError, ReaderIdentity, ReaderKey,
};
pub use sign::{HashAlg, SignError, bench_sign, verify_pkcs1};

#[cfg(test)]
pub(crate) mod testutil;

#[cfg(test)]
mod tests {
    /// The main crate shares these across threads (tokio tasks, goose users).
    #[test]
    fn public_types_are_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<super::TestPki>();
        check::<super::RsaKey>();
        check::<super::KeyPool>();
        check::<super::KeyCache>();
        check::<super::ReaderCa>();
        check::<super::LoadAuthRoot>();
        check::<super::ReaderCredential>();
        check::<super::CertInfo>();
        check::<super::RevocationList>();
        check::<super::Der>();
    }

    /// Known-answer values. If this fails after a dependency update, the
    /// `rsa` crate's key generation (first line) or rcgen's encoding (the
    /// others) changed: every seed now yields different keys/certificates.
    /// Update deliberately, and bump `CACHE_FORMAT_TAG` in `keys.rs` if the
    /// key changed so stale on-disk caches are not mixed in.
    #[test]
    fn golden_outputs_are_stable() {
        use super::testutil::{sample_auth_cert, subject_key, test_pki};
        let h = |b: &[u8]| super::der::hex(&super::der::sha256(b));
        assert_eq!(
            h(subject_key().public_key_spki_der()),
            "cf539d7ce99b26e9c49f7a96a44fcc02195c448ba12cc25a4acc1f1031f3ec4c"
        );
        assert_eq!(
            h(test_pki().root(super::CaKind::Auth).cert_der()),
            "831963dbe6d9cfc26375d35b276df60d992b95a4e563403e4a89060cbd8b532c"
        );
        assert_eq!(
            h(&sample_auth_cert()),
            "efe2df0ed4a95e9281a8c4f5b03d805c3e530897ae6967713ca7506fa6bbf085"
        );
    }
}
