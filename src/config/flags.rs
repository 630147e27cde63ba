//! The settings flags of `basebench run`, flattened into its clap arguments: the flags
//! are the override struct, so a setting is spelled once on the command line and once in
//! the file ([`RawConfig`](super::RawConfig)) before [`load`](super::load) resolves both
//! into one [`Config`](super::Config).

use std::path::PathBuf;

use clap::builder::PossibleValue;

use super::defaults::{self, help};
use super::ranges;
use crate::engine::{BuilderKind, ContextTransfer};

/// Command-line settings; each one given overrides the file.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Overrides {
    /// `--config FILE` (explicit: it must exist).
    #[arg(
        long,
        short = 'c',
        value_name = "FILE",
        help = "Config file (default: basebench.toml in the working directory, unless --variant is given)"
    )]
    pub config: Option<PathBuf>,
    /// `--context DIR`.
    #[arg(
        long,
        value_name = "DIR",
        help = "Build context directory (overrides the config's `context`)"
    )]
    pub context: Option<PathBuf>,
    /// `--variant NAME=DOCKERFILE`, in order. When given, they replace the file's variants.
    #[arg(
        long = "variant",
        value_name = "NAME=DOCKERFILE",
        value_parser = parse_variant,
        help = "A variant to measure; repeat for more. Replaces the config's variants"
    )]
    pub variants: Vec<(String, PathBuf)>,
    /// `--only NAME`: measure only these variants of the file.
    #[arg(
        long,
        value_name = "NAME",
        help = "Measure only this variant of the config; repeat for more"
    )]
    pub only: Vec<String>,
    /// `--port`.
    #[arg(
        long,
        allow_negative_numbers = true,
        value_parser = |t: &str| ranges::PORT.parse_flag::<u16>(t),
        help = "Port the app listens on inside the container"
    )]
    pub port: Option<u16>,
    /// `--health`.
    #[arg(long, value_name = "PATH", help = help("Path that must answer HTTP 200 when the app is up", defaults::HEALTH))]
    pub health: Option<String>,
    /// `--runs`.
    #[arg(
        long,
        allow_negative_numbers = true,
        value_parser = |t: &str| ranges::RUNS.parse_flag::<u32>(t),
        help = help("Startup rounds, warm-up included: each starts one fresh container of every variant, in a shuffled order", defaults::RUNS)
    )]
    pub runs: Option<u32>,
    /// `--build-runs`.
    #[arg(
        long,
        allow_negative_numbers = true,
        value_parser = |t: &str| ranges::BUILD_RUNS.parse_flag::<u32>(t),
        help = help("Repetitions of the cached and after-a-code-change builds, interleaved across variants", defaults::BUILD_RUNS)
    )]
    pub build_runs: Option<u32>,
    /// `--cold-build-runs`.
    #[arg(long, value_name = "N", help = help("Cold builds (no cache, downloads included) per variant", defaults::COLD_BUILD_RUNS))]
    pub cold_build_runs: Option<u32>,
    /// `--warmup`.
    #[arg(long, value_name = "ROUNDS", help = help("Leading startup rounds kept as samples but left out of the statistics", defaults::WARMUP))]
    pub warmup: Option<u32>,
    /// `--noise` in percent.
    #[arg(long, value_name = "PCT", value_parser = super::sampling::parse_percent, help = help("Differences whose 95 % interval reaches into 1 ± this are \"no clear difference\"", "5%"))]
    pub noise: Option<f64>,
    /// `--precision` in percent.
    #[arg(long, value_name = "PCT", value_parser = super::sampling::parse_percent, help = "Add startup rounds (up to --max-runs) until every variant's startup interval is within ±PCT of its median, or every verdict against the reference is settled (e.g. 5%)")]
    pub precision: Option<f64>,
    /// `--max-request-errors` in percent.
    #[arg(long, value_name = "PCT", value_parser = super::sampling::parse_percent, help = help("Share of the latency and load requests that may fail before a variant does not work", "1%"))]
    pub max_request_errors: Option<f64>,
    /// `--max-runs`.
    #[arg(long, value_name = "ROUNDS", help = help("Most startup rounds with --precision", defaults::MAX_RUNS))]
    pub max_runs: Option<u32>,
    /// `--reference`.
    #[arg(
        long,
        value_name = "NAME",
        help = "The variant the others are compared with (default: the smallest that works)"
    )]
    pub reference: Option<String>,
    /// `--seed`.
    #[arg(
        long,
        value_name = "N",
        help = "Seed of the round order and the bootstrap (default: a fresh one, recorded in results.json); the same seed reproduces the order"
    )]
    pub seed: Option<u64>,
    /// `--builder`.
    #[arg(long, value_enum, help = help("Image builder", defaults::BUILDER.as_str()))]
    pub builder: Option<BuilderKind>,
    /// `--context-transfer`.
    #[arg(
        long,
        value_enum,
        help = help(
            "How the build context reaches the daemon (a session falls back to a tar where the engine or builder takes none)",
            defaults::CONTEXT_TRANSFER.as_str()
        )
    )]
    pub context_transfer: Option<ContextTransfer>,
    /// `--health-timeout`.
    #[arg(
        long = "health-timeout",
        value_name = "SECONDS",
        allow_negative_numbers = true,
        value_parser = |t: &str| ranges::HEALTH_TIMEOUT_S.parse_flag::<f64>(t),
        help = help("Seconds a container may take to answer 200", defaults::HEALTH_TIMEOUT_S)
    )]
    pub health_timeout_s: Option<f64>,
    /// `--build-stall-timeout`.
    #[arg(
        long = "build-stall-timeout",
        value_name = "SECONDS",
        allow_negative_numbers = true,
        value_parser = |t: &str| ranges::BUILD_STALL_TIMEOUT_S.parse_flag::<f64>(t),
        help = help(
            "Seconds a build may go without output before it is stopped as stalled",
            defaults::BUILD_STALL_TIMEOUT_S
        )
    )]
    pub build_stall_timeout_s: Option<f64>,
    /// `--change-file`.
    #[arg(
        long,
        value_name = "FILE",
        help = "Context file changed for the incremental rebuild (33 bytes appended: a newline and 32 random spaces/tabs)"
    )]
    pub change_file: Option<PathBuf>,
    /// `--mirror` (or `BASEBENCH_DEBIAN_MIRROR`): the stand-ins' Debian archive.
    #[arg(
        long,
        value_name = "URL",
        env = crate::bases::mirror::MIRROR_ENV,
        help = "Debian mirror for stand-in bases (overrides `[bases] mirror`; default: the host's apt sources)"
    )]
    pub mirror: Option<String>,
    /// `--registry HOST[:PORT]/PREFIX`: push each measured image there and read its
    /// compressed size from the manifest.
    #[arg(
        long,
        value_name = "HOST[:PORT]/PREFIX",
        value_parser = |v: &str| crate::registry::RegistryTarget::parse(v).map(|_| v.to_string()),
        help = "Push each measured image to this registry as PREFIX/<variant>:<run-id> and report its compressed size (default: no registry; see docs/REGISTRY.md)"
    )]
    pub registry: Option<String>,
    /// `--bandwidth RATE` (repeatable): link speeds for the pull estimate.
    #[arg(
        long,
        value_name = "RATE",
        value_parser = |v: &str| crate::registry::bandwidth::Bandwidth::parse(v).map(|_| v.to_string()),
        help = "With --registry, also estimate each pull at this link speed (100Mbit, 1Gbit, 12.5MB/s; repeatable; replaces `bandwidth`): compressed bytes / speed + the measured local pull"
    )]
    pub bandwidth: Vec<String>,
    /// `--shard K/N`: measure the K-th of N shares of the variants, plus the reference.
    #[arg(
        long,
        value_name = "K/N",
        value_parser = super::shard::parse_shard,
        help = "Measure the K-th of N shares of the variants and the reference (needs --reference; the rule is in docs/SHARDS.md)"
    )]
    pub shard: Option<super::Shard>,
    /// `--testbed NAME`: a name for the machine the run measures on.
    #[arg(
        long,
        value_name = "NAME",
        help = "Name of this testbed, recorded in results.json and shown with the machine facts (default: none)"
    )]
    pub testbed: Option<String>,
}

impl clap::ValueEnum for BuilderKind {
    fn value_variants<'a>() -> &'a [Self] {
        &[BuilderKind::Buildkit, BuilderKind::Classic]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let about = match self {
            BuilderKind::Buildkit => "BuildKit",
            BuilderKind::Classic => "The legacy builder",
        };
        Some(PossibleValue::new(self.as_str()).help(about))
    }
}

impl clap::ValueEnum for ContextTransfer {
    fn value_variants<'a>() -> &'a [Self] {
        &[ContextTransfer::Session, ContextTransfer::Tar]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let about = match self {
            ContextTransfer::Session => {
                "A BuildKit session, as `docker build` does: only changed files cross"
            }
            ContextTransfer::Tar => "A tar of the whole context with every build request",
        };
        Some(PossibleValue::new(self.as_str()).help(about))
    }
}

/// Parse `--variant NAME=DOCKERFILE`.
pub(crate) fn parse_variant(text: &str) -> Result<(String, PathBuf), String> {
    match text.split_once('=') {
        Some((name, file)) if !name.is_empty() && !file.is_empty() => {
            Ok((name.to_string(), PathBuf::from(file)))
        }
        _ => Err(format!(
            "expected NAME=DOCKERFILE (e.g. slim=variants/Dockerfile.slim), got '{text}'"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variant_flags_need_a_name_and_a_file() {
        assert_eq!(
            parse_variant("slim=variants/Dockerfile.slim"),
            Ok(("slim".into(), PathBuf::from("variants/Dockerfile.slim")))
        );
        assert!(
            parse_variant("slim")
                .expect_err("no file")
                .contains("NAME=DOCKERFILE")
        );
        assert!(parse_variant("=x").is_err());
    }
}
