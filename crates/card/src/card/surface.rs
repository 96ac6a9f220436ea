//! 券面確認AP (card surface): the card front with the face photo and the name, address and
//! security-code images, unlocked by 照合番号B (which a face reader computes from the printed
//! front) or 照合番号A; the back image with the My Number, unlocked only by 照合番号A; and the
//! AP's basic information, free to read.
//!
//! Layouts from soltia48/myna-card `src/ap/surface.rs` (read from a JPKI test card), jpki/myna
//! `src/visual.rs` and AokiApp/jsapdu `packages/mynacard/src/schema.ts`. onshi does not model
//! the 券面AP's own signature chain (EF 0004 certificate, DF 28 / DF 43 signatures): the public
//! key and signatures are fixed stand-ins of the real shape.

use super::filesystem::{Access, Applet};
use super::ids::{AppId, PinId, surface as ef};
use super::profile::CardProfile;
use super::tlv;

/// The card's public key as the 券面 APs store it: `90` exponent, `91` modulus (RSA-2048).
/// A fixed stand-in (not a usable key).
pub fn stand_in_public_key() -> Vec<u8> {
    let mut k = vec![0x90, 0x03, 0x01, 0x00, 0x01, 0x91, 0x82, 0x01, 0x00];
    k.extend((0..256u32).map(|i| if i == 0 { 0xC5 } else { (i * 37 % 251) as u8 }));
    k
}

/// EF 0002: `FF 20 { DF 21 offset table, DF 22 birth date, DF 23 sex, DF 24 public key,
/// DF 25 name image, DF 26 address image, DF 27 face photo (JPEG 2000), DF 28 signature,
/// DF 29 expiry, DF 2A security-code image }`. The table holds each object's offset from
/// the start of the file.
pub fn front_file(profile: &CardProfile) -> Vec<u8> {
    let signature = [0u8; 256];
    let public_key = stand_in_public_key();
    tlv::with_offsets(
        &[0xFF, 0x20],
        &[0xDF, 0x21],
        &[
            (&[0xDF, 0x22], profile.basic_four.birth_date.as_bytes()),
            (&[0xDF, 0x23], profile.basic_four.sex.as_bytes()),
            (&[0xDF, 0x24], &public_key),
            (&[0xDF, 0x25], &profile.face.name),
            (&[0xDF, 0x26], &profile.face.address),
            (&[0xDF, 0x27], &profile.face_photo),
            (&[0xDF, 0x28], &signature),
            (&[0xDF, 0x29], profile.card_expiry.as_bytes()),
            (&[0xDF, 0x2A], &profile.face.security_code),
        ],
    )
}

/// EF 0005: `FF 40 { DF 41 image of the My Number, DF 42 public key, DF 43 signature }`.
pub fn back_file(profile: &CardProfile) -> Vec<u8> {
    tlv::constructed(
        &[0xFF, 0x40],
        &[
            (&[0xDF, 0x41], &profile.face.my_number),
            (&[0xDF, 0x42], &stand_in_public_key()),
            (&[0xDF, 0x43], &[0u8; 256]),
        ],
    )
}

/// `DF 31` of EF 0003: four bytes identifying the layout, as on the test card surveyed.
pub const AP_INFO_ID: [u8; 4] = [0x06, 0x03, 0x0E, 0x01];

/// A 16-byte key identifier: 7 digits, `08 05`, a 3-digit group, 4 bytes of padding
/// (`6…` = the JPKI test hierarchy).
pub const fn key_id(number: &[u8; 7], group: &[u8; 3]) -> [u8; 16] {
    [
        number[0], number[1], number[2], number[3], number[4], number[5], number[6], 0x08, 0x05,
        group[0], group[1], group[2], 0, 0, 0, 0,
    ]
}

/// EF 0003 (AP基本情報): `FF 30 { DF 31 layout id (4), DF 32 key id (16), DF 33 version (1),
/// DF 34 全国地方公共団体コード (5 ASCII digits), DF 35 key id (16) + 256 opaque bytes }`.
/// Free to read. onshi's personas carry no municipality, so DF 34 is the prefecture-level
/// code of the address (`PP000`; `00000` when no prefecture is recognised) — INFERRED.
pub fn ap_info_file(profile: &CardProfile) -> Vec<u8> {
    let mut df35 = key_id(b"5900025", b"001").to_vec();
    df35.extend((0..256u32).map(|i| (i * 89 % 253) as u8));
    tlv::constructed(
        &[0xFF, 0x30],
        &[
            (&[0xDF, 0x31], &AP_INFO_ID),
            (&[0xDF, 0x32], &key_id(b"6000024", b"001")),
            (&[0xDF, 0x33], &[0x00]),
            (
                &[0xDF, 0x34],
                &municipality_code(&profile.basic_four.address),
            ),
            (&[0xDF, 0x35], &df35),
        ],
    )
}

const PREFECTURES: [&str; 47] = [
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
];

/// `PP000` for the prefecture `address` starts with, `00000` if none.
pub fn municipality_code(address: &str) -> [u8; 5] {
    let n = PREFECTURES
        .iter()
        .position(|p| address.starts_with(p))
        .map_or(0, |i| i + 1) as u8;
    [b'0' + n / 10, b'0' + n % 10, b'0', b'0', b'0']
}

/// Extracts the face photo (tag `DF 27`) from the front file.
pub fn face_photo_from_front(front: &[u8]) -> Option<&[u8]> {
    let (outer, _) = tlv::parse_one(front)?;
    if outer.tag != [0xFF, 0x20] {
        return None;
    }
    tlv::find(outer.value, &[0xDF, 0x27])
}

/// Builds the card-surface AP.
pub fn build(profile: &CardProfile) -> Applet {
    Applet {
        app: AppId::Surface,
        files: vec![
            Applet::binary(
                ef::FRONT,
                "券面（表面・顔写真）",
                front_file(profile),
                Access::AfterAnyOf(&[PinId::SurfaceMatchA, PinId::SurfaceMatchB]),
            ),
            Applet::binary(
                ef::AP_INFO,
                "AP基本情報",
                ap_info_file(profile),
                Access::Always,
            ),
            Applet::binary(
                ef::BACK,
                "券面（裏面・個人番号）",
                back_file(profile),
                Access::AfterAnyOf(&[PinId::SurfaceMatchA]),
            ),
            Applet::pin(PinId::SurfaceMatchA),
            Applet::pin(PinId::SurfaceMatchB),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::face::png;
    use crate::card::sample;

    #[test]
    fn front_offsets_and_images() {
        let p = sample::profile();
        let f = front_file(&p);
        let (outer, rest) = tlv::parse_one(&f).unwrap();
        assert!(rest.is_empty());
        let table = tlv::find(outer.value, &[0xDF, 0x21]).unwrap();
        assert_eq!(table.len(), 18);
        for (i, tag) in (0x22u8..=0x2A).enumerate() {
            let off = usize::from(u16::from_be_bytes([table[2 * i], table[2 * i + 1]]));
            assert_eq!(&f[off..off + 2], &[0xDF, tag]);
        }
        let name = tlv::find(outer.value, &[0xDF, 0x25]).unwrap();
        assert_eq!(name, &p.face.name[..]);
        assert_eq!(png::header(name).map(|h| h.bit_depth), Some(1));
        let code = png::header(tlv::find(outer.value, &[0xDF, 0x2A]).unwrap()).unwrap();
        assert_eq!((code.width, code.height), (24, 12));
        let key = tlv::find(outer.value, &[0xDF, 0x24]).unwrap();
        assert_eq!(key.len(), 265);
        assert_eq!(face_photo_from_front(&f), Some(&p.face_photo[..]));
    }

    #[test]
    fn ap_info_layout() {
        let p = sample::profile();
        let f = ap_info_file(&p);
        let (outer, rest) = tlv::parse_one(&f).unwrap();
        assert!(rest.is_empty());
        assert_eq!(outer.tag, &[0xFF, 0x30]);
        let items = tlv::parse_all(outer.value).unwrap();
        let tags: Vec<&[u8]> = items.iter().map(|t| t.tag).collect();
        let want: [&[u8]; 5] = [
            &[0xDF, 0x31],
            &[0xDF, 0x32],
            &[0xDF, 0x33],
            &[0xDF, 0x34],
            &[0xDF, 0x35],
        ];
        assert_eq!(tags, want);
        let lens: Vec<usize> = items.iter().map(|t| t.value.len()).collect();
        assert_eq!(lens, [4, 16, 1, 5, 272]);
        assert_eq!(items[3].value, b"13000"); // 東京都千代田区
        assert_eq!(&items[1].value[..7], b"6000024");
    }

    #[test]
    fn municipality_codes() {
        assert_eq!(&municipality_code("北海道札幌市"), b"01000");
        assert_eq!(&municipality_code("沖縄県那覇市"), b"47000");
        assert_eq!(&municipality_code("京都府京都市"), b"26000");
        assert_eq!(&municipality_code("どこか"), b"00000");
    }

    #[test]
    fn back_holds_no_my_number_text() {
        let p = sample::profile();
        let b = back_file(&p);
        assert!(!b.windows(12).any(|w| w == p.my_number.as_bytes()));
        let (outer, _) = tlv::parse_one(&b).unwrap();
        let img = png::header(tlv::find(outer.value, &[0xDF, 0x41]).unwrap()).unwrap();
        assert_eq!((img.width, img.height), (72, 12));
    }
}
