//! Engine tests: card path, numbers path, registration, bulk, calendar boundaries,
//! bad input, and one test per defect (clean vs defective).

mod auth_defects;
mod bad_input;
mod calendar;
mod card;
mod defects;
mod emergency;
mod numbers;
mod snapshots;
pub(crate) mod world;
