//! 券面確認AP (card surface): the card front with the face photo, unlocked by 照合番号B
//! (which a face reader computes from the printed front), and the back image with the
//! My Number, unlocked only by 照合番号A.

use super::filesystem::{Access, Applet};
use super::ids::{AppId, PinId, surface as ef};
use super::profile::{CardProfile, PLACEHOLDER_PNG};
use super::tlv;

/// EF 0002: `FF 20 { DF 21 header, DF 22 birth date, DF 23 sex, DF 24 public key, DF 25
/// name image, DF 26 address image, DF 27 face photo (JPEG 2000), DF 28 signature,
/// DF 29 expiry, DF 2A security-code image }`.
pub fn front_file(profile: &CardProfile) -> Vec<u8> {
    let signature = [0u8; 256];
    let public_key = [0u8; 270];
    tlv::constructed(
        &[0xFF, 0x20],
        &[
            (&[0xDF, 0x21], &[0x01, 0x00, 0x00, 0x00]),
            (&[0xDF, 0x22], profile.basic_four.birth_date.as_bytes()),
            (&[0xDF, 0x23], profile.basic_four.sex.as_bytes()),
            (&[0xDF, 0x24], &public_key),
            (&[0xDF, 0x25], &PLACEHOLDER_PNG),
            (&[0xDF, 0x26], &PLACEHOLDER_PNG),
            (&[0xDF, 0x27], &profile.face_photo),
            (&[0xDF, 0x28], &signature),
            (&[0xDF, 0x29], profile.card_expiry.as_bytes()),
            (&[0xDF, 0x2A], &PLACEHOLDER_PNG),
        ],
    )
}

/// EF 0005: `FF 40 { DF 41 image of the My Number, DF 42 …, DF 43 signature }`.
pub fn back_file(profile: &CardProfile) -> Vec<u8> {
    tlv::constructed(
        &[0xFF, 0x40],
        &[
            (&[0xDF, 0x41], &PLACEHOLDER_PNG),
            (&[0xDF, 0x42], profile.my_number.as_bytes()),
            (&[0xDF, 0x43], &[0u8; 256]),
        ],
    )
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
