//! Reader defects: named switches that make the built-in reader behind the
//! reader-control API (`onshi reader serve --defect NAME`, repeatable) wrong in one
//! specific way, so the suite — and a certification package — can be shown to catch a
//! faulty reader through the plug, as backend defects do for a backend.
//!
//! | defect | what the reader does wrong | seen by | requirement |
//! |---|---|---|---|
//! | `pin-after-lock` | after a visit, asks the card for the PIN's tries and, when it says locked, sends one more VERIFY | onshi's own card trace (`no-pin-after-lock`) | FAQ-4-11 |
//! | `keeps-photo` | reports that it kept the face photo after the comparison | the reader's own answer | FLY-PHOTO |

use std::fmt;
use std::str::FromStr;

use super::card_ops::{CardOpError, CardOps};
use super::coroutine::run_ready;
use super::outcome::ReaderOutcome;
use crate::channel::CardChannel;
use onshi_card::card::ids;
use onshi_domain::rules::RuleId;

/// One reader defect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReaderDefect {
    /// Sends a VERIFY to a PIN the card has reported locked (FAQ-4-11).
    PinAfterLock,
    /// Keeps the face photo, and says so (FLY-PHOTO).
    KeepsPhoto,
}

impl ReaderDefect {
    /// Every reader defect.
    pub const ALL: &'static [ReaderDefect] = &[Self::PinAfterLock, Self::KeepsPhoto];

    /// The switch name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::PinAfterLock => "pin-after-lock",
            Self::KeepsPhoto => "keeps-photo",
        }
    }

    /// The requirement whose scenarios catch it.
    pub const fn requirement(self) -> RuleId {
        match self {
            Self::PinAfterLock => RuleId::Faq4_11,
            Self::KeepsPhoto => RuleId::FlyPhoto,
        }
    }
}

impl fmt::Display for ReaderDefect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown reader defect name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown reader defect {0:?}; known: {known}", known = ReaderDefect::ALL.iter().map(|d| d.name()).collect::<Vec<_>>().join(", "))]
pub struct UnknownReaderDefect(pub String);

impl FromStr for ReaderDefect {
    type Err = UnknownReaderDefect;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .copied()
            .find(|d| d.name() == s.trim())
            .ok_or_else(|| UnknownReaderDefect(s.to_owned()))
    }
}

/// What the defects make the reader do once a visit is over: `outcome` is its answer,
/// `channel` the card still in the reader (its transmissions answer at once).
pub fn after_visit(
    defects: &[ReaderDefect],
    outcome: &mut ReaderOutcome,
    channel: &mut dyn CardChannel,
) {
    for d in defects {
        match d {
            ReaderDefect::KeepsPhoto => outcome.photo_stored = true,
            ReaderDefect::PinAfterLock => {
                // A card channel's futures are ready at once.
                let _ = run_ready(verify_if_locked(&mut *channel));
            }
        }
    }
}

/// Asks the user-authentication PIN's tries; when the card says none are left (or
/// answers with a blocked status), sends a VERIFY all the same.
async fn verify_if_locked(channel: &mut dyn CardChannel) {
    let mut ops = CardOps::new(channel);
    if ops.select_app(ids::JPKI_AID).await.is_err()
        || !matches!(ops.select_file(ids::jpki::AUTH_PIN).await, Ok(true))
    {
        return;
    }
    let locked = match ops.tries_left().await {
        Ok(n) => n == 0,
        Err(CardOpError::Status { .. }) => true,
        Err(_) => false,
    };
    if locked {
        let _ = ops.verify(b"0000").await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::InProcessChannel;
    use crate::reader::ReaderResult;
    use onshi_card::card::ids::PinId;
    use onshi_card::card::{Status, VirtualCard, sample};

    fn outcome() -> ReaderOutcome {
        ReaderOutcome {
            result: ReaderResult::AuthenticationFailed,
            method: None,
            events: Vec::new(),
            exchanges: Vec::new(),
            photo_stored: false,
            registered_here: false,
        }
    }

    fn after(defects: &[ReaderDefect], lock: bool) -> (ReaderOutcome, InProcessChannel) {
        let mut channel = InProcessChannel::new(VirtualCard::new(&sample::profile()));
        if lock {
            let ch: &mut dyn CardChannel = &mut channel;
            let mut ops = CardOps::new(ch);
            run_ready(async {
                ops.select_app(ids::JPKI_AID).await.unwrap();
                ops.select_file(ids::jpki::AUTH_PIN).await.unwrap();
                while ops.tries_left().await.unwrap() > 0 {
                    ops.verify(b"9999").await.unwrap();
                }
            })
            .unwrap();
        }
        let mut out = outcome();
        after_visit(defects, &mut out, &mut channel);
        (out, channel)
    }

    #[test]
    fn pin_after_lock_sends_a_verify_to_a_locked_pin_only() {
        let blocked = Status::AuthenticationMethodBlocked;
        let (_, ch) = after(&[ReaderDefect::PinAfterLock], true);
        assert_eq!(ch.trace().verifies_after_lock(PinId::AuthPin, blocked), 1);
        let (_, ch) = after(&[ReaderDefect::PinAfterLock], false);
        assert_eq!(ch.trace().verify_count(PinId::AuthPin), 0);
        let (_, ch) = after(&[], true);
        assert_eq!(ch.trace().verifies_after_lock(PinId::AuthPin, blocked), 0);
    }

    #[test]
    fn keeps_photo_says_so() {
        assert!(after(&[ReaderDefect::KeepsPhoto], false).0.photo_stored);
        assert!(!after(&[], false).0.photo_stored);
    }

    #[test]
    fn names_round_trip() {
        for d in ReaderDefect::ALL {
            assert_eq!(d.name().parse::<ReaderDefect>(), Ok(*d));
        }
        let e = "nonsense".parse::<ReaderDefect>().unwrap_err().to_string();
        assert!(e.contains("pin-after-lock, keeps-photo"), "{e}");
    }
}
