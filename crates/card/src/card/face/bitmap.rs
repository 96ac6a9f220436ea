//! A 1-bit image: ink or paper per pixel.

/// A bitmap of `width × height` pixels, `true` = ink (black).
#[derive(Clone, PartialEq, Eq)]
pub struct Bitmap {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    ink: Vec<bool>,
}

impl Bitmap {
    /// A blank (all paper) bitmap.
    pub fn new(width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            ink: vec![false; width as usize * height as usize],
        }
    }

    /// A bitmap from rows of text art: `#` is ink, anything else paper. Rows shorter than
    /// the widest are padded with paper.
    pub fn from_art(rows: &[&str]) -> Self {
        let width = rows.iter().map(|r| r.chars().count()).max().unwrap_or(0);
        let mut b = Self::new(width as u32, rows.len() as u32);
        for (y, row) in rows.iter().enumerate() {
            for (x, c) in row.chars().enumerate() {
                b.set(x as u32, y as u32, c == '#');
            }
        }
        b
    }

    /// Whether `(x, y)` is ink; outside the bitmap is paper.
    pub fn ink(&self, x: u32, y: u32) -> bool {
        x < self.width && y < self.height && self.ink[(y * self.width + x) as usize]
    }

    /// Sets `(x, y)`; outside the bitmap is ignored.
    pub fn set(&mut self, x: u32, y: u32, ink: bool) {
        if x < self.width && y < self.height {
            self.ink[(y * self.width + x) as usize] = ink;
        }
    }

    /// Copies `src` with its top-left corner at `(x, y)`, ink over paper, clipped.
    pub fn blit(&mut self, src: &Bitmap, x: u32, y: u32) {
        for sy in 0..src.height {
            for sx in 0..src.width {
                if src.ink(sx, sy) {
                    self.set(x + sx, y + sy, true);
                }
            }
        }
    }

    /// The `w × h` region at `(x, y)` as a bitmap of its own.
    pub fn crop(&self, x: u32, y: u32, w: u32, h: u32) -> Bitmap {
        let mut out = Bitmap::new(w, h);
        for cy in 0..h {
            for cx in 0..w {
                out.set(cx, cy, self.ink(x + cx, y + cy));
            }
        }
        out
    }

    /// How many pixels are ink.
    pub fn ink_count(&self) -> usize {
        self.ink.iter().filter(|i| **i).count()
    }

    /// The rows as text art (`#` ink, `.` paper), for tests and debugging.
    pub fn to_art(&self) -> String {
        let mut s = String::with_capacity((self.width as usize + 1) * self.height as usize);
        for y in 0..self.height {
            for x in 0..self.width {
                s.push(if self.ink(x, y) { '#' } else { '.' });
            }
            s.push('\n');
        }
        s
    }
}

impl std::fmt::Debug for Bitmap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Bitmap {}×{}, {} ink",
            self.width,
            self.height,
            self.ink_count()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn art_blit_crop() {
        let g = Bitmap::from_art(&["#.", ".#"]);
        let mut page = Bitmap::new(4, 3);
        page.blit(&g, 2, 1);
        assert!(page.ink(2, 1) && page.ink(3, 2) && !page.ink(3, 1));
        assert_eq!(page.crop(2, 1, 2, 2), g);
        page.blit(&g, 3, 0); // partly outside: clipped, no panic
        assert_eq!(page.ink_count(), 3);
        assert_eq!(g.to_art(), "#.\n.#\n");
    }
}
