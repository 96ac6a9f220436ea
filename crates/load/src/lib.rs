//! onshi load: peak-morning load with Goose, every answer checked for meaning, HdrHistograms, SLOs, shards and merge.

pub mod fuzzing;
pub mod load;
