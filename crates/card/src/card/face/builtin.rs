//! Glyphs onshi carries itself, so they never depend on an installed font:
//!
//! - the half-width digits of the security-code and 個人番号 images, 6 × 12 pixels each (the
//!   cell the real card uses: its 4-digit security-code image is 24 × 12 and its 12-digit
//!   個人番号 image 72 × 12, soltia48/myna-card `src/ap/surface.rs`; the drawing is ours);
//! - 外字: characters a municipality registers because no standard font has them. Like a
//!   city hall's own 外字 font, onshi draws them by hand at the text cell size. Today one:
//!   𠮷 (U+20BB7, つちよし — 土 over 口, the upper bar shorter than the lower), which IPAGothic
//!   (JIS X 0213) does not have;
//! - the box drawn for a character nothing covers (⊠, a documented fallback, never blank).

use super::bitmap::Bitmap;

/// Width and height of a digit cell.
pub const DIGIT_CELL: (u32, u32) = (6, 12);

const DIGITS: [[&str; 9]; 10] = [
    [
        ".###.", "#...#", "#...#", "#..##", "#.#.#", "##..#", "#...#", "#...#", ".###.",
    ],
    [
        "..#..", ".##..", "#.#..", "..#..", "..#..", "..#..", "..#..", "..#..", "#####",
    ],
    [
        ".###.", "#...#", "....#", "....#", "...#.", "..#..", ".#...", "#....", "#####",
    ],
    [
        ".###.", "#...#", "....#", "....#", "..##.", "....#", "....#", "#...#", ".###.",
    ],
    [
        "...#.", "..##.", ".#.#.", "#..#.", "#..#.", "#####", "...#.", "...#.", "...#.",
    ],
    [
        "#####", "#....", "#....", "####.", "....#", "....#", "....#", "#...#", ".###.",
    ],
    [
        "..##.", ".#...", "#....", "####.", "#...#", "#...#", "#...#", "#...#", ".###.",
    ],
    [
        "#####", "....#", "...#.", "...#.", "..#..", "..#..", ".#...", ".#...", ".#...",
    ],
    [
        ".###.", "#...#", "#...#", "#...#", ".###.", "#...#", "#...#", "#...#", ".###.",
    ],
    [
        ".###.", "#...#", "#...#", "#...#", ".####", "....#", "....#", "...#.", ".##..",
    ],
];

/// The 6 × 12 cell of an ASCII digit (glyph in rows 1–9, columns 0–4), or the missing box
/// for anything else.
pub fn digit(c: char) -> Bitmap {
    let (w, h) = DIGIT_CELL;
    let Some(d) = c.to_digit(10) else {
        return missing_box(w, h);
    };
    let mut cell = Bitmap::new(w, h);
    cell.blit(&Bitmap::from_art(&DIGITS[d as usize]), 0, 1);
    cell
}

/// 𠮷 (U+20BB7) at 24 × 24.
const TSUCHIYOSHI: [&str; 24] = [
    "........................",
    "...........##...........",
    "...........##...........",
    "...........##...........",
    "......############......",
    "......############......",
    "...........##...........",
    "...........##...........",
    "...........##...........",
    "...........##...........",
    "..####################..",
    "..####################..",
    "........................",
    "........................",
    ".....##############.....",
    ".....##############.....",
    ".....##..........##.....",
    ".....##..........##.....",
    ".....##..........##.....",
    ".....##..........##.....",
    ".....##..........##.....",
    ".....##############.....",
    ".....##############.....",
    "........................",
];

/// The 外字 onshi draws itself, at `px` × `px` (only the text cell size, 24, is drawn).
pub fn gaiji(c: char, px: u32) -> Option<Bitmap> {
    match (c, px) {
        ('\u{20BB7}', 24) => Some(Bitmap::from_art(&TSUCHIYOSHI)),
        _ => None,
    }
}

/// The code points [`gaiji`] draws.
pub const GAIJI: [char; 1] = ['\u{20BB7}'];

/// ⊠: a one-pixel frame with both diagonals, for a character no glyph source covers.
pub fn missing_box(w: u32, h: u32) -> Bitmap {
    let mut b = Bitmap::new(w, h);
    if w < 3 || h < 3 {
        return b;
    }
    let (x0, y0, x1, y1) = (1, 1, w - 2, h - 2);
    for x in x0..=x1 {
        b.set(x, y0, true);
        b.set(x, y1, true);
    }
    for y in y0..=y1 {
        b.set(x0, y, true);
        b.set(x1, y, true);
    }
    let (dw, dh) = (x1 - x0, y1 - y0);
    for i in 0..=dw.max(dh) {
        let x = x0 + i * dw / dw.max(dh).max(1);
        let y = y0 + i * dh / dw.max(dh).max(1);
        b.set(x, y, true);
        b.set(x1 - (x - x0), y, true);
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_distinct_and_fit() {
        let cells: Vec<Bitmap> = ('0'..='9').map(digit).collect();
        for (i, a) in cells.iter().enumerate() {
            assert_eq!((a.width, a.height), DIGIT_CELL);
            assert!(a.ink_count() > 8);
            for b in &cells[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(digit('x'), missing_box(6, 12));
    }

    #[test]
    fn tsuchiyoshi_has_the_short_bar_above_the_long_one() {
        let g = gaiji('\u{20BB7}', 24).unwrap();
        assert_eq!((g.width, g.height), (24, 24));
        let row_ink = |y| (0..24).filter(|x| g.ink(*x, y)).count();
        // 土: upper bar 12 wide, lower bar 20 wide (吉's 士 is the other way round).
        assert!(row_ink(4) < row_ink(10), "{}", g.to_art());
        assert!(gaiji('吉', 24).is_none());
        assert!(gaiji('\u{20BB7}', 12).is_none());
    }
}
