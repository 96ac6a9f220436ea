//! Laying out and encoding the card-face images.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use super::bitmap::Bitmap;
use super::font::FaceFont;
use super::{builtin, png};

/// Height of a line of the name and address images, and the width of a full-width
/// character (half-width: half). INFERRED: the real sizes are not published; 24 is the
/// classic legible kanji bitmap size, twice the 12-pixel digit cell the card is known to use.
pub const TEXT_PX: u32 = 24;

/// Widest line of the name and address images (20 full-width characters); longer text wraps.
pub const LINE_MAX_PX: u32 = 20 * TEXT_PX;

/// The images of the card surface, each a 1-bit greyscale PNG. Computed once per persona
/// and shared (`Arc`) by every card made from the profile.
#[derive(Clone, PartialEq, Eq)]
pub struct FaceImages {
    /// 氏名画像 (券面確認AP EF 0002, tag DF 25).
    pub name: Arc<[u8]>,
    /// 住所画像 (DF 26).
    pub address: Arc<[u8]>,
    /// セキュリティコード画像 (DF 2A): the 4 digits 照合番号B ends with.
    pub security_code: Arc<[u8]>,
    /// 個人番号画像 (EF 0005, tag DF 41), behind 照合番号A only. Never written anywhere.
    pub my_number: Arc<[u8]>,
}

impl std::fmt::Debug for FaceImages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "FaceImages {{ name: {} B, address: {} B, security_code: {} B, my_number: <redacted> }}",
            self.name.len(),
            self.address.len(),
            self.security_code.len()
        )
    }
}

/// What the images show.
#[derive(Clone, Copy)]
pub struct FaceText<'a> {
    /// 氏名.
    pub name: &'a str,
    /// 住所.
    pub address: &'a str,
    /// セキュリティコード, 4 digits.
    pub security_code: &'a str,
    /// 個人番号, 12 digits.
    pub my_number: &'a str,
}

impl std::fmt::Debug for FaceText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaceText")
            .field("name", &self.name)
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

/// Where a glyph came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlyphSource {
    /// The outline font.
    Font,
    /// onshi's own 外字 table ([`builtin::GAIJI`]).
    Gaiji,
    /// Nothing covers the character: the ⊠ box was drawn.
    Missing,
}

/// Draws the card-face images: text from the font handed in (if any), 外字 from onshi's own
/// table, digits from onshi's 6 × 12 cells. Glyphs are cached, so a population of generated
/// persons pays for each character once.
pub struct FaceRenderer {
    font: Option<FaceFont>,
    glyphs: Mutex<HashMap<char, (Arc<Bitmap>, GlyphSource)>>,
}

impl std::fmt::Debug for FaceRenderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaceRenderer")
            .field("font", &self.font)
            .finish_non_exhaustive()
    }
}

impl FaceRenderer {
    /// A renderer with only onshi's own glyphs: digits and 外字. Other characters of names
    /// and addresses are drawn as ⊠ (documented fallback; the shell warns about it).
    pub fn builtin() -> Self {
        Self {
            font: None,
            glyphs: Mutex::new(HashMap::new()),
        }
    }

    /// A renderer drawing text with `font`.
    pub fn with_font(font: FaceFont) -> Self {
        Self {
            font: Some(font),
            glyphs: Mutex::new(HashMap::new()),
        }
    }

    /// The font, if one was handed in.
    pub fn font(&self) -> Option<&FaceFont> {
        self.font.as_ref()
    }

    /// The text-cell glyph of `c` and where it came from.
    pub fn glyph(&self, c: char) -> (Arc<Bitmap>, GlyphSource) {
        let mut cache = self.glyphs.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(hit) = cache.get(&c) {
            return hit.clone();
        }
        let found = self
            .font
            .as_ref()
            .and_then(|f| f.glyph(c, TEXT_PX))
            .map(|g| (g, GlyphSource::Font))
            .or_else(|| builtin::gaiji(c, TEXT_PX).map(|g| (g, GlyphSource::Gaiji)))
            .unwrap_or_else(|| {
                let w = if c.is_ascii() { TEXT_PX / 2 } else { TEXT_PX };
                (builtin::missing_box(w, TEXT_PX), GlyphSource::Missing)
            });
        let entry = (Arc::new(found.0), found.1);
        cache.insert(c, entry.clone());
        entry
    }

    /// The characters of `text` no glyph source covers (drawn as ⊠).
    pub fn uncovered(&self, text: &str) -> Vec<char> {
        let mut out: Vec<char> = text
            .chars()
            .filter(|c| self.glyph(*c).1 == GlyphSource::Missing)
            .collect();
        out.dedup();
        out
    }

    /// `text` laid out in lines of [`TEXT_PX`], wrapped at [`LINE_MAX_PX`].
    pub fn text_bitmap(&self, text: &str) -> Bitmap {
        let mut lines: Vec<Vec<Arc<Bitmap>>> = vec![Vec::new()];
        let mut width = 0;
        let mut widest = TEXT_PX / 2;
        for c in text.chars() {
            let (g, _) = self.glyph(c);
            if width > 0 && width + g.width > LINE_MAX_PX {
                lines.push(Vec::new());
                width = 0;
            }
            width += g.width;
            widest = widest.max(width);
            if let Some(line) = lines.last_mut() {
                line.push(g);
            }
        }
        let mut page = Bitmap::new(widest, TEXT_PX * lines.len() as u32);
        for (row, line) in lines.iter().enumerate() {
            let mut x = 0;
            for g in line {
                page.blit(g, x, row as u32 * TEXT_PX);
                x += g.width;
            }
        }
        page
    }

    /// `digits` in 6 × 12 cells on one line.
    pub fn digits_bitmap(digits: &str) -> Bitmap {
        let (w, h) = builtin::DIGIT_CELL;
        let n = digits.chars().count().max(1) as u32;
        let mut page = Bitmap::new(w * n, h);
        for (i, c) in digits.chars().enumerate() {
            page.blit(&builtin::digit(c), i as u32 * w, 0);
        }
        page
    }

    /// All four images.
    pub fn render(&self, text: &FaceText<'_>) -> FaceImages {
        let bitmaps = [
            self.text_bitmap(text.name),
            self.text_bitmap(text.address),
            Self::digits_bitmap(text.security_code),
            Self::digits_bitmap(text.my_number),
        ];
        let [name, address, security_code, my_number] =
            bitmaps.map(|b| Arc::from(png::encode_gray1(&b)));
        FaceImages {
            name,
            address,
            security_code,
            my_number,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text<'a>(name: &'a str, address: &'a str) -> FaceText<'a> {
        FaceText {
            name,
            address,
            security_code: "4821",
            my_number: "123456789018",
        }
    }

    #[test]
    fn sizes_follow_the_cells() {
        let r = FaceRenderer::builtin();
        let img = r.render(&text("𠮷", "東京都"));
        let h = |p: &[u8]| png::header(p).map(|h| (h.width, h.height, h.bit_depth, h.color_type));
        assert_eq!(h(&img.name), Some((24, 24, 1, 0)));
        assert_eq!(h(&img.address), Some((72, 24, 1, 0)));
        assert_eq!(h(&img.security_code), Some((24, 12, 1, 0)));
        assert_eq!(h(&img.my_number), Some((72, 12, 1, 0)));
    }

    #[test]
    fn deterministic_and_personal() {
        let r = FaceRenderer::builtin();
        let a = r.render(&text("𠮷", "1"));
        assert_eq!(a, FaceRenderer::builtin().render(&text("𠮷", "1")));
        assert_ne!(a.name, r.render(&text("𠮷𠮷", "1")).name);
        assert!(!format!("{a:?}").contains("my_number: 1"));
    }

    #[test]
    fn gaiji_is_drawn_from_the_table_not_as_a_box() {
        let r = FaceRenderer::builtin();
        assert_eq!(r.glyph('\u{20BB7}').1, GlyphSource::Gaiji);
        let name = png::decode_gray1(&r.render(&text("𠮷", "x")).name).unwrap();
        assert_eq!(name, builtin::gaiji('\u{20BB7}', TEXT_PX).unwrap());
        assert_ne!(name, builtin::missing_box(TEXT_PX, TEXT_PX));
        assert_eq!(r.uncovered("𠮷田"), vec!['田']);
    }

    #[test]
    fn long_text_wraps() {
        let r = FaceRenderer::builtin();
        let b = r.text_bitmap(&"あ".repeat(45));
        assert_eq!((b.width, b.height), (LINE_MAX_PX, 3 * TEXT_PX));
        assert_eq!(r.text_bitmap("").height, TEXT_PX);
    }

    #[test]
    fn security_code_digits_are_the_digit_cells() {
        let b = FaceRenderer::digits_bitmap("4821");
        assert_eq!(b.crop(6, 0, 6, 12), builtin::digit('8'));
        assert_ne!(b.crop(0, 0, 6, 12), b.crop(6, 0, 6, 12));
    }
}
