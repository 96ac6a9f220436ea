//! The card-face images drawn with the system's IPAGothic (Debian `fonts-ipafont-gothic`,
//! installed by `scripts/test`). Skipped when the font is absent, unless
//! `ONSHI_REQUIRE_FONT=1`.

use onshi_card::card::face::{Bitmap, FaceFont, FaceRenderer, GlyphSource, TEXT_PX, builtin, png};

const IPAGOTHIC: &str = "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf";

fn renderer() -> Option<FaceRenderer> {
    match std::fs::read(IPAGOTHIC) {
        Ok(bytes) => Some(FaceRenderer::with_font(
            FaceFont::from_bytes(bytes, IPAGOTHIC).expect("IPAGothic parses"),
        )),
        Err(e) if std::env::var_os("ONSHI_REQUIRE_FONT").is_some() => {
            panic!("{IPAGOTHIC}: {e} (ONSHI_REQUIRE_FONT is set)")
        }
        Err(e) => {
            eprintln!("skipped: {IPAGOTHIC}: {e}");
            None
        }
    }
}

fn cell(b: &Bitmap, i: u32) -> Bitmap {
    b.crop(i * TEXT_PX, 0, TEXT_PX, TEXT_PX)
}

#[test]
fn kyuji_and_gaiji_are_their_own_glyphs() {
    let Some(r) = renderer() else { return };
    let name = r.text_bitmap("髙橋\u{3000}𠮷男");
    eprintln!("{}", name.to_art());
    assert_eq!((name.width, name.height), (5 * TEXT_PX, TEXT_PX));
    // 髙 (U+9AD9) comes from the font and is not 高 (U+9AD8).
    assert_eq!(r.glyph('髙').1, GlyphSource::Font);
    assert_eq!(cell(&name, 0), *r.glyph('髙').0);
    assert_ne!(cell(&name, 0), *r.glyph('高').0);
    // 𠮷 (U+20BB7) is in no installed font: onshi's 外字, not 吉 and not a box.
    assert_eq!(r.glyph('\u{20BB7}').1, GlyphSource::Gaiji);
    assert_eq!(
        cell(&name, 3),
        builtin::gaiji('\u{20BB7}', TEXT_PX).unwrap()
    );
    assert_ne!(cell(&name, 3), *r.glyph('吉').0);
    assert_ne!(cell(&name, 3), builtin::missing_box(TEXT_PX, TEXT_PX));
    // The ideographic space is blank; every other cell has ink.
    assert_eq!(cell(&name, 2).ink_count(), 0);
    for i in [0, 1, 3, 4] {
        assert!(cell(&name, i).ink_count() > 20, "cell {i}");
    }
    assert!(
        r.uncovered("髙橋 𠮷男 東京都千代田区霞が関一丁目2番2号")
            .is_empty()
    );
}

#[test]
fn half_width_is_half_a_cell() {
    let Some(r) = renderer() else { return };
    assert_eq!(r.glyph('2').0.width, TEXT_PX / 2);
    assert_eq!(r.glyph('号').0.width, TEXT_PX);
    let b = r.text_bitmap("1丁目2番");
    assert_eq!(b.width, 3 * TEXT_PX + TEXT_PX);
}

#[test]
fn the_png_decodes_to_what_was_drawn() {
    let Some(r) = renderer() else { return };
    let b = r.text_bitmap("山田 太郎");
    assert_eq!(png::decode_gray1(&png::encode_gray1(&b)), Some(b));
}
