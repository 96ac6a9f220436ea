//! The protocol's vocabulary, shared by every system that speaks it: the reference
//! backend, the backend clients, the reader and load.
//!
//! | file | concept |
//! |---|---|
//! | [`wire`] | the HTTP JSON bodies of `/v1/…` (challenge, card and numbers confirmation, registration, errors) |
//! | [`result_code`] | the `ONS-…` result-code namespace ([`ResultCode`]) |
//! | [`answer`] | what an answer means at the window: its code, and the clinic's reading ([`confirmation_outcome`]) |
//! | [`clock`] | the run clock: as-of + monotonic elapsed time ([`ServerClock`]) |

pub mod answer;
pub mod clock;
pub mod result_code;
pub mod wire;

pub use answer::{PresentedPerson, confirmation_outcome};
pub use clock::{RequestTime, ServerClock, Tick};
pub use result_code::{CodeClass, ResultCode};
