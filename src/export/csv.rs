//! `results.csv`: one row per variant, flat columns, machine-friendly units (bytes,
//! seconds, milliseconds); empty cells for what was not measured; the variant's warnings
//! joined with `; `, then its description. Every field goes through [`escape::csv`].

use crate::export::{cells, escape};
use crate::format;
use crate::matrix::{Matrix, Row, Vulnerabilities};
use crate::stats::Timing;

const HEADER: &[&str] = &[
    "rank",
    "name",
    "works",
    "failure",
    "stand_in",
    "single_run",
    "size_bytes",
    "base_size_bytes",
    "added_bytes",
    "size_ratio",
    "layers",
    "build_cold_s",
    "build_cold_min_s",
    "build_cold_max_s",
    "build_cached_s",
    "build_incremental_s",
    "build_incremental_ci_lo_s",
    "build_incremental_ci_hi_s",
    "build_incremental_verdict",
    "incremental_steps_run",
    "steps_total",
    "build_ratio",
    "startup_ms",
    "startup_min_ms",
    "startup_max_ms",
    "startup_runs",
    "startup_ratio",
    "startup_ci_lo_ms",
    "startup_ci_hi_ms",
    "startup_outliers",
    "engine_start_ms",
    "app_ready_ms",
    "first_start_ms",
    "connect_rtt_ms",
    "startup_vs_ref_ratio",
    "startup_vs_ref_ci_lo",
    "startup_vs_ref_ci_hi",
    "startup_p_value",
    "startup_verdict",
    "latency_p50_ms",
    "latency_p50_ci_lo_ms",
    "latency_p50_ci_hi_ms",
    "latency_p95_ms",
    "latency_p99_ms",
    "rps",
    "memory_idle_bytes",
    "memory_peak_bytes",
    "analysed",
    "root",
    "shells",
    "package_managers",
    "setuid_files",
    "os_packages",
    "python_packages",
    "bytecode",
    "wasted_bytes",
    "efficiency",
    "libc",
    "cves_critical",
    "cves_high",
    "rating_compatibility",
    "rating_security",
    "rating_debugging",
    "rating_size",
    "rating_speed",
    "rating_overall",
    "score",
    "reason",
    "use_case",
    "dockerfile_findings",
    "warnings",
    "description",
    "context_transfer",
    "context_cold_bytes",
    "context_cold_s",
    "context_cached_bytes",
    "context_cached_s",
    "context_incremental_bytes",
    "context_incremental_s",
    "compressed_bytes",
    "shared_compressed_bytes",
    "pull_s",
    "pull_ci_lo_s",
    "pull_ci_hi_s",
    "pull_runs",
    "pull_to_healthy_s",
    "pull_layers_present",
    "pull_estimates",
    "code_change_ship_bytes",
    "code_change_ship_layers",
    "code_change_pull_s",
    "testbed",
];

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

fn timing_cells(t: Option<&Timing>) -> [String; 3] {
    [
        opt(t.map(|t| t.median)),
        opt(t.map(|t| t.min)),
        opt(t.map(|t| t.max)),
    ]
}

fn ci_cells(ci: Option<[f64; 2]>) -> [String; 2] {
    [opt(ci.map(|c| c[0])), opt(ci.map(|c| c[1]))]
}

/// Ratio, interval, p-value and verdict against the reference.
fn versus_cells(row: &Row, key: &str) -> [String; 5] {
    let c = row.vs_reference.get(key);
    let [lo, hi] = ci_cells(c.map(|c| c.ci95));
    [
        opt(c.map(|c| c.ratio)),
        lo,
        hi,
        opt(c.and_then(|c| c.p_value)),
        verdict_cell(row, key),
    ]
}

fn verdict_cell(row: &Row, key: &str) -> String {
    match row.vs_reference.get(key) {
        Some(c) => c.verdict.label().replace(' ', "-"),
        None if row.is_reference && row.works => "reference".to_string(),
        None => String::new(),
    }
}

fn record(row: &Row) -> Vec<String> {
    let size = row.size.as_ref();
    let f = &row.facts;
    let (critical, high) = match &f.vulnerabilities {
        Vulnerabilities::Scanned { critical, high, .. } => (Some(*critical), Some(*high)),
        _ => (None, None),
    };
    let r = &row.ratings;
    let [cold, cold_min, cold_max] = timing_cells(row.build_cold.as_ref());
    let [start, start_min, start_max] = timing_cells(row.startup.as_ref());
    let [inc_lo, inc_hi] = ci_cells(row.build_incremental.as_ref().and_then(|t| t.ci95));
    let [start_lo, start_hi] = ci_cells(row.startup.as_ref().and_then(|t| t.ci95));
    let [vs_ratio, vs_lo, vs_hi, vs_p, vs_verdict] = versus_cells(row, "startup_ms");
    let [lat_lo, lat_hi] = ci_cells(row.latency.as_ref().and_then(|l| l.ci95));
    let median = |t: Option<&Timing>| opt(t.map(|t| t.median));
    vec![
        row.rank.to_string(),
        row.name.clone(),
        row.works.to_string(),
        row.failure.clone().unwrap_or_default(),
        (!row.stand_in_bases.is_empty()).to_string(),
        row.single_run.to_string(),
        opt(size.map(|s| s.total)),
        opt(size.and_then(|s| s.base)),
        opt(size.and_then(|s| s.added)),
        opt(size.and_then(|s| s.ratio)),
        opt(row.layers),
        cold,
        cold_min,
        cold_max,
        opt(row.build_cached.as_ref().map(|t| t.median)),
        opt(row.build_incremental.as_ref().map(|t| t.median)),
        inc_lo,
        inc_hi,
        verdict_cell(row, "build_incremental_s"),
        opt(row.incremental_steps.map(|s| s.0)),
        opt(row.incremental_steps.map(|s| s.1)),
        opt(row.build_ratio),
        start,
        start_min,
        start_max,
        opt(row.startup.as_ref().map(|t| t.n)),
        opt(row.startup_ratio),
        start_lo,
        start_hi,
        opt(row.startup.as_ref().and_then(|t| t.outliers)),
        median(row.engine_start.as_ref()),
        median(row.app_ready.as_ref()),
        median(row.first_start.as_ref()),
        median(row.connect_rtt.as_ref()),
        vs_ratio,
        vs_lo,
        vs_hi,
        vs_p,
        vs_verdict,
        opt(row.latency.as_ref().map(|l| l.p50)),
        lat_lo,
        lat_hi,
        opt(row.latency.as_ref().map(|l| l.p95)),
        opt(row.latency.as_ref().map(|l| l.p99)),
        opt(row.latency.as_ref().and_then(|l| l.concurrent_rps)),
        opt(row.memory.as_ref().map(|m| m.idle)),
        opt(row.memory.as_ref().map(|m| m.peak)),
        f.analysed.to_string(),
        opt(f.root),
        f.shells.join(" "),
        f.package_managers.join(" "),
        opt(f.analysed.then_some(f.setuid_files)),
        opt(f.os_packages),
        opt(f.python_packages),
        f.bytecode
            .as_ref()
            .map(format::bytecode)
            .unwrap_or_default(),
        opt(f.wasted_bytes),
        opt(f.efficiency),
        f.libc.clone().unwrap_or_default(),
        opt(critical),
        opt(high),
        r.compatibility.to_string(),
        opt(r.security),
        opt(r.debugging),
        opt(r.size),
        opt(r.speed),
        r.overall.to_string(),
        format!("{:.2}", r.score),
        row.reason.clone(),
        row.use_case.clone(),
        row.findings.len().to_string(),
        row.warnings.join("; "),
        cells::description(row).unwrap_or_default().to_string(),
    ]
    .into_iter()
    .chain(context_cells(row))
    .chain(registry_cells(row))
    .chain([row.testbed.clone().unwrap_or_default()])
    .collect()
}

/// `context_transfer`, then bytes and median seconds sent by the cold, cached and
/// incremental builds.
fn context_cells(row: &Row) -> [String; 7] {
    let c = row.context_sent.as_ref();
    let sent = |s: Option<&crate::results::ContextSent>| {
        [opt(s.map(|s| s.bytes)), opt(s.map(|s| s.seconds.median))]
    };
    let [cold_b, cold_s] = sent(c.map(|c| &c.cold));
    let [cached_b, cached_s] = sent(c.and_then(|c| c.cached.as_ref()));
    let [inc_b, inc_s] = sent(c.and_then(|c| c.incremental.as_ref()));
    [
        c.map(|c| c.transfer.clone()).unwrap_or_default(),
        cold_b,
        cold_s,
        cached_b,
        cached_s,
        inc_b,
        inc_s,
    ]
}

/// Compressed and shared bytes, the pull's median seconds, interval and count (and to
/// the pulled image's first 200, and its estimates as `bits-per-second:seconds` joined
/// with `;`), and what a code change ships: bytes, layers and its pull's seconds (with
/// `--registry`).
fn registry_cells(row: &Row) -> [String; 12] {
    let size = row.size.as_ref();
    let ship = size.and_then(|s| s.ship.as_ref());
    let pull = size.and_then(|s| s.pull.as_ref());
    let [ci_lo, ci_hi] = ci_cells(pull.and_then(|t| t.ci95));
    [
        opt(size.and_then(|s| s.compressed)),
        opt(size.and_then(|s| s.shared)),
        opt(size.and_then(|s| s.pull_s)),
        ci_lo,
        ci_hi,
        opt(pull.map(|t| t.n).or(size.and_then(|s| s.pull_s).map(|_| 1))),
        opt(size.and_then(|s| s.pull_to_healthy_s)),
        opt(size.and_then(|s| s.pull_layers_present).map(|p| p.0)),
        size.map(|s| {
            s.pull_estimates
                .iter()
                .map(|&(bps, s)| format!("{bps}:{s}"))
                .collect::<Vec<_>>()
                .join(";")
        })
        .unwrap_or_default(),
        opt(ship.map(|s| s.bytes)),
        opt(ship.map(|s| s.layers)),
        opt(ship.and_then(|s| s.pull_s)),
    ]
}

/// Render the CSV, rows in ranking order.
pub(crate) fn render(matrix: &Matrix) -> Vec<u8> {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let rows = std::iter::once(HEADER.iter().map(|s| s.to_string()).collect())
        .chain(matrix.ranked().map(record));
    for row in rows {
        let row: Vec<String> = row.iter().map(|field| escape::csv(field)).collect();
        // Writing to a Vec cannot fail; a failure would only lose that row.
        let _ = writer.write_record(&row);
    }
    writer.into_inner().unwrap_or_default()
}
