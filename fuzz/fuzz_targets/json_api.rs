//! Fuzz target `json_api`: a JSON API request body (`onshi_backend::fuzzing::json_api`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| onshi_backend::fuzzing::json_api(data));
