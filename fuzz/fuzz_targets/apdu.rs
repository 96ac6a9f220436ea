//! Fuzz target `apdu`: command APDUs for a persona's virtual card (`onshi_world::fuzzing::apdu`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| onshi_world::fuzzing::apdu(data));
