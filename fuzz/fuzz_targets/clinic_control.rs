//! Fuzz target `clinic_control`: a body of the clinic-control API (`onshi_domain::fuzzing::clinic_control`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| onshi_domain::fuzzing::clinic_control(data));
