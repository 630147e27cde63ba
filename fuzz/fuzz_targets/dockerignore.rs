//! Fuzz target: see fuzz/README.md and `basebench::fuzzing::dockerignore`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| basebench::fuzzing::dockerignore(data));
