//! The virtual My Number Card — pure, synchronous, no I/O.
//!
//! - [`status`]: typed ISO 7816-4 status words.
//! - [`apdu`]: command APDU parsing (cases 1–4, short and extended).
//! - [`ids`]: AIDs, EF identifiers, PIN references.
//! - [`profile`]: what a card is made of (certificates, keys, PINs, printed data).
//! - [`filesystem`], [`jpki`], [`input_support`], [`surface`]: the three applications
//!   as data.
//! - [`face`]: the card-face images (name, address, security code, My Number) as 1-bit PNG.
//! - [`virtual_card`]: [`VirtualCard::transmit`], bytes in, bytes out.
//! - [`trace`]: the APDU trace with PINs redacted.
//! - [`state`]: the retry counters that outlive a session.

pub mod apdu;
pub mod face;
pub mod filesystem;
pub mod ids;
pub mod input_support;
pub mod jpki;
pub mod profile;
pub mod state;
pub mod status;
pub mod surface;
pub mod tlv;
pub mod trace;
pub mod virtual_card;

pub use ids::{AppId, FileId, PinId};
pub use profile::{BasicFourText, CardKey, CardKeyError, CardProfile, SigningContent, TamperMode};
pub use state::CardState;
pub use status::Status;
pub use trace::{ApduTrace, TraceEntry, TraceOp};
pub use virtual_card::VirtualCard;

#[cfg(test)]
mod tests;

#[cfg(any(test, feature = "test-support"))]
pub mod sample;
