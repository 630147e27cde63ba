//! `basebench clean`: remove what crashed or interrupted runs left on the daemon: the
//! containers basebench created and the images of its runs. Images kept with
//! `--keep-images` (labelled `basebench.keep`), whatever is built or run from them, and
//! containers the user started from a basebench image are left alone. Stand-in bases are
//! kept (they are slow to make); `basebench bases --remove` removes them. With
//! `--registry RESULTS`, it first deletes from the registry the tags that run pushed.

use std::path::{Path, PathBuf};

use clap::Args;

use super::{CliError, CommandResult, ExitCode};
use crate::bench::{Sweep, plan_sweep};
use crate::export::escape;
use crate::registry::delete::{Deletion, delete_reference};

/// Arguments of `basebench clean`.
#[derive(Debug, Args)]
pub(crate) struct CleanArgs {
    /// Remove only what this run id created (default: every basebench run).
    #[arg(long, value_name = "RUN_ID")]
    pub(crate) run: Option<String>,
    /// List what would be removed; remove nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Also delete from the registry the tags the run of this results.json pushed
    /// (`run --registry`); the registry must allow deletion.
    #[arg(long, value_name = "RESULTS")]
    pub(crate) registry: Option<PathBuf>,
    /// Which engine.
    #[command(flatten)]
    pub(crate) engine_args: super::EngineArgs,
}

/// Remove labelled leftovers (or list them with `--dry-run`).
pub(crate) async fn run(args: CleanArgs) -> CommandResult {
    // The registry first (it needs no engine); its refusal is the exit code at the end,
    // after the daemon's leftovers are removed all the same.
    let registry = match &args.registry {
        Some(results) => clean_registry(results, args.dry_run).await,
        None => Ok(()),
    };
    if let Err(e) = &registry
        && e.code != ExitCode::Failed
    {
        return registry.map(|()| ExitCode::Success);
    }
    let engine = super::connect_engine(&args.engine_args).await?;
    let sweep = plan_sweep(engine.as_ref(), args.run.as_deref(), &[], true).await?;
    let scope = args
        .run
        .as_deref()
        .map_or("all runs".to_string(), |id| format!("run {id}"));
    if args.dry_run {
        print!("{}", listing(&sweep, &escape::terminal(&scope)));
        return registry.map(|()| ExitCode::Success);
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
    registry.map(|()| ExitCode::Success)
}

/// Delete (or, with `dry_run`, list) every tag the run of `results` pushed. A registry
/// that does not allow deletion is said so for each tag (exit 1 at the end); one that
/// cannot be reached stops with exit 3.
async fn clean_registry(results: &Path, dry_run: bool) -> Result<(), CliError> {
    let results = crate::results::read_results(results)?;
    let pushed = crate::results::pushed_references(&results);
    if dry_run {
        println!("Would delete {} tag(s) from the registry:", pushed.len());
        for reference in &pushed {
            println!("  {}", escape::terminal(reference));
        }
        return Ok(());
    }
    let (mut deleted, mut absent, mut disabled) = (0, 0, 0);
    for reference in &pushed {
        let shown = escape::terminal(reference);
        match delete_reference(reference).await {
            Ok(Deletion::Deleted) => {
                deleted += 1;
                println!("deleted {shown}");
            }
            Ok(Deletion::NotFound) => {
                absent += 1;
                println!("not there (already deleted?): {shown}");
            }
            Ok(Deletion::Disabled) => {
                disabled += 1;
                println!("not deleted, the registry does not allow deletion: {shown}");
            }
            Err(e) => return Err(CliError::environment(anyhow::anyhow!("{e}"))),
        }
    }
    if disabled > 0 {
        return Err(CliError {
            code: ExitCode::Failed,
            source: anyhow::anyhow!(
                "{disabled} tag(s) not deleted: the registry answers 405 to a delete; enable \
                 it in the registry's config (distribution: `storage: delete: enabled: true`) \
                 or delete them there"
            ),
        });
    }
    println!(
        "Registry: {deleted} tag(s) deleted, {absent} not there; the registry frees their \
         blobs when its garbage collection runs."
    );
    Ok(())
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
