//! The rows of the view model and how they are read from a [`VariantResult`].

use crate::anatomy::VulnerabilityScan;
use crate::matrix::score::Ratings;
use crate::results::{DockerfileFinding, FailureDetail, Latency, Memory, VariantResult};
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

/// Read the facts of one variant (ratios, ratings and text come later).
pub(crate) fn row_facts(v: &VariantResult) -> Row {
    let build = v.build.as_ref();
    let timings = [
        build.map(|b| &b.cold_s),
        build.and_then(|b| b.cached_s.as_ref()),
        build.and_then(|b| b.incremental_s.as_ref()),
        v.startup_ms.as_ref(),
    ];
    Row {
        findings: v.findings.clone(),
        name: v.name.clone(),
        dockerfile: v.dockerfile.clone(),
        works: v.works,
        failure: v.failure.clone(),
        failure_detail: v.failure_detail.clone(),
        stand_in_bases: stand_in_bases(v),
        size: v.image.as_ref().map(|i| SizeView {
            total: i.size_bytes,
            base: i.base_size_bytes,
            added: i.added_bytes,
            ratio: None,
        }),
        layers: v.image.as_ref().map(|i| i.layers),
        build_cold: build.map(|b| b.cold_s.clone()),
        build_cached: build.and_then(|b| b.cached_s.clone()),
        build_incremental: build.and_then(|b| b.incremental_s.clone()),
        incremental_steps: build.and_then(|b| b.incremental_steps_run.map(|r| (r, b.steps_total))),
        startup: v.startup_ms.clone(),
        latency: v.latency_ms.clone(),
        memory: v.memory_bytes.clone(),
        smoke: SmokeView {
            total: v.smoke.len(),
            passed: v.smoke.iter().filter(|s| s.passed()).count(),
            imports: v
                .smoke
                .iter()
                .any(|s| s.command.join(" ").contains("import")),
        },
        facts: facts(v),
        single_run: timings.iter().flatten().any(|t| t.is_single_run()),
        layer_breakdown: super::layers::layers(v),
        warnings: v.warnings.clone(),
        ..Row::default()
    }
}

fn facts(v: &VariantResult) -> Facts {
    let config_root = v.image.as_ref().map(|i| {
        let user = i.config_user.trim();
        user.is_empty() || user == "root" || user == "0" || user.starts_with("0:")
    });
    let Some(a) = v.anatomy.as_ref() else {
        return Facts {
            root: config_root,
            ..Facts::default()
        };
    };
    let vulnerabilities = match &a.vulnerabilities {
        VulnerabilityScan::NotScanned { reason } => Vulnerabilities::NotScanned(reason.clone()),
        VulnerabilityScan::Scanned {
            scanner,
            critical,
            high,
            medium,
            low,
            unknown,
            ..
        } => Vulnerabilities::Scanned {
            scanner: scanner.clone(),
            critical: *critical,
            high: *high,
            other: medium + low + unknown,
        },
    };
    Facts {
        analysed: true,
        root: Some(a.user.is_root),
        shells: a.shells.clone(),
        package_managers: a.package_managers.clone(),
        setuid_files: a.setuid_files.len(),
        os_packages: a.os_packages,
        libc: a.libc.as_ref().map(|l| match &l.version {
            Some(ver) => format!("{} {ver}", l.kind),
            None => l.kind.clone(),
        }),
        musl: a.libc.as_ref().is_some_and(|l| l.kind == "musl"),
        os_release: a.os_release.clone(),
        wasted_bytes: Some(a.wasted_bytes),
        efficiency: Some(a.efficiency),
        python_packages: Some(a.python_packages),
        vulnerabilities,
    }
}

/// Mark the reference (smallest working variant) and fill ratios to it. Returns its name.
pub(crate) fn apply_ratios(rows: &mut [Row]) -> Option<String> {
    let reference = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.works)
        .filter_map(|(i, r)| r.size.as_ref().map(|s| (i, s.total)))
        .min_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)))
        .map(|(i, _)| i)?;
    rows[reference].is_reference = true;
    let ref_size = rows[reference].size.as_ref().map(|s| s.total);
    let ref_build = rows[reference].build_cold.as_ref().map(|t| t.median);
    let ref_start = rows[reference].startup.as_ref().map(|t| t.median);
    for row in rows.iter_mut() {
        if let (Some(s), Some(base)) = (row.size.as_mut(), ref_size) {
            s.ratio = divide(s.total as f64, base as f64);
        }
        row.build_ratio = ratio_of(row.build_cold.as_ref(), ref_build);
        row.startup_ratio = ratio_of(row.startup.as_ref(), ref_start);
    }
    Some(rows[reference].name.clone())
}

fn ratio_of(t: Option<&Timing>, reference: Option<f64>) -> Option<f64> {
    divide(t?.median, reference?)
}

fn divide(a: f64, b: f64) -> Option<f64> {
    (b > 0.0 && a.is_finite()).then(|| a / b)
}

/// "requested → stand-in" for each distinct stand-in base (a base used by two stages is
/// listed once).
fn stand_in_bases(v: &VariantResult) -> Vec<String> {
    let mut listed: Vec<String> = Vec::new();
    for base in v.bases.iter().filter(|b| b.stand_in) {
        let text = format!("{} → {}", base.requested, base.actual);
        if !listed.contains(&text) {
            listed.push(text);
        }
    }
    listed
}
