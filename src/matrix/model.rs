//! The matrix's row types: plain data shared by the reading (`read.rs`), the layers
//! (`layers.rs`), the scoring ([`super::score`]), the text ([`super::text`]) and every
//! exporter. This file imports nothing from the rest of `matrix`, so dependencies point
//! one way: model ← read, layers, score, text ← `Matrix::build`.

use crate::results::{DockerfileFinding, FailureDetail, Latency, Memory};
use crate::stats::Timing;

/// One variant in the matrix.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Row {
    /// Variant name.
    pub name: String,
    /// Dockerfile path as given in the config.
    pub dockerfile: String,
    /// Built, healthy, smoke commands passed.
    pub works: bool,
    /// Why it does not work, one line.
    pub failure: Option<String>,
    /// Failure details (phase, step, log tail).
    pub failure_detail: Option<FailureDetail>,
    /// Position in the ranking, 1 = best.
    pub rank: usize,
    /// True for the reference variant (smallest that works).
    pub is_reference: bool,
    /// Stand-in bases used, as `requested → actual`; empty when every base is real.
    pub stand_in_bases: Vec<String>,
    /// Image size facts.
    pub size: Option<SizeView>,
    /// Layer count.
    pub layers: Option<u32>,
    /// Cold build wall time (s).
    pub build_cold: Option<Timing>,
    /// Cached rebuild wall time (s).
    pub build_cached: Option<Timing>,
    /// Rebuild after a code change (s).
    pub build_incremental: Option<Timing>,
    /// Steps re-run after the code change, and total steps.
    pub incremental_steps: Option<(u32, u32)>,
    /// Cold build time relative to the reference variant.
    pub build_ratio: Option<f64>,
    /// Startup to first 200 (ms).
    pub startup: Option<Timing>,
    /// Startup median relative to the reference variant.
    pub startup_ratio: Option<f64>,
    /// Request latency and throughput.
    pub latency: Option<Latency>,
    /// Memory idle and peak.
    pub memory: Option<Memory>,
    /// Smoke commands.
    pub smoke: SmokeView,
    /// Security and debugging facts from the image.
    pub facts: Facts,
    /// Ratings 1–5.
    pub ratings: Ratings,
    /// Reason cell, generated from the facts.
    pub reason: String,
    /// What the variant suits, generated from the facts.
    pub use_case: String,
    /// True when any timing of this row comes from a single run.
    pub single_run: bool,
    /// Mistakes found by reading the Dockerfile.
    pub findings: Vec<DockerfileFinding>,
    /// Per-layer breakdown, bottom first.
    pub layer_breakdown: Vec<LayerView>,
    /// Warnings recorded for the variant.
    pub warnings: Vec<String>,
}

/// Image size, split into base and added, with the ratio to the reference.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SizeView {
    /// Total image size in bytes.
    pub total: u64,
    /// Size of the final stage's base, when known.
    pub base: Option<u64>,
    /// Bytes the Dockerfile added on top of its base, when known.
    pub added: Option<u64>,
    /// Total relative to the reference variant's total.
    pub ratio: Option<f64>,
}

/// Smoke command outcomes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SmokeView {
    /// Commands run.
    pub total: usize,
    /// Commands that exited 0.
    pub passed: usize,
    /// True when a command looks like an import check (`import` in its text).
    pub imports: bool,
}

/// Facts from the image anatomy; `analysed` is false when no anatomy was recorded.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Facts {
    /// True when the image was analysed.
    pub analysed: bool,
    /// Runs as root; from the anatomy, or from the image config user when not analysed.
    pub root: Option<bool>,
    /// Shells present.
    pub shells: Vec<String>,
    /// Package managers present.
    pub package_managers: Vec<String>,
    /// Number of setuid/setgid files.
    pub setuid_files: usize,
    /// Installed OS packages, when a package database was found.
    pub os_packages: Option<u32>,
    /// C library (`glibc 2.36`, `musl`), when found.
    pub libc: Option<String>,
    /// True for a musl image.
    pub musl: bool,
    /// `PRETTY_NAME` from os-release.
    pub os_release: Option<String>,
    /// Bytes overwritten or deleted by a later layer.
    pub wasted_bytes: Option<u64>,
    /// Content bytes ÷ stored bytes (1.0 = nothing wasted).
    pub efficiency: Option<f64>,
    /// Python distributions installed.
    pub python_packages: Option<u32>,
    /// Vulnerability scan.
    pub vulnerabilities: Vulnerabilities,
}

/// Vulnerability facts as the matrix shows them.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Vulnerabilities {
    /// The image was not analysed at all.
    #[default]
    NotAnalysed,
    /// No scanner ran (the reason says why); never shown as zero.
    NotScanned(String),
    /// Counts by severity.
    Scanned {
        /// Scanner and version.
        scanner: String,
        /// Critical.
        critical: u32,
        /// High.
        high: u32,
        /// Medium, low and unknown together.
        other: u32,
    },
}

/// One layer of the image.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LayerView {
    /// The instruction that made it, shortened.
    pub created_by: String,
    /// Bytes it adds.
    pub bytes: u64,
    /// True when it belongs to the base image, when known.
    pub from_base: Option<bool>,
}

/// Ratings of one variant, 1 (worst) to 5 (best). `None` means the facts were not measured.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ratings {
    /// Works, smoke checks, libc.
    pub compatibility: u8,
    /// Attack surface; `None` when the image was not analysed.
    pub security: Option<u8>,
    /// Debugging comfort; `None` when the image was not analysed.
    pub debugging: Option<u8>,
    /// Size relative to the smallest working variant; `None` for a variant that does not work.
    pub size: Option<u8>,
    /// Startup and cold build relative to the fastest working variant.
    pub speed: Option<u8>,
    /// Weighted mean of the ratings above, rounded; 1 for a variant that does not work.
    pub overall: u8,
    /// The weighted mean before rounding (1.0–5.0), used for ranking.
    pub score: f64,
}
