//! `basebench trend`: the history as a table (one row per variant and run) and as an SVG
//! document with three line charts (size, cold build, startup) over time.

use tabled::builder::Builder;
use tabled::settings::Style;

use crate::export::svg::{self, Line};
use crate::history::History;
use crate::matrix::format::{bytes, millis, seconds};

fn wanted(name: &str, only: Option<&str>) -> bool {
    only.is_none_or(|o| o == name)
}

fn change(prev: Option<f64>, now: Option<f64>) -> String {
    match (prev, now) {
        (Some(p), Some(n)) if p > 0.0 => format!(" ({:+.1}%)", (n - p) / p * 100.0),
        _ => String::new(),
    }
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
    for name in history.variant_names().iter().filter(|n| wanted(n, only)) {
        let mut prev: Option<&crate::history::HistoryVariant> = None;
        for run in &history.runs {
            let Some(v) = run.variants.iter().find(|v| &v.name == name) else {
                continue;
            };
            let size = v.size_bytes.map(|b| {
                bytes(b)
                    + &change(
                        prev.and_then(|p| p.size_bytes).map(|x| x as f64),
                        Some(b as f64),
                    )
            });
            let build = v
                .cold_build_s
                .map(|s| seconds(s) + &change(prev.and_then(|p| p.cold_build_s), Some(s)));
            let start = v
                .startup_median_ms
                .map(|s| millis(s) + &change(prev.and_then(|p| p.startup_median_ms), Some(s)));
            let dash = || "–".to_string();
            builder.push_record([
                format!("{}{}", v.name, if v.stand_in { " †" } else { "" }),
                run.run_id.clone(),
                run.time.clone(),
                if v.works { "yes" } else { "NO" }.to_string(),
                size.unwrap_or_else(dash),
                build.unwrap_or_else(dash),
                start.unwrap_or_else(dash),
            ]);
            prev = Some(v);
        }
    }
    let mut out = builder.build().with(Style::sharp()).to_string();
    out.push_str("\n† measured on a stand-in base; (±%) is the change from the previous run.\n");
    out
}

/// Lines of one figure for every wanted variant, one value per run.
fn lines(
    history: &History,
    only: Option<&str>,
    pick: fn(&crate::history::HistoryVariant) -> Option<f64>,
) -> Vec<Line> {
    history
        .variant_names()
        .into_iter()
        .filter(|n| wanted(n, only))
        .map(|name| Line {
            values: history
                .runs
                .iter()
                .map(|r| r.variants.iter().find(|v| v.name == name).and_then(pick))
                .collect(),
            name,
        })
        .collect()
}

/// SVG document with the three charts stacked vertically.
pub fn svg(history: &History, only: Option<&str>) -> String {
    let labels: Vec<String> = history
        .runs
        .iter()
        .map(|r| r.time.get(..10).unwrap_or(&r.time).to_string())
        .collect();
    let charts = [
        svg::line_chart(
            "trend-size",
            "Image size",
            &labels,
            &lines(history, only, |v| v.size_bytes.map(|b| b as f64)),
            |v| bytes(v as u64),
        ),
        svg::line_chart(
            "trend-build",
            "Cold build (median)",
            &labels,
            &lines(history, only, |v| v.cold_build_s),
            seconds,
        ),
        svg::line_chart(
            "trend-startup",
            "Startup (median)",
            &labels,
            &lines(history, only, |v| v.startup_median_ms),
            millis,
        ),
    ];
    let mut out = String::from(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" height=\"800\" viewBox=\"0 0 760 800\">\
         <rect width=\"760\" height=\"800\" fill=\"#fff\"/>",
    );
    for (i, chart) in charts.iter().enumerate() {
        // Nest each chart at its vertical offset.
        out.push_str(&chart.replacen("<svg ", &format!("<svg y=\"{}\" ", i * 265), 1));
    }
    out.push_str("</svg>\n");
    out
}
