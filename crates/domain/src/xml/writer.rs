//! The output side: quick-xml's event writer over a `Vec<u8>`, indented by two spaces,
//! with helpers for leaves, optional leaves and blocks.

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::writer::Writer;

use super::text::ToText;
use crate::codes::CharacterEncoding;

/// Builds one document (opaque outside the codec). Always UTF-8 internally; the
/// Shift_JIS bytes are produced from it at the end.
pub struct XmlWriter {
    inner: Writer<Vec<u8>>,
    encoding: CharacterEncoding,
}

impl XmlWriter {
    /// Starts a document for `encoding` (declaration written) in `buf` (cleared).
    pub(crate) fn new(encoding: CharacterEncoding, mut buf: Vec<u8>) -> Self {
        buf.clear();
        let mut inner = Writer::new_with_indent(buf, b' ', 2);
        let label = match encoding {
            CharacterEncoding::Utf8 => "UTF-8",
            CharacterEncoding::ShiftJis => "Shift_JIS",
        };
        emit(
            &mut inner,
            Event::Decl(BytesDecl::new("1.0", Some(label), Some("no"))),
        );
        Self { inner, encoding }
    }

    /// The encoding the document will be written in.
    pub(crate) fn encoding(&self) -> CharacterEncoding {
        self.encoding
    }

    /// Opens `<name>`.
    pub(crate) fn open(&mut self, name: &str) {
        emit(&mut self.inner, Event::Start(BytesStart::new(name)));
    }

    /// Closes `</name>`.
    pub(crate) fn close(&mut self, name: &str) {
        emit(&mut self.inner, Event::End(BytesEnd::new(name)));
    }

    /// `<name>value</name>` (text escaped).
    pub(crate) fn leaf<T: ToText + ?Sized>(&mut self, name: &str, value: &T) {
        value.with_text(|text| {
            self.open(name);
            if !text.is_empty() {
                emit(&mut self.inner, Event::Text(BytesText::new(text)));
            }
            self.close(name);
        });
    }

    /// A leaf when present and non-empty; nothing otherwise.
    pub(crate) fn opt<T: ToText>(&mut self, name: &str, value: &Option<T>) {
        if let Some(v) = value
            && v.with_text(|t| !t.is_empty())
        {
            self.leaf(name, v);
        }
    }

    /// `<name>…</name>` around whatever `body` writes.
    pub(crate) fn block(&mut self, name: &str, body: impl FnOnce(&mut Self)) {
        self.open(name);
        body(self);
        self.close(name);
    }

    /// Ends the document and returns the UTF-8 bytes.
    pub(crate) fn finish(self) -> Vec<u8> {
        let mut out = self.inner.into_inner();
        out.push(b'\n');
        out
    }
}

/// A field written as one leaf: a required value always (as [`XmlWriter::leaf`]), an
/// optional one when present and non-empty (as [`XmlWriter::opt`]).
pub(crate) trait Field {
    fn write_as(&self, out: &mut XmlWriter, name: &str);
}

impl<T: ToText> Field for T {
    fn write_as(&self, out: &mut XmlWriter, name: &str) {
        out.leaf(name, self);
    }
}

impl<T: ToText> Field for Option<T> {
    fn write_as(&self, out: &mut XmlWriter, name: &str) {
        out.opt(name, self);
    }
}

/// Writes one event; writing into a `Vec<u8>` cannot fail.
fn emit(w: &mut Writer<Vec<u8>>, event: Event<'_>) {
    if let Err(e) = w.write_event(event) {
        debug_assert!(false, "writing to a Vec failed: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_declaration_indentation_and_escapes() {
        let mut w = XmlWriter::new(CharacterEncoding::ShiftJis, Vec::new());
        w.block("XmlMsg", |w| {
            w.leaf("A", &"x<&>y".to_owned());
            w.opt::<String>("B", &None);
            w.opt("C", &Some(String::new()));
            w.opt("D", &Some(7u32));
        });
        let s = String::from_utf8(w.finish()).unwrap();
        assert_eq!(
            s,
            "<?xml version=\"1.0\" encoding=\"Shift_JIS\" standalone=\"no\"?>\n\
             <XmlMsg>\n  <A>x&lt;&amp;&gt;y</A>\n  <D>7</D>\n</XmlMsg>\n"
        );
    }
}
