//! Qualification backends: the reference backend (a pure engine in an axum shell, XML and folder faces, faults and defects) and the clients every command uses to reach a backend under test.

pub mod backend;
pub mod fuzzing;
pub mod server;
