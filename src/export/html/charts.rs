//! The HTML report's inline SVG charts: size (base + added), build times, startup with its
//! intervals as error bars, startup's engine and app parts, latency, memory; with
//! `--registry`, local against compressed size and the pulls.

use crate::export::svg::{self, Bar, Group};
use crate::format::{bytes, millis, seconds};
use crate::matrix::model::SizeView;
use crate::matrix::{Matrix, Row};

/// Colour of the base image's share.
pub(crate) const BASE_COLOR: &str = "#4e79a7";
/// Colour of what the Dockerfile added.
pub(crate) const ADDED_COLOR: &str = "#f28e2b";

/// Every chart, in page order.
pub(super) fn all(matrix: &Matrix) -> Vec<String> {
    [
        Some(size_chart(matrix)),
        registry_size_chart(matrix),
        pull_chart(matrix),
        Some(build_chart(matrix)),
        Some(startup_chart(matrix)),
        startup_parts_chart(matrix),
        Some(latency_chart(matrix)),
        Some(memory_chart(matrix)),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Label of a row in charts: name, `@ testbed` in a merge of several, `†` for a
/// stand-in base.
fn chart_label(row: &Row) -> String {
    let mut label = row.name.clone();
    if let Some(testbed) = &row.testbed {
        label.push_str(&format!(" @ {testbed}"));
    }
    if !row.stand_in_bases.is_empty() {
        label.push_str(" †");
    }
    label
}

fn failed_note(row: &Row) -> Option<String> {
    (!row.works).then(|| "failed (see Failures)".to_string())
}

fn size_chart(matrix: &Matrix) -> String {
    let groups: Vec<Group> = matrix
        .ranked()
        .map(|row| {
            let size = row.size.as_ref();
            let bars = match size.map(|s| (s.total, s.base, s.added)) {
                Some((_, Some(base), Some(added))) => vec![
                    bar("base image", Some(base as f64), BASE_COLOR),
                    bar("added by Dockerfile", Some(added as f64), ADDED_COLOR),
                ],
                Some((total, _, _)) => {
                    vec![bar("image (split unknown)", Some(total as f64), "#999")]
                }
                None => Vec::new(),
            };
            let note = size.is_none().then(|| "not built".to_string());
            Group {
                label: chart_label(row),
                bars,
                note,
            }
        })
        .collect();
    svg::stacked("chart-size", "Image size: base + added", &groups, |v| {
        bytes(v as u64)
    })
}

/// True when some row was pushed to a registry.
fn pushed(matrix: &Matrix) -> bool {
    matrix
        .rows
        .iter()
        .any(|r| r.size.as_ref().is_some_and(|s| s.compressed.is_some()))
}

/// One series of a registry chart: its name, colour, the figure it reads and the error
/// bar it draws (the repeated pulls' interval; none for single figures).
type Series = (
    &'static str,
    &'static str,
    fn(&SizeView) -> Option<f64>,
    fn(&SizeView) -> Option<(f64, f64)>,
);

/// No error bar.
fn single(_: &SizeView) -> Option<(f64, f64)> {
    None
}

/// Local size beside what the registry stores and what a code change ships.
fn registry_size_chart(matrix: &Matrix) -> Option<String> {
    let series: [Series; 3] = [
        (
            "local (uncompressed)",
            BASE_COLOR,
            |s| Some(s.total as f64),
            single,
        ),
        (
            "compressed in the registry",
            "#59a14f",
            |s| s.compressed.map(|c| c as f64),
            single,
        ),
        (
            "a code change ships",
            ADDED_COLOR,
            |s| s.ship.as_ref().map(|ship| ship.bytes as f64),
            single,
        ),
    ];
    registry_chart(
        matrix,
        (
            "chart-registry-size",
            "Local size, compressed in the registry, and what a code change ships",
        ),
        &series,
        ("not pushed", |s| s.compressed.is_some()),
        |v| bytes(v as u64),
    )
}

/// The pulls through the registry: onto a daemon without the image (the median of the
/// repeated pulls, its interval as the error bar), to the pulled image's first 200, and
/// the code change's onto the previous version (one run each).
fn pull_chart(matrix: &Matrix) -> Option<String> {
    let series: [Series; 3] = [
        (
            "pull",
            "#4e79a7",
            |s| s.pull_s,
            |s| s.pull.as_ref().and_then(whisker),
        ),
        (
            "pull to first 200",
            "#76b7b2",
            |s| s.pull_to_healthy_s,
            single,
        ),
        (
            "a code change's pull",
            ADDED_COLOR,
            |s| s.ship.as_ref()?.pull_s,
            single,
        ),
    ];
    registry_chart(
        matrix,
        (
            "chart-pull",
            "Pulls from a loopback registry (pull: median, 95 % CI; the others 1 run)",
        ),
        &series,
        ("not pulled", |s| s.pull_s.is_some()),
        seconds,
    )
}

/// A grouped chart of registry figures, one bar per series and variant; `None` when the
/// run pushed nothing. A variant whose figures are missing (`missing.1` false) shows
/// `missing.0` instead.
fn registry_chart(
    matrix: &Matrix,
    (id, title): (&str, &str),
    series: &[Series],
    missing: (&str, fn(&SizeView) -> bool),
    fmt: fn(f64) -> String,
) -> Option<String> {
    if !pushed(matrix) {
        return None;
    }
    let groups: Vec<Group> = matrix
        .ranked()
        .map(|row| {
            let size = row.size.as_ref();
            Group {
                label: chart_label(row),
                bars: series
                    .iter()
                    .map(|&(name, color, figure, range)| Bar {
                        range: size.and_then(range),
                        ..bar(name, size.and_then(figure), color)
                    })
                    .collect(),
                note: size
                    .is_none_or(|s| !(missing.1)(s))
                    .then(|| missing.0.to_string()),
            }
        })
        .collect();
    Some(svg::grouped(id, title, &groups, fmt))
}

fn bar(series: &str, value: Option<f64>, color: &'static str) -> Bar {
    Bar {
        series: series.to_string(),
        value,
        color,
        range: None,
    }
}

/// A timing's bar: the median, with its 95 % interval as the error bar (min–max in a
/// file without intervals; none for a single run).
fn timed(series: &str, t: Option<&crate::stats::Timing>, color: &'static str) -> Bar {
    Bar {
        series: series.to_string(),
        value: t.map(|t| t.median),
        color,
        range: t.and_then(whisker),
    }
}

/// A timing's error bar: its 95 % interval (min–max in a file without intervals); none
/// for a single run.
fn whisker(t: &crate::stats::Timing) -> Option<(f64, f64)> {
    (!t.is_single_run()).then(|| t.ci95.map_or((t.min, t.max), |[lo, hi]| (lo, hi)))
}

/// Whisker label of the timing charts: the intervals when the run has them.
fn whiskers(matrix: &Matrix) -> &'static str {
    let any_ci = matrix
        .rows
        .iter()
        .any(|r| r.startup.as_ref().is_some_and(|t| t.ci95.is_some()));
    if any_ci {
        "median, 95 % CI"
    } else {
        "median, min–max"
    }
}

fn build_chart(matrix: &Matrix) -> String {
    let groups: Vec<Group> = matrix
        .ranked()
        .map(|row| Group {
            label: chart_label(row),
            bars: vec![
                timed("cold", row.build_cold.as_ref(), "#59a14f"),
                timed("cached", row.build_cached.as_ref(), "#76b7b2"),
                timed(
                    "after code change",
                    row.build_incremental.as_ref(),
                    "#b07aa1",
                ),
            ],
            note: row.build_cold.is_none().then(|| "not built".to_string()),
        })
        .collect();
    let title = format!("Build time ({})", whiskers(matrix));
    svg::grouped("chart-build", &title, &groups, seconds)
}

fn startup_chart(matrix: &Matrix) -> String {
    let groups: Vec<Group> = matrix
        .ranked()
        .map(|row| {
            let single = row.startup.as_ref().is_some_and(|t| t.is_single_run());
            let label = if single {
                format!("{} (1 run)", chart_label(row))
            } else {
                chart_label(row)
            };
            Group {
                label,
                bars: vec![timed(
                    "startup to first 200",
                    row.startup.as_ref(),
                    "#4e79a7",
                )],
                note: failed_note(row),
            }
        })
        .collect();
    let title = format!("Startup to first HTTP 200 ({})", whiskers(matrix));
    svg::grouped("chart-startup", &title, &groups, millis)
}

/// Where each start's time goes: the engine's part and the app's, stacked.
fn startup_parts_chart(matrix: &Matrix) -> Option<String> {
    if matrix.rows.iter().all(|r| r.engine_start.is_none()) {
        return None;
    }
    let groups: Vec<Group> = matrix
        .ranked()
        .map(|row| Group {
            label: chart_label(row),
            bars: vec![
                bar(
                    "engine: start call → running",
                    row.engine_start.as_ref().map(|t| t.median),
                    "#9c755f",
                ),
                bar(
                    "app: running → first 200",
                    row.app_ready.as_ref().map(|t| t.median),
                    "#4e79a7",
                ),
            ],
            note: failed_note(row)
                .or_else(|| row.engine_start.is_none().then(|| "not measured".into())),
        })
        .collect();
    Some(svg::stacked(
        "chart-startup-parts",
        "Startup: the engine's part and the app's (medians)",
        &groups,
        millis,
    ))
}

fn latency_chart(matrix: &Matrix) -> String {
    let groups: Vec<Group> = matrix
        .ranked()
        .map(|row| {
            let l = row.latency.as_ref();
            Group {
                label: chart_label(row),
                bars: vec![
                    bar("p50", l.map(|l| l.p50), "#76b7b2"),
                    bar("p95", l.map(|l| l.p95), "#edc948"),
                    bar("p99", l.map(|l| l.p99), "#e15759"),
                ],
                note: failed_note(row),
            }
        })
        .collect();
    svg::grouped(
        "chart-latency",
        "Request latency (sequential)",
        &groups,
        millis,
    )
}

fn memory_chart(matrix: &Matrix) -> String {
    let groups: Vec<Group> = matrix
        .ranked()
        .map(|row| {
            let m = row.memory.as_ref();
            Group {
                label: chart_label(row),
                bars: vec![
                    bar("idle", m.map(|m| m.idle as f64), "#9c755f"),
                    bar("peak under load", m.map(|m| m.peak as f64), "#f28e2b"),
                ],
                note: failed_note(row),
            }
        })
        .collect();
    svg::grouped(
        "chart-memory",
        "Memory (idle, peak under load)",
        &groups,
        |v| bytes(v as u64),
    )
}
