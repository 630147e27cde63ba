//! `basebench bases`: build, list, remove or push (`bases_push.rs`) the stand-in base
//! images made from Debian packages for machines where no registry answers.

use std::path::PathBuf;

use super::{CliError, CommandResult, ExitCode};
use crate::bases::{
    self, ARTICLE_BASES, NoStandIn, StandInError, StandInOptions, normalize, recipe_for,
};
use crate::engine::Engine;
use crate::export::escape::{terminal, terminal_text};

/// Arguments of `basebench bases`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct BasesArgs {
    /// Bases to build stand-ins for (default: the article's ubuntu:20.04, python:3.9-slim,
    /// gcr.io/distroless/python3 and debian:12; python:3.9-alpine is reported as impossible).
    pub(crate) bases: Vec<String>,
    /// Build again even when a stand-in already exists.
    #[arg(long, conflicts_with_all = ["list", "remove"])]
    pub(crate) rebuild: bool,
    /// List the stand-ins on the daemon instead of building.
    #[arg(long, conflicts_with = "remove")]
    pub(crate) list: bool,
    /// Remove the stand-ins (of the given bases, or all of basebench's).
    #[arg(long)]
    pub(crate) remove: bool,
    /// Push the stand-ins (of the given bases, or all) to this registry
    /// (`HOST[:PORT][/PREFIX]`) and print the `[substitute]` lines that pull them.
    #[arg(long, value_name = "REGISTRY", conflicts_with_all = ["list", "remove", "rebuild"])]
    pub(crate) push: Option<String>,
    /// Debian mirror to build from (default: the one the host's apt sources name; with
    /// neither, building stops with exit 2).
    #[arg(long, value_name = "URL", env = bases::mirror::MIRROR_ENV)]
    pub(crate) mirror: Option<String>,
    /// The mmdebstrap program to run.
    #[arg(long, value_name = "PATH", default_value = "mmdebstrap")]
    pub(crate) mmdebstrap: PathBuf,
    /// Which engine.
    #[command(flatten)]
    pub(crate) engine_args: super::EngineArgs,
}

/// Runs `basebench bases`: [`ExitCode::Failed`] when a requested stand-in could not be
/// made, [`ExitCode::Usage`] when no Debian mirror is set or known or `--mirror` is not a URL.
pub(crate) async fn run(args: BasesArgs) -> CommandResult {
    let engine = super::connect_engine(&args.engine_args).await?;
    run_with(engine.as_ref(), &args).await
}

/// `basebench bases` against a given engine.
pub(crate) async fn run_with(engine: &dyn Engine, args: &BasesArgs) -> CommandResult {
    if args.list {
        return list(engine).await;
    }
    if let Some(registry) = &args.push {
        let target = super::bases_push::target(registry)?;
        let images = listed(engine).await?;
        return super::bases_push::push(engine, images, &args.bases, &target).await;
    }
    if let Some(uri) = &args.mirror
        && let Err(message) = bases::mirror::check_uri(uri.trim())
    {
        return Err(CliError::usage_msg(format!("--mirror {message}")));
    }
    let mut options = StandInOptions::from_host(args.mirror.as_deref());
    options.mmdebstrap = args.mmdebstrap.clone();
    if args.remove {
        return remove(engine, args, &options).await;
    }
    let requested: Vec<String> = if args.bases.is_empty() {
        ARTICLE_BASES.iter().map(|b| b.to_string()).collect()
    } else {
        args.bases.clone()
    };
    // mmdebstrap's and the daemon's output, escaped for the terminal.
    let progress = |line: &str| println!("{}", terminal(line));
    let mut failed = 0;
    for base in &requested {
        match bases::ensure_stand_in_with(engine, base, &options, args.rebuild, &progress).await {
            Ok(stand_in) => println!(
                "{:<34} -> {} ({:.1} MB, {})",
                stand_in.requested,
                stand_in.reference,
                stand_in.size_bytes as f64 / 1e6,
                if stand_in.built {
                    "built"
                } else {
                    "already present"
                }
            ),
            Err(e @ StandInError::NoMirror { .. }) => return Err(CliError::usage(e)),
            Err(e) => {
                failed += 1;
                eprintln!("Error: {}", terminal_text(&e.to_string()));
            }
        }
    }
    if args.bases.is_empty() {
        // The article's fifth base: say why it has no stand-in.
        if let Err(e) = recipe_for("python:3.9-alpine") {
            println!("{:<34} -> no stand-in: {e}", "python:3.9-alpine");
        }
    }
    Ok(if failed == 0 {
        ExitCode::Success
    } else {
        ExitCode::Failed
    })
}

async fn list(engine: &dyn Engine) -> CommandResult {
    let found = listed(engine).await?;
    if found.is_empty() {
        println!("no stand-in images; `basebench bases` builds them");
    }
    for image in found {
        let tags = if image.tags.is_empty() {
            image.image_id.clone()
        } else {
            image.tags.join(", ")
        };
        let built_with = image
            .labels
            .get(bases::MMDEBSTRAP_LABEL)
            .cloned()
            .unwrap_or_default();
        let line = format!(
            "{:<34} {tags} ({:.1} MB, {built_with})",
            image.requested,
            image.size_bytes as f64 / 1e6
        );
        println!("{}", terminal(&line));
    }
    Ok(ExitCode::Success)
}

/// The stand-ins on the daemon; failing to list them is the engine's failure (exit 3).
async fn listed(engine: &dyn Engine) -> Result<Vec<bases::StandInImage>, CliError> {
    bases::list_stand_ins(engine).await.map_err(|e| {
        CliError::environment(anyhow::Error::new(e).context("listing stand-in images"))
    })
}

async fn remove(engine: &dyn Engine, args: &BasesArgs, options: &StandInOptions) -> CommandResult {
    let requested: Vec<String> = if args.bases.is_empty() {
        listed(engine)
            .await?
            .into_iter()
            .map(|i| i.requested)
            .filter(|r| !r.is_empty())
            .collect()
    } else {
        args.bases.clone()
    };
    for base in requested {
        if let Err(NoStandIn::Unknown { .. }) = recipe_for(&base) {
            println!("{base}: not a base basebench stands in for");
            continue;
        }
        let removed = bases::remove_stand_in(engine, &base, &options.prefix)
            .await
            .map_err(CliError::environment)?;
        let what = if removed {
            "removed"
        } else {
            "no stand-in present"
        };
        println!("{:<34} {what}", normalize(&base));
    }
    Ok(ExitCode::Success)
}
