//! Fuzz target `xml_utf8`: XML messages, UTF-8 (or as declared) (`onshi_domain::fuzzing::xml_utf8`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| onshi_domain::fuzzing::xml_utf8(data));
