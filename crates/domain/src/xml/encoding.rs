//! Character encodings: choosing one from the XML declaration, decoding to UTF-8, and
//! writing Shift_JIS with ● for characters it cannot carry.
//!
//! **Shift_JIS repertoire.** We write the JIS X 0208 repertoire only: ASCII, JIS X 0201
//! half-width katakana and the JIS X 0208 rows (lead bytes `81`–`84`, `88`–`9F`,
//! `E0`–`EA`), each character checked to come back unchanged through
//! `encoding_rs::SHIFT_JIS`. Everything else becomes ● (U+25CF, `81 9C`): characters
//! outside the BMP (𠮷 U+20BB7), the NEC row 13 and IBM extensions that Windows-31J adds
//! (髙 U+9AD9 is IBM `FB FC`; ① Ⅰ ㈱), user-defined characters, and characters
//! `encoding_rs` maps one way only (¥ U+00A5, 〜 U+301C, − U+2212). Reading accepts all
//! of Windows-31J, as `encoding_rs` decodes it.

use std::borrow::Cow;
use std::sync::OnceLock;

use encoding_rs::{DecoderResult, Encoding, SHIFT_JIS, UTF_8};

use super::{XmlError, XmlErrorKind};
use crate::codes::CharacterEncoding;

/// The replacement for characters an encoding cannot carry: ● U+25CF BLACK CIRCLE.
pub const REPLACEMENT: char = '\u{25CF}';

/// `●` in Shift_JIS.
const REPLACEMENT_SJIS: [u8; 2] = [0x81, 0x9C];

/// Length of the prefix searched for the XML declaration's end.
const DECLARATION_SCAN: usize = 512;

/// Returns whether `c` survives a trip through our Shift_JIS writer (see the module
/// documentation for the repertoire).
pub fn is_shift_jis_safe(c: char) -> bool {
    shift_jis_code(c).is_some()
}

/// The Shift_JIS code of a safe character: one byte (`< 0x100`) or lead/trail.
fn shift_jis_code(c: char) -> Option<u16> {
    let cp = c as u32;
    if cp < 0x80 {
        return Some(cp as u16);
    }
    let code = *table().get(usize::try_from(cp).ok()?)?;
    (code != 0).then_some(code)
}

/// Replaces every character that Shift_JIS (JIS X 0208) cannot carry with ● and says
/// whether anything was replaced. The reference backend and the oracle use this to
/// predict what a Shift_JIS result shows (FAQ-4-6).
pub fn shift_jis_safe(text: &str) -> (String, bool) {
    let mut replaced = false;
    let out = text
        .chars()
        .map(|c| {
            if is_shift_jis_safe(c) {
                c
            } else {
                replaced = true;
                REPLACEMENT
            }
        })
        .collect();
    (out, replaced)
}

/// BMP code point → Shift_JIS code (0 = not safe), built once from
/// `encoding_rs::SHIFT_JIS` by decoding every JIS X 0208 position in ascending order
/// (the first position of a character wins, as in the WHATWG encoder). 128 KiB.
fn table() -> &'static [u16] {
    static TABLE: OnceLock<Vec<u16>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = vec![0u16; 0x1_0000];
        for b in 0xA1u8..=0xDF {
            // JIS X 0201 half-width katakana, single bytes.
            if let Some(s) = SHIFT_JIS.decode_without_bom_handling_and_without_replacement(&[b])
                && let Some(c) = single_char(&s)
            {
                t[c as usize] = u16::from(b);
            }
        }
        let leads = (0x81u8..=0x84).chain(0x88..=0x9F).chain(0xE0..=0xEA);
        for lead in leads {
            for trail in (0x40u8..=0x7E).chain(0x80..=0xFC) {
                let pair = [lead, trail];
                let Some(s) = SHIFT_JIS.decode_without_bom_handling_and_without_replacement(&pair)
                else {
                    continue;
                };
                if let Some(c) = single_char(&s)
                    && (c as u32) >= 0x80
                    && (c as u32) <= 0xFFFF
                    && t[c as usize] == 0
                {
                    t[c as usize] = u16::from_be_bytes(pair);
                }
            }
        }
        t
    })
}

fn single_char(s: &str) -> Option<char> {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

/// Appends `text` to `out` as Shift_JIS, character by character, writing ● for every
/// unsafe character (never a numeric character reference). Returns whether anything
/// was replaced.
pub(crate) fn encode_shift_jis(text: &str, out: &mut Vec<u8>) -> bool {
    out.reserve(text.len());
    let mut replaced = false;
    for c in text.chars() {
        match shift_jis_code(c) {
            Some(code) if code < 0x100 => out.push(code as u8),
            Some(code) => out.extend_from_slice(&code.to_be_bytes()),
            None => {
                out.extend_from_slice(&REPLACEMENT_SJIS);
                replaced = true;
            }
        }
    }
    replaced
}

/// Finds the encoding of a document: a UTF-8 BOM wins, then the `encoding` of the
/// XML declaration; no declaration (or none naming an encoding) means UTF-8.
///
/// Returns the encoding and the number of BOM bytes to skip.
pub fn detect_encoding(bytes: &[u8]) -> Result<(CharacterEncoding, usize), XmlError> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Ok((CharacterEncoding::Utf8, 3));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(unsupported("UTF-16"));
    }
    let Some(label) = declared_label(bytes) else {
        return Ok((CharacterEncoding::Utf8, 0));
    };
    match Encoding::for_label(label) {
        Some(e) if e == UTF_8 => Ok((CharacterEncoding::Utf8, 0)),
        Some(e) if e == SHIFT_JIS => Ok((CharacterEncoding::ShiftJis, 0)),
        _ => Err(unsupported(&String::from_utf8_lossy(label))),
    }
}

fn unsupported(label: &str) -> XmlError {
    XmlError::document(XmlErrorKind::UnsupportedEncoding(label.to_owned()), Some(1))
}

/// The `encoding="…"` value of a leading XML declaration, if any.
fn declared_label(bytes: &[u8]) -> Option<&[u8]> {
    let head = bytes.strip_prefix(b"<?xml")?;
    let head = &head[..head.len().min(DECLARATION_SCAN)];
    let end = head.windows(2).position(|w| w == b"?>")?;
    let decl = &head[..end];
    let at = decl.windows(8).position(|w| w == b"encoding")?;
    let rest = trim_ascii_start(&decl[at + 8..]);
    let rest = trim_ascii_start(rest.strip_prefix(b"=")?);
    let quote = *rest.first()?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let value = &rest[1..];
    let close = value.iter().position(|&b| b == quote)?;
    Some(&value[..close])
}

fn trim_ascii_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

/// Decodes a whole document to UTF-8 (borrowing when it already is UTF-8).
pub(crate) fn decode_document(bytes: &[u8]) -> Result<(Cow<'_, str>, CharacterEncoding), XmlError> {
    let (encoding, bom) = detect_encoding(bytes)?;
    let body = &bytes[bom..];
    match encoding {
        CharacterEncoding::Utf8 => match std::str::from_utf8(body) {
            Ok(s) => Ok((Cow::Borrowed(s), encoding)),
            Err(e) => {
                let good = &body[..e.valid_up_to()];
                let line = line_of(good.iter().filter(|&&b| b == b'\n').count());
                Err(XmlError::document(
                    XmlErrorKind::Undecodable {
                        encoding: "UTF-8",
                        offset: bom + e.valid_up_to(),
                    },
                    Some(line),
                ))
            }
        },
        CharacterEncoding::ShiftJis => {
            let mut decoder = SHIFT_JIS.new_decoder_without_bom_handling();
            let capacity = decoder
                .max_utf8_buffer_length_without_replacement(body.len())
                .unwrap_or(usize::MAX / 2);
            let mut out = String::with_capacity(capacity.min(body.len() * 3 + 16));
            let (result, read) = decoder.decode_to_string_without_replacement(body, &mut out, true);
            match result {
                DecoderResult::InputEmpty => Ok((Cow::Owned(out), encoding)),
                DecoderResult::Malformed(bad, extra) => {
                    let offset = read.saturating_sub(usize::from(bad) + usize::from(extra));
                    let line = line_of(out.bytes().filter(|&b| b == b'\n').count());
                    Err(XmlError::document(
                        XmlErrorKind::Undecodable {
                            encoding: "Shift_JIS",
                            offset,
                        },
                        Some(line),
                    ))
                }
                DecoderResult::OutputFull => Err(XmlError::document(
                    XmlErrorKind::Undecodable {
                        encoding: "Shift_JIS",
                        offset: read,
                    },
                    None,
                )),
            }
        }
    }
}

fn line_of(newlines: usize) -> u32 {
    u32::try_from(newlines).unwrap_or(u32::MAX - 1) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jis_x_0208_is_safe_and_extensions_are_not() {
        for c in "山田太郎ｱｲｳ漢字カナ、。「」ー－～Ａ１髪高橋吉".chars()
        {
            assert!(is_shift_jis_safe(c), "{c} U+{:04X}", c as u32);
        }
        // 髙 is in Windows-31J (IBM FB FC) but not in JIS X 0208; 𠮷 is not in the BMP.
        let (bytes, _, errors) = SHIFT_JIS.encode("髙");
        assert!(
            !errors && bytes.as_ref() == [0xFB, 0xFC],
            "encoding_rs maps 髙 to FBFC"
        );
        for c in ['髙', '𠮷', '①', 'Ⅰ', '㈱', '¥', '〜', '−', '\u{E000}', '😀'] {
            assert!(!is_shift_jis_safe(c), "{c} U+{:04X}", c as u32);
        }
    }

    #[test]
    fn table_agrees_with_encoding_rs_both_ways() {
        let mut safe = 0;
        for c in (0x80u32..=0xFFFF).filter_map(char::from_u32) {
            let Some(code) = shift_jis_code(c) else {
                continue;
            };
            safe += 1;
            let s = c.to_string();
            let (bytes, _, errors) = SHIFT_JIS.encode(&s);
            let ours = if code < 0x100 {
                vec![code as u8]
            } else {
                code.to_be_bytes().to_vec()
            };
            assert!(
                !errors && bytes.as_ref() == ours.as_slice(),
                "U+{:04X}",
                c as u32
            );
            let (back, _, errors) = SHIFT_JIS.decode(&ours);
            assert!(!errors && back == s, "U+{:04X}", c as u32);
        }
        // 6879 JIS X 0208 characters + 63 half-width katakana.
        assert_eq!(safe, 6879 + 63);
    }

    #[test]
    fn replacement_is_per_character() {
        assert_eq!(shift_jis_safe("髙橋 𠮷男"), ("●橋 ●男".to_owned(), true));
        assert_eq!(shift_jis_safe("山田 太郎"), ("山田 太郎".to_owned(), false));
        let mut out = Vec::new();
        assert!(encode_shift_jis("a髙b𠮷", &mut out));
        assert_eq!(out, [b'a', 0x81, 0x9C, b'b', 0x81, 0x9C]);
        let (back, _, _) = SHIFT_JIS.decode(&out);
        assert_eq!(back, "a●b●");
    }

    #[test]
    fn encoding_comes_from_bom_or_declaration() {
        let sjis = br#"<?xml version="1.0" encoding="Shift_JIS" standalone="no"?><a/>"#;
        assert_eq!(
            detect_encoding(sjis).unwrap(),
            (CharacterEncoding::ShiftJis, 0)
        );
        let single = b"<?xml version='1.0' encoding = 'windows-31j'?><a/>";
        assert_eq!(
            detect_encoding(single).unwrap().0,
            CharacterEncoding::ShiftJis
        );
        let utf8 = br#"<?xml version="1.0" encoding="UTF-8"?><a/>"#;
        assert_eq!(detect_encoding(utf8).unwrap().0, CharacterEncoding::Utf8);
        assert_eq!(detect_encoding(b"<a/>").unwrap().0, CharacterEncoding::Utf8);
        let bom = b"\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><a/>";
        assert_eq!(detect_encoding(bom).unwrap(), (CharacterEncoding::Utf8, 3));
        let euc = br#"<?xml version="1.0" encoding="EUC-JP"?><a/>"#;
        let err = detect_encoding(euc).unwrap_err();
        assert_eq!(err.kind, XmlErrorKind::UnsupportedEncoding("EUC-JP".into()));
        assert!(detect_encoding(b"\xFF\xFE<\0a\0").is_err());
    }

    #[test]
    fn undecodable_bytes_report_offset_and_line() {
        let bad = b"<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>\n<a>\x81</a>";
        let err = decode_document(bad).unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(
            matches!(err.kind, XmlErrorKind::Undecodable { offset: 46, .. }),
            "{err}"
        );
        let bad = b"<a>\n\n\xC3\x28</a>";
        let err = decode_document(bad).unwrap_err();
        assert_eq!(err.line, Some(3));
    }
}
