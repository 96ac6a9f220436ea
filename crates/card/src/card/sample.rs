//! A sample card with stand-in keys (no RSA), for tests in this crate and — through
//! the `test-support` feature — in the crates above.

use std::sync::Arc;

use super::*;

/// A stand-in key: deterministic 256 bytes derived from the input.
#[derive(Debug)]
pub struct FakeKey(pub u8);

impl CardKey for FakeKey {
    fn sign_padded(&self, data: &[u8]) -> Result<Vec<u8>, CardKeyError> {
        let mut out = vec![self.0; 256];
        for (i, b) in data.iter().enumerate() {
            out[i % 256] ^= b;
        }
        Ok(out)
    }
}

/// A DER-looking blob of `len` bytes (a `30 82 LL LL` header, then a pattern).
pub fn cert(tag: u8, len: usize) -> Arc<[u8]> {
    let mut der = vec![0x30, 0x82];
    der.extend_from_slice(&((len - 4) as u16).to_be_bytes());
    der.extend((0..len - 4).map(|i| (i as u8) ^ tag));
    der.into()
}

/// A complete profile: PINs, signing application, 髙橋 𠮷男, a synthetic photo.
pub fn profile() -> CardProfile {
    CardProfile {
        atr: CardProfile::DEFAULT_ATR.to_vec(),
        auth_cert: cert(0xA0, 1000),
        auth_ca: cert(0xB0, 700),
        auth_key: Arc::new(FakeKey(1)),
        auth_pin: Some(b"1234".to_vec()),
        signing: Some(SigningContent {
            cert: cert(0xC0, 1300),
            ca: cert(0xD0, 700),
            key: Arc::new(FakeKey(2)),
            password: b"ABC123".to_vec(),
        }),
        support_pin: Some(b"5678".to_vec()),
        my_number: "123456789018".into(),
        basic_four: BasicFourText {
            name: "髙橋 𠮷男".into(),
            address: "東京都千代田区".into(),
            birth_date: "19800401".into(),
            sex: "1".into(),
        },
        match_b: "80040120341234".into(),
        card_expiry: "20341231".into(),
        face_photo: profile::synthetic_face_photo("test").into(),
        face: Arc::new(face::FaceRenderer::builtin().render(&face::FaceText {
            name: "髙橋 𠮷男",
            address: "東京都千代田区",
            security_code: "1234",
            my_number: "123456789018",
        })),
        initial_state: CardState::default(),
        locked_status: Status::AuthenticationMethodBlocked,
        tamper: None,
    }
}
