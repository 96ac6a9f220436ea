//! onshi — a conformance and load-test harness for Japan's online eligibility
//! verification (オンライン資格確認) with the My Number Card as health-insurance card.
//!
//! This crate is the facade of the workspace: it re-exports each crate's modules under
//! one name for the `onshi` binary and the integration tests. The crates themselves,
//! and what each may depend on, are described in `docs/architecture.md`.

pub use onshi_backend::backend;
pub use onshi_backend::server;
pub use onshi_card::card;
pub use onshi_clinic::clinic;
pub use onshi_conformance::conformance;
pub use onshi_domain::codes;
pub use onshi_domain::message;
pub use onshi_domain::protocol;
pub use onshi_domain::rules;
pub use onshi_domain::xml;
pub use onshi_load::load;
pub use onshi_pki::pki;
pub use onshi_reader::bench;
pub use onshi_reader::cardcheck;
pub use onshi_reader::cardstate;
pub use onshi_reader::channel;
pub use onshi_reader::facefont;
pub use onshi_reader::reader;
pub use onshi_reader::vpcd;
pub use onshi_report::report;
pub use onshi_support::failure;
pub use onshi_support::fsutil;
pub use onshi_support::hex;
pub use onshi_support::stop;
pub use onshi_support::tomlsrc;
pub use onshi_world::defaults;
pub use onshi_world::oracle;
pub use onshi_world::persona;
pub use onshi_world::population;
