//! Fuzz target: see fuzz/README.md and `basebench::fuzzing::dockerfile`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| basebench::fuzzing::dockerfile(data));
