//! Hex helpers for APDUs and traces (upper case, as card people write them).

/// A hex string that did not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid hex at position {position}: {reason}")]
pub struct HexError {
    /// Byte position in the input string.
    pub position: usize,
    /// What was wrong.
    pub reason: &'static str,
}

/// Encodes bytes as upper-case hex without separators.
pub fn encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0x0F)] as char);
    }
    out
}

/// Encodes bytes as upper-case hex with a space between bytes (`00 A4 04 0C`).
pub fn encode_spaced(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&encode(std::slice::from_ref(b)));
    }
    out
}

/// Decodes hex, ignoring ASCII whitespace between digits.
pub fn decode(text: &str) -> Result<Vec<u8>, HexError> {
    let mut out = Vec::with_capacity(text.len() / 2);
    let mut high: Option<u8> = None;
    for (position, c) in text.char_indices() {
        if c.is_ascii_whitespace() {
            continue;
        }
        let v = c.to_digit(16).ok_or(HexError {
            position,
            reason: "not a hex digit",
        })? as u8;
        match high.take() {
            None => high = Some(v),
            Some(h) => out.push(h << 4 | v),
        }
    }
    if high.is_some() {
        return Err(HexError {
            position: text.len(),
            reason: "odd number of digits",
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let bytes = [0x00, 0xA4, 0x04, 0x0C, 0xFF];
        assert_eq!(encode(&bytes), "00A4040CFF");
        assert_eq!(encode_spaced(&bytes), "00 A4 04 0C FF");
        assert_eq!(decode("00 a4 04 0C ff").unwrap(), bytes);
        assert!(decode("0").is_err());
        assert!(decode("0g").is_err());
    }
}
