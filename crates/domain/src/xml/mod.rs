//! XML codec of the external interface: every message of [`crate::message`] to and
//! from the `XmlMsg` documents, in UTF-8 or Shift_JIS.
//!
//! ```
//! use onshi_domain::codes::CharacterEncoding;
//! use onshi_domain::message::QualificationRequest;
//! use onshi_domain::xml::{decode, encode};
//! # fn demo(req: &QualificationRequest) -> Result<(), onshi_domain::xml::XmlError> {
//! let bytes = encode(req, CharacterEncoding::ShiftJis);
//! let back: QualificationRequest = decode(&bytes)?;
//! # Ok(()) }
//! ```
//!
//! Reading decides the encoding from a UTF-8 BOM or the XML declaration, ignores
//! unknown elements (vendors add their own), treats empty elements as absent, and
//! reports the first problem as an [`XmlError`] with the element path and line.

mod bulk;
mod dom;
mod encoding;
mod error;
pub mod filename;
mod groups;
mod request;
mod response;
mod result;
mod text;
mod writer;

pub use dom::{Element, MAX_DEPTH, MAX_ELEMENTS};
pub use encoding::{REPLACEMENT, detect_encoding, is_shift_jis_safe, shift_jis_safe};
pub use error::{XmlError, XmlErrorKind};
pub use filename::{FileNameError, MessageKind, OqsFileName, mirror_response_name};
pub use writer::XmlWriter;

use crate::codes::{CharacterEncoding, CodeError};
use dom::Document;

/// The root element of every message.
pub const ROOT: &str = "XmlMsg";

/// Default size limit for one single-person message (1 MiB).
pub const MAX_MESSAGE_BYTES: usize = 1 << 20;

/// Default size limit for bulk messages (64 MiB: thousands of persons).
pub const MAX_BULK_MESSAGE_BYTES: usize = 64 << 20;

/// A message with an XML form.
///
/// The two methods are the codec's hooks; use [`encode`] and [`decode`] instead of
/// calling them.
pub trait XmlMessage: Sized {
    /// Which message this is (file-name prefix).
    const KIND: MessageKind;
    /// The size limit [`decode`] applies.
    const MAX_BYTES: usize = MAX_MESSAGE_BYTES;

    /// Writes `MessageHeader` and `MessageBody` inside `XmlMsg`.
    fn write_xml(&self, out: &mut XmlWriter);

    /// Reads the message from the `XmlMsg` element.
    fn read_xml(root: Element<'_, '_>) -> Result<Self, XmlError>;
}

/// Encodes a message as a complete document in `encoding`.
///
/// `CharacterCodeIdentifier` (where the message has one) is written from `encoding`
/// (`1` UTF-8, `2` Shift_JIS), not from the message field. In Shift_JIS, characters
/// outside JIS X 0208 are written as ● (see [`shift_jis_safe`]).
pub fn encode<M: XmlMessage>(message: &M, encoding: CharacterEncoding) -> Vec<u8> {
    let mut out = Vec::new();
    encode_into(message, encoding, &mut out);
    out
}

/// Like [`encode`], reusing `out` (cleared first) to spare allocations in hot loops.
pub fn encode_into<M: XmlMessage>(message: &M, encoding: CharacterEncoding, out: &mut Vec<u8>) {
    let buf = std::mem::take(out);
    let mut w = XmlWriter::new(encoding, buf);
    w.block(ROOT, |w| message.write_xml(w));
    let utf8 = w.finish();
    *out = match encoding {
        CharacterEncoding::Utf8 => utf8,
        CharacterEncoding::ShiftJis => {
            let text = String::from_utf8(utf8)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
            let mut sjis = Vec::with_capacity(text.len());
            encoding::encode_shift_jis(&text, &mut sjis);
            sjis
        }
    };
}

/// Decodes a message, with the type's default size limit ([`XmlMessage::MAX_BYTES`]).
pub fn decode<M: XmlMessage>(bytes: &[u8]) -> Result<M, XmlError> {
    decode_with_limit(bytes, M::MAX_BYTES)
}

/// Decodes a message, refusing inputs larger than `max_bytes`.
pub fn decode_with_limit<M: XmlMessage>(bytes: &[u8], max_bytes: usize) -> Result<M, XmlError> {
    if bytes.len() > max_bytes {
        return Err(XmlError::document(
            XmlErrorKind::TooLarge {
                size: bytes.len(),
                max: max_bytes,
            },
            None,
        ));
    }
    let (text, declared) = encoding::decode_document(bytes)?;
    let doc = Document::parse(&text, declared)?;
    let root = doc.root();
    if root.name() != ROOT {
        return Err(root.error(XmlErrorKind::WrongRoot {
            found: root.name().to_owned(),
        }));
    }
    M::read_xml(root)
}

/// Reads `CharacterCodeIdentifier`: `0` = UTF-8 and `2` = Shift_JIS in either table;
/// `1` is UTF-8 in the table we write and Shift_JIS in the older one, so the document's
/// declared encoding decides.
pub(crate) fn read_character_code(
    el: Element<'_, '_>,
) -> Result<Option<CharacterEncoding>, XmlError> {
    let text = el.text().trim();
    match text {
        "" => Ok(None),
        "0" => Ok(Some(CharacterEncoding::Utf8)),
        "2" => Ok(Some(CharacterEncoding::ShiftJis)),
        "1" => Ok(Some(el.declared_encoding())),
        _ => Err(el.error(XmlErrorKind::InvalidCode(CodeError {
            field: CharacterEncoding::FIELD,
            value: el.text().to_owned(),
            reason: "not in the code table",
        }))),
    }
}

/// Writes `CharacterCodeIdentifier` for the encoding actually used.
pub(crate) fn write_character_code(out: &mut XmlWriter) {
    let encoding = out.encoding();
    out.leaf(CharacterEncoding::FIELD, &encoding);
}
