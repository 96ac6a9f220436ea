//! Shared fixtures for the unit tests: one hierarchy and one subject key per
//! test process, so RSA key generation happens only a handful of times.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use chrono::{NaiveDate, NaiveDateTime};

use crate::pki::{AuthCertRequest, BasicFour, Der, RsaKey, Sex, SignCertRequest, TestPki};

/// Seed of the shared test hierarchy.
pub(crate) const TEST_SEED: u64 = 0x0515_4150_2025;

/// Midnight UTC of the given date.
pub(crate) fn dt(y: i32, m: u32, d: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("valid test date")
}

/// The shared hierarchy for [`TEST_SEED`].
pub(crate) fn test_pki() -> &'static TestPki {
    static PKI: OnceLock<TestPki> = OnceLock::new();
    PKI.get_or_init(|| TestPki::generate(TEST_SEED).expect("test pki"))
}

/// The shared subject (card) key.
pub(crate) fn subject_key() -> Arc<RsaKey> {
    RsaKey::cached(TEST_SEED, "test/subject-a").expect("subject key")
}

/// Basic four with characters outside JIS X 0208.
pub(crate) fn sample_basic4() -> BasicFour {
    BasicFour {
        name: "髙橋\u{3000}𠮷子".into(),
        name_kana: Some("タカハシ\u{3000}ヨシコ".into()),
        address: "東京都千代田区霞が関一丁目２番２号".into(),
        birth_date: NaiveDate::from_ymd_opt(1980, 2, 29).expect("leap day"),
        sex: Sex::Female,
    }
}

/// The sample authentication certificate issued by `pki`.
pub(crate) fn issue_sample_auth(pki: &TestPki) -> Der {
    pki.issue_auth_cert(&AuthCertRequest {
        serial: 0x1234_5678,
        not_before: dt(2025, 1, 1),
        not_after: dt(2030, 1, 1),
        key: &subject_key(),
        subject_id: "AUTH-SAMPLE".into(),
    })
    .expect("auth cert")
}

/// The sample signing certificate issued by `pki`.
pub(crate) fn issue_sample_sign(pki: &TestPki) -> Der {
    pki.issue_sign_cert(&SignCertRequest {
        serial: 0x1234_5679,
        not_before: dt(2025, 1, 1),
        not_after: dt(2030, 1, 1),
        key: &subject_key(),
        basic4: sample_basic4(),
    })
    .expect("sign cert")
}

/// [`issue_sample_auth`] from the shared hierarchy.
pub(crate) fn sample_auth_cert() -> Der {
    issue_sample_auth(test_pki())
}

/// [`issue_sample_sign`] from the shared hierarchy.
pub(crate) fn sample_sign_cert() -> Der {
    issue_sample_sign(test_pki())
}

/// A fresh, empty temporary directory for one test.
pub(crate) fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("onshi-pki-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
