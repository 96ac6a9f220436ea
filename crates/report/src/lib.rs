//! The conformance report: model, JSON / JUnit / Markdown / HTML sinks, atomic report directories.

pub mod report;
