//! Application identifiers, file identifiers and PIN references of the My Number Card.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An application identifier (5–16 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Aid(&'static [u8]);

impl Aid {
    /// An AID from a literal; panics at compile time when the length is outside 5–16.
    pub const fn new(bytes: &'static [u8]) -> Self {
        assert!(
            bytes.len() >= 5 && bytes.len() <= 16,
            "AID must be 5-16 bytes"
        );
        Self(bytes)
    }

    /// The bytes.
    pub const fn as_bytes(&self) -> &'static [u8] {
        self.0
    }
}

impl fmt::Display for Aid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&onshi_support::hex::encode(self.0))
    }
}

/// The applications on the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AppId {
    /// 公的個人認証AP (JPKI): certificates and RSA keys.
    Jpki,
    /// 券面事項入力補助AP: My Number and the four basic items as text.
    InputSupport,
    /// 券面確認AP (card surface): the face photo and images of the card front.
    Surface,
}

impl AppId {
    /// Every application, in selection-table order.
    pub const ALL: [AppId; 3] = [AppId::Jpki, AppId::InputSupport, AppId::Surface];

    /// The AID of the application.
    pub const fn aid(self) -> Aid {
        match self {
            Self::Jpki => JPKI_AID,
            Self::InputSupport => INPUT_SUPPORT_AID,
            Self::Surface => SURFACE_AID,
        }
    }

    /// Finds the application with this AID.
    pub fn from_aid(bytes: &[u8]) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|app| app.aid().as_bytes() == bytes)
    }

    /// The Japanese name.
    pub const fn japanese_name(self) -> &'static str {
        match self {
            Self::Jpki => "公的個人認証AP",
            Self::InputSupport => "券面事項入力補助AP",
            Self::Surface => "券面確認AP",
        }
    }
}

/// JPKI AP `D3 92 F0 00 26 01 00 00 00 01`.
pub const JPKI_AID: Aid = Aid::new(&[0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01]);
/// 券面事項入力補助AP `D3 92 10 00 31 00 01 01 04 08`.
pub const INPUT_SUPPORT_AID: Aid =
    Aid::new(&[0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08]);
/// 券面確認AP `D3 92 10 00 31 00 01 01 04 02`.
pub const SURFACE_AID: Aid =
    Aid::new(&[0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02]);

/// A two-byte elementary-file identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FileId(pub u16);

impl FileId {
    /// The short EF identifier (low five bits), as used with SFI addressing.
    pub const fn short_id(self) -> u8 {
        (self.0 & 0x1F) as u8
    }
}

impl fmt::Display for FileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X}", self.0)
    }
}

/// JPKI AP elementary files.
pub mod jpki {
    use super::FileId;
    /// 署名用電子証明書 (signing certificate), readable after the signing password.
    pub const SIGN_CERT: FileId = FileId(0x0001);
    /// CA certificate of the signing certificate.
    pub const SIGN_CA: FileId = FileId(0x0002);
    /// Token information (`JPKIAPICCTOKEN2`).
    pub const TOKEN: FileId = FileId(0x0006);
    /// 利用者証明用電子証明書 (user-authentication certificate).
    pub const AUTH_CERT: FileId = FileId(0x000A);
    /// CA certificate of the user-authentication certificate.
    pub const AUTH_CA: FileId = FileId(0x000B);
    /// User-authentication private key (RSA-2048), never readable.
    pub const AUTH_KEY: FileId = FileId(0x0017);
    /// 利用者証明用暗証番号 (4 digits, 3 tries).
    pub const AUTH_PIN: FileId = FileId(0x0018);
    /// Signing private key (RSA-2048), never readable.
    pub const SIGN_KEY: FileId = FileId(0x001A);
    /// 署名用パスワード (6–16 of A–Z/0–9, 5 tries).
    pub const SIGN_PIN: FileId = FileId(0x001B);
}

/// 券面事項入力補助AP elementary files.
pub mod input_support {
    use super::FileId;
    /// 個人番号 (My Number), 17 bytes: `FF 10 0C` + 12 ASCII digits + `FF FF`.
    pub const MY_NUMBER: FileId = FileId(0x0001);
    /// 基本4情報 (name, address, birth date, sex) as TLV.
    pub const BASIC_FOUR: FileId = FileId(0x0002);
    /// AP基本情報: `FF 40 { DF 41 AP info, DF 42 key id, DF 43 … }`, free to read.
    pub const AP_INFO: FileId = FileId(0x0005);
    /// 券面事項入力補助用暗証番号 (4 digits, 3 tries).
    pub const PIN: FileId = FileId(0x0011);
    /// 照合番号A (the 12-digit My Number).
    pub const MATCH_A: FileId = FileId(0x0014);
    /// 照合番号B (birth YYMMDD + expiry year + security code, 14 digits).
    pub const MATCH_B: FileId = FileId(0x0015);
}

/// 券面確認AP elementary files.
pub mod surface {
    use super::FileId;
    /// Card front data: TLV with the face photo (JPEG 2000) and images.
    pub const FRONT: FileId = FileId(0x0002);
    /// AP基本情報: `FF 30 { DF 31 … DF 35 }` with the municipality code, free to read.
    pub const AP_INFO: FileId = FileId(0x0003);
    /// Image of the card back (My Number), behind 照合番号A.
    pub const BACK: FileId = FileId(0x0005);
    /// 照合番号B.
    pub const MATCH_B: FileId = FileId(0x0012);
    /// 照合番号A.
    pub const MATCH_A: FileId = FileId(0x0013);
}

/// The PINs and match numbers of the card, each with its own retry counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PinId {
    /// 利用者証明用暗証番号 — JPKI EF 0018.
    AuthPin,
    /// 署名用パスワード — JPKI EF 001B.
    SignPassword,
    /// 券面事項入力補助用暗証番号 — input-support EF 0011.
    SupportPin,
    /// 照合番号A in the input-support AP — EF 0014.
    SupportMatchA,
    /// 照合番号B in the input-support AP — EF 0015.
    SupportMatchB,
    /// 照合番号A in the card-surface AP — EF 0013.
    SurfaceMatchA,
    /// 照合番号B in the card-surface AP — EF 0012.
    SurfaceMatchB,
}

impl PinId {
    /// Every PIN.
    pub const ALL: [PinId; 7] = [
        PinId::AuthPin,
        PinId::SignPassword,
        PinId::SupportPin,
        PinId::SupportMatchA,
        PinId::SupportMatchB,
        PinId::SurfaceMatchA,
        PinId::SurfaceMatchB,
    ];

    /// The application holding the PIN.
    pub const fn app(self) -> AppId {
        match self {
            Self::AuthPin | Self::SignPassword => AppId::Jpki,
            Self::SupportPin | Self::SupportMatchA | Self::SupportMatchB => AppId::InputSupport,
            Self::SurfaceMatchA | Self::SurfaceMatchB => AppId::Surface,
        }
    }

    /// The PIN's elementary file.
    pub const fn file(self) -> FileId {
        match self {
            Self::AuthPin => jpki::AUTH_PIN,
            Self::SignPassword => jpki::SIGN_PIN,
            Self::SupportPin => input_support::PIN,
            Self::SupportMatchA => input_support::MATCH_A,
            Self::SupportMatchB => input_support::MATCH_B,
            Self::SurfaceMatchA => surface::MATCH_A,
            Self::SurfaceMatchB => surface::MATCH_B,
        }
    }

    /// Default number of tries. JPKI and input-support PINs are documented (3 / 5 / 3);
    /// the retry counts of 照合番号A/B are not public, so 10 is our assumption.
    pub const fn default_tries(self) -> u8 {
        match self {
            Self::AuthPin | Self::SupportPin => 3,
            Self::SignPassword => 5,
            _ => 10,
        }
    }

    /// The Japanese name.
    pub const fn japanese_name(self) -> &'static str {
        match self {
            Self::AuthPin => "利用者証明用暗証番号",
            Self::SignPassword => "署名用パスワード",
            Self::SupportPin => "券面事項入力補助用暗証番号",
            Self::SupportMatchA | Self::SurfaceMatchA => "照合番号A",
            Self::SupportMatchB | Self::SurfaceMatchB => "照合番号B",
        }
    }

    /// Whether `value` has the PIN's format: 4 digits (PINs), 6–16 of A–Z/0–9 with at
    /// least one letter and one digit (signing password), 12 or 14 digits (match numbers).
    pub fn format_ok(self, value: &[u8]) -> bool {
        let digits = |n: usize| value.len() == n && value.iter().all(u8::is_ascii_digit);
        match self {
            Self::AuthPin | Self::SupportPin => digits(4),
            Self::SignPassword => {
                (6..=16).contains(&value.len())
                    && value
                        .iter()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                    && value.iter().any(u8::is_ascii_uppercase)
                    && value.iter().any(u8::is_ascii_digit)
            }
            Self::SupportMatchA | Self::SurfaceMatchA => digits(12),
            Self::SupportMatchB | Self::SurfaceMatchB => digits(14),
        }
    }

    /// The length range the card accepts in VERIFY for this PIN (outside it: `67 00`,
    /// no try consumed).
    pub const fn length_range(self) -> (usize, usize) {
        match self {
            Self::AuthPin | Self::SupportPin => (4, 4),
            Self::SignPassword => (6, 16),
            Self::SupportMatchA | Self::SurfaceMatchA => (12, 12),
            Self::SupportMatchB | Self::SurfaceMatchB => (14, 14),
        }
    }
}

impl fmt::Display for PinId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (EF {})", self.japanese_name(), self.file())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aids_are_distinct_and_found() {
        for app in AppId::ALL {
            assert_eq!(AppId::from_aid(app.aid().as_bytes()), Some(app));
        }
        assert_eq!(AppId::from_aid(&[0xA0, 0, 0, 0, 0x03]), None);
        assert_eq!(JPKI_AID.to_string(), "D392F000260100000001");
    }

    #[test]
    fn pin_formats() {
        assert!(PinId::AuthPin.format_ok(b"1234"));
        assert!(!PinId::AuthPin.format_ok(b"12345"));
        assert!(!PinId::AuthPin.format_ok(b"12a4"));
        assert!(PinId::SignPassword.format_ok(b"ABC123"));
        assert!(!PinId::SignPassword.format_ok(b"abc123"));
        assert!(!PinId::SignPassword.format_ok(b"ABCDEF"));
        assert!(!PinId::SignPassword.format_ok(b"123456"));
        assert!(!PinId::SignPassword.format_ok(b"A1"));
        assert!(PinId::SurfaceMatchB.format_ok(b"90010120301234"));
        for pin in PinId::ALL {
            assert_eq!(pin.file().short_id() as u16, pin.file().0 & 0x1F);
        }
    }
}
