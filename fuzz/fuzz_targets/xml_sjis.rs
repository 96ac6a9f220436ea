//! Fuzz target `xml_sjis`: XML messages in Shift_JIS (`onshi_domain::fuzzing::xml_sjis`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| onshi_domain::fuzzing::xml_sjis(data));
