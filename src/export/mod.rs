//! Exporters: each file turns the same [`Matrix`] view model (or, for JSON, the results
//! themselves) into the bytes of one report. None touches the filesystem and none
//! recomputes a number; the writer stores the bytes atomically.
//!
//! The matrix's cells (`cells.rs`) and the sections under it (`details.rs`: warnings,
//! failures, findings) are built once; the table, Markdown and HTML only join their lines
//! and escape them, each with its own helper in [`escape`].

mod cells;
pub(crate) mod csv;
mod details;
pub(crate) mod escape;
pub(crate) mod html;
pub(crate) mod hyperfine;
pub(crate) mod json;
pub(crate) mod markdown;
mod markup;
pub(crate) mod svg;
pub(crate) mod table;
pub mod trend;

use crate::matrix::{Matrix, ScoringWeights};
use crate::results::RunResults;

/// One rendered report file.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// File name inside the run's output directory (`results.json`, `report.html`, ...).
    pub file_name: &'static str,
    /// The file's contents.
    pub bytes: Vec<u8>,
}

/// Render every report file of a run: `results.json`, `results.csv`, `report.md`,
/// `report.html`. The matrix is built once and shared by all of them.
pub fn render_reports(results: &RunResults, weights: &ScoringWeights) -> Vec<Report> {
    let matrix = Matrix::build(results, weights);
    vec![
        Report {
            file_name: "results.json",
            bytes: json::render(results),
        },
        Report {
            file_name: "results.csv",
            bytes: csv::render(&matrix),
        },
        Report {
            file_name: "report.md",
            bytes: markdown::render(&matrix).into_bytes(),
        },
        Report {
            file_name: "report.html",
            bytes: html::render(&matrix).into_bytes(),
        },
    ]
}

/// The startup samples in hyperfine's JSON export shape (`--export-hyperfine`).
pub fn render_hyperfine(results: &RunResults) -> Vec<u8> {
    hyperfine::render(results)
}

/// The terminal table of a run; `color` adds ANSI colours (off when not a terminal).
pub fn render_table(results: &RunResults, weights: &ScoringWeights, color: bool) -> String {
    table::render(&Matrix::build(results, weights), color)
}
