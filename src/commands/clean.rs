//! `basebench clean`: remove what crashed or interrupted runs left on the daemon.
//! Stand-in bases are kept (they are slow to make); `basebench bases --remove` removes them.

use clap::Args;

use super::{CommandResult, ExitCode};
use crate::bench::sweep_run;

/// Arguments of `basebench clean`.
#[derive(Debug, Args)]
pub(crate) struct CleanArgs {
    /// Remove only what this run id created (default: every basebench run).
    #[arg(long, value_name = "RUN_ID")]
    pub(crate) run: Option<String>,
}

/// Remove labelled leftovers.
pub(crate) async fn run(args: CleanArgs) -> CommandResult {
    let engine = super::connect_engine().await?;
    let removed = sweep_run(engine.as_ref(), args.run.as_deref(), &[]).await?;
    let scope = args
        .run
        .as_deref()
        .map_or("all runs".to_string(), |id| format!("run {id}"));
    println!(
        "Removed {} container(s) and {} image(s) of {scope}. Stand-in bases are kept \
         (`basebench bases --remove` removes them).",
        removed.containers.len(),
        removed.images.len(),
    );
    Ok(ExitCode::Success)
}
