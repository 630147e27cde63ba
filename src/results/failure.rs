//! Why a variant does not work: the phase it failed in and what is known about it.

use serde::{Deserialize, Serialize};

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
    /// Pushing the image to the `--registry` or reading its manifest back failed (the
    /// last step: every other measurement of the variant is kept).
    Registry,
}

/// Details of a failure, each field filled when it is known.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FailureDetail {
    /// Phase that failed.
    pub phase: FailurePhase,
    /// The Dockerfile step that failed (e.g. `RUN pip install -r requirements.txt`).
    pub step: Option<String>,
    /// The daemon's or the check's error message.
    pub message: String,
    /// Container state at the time (`exited`, `running`, ...).
    pub state: Option<String>,
    /// Container exit code, when it exited.
    pub exit_code: Option<i64>,
    /// Last lines of the build output or the container log.
    pub log_tail: Vec<String>,
}
