//! The XML codec of the qualification messages: snapshots, round trips, robustness.

#[path = "xml/common/mod.rs"]
mod common;
#[path = "xml/robustness.rs"]
mod robustness;
#[path = "xml/round_trip.rs"]
mod round_trip;
#[path = "xml/snapshots.rs"]
mod snapshots;
