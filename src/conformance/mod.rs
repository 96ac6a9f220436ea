//! The conformance suite: the requirement catalogue, the cucumber World and its step
//! plumbing, run orchestration and traceability.

pub mod requirements;
