//! The card-face images of the 券面確認AP: 氏名画像, 住所画像, the セキュリティコード image and
//! the 個人番号 image, as the real card stores them — 1-bit greyscale PNG.
//!
//! - [`render`]: [`FaceRenderer`] lays text out and encodes [`FaceImages`].
//! - [`font`]: an outline font handed in by the shell (no I/O here).
//! - [`builtin`]: onshi's own glyphs — 6 × 12 digits, 外字 (𠮷), the ⊠ fallback.
//! - [`bitmap`], [`png`]: the 1-bit image and its PNG encoding.

pub mod bitmap;
pub mod builtin;
pub mod font;
pub mod png;
pub mod render;

pub use bitmap::Bitmap;
pub use font::{FaceFont, FaceFontError};
pub use render::{FaceImages, FaceRenderer, FaceText, GlyphSource, LINE_MAX_PX, TEXT_PX};
