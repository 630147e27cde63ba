//! The results model: the types `results.json` holds, field for field.

use serde::{Deserialize, Serialize};

use crate::anatomy::Anatomy;
use crate::stats::Timing;

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
    /// One entry per variant, in config order.
    pub variants: Vec<VariantResult>,
}

/// The machine and Docker engine a run measured on.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct HostInfo {
    /// Engine version string as the daemon reports it (e.g. `20.10.24+dfsg1`).
    pub engine_version: String,
    /// API version negotiated with the daemon (e.g. `1.41`).
    pub api_version: String,
    /// Operating system of the daemon host.
    pub(crate) os: String,
    /// Kernel version of the daemon host.
    pub(crate) kernel: String,
    /// Logical CPUs the daemon reports.
    pub cpus: u64,
    /// Memory the daemon reports, in bytes.
    pub memory_bytes: u64,
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
}

/// Everything measured about one variant. Fields are `None` when the phase that
/// measures them did not run (because an earlier phase failed).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct VariantResult {
    /// Variant name from the config (lowercase, `[a-z0-9._-]`).
    pub name: String,
    /// Path of the Dockerfile as given in the config.
    pub dockerfile: String,
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
    /// Start call to first HTTP 200 on the health path, in milliseconds.
    pub startup_ms: Option<Timing>,
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

/// Phase in which a variant failed.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FailurePhase {
    /// Preparing the build (Dockerfile missing, base image unavailable, context unreadable).
    Prepare,
    /// The image build failed.
    Build,
    /// The container could not be created or started.
    Start,
    /// The container exited or never answered 200 on the health path in time.
    Health,
    /// A smoke command exited non-zero.
    Smoke,
    /// Measuring a healthy container failed (latency, memory, export).
    Measure,
}

/// Details of a failure, each field filled when it is known.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FailureDetail {
    /// Phase that failed.
    pub phase: FailurePhase,
    /// The Dockerfile step that failed (e.g. `RUN pip install -r requirements.txt`).
    pub(crate) step: Option<String>,
    /// The daemon's or the check's error message.
    pub message: String,
    /// Container state at the time (`exited`, `running`, ...).
    pub(crate) state: Option<String>,
    /// Container exit code, when it exited.
    pub exit_code: Option<i64>,
    /// Last lines of the build output or the container log.
    pub log_tail: Vec<String>,
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
    /// Wall time of a rebuild after a one-byte change to `changed_file`, in seconds.
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
    pub(crate) n: u32,
    /// Requests per second completed in the bounded concurrent phase.
    pub(crate) concurrent_rps: Option<f64>,
    /// Connections used in the concurrent phase.
    pub(crate) concurrency: u32,
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
