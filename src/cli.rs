//! Command-line definitions: parsing only. Each subcommand's arguments and behaviour live
//! in [`crate::commands`].

use clap::{Parser, Subcommand};

use crate::commands;

/// Which base image should we build on, and what does each choice really cost?
///
/// basebench builds Dockerfile variants of one app through the Docker Engine API and
/// measures image size and layers, cold/cached/incremental build time, startup to the
/// first healthy HTTP answer, latency, memory, and what is inside each image.
#[derive(Debug, Parser)]
#[command(name = "basebench", version, about, long_about, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Build, run and measure every variant; print the matrix and write the reports.
    Run(Box<commands::run::RunArgs>),
    /// Analyse what is inside an image (local, or a `docker save` archive).
    Inspect(commands::inspect::InspectArgs),
    /// Build, list or remove the stand-in base images made from Debian packages.
    Bases(commands::bases::BasesArgs),
    /// Fail (exit 1) when results cross size, startup or regression limits.
    Check(commands::check::CheckArgs),
    /// Show the differences between two results files.
    Compare(commands::compare::CompareArgs),
    /// Merge the results of several shards (or runs) on one testbed into one report.
    Merge(commands::merge::MergeArgs),
    /// Show size, build time and startup per variant over the run history.
    Trend(commands::trend::TrendArgs),
    /// Rewrite a Dockerfile with each of the article's fixes that applies (`--dry-run`:
    /// write the candidates and their diffs; nothing is built).
    Optimize(Box<commands::optimize::OptimizeArgs>),
    /// Remove containers and images that interrupted or crashed runs left behind.
    Clean(commands::clean::CleanArgs),
}

/// Run the chosen subcommand: the exit code of its outcome, or the error that ended it
/// (which carries its own exit code; see [`commands::ExitCode`]).
pub async fn run(cli: Cli) -> commands::CommandResult {
    match cli.command {
        Command::Run(args) => commands::run::run(*args).await,
        Command::Inspect(args) => commands::inspect::run(args).await,
        Command::Bases(args) => commands::bases::run(args).await,
        Command::Check(args) => commands::check::run(args),
        Command::Compare(args) => commands::compare::run(args),
        Command::Merge(args) => commands::merge::run(args),
        Command::Trend(args) => commands::trend::run(args),
        Command::Optimize(args) => commands::optimize::run(*args).await,
        Command::Clean(args) => commands::clean::run(args).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
