//! The built-in simulated face-recognition card reader (顔認証付きカードリーダー).
//!
//! - [`script`]: what the patient does (the scenario's input).
//! - [`policy`]: pure decisions — which method next, lockout, face threshold.
//! - [`card_ops`]: the reader's APDU exchanges over any [`card_ops::Transceive`].
//! - [`engine`]: one patient end to end as a machine that does no I/O; the suite and
//!   load both drive it.
//! - [`coroutine`]: the stable-Rust coroutine the engine is written on.
//! - [`outcome`]: configuration, events and results of a visit.
//! - [`defects`]: deliberate reader defects that prove the suite's reader checks can fail.
//! - [`session`]: the engine driven over a card channel and a backend, with evidence.
//! - [`control`]: the reader-control API (the built-in reader served, and the client).
//! - [`result_file`]: the face-result XML file handed to the clinic system.

pub mod card_ops;
pub mod control;
pub mod coroutine;
pub mod defects;
pub mod engine;
pub mod outcome;
pub mod policy;
pub mod result_file;
pub mod script;
pub mod session;

pub use defects::ReaderDefect;
pub use engine::{Call, CallFailure, ReaderMachine, Reply, Step, VisitInput};
pub use outcome::{CardFront, ReaderConfig, ReaderEvent, ReaderOutcome, ReaderResult};
pub use script::{AuthChoice, Operator, PatientScript};
pub use session::run;
