//! Integration tests against the real Docker daemon, with images the tests build
//! themselves (`FROM scratch` + the static C test app, see `tests/support/`): the engine's
//! containers, builds, export and import, image anatomy on a real export, one real stand-in
//! build, and the whole `basebench run` pipeline. They fail loudly without a daemon. One
//! test binary; each file is one module.
//!
//! What runs without a daemon is in `tests/offline/`.

#[path = "../support/mod.rs"]
mod support;

mod anatomy;
mod bases;
mod build_stall;
mod bytecode;
mod clean;
mod context_faults;
mod context_transfer;
mod engine;
mod engine_build;
mod engine_choice;
mod engine_loss;
mod faults;
mod hosts;
mod optimize;
mod podman;
mod registry;
mod run;
mod ssh;
mod verdicts;
