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
    /// Whether the PIN is locked (0 tries left). Absent PINs are not locked.
    pub fn is_locked(&self, pin: PinId) -> bool {
        self.tries_left.get(&pin) == Some(&0)
    }
}
