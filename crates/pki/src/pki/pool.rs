//! A small pool of RSA keys reused round-robin across a very large simulated
//! card population.

use std::sync::Arc;

use crate::pki::keys::{KeyCache, KeyError, RsaKey};

/// N distinct deterministic RSA-2048 keys handed out round-robin.
///
/// # ⚠ LOAD-TEST SIMPLIFICATION ⚠
///
/// **Real My Number Cards never share keys**: every card generates its own
/// key pairs on-chip. A `KeyPool` lets a load test present millions of
/// distinct *certificates* (distinct serials, distinct subjects) while only
/// `size` distinct *keys* exist, because deriving a million RSA-2048 keys
/// would take hours. Anything that keys on the public key (SPKI) rather than
/// the certificate will see collisions.
///
/// **Conformance personas never use a `KeyPool`**; they get their own keys
/// from [`RsaKey::cached`] with a per-persona label. Use a pool only for
/// throughput/soak scenarios, and say so in their reports.
///
/// Key `i` of a pool is the key derived from `(seed, "load-pool/<i>")`, so a
/// pool of size 8 and one of size 16 with the same seed share their first 8
/// keys, and keys are shared through the process cache.
#[derive(Clone, Debug)]
pub struct KeyPool {
    seed: u64,
    keys: Vec<Arc<RsaKey>>,
}

impl KeyPool {
    /// Label of key `i` in a pool.
    pub fn label(i: usize) -> String {
        format!("load-pool/{i}")
    }

    /// Derives `size` keys (in parallel, through the process cache).
    pub fn new(seed: u64, size: usize) -> Result<Self, KeyError> {
        Self::with_cache(seed, size, &KeyCache::memory())
    }

    /// Like [`KeyPool::new`] with an explicit cache (e.g. with a directory, so
    /// the next run starts instantly).
    pub fn with_cache(seed: u64, size: usize, cache: &KeyCache) -> Result<Self, KeyError> {
        if size == 0 {
            return Err(KeyError::EmptyPool);
        }
        let requests: Vec<(u64, String)> = (0..size).map(|i| (seed, Self::label(i))).collect();
        let keys = cache.get_many(&requests)?;
        Ok(KeyPool { seed, keys })
    }

    /// The seed the pool was derived from.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Number of distinct keys (never zero).
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Always `false`: a pool has at least one key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The key for population member `index`: key `index mod len()`.
    pub fn key_for(&self, index: u64) -> &Arc<RsaKey> {
        // len() >= 1 is guaranteed by the constructors; the result of the
        // modulo is < len() and so fits in usize.
        let i = (index % self.keys.len() as u64) as usize;
        &self.keys[i]
    }

    /// All keys, in pool order.
    pub fn keys(&self) -> &[Arc<RsaKey>] {
        &self.keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::testutil::TEST_SEED;

    #[test]
    fn round_robin_over_distinct_keys() {
        let pool = KeyPool::new(TEST_SEED, 2).expect("pool");
        assert_eq!(pool.len(), 2);
        assert!(!pool.is_empty());
        let k0 = pool.key_for(0);
        let k1 = pool.key_for(1);
        assert_ne!(k0.public_key_spki_der(), k1.public_key_spki_der());
        assert!(Arc::ptr_eq(pool.key_for(2), k0));
        assert!(Arc::ptr_eq(pool.key_for(1_000_001), k1));
        assert!(Arc::ptr_eq(pool.key_for(u64::MAX), k1));
        // Same seed → same keys (from the process cache).
        let again = KeyPool::new(TEST_SEED, 1).expect("pool");
        assert!(Arc::ptr_eq(again.key_for(7), k0));
        assert!(matches!(
            KeyPool::new(TEST_SEED, 0),
            Err(KeyError::EmptyPool)
        ));
    }
}
