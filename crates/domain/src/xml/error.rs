//! The codec's error: what went wrong, and where.

use crate::codes::CodeError;

/// A message that could not be read.
///
/// `path` is the element path from the root, XPath-like, with a 1-based index on
/// elements that repeat (`XmlMsg/MessageBody/ResultList/ResultOfQualificationConfirmation[2]/Birthdate`);
/// it is empty for problems with the document as a whole (size, encoding, syntax
/// before the root).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}: {kind}", path_or_document(.path), line_suffix(*.line))]
pub struct XmlError {
    /// Element path, empty for document-level problems.
    pub path: String,
    /// 1-based line number, when known.
    pub line: Option<u32>,
    /// What is wrong.
    #[source]
    pub kind: XmlErrorKind,
}

impl XmlError {
    /// A document-level error (no element path).
    pub(crate) fn document(kind: XmlErrorKind, line: Option<u32>) -> Self {
        Self {
            path: String::new(),
            line,
            kind,
        }
    }
}

fn path_or_document(path: &str) -> &str {
    if path.is_empty() { "document" } else { path }
}

fn line_suffix(line: Option<u32>) -> String {
    line.map(|l| format!(" (line {l})")).unwrap_or_default()
}

/// The reason of an [`XmlError`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlErrorKind {
    /// The input is larger than the allowed maximum.
    #[error("input is {size} bytes, over the limit of {max}")]
    TooLarge {
        /// Input size in bytes.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// The XML declaration (or a BOM) names an encoding other than UTF-8 or Shift_JIS.
    #[error("unsupported encoding {0:?} (only UTF-8 and Shift_JIS are read)")]
    UnsupportedEncoding(String),
    /// Bytes that are not valid in the declared encoding.
    #[error("bytes at offset {offset} are not valid {encoding}")]
    Undecodable {
        /// The encoding the bytes were read as.
        encoding: &'static str,
        /// Byte offset of the first bad byte.
        offset: usize,
    },
    /// Not well-formed XML (the reason comes from the XML parser).
    #[error("malformed XML: {0}")]
    Malformed(String),
    /// Elements nested deeper than the codec allows.
    #[error("elements nested deeper than {max}")]
    TooDeep {
        /// The maximum depth.
        max: usize,
    },
    /// More elements than the codec builds a tree for.
    #[error("more than {max} elements")]
    TooManyElements {
        /// The maximum element count.
        max: usize,
    },
    /// The root element is not `XmlMsg`.
    #[error("root element is <{found}>, expected <XmlMsg>")]
    WrongRoot {
        /// The root element found.
        found: String,
    },
    /// A required element is absent or empty.
    #[error("required element is missing or empty")]
    Missing,
    /// A code value outside its table (or a malformed insurer number, ratio, …).
    #[error(transparent)]
    InvalidCode(#[from] CodeError),
    /// A date or date-time that does not parse or does not exist.
    #[error("invalid date {value:?} (expected {expected})")]
    InvalidDate {
        /// The text found.
        value: String,
        /// The expected layout (`yyyyMMdd` or `yyyyMMddHHmmss`).
        expected: &'static str,
    },
    /// A count or amount that is not a non-negative integer.
    #[error("invalid number {value:?} (expected decimal digits)")]
    InvalidNumber {
        /// The text found.
        value: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_path_line_and_reason() {
        let e = XmlError {
            path: "XmlMsg/MessageBody/ResultList/ResultOfQualificationConfirmation[2]/Birthdate"
                .into(),
            line: Some(42),
            kind: XmlErrorKind::InvalidDate {
                value: "20241301".into(),
                expected: "yyyyMMdd",
            },
        };
        assert_eq!(
            e.to_string(),
            "XmlMsg/MessageBody/ResultList/ResultOfQualificationConfirmation[2]/Birthdate \
             (line 42): invalid date \"20241301\" (expected yyyyMMdd)"
        );
        let d = XmlError::document(XmlErrorKind::TooLarge { size: 9, max: 8 }, None);
        assert_eq!(
            d.to_string(),
            "document: input is 9 bytes, over the limit of 8"
        );
    }
}
