//! The XML codec of the qualification messages: snapshots, round trips, robustness.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

#[path = "xml/common/mod.rs"]
mod common;
#[path = "xml/robustness.rs"]
mod robustness;
#[path = "xml/round_trip.rs"]
mod round_trip;
#[path = "xml/snapshots.rs"]
mod snapshots;
