//! One module per subcommand: its clap arguments and what it does.

pub mod bases;
pub mod check;
pub mod clean;
pub mod compare;
pub mod inspect;
pub mod run;
pub mod trend;

use std::io::IsTerminal;

use crate::engine::Engine;
use crate::engine::docker::DockerEngine;
use crate::engine::fake::FakeEngine;

/// Environment variable that selects the scripted engine (tests only).
pub const ENGINE_ENV: &str = "BASEBENCH_ENGINE";

/// Connect to the engine: the Docker daemon, or the scripted fake when
/// `BASEBENCH_ENGINE=fake` (used by the fast CLI tests).
pub async fn connect_engine() -> anyhow::Result<Box<dyn Engine>> {
    if std::env::var(ENGINE_ENV).is_ok_and(|v| v == "fake") {
        return Ok(Box::new(FakeEngine::default()));
    }
    Ok(Box::new(DockerEngine::connect().await?))
}

/// Colours in terminal output: on for a terminal unless `NO_COLOR` is set.
pub fn color_enabled() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
}
