//! The matrix's row types: plain data shared by the reading (`read.rs`), the layers
//! (`layers.rs`), the scoring ([`super::score`]), the text ([`super::text`]) and every
//! exporter. This file imports nothing from the rest of `matrix`, so dependencies point
//! one way: model ← read, layers, score, text ← `Matrix::build`.

use std::collections::BTreeMap;

use crate::results::{ContextFacts, DockerfileFinding, FailureDetail, Latency, Memory};
use crate::stats::{Comparison, Timing};

/// One variant in the matrix.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Row {
    /// Variant name.
    pub(crate) name: String,
    /// The testbed it was measured on, in a matrix merged from several testbeds.
    pub(crate) testbed: Option<String>,
    /// Dockerfile path as given in the config.
    pub(crate) dockerfile: String,
    /// Free text from the config.
    pub(crate) description: Option<String>,
    /// Built, healthy, smoke commands passed.
    pub(crate) works: bool,
    /// Why it does not work, one line.
    pub(crate) failure: Option<String>,
    /// Failure details (phase, step, log tail).
    pub(crate) failure_detail: Option<FailureDetail>,
    /// Position in the ranking, 1 = best.
    pub(crate) rank: usize,
    /// True for the reference variant (smallest that works).
    pub(crate) is_reference: bool,
    /// Stand-in bases used, as `requested → actual`; empty when every base is real.
    pub(crate) stand_in_bases: Vec<String>,
    /// Image size facts.
    pub(crate) size: Option<SizeView>,
    /// Layer count.
    pub(crate) layers: Option<u32>,
    /// Cold build wall time (s).
    pub(crate) build_cold: Option<Timing>,
    /// Cached rebuild wall time (s).
    pub(crate) build_cached: Option<Timing>,
    /// Rebuild after a code change (s).
    pub(crate) build_incremental: Option<Timing>,
    /// Steps re-run after the code change, and total steps.
    pub(crate) incremental_steps: Option<(u32, u32)>,
    /// The build context as each kind of build sent it.
    pub(crate) context_sent: Option<ContextFacts>,
    /// Cold build time relative to the reference variant.
    pub(crate) build_ratio: Option<f64>,
    /// Startup to first 200 (ms).
    pub(crate) startup: Option<Timing>,
    /// Startup median relative to the reference variant.
    pub(crate) startup_ratio: Option<f64>,
    /// The engine's part of each start (start call → running).
    pub(crate) engine_start: Option<Timing>,
    /// The app's part (running → first 200).
    pub(crate) app_ready: Option<Timing>,
    /// The first start of the freshly built image.
    pub(crate) first_start: Option<Timing>,
    /// Round trip to the engine host (TCP connect to the published port), per start.
    pub(crate) connect_rtt: Option<Timing>,
    /// Each timing against the reference's, as the results hold it (empty for the
    /// reference, a failed variant, or a file without raw samples).
    pub(crate) vs_reference: BTreeMap<String, Comparison>,
    /// Request latency and throughput.
    pub(crate) latency: Option<Latency>,
    /// Memory idle and peak.
    pub(crate) memory: Option<Memory>,
    /// Smoke commands.
    pub(crate) smoke: SmokeView,
    /// Security and debugging facts from the image.
    pub(crate) facts: Facts,
    /// Ratings 1–5.
    pub(crate) ratings: Ratings,
    /// Reason cell, generated from the facts.
    pub(crate) reason: String,
    /// What the variant suits, generated from the facts.
    pub(crate) use_case: String,
    /// True when any timing of this row comes from a single run.
    pub(crate) single_run: bool,
    /// Mistakes found by reading the Dockerfile.
    pub(crate) findings: Vec<DockerfileFinding>,
    /// Per-layer breakdown, bottom first.
    pub(crate) layer_breakdown: Vec<LayerView>,
    /// Warnings recorded for the variant.
    pub(crate) warnings: Vec<String>,
}

/// Image size, split into base and added, with the ratio to the reference.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct SizeView {
    /// Total image size in bytes.
    pub(crate) total: u64,
    /// Size of the final stage's base, when known.
    pub(crate) base: Option<u64>,
    /// Bytes the Dockerfile added on top of its base, when known.
    pub(crate) added: Option<u64>,
    /// Total relative to the reference variant's total.
    pub(crate) ratio: Option<f64>,
    /// Config + layer sizes in the registry's manifest, when pushed (`--registry`).
    pub(crate) compressed: Option<u64>,
    /// Those of `compressed` that another variant of the run shares (same digests).
    pub(crate) shared: Option<u64>,
    /// Seconds the pull of the pushed image took onto a daemon without it (the median).
    pub(crate) pull_s: Option<f64>,
    /// Every timed pull, with its interval; `None` in files written before pulls were
    /// repeated (then `pull_s` is one sample).
    pub(crate) pull: Option<Timing>,
    /// `pull_s` plus the pulled image's first start to its first 200 (one start).
    pub(crate) pull_to_healthy_s: Option<f64>,
    /// Layers the timed pull found already on the daemon, of the image's layers.
    pub(crate) pull_layers_present: Option<(u32, u32)>,
    /// The pull estimated at each configured link speed: (bits per second, seconds).
    pub(crate) pull_estimates: Vec<(u64, f64)>,
    /// What a code change ships to a node with the previous version, when pushed.
    pub(crate) ship: Option<ShipView>,
}

/// The after-a-code-change image through the registry.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct ShipView {
    /// Bytes a node that has the previous version downloads (config and new layers).
    pub(crate) bytes: u64,
    /// Layers among them.
    pub(crate) layers: u32,
    /// Layers the changed image has in all.
    pub(crate) layers_total: u32,
    /// Seconds its pull took onto the daemon holding the previous version (one sample).
    pub(crate) pull_s: Option<f64>,
}

/// Smoke command outcomes.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct SmokeView {
    /// Commands run.
    pub(crate) total: usize,
    /// Commands that exited 0.
    pub(crate) passed: usize,
    /// True when a command looks like an import check (`import` in its text).
    pub(crate) imports: bool,
}

/// Facts from the image anatomy; `analysed` is false when no anatomy was recorded.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Facts {
    /// True when the image was analysed.
    pub(crate) analysed: bool,
    /// Runs as root; from the anatomy, or from the image config user when not analysed.
    pub(crate) root: Option<bool>,
    /// Shells present.
    pub(crate) shells: Vec<String>,
    /// Package managers present.
    pub(crate) package_managers: Vec<String>,
    /// Number of setuid/setgid files.
    pub(crate) setuid_files: usize,
    /// Installed OS packages, when a package database was found.
    pub(crate) os_packages: Option<u32>,
    /// C library (`glibc 2.36`, `musl`), when found.
    pub(crate) libc: Option<String>,
    /// True for a musl image.
    pub(crate) musl: bool,
    /// `PRETTY_NAME` from os-release.
    pub(crate) os_release: Option<String>,
    /// Bytes overwritten or deleted by a later layer.
    pub(crate) wasted_bytes: Option<u64>,
    /// Content bytes ÷ stored bytes (1.0 = nothing wasted).
    pub(crate) efficiency: Option<f64>,
    /// Python distributions installed.
    pub(crate) python_packages: Option<u32>,
    /// Compiled bytecode of the image's Python interpreters, when counted.
    pub(crate) bytecode: Option<crate::anatomy::Bytecode>,
    /// Vulnerability scan.
    pub(crate) vulnerabilities: Vulnerabilities,
}

/// Vulnerability facts as the matrix shows them.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) enum Vulnerabilities {
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
pub(crate) struct LayerView {
    /// The instruction that made it, shortened.
    pub(crate) created_by: String,
    /// Bytes it adds.
    pub(crate) bytes: u64,
    /// True when it belongs to the base image, when known.
    pub(crate) from_base: Option<bool>,
}

/// Ratings of one variant, 1 (worst) to 5 (best). `None` means the facts were not measured.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Ratings {
    /// Works, smoke checks, libc.
    pub(crate) compatibility: u8,
    /// Attack surface; `None` when the image was not analysed.
    pub(crate) security: Option<u8>,
    /// Debugging comfort; `None` when the image was not analysed.
    pub(crate) debugging: Option<u8>,
    /// Size relative to the smallest working variant; `None` for a variant that does not work.
    pub(crate) size: Option<u8>,
    /// Startup and cold build relative to the fastest working variant.
    pub(crate) speed: Option<u8>,
    /// Weighted mean of the ratings above, rounded; 1 for a variant that does not work.
    pub(crate) overall: u8,
    /// The weighted mean before rounding (1.0–5.0), used for ranking.
    pub(crate) score: f64,
}
