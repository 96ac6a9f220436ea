//! ISO 7816-4 command APDU parsing: cases 1–4, short and extended Lc/Le.
//!
//! [`Command::parse`] borrows the bytes; a malformed APDU becomes the status word a card
//! answers with ([`Status::WrongLength`]), never a panic.

use super::status::Status;

/// The four ISO 7816-3 cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// No data, no response data.
    One,
    /// No data, response data expected (Le).
    Two,
    /// Data (Lc), no response data.
    Three,
    /// Data and response data.
    Four,
}

/// A parsed command APDU borrowing its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Command<'a> {
    /// Class byte.
    pub cla: u8,
    /// Instruction byte.
    pub ins: u8,
    /// Parameter 1.
    pub p1: u8,
    /// Parameter 2.
    pub p2: u8,
    /// Command data (empty for cases 1 and 2).
    pub data: &'a [u8],
    /// Expected response length; `None` when absent. A short `00` means 256, an
    /// extended `00 00` means 65 536.
    pub le: Option<usize>,
    /// Whether Lc/Le used the extended (3-byte / 2-byte) form.
    pub extended: bool,
}

impl<'a> Command<'a> {
    /// Parses a command APDU.
    pub fn parse(apdu: &'a [u8]) -> Result<Self, Status> {
        let (header, body) = match apdu {
            [cla, ins, p1, p2, rest @ ..] => ([*cla, *ins, *p1, *p2], rest),
            _ => return Err(Status::WrongLength),
        };
        let [cla, ins, p1, p2] = header;
        let mk = |data, le, extended| Command {
            cla,
            ins,
            p1,
            p2,
            data,
            le,
            extended,
        };
        match body {
            // Case 1.
            [] => Ok(mk(&[], None, false)),
            // Case 2 short.
            [le] => Ok(mk(&[], Some(short_le(*le)), false)),
            // Extended forms start with a zero byte.
            [0, rest @ ..] if rest.len() >= 2 => {
                let n = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
                let tail = &rest[2..];
                if tail.is_empty() {
                    // Case 2 extended.
                    return Ok(mk(&[], Some(extended_le(n)), true));
                }
                if n == 0 {
                    return Err(Status::WrongLength);
                }
                match tail.len().checked_sub(n) {
                    Some(0) => Ok(mk(tail, None, true)),
                    Some(2) => {
                        let le = usize::from(u16::from_be_bytes([tail[n], tail[n + 1]]));
                        Ok(mk(&tail[..n], Some(extended_le(le)), true))
                    }
                    _ => Err(Status::WrongLength),
                }
            }
            [lc, rest @ ..] if *lc != 0 => {
                let n = usize::from(*lc);
                match rest.len().checked_sub(n) {
                    Some(0) => Ok(mk(rest, None, false)),
                    Some(1) => Ok(mk(&rest[..n], Some(short_le(rest[n])), false)),
                    _ => Err(Status::WrongLength),
                }
            }
            _ => Err(Status::WrongLength),
        }
    }

    /// The ISO case of this command.
    pub fn case(&self) -> Case {
        match (self.data.is_empty(), self.le.is_some()) {
            (true, false) => Case::One,
            (true, true) => Case::Two,
            (false, false) => Case::Three,
            (false, true) => Case::Four,
        }
    }

    /// Serializes back to bytes (short form when it fits and was short).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![self.cla, self.ins, self.p1, self.p2];
        let extended = self.extended || self.data.len() > 255 || self.le.is_some_and(|l| l > 256);
        if !self.data.is_empty() {
            if extended {
                out.push(0);
                out.extend_from_slice(&(self.data.len() as u16).to_be_bytes());
            } else {
                out.push(self.data.len() as u8);
            }
            out.extend_from_slice(self.data);
        }
        if let Some(le) = self.le {
            if extended {
                if self.data.is_empty() {
                    out.push(0);
                }
                out.extend_from_slice(&((le % 65536) as u16).to_be_bytes());
            } else {
                out.push((le % 256) as u8);
            }
        }
        out
    }
}

fn short_le(b: u8) -> usize {
    if b == 0 { 256 } else { usize::from(b) }
}

fn extended_le(n: usize) -> usize {
    if n == 0 { 65536 } else { n }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(hex: &str) -> Result<Command<'static>, Status> {
        let bytes: &'static [u8] =
            Box::leak(onshi_support::hex::decode(hex).unwrap().into_boxed_slice());
        Command::parse(bytes)
    }

    #[test]
    fn cases_short() {
        let c = parse("00200080").unwrap();
        assert_eq!(c.case(), Case::One);
        let c = parse("00B0000000").unwrap();
        assert_eq!((c.case(), c.le), (Case::Two, Some(256)));
        let c = parse("00A4020C02000A").unwrap();
        assert_eq!((c.case(), c.data), (Case::Three, &[0x00, 0x0A][..]));
        let c = parse("802A00800301020300").unwrap();
        assert_eq!((c.case(), c.le, c.data.len()), (Case::Four, Some(256), 3));
    }

    #[test]
    fn cases_extended() {
        let c = parse("00B00000000000").unwrap();
        assert_eq!((c.case(), c.le, c.extended), (Case::Two, Some(65536), true));
        let c = parse("00B0000400061F").unwrap();
        assert_eq!((c.case(), c.le), (Case::Two, Some(0x061F)));
        let c = parse("0020008000000431323334").unwrap();
        assert_eq!((c.case(), c.data.len()), (Case::Three, 4));
        let c = parse("802A008000000301020300 00".replace(' ', "").as_str()).unwrap();
        assert_eq!((c.case(), c.le), (Case::Four, Some(65536)));
    }

    #[test]
    fn malformed_is_wrong_length() {
        for bad in [
            "",
            "00",
            "00A404",
            "00A4040C05D392",
            "00A4040C02000A0000",
            "002000800004",
            "000000000000",
            "002000800000043132",
            "0020008000000431323334353637",
        ] {
            assert_eq!(parse(bad), Err(Status::WrongLength), "{bad}");
        }
    }

    #[test]
    fn every_prefix_of_real_apdus_parses_or_errors() {
        let apdus = [
            "00A4040C0AD392F000260100000001",
            "802A00803330313006",
            "00B0000000",
        ];
        for apdu in apdus {
            let bytes = onshi_support::hex::decode(apdu).unwrap();
            for n in 0..=bytes.len() {
                let _ = Command::parse(&bytes[..n]);
            }
        }
    }

    #[test]
    fn round_trip() {
        for hex in [
            "00200080",
            "00B0000000",
            "00A4020C02000A",
            "802A00800301020300",
            "00B00000000000",
        ] {
            let bytes = onshi_support::hex::decode(hex).unwrap();
            assert_eq!(Command::parse(&bytes).unwrap().to_bytes(), bytes, "{hex}");
        }
    }
}
