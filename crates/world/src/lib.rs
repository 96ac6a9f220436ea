//! The test world: personas and their ground truth, the embedded defaults, the generated population, and the oracle that judges a visit against the ground truth.

pub mod defaults;
pub mod fuzzing;
pub mod oracle;
pub mod persona;
pub mod population;
