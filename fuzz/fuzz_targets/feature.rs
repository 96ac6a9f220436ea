//! Fuzz target `feature`: a Gherkin feature file (`onshi_conformance::fuzzing::feature`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| onshi_conformance::fuzzing::feature(data));
