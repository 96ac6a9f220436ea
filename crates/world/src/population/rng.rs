//! A tiny deterministic random stream (SplitMix64) for the generator: the same
//! (seed, index) gives the same person on every platform and in every version of the
//! dependencies, which a general-purpose RNG crate does not promise.

/// The SplitMix64 finaliser: a strong 64-bit mix.
pub fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A SplitMix64 stream.
#[derive(Debug, Clone)]
pub struct Rng64 {
    state: u64,
}

impl Rng64 {
    /// The stream of person `index` in the population of `seed`.
    pub fn for_person(seed: u64, index: u64) -> Self {
        Self {
            state: mix64(seed ^ mix64(index.wrapping_add(0x5EED))),
        }
    }

    /// A stream from a raw seed.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.state)
    }

    /// Uniform in `0..n` (`n > 0`; the tiny modulo bias is irrelevant here).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// `true` with probability `permille / 1000`.
    pub fn chance(&mut self, permille: u16) -> bool {
        self.below(1000) < u64::from(permille)
    }

    /// A uniform float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Picks an element.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// Picks an index by weights.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|w| u64::from(*w)).sum();
        let mut r = self.below(total.max(1));
        for (i, w) in weights.iter().enumerate() {
            let w = u64::from(*w);
            if r < w {
                return i;
            }
            r -= w;
        }
        weights.len().saturating_sub(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_spread() {
        let mut a = Rng64::for_person(1, 2);
        let mut b = Rng64::for_person(1, 2);
        assert_eq!(a.next_u64(), b.next_u64());
        assert_ne!(
            Rng64::for_person(1, 2).next_u64(),
            Rng64::for_person(1, 3).next_u64()
        );
        let mut r = Rng64::new(9);
        let hits = (0..10_000).filter(|_| r.chance(250)).count();
        assert!((2_200..2_800).contains(&hits), "{hits}");
        assert_eq!(r.weighted(&[0, 0, 5]), 2);
        let u = r.unit();
        assert!((0.0..1.0).contains(&u));
    }
}
