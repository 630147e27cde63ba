//! basebench: build, run and measure Dockerfile variants of one application, and render
//! the decision matrix.
//!
//! Data flows one way: [`config`] → [`bench`] (through the [`engine`]) →
//! [`results`] → [`matrix`] → [`export`] → [`writer`]. See ARCHITECTURE.md.

pub mod anatomy;
pub mod bases;
pub(crate) mod bench;
pub mod cli;
pub mod commands;
pub mod config;
pub mod context;
pub(crate) mod dockerfile;
pub mod engine;
pub mod export;
pub(crate) mod format;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub(crate) mod gates;
pub mod history;
pub mod matrix;
pub(crate) mod probe;
pub mod registry;
pub(crate) mod reporter;
pub mod results;
pub mod stats;
pub(crate) mod writer;
