//! The results model: the types `results.json` holds, field for field.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{FailureDetail, HostInfo, Testbed};
use crate::anatomy::Anatomy;
use crate::stats::compare::Comparison;
use crate::stats::{Sample, Timing};

/// One run of basebench: every variant it measured, in config order.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RunResults {
    /// Layout version of this document ([`super::SCHEMA_VERSION`]).
    pub(crate) schema_version: u32,
    /// Unique id of the run; also the label value on everything it created on the daemon.
    pub run_id: String,
    /// basebench version that produced the file.
    pub(crate) basebench_version: String,
    /// When the run started (RFC 3339, UTC).
    pub(crate) started_at: String,
    /// When the file was last written (RFC 3339, UTC); for an interrupted run, the last variant.
    pub(crate) finished_at: String,
    /// True once every planned variant has a row; false in a file written mid-run.
    pub complete: bool,
    /// The machine and engine the numbers were measured on.
    pub(crate) host: HostInfo,
    /// Settings that shape the numbers (repetitions, builder, timeouts).
    pub settings: RunSettings,
    /// The variant every `vs_reference` compares with (`--reference`, else the smallest
    /// that works); `None` before any variant works, and in files of schema 1.
    #[serde(default)]
    pub reference: Option<String>,
    /// Seed of the round order and of the bootstrap: `--seed` with it reproduces the order,
    /// and the intervals follow from it and the samples.
    #[serde(default)]
    pub seed: Option<u64>,
    /// Startup rounds run, warm-up rounds included.
    #[serde(default)]
    pub rounds: Option<u32>,
    /// Where the numbers were measured; absent in files of schema 1 (see `host`).
    #[serde(default)]
    pub testbed: Option<Testbed>,
    /// The registry the measured images were pushed to (`HOST[:PORT]/PREFIX`), when
    /// `--registry` was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry: Option<String>,
    /// The share of the variants this run measured (`--shard K/N`); absent: all of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<crate::config::Shard>,
    /// The runs this document was merged from (`basebench merge`); empty for one run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged_from: Vec<super::merge::MergedRun>,
    /// One entry per variant, in config order.
    pub variants: Vec<VariantResult>,
}

/// Settings of a run that affect how its numbers should be read.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct RunSettings {
    /// Builder used: `buildkit` or `classic`.
    pub builder: String,
    /// Context transfer asked for: `session` or `tar` (what each build used is in its
    /// [`BuildFacts::context`]).
    #[serde(default)]
    pub context_transfer: String,
    /// Fresh containers started per variant to time startup.
    pub(crate) runs: u32,
    /// Repetitions of each build measurement (cold, cached, incremental).
    pub(crate) build_runs: u32,
    /// Sequential requests timed for latency percentiles.
    pub(crate) latency_requests: u32,
    /// Concurrent connections in the load phase.
    pub(crate) load_concurrency: u32,
    /// Length of the load phase in milliseconds.
    pub(crate) load_duration_ms: u64,
    /// Seconds a container may take to answer 200 on the health path.
    pub(crate) health_timeout_s: f64,
    /// Seconds a build could go without output before it was stopped as stalled (absent in
    /// results written before the setting existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_stall_timeout_s: Option<f64>,
    /// Leading startup rounds kept as samples but left out of the statistics.
    #[serde(default)]
    pub(crate) warmup: u32,
    /// Relative difference below which two timings are "no clear difference" (0.05 = 5 %).
    #[serde(default = "default_noise")]
    pub noise: f64,
    /// Target half-width of each startup interval relative to its median, when rounds
    /// are added adaptively; `None` runs exactly `runs` rounds.
    #[serde(default)]
    pub(crate) precision: Option<f64>,
    /// Most startup rounds an adaptive run may reach.
    #[serde(default)]
    pub(crate) max_runs: u32,
    /// The reference asked for (`--reference`), if any.
    #[serde(default)]
    pub(crate) reference: Option<String>,
}

fn default_noise() -> f64 {
    crate::config::defaults::NOISE
}

/// Everything measured about one variant. Fields are `None` when the phase that
/// measures them did not run (because an earlier phase failed).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct VariantResult {
    /// Variant name from the config (lowercase, `[a-z0-9._-]`).
    pub name: String,
    /// Path of the Dockerfile as given in the config.
    pub dockerfile: String,
    /// The variant's `description` from the config (free text), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Built, became healthy within the timeout, and every smoke command exited 0.
    pub works: bool,
    /// One line saying why the variant does not work; `None` when it works.
    pub failure: Option<String>,
    /// Where and how it failed, for the report's failure section.
    pub failure_detail: Option<FailureDetail>,
    /// Every `FROM` reference of the Dockerfile and the image actually used for it.
    pub(crate) bases: Vec<BaseImage>,
    /// Image facts from inspect and history.
    pub image: Option<ImageFacts>,
    /// Build timings and cache behaviour.
    pub build: Option<BuildFacts>,
    /// Start call to first HTTP 200 on the health path, in milliseconds, over the rounds
    /// after the warm-up.
    pub startup_ms: Option<Timing>,
    /// The engine's part of each start: from the start call until the engine reports the
    /// container running.
    #[serde(default)]
    pub engine_start_ms: Option<Timing>,
    /// The app's part: from running to the first HTTP 200.
    #[serde(default)]
    pub app_ready_ms: Option<Timing>,
    /// The first start of the freshly built image (round 0), reported on its own.
    #[serde(default)]
    pub first_start_ms: Option<Timing>,
    /// Round trip to the engine host, read next to startup: after each start's first
    /// 200, the median TCP connect time of 5 fresh connections to the published port
    /// (one sample per start). Near 0.1 ms for a local engine; a remote engine's startup
    /// includes a few of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect_rtt_ms: Option<Timing>,
    /// Each timing against the reference's (keys `startup_ms`, `engine_start_ms`,
    /// `app_ready_ms`, `build_cached_s`, `build_incremental_s`, `build_cold_s`,
    /// `latency_p50_ms`; only timings with at least two samples on both sides). Empty for
    /// the reference itself and for a variant that does not work.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub vs_reference: BTreeMap<String, Comparison>,
    /// Request latency after healthy.
    pub latency_ms: Option<Latency>,
    /// Memory of a healthy container.
    pub memory_bytes: Option<Memory>,
    /// Smoke commands run inside a healthy container.
    pub(crate) smoke: Vec<SmokeResult>,
    /// Facts read from the exported image (issue: image anatomy); `None` when not analysed.
    pub(crate) anatomy: Option<Anatomy>,
    /// Typed warnings rendered as text (stand-in base, single run, high variance, ...).
    pub warnings: Vec<String>,
    /// Mistakes found by reading the Dockerfile as written (before base substitution).
    #[serde(default)]
    pub findings: Vec<DockerfileFinding>,
    /// Where the measured image was pushed (`HOST[:PORT]/PREFIX/<variant>:<run-id>`),
    /// with `--registry`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_ref: Option<String>,
    /// What a node that has the pushed image downloads for the after-a-code-change build
    /// (with `--registry`): the blobs of its manifest (config and layers) that the
    /// pushed image's manifest does not have, summed. `None` without a code change or a
    /// registry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_change_ship_bytes: Option<u64>,
    /// The after-a-code-change image as pushed: its reference, the blobs it ships and
    /// the timed pull onto a daemon that has the previous version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_change_ship: Option<CodeChangeShip>,
    /// The testbed it was measured on (a label from `merged_from`), in a document merged
    /// from several testbeds; absent in a single run and in a one-testbed merge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub testbed: Option<String>,
}

/// A mistake found by reading a Dockerfile (see `dockerfile::lint`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct DockerfileFinding {
    /// 1-based line of the instruction.
    pub(crate) line: usize,
    /// Stable rule id, e.g. `apt-install-recommends`.
    pub(crate) rule: String,
    /// `error` (breaks the image) or `warning` (wastes size, cache or safety).
    pub(crate) severity: String,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub fix: String,
}

/// A `FROM` reference and what was used for it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub(crate) struct BaseImage {
    /// The reference as written in the Dockerfile (after ARG expansion when known).
    pub(crate) requested: String,
    /// The image actually used (after `[substitute]`).
    pub(crate) actual: String,
    /// True when `actual` is a locally built stand-in, not the real image.
    pub(crate) stand_in: bool,
    /// True for the final stage's base (the one the shipped image sits on).
    pub(crate) final_stage: bool,
    /// Seconds spent pulling it, when a pull happened (reported apart from build times).
    pub(crate) pull_s: Option<f64>,
}

/// Facts about the built image from inspect and history.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ImageFacts {
    /// Image id (`sha256:...`).
    pub id: String,
    /// The tag basebench gave it.
    pub(crate) tag: String,
    /// `Size` from image inspect: uncompressed bytes on the daemon's store.
    pub size_bytes: u64,
    /// `RootFS.Layers` count.
    pub(crate) layers: u32,
    /// Size of the final stage's base image, when it is known.
    pub(crate) base_size_bytes: Option<u64>,
    /// `size_bytes - base_size_bytes`: what the Dockerfile added on top of its base.
    pub(crate) added_bytes: Option<u64>,
    /// Layers of the final stage's base image (the bottom ones of this image), when known.
    #[serde(default)]
    pub(crate) base_layers: Option<u32>,
    /// User from the image config (`""` means root).
    pub(crate) config_user: String,
    /// Image history, oldest first.
    pub(crate) history: Vec<HistoryEntry>,
    /// Config plus layer sizes in the registry's manifest, as pushed: what `docker pull`
    /// downloads onto a node that has none of the layers (with `--registry`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compressed_bytes: Option<u64>,
    /// Those of `compressed_bytes` whose blobs (same digest) another variant of the run
    /// also has: a node pulling every variant downloads them once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_compressed_bytes: Option<u64>,
    /// The manifest's config blob: digest and size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compressed_config: Option<CompressedLayer>,
    /// The manifest's layers, bottom first: digest and compressed size.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub compressed_layers: Vec<CompressedLayer>,
    /// Seconds the push took (`docker push` through the daemon).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push_s: Option<f64>,
    /// Seconds a pull of the pushed tag took after the image was removed locally: the
    /// median of `pull` (layers other local images hold stay; a loopback registry:
    /// transfer, decompression and unpack, not a WAN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_s: Option<f64>,
    /// Every timed pull of the pushed tag, in seconds: one per planned startup round
    /// (`runs`), the image removed before each; its interval comes from the run's
    /// statistics like every other timing. Absent in files written before pulls were
    /// repeated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull: Option<Timing>,
    /// Layers that timed pull found already on the daemon (held by a kept base, another
    /// image or the build cache) and did not download: `pull_s` covers only the others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_layers_present: Option<u32>,
    /// The first timed pull plus the first start of the pulled image to its first HTTP
    /// 200: what a node without the image waits from `docker pull` to a healthy answer
    /// (one sample).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_to_healthy_s: Option<f64>,
    /// The pull at each configured link speed (`bandwidth`), an estimate, not a
    /// measurement: `compressed_bytes` ÷ speed + `pull_s`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pull_estimates: Vec<PullEstimate>,
}

/// A pull estimated at a link speed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct PullEstimate {
    /// The link speed in bits per second.
    pub bandwidth_bps: u64,
    /// `compressed_bytes × 8 ÷ bandwidth_bps + pull_s`.
    pub seconds: f64,
}

/// The after-a-code-change image through the registry (with `--registry`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct CodeChangeShip {
    /// Where it was pushed: `HOST[:PORT]/PREFIX/<variant>:<run-id>-changed`.
    pub reference: String,
    /// Its manifest's config blob (always new: the config names the new layers).
    pub config: CompressedLayer,
    /// Its manifest's layers the pushed image does not have, bottom first.
    pub layers: Vec<CompressedLayer>,
    /// How many layers its manifest lists in all.
    pub layers_total: u32,
    /// Seconds a pull of it took onto the daemon holding the previous version (its own
    /// copy removed first): one sample, a loopback registry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_s: Option<f64>,
    /// Layers that pull downloaded (the engine's `Pull complete` messages); fewer than
    /// `layers` when the daemon still had one (e.g. in the build cache).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_layers_downloaded: Option<u32>,
}

/// One layer as the registry stores it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct CompressedLayer {
    /// `sha256:...` of the compressed blob.
    pub digest: String,
    /// Compressed bytes.
    pub size_bytes: u64,
}

/// One image history entry.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub(crate) struct HistoryEntry {
    /// Bytes this step added.
    pub(crate) size_bytes: u64,
    /// The instruction that made it, as history records it.
    pub(crate) created_by: String,
    /// True when the step made no filesystem layer (ENV, CMD, ...).
    pub(crate) empty_layer: bool,
    /// True when the step belongs to the base image rather than this Dockerfile.
    pub(crate) from_base: bool,
}

/// Build timings and cache behaviour.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct BuildFacts {
    /// Builder used: `buildkit` or `classic`.
    pub builder: String,
    /// Wall time of a build with no cache, base image local, in seconds.
    pub(crate) cold_s: Timing,
    /// Wall time of an immediate identical rebuild, in seconds.
    pub(crate) cached_s: Option<Timing>,
    /// Wall time of a rebuild after appending 33 bytes (a newline and 32 random spaces or
    /// tabs, see `context::cache_busting_suffix`) to `changed_file`, in seconds.
    pub(crate) incremental_s: Option<Timing>,
    /// The context file changed for the incremental rebuild (relative to the context).
    pub changed_file: Option<String>,
    /// Steps of the Dockerfile as the builder counted them.
    pub(crate) steps_total: u32,
    /// Steps that ran (not cached) in the cached rebuild; 0 is the expected value.
    pub cached_rebuild_steps_run: Option<u32>,
    /// Steps that ran (not cached) in the rebuild after the code change.
    pub incremental_steps_run: Option<u32>,
    /// Bytes of the build context sent to the daemon (the cold build's).
    pub(crate) context_bytes: u64,
    /// The build context as each kind of build sent it; `None` in files from before it
    /// was recorded.
    #[serde(default)]
    pub context: Option<ContextFacts>,
}

/// How the build context reached the daemon, per kind of build (README: context sent).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ContextFacts {
    /// `session` (BuildKit FileSync: the daemon asks for what changed) or `tar` (the
    /// whole context with every build request).
    pub transfer: String,
    /// The cold builds.
    pub cold: ContextSent,
    /// The cached rebuilds.
    pub cached: Option<ContextSent>,
    /// The rebuilds after the code change.
    pub incremental: Option<ContextSent>,
}

/// The context sent by one kind of build.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ContextSent {
    /// Bytes sent by the build of this kind that sent the most: the tar, or the file
    /// data of the session's DATA packets.
    pub bytes: u64,
    /// Seconds spent sending it, per build: the tar's first to last chunk, or the first
    /// to the last FileSync packet.
    pub seconds: Timing,
}

/// Request latency of a healthy container.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Latency {
    /// Median of the sequential requests, in milliseconds.
    pub p50: f64,
    /// 95th percentile, in milliseconds.
    pub(crate) p95: f64,
    /// 99th percentile, in milliseconds.
    pub p99: f64,
    /// Sequential requests timed.
    pub n: u32,
    /// Fastest request, in milliseconds.
    #[serde(default)]
    pub(crate) min: f64,
    /// Slowest request, in milliseconds.
    #[serde(default)]
    pub(crate) max: f64,
    /// 95 % bootstrap interval of the median (`p50`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci95: Option<[f64; 2]>,
    /// Every request's time, with its latency round and position.
    #[serde(default)]
    pub(crate) samples: Vec<Sample>,
    /// Requests per second completed in the bounded concurrent phase.
    pub(crate) concurrent_rps: Option<f64>,
    /// Workers of the concurrent phase, each with one connection at a time.
    pub(crate) concurrency: u32,
    /// TCP connections the concurrent phase opened: `concurrency` when the app keeps
    /// connections open, about one per request when it closes each.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) load_connections: Option<u32>,
    /// Requests that did not answer 200 (sequential and concurrent).
    pub errors: u32,
}

/// Memory of a healthy container (usage minus inactive file cache, as `docker stats`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Memory {
    /// Bytes in use after becoming healthy, before any load.
    pub idle: u64,
    /// Highest sample taken during the load phase.
    pub peak: u64,
}

/// One smoke command and its outcome.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub(crate) struct SmokeResult {
    /// The command (exec form).
    pub(crate) command: Vec<String>,
    /// Exit code; `None` when it could not be run at all.
    pub(crate) exit_code: Option<i64>,
    /// Last lines of its combined output.
    pub(crate) output_tail: Vec<String>,
}

impl SmokeResult {
    /// True when the command ran and exited 0.
    pub(crate) fn passed(&self) -> bool {
        self.exit_code == Some(0)
    }
}

impl VariantResult {
    /// The final stage's base, if the Dockerfile has one.
    pub(crate) fn final_base(&self) -> Option<&BaseImage> {
        self.bases.iter().find(|b| b.final_stage)
    }

    /// True when any base of this variant is a stand-in.
    pub(crate) fn uses_stand_in(&self) -> bool {
        self.bases.iter().any(|b| b.stand_in)
    }
}
