//! Exit codes, decided in one place. Every command returns the [`ExitCode`] of its outcome
//! or a [`CliError`] that carries one; `main` prints the error once (`Error: {:#}`) and
//! exits with its code. The README's exit-code table is this file.

use std::fmt;

use crate::config::ConfigError;
use crate::engine::EngineError;
use crate::results::ResultsFileError;
use crate::writer::WriteError;

/// How a command ended, as the process exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// 0: done; every variant works and every gate holds.
    Success,
    /// 1: the command ran and the answer is "no": a variant does not work (`run`), a gate
    /// fails (`check`), a stand-in could not be built (`bases`).
    Failed,
    /// 2: bad input: a flag, the config, an input file (results, history, image archive), or
    /// a name (variant, image) that is not there.
    Usage,
    /// 3: the environment failed: Docker is unavailable or a call to it failed, or an output
    /// file cannot be written.
    Environment,
    /// 130: interrupted by Ctrl-C or SIGTERM.
    Interrupted,
}

impl ExitCode {
    /// The process exit status.
    pub fn code(self) -> i32 {
        match self {
            ExitCode::Success => 0,
            ExitCode::Failed => 1,
            ExitCode::Usage => 2,
            ExitCode::Environment => 3,
            ExitCode::Interrupted => 130,
        }
    }
}

/// An error that ended a command, with the exit code it means.
#[derive(Debug)]
pub struct CliError {
    /// The exit code (never [`ExitCode::Success`]).
    pub code: ExitCode,
    /// What went wrong, with its context; printed as `Error: {:#}`.
    pub(crate) source: anyhow::Error,
}

impl CliError {
    /// Bad input (exit 2).
    pub(crate) fn usage(source: impl Into<anyhow::Error>) -> Self {
        CliError {
            code: ExitCode::Usage,
            source: source.into(),
        }
    }

    /// The environment failed (exit 3).
    pub(crate) fn environment(source: impl Into<anyhow::Error>) -> Self {
        CliError {
            code: ExitCode::Environment,
            source: source.into(),
        }
    }

    /// Bad input described by a message (exit 2).
    pub(crate) fn usage_msg(message: impl fmt::Display) -> Self {
        CliError::usage(anyhow::anyhow!("{message}"))
    }
}

/// The message with its context, as `main` prints it. Errors quote what daemons, images,
/// logs and results files said, so every control character is shown as a visible escape
/// (newlines between lines are kept).
impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = format!("{:#}", self.source);
        f.write_str(&crate::export::escape::terminal_text(&text))
    }
}

impl From<ConfigError> for CliError {
    fn from(e: ConfigError) -> Self {
        CliError::usage(e)
    }
}

impl From<ResultsFileError> for CliError {
    fn from(e: ResultsFileError) -> Self {
        CliError::usage(e)
    }
}

impl From<EngineError> for CliError {
    fn from(e: EngineError) -> Self {
        CliError::environment(e)
    }
}

impl From<WriteError> for CliError {
    fn from(e: WriteError) -> Self {
        CliError::environment(e)
    }
}

/// What every command returns: the exit code of its outcome, or the error that ended it.
pub type CommandResult = Result<ExitCode, CliError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_error_carries_its_code() {
        let config = ConfigError::Invalid {
            origin: "basebench.toml".into(),
            key: "runs".into(),
            message: "must be at least 1 (got 0)".into(),
        };
        assert_eq!(CliError::from(config).code.code(), 2);
        let engine = EngineError::Unavailable {
            host: "unix:///nonexistent".into(),
            message: "no socket".into(),
        };
        let error = CliError::from(engine);
        assert_eq!(error.code.code(), 3);
        assert!(error.to_string().contains("DOCKER_HOST"), "{error}");
        let codes: Vec<i32> = [
            ExitCode::Success,
            ExitCode::Failed,
            ExitCode::Usage,
            ExitCode::Environment,
            ExitCode::Interrupted,
        ]
        .iter()
        .map(|c| c.code())
        .collect();
        assert_eq!(codes, [0, 1, 2, 3, 130]);
    }
}
