//! Step definitions of the Japanese Gherkin suite, grouped by concept (setup, visits,
//! checks). They live in the binary so cucumber's `inventory` collects them.

mod given;
mod then;
mod when;

/// Referenced by `onshi run` so the linker keeps this module (and its steps).
pub(crate) fn link() {}
