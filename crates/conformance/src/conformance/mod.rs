//! The conformance suite: the cucumber World and its step plumbing, run orchestration
//! and traceability. The requirement catalogue is [`onshi_domain::rules::catalogue`].

pub mod cast;
pub mod clinic;
pub mod collector;
pub mod env;
pub mod execute;
pub mod faulty;
pub mod forgery;
pub mod lint;
pub mod remote;
pub mod run;
pub mod shuffle;
pub mod visit;
pub mod world;
