//! Every setting's default, written once: the help text of its flag and the value used
//! when neither a flag nor the config file sets it both read these constants.

use crate::engine::{BuilderKind, ContextTransfer};

/// Startup rounds, warm-up included: each starts one fresh container of every variant
/// (`runs`, `--runs`).
pub(crate) const RUNS: u32 = 6;
/// Repetitions of the cached and after-a-code-change builds (`build_runs`, `--build-runs`).
pub(crate) const BUILD_RUNS: u32 = 3;
/// Cold builds per variant (`cold_build_runs`, `--cold-build-runs`).
pub(crate) const COLD_BUILD_RUNS: u32 = 1;
/// Leading startup rounds left out of the statistics (`warmup`, `--warmup`).
pub(crate) const WARMUP: u32 = 1;
/// Relative difference called noise, as a fraction (`noise`, `--noise`, given in percent).
pub(crate) const NOISE: f64 = 0.05;
/// Share of a variant's requests that may fail before it does not work, as a fraction
/// (`max_request_errors`, `--max-request-errors`, given in percent).
pub(crate) const MAX_REQUEST_ERRORS: f64 = 0.01;
/// Most startup rounds an adaptive run may reach (`max_runs`, `--max-runs`).
pub(crate) const MAX_RUNS: u32 = 30;
/// The image builder (`builder`, `--builder`).
pub(crate) const BUILDER: BuilderKind = BuilderKind::Buildkit;
/// How the build context reaches the daemon (`context_transfer`, `--context-transfer`):
/// a BuildKit session where the engine and builder take one, else a tar.
pub(crate) const CONTEXT_TRANSFER: ContextTransfer = ContextTransfer::Session;
/// Seconds a container may take to answer 200 (`health_timeout_s`, `--health-timeout`).
pub(crate) const HEALTH_TIMEOUT_S: f64 = 120.0;
/// Seconds a build may go without any output or step before it is stopped as stalled
/// (`build_stall_timeout_s`, `--build-stall-timeout`): a download from a mirror that
/// stopped answering would otherwise hang the run.
pub(crate) const BUILD_STALL_TIMEOUT_S: f64 = 600.0;
/// Path that must answer HTTP 200 (`health`, `--health`).
pub(crate) const HEALTH: &str = "/";
/// Root directory of reports and history, relative to the config file (`output`).
pub(crate) const OUTPUT: &str = "results";
/// Sequential requests timed for latency (`latency_requests`).
pub(crate) const LATENCY_REQUESTS: u32 = 200;
/// Connections in the load phase (`load_concurrency`).
pub(crate) const LOAD_CONCURRENCY: u32 = 8;
/// Length of the load phase in milliseconds (`load_duration_ms`).
pub(crate) const LOAD_DURATION_MS: u64 = 2000;

/// What `--registry` / `registry` looks like; there is no default (nothing is pushed).
pub(crate) const REGISTRY_FORM: &str = "HOST[:PORT]/PREFIX, e.g. 127.0.0.1:5000/bench";

/// A flag's help text ending with its default: `"{text} (default {value})"`.
pub(crate) fn help(text: &str, value: impl std::fmt::Display) -> String {
    format!("{text} (default {value})")
}
