//! The run configuration: `basebench.toml` merged with command-line flags, validated in one
//! place into a typed [`Config`].
//!
//! One path per setting: the file as written ([`RawConfig`]) and the flags ([`Overrides`],
//! flattened into `basebench run`'s arguments) are merged and validated by [`load`] into
//! [`Config`]; each default is one constant in [`defaults`], read by the flag's help and by
//! the validation. `check` and `trend` find and parse the same file ([`ConfigFile`]) for
//! the parts they need (`[gates]`, `output`).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use crate::engine::{BuilderKind, ContextTransfer};
use crate::gates::GateConfig;
use crate::matrix::ScoringWeights;

/// Default config file looked for in the working directory.
pub(crate) const DEFAULT_CONFIG: &str = "basebench.toml";

/// A config that cannot be used, naming the file, the key and what is expected.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("cannot read config '{}': {message}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// The file is not valid TOML or has an unknown or mistyped key.
    #[error("config '{}' is not valid: {message}", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// The TOML parser's message (line, column, key and what was expected).
        message: String,
    },
    /// A key has a value basebench cannot use.
    #[error("{origin}: `{key}` {message}")]
    Invalid {
        /// The file or "command line".
        origin: String,
        /// The key, e.g. `variant[2].name`.
        key: String,
        /// What is wrong and what is expected.
        message: String,
    },
    /// A path the config names is missing or not what the setting needs (a directory for
    /// a Dockerfile, a file for a context, a symlink loop, ...).
    #[error("{origin}: {what} '{}' {problem}. {hint}", path.display())]
    BadPath {
        /// The file or "command line".
        origin: String,
        /// What it is (`Dockerfile of variant 'slim'`, `build context`).
        what: String,
        /// The path as resolved.
        path: PathBuf,
        /// What is there instead (`does not exist`, `is a directory, not a file`).
        problem: String,
        /// What to do.
        hint: String,
    },
}

/// What to do when a base image is neither local nor pullable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum BaseFallback {
    /// Build a stand-in from Debian packages when basebench has a recipe for it.
    #[default]
    StandIn,
    /// Fail the variant.
    None,
}

/// The `[bases]` table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct BasesSection {
    /// What to do when a base is unavailable.
    pub(crate) fallback: BaseFallback,
    /// Debian archive stand-ins are built from (default: the host's apt sources).
    pub(crate) mirror: Option<String>,
}

/// Settings shared by the top level and each variant (a variant's value wins).
#[derive(Debug, Clone, Default)]
pub(crate) struct Shared {
    /// Build context directory.
    pub(crate) context: Option<PathBuf>,
    /// Port the app listens on inside the container.
    pub(crate) port: Option<u16>,
    /// Path that must answer HTTP 200.
    pub(crate) health: Option<String>,
    /// Path timed for latency (default: the health path).
    pub(crate) latency_path: Option<String>,
    /// Smoke commands (exec form).
    pub(crate) smoke: Option<Vec<Vec<String>>>,
    /// File changed for the incremental rebuild.
    pub(crate) change_file: Option<PathBuf>,
    /// Extra container environment, `KEY=value`.
    pub(crate) env: Option<Vec<String>>,
}

/// One `[[variant]]` table as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawVariant {
    pub(crate) name: String,
    /// Dockerfile path.
    pub(crate) dockerfile: PathBuf,
    /// Free text shown in reports.
    pub(crate) description: Option<String>,
    /// `--build-arg` values.
    #[serde(default)]
    pub(crate) build_args: BTreeMap<String, String>,
    /// Target stage.
    pub(crate) target: Option<String>,
    /// Build context directory.
    pub(crate) context: Option<PathBuf>,
    /// Port inside the container.
    pub(crate) port: Option<u16>,
    /// Health path.
    pub(crate) health: Option<String>,
    pub(crate) latency_path: Option<String>,
    /// Smoke commands.
    pub(crate) smoke: Option<Vec<Vec<String>>>,
    /// File changed for the incremental rebuild.
    pub(crate) change_file: Option<PathBuf>,
    /// Container environment.
    pub(crate) env: Option<Vec<String>>,
}

/// `basebench.toml` as written, before validation. The shared settings are spelled out
/// (not `#[serde(flatten)]`) so parse errors keep their line, column and key.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawConfig {
    /// Build context directory.
    pub(crate) context: Option<PathBuf>,
    /// Port inside the container.
    pub(crate) port: Option<u16>,
    /// Health path.
    pub(crate) health: Option<String>,
    pub(crate) latency_path: Option<String>,
    /// Smoke commands.
    pub(crate) smoke: Option<Vec<Vec<String>>>,
    /// File changed for the incremental rebuild.
    pub(crate) change_file: Option<PathBuf>,
    /// Container environment.
    pub(crate) env: Option<Vec<String>>,
    /// Fresh containers per variant for startup timing.
    pub(crate) runs: Option<u32>,
    /// Repetitions of each build measurement.
    pub(crate) build_runs: Option<u32>,
    pub(crate) builder: Option<BuilderKind>,
    /// How the build context reaches the daemon.
    pub(crate) context_transfer: Option<ContextTransfer>,
    /// Seconds to wait for the health path.
    pub(crate) health_timeout_s: Option<f64>,
    /// Seconds a build may go without output.
    pub(crate) build_stall_timeout_s: Option<f64>,
    /// Root directory of reports.
    pub(crate) output: Option<PathBuf>,
    /// Sequential latency requests.
    pub(crate) latency_requests: Option<u32>,
    /// Connections in the load phase.
    pub(crate) load_concurrency: Option<u32>,
    /// Length of the load phase.
    pub(crate) load_duration_ms: Option<u64>,
    /// Cold builds per variant.
    pub(crate) cold_build_runs: Option<u32>,
    /// Leading startup rounds left out of the statistics.
    pub(crate) warmup: Option<u32>,
    /// Noise threshold in percent (`5`, `"5%"`).
    pub(crate) noise: Option<sampling::Percent>,
    /// Target interval half-width in percent; rounds are added until it is met.
    pub(crate) precision: Option<sampling::Percent>,
    /// Most startup rounds with `precision`.
    pub(crate) max_runs: Option<u32>,
    /// Share of requests that may fail before a variant does not work (`"1%"`).
    pub(crate) max_request_errors: Option<sampling::Percent>,
    /// The variant the others are compared with.
    pub(crate) reference: Option<String>,
    /// Seed of the round order and the bootstrap.
    pub(crate) seed: Option<u64>,
    /// Registry to push the measured images to (`HOST[:PORT]/PREFIX`).
    pub(crate) registry: Option<String>,
    /// Link speeds for the pull estimate (`["100Mbit", "1Gbit"]`).
    pub(crate) bandwidth: Option<Vec<String>>,
    /// Name of the testbed the run measures on.
    pub(crate) testbed: Option<String>,
    /// Engines to measure on: one is `--host`; several, one shard each at the same time.
    pub(crate) hosts: Option<Vec<String>>,
    #[serde(default, rename = "variant")]
    pub(crate) variants: Vec<RawVariant>,
    /// FROM rewrites, requested → actual.
    #[serde(default)]
    pub(crate) substitute: BTreeMap<String, String>,
    /// Base image fallback.
    #[serde(default)]
    pub(crate) bases: BasesSection,
    /// Decision-matrix weights.
    #[serde(default)]
    pub(crate) scoring: ScoringWeights,
    /// Limits for `basebench check`.
    #[serde(default)]
    pub(crate) gates: GateConfig,
}

/// A validated variant, every path resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// Name (lowercase `[a-z0-9._-]`).
    pub name: String,
    /// Dockerfile as the user wrote it (for display).
    pub(crate) dockerfile_display: String,
    /// Dockerfile path, resolved.
    pub dockerfile: PathBuf,
    /// Build context directory, resolved.
    pub context: PathBuf,
    /// Port inside the container.
    pub port: u16,
    /// Health path.
    pub health: String,
    pub(crate) latency_path: String,
    /// Smoke commands.
    pub smoke: Vec<Vec<String>>,
    /// File (relative to the context) changed for the incremental rebuild, if chosen.
    pub(crate) change_file: Option<PathBuf>,
    /// Container environment.
    pub(crate) env: Vec<String>,
    pub(crate) build_args: BTreeMap<String, String>,
    /// Target stage.
    pub(crate) target: Option<String>,
    /// Free text.
    pub(crate) description: Option<String>,
}

/// Everything a run needs, validated.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the settings came from (a file path or "command line").
    pub(crate) origin: String,
    /// Variants in order.
    pub variants: Vec<Variant>,
    /// Fresh containers per variant.
    pub(crate) runs: u32,
    /// Build repetitions.
    pub(crate) build_runs: u32,
    pub(crate) builder: BuilderKind,
    /// How the build context reaches the daemon (asked; the engine may send a tar).
    pub(crate) context_transfer: ContextTransfer,
    pub(crate) health_timeout: Duration,
    /// How long a build may go without output or a step before it is stopped as stalled.
    pub(crate) build_stall_timeout: Duration,
    /// Root directory of reports and history.
    pub(crate) output_root: PathBuf,
    /// Sequential latency requests.
    pub(crate) latency_requests: u32,
    /// Load-phase connections.
    pub(crate) load_concurrency: u32,
    /// Load-phase length.
    pub(crate) load_duration: Duration,
    /// FROM rewrites.
    pub(crate) substitute: BTreeMap<String, String>,
    /// Base fallback.
    pub(crate) fallback: BaseFallback,
    /// Debian archive for stand-ins (`[bases] mirror` or `--mirror`); `None`: the host's.
    pub mirror: Option<String>,
    /// Matrix weights.
    pub(crate) scoring: ScoringWeights,
    /// How the rounds are planned and judged: warm-up, noise, precision, reference, seed.
    pub(crate) sampling: Sampling,
    /// Where the measured images are pushed (`--registry`, `registry`); `None`: nowhere.
    pub(crate) registry: Option<crate::registry::RegistryTarget>,
    /// Link speeds each pull is also estimated at (`--bandwidth`, `bandwidth`); empty:
    /// none.
    pub(crate) bandwidths: Vec<crate::registry::bandwidth::Bandwidth>,
    /// The share of the variants this run measures (`--shard K/N`); `None`: all of them.
    pub(crate) shard: Option<Shard>,
    /// Name of the testbed (`--testbed`, `testbed`); `None`: unnamed.
    pub(crate) testbed_name: Option<String>,
    /// The config's `hosts` (the `--host` flags replace them); empty: none set.
    pub(crate) hosts: Vec<String>,
}

pub(crate) mod defaults;
mod file;
mod flags;
mod paths;
mod ranges;
mod resolve;
mod sampling;
mod shard;
mod target;
mod variant;

pub(crate) use sampling::Sampling;
pub use shard::Shard;

pub(crate) use file::ConfigFile;
pub use flags::Overrides;
pub use resolve::load;

/// The shared settings of a table, whether top level or a variant's.
macro_rules! shared_of {
    ($t:expr) => {
        Shared {
            context: $t.context.clone(),
            port: $t.port,
            health: $t.health.clone(),
            latency_path: $t.latency_path.clone(),
            smoke: $t.smoke.clone(),
            change_file: $t.change_file.clone(),
            env: $t.env.clone(),
        }
    };
}

impl RawVariant {
    /// This variant's overrides of the shared settings.
    pub(crate) fn shared(&self) -> Shared {
        shared_of!(self)
    }
}

impl RawConfig {
    /// The top-level defaults.
    pub(crate) fn shared(&self) -> Shared {
        shared_of!(self)
    }
}

/// True when `name` is usable as a variant name (it becomes part of image tags).
pub(crate) fn valid_variant_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
}
