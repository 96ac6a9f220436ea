//! Synthetic 個人番号 (My Number): 11 digits plus the statutory check digit.
//!
//! Only ever synthetic. The check digit lets the reference backend recognise a My
//! Number when someone tries to use one as an identifier (FAQ-4-20) — and refuse it.

/// The check digit of 11 digits (番号法施行令 第8条): weights 2..7 for the 1st..6th digit
/// from the right, then 2..6; `11 - (sum mod 11)`, or 0 when the remainder is 0 or 1.
pub fn check_digit(first_eleven: &[u8; 11]) -> u8 {
    let sum: u32 = first_eleven
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            let n = i as u32 + 1;
            let q = if n <= 6 { n + 1 } else { n - 5 };
            u32::from(*d) * q
        })
        .sum();
    let r = sum % 11;
    if r <= 1 { 0 } else { (11 - r) as u8 }
}

/// Whether `text` is 12 ASCII digits with a correct check digit.
pub fn is_valid(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() != 12 || !b.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let mut first = [0u8; 11];
    for (i, d) in b[..11].iter().enumerate() {
        first[i] = d - b'0';
    }
    check_digit(&first) == b[11] - b'0'
}

/// What a redacted My Number reads as.
pub const REDACTED: &str = "［個人番号］";

/// `text` with every My Number in it (a run of exactly twelve digits whose check digit
/// is right) replaced by [`REDACTED`]: for evidence that quotes a request or answer.
pub fn redact(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i - start == 12 && is_valid(&text[start..i]) {
            let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
            o.push_str(&text[copied..start]);
            o.push_str(REDACTED);
            copied = i;
        }
    }
    match out {
        Some(mut o) => {
            o.push_str(&text[copied..]);
            std::borrow::Cow::Owned(o)
        }
        None => std::borrow::Cow::Borrowed(text),
    }
}

/// A deterministic synthetic My Number for a label (persona id, population index).
pub fn synthetic(seed: u64, label: &str) -> String {
    let mut x = seed ^ 0x6d79_6e75_6d62_6572;
    for b in label.bytes() {
        x = (x ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    x ^= x >> 29;
    let mut first = [0u8; 11];
    for d in first.iter_mut() {
        *d = (x % 10) as u8;
        x /= 10;
        if x == 0 {
            x = 0x9e37_79b9_7f4a_7c15;
        }
    }
    // Never start with 0 so it cannot pass as an 8-digit number padded out.
    if first[0] == 0 {
        first[0] = 9;
    }
    let mut s: String = first.iter().map(|d| char::from(b'0' + d)).collect();
    s.push(char::from(b'0' + check_digit(&first)));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_takes_my_numbers_and_nothing_else() {
        let n = synthetic(7, "x");
        assert_eq!(
            redact(&format!("{{\"id\":\"{n}\"}} {n}")),
            format!("{{\"id\":\"{REDACTED}\"}} {REDACTED}")
        );
        // Thirteen digits, or a wrong check digit: not a My Number, kept.
        let long = format!("1{n}");
        assert_eq!(redact(&long), long);
        let last = n.as_bytes()[11] - b'0';
        let wrong = format!("{}{}", &n[..11], (last + 1) % 10);
        assert_eq!(redact(&wrong), wrong);
        assert!(matches!(
            redact("no numbers"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn known_check_digit() {
        // 12345678901 → check digit 8 (a widely used specimen).
        assert!(is_valid("123456789018"));
        assert!(!is_valid("123456789012"));
        assert!(!is_valid("12345678901"));
        assert!(!is_valid("12345678901a"));
    }

    #[test]
    fn synthetic_numbers_are_valid_and_stable() {
        for i in 0..1000 {
            let n = synthetic(7, &format!("p{i}"));
            assert!(is_valid(&n), "{n}");
            assert_eq!(n, synthetic(7, &format!("p{i}")));
        }
        assert_ne!(synthetic(7, "a"), synthetic(7, "b"));
    }
}
