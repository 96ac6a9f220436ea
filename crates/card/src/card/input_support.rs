//! 券面事項入力補助AP: the My Number and the four basic items as text.
//!
//! Both data files need the input-support PIN (or a match number: 照合番号A opens both,
//! 照合番号B only the basic four). Readers at a clinic must never touch this AP's My
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

/// EF 0002: `FF 20 { DF 21 header, DF 22 name, DF 23 address, DF 24 birth date, DF 25 sex }`.
/// The header holds the offsets of the four items inside the `FF 20` value (16-bit,
/// big-endian) — the real header's meaning is not public.
pub fn basic_four_file(b: &BasicFourText) -> Vec<u8> {
    let items: [(&[u8], &[u8]); 4] = [
        (&[0xDF, 0x22], b.name.as_bytes()),
        (&[0xDF, 0x23], b.address.as_bytes()),
        (&[0xDF, 0x24], b.birth_date.as_bytes()),
        (&[0xDF, 0x25], b.sex.as_bytes()),
    ];
    let mut body = Vec::new();
    let header_len = 2 + 1 + 8;
    let mut offsets = Vec::with_capacity(8);
    for (tag, value) in items {
        offsets.extend_from_slice(&((header_len + body.len()) as u16).to_be_bytes());
        tlv::push_tlv(&mut body, tag, value);
    }
    let mut value = Vec::with_capacity(header_len + body.len());
    tlv::push_tlv(&mut value, &[0xDF, 0x21], &offsets);
    value.extend_from_slice(&body);
    let mut out = Vec::new();
    tlv::push_tlv(&mut out, &[0xFF, 0x20], &value);
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
            Access::AfterAnyOf(&[
                PinId::SupportPin,
                PinId::SupportMatchA,
                PinId::SupportMatchB,
            ]),
        ),
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
        // The header's offsets point at the items.
        let header = tlv::find(outer.value, &[0xDF, 0x21]).unwrap();
        let off = usize::from(u16::from_be_bytes([header[2], header[3]]));
        assert_eq!(&outer.value[off..off + 2], &[0xDF, 0x23]);
    }
}
