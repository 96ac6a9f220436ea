//! The card-face font, read from disk at the edge and handed to the pure renderer
//! (`onshi_card::card::face`).
//!
//! Default: IPAGothic from Debian's `fonts-ipafont-gothic` (installed by `scripts/test`).
//! `--face-font PATH` or `$ONSHI_FACE_FONT` name another. Same font file → same image
//! bytes: the images are deterministic for a given font.

use std::path::{Path, PathBuf};

use onshi_card::card::face::{FaceFont, FaceRenderer};

/// Where Debian's `fonts-ipafont-gothic` puts IPAGothic.
pub const DEFAULT_FACE_FONT: &str = "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf";

/// The environment variable naming another font file.
pub const FACE_FONT_ENV: &str = "ONSHI_FACE_FONT";

/// A font file that could not be used.
#[derive(Debug, thiserror::Error)]
#[error(
    "card-face font {}: {reason} (install Debian's fonts-ipafont-gothic, or name a font with --face-font or ${FACE_FONT_ENV})",
    path.display()
)]
pub struct FaceFontLoadError {
    /// The file.
    pub path: PathBuf,
    /// What went wrong.
    pub reason: String,
}

/// The font path to use: `explicit`, else `$ONSHI_FACE_FONT`, else [`DEFAULT_FACE_FONT`].
pub fn font_path(explicit: Option<&Path>) -> PathBuf {
    explicit
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os(FACE_FONT_ENV).map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(DEFAULT_FACE_FONT))
}

/// Reads and checks the font at `path` and returns a renderer that draws with it.
pub fn load(path: &Path) -> Result<FaceRenderer, FaceFontLoadError> {
    let err = |reason: String| FaceFontLoadError {
        path: path.to_path_buf(),
        reason,
    };
    let bytes = std::fs::read(path).map_err(|e| err(e.to_string()))?;
    let font =
        FaceFont::from_bytes(bytes, path.display().to_string()).map_err(|e| err(e.reason))?;
    Ok(FaceRenderer::with_font(font))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_font_names_its_path() {
        let e = load(Path::new("/nonexistent/x.ttf")).unwrap_err();
        let s = e.to_string();
        assert!(s.starts_with("card-face font /nonexistent/x.ttf: "), "{s}");
        assert!(s.contains("fonts-ipafont-gothic"), "{s}");
    }

    #[test]
    fn explicit_path_wins() {
        assert_eq!(
            font_path(Some(Path::new("/a.ttf"))),
            PathBuf::from("/a.ttf")
        );
    }
}
