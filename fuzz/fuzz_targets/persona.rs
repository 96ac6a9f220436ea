//! Fuzz target `persona`: a persona file (virtual-cards/*.toml) (`onshi_world::fuzzing::persona`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| onshi_world::fuzzing::persona(data));
