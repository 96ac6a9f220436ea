//! Fuzz target `reader_apdu`: card answers to the built-in reader's engine (`onshi_reader::fuzzing::reader_apdu`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| onshi_reader::fuzzing::reader_apdu(data));
