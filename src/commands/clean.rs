//! `basebench clean`: remove what crashed or interrupted runs left on the daemon: the
//! containers basebench created and the images of its runs. Images kept with
//! `--keep-images` (labelled `basebench.keep`), whatever is built or run from them, and
//! containers the user started from a basebench image are left alone. Stand-in bases are
//! kept (they are slow to make); `basebench bases --remove` removes them.

use clap::Args;

use super::{CommandResult, ExitCode};
use crate::bench::{Sweep, plan_sweep};
use crate::export::escape;

/// Arguments of `basebench clean`.
#[derive(Debug, Args)]
pub(crate) struct CleanArgs {
    /// Remove only what this run id created (default: every basebench run).
    #[arg(long, value_name = "RUN_ID")]
    pub(crate) run: Option<String>,
    /// List what would be removed; remove nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Which engine.
    #[command(flatten)]
    pub(crate) engine_args: super::EngineArgs,
}

/// Remove labelled leftovers (or list them with `--dry-run`).
pub(crate) async fn run(args: CleanArgs) -> CommandResult {
    let engine = super::connect_engine(&args.engine_args).await?;
    let sweep = plan_sweep(engine.as_ref(), args.run.as_deref(), &[], true).await?;
    let scope = args
        .run
        .as_deref()
        .map_or("all runs".to_string(), |id| format!("run {id}"));
    if args.dry_run {
        print!("{}", listing(&sweep, &escape::terminal(&scope)));
        return Ok(ExitCode::Success);
    }
    crate::bench::apply_sweep(engine.as_ref(), &sweep).await?;
    println!(
        "Removed {} container(s) and {} image(s) of {}.{} Stand-in bases are kept \
         (`basebench bases --remove` removes them).",
        sweep.containers.len(),
        sweep.images.len(),
        escape::terminal(&scope),
        left_alone(&sweep),
    );
    Ok(ExitCode::Success)
}

/// What a dry run prints: every object it would remove, one a line, then what it leaves.
fn listing(sweep: &Sweep, scope: &str) -> String {
    let mut out = format!(
        "Would remove {} container(s) and {} image(s) of {scope}:\n",
        sweep.containers.len(),
        sweep.images.len()
    );
    for (id, name) in &sweep.containers {
        out.push_str(&format!(
            "  container {} {}\n",
            short(id),
            escape::terminal(name)
        ));
    }
    for id in &sweep.images {
        out.push_str(&format!("  image {}\n", short(id)));
    }
    let left = left_alone(sweep);
    if !left.is_empty() {
        out.push_str(left.trim_start());
        out.push('\n');
    }
    out
}

/// ` Left alone: …` when a kept image or a foreign container was found, else empty.
fn left_alone(sweep: &Sweep) -> String {
    if sweep.kept_images == 0 && sweep.foreign_containers == 0 {
        return String::new();
    }
    format!(
        " Left alone: {} image(s) kept with --keep-images (remove them with `docker rmi`) \
         and {} container(s) basebench did not create.",
        sweep.kept_images, sweep.foreign_containers
    )
}

/// The 12 hex digits `docker ps` and `docker images` show.
fn short(id: &str) -> &str {
    let hex = id.strip_prefix("sha256:").unwrap_or(id);
    &hex[..hex.len().min(12)]
}
