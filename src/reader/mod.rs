//! The built-in simulated face-recognition card reader (顔認証付きカードリーダー).
//!
//! - [`script`]: what the patient does (the scenario's input).
//! - [`policy`]: pure decisions — which method next, lockout, face threshold.
//! - [`card_ops`]: the reader's APDU exchanges over any `CardChannel`.
//! - [`session`]: one patient end to end, against any `QualificationBackend`.
//! - [`result_file`]: the face-result XML file handed to the clinic system.

pub mod card_ops;
pub mod control;
pub mod policy;
pub mod result_file;
pub mod script;
pub mod session;

pub use script::{AuthChoice, Operator, PatientScript};
pub use session::{CardFront, ReaderConfig, ReaderEvent, ReaderOutcome, ReaderResult, run};
