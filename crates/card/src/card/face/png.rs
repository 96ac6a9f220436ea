//! Just enough PNG for the card-face images: 1-bit greyscale, written deterministically
//! (no time or text chunks), and read back for checks.
//!
//! The real card stores 氏名・住所・セキュリティコード・個人番号 as 1-bit greyscale PNG
//! (soltia48/myna-card `src/data.rs`, read from a JPKI test card).

use super::bitmap::Bitmap;

/// The PNG signature.
pub const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// What the `IHDR` chunk says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PngHeader {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Bits per sample.
    pub bit_depth: u8,
    /// Colour type (0 = greyscale).
    pub color_type: u8,
    /// Interlace method (0 = none).
    pub interlace: u8,
}

fn push_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&u32::try_from(data.len()).unwrap_or(u32::MAX).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32fast::hash(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// Encodes `image` as a 1-bit greyscale PNG: ink is black (0), paper white (1). The
/// image data is a zlib stream of stored (uncompressed) deflate blocks: a valid PNG that
/// costs a few microseconds to write (a compressor costs ~30 µs per image, paid for every
/// generated person of a load test); card-face images are a few hundred bytes anyway.
pub fn encode_gray1(image: &Bitmap) -> Vec<u8> {
    let stride = image.width.div_ceil(8) as usize;
    let mut raw = Vec::with_capacity((stride + 1) * image.height as usize);
    for y in 0..image.height {
        raw.push(0); // filter: none
        let row_start = raw.len();
        raw.resize(row_start + stride, 0xFF);
        for x in 0..image.width {
            if image.ink(x, y) {
                raw[row_start + (x / 8) as usize] &= !(0x80 >> (x % 8));
            }
        }
    }
    let idat = zlib_stored(&raw);
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&image.width.to_be_bytes());
    ihdr.extend_from_slice(&image.height.to_be_bytes());
    ihdr.extend_from_slice(&[1, 0, 0, 0, 0]);
    let mut out = Vec::with_capacity(idat.len() + 64);
    out.extend_from_slice(&SIGNATURE);
    push_chunk(&mut out, b"IHDR", &ihdr);
    push_chunk(&mut out, b"IDAT", &idat);
    push_chunk(&mut out, b"IEND", &[]);
    out
}

/// `data` as a zlib stream of stored deflate blocks (RFC 1950/1951).
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 65535 * 5 + 11);
    out.extend_from_slice(&[0x78, 0x01]);
    let mut blocks = data.chunks(0xFFFF).peekable();
    if blocks.peek().is_none() {
        out.extend_from_slice(&[0x01, 0x00, 0x00, 0xFF, 0xFF]);
    }
    while let Some(block) = blocks.next() {
        out.push(u8::from(blocks.peek().is_none()));
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= 65521;
        b %= 65521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}

/// Reads the `IHDR` of a PNG; `None` if `png` does not start like one.
pub fn header(png: &[u8]) -> Option<PngHeader> {
    let rest = png.strip_prefix(&SIGNATURE[..])?;
    if rest.get(4..8)? != b"IHDR" || rest.get(..4)? != [0, 0, 0, 13] {
        return None;
    }
    let d = rest.get(8..21)?;
    Some(PngHeader {
        width: u32::from_be_bytes([d[0], d[1], d[2], d[3]]),
        height: u32::from_be_bytes([d[4], d[5], d[6], d[7]]),
        bit_depth: d[8],
        color_type: d[9],
        interlace: d[12],
    })
}

/// The largest image [`decode_gray1`] accepts (pixels), so hostile input cannot make it
/// allocate without bound.
pub const MAX_DECODE_PIXELS: u64 = 16 << 20;

/// Decodes a non-interlaced 1-bit greyscale PNG (any row filter) into a bitmap, ink where
/// the sample is 0. `None` for anything else or anything malformed; never panics.
pub fn decode_gray1(png: &[u8]) -> Option<Bitmap> {
    let h = header(png)?;
    if (h.bit_depth, h.color_type, h.interlace) != (1, 0, 0) || h.width == 0 || h.height == 0 {
        return None;
    }
    if u64::from(h.width) * u64::from(h.height) > MAX_DECODE_PIXELS {
        return None;
    }
    let mut idat = Vec::new();
    let mut rest = png.get(8..)?;
    while rest.len() >= 12 {
        let len = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        let kind = &rest[4..8];
        let data = rest.get(8..8usize.checked_add(len)?)?;
        if kind == b"IDAT" {
            idat.extend_from_slice(data);
        }
        if kind == b"IEND" {
            break;
        }
        rest = rest.get(12usize.checked_add(len)?..)?;
    }
    let stride = h.width.div_ceil(8) as usize;
    let want = (stride + 1) * h.height as usize;
    let mut raw = Vec::with_capacity(want);
    let mut z = flate2::read::ZlibDecoder::new(&idat[..]);
    std::io::Read::read_to_end(&mut std::io::Read::take(&mut z, want as u64 + 1), &mut raw).ok()?;
    if raw.len() != want {
        return None;
    }
    let mut prev = vec![0u8; stride];
    let mut image = Bitmap::new(h.width, h.height);
    for y in 0..h.height as usize {
        let line = &mut raw[y * (stride + 1)..(y + 1) * (stride + 1)];
        let (filter, row) = line.split_at_mut(1);
        unfilter(filter[0], row, &prev)?;
        for x in 0..h.width {
            let byte = row[(x / 8) as usize];
            if byte & (0x80 >> (x % 8)) == 0 {
                image.set(x, y as u32, true);
            }
        }
        prev.copy_from_slice(row);
    }
    Some(image)
}

/// Reverses one PNG row filter in place (one byte per pixel group at bit depth 1).
fn unfilter(filter: u8, row: &mut [u8], prev: &[u8]) -> Option<()> {
    for i in 0..row.len() {
        let a = if i > 0 { row[i - 1] } else { 0 };
        let b = prev[i];
        let c = if i > 0 { prev[i - 1] } else { 0 };
        row[i] = match filter {
            0 => row[i],
            1 => row[i].wrapping_add(a),
            2 => row[i].wrapping_add(b),
            3 => row[i].wrapping_add(((u16::from(a) + u16::from(b)) / 2) as u8),
            4 => row[i].wrapping_add(paeth(a, b, c)),
            _ => return None,
        };
    }
    Some(())
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = (
        (p - i16::from(a)).abs(),
        (p - i16::from(b)).abs(),
        (p - i16::from(c)).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_header() {
        let mut b = Bitmap::new(13, 5);
        b.set(0, 0, true);
        b.set(12, 4, true);
        b.set(7, 2, true);
        let png = encode_gray1(&b);
        let h = header(&png).unwrap();
        assert_eq!(
            (h.width, h.height, h.bit_depth, h.color_type),
            (13, 5, 1, 0)
        );
        assert_eq!(decode_gray1(&png).unwrap(), b);
        assert_eq!(encode_gray1(&b), png, "deterministic");
        // Stored blocks: a zlib decoder agrees, also across a 64 KiB block boundary.
        let big = Bitmap::new(2000, 300);
        assert_eq!(decode_gray1(&encode_gray1(&big)), Some(big));
    }

    #[test]
    fn garbage_never_panics() {
        let png = encode_gray1(&Bitmap::new(30, 30));
        for n in 0..png.len() {
            let _ = decode_gray1(&png[..n]);
            let mut bad = png.clone();
            bad[n] ^= 0x55;
            let _ = decode_gray1(&bad);
        }
        assert!(decode_gray1(b"not a png").is_none());
    }
}
