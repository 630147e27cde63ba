//! One module per subcommand: its clap arguments and what it does. Each returns a
//! [`CommandResult`]: the [`ExitCode`] of its outcome, or a [`CliError`] carrying one.

pub(crate) mod bases;
mod bases_push;
pub mod check;
pub(crate) mod clean;
pub mod compare;
mod exit;
pub(crate) mod inspect;
pub mod merge;
pub(crate) mod optimize;
pub(crate) mod run;
mod run_hosts;
pub mod trend;

pub use exit::{CliError, CommandResult, ExitCode};

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::engine::address::{EngineKind, EngineRequest};
use crate::engine::docker::DockerEngine;
use crate::engine::{Engine, EngineError};

/// Which engine to talk to: the flags every command that uses an engine takes. Without
/// them basebench follows the Docker settings (`DOCKER_HOST`, `DOCKER_TLS_VERIFY`,
/// `DOCKER_CONTEXT`, the current context), as the docker CLI does.
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct EngineArgs {
    /// The engine's address, `unix:///path/to.sock` or `tcp://HOST:PORT`; overrides
    /// DOCKER_HOST and the Docker context.
    #[arg(long, value_name = "URL", conflicts_with = "engine")]
    pub(crate) host: Option<String>,
    /// The kind of engine: `podman` finds Podman's API socket
    /// ($XDG_RUNTIME_DIR/podman/podman.sock, /run/podman/podman.sock).
    #[arg(long, value_enum, default_value_t)]
    pub(crate) engine: EngineKind,
}

impl EngineArgs {
    fn request(&self) -> EngineRequest {
        EngineRequest {
            host: self.host.clone(),
            kind: self.engine,
        }
    }
}

/// The engine flags of `basebench run`: as [`EngineArgs`], except that `--host` may be
/// given more than once, to run one shard per engine at the same time.
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct RunEngineArgs {
    /// The engine's address, `unix:///path/to.sock` or `tcp://HOST:PORT`; overrides
    /// DOCKER_HOST and the Docker context. Given more than once (with `--reference`), the
    /// variants are split into one shard per engine, measured at the same time, and merged.
    #[arg(long = "host", value_name = "URL", conflicts_with = "engine")]
    pub(crate) hosts: Vec<String>,
    /// The kind of engine: `podman` finds Podman's API socket
    /// ($XDG_RUNTIME_DIR/podman/podman.sock, /run/podman/podman.sock).
    #[arg(long, value_enum, default_value_t)]
    pub(crate) engine: EngineKind,
}

impl RunEngineArgs {
    /// The one engine of a run on at most one host (`hosts`: the flags or the config's).
    pub(crate) fn on_first(&self, hosts: &[String]) -> EngineArgs {
        EngineArgs {
            host: hosts.first().cloned(),
            engine: self.engine,
        }
    }

    /// The engine of one `--host` of several.
    pub(crate) fn on(&self, host: &str) -> EngineArgs {
        EngineArgs {
            host: Some(host.to_string()),
            engine: self.engine,
        }
    }
}

/// Environment variable that selects the scripted engine (tests only).
pub(crate) const ENGINE_ENV: &str = "BASEBENCH_ENGINE";

/// Connect to the engine: the Docker daemon, or the scripted fake when
/// `BASEBENCH_ENGINE=fake` (used by the fast CLI tests; only in a build with the
/// `fake-engine` feature, which the test suite turns on and a release build leaves out).
pub(crate) async fn connect_engine(args: &EngineArgs) -> Result<Box<dyn Engine>, EngineError> {
    if std::env::var(ENGINE_ENV).is_ok_and(|v| v == "fake") {
        return scripted_engine();
    }
    Ok(Box::new(
        DockerEngine::connect_requested(&args.request()).await?,
    ))
}

/// The scripted engine of the tests.
#[cfg(feature = "fake-engine")]
fn scripted_engine() -> Result<Box<dyn Engine>, EngineError> {
    Ok(Box::new(crate::engine::fake::FakeEngine::default()))
}

/// A build without the scripted engine says so rather than measuring nothing.
#[cfg(not(feature = "fake-engine"))]
fn scripted_engine() -> Result<Box<dyn Engine>, EngineError> {
    Err(EngineError::Api {
        action: format!("selecting the engine {ENGINE_ENV}=fake names"),
        message: "this basebench is built without the scripted test engine (the cargo \
                  feature `fake-engine`, which only the test suite turns on); unset \
                  BASEBENCH_ENGINE to use the Docker daemon"
            .to_string(),
    })
}

/// Colours in terminal output: on for a terminal unless `NO_COLOR` is set.
pub(crate) fn color_enabled() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
}

/// The working directory, which relative paths on the command line start from.
pub(crate) fn working_dir() -> Result<PathBuf, CliError> {
    std::env::current_dir().map_err(|e| {
        CliError::environment(anyhow::Error::new(e).context("cannot read the working directory"))
    })
}
