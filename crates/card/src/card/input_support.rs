//! 券面事項入力補助AP: the My Number and the four basic items as text.
//!
//! Both data files need the input-support PIN, or a match number: 照合番号A opens the My
//! Number only, 照合番号B the basic four only (measured on a card by soltia48/myna-card).
//! EF 0005, the AP's basic information, is free to read. Readers at a clinic must never touch this AP's My
//! Number (FAQ-4-9).

use super::filesystem::{Access, Applet};
use super::ids::{AppId, PinId, input_support as ef};
use super::profile::{BasicFourText, CardProfile};
use super::tlv;

/// EF 0001: `FF 10 0C` + 12 ASCII digits + `FF FF` (17 bytes, as real cards answer).
pub fn my_number_file(my_number: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0x10, 0x0C];
    out.extend_from_slice(my_number.as_bytes());
    out.extend_from_slice(&[0xFF, 0xFF]);
    out
}

/// EF 0002: `FF 20 { DF 21 offset table, DF 22 name, DF 23 address, DF 24 birth date,
/// DF 25 sex }`. The table holds the 16-bit big-endian offset of each item from the start
/// of the file (`00 0E …` on a real card: soltia48/myna-card `src/ap/text.rs`).
pub fn basic_four_file(b: &BasicFourText) -> Vec<u8> {
    tlv::with_offsets(
        &[0xFF, 0x20],
        &[0xDF, 0x21],
        &[
            (&[0xDF, 0x22], b.name.as_bytes()),
            (&[0xDF, 0x23], b.address.as_bytes()),
            (&[0xDF, 0x24], b.birth_date.as_bytes()),
            (&[0xDF, 0x25], b.sex.as_bytes()),
        ],
    )
}

/// Size of EF 0005 with its filler: jpki/myna's Go client reads exactly 256 bytes and
/// refuses fewer.
pub const AP_INFO_SIZE: usize = 256;

/// `DF 41` of EF 0005: specification version, extended Lc/Le support, vendor id,
/// vendor-specific byte — `01 03 0E 01` on the cards soltia48/myna-card read.
pub const AP_INFO_ID: [u8; 4] = [0x01, 0x03, 0x0E, 0x01];

/// EF 0005 (AP基本情報): `FF 40 { DF 41 AP info (4), DF 42 key id (16), DF 43 128 bytes }`
/// then `FF` filler to [`AP_INFO_SIZE`]. Free to read. DF 43 is 32 bytes and 96 `FF` on
/// real cards, meaning unknown: here 32 fixed bytes (INFERRED).
pub fn ap_info_file() -> Vec<u8> {
    let mut df43: Vec<u8> = (0..32u8).map(|i| i.wrapping_mul(73) ^ 0x5A).collect();
    df43.resize(128, 0xFF);
    let mut out = tlv::constructed(
        &[0xFF, 0x40],
        &[
            (&[0xDF, 0x41], &AP_INFO_ID),
            (&[0xDF, 0x42], &super::surface::key_id(b"6000034", b"001")),
            (&[0xDF, 0x43], &df43),
        ],
    );
    out.resize(AP_INFO_SIZE, 0xFF);
    out
}

/// Builds the input-support AP.
pub fn build(profile: &CardProfile) -> Applet {
    let mut files = vec![
        Applet::binary(
            ef::MY_NUMBER,
            "個人番号",
            my_number_file(&profile.my_number),
            Access::AfterAnyOf(&[PinId::SupportPin, PinId::SupportMatchA]),
        ),
        Applet::binary(
            ef::BASIC_FOUR,
            "基本4情報",
            basic_four_file(&profile.basic_four),
            Access::AfterAnyOf(&[PinId::SupportPin, PinId::SupportMatchB]),
        ),
        Applet::binary(ef::AP_INFO, "AP基本情報", ap_info_file(), Access::Always),
        Applet::pin(PinId::SupportMatchA),
        Applet::pin(PinId::SupportMatchB),
    ];
    if profile.support_pin.is_some() {
        files.push(Applet::pin(PinId::SupportPin));
    }
    Applet {
        app: AppId::InputSupport,
        files,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn my_number_file_is_17_bytes() {
        let f = my_number_file("123456789012");
        assert_eq!(f.len(), 17);
        assert_eq!(&f[..3], &[0xFF, 0x10, 0x0C]);
    }

    #[test]
    fn basic_four_parses_back() {
        let b = BasicFourText {
            name: "髙橋 𠮷男".into(),
            address: "東京都千代田区霞が関1-2-2".into(),
            birth_date: "19800401".into(),
            sex: "1".into(),
        };
        let f = basic_four_file(&b);
        let (outer, rest) = tlv::parse_one(&f).unwrap();
        assert!(rest.is_empty());
        assert_eq!(outer.tag, &[0xFF, 0x20]);
        assert_eq!(
            tlv::find(outer.value, &[0xDF, 0x22]),
            Some(b.name.as_bytes())
        );
        assert_eq!(
            tlv::find(outer.value, &[0xDF, 0x24]),
            Some(&b"19800401"[..])
        );
        // The header's offsets point at the items, counted from the start of the file.
        let header = tlv::find(outer.value, &[0xDF, 0x21]).unwrap();
        for (i, tag) in [0x22u8, 0x23, 0x24, 0x25].iter().enumerate() {
            let off = usize::from(u16::from_be_bytes([header[2 * i], header[2 * i + 1]]));
            assert_eq!(&f[off..off + 2], &[0xDF, *tag]);
        }
    }

    #[test]
    fn the_real_cards_first_offset() {
        // A short file has a 3-byte outer header and an 8-byte table: the name at 0x0E.
        let b = BasicFourText {
            name: "黒桐　幹也".into(),
            address: "東京都".into(),
            birth_date: "19800217".into(),
            sex: "1".into(),
        };
        let f = basic_four_file(&b);
        assert_eq!(
            &f[..8],
            &[
                0xFF,
                0x20,
                (f.len() - 3) as u8,
                0xDF,
                0x21,
                0x08,
                0x00,
                0x0E
            ]
        );
    }

    #[test]
    fn ap_info_layout() {
        let f = ap_info_file();
        assert_eq!(f.len(), AP_INFO_SIZE);
        let (outer, rest) = tlv::parse_one(&f).unwrap();
        assert!(rest.iter().all(|b| *b == 0xFF));
        assert_eq!(outer.tag, &[0xFF, 0x40]);
        assert_eq!(tlv::find(outer.value, &[0xDF, 0x41]), Some(&AP_INFO_ID[..]));
        let key = tlv::find(outer.value, &[0xDF, 0x42]).unwrap();
        assert_eq!(key.len(), 16);
        assert_eq!(&key[..7], b"6000034");
        let df43 = tlv::find(outer.value, &[0xDF, 0x43]).unwrap();
        assert_eq!(df43.len(), 128);
        assert!(df43[32..].iter().all(|b| *b == 0xFF));
    }
}
