//! Fuzz target `scenario`: a load scenario file (scenarios/*.toml) (`onshi_load::fuzzing::scenario`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| onshi_load::fuzzing::scenario(data));
