//! Fuzz target `reader_control`: a reader's answer through the reader-control API (`onshi_conformance::fuzzing::reader_control`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| onshi_conformance::fuzzing::reader_control(data));
