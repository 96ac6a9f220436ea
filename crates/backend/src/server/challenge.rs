//! Challenges: 32-byte nonces the card (PIN path) or the reader (face / visual path)
//! signs, single-use and short-lived.
//!
//! Time is a [`Tick`] — milliseconds of a monotonic clock the shell reads and passes
//! in — so the book itself reads no clock. Used and expired challenges are remembered
//! for a while after they expire (the lifetime, at most 30 s), so a replay or a late
//! answer gets a precise error instead of "unknown"; after that they are forgotten,
//! which keeps the book at about (lifetime + 30 s) × request rate entries.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};

use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};

use onshi_domain::protocol::{ResultCode, Tick};

/// The length of a nonce.
pub const NONCE_LEN: usize = 32;

/// A nonce.
pub type Nonce = [u8; NONCE_LEN];

/// A freshly issued challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Issued {
    /// The nonce to sign.
    pub nonce: Nonce,
    /// Its lifetime in milliseconds.
    pub ttl_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Open,
    Used,
}

#[derive(Debug)]
struct Entry {
    expires_at: u64,
    state: State,
    /// The facility it was issued for, if the request named one.
    facility: Option<Box<str>>,
}

#[derive(Debug)]
struct Book {
    entries: HashMap<Nonce, Entry>,
    order: VecDeque<(Nonce, u64)>,
    rng: ChaCha20Rng,
}

/// The challenges in flight.
#[derive(Debug)]
pub struct ChallengeBook {
    inner: Mutex<Book>,
    ttl_ms: u64,
    forget_after_ms: u64,
    capacity: usize,
}

impl ChallengeBook {
    /// A book whose nonces come from a ChaCha20 stream seeded with `seed` (the shell
    /// passes operating-system randomness; tests a constant), with challenges living
    /// `ttl_ms` and at most `capacity` remembered.
    pub fn new(seed: [u8; 32], ttl_ms: u64, capacity: usize) -> Self {
        Self {
            inner: Mutex::new(Book {
                entries: HashMap::new(),
                order: VecDeque::new(),
                rng: ChaCha20Rng::from_seed(seed),
            }),
            ttl_ms,
            forget_after_ms: ttl_ms.min(30_000),
            capacity: capacity.max(1),
        }
    }

    /// The lifetime of a challenge in milliseconds.
    pub fn ttl_ms(&self) -> u64 {
        self.ttl_ms
    }

    fn book(&self) -> std::sync::MutexGuard<'_, Book> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Issues a challenge at `now`.
    pub fn issue(&self, now: Tick) -> Result<Issued, ResultCode> {
        self.issue_for(now, None)
    }

    /// Issues a challenge for `facility` (any facility when `None`).
    pub fn issue_for(&self, now: Tick, facility: Option<&str>) -> Result<Issued, ResultCode> {
        let mut book = self.book();
        // Forget entries a while after they expired.
        while let Some((nonce, expires_at)) = book.order.front().copied() {
            if expires_at.saturating_add(self.forget_after_ms) >= now.0 {
                break;
            }
            book.order.pop_front();
            book.entries.remove(&nonce);
        }
        if book.entries.len() >= self.capacity {
            return Err(ResultCode::TooManyChallenges);
        }
        let mut nonce = [0u8; NONCE_LEN];
        book.rng.fill_bytes(&mut nonce);
        let expires_at = now.0.saturating_add(self.ttl_ms);
        book.entries.insert(
            nonce,
            Entry {
                expires_at,
                state: State::Open,
                facility: facility.map(Box::from),
            },
        );
        book.order.push_back((nonce, expires_at));
        Ok(Issued {
            nonce,
            ttl_ms: self.ttl_ms,
        })
    }

    /// Checks a nonce without using it. `replay_ok` (the `replay-accepted` defect)
    /// lets a used but unexpired challenge pass.
    pub fn check(&self, nonce: &[u8], now: Tick, replay_ok: bool) -> Result<(), ResultCode> {
        self.check_at(nonce, None, now, replay_ok)
    }

    /// [`Self::check`] for a request from `facility` (`None`: the facility is not
    /// checked).
    pub fn check_at(
        &self,
        nonce: &[u8],
        facility: Option<&str>,
        now: Tick,
        replay_ok: bool,
    ) -> Result<(), ResultCode> {
        let book = self.book();
        Self::check_in(&book, nonce, facility, now, replay_ok)
    }

    fn check_in(
        book: &Book,
        nonce: &[u8],
        facility: Option<&str>,
        now: Tick,
        replay_ok: bool,
    ) -> Result<(), ResultCode> {
        let key: &Nonce = nonce.try_into().map_err(|_| ResultCode::ChallengeUnknown)?;
        let entry = book.entries.get(key).ok_or(ResultCode::ChallengeUnknown)?;
        // The binding first: a challenge issued to another facility is refused as
        // such whether or not it has also expired (an answer that does not depend on
        // how long the request took).
        if let (Some(issued_for), Some(from)) = (entry.facility.as_deref(), facility)
            && issued_for != from
        {
            return Err(ResultCode::ChallengeFacilityMismatch);
        }
        if now.0 > entry.expires_at {
            return Err(ResultCode::ChallengeExpired);
        }
        if entry.state == State::Used && !replay_ok {
            return Err(ResultCode::ChallengeReplayed);
        }
        Ok(())
    }

    /// Uses a nonce: checks it again and marks it used, atomically, so two concurrent
    /// requests with the same challenge cannot both pass.
    pub fn consume(&self, nonce: &[u8], now: Tick, replay_ok: bool) -> Result<(), ResultCode> {
        let mut book = self.book();
        Self::check_in(&book, nonce, None, now, replay_ok)?;
        if let Some(entry) = <&Nonce>::try_from(nonce)
            .ok()
            .and_then(|k| book.entries.get_mut(k))
        {
            entry.state = State::Used;
        }
        Ok(())
    }

    /// Challenges remembered (open, used or recently expired).
    pub fn len(&self) -> usize {
        self.book().entries.len()
    }

    /// Whether none is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_challenge_for_a_facility_serves_only_it() {
        let book = ChallengeBook::new([7; 32], 120_000, 10);
        let c = book.issue_for(Tick(0), Some("1311234567")).unwrap();
        assert_eq!(
            book.check_at(&c.nonce, Some("1311234567"), Tick(1), false),
            Ok(())
        );
        assert_eq!(
            book.check_at(&c.nonce, Some("1319999999"), Tick(1), false),
            Err(ResultCode::ChallengeFacilityMismatch)
        );
        assert_eq!(book.check_at(&c.nonce, None, Tick(1), false), Ok(()));
        let any = book.issue(Tick(0)).unwrap();
        assert_eq!(
            book.check_at(&any.nonce, Some("1319999999"), Tick(1), false),
            Ok(())
        );
    }

    #[test]
    fn single_use_and_expiry() {
        let book = ChallengeBook::new([7; 32], 120_000, 10);
        let c = book.issue(Tick(0)).unwrap();
        assert_eq!(book.check(&c.nonce, Tick(1), false), Ok(()));
        assert_eq!(book.consume(&c.nonce, Tick(2), false), Ok(()));
        assert_eq!(
            book.consume(&c.nonce, Tick(3), false),
            Err(ResultCode::ChallengeReplayed)
        );
        assert_eq!(book.consume(&c.nonce, Tick(3), true), Ok(()));
        let d = book.issue(Tick(0)).unwrap();
        assert_ne!(c.nonce, d.nonce);
        assert_eq!(
            book.check(&d.nonce, Tick(120_001), false),
            Err(ResultCode::ChallengeExpired)
        );
        assert_eq!(
            book.check(&[0; 32], Tick(1), false),
            Err(ResultCode::ChallengeUnknown)
        );
        assert_eq!(
            book.check(&[0; 5], Tick(1), false),
            Err(ResultCode::ChallengeUnknown)
        );
        // Long after expiry the entries are forgotten.
        book.issue(Tick(1_000_000)).unwrap();
        assert_eq!(book.len(), 1);
        assert_eq!(
            book.check(&d.nonce, Tick(1_000_000), false),
            Err(ResultCode::ChallengeUnknown)
        );
    }

    #[test]
    fn capacity_is_bounded() {
        let book = ChallengeBook::new([1; 32], 1000, 2);
        book.issue(Tick(0)).unwrap();
        book.issue(Tick(0)).unwrap();
        assert_eq!(book.issue(Tick(0)), Err(ResultCode::TooManyChallenges));
        assert!(book.issue(Tick(5000)).is_ok());
    }
}
