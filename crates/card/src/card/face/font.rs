//! An outline font (TrueType / OpenType) turned into 1-bit glyph cells.
//!
//! The bytes come from outside — the shell reads the font file (IPAGothic by default) and
//! hands them in — so this module does no I/O.

use std::sync::Arc;

use ab_glyph_rasterizer::{Rasterizer, point};

use super::bitmap::Bitmap;

/// Coverage from which a pixel counts as ink.
const INK_THRESHOLD: f32 = 0.5;

/// A font file that was read and checked.
#[derive(Clone)]
pub struct FaceFont {
    data: Arc<[u8]>,
    origin: String,
    units_per_em: f32,
    ascender: f32,
    descender: f32,
}

/// A font that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("font {origin}: {reason}")]
pub struct FaceFontError {
    /// Where the bytes came from (a path).
    pub origin: String,
    /// What is wrong.
    pub reason: String,
}

impl std::fmt::Debug for FaceFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FaceFont({}, {} bytes)", self.origin, self.data.len())
    }
}

impl FaceFont {
    /// Checks that `data` is a font with outlines and a Unicode character map; `origin`
    /// names it in errors (a path).
    pub fn from_bytes(
        data: impl Into<Arc<[u8]>>,
        origin: impl Into<String>,
    ) -> Result<Self, FaceFontError> {
        let data = data.into();
        let origin = origin.into();
        let err = |reason: String| FaceFontError {
            origin: origin.clone(),
            reason,
        };
        let face = ttf_parser::Face::parse(&data, 0)
            .map_err(|e| err(format!("not a usable font: {e}")))?;
        if face.glyph_index('あ').is_none() {
            return Err(err("has no Japanese glyphs (no あ)".into()));
        }
        let units_per_em = f32::from(face.units_per_em());
        let ascender = f32::from(face.ascender());
        let descender = f32::from(face.descender());
        if units_per_em <= 0.0 || ascender - descender <= 0.0 {
            return Err(err("has no usable metrics".into()));
        }
        Ok(Self {
            data,
            origin,
            units_per_em,
            ascender,
            descender,
        })
    }

    /// Where the font came from.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The glyph of `c` in a cell `px` high and as wide as its advance (full-width
    /// characters `px`, half-width `px / 2`), baseline where the font's ascender and
    /// descender put it. `None` when the font does not have the character.
    pub fn glyph(&self, c: char, px: u32) -> Option<Bitmap> {
        let face = ttf_parser::Face::parse(&self.data, 0).ok()?;
        let id = face.glyph_index(c).filter(|id| id.0 != 0)?;
        let scale = px as f32 / self.units_per_em;
        let advance = face
            .glyph_hor_advance(id)
            .map_or(px, |a| (f32::from(a) * scale).round() as u32)
            .clamp(1, 2 * px);
        let baseline = (px as f32 * self.ascender / (self.ascender - self.descender)).round();
        // Draw on a canvas with a margin all round: the rasterizer accumulates along rows,
        // so an outline that left the canvas sideways would smear into the next row.
        let pad = px as f32;
        let (cw, ch) = (advance as usize + 2 * px as usize, 3 * px as usize);
        let mut sink = Outline {
            r: Rasterizer::new(cw, ch),
            scale,
            dx: pad,
            dy: pad + baseline,
            start: point(0.0, 0.0),
            last: point(0.0, 0.0),
        };
        let mut cell = Bitmap::new(advance, px);
        if face.outline_glyph(id, &mut sink).is_none() {
            return Some(cell); // a space: a glyph with no outline
        }
        sink.r.for_each_pixel_2d(|x, y, alpha| {
            if alpha >= INK_THRESHOLD {
                let (x, y) = (x as i64 - px as i64, y as i64 - px as i64);
                if x >= 0 && y >= 0 {
                    cell.set(x as u32, y as u32, true);
                }
            }
        });
        Some(cell)
    }
}

/// Feeds font outlines (y up, font units) to the rasterizer (y down, pixels).
struct Outline {
    r: Rasterizer,
    scale: f32,
    dx: f32,
    dy: f32,
    start: ab_glyph_rasterizer::Point,
    last: ab_glyph_rasterizer::Point,
}

impl Outline {
    fn at(&self, x: f32, y: f32) -> ab_glyph_rasterizer::Point {
        point(self.dx + x * self.scale, self.dy - y * self.scale)
    }
}

impl ttf_parser::OutlineBuilder for Outline {
    fn move_to(&mut self, x: f32, y: f32) {
        self.start = self.at(x, y);
        self.last = self.start;
    }

    fn line_to(&mut self, x: f32, y: f32) {
        let p = self.at(x, y);
        self.r.draw_line(self.last, p);
        self.last = p;
    }

    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let (c, p) = (self.at(x1, y1), self.at(x, y));
        self.r.draw_quad(self.last, c, p);
        self.last = p;
    }

    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let (c1, c2, p) = (self.at(x1, y1), self.at(x2, y2), self.at(x, y));
        self.r.draw_cubic(self.last, c1, c2, p);
        self.last = p;
    }

    fn close(&mut self) {
        if self.last != self.start {
            self.r.draw_line(self.last, self.start);
        }
        self.last = self.start;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_what_is_not_a_font() {
        let e = FaceFont::from_bytes(&b"hello"[..], "/x/y.ttf").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("font /x/y.ttf: not a usable font"),
            "{e}"
        );
    }
}
