//! Minimal BER-TLV writing and reading for the card's data files (`FF 20 { DF 21 … }`).

/// Appends a BER length (short form below 128, then `81 xx` / `82 xx xx`).
pub fn push_length(out: &mut Vec<u8>, len: usize) {
    match len {
        0..=0x7F => out.push(len as u8),
        0x80..=0xFF => out.extend_from_slice(&[0x81, len as u8]),
        _ => {
            let n = u16::try_from(len).unwrap_or(u16::MAX);
            out.push(0x82);
            out.extend_from_slice(&n.to_be_bytes());
        }
    }
}

/// Appends one TLV with a one- or two-byte tag.
pub fn push_tlv(out: &mut Vec<u8>, tag: &[u8], value: &[u8]) {
    out.extend_from_slice(tag);
    push_length(out, value.len());
    out.extend_from_slice(value);
}

/// Builds a constructed TLV from `(tag, value)` children.
pub fn constructed(tag: &[u8], children: &[(&[u8], &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (t, v) in children {
        push_tlv(&mut body, t, v);
    }
    let mut out = Vec::with_capacity(body.len() + 6);
    push_tlv(&mut out, tag, &body);
    out
}

/// Builds `outer_tag { table_tag offsets, children… }` where the table holds, for each
/// child, the big-endian 16-bit offset of its first byte **from the start of the file** —
/// the layout of the 券面 applications' data files (input-support EF 0002, card-surface
/// EF 0002; soltia48/myna-card checks these offsets against where the objects start).
pub fn with_offsets(outer_tag: &[u8], table_tag: &[u8], children: &[(&[u8], &[u8])]) -> Vec<u8> {
    let mut encoded = Vec::with_capacity(children.len());
    for (t, v) in children {
        let mut one = Vec::with_capacity(t.len() + 3 + v.len());
        push_tlv(&mut one, t, v);
        encoded.push(one);
    }
    let table_len = 2 * children.len();
    // The table's own TLV: tag, length, 2 bytes per child.
    let table_tlv = table_tag.len() + length_len(table_len) + table_len;
    let body_len = table_tlv + encoded.iter().map(Vec::len).sum::<usize>();
    let header = outer_tag.len() + length_len(body_len);
    let mut offsets = Vec::with_capacity(table_len);
    let mut at = header + table_tlv;
    for e in &encoded {
        offsets.extend_from_slice(&u16::try_from(at).unwrap_or(u16::MAX).to_be_bytes());
        at += e.len();
    }
    let mut body = Vec::with_capacity(body_len);
    push_tlv(&mut body, table_tag, &offsets);
    for e in &encoded {
        body.extend_from_slice(e);
    }
    let mut out = Vec::with_capacity(header + body.len());
    push_tlv(&mut out, outer_tag, &body);
    out
}

/// How many bytes [`push_length`] writes for `len`.
pub fn length_len(len: usize) -> usize {
    match len {
        0..=0x7F => 1,
        0x80..=0xFF => 2,
        _ => 3,
    }
}

/// One parsed TLV borrowing its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The tag bytes.
    pub tag: &'a [u8],
    /// The value bytes.
    pub value: &'a [u8],
}

/// Parses one TLV at the start of `input`; returns it and the rest. `None` on
/// truncated or malformed input.
pub fn parse_one(input: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let first = *input.first()?;
    let mut tag_len = 1;
    if first & 0x1F == 0x1F {
        // Subsequent tag bytes while bit 8 is set.
        loop {
            let b = *input.get(tag_len)?;
            tag_len += 1;
            if b & 0x80 == 0 || tag_len > 3 {
                break;
            }
        }
    }
    let (tag, rest) = input.split_at(tag_len);
    let (len, rest) = match *rest.first()? {
        n @ 0..=0x7F => (usize::from(n), &rest[1..]),
        0x81 => (usize::from(*rest.get(1)?), &rest[2..]),
        0x82 => (
            usize::from(u16::from_be_bytes([*rest.get(1)?, *rest.get(2)?])),
            &rest[3..],
        ),
        _ => return None,
    };
    if rest.len() < len {
        return None;
    }
    let (value, rest) = rest.split_at(len);
    Some((Tlv { tag, value }, rest))
}

/// Parses a sequence of TLVs; `None` if any is malformed.
pub fn parse_all(mut input: &[u8]) -> Option<Vec<Tlv<'_>>> {
    let mut out = Vec::new();
    while !input.is_empty() {
        let (tlv, rest) = parse_one(input)?;
        out.push(tlv);
        input = rest;
    }
    Some(out)
}

/// Finds the value of `tag` among the children of a constructed TLV's value.
pub fn find<'a>(children: &'a [u8], tag: &[u8]) -> Option<&'a [u8]> {
    parse_all(children)?
        .into_iter()
        .find(|t| t.tag == tag)
        .map(|t| t.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths() {
        for len in [0usize, 1, 127, 128, 255, 256, 4000] {
            let v = vec![7u8; len];
            let mut out = Vec::new();
            push_tlv(&mut out, &[0xDF, 0x27], &v);
            let (tlv, rest) = parse_one(&out).unwrap();
            assert_eq!(tlv.tag, &[0xDF, 0x27]);
            assert_eq!(tlv.value.len(), len);
            assert!(rest.is_empty());
        }
    }

    #[test]
    fn offset_tables_point_at_the_objects() {
        for big in [3usize, 300] {
            let v = vec![0x55; big];
            let f = with_offsets(
                &[0xFF, 0x20],
                &[0xDF, 0x21],
                &[
                    (&[0xDF, 0x22], b"ab"),
                    (&[0xDF, 0x23], &v),
                    (&[0xDF, 0x24], b"c"),
                ],
            );
            let (outer, rest) = parse_one(&f).unwrap();
            assert!(rest.is_empty());
            let table = find(outer.value, &[0xDF, 0x21]).unwrap();
            assert_eq!(table.len(), 6);
            for (i, tag) in [0x22u8, 0x23, 0x24].iter().enumerate() {
                let off = usize::from(u16::from_be_bytes([table[2 * i], table[2 * i + 1]]));
                assert_eq!(&f[off..off + 2], &[0xDF, *tag], "big={big} i={i}");
            }
        }
    }

    #[test]
    fn nested_and_truncated() {
        let t = constructed(
            &[0xFF, 0x20],
            &[(&[0xDF, 0x22], b"name"), (&[0xDF, 0x25], b"1")],
        );
        let (outer, _) = parse_one(&t).unwrap();
        assert_eq!(find(outer.value, &[0xDF, 0x25]), Some(&b"1"[..]));
        for n in 0..t.len() {
            assert!(parse_one(&t[..n]).is_none_or(|(tlv, _)| tlv.value.len() < outer.value.len()));
        }
    }
}
