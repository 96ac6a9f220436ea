//! A small read-only element tree over the decoded document, built with quick-xml's
//! pull reader. Names and text borrow from the input where possible; the tree is an
//! arena of nodes linked by index (no recursion, so deep input cannot overflow the
//! stack). Text is kept only for leaf elements; attributes, comments and processing
//! instructions are ignored.

use std::borrow::Cow;

use quick_xml::XmlVersion;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::reader::Reader;

use super::text::FromText;
use super::{XmlError, XmlErrorKind};
use crate::codes::CharacterEncoding;

/// Maximum element nesting accepted (real messages use at most 6 levels).
pub const MAX_DEPTH: usize = 32;

/// Maximum number of elements in one document (a bulk result of ~15,000 persons);
/// bounds the tree's memory, about 72 bytes per element.
pub const MAX_ELEMENTS: usize = 1_000_000;

const NONE: u32 = u32::MAX;

struct Node<'a> {
    name: Cow<'a, str>,
    text: Cow<'a, str>,
    parent: u32,
    first_child: u32,
    last_child: u32,
    next_sibling: u32,
    /// Byte offset just after the start tag.
    offset: u32,
}

/// A parsed document: the element arena and the encoding it was declared in.
pub(super) struct Document<'a> {
    src: &'a str,
    nodes: Vec<Node<'a>>,
    declared: CharacterEncoding,
}

/// 1-based line of a byte offset (computed only when an error is reported).
fn line_at(src: &str, offset: u64) -> u32 {
    let end = usize::try_from(offset).unwrap_or(usize::MAX).min(src.len());
    let newlines = src.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count();
    u32::try_from(newlines).unwrap_or(u32::MAX - 1) + 1
}

/// Returns `inner` as a slice of `outer` when it points into it (the reader borrows
/// from the input), so names live as long as the input.
fn reborrow<'a>(outer: &'a str, inner: &str) -> Cow<'a, str> {
    let start = (inner.as_ptr() as usize).wrapping_sub(outer.as_ptr() as usize);
    match outer.get(start..start.wrapping_add(inner.len())) {
        Some(s) if s.as_ptr() == inner.as_ptr() => Cow::Borrowed(s),
        _ => Cow::Owned(inner.to_owned()),
    }
}

/// The character a reference (`&#38;`, `&#x26;` or one of the five predefined
/// entities) stands for; `None` for anything else.
fn resolve_reference(r: &BytesRef<'_>) -> Option<char> {
    match r.resolve_char_ref() {
        Ok(Some(c)) => Some(c),
        Ok(None) => match &**r {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "apos" => Some('\''),
            "quot" => Some('"'),
            _ => None,
        },
        Err(_) => None,
    }
}

impl<'a> Document<'a> {
    /// Parses `src` (already decoded to UTF-8).
    pub(crate) fn parse(src: &'a str, declared: CharacterEncoding) -> Result<Self, XmlError> {
        let mut reader = Reader::from_str(src);
        let mut doc = Document {
            src,
            nodes: Vec::with_capacity((src.len() / 48).min(4096) + 4),
            declared,
        };
        let mut stack: Vec<u32> = Vec::with_capacity(8);
        let mut root_closed = false;
        loop {
            let event = match reader.read_event() {
                Ok(e) => e,
                Err(e) => {
                    let line = line_at(src, reader.error_position());
                    let path = stack.last().map(|&i| doc.path(i)).unwrap_or_default();
                    return Err(XmlError {
                        path,
                        line: Some(line),
                        kind: XmlErrorKind::Malformed(e.to_string()),
                    });
                }
            };
            match event {
                Event::Start(_) | Event::Empty(_) if root_closed => {
                    let line = line_at(src, reader.buffer_position());
                    return Err(malformed("a second root element", line));
                }
                Event::Start(e) => {
                    let pos = reader.buffer_position();
                    let idx = doc.open(&e, stack.last().copied(), pos)?;
                    if stack.len() >= MAX_DEPTH {
                        return Err(XmlError {
                            path: doc.path(idx),
                            line: Some(line_at(src, pos)),
                            kind: XmlErrorKind::TooDeep { max: MAX_DEPTH },
                        });
                    }
                    stack.push(idx);
                }
                Event::Empty(e) => {
                    doc.open(&e, stack.last().copied(), reader.buffer_position())?;
                    root_closed |= stack.is_empty();
                }
                Event::End(_) => {
                    stack.pop();
                    root_closed |= stack.is_empty();
                }
                Event::Text(t) => {
                    if let Some(&top) = stack.last() {
                        doc.append_text(top, t.xml_content(XmlVersion::Implicit1_0));
                    }
                }
                Event::CData(t) => {
                    if let Some(&top) = stack.last() {
                        doc.append_text(top, t.into_inner());
                    }
                }
                Event::GeneralRef(r) => {
                    let Some(&top) = stack.last() else { continue };
                    let Some(c) = resolve_reference(&r) else {
                        return Err(XmlError {
                            path: doc.path(top),
                            line: Some(line_at(src, reader.buffer_position())),
                            kind: XmlErrorKind::Malformed(format!("unknown reference &{};", &*r)),
                        });
                    };
                    let mut buf = [0u8; 4];
                    doc.append_text(top, Cow::Owned(c.encode_utf8(&mut buf).to_owned()));
                }
                Event::Eof => break,
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
            }
        }
        doc.check_complete(stack.last().copied(), reader.buffer_position())?;
        Ok(doc)
    }

    /// Adds the element a start (or empty) tag at `pos` opens, under `parent`.
    fn open(&mut self, e: &BytesStart<'_>, parent: Option<u32>, pos: u64) -> Result<u32, XmlError> {
        check_attributes(e, self.src, pos)?;
        self.check_count(self.src, pos)?;
        let name = reborrow(self.src, e.name().as_ref());
        Ok(self.push(name, parent, pos))
    }

    /// At the end of input (`pos`): no element left `open`, and a root was seen.
    fn check_complete(&self, open: Option<u32>, pos: u64) -> Result<(), XmlError> {
        if let Some(open) = open {
            return Err(XmlError {
                path: self.path(open),
                line: Some(line_at(self.src, pos)),
                kind: XmlErrorKind::Malformed("document ends before the element is closed".into()),
            });
        }
        if self.nodes.is_empty() {
            return Err(malformed("no root element", line_at(self.src, pos)));
        }
        Ok(())
    }

    fn check_count(&self, src: &str, pos: u64) -> Result<(), XmlError> {
        if self.nodes.len() >= MAX_ELEMENTS {
            return Err(XmlError::document(
                XmlErrorKind::TooManyElements { max: MAX_ELEMENTS },
                Some(line_at(src, pos)),
            ));
        }
        Ok(())
    }

    fn push(&mut self, name: Cow<'a, str>, parent: Option<u32>, offset: u64) -> u32 {
        // The size limit keeps counts and offsets far below u32::MAX; saturate anyway.
        let idx = u32::try_from(self.nodes.len()).unwrap_or(NONE - 1);
        let parent = parent.unwrap_or(NONE);
        self.nodes.push(Node {
            name,
            text: Cow::Borrowed(""),
            parent,
            first_child: NONE,
            last_child: NONE,
            next_sibling: NONE,
            offset: u32::try_from(offset).unwrap_or(u32::MAX),
        });
        if parent != NONE {
            let p = &mut self.nodes[parent as usize];
            // A container keeps no text (indentation between children).
            p.text = Cow::Borrowed("");
            if p.last_child == NONE {
                p.first_child = idx;
            } else {
                let last = p.last_child as usize;
                self.nodes[last].next_sibling = idx;
            }
            self.nodes[parent as usize].last_child = idx;
        }
        idx
    }

    fn append_text(&mut self, idx: u32, piece: Cow<'a, str>) {
        let node = &mut self.nodes[idx as usize];
        if node.first_child != NONE || piece.is_empty() {
            return;
        }
        if node.text.is_empty() {
            node.text = piece;
        } else {
            node.text.to_mut().push_str(&piece);
        }
    }

    /// The root element.
    pub(crate) fn root(&self) -> Element<'_, 'a> {
        Element { doc: self, idx: 0 }
    }

    /// XPath-like path of a node, with `[n]` on elements that have same-named siblings.
    fn path(&self, idx: u32) -> String {
        let mut chain = Vec::new();
        let mut i = idx;
        while i != NONE {
            chain.push(i);
            i = self.nodes[i as usize].parent;
        }
        let mut out = String::new();
        for &i in chain.iter().rev() {
            if !out.is_empty() {
                out.push('/');
            }
            let node = &self.nodes[i as usize];
            out.push_str(&node.name);
            if let Some((pos, count)) = self.sibling_position(i)
                && count > 1
            {
                out.push_str(&format!("[{pos}]"));
            }
        }
        out
    }

    /// 1-based position among same-named siblings, and their count.
    fn sibling_position(&self, idx: u32) -> Option<(usize, usize)> {
        let node = &self.nodes[idx as usize];
        if node.parent == NONE {
            return None;
        }
        let mut c = self.nodes[node.parent as usize].first_child;
        let (mut pos, mut count) = (0, 0);
        while c != NONE {
            let n = &self.nodes[c as usize];
            if n.name == node.name {
                count += 1;
                if c == idx {
                    pos = count;
                }
            }
            c = n.next_sibling;
        }
        Some((pos, count))
    }
}

/// Attributes are ignored, but must be well-formed.
fn check_attributes(e: &BytesStart<'_>, src: &str, pos: u64) -> Result<(), XmlError> {
    for attr in e.attributes() {
        if let Err(err) = attr {
            let line = line_at(src, pos);
            return Err(malformed(&format!("bad attribute: {err}"), line));
        }
    }
    Ok(())
}

fn malformed(reason: &str, line: u32) -> XmlError {
    XmlError::document(XmlErrorKind::Malformed(reason.to_owned()), Some(line))
}

/// One element of a parsed document (opaque outside the codec).
#[derive(Clone, Copy)]
pub struct Element<'d, 'a> {
    doc: &'d Document<'a>,
    idx: u32,
}

impl<'d, 'a> Element<'d, 'a> {
    fn node(&self) -> &'d Node<'a> {
        &self.doc.nodes[self.idx as usize]
    }

    /// 1-based line of the element's start tag (end of it, for multi-line tags).
    pub(crate) fn line(&self) -> u32 {
        line_at(self.doc.src, u64::from(self.node().offset))
    }

    /// The element name.
    pub(crate) fn name(&self) -> &'d str {
        &self.node().name
    }

    /// The text of a leaf element (empty for containers).
    pub(crate) fn text(&self) -> &'d str {
        &self.node().text
    }

    /// The encoding named by the document's declaration (or BOM).
    pub(crate) fn declared_encoding(&self) -> CharacterEncoding {
        self.doc.declared
    }

    /// Child elements in document order.
    pub(crate) fn children(&self) -> impl Iterator<Item = Element<'d, 'a>> + use<'d, 'a> {
        let doc = self.doc;
        let mut next = self.node().first_child;
        std::iter::from_fn(move || {
            (next != NONE).then(|| {
                let e = Element { doc, idx: next };
                next = doc.nodes[next as usize].next_sibling;
                e
            })
        })
    }

    /// An error at this element.
    pub(crate) fn error(&self, kind: XmlErrorKind) -> XmlError {
        XmlError {
            path: self.doc.path(self.idx),
            line: Some(self.line()),
            kind,
        }
    }

    /// The error for a required child `name` that is absent or empty.
    pub(crate) fn missing(&self, name: &str) -> XmlError {
        let mut path = self.doc.path(self.idx);
        path.push('/');
        path.push_str(name);
        XmlError {
            path,
            line: Some(self.line()),
            kind: XmlErrorKind::Missing,
        }
    }

    /// The typed value of this leaf; `None` when the text is empty or blank (real
    /// files write absent values as empty elements).
    pub(crate) fn value<T: FromText>(&self) -> Result<Option<T>, XmlError> {
        let text = self.text();
        if text.trim().is_empty() {
            return Ok(None);
        }
        T::from_text(text).map(Some).map_err(|k| self.error(k))
    }

    /// Unwraps a required child value, or reports it missing.
    pub(crate) fn require<T>(&self, name: &str, value: Option<T>) -> Result<T, XmlError> {
        value.ok_or_else(|| self.missing(name))
    }

    /// The one child named `name`, if any (the first when repeated).
    pub(crate) fn child(&self, name: &str) -> Option<Element<'d, 'a>> {
        self.children().find(|c| c.name() == name)
    }

    /// The child `name`, or a missing-element error.
    pub(crate) fn required_child(&self, name: &str) -> Result<Element<'d, 'a>, XmlError> {
        self.child(name).ok_or_else(|| self.missing(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Document<'_>, XmlError> {
        Document::parse(s, CharacterEncoding::Utf8)
    }

    #[test]
    fn builds_tree_with_text_and_paths() {
        let src = "<?xml version=\"1.0\"?>\n<R>\n  <A>x &amp; y&#x41;<![CDATA[<z>]]></A>\n  \
                   <L><I>1</I><I><B/></I></L>\n</R>\n";
        let doc = parse(src).unwrap();
        let root = doc.root();
        assert_eq!(root.name(), "R");
        assert_eq!(root.text(), "");
        let a = root.child("A").unwrap();
        assert_eq!(a.text(), "x & yA<z>");
        let items: Vec<_> = root.child("L").unwrap().children().collect();
        assert_eq!(items.len(), 2);
        let b = items[1].child("B").unwrap();
        let err = b.error(XmlErrorKind::Missing);
        assert_eq!(err.path, "R/L/I[2]/B");
        assert_eq!(err.line, Some(4));
        assert_eq!(a.missing("Q").path, "R/A/Q");
    }

    #[test]
    fn rejects_broken_documents() {
        for bad in [
            "",
            "   ",
            "<R><A></R>",
            "<R><A>",
            "<R></R><S/>",
            "<R>&nbsp;</R>",
            "<R attr=></R>",
            "<R></A>",
        ] {
            let err = parse(bad).err();
            assert!(err.is_some(), "{bad:?} accepted");
        }
    }

    #[test]
    fn element_count_is_limited() {
        let many = format!("<R>{}</R>", "<a/>".repeat(MAX_ELEMENTS));
        let err = parse(&many).err().unwrap();
        assert_eq!(
            err.kind,
            XmlErrorKind::TooManyElements { max: MAX_ELEMENTS }
        );
    }

    #[test]
    fn depth_is_limited() {
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        let err = parse(&deep).err().unwrap();
        assert_eq!(err.kind, XmlErrorKind::TooDeep { max: MAX_DEPTH });
        let ok = format!("{}{}", "<a>".repeat(MAX_DEPTH), "</a>".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
    }
}
