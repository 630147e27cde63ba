//! `basebench trend`: the history as a table (one row per variant and run) and as an SVG
//! document with three line charts (size, cold build, startup) over time. A run that did
//! not finish (`complete: false`) is marked `(interrupted)` in both.

use tabled::builder::Builder;
use tabled::settings::Style;

use std::collections::HashMap;
use std::fmt::Write;

use crate::export::escape::{html as escape, terminal};
use crate::export::svg::{TOP, WIDTH, open};
use crate::format::{bytes, millis, seconds};
use crate::history::{History, HistoryEntry, HistoryVariant};
use crate::results::compare::{Figure, Pair};

fn wanted(name: &str, only: Option<&str>) -> bool {
    only.is_none_or(|o| o == name)
}

/// A figure of `now`, with its change from `prev` in percent when both have it. A timing
/// measured on another testbed than the previous run's gets no change: two machines'
/// timings are not compared (sizes do not depend on the machine).
fn cell(pair: &Pair<'_, HistoryVariant>, figure: Figure, other_testbed: bool) -> String {
    let change = pair.change(figure);
    let timing = !matches!(figure, Figure::Size);
    match (change.new, change.percent()) {
        (Some(value), Some(_)) if timing && other_testbed => {
            format!("{} (other testbed)", figure.show(value))
        }
        (Some(value), Some(pct)) => format!("{} ({pct:+.1}%)", figure.show(value)),
        (Some(value), None) => figure.show(value),
        (None, _) => "–".to_string(),
    }
}

/// A variant's name in the table: its testbed when a merge recorded one, † on a stand-in.
fn variant_label(v: &HistoryVariant) -> String {
    let on = v
        .testbed
        .as_ref()
        .map(|t| format!(" on {t}"))
        .unwrap_or_default();
    format!("{}{on}{}", v.name, if v.stand_in { " †" } else { "" })
}

/// Table: for each variant (or only `only`), one row per run, oldest first, with the
/// change from the previous run in percent.
pub fn table(history: &History, only: Option<&str>) -> String {
    let mut builder = Builder::default();
    builder.push_record([
        "variant",
        "run",
        "time",
        "works",
        "size",
        "cold build",
        "startup",
    ]);
    let rows = history.by_variant();
    for name in history.variant_names().iter().filter(|n| wanted(n, only)) {
        let mut prev: Option<&HistoryVariant> = None;
        for &(run, v) in rows.get(name.as_str()).into_iter().flatten() {
            let pair = Pair::new(name.as_str(), prev, Some(v));
            let other_testbed = prev.is_some_and(|p| p.testbed != v.testbed);
            let record = [
                variant_label(v),
                run_label(run),
                run.time.clone(),
                if v.works { "yes" } else { "NO" }.to_string(),
                cell(&pair, Figure::Size, other_testbed),
                cell(&pair, Figure::ColdBuild, other_testbed),
                cell(&pair, Figure::Startup, other_testbed),
            ];
            builder.push_record(record.map(|cell| terminal(&cell)));
            prev = Some(v);
        }
    }
    let mut out = builder.build().with(Style::sharp()).to_string();
    out.push_str("\n† measured on a stand-in base; (±%) is the change from the previous run.\n");
    if history
        .runs
        .iter()
        .flat_map(|r| &r.variants)
        .any(|v| v.testbed.is_some())
    {
        out.push_str(OTHER_TESTBED_NOTE);
        out.push('\n');
    }
    if history.runs.iter().any(|r| !r.complete) {
        out.push_str(INTERRUPTED_NOTE);
        out.push('\n');
    }
    out
}

/// What the table says under a history with runs merged from several testbeds.
const OTHER_TESTBED_NOTE: &str = "on X: measured on testbed X of a merged run; a timing from \
     another testbed than the run before is marked (other testbed), not compared.";

/// What the table and the chart say under a history with an interrupted run.
const INTERRUPTED_NOTE: &str = "(interrupted): the run stopped before every variant was measured \
     (Ctrl-C, SIGTERM or a crash); its figures are partial.";

/// A run as the table names it: its id, marked when it did not finish.
fn run_label(run: &HistoryEntry) -> String {
    if run.complete {
        run.run_id.clone()
    } else {
        format!("{} (interrupted)", run.run_id)
    }
}

/// Lines of one figure for every wanted variant, one value per run.
fn lines(
    history: &History,
    only: Option<&str>,
    pick: fn(&crate::history::HistoryVariant) -> Option<f64>,
) -> Vec<Line> {
    let rows = history.by_variant();
    let position: HashMap<&str, usize> = history
        .runs
        .iter()
        .enumerate()
        .map(|(i, r)| (r.run_id.as_str(), i))
        .collect();
    history
        .variant_names()
        .into_iter()
        .filter(|n| wanted(n, only))
        .map(|name| {
            let mut values = vec![None; history.runs.len()];
            for (run, v) in rows.get(name.as_str()).into_iter().flatten() {
                if let Some(&i) = position.get(run.run_id.as_str()) {
                    values[i] = pick(v);
                }
            }
            Line { values, name }
        })
        .collect()
}

/// SVG document with the three charts stacked vertically.
pub(crate) fn svg(history: &History, only: Option<&str>) -> String {
    let labels: Vec<String> = history
        .runs
        .iter()
        .map(|r| {
            let date = r.time.get(..10).unwrap_or(&r.time);
            if r.complete {
                date.to_string()
            } else {
                format!("{date} (interrupted)")
            }
        })
        .collect();
    let charts = [
        line_chart(
            "trend-size",
            "Image size",
            &labels,
            &lines(history, only, |v| v.size_bytes.map(|b| b as f64)),
            |v| bytes(v as u64),
        ),
        line_chart(
            "trend-build",
            "Cold build (median)",
            &labels,
            &lines(history, only, |v| v.cold_build_s),
            seconds,
        ),
        line_chart(
            "trend-startup",
            "Startup (median)",
            &labels,
            &lines(history, only, |v| v.startup_median_ms),
            millis,
        ),
    ];
    let mut out = String::from(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" height=\"820\" viewBox=\"0 0 760 820\">\
         <rect width=\"760\" height=\"820\" fill=\"#fff\"/>",
    );
    for (i, chart) in charts.iter().enumerate() {
        // Nest each chart at its vertical offset.
        out.push_str(&chart.replacen("<svg ", &format!("<svg y=\"{}\" ", i * 265), 1));
    }
    if history.runs.iter().any(|r| !r.complete) {
        let _ = write!(
            out,
            "<text x=\"10\" y=\"810\" font-size=\"11\" fill=\"#555\">{}</text>",
            escape(INTERRUPTED_NOTE)
        );
    }
    out.push_str("</svg>\n");
    out
}

/// One line of a line chart: a name and one optional value per x position.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    /// Series name.
    pub(crate) name: String,
    /// Values in x order; `None` leaves a gap.
    pub(crate) values: Vec<Option<f64>>,
}

/// Colours given to series in order.
pub(crate) const PALETTE: [&str; 8] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#9c755f",
];

/// A line chart over `x_labels` (e.g. run dates), one line per series; the y axis starts
/// at 0 and ends at the largest value.
pub(crate) fn line_chart(
    id: &str,
    title: &str,
    x_labels: &[String],
    lines: &[Line],
    fmt: fn(f64) -> String,
) -> String {
    let (height, plot_h, left, right) = (260.0, 170.0, 70.0, WIDTH - 150.0);
    let max = lines
        .iter()
        .flat_map(|l| l.values.iter().flatten())
        .fold(0.0, |a: f64, b| a.max(*b));
    let k = if max > 0.0 { plot_h / max } else { 0.0 };
    let step = if x_labels.len() > 1 {
        (right - left) / (x_labels.len() - 1) as f64
    } else {
        0.0
    };
    let y_of = |v: f64| TOP + plot_h - v * k;
    let mut out = String::new();
    open(&mut out, id, title, height);
    let _ = write!(
        out,
        "<path class=\"axis\" d=\"M{left} {TOP}V{}H{right}\"/>",
        TOP + plot_h
    );
    let _ = write!(
        out,
        "<text class=\"value\" x=\"0\" y=\"{}\">{}</text>\
         <text class=\"value\" x=\"0\" y=\"{}\">0</text>",
        TOP + 10.0,
        escape(&fmt(max)),
        TOP + plot_h
    );
    for (i, x_label) in x_labels.iter().enumerate() {
        let x = left + step * i as f64;
        let _ = write!(
            out,
            "<text class=\"legend\" x=\"{x:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            TOP + plot_h + 16.0,
            escape(x_label)
        );
    }
    for (n, line) in lines.iter().enumerate() {
        let points: Vec<(f64, f64)> = line
            .values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| (left + step * i as f64, y_of(v))))
            .collect();
        series(&mut out, n, line, &points, right + 12.0);
    }
    out.push_str("</svg>");
    out
}

/// One series: its polyline, a dot per point and its name in the legend (`legend_x`).
fn series(out: &mut String, n: usize, line: &Line, points: &[(f64, f64)], legend_x: f64) {
    let color = PALETTE[n % PALETTE.len()];
    let coords: Vec<String> = points
        .iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect();
    let _ = write!(
        out,
        "<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{}\">\
         <title>{}</title></polyline>",
        coords.join(" "),
        escape(&line.name)
    );
    for (x, y) in points {
        let _ = write!(
            out,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\" fill=\"{color}\"/>"
        );
    }
    let _ = write!(
        out,
        "<text class=\"legend\" x=\"{legend_x}\" y=\"{}\" style=\"fill:{color}\">{}</text>",
        TOP + 12.0 + 16.0 * n as f64,
        escape(&line.name)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, time: &str, testbed: Option<&str>, startup: f64) -> HistoryEntry {
        HistoryEntry {
            run_id: id.into(),
            time: time.into(),
            complete: true,
            variants: vec![HistoryVariant {
                name: "app".into(),
                works: true,
                size_bytes: Some(1000),
                cold_build_s: Some(2.0),
                startup_median_ms: Some(startup),
                stand_in: false,
                testbed: testbed.map(str::to_string),
            }],
            merged_from: Vec::new(),
        }
    }

    #[test]
    fn a_timing_from_another_testbed_is_not_given_a_change() {
        let history = History {
            runs: vec![
                entry("r1", "2026-01-01", Some("a"), 100.0),
                entry("r2", "2026-01-02", Some("a"), 110.0),
                entry("r3", "2026-01-03", Some("b"), 300.0),
            ],
            skipped: Vec::new(),
        };
        let table = table(&history, None);
        let row = |id: &str| {
            table
                .lines()
                .find(|l| l.contains(id))
                .unwrap_or_else(|| panic!("no row for {id} in\n{table}"))
                .to_string()
        };
        assert!(row("r2").contains("app on a"), "{table}");
        assert!(
            row("r2").contains("(+10.0%)"),
            "same testbed: compared\n{table}"
        );
        let r3 = row("r3");
        assert!(r3.contains("app on b"), "{table}");
        assert!(r3.contains("(other testbed)"), "{table}");
        assert!(
            !r3.contains("+172"),
            "300 ms on b is not +172 % of 110 ms on a\n{table}"
        );
        assert!(r3.contains("(+0.0%)"), "the size is compared\n{table}");
        assert!(table.contains(OTHER_TESTBED_NOTE), "{table}");
    }
}
