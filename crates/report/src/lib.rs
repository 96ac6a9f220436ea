//! Reports: the conformance report (model, JSON / Markdown / HTML sinks), the JUnit
//! writer and the atomic run directory shared by the conformance suite and `onshi load`.

pub mod report;
