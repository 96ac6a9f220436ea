//! The data-driven file system of one application: binary EFs with access rules, PIN
//! EFs and key EFs. The three applications are just different tables of these.

use std::sync::Arc;

use super::ids::{AppId, FileId, PinId};
use super::profile::CardKey;

/// Who may read a binary EF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone.
    Always,
    /// After a successful VERIFY of any of these PINs in the current session.
    AfterAnyOf(&'static [PinId]),
}

/// What an elementary file holds.
#[derive(Debug, Clone)]
pub enum EfKind {
    /// Transparent data.
    Binary {
        /// The content.
        data: Arc<[u8]>,
        /// Read condition.
        read: Access,
    },
    /// A PIN or match number (VERIFY target).
    Pin(PinId),
    /// A private key (SIGN target); `use_after` is the PIN that unlocks it, `None` when
    /// no PIN exists (PIN-less card) and the key is therefore unusable.
    Key {
        /// The key.
        key: Arc<dyn CardKey>,
        /// The PIN that must be verified first.
        use_after: Option<PinId>,
    },
}

/// One elementary file.
#[derive(Debug, Clone)]
pub struct Ef {
    /// Its identifier.
    pub id: FileId,
    /// Its content.
    pub kind: EfKind,
    /// A name for traces (Japanese where that is the real name).
    pub name: &'static str,
}

/// One application's files.
#[derive(Debug, Clone)]
pub struct Applet {
    /// Which application.
    pub app: AppId,
    /// Its files (a handful; linear search is fastest).
    pub files: Vec<Ef>,
}

impl Applet {
    /// The EF with this identifier.
    pub fn file(&self, id: FileId) -> Option<&Ef> {
        self.files.iter().find(|f| f.id == id)
    }

    /// The EF with this short identifier (SFI addressing).
    pub fn file_by_short_id(&self, sfi: u8) -> Option<&Ef> {
        self.files
            .iter()
            .find(|f| f.id.short_id() == sfi && f.id.0 <= 0x1F)
    }

    /// A binary EF.
    pub fn binary(id: FileId, name: &'static str, data: impl Into<Arc<[u8]>>, read: Access) -> Ef {
        Ef {
            id,
            name,
            kind: EfKind::Binary {
                data: data.into(),
                read,
            },
        }
    }

    /// A PIN EF.
    pub fn pin(pin: PinId) -> Ef {
        Ef {
            id: pin.file(),
            name: pin.japanese_name(),
            kind: EfKind::Pin(pin),
        }
    }
}

/// The name of a well-known EF, for decoding traces even when a file is absent.
pub fn well_known_name(app: AppId, id: FileId) -> Option<&'static str> {
    use super::ids::{input_support as s, jpki as j, surface as v};
    let name = match (app, id) {
        (AppId::Jpki, j::SIGN_CERT) => "署名用電子証明書",
        (AppId::Jpki, j::SIGN_CA) => "署名用CA証明書",
        (AppId::Jpki, j::TOKEN) => "トークン情報",
        (AppId::Jpki, j::AUTH_CERT) => "利用者証明用電子証明書",
        (AppId::Jpki, j::AUTH_CA) => "利用者証明用CA証明書",
        (AppId::Jpki, j::AUTH_KEY) => "利用者証明用秘密鍵",
        (AppId::Jpki, j::AUTH_PIN) => "利用者証明用暗証番号",
        (AppId::Jpki, j::SIGN_KEY) => "署名用秘密鍵",
        (AppId::Jpki, j::SIGN_PIN) => "署名用パスワード",
        (AppId::InputSupport, s::MY_NUMBER) => "個人番号",
        (AppId::InputSupport, s::BASIC_FOUR) => "基本4情報",
        (AppId::InputSupport, s::PIN) => "券面事項入力補助用暗証番号",
        (AppId::InputSupport, s::AP_INFO) | (AppId::Surface, v::AP_INFO) => "AP基本情報",
        (AppId::InputSupport, s::MATCH_A) => "照合番号A",
        (AppId::InputSupport, s::MATCH_B) => "照合番号B",
        (AppId::Surface, v::FRONT) => "券面（表面・顔写真）",
        (AppId::Surface, v::BACK) => "券面（裏面・個人番号）",
        (AppId::Surface, v::MATCH_A) => "照合番号A",
        (AppId::Surface, v::MATCH_B) => "照合番号B",
        _ => return None,
    };
    Some(name)
}
