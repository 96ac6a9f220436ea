//! The conformance suite: the requirement catalogue, the cucumber World and its step
//! plumbing, run orchestration and traceability.

pub mod collector;
pub mod env;
pub mod faulty;
pub mod lint;
pub mod remote;
pub mod requirements;
pub mod run;
pub mod visit;
pub mod world;
