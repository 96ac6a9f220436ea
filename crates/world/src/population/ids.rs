//! Identifiers of generated persons that encode their index, so every reverse lookup
//! (certificate serial, 番号, My Number → person) is O(1) arithmetic instead of a map.
//!
//! Each encoding is an affine bijection `x ↦ (a·x + b) mod M` with `a` coprime to `M`,
//! keyed by the seed: identifiers look scattered, and decoding multiplies by `a⁻¹`.
//! A decoded index is only a *candidate*: callers regenerate the person and compare
//! the full identifier, so a made-up number that happens to decode never matches.

use super::rng::mix64;

/// The largest generated population (the 番号 space is 10⁸).
pub const MAX_GENERATED: u64 = 50_000_000;

/// Certificate serials of generated persons carry this tag in bits 56–62.
pub const SERIAL_TAG: u64 = 0x4C << 56;
const SERIAL_MASK: u64 = (1 << 56) - 1;

/// An affine bijection on `0..modulus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Affine {
    modulus: u64,
    a: u64,
    a_inv: u64,
    b: u64,
}

impl Affine {
    /// A bijection on `0..modulus` keyed by `key`. `modulus` must be a power of ten
    /// (so any `a` ending in 1, 3, 7 or 9 is coprime to it).
    pub fn new(modulus: u64, key: u64) -> Self {
        let mut a = (mix64(key) % modulus) | 1;
        if a.is_multiple_of(5) {
            a = (a + 2) % modulus;
        }
        let a_inv = mod_inverse(a, modulus);
        let b = mix64(key ^ 0x9E37_79B9_7F4A_7C15) % modulus;
        Self {
            modulus,
            a,
            a_inv,
            b,
        }
    }

    /// `x ↦ (a·x + b) mod M` for `x < M`.
    pub fn encode(&self, x: u64) -> u64 {
        let m = u128::from(self.modulus);
        ((u128::from(self.a) * u128::from(x % self.modulus) + u128::from(self.b)) % m) as u64
    }

    /// The inverse of [`Affine::encode`].
    pub fn decode(&self, y: u64) -> u64 {
        let m = u128::from(self.modulus);
        let y = u128::from(y % self.modulus);
        let shifted = (y + m - u128::from(self.b)) % m;
        ((shifted * u128::from(self.a_inv)) % m) as u64
    }
}

/// `a⁻¹ mod m` by the extended Euclidean algorithm (`a` coprime to `m`).
fn mod_inverse(a: u64, m: u64) -> u64 {
    let (mut old_r, mut r) = (i128::from(a), i128::from(m));
    let (mut old_s, mut s) = (1i128, 0i128);
    while r != 0 {
        let q = old_r / r;
        (old_r, r) = (r, old_r - q * r);
        (old_s, s) = (s, old_s - q * s);
    }
    let m = i128::from(m);
    (((old_s % m) + m) % m) as u64
}

/// The identifier codecs of one population (one seed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdCodec {
    number: Affine,
    my_number: Affine,
    serial_key: u64,
}

impl IdCodec {
    /// The codecs for `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            number: Affine::new(100_000_000, seed ^ 0x6E75_6D62_6572),
            my_number: Affine::new(10_000_000_000, seed ^ 0x006D_796E_756D),
            serial_key: mix64(seed ^ 0x7365_7269_616C) & ((1 << 40) - 1),
        }
    }

    /// The 番号 value (0..10⁸) of generated person `i`.
    pub fn number_of(&self, i: u64) -> u64 {
        self.number.encode(i)
    }

    /// The generated index a 番号 value decodes to.
    pub fn index_of_number(&self, value: u64) -> u64 {
        self.number.decode(value)
    }

    /// The 11-digit body of generated person `i`'s synthetic My Number: `8` and ten
    /// digits (the check digit is appended by the caller).
    pub fn my_number_body(&self, i: u64) -> String {
        format!("8{:010}", self.my_number.encode(i))
    }

    /// The generated index a My Number decodes to (`None` when not of our shape).
    pub fn index_of_my_number(&self, text: &str) -> Option<u64> {
        let body = text.get(1..11).filter(|_| text.starts_with('8'))?;
        let value: u64 = body.parse().ok()?;
        Some(self.my_number.decode(value))
    }

    /// The certificate serial of generated person `i`.
    pub fn serial_of(&self, i: u64) -> u64 {
        SERIAL_TAG | ((i ^ self.serial_key) & SERIAL_MASK)
    }

    /// The generated index a serial decodes to (`None` without the tag).
    pub fn index_of_serial(&self, serial: u64) -> Option<u64> {
        (serial & !SERIAL_MASK == SERIAL_TAG).then_some((serial & SERIAL_MASK) ^ self.serial_key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affine_is_a_bijection() {
        for m in [10u64, 1000, 100_000_000, 10_000_000_000] {
            for key in [0u64, 1, 42, u64::MAX] {
                let f = Affine::new(m, key);
                for x in [0, 1, 2, m / 3, m - 1] {
                    assert_eq!(f.decode(f.encode(x)), x, "m={m} key={key} x={x}");
                }
            }
        }
        let f = Affine::new(1000, 7);
        let mut seen = vec![false; 1000];
        for x in 0..1000 {
            seen[f.encode(x) as usize] = true;
        }
        assert!(seen.iter().all(|s| *s));
    }

    #[test]
    fn codecs_round_trip() {
        let c = IdCodec::new(20_261_122);
        for i in [0u64, 1, 999_999, MAX_GENERATED - 1] {
            assert_eq!(c.index_of_number(c.number_of(i)), i);
            let body = c.my_number_body(i);
            assert_eq!(body.len(), 11);
            assert_eq!(c.index_of_my_number(&format!("{body}0")), Some(i));
            let serial = c.serial_of(i);
            assert!(serial > 0 && serial < (1 << 63));
            assert_eq!(c.index_of_serial(serial), Some(i));
        }
        assert_eq!(c.index_of_serial(0x1234), None);
        assert_eq!(c.index_of_my_number("123456789018"), None);
    }
}
