//! Reading Dockerfiles: `FROM` references and their substitution, stages, the files
//! `COPY`/`ADD` bring in from the context, and a conservative lint for the mistakes the seed
//! article's Dockerfiles make.
//!
//! Everything here is pure text processing; nothing touches Docker.

mod copy;
mod expand;
mod from;
pub(crate) mod lint;
mod parse;
pub(crate) mod precompile;
pub(crate) mod reference;
pub(crate) mod rewrite;
mod shell;
mod source;

pub(crate) use copy::copy_sources;
pub(crate) use from::{resolve_bases, rewrite_bases};
pub(crate) use lint::{Severity, bytecode_findings, lint};
#[cfg(feature = "fuzzing")]
pub(crate) use source::decode;
pub(crate) use source::{Source, read};

/// Errors reading or rewriting a Dockerfile; each names the line and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum DockerfileError {
    /// The text cannot be read as a Dockerfile.
    #[error("Dockerfile line {line}: {message}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// What is wrong and what to do.
        message: String,
    },
    /// A `FROM` line uses a variable that no global `ARG` (before the first `FROM`) or
    /// build argument gives a value.
    #[error(
        "Dockerfile line {line}: FROM uses ${{{name}}}, which has no value: declare `ARG {name}=<default>` before the first FROM or pass it in `build_args`"
    )]
    UnknownArg {
        /// 1-based line of the `FROM`.
        line: usize,
        /// The variable name.
        name: String,
    },
    /// A `FROM` line has no image reference.
    #[error("Dockerfile line {line}: FROM has no image (write `FROM <image>[:tag] [AS name]`)")]
    MissingImage {
        /// 1-based line of the `FROM`.
        line: usize,
    },
    /// The Dockerfile has no `FROM` at all.
    #[error("the Dockerfile has no FROM instruction: add `FROM <image>` as its first instruction")]
    NoFrom,
}
