//! The part of a card that outlives a session: PIN retry counters.
//!
//! Pure data; the shell persists it (see `onshi_reader::cardstate`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ids::PinId;

/// Remaining tries per PIN. A PIN with 0 tries left is locked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardState {
    /// Tries left for each PIN the card has.
    pub tries_left: BTreeMap<PinId, u8>,
}

impl CardState {
    /// The same PINs, every one locked: what a card whose saved state cannot be read
    /// restarts with (fail closed — never a fresh card).
    pub fn all_locked(&self) -> Self {
        Self {
            tries_left: self.tries_left.keys().map(|pin| (*pin, 0)).collect(),
        }
    }

    /// Whether the PIN is locked (0 tries left). Absent PINs are not locked.
    pub fn is_locked(&self, pin: PinId) -> bool {
        self.tries_left.get(&pin) == Some(&0)
    }
}
