//! The clinic system (レセコン / 受付) as a system under test: onshi's reference clinic
//! (the pure desk of `onshi_domain::clinic` with its own numbers query) and the
//! clinic-control API's client and server.

pub mod clinic;
