//! Every setting's default, written once: the help text of its flag and the value used
//! when neither a flag nor the config file sets it both read these constants.

use crate::engine::{BuilderKind, ContextTransfer};

/// Fresh containers started per variant to time startup (`runs`, `--runs`).
pub(crate) const RUNS: u32 = 3;
/// Repetitions of each build measurement (`build_runs`, `--build-runs`).
pub(crate) const BUILD_RUNS: u32 = 1;
/// The image builder (`builder`, `--builder`).
pub(crate) const BUILDER: BuilderKind = BuilderKind::Buildkit;
/// How the build context reaches the daemon (`context_transfer`, `--context-transfer`):
/// a BuildKit session where the engine and builder take one, else a tar.
pub(crate) const CONTEXT_TRANSFER: ContextTransfer = ContextTransfer::Session;
/// Seconds a container may take to answer 200 (`health_timeout_s`, `--health-timeout`).
pub(crate) const HEALTH_TIMEOUT_S: f64 = 120.0;
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

/// A flag's help text ending with its default: `"{text} (default {value})"`.
pub(crate) fn help(text: &str, value: impl std::fmt::Display) -> String {
    format!("{text} (default {value})")
}
