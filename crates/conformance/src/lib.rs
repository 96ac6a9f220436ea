//! The conformance suite: the run environment, one visit end to end, the cucumber World, the collector and the runner.

pub mod conformance;
pub mod fuzzing;
