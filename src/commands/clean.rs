//! `basebench clean`: remove what crashed or interrupted runs left on the daemon.

use clap::Args;

use crate::bench::sweep_run;
use crate::engine::{Engine, STAND_IN_LABEL};

/// Arguments of `basebench clean`.
#[derive(Debug, Args)]
pub struct CleanArgs {
    /// Remove only what this run id created (default: every basebench run).
    #[arg(long, value_name = "RUN_ID")]
    pub run: Option<String>,
    /// Also remove the stand-in base images (rebuilt on next use).
    #[arg(long)]
    pub bases: bool,
}

/// Remove labelled leftovers; returns the exit code.
pub async fn run(args: CleanArgs) -> anyhow::Result<i32> {
    let engine = super::connect_engine().await?;
    let removed = sweep_run(engine.as_ref(), args.run.as_deref(), &[]).await?;
    let mut bases = 0;
    if args.bases {
        bases = remove_stand_ins(engine.as_ref()).await?;
    }
    let scope = args.run.as_deref().map_or("all runs".to_string(), |id| format!("run {id}"));
    println!(
        "Removed {} container(s) and {} image(s) of {scope}{}.",
        removed.containers.len(),
        removed.images.len(),
        if args.bases { format!(", and {bases} stand-in base image(s)") } else { String::new() }
    );
    Ok(0)
}

async fn remove_stand_ins(engine: &dyn Engine) -> anyhow::Result<usize> {
    let found = engine.list_labelled(STAND_IN_LABEL).await?;
    for id in &found.images {
        engine.remove_image(id).await?;
    }
    Ok(found.images.len())
}
