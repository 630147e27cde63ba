//! The `basebench` binary: parse arguments, run, print errors with their context.
fn main() {}
