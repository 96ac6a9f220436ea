//! What a virtual card is made of: certificates, keys, PINs and the printed data.
//!
//! A [`CardProfile`] is built by the persona layer from a `virtual-cards/*.toml` file and
//! the test PKI; [`super::VirtualCard::new`] turns it into a card. Profiles share their
//! large parts (certificates, photo, keys) through `Arc`, so making a fresh card for
//! every visit of a load test costs a few small allocations.

use std::fmt;
use std::sync::Arc;

use super::face::FaceImages;
use super::ids::PinId;
use super::state::CardState;
use super::status::Status;

/// A private key inside the card: it PKCS#1 v1.5 type-1 pads the input and applies the
/// RSA private operation, like the chip does for `80 2A 00 80`.
pub trait CardKey: Send + Sync + fmt::Debug {
    /// Signs `data` (usually a DER DigestInfo, at most 245 bytes); the result is exactly
    /// the modulus length (256 bytes for RSA-2048), zero-left-padded.
    fn sign_padded(&self, data: &[u8]) -> Result<Vec<u8>, CardKeyError>;
}

/// A key operation that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("card key operation failed: {0}")]
pub struct CardKeyError(pub String);

/// How a tampered chip behaves (FAQ-4-21: tampering makes the chip unreadable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TamperMode {
    /// No answer at all (a reader sees the card as absent or mute).
    Mute,
    /// `6F 00` to every command.
    Fault,
}

/// The signing half of the JPKI AP (absent on a PIN-less card).
#[derive(Debug, Clone)]
pub struct SigningContent {
    /// 署名用電子証明書, DER.
    pub cert: Arc<[u8]>,
    /// Its CA certificate, DER.
    pub ca: Arc<[u8]>,
    /// The signing key.
    pub key: Arc<dyn CardKey>,
    /// 署名用パスワード (upper-case A–Z/0–9).
    pub password: Vec<u8>,
}

/// The printed 基本4情報 as the input-support AP holds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasicFourText {
    /// 氏名 (UTF-8; may hold characters outside JIS X 0208).
    pub name: String,
    /// 住所.
    pub address: String,
    /// 生年月日, `YYYYMMDD`.
    pub birth_date: String,
    /// 性別, ISO 5218 (`1` male, `2` female, `9` not applicable).
    pub sex: String,
}

/// Everything a virtual My Number Card is built from.
#[derive(Debug, Clone)]
pub struct CardProfile {
    /// The answer-to-reset.
    pub atr: Vec<u8>,
    /// 利用者証明用電子証明書, DER.
    pub auth_cert: Arc<[u8]>,
    /// Its CA certificate, DER.
    pub auth_ca: Arc<[u8]>,
    /// The user-authentication key.
    pub auth_key: Arc<dyn CardKey>,
    /// 利用者証明用暗証番号 (4 ASCII digits); `None` on a PIN-less card.
    pub auth_pin: Option<Vec<u8>>,
    /// The signing certificate, key and password; `None` on a PIN-less card.
    pub signing: Option<SigningContent>,
    /// 券面事項入力補助用暗証番号 (4 ASCII digits); `None` on a PIN-less card.
    pub support_pin: Option<Vec<u8>>,
    /// 個人番号 — 12 ASCII digits, synthetic. Readers must never read it (FAQ-4-9).
    pub my_number: String,
    /// The four basic items.
    pub basic_four: BasicFourText,
    /// 照合番号B: birth `YYMMDD` + card expiry year `YYYY` + security code (14 digits).
    pub match_b: String,
    /// Card expiry date printed on the front, `YYYYMMDD`.
    pub card_expiry: String,
    /// The face photo (JPEG 2000 codestream in a JP2 container).
    pub face_photo: Arc<[u8]>,
    /// The name, address, security-code and My Number images, rendered once per persona
    /// ([`super::face::FaceRenderer`]).
    pub face: Arc<FaceImages>,
    /// Tries left at power-up; PINs not listed start with their default count.
    pub initial_state: CardState,
    /// The status word for VERIFY on a locked PIN (default `69 83`).
    pub locked_status: Status,
    /// Set when the chip is destroyed.
    pub tamper: Option<TamperMode>,
}

impl CardProfile {
    /// The default ATR: a real contact My Number Card ATR (listed in pcsc-tools).
    pub const DEFAULT_ATR: [u8; 13] = [
        0x3B, 0xC5, 0xFF, 0x81, 0x31, 0xFB, 0x45, 0x80, 0x73, 0xC6, 0x01, 0x00, 0x00,
    ];

    /// The value of a PIN this profile sets, if the card has it.
    pub fn pin_value(&self, pin: PinId) -> Option<Vec<u8>> {
        match pin {
            PinId::AuthPin => self.auth_pin.clone(),
            PinId::SignPassword => self.signing.as_ref().map(|s| s.password.clone()),
            PinId::SupportPin => self.support_pin.clone(),
            PinId::SupportMatchA | PinId::SurfaceMatchA => Some(self.my_number.as_bytes().to_vec()),
            PinId::SupportMatchB | PinId::SurfaceMatchB => Some(self.match_b.as_bytes().to_vec()),
        }
    }

    /// Whether this is a PIN-less 顔認証マイナンバーカード.
    pub fn is_pinless(&self) -> bool {
        self.auth_pin.is_none()
    }
}

/// A synthetic JPEG 2000 face photo: a valid JP2 signature, `ftyp`, `jp2h` and a small
/// `jp2c` codestream (SOC … EOC) whose payload is derived from `identity`, so that two
/// persons never share a photo and the same person always has the same one.
pub fn synthetic_face_photo(identity: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    // JP2 signature box.
    out.extend_from_slice(&[0, 0, 0, 12, b'j', b'P', b' ', b' ', 0x0D, 0x0A, 0x87, 0x0A]);
    // File type box: brand jp2, minor 0, compatibility jp2.
    out.extend_from_slice(&[0, 0, 0, 20, b'f', b't', b'y', b'p']);
    out.extend_from_slice(b"jp2 \0\0\0\0jp2 ");
    // Header box with an image header (height 320, width 240, 3 components, 8 bit).
    let mut ihdr = vec![0, 0, 0, 22, b'i', b'h', b'd', b'r'];
    ihdr.extend_from_slice(&320u32.to_be_bytes());
    ihdr.extend_from_slice(&240u32.to_be_bytes());
    ihdr.extend_from_slice(&[0, 3, 7, 7, 0, 0]);
    out.extend_from_slice(&((ihdr.len() + 8) as u32).to_be_bytes());
    out.extend_from_slice(b"jp2h");
    out.extend_from_slice(&ihdr);
    // Contiguous codestream box: SOC, a comment with the identity fingerprint, EOC.
    let mut payload = Vec::with_capacity(300);
    let mut x: u64 = 0xcbf2_9ce4_8422_2325;
    for b in identity.bytes() {
        x = (x ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    for _ in 0..256 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        payload.push((x >> 24) as u8);
    }
    let mut jp2c = vec![0xFF, 0x4F]; // SOC
    jp2c.extend_from_slice(&[0xFF, 0x64]); // COM
    jp2c.extend_from_slice(&((payload.len() + 4) as u16).to_be_bytes());
    jp2c.extend_from_slice(&[0, 0]); // Rcom: binary
    jp2c.extend_from_slice(&payload);
    jp2c.extend_from_slice(&[0xFF, 0xD9]); // EOC
    out.extend_from_slice(&((jp2c.len() + 8) as u32).to_be_bytes());
    out.extend_from_slice(b"jp2c");
    out.extend_from_slice(&jp2c);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photo_is_jp2_and_personal() {
        let a = synthetic_face_photo("alice");
        let b = synthetic_face_photo("bob");
        assert_eq!(
            &a[..12],
            &[0, 0, 0, 12, b'j', b'P', b' ', b' ', 0x0D, 0x0A, 0x87, 0x0A]
        );
        assert_ne!(a, b);
        assert_eq!(a, synthetic_face_photo("alice"));
        assert_eq!(&a[a.len() - 2..], &[0xFF, 0xD9]);
    }
}
