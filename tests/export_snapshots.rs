//! Snapshot tests of every renderer on fixed, hand-made results (colours off).
//!
//! The fixture holds a failed build, a container that exits, stand-in bases, a single-run
//! timing, a missing anatomy and scanned and unscanned images.

use basebench::export::{self, render_reports, render_table};
use basebench::matrix::ScoringWeights;
use basebench::results::RunResults;

fn fixture(name: &str) -> RunResults {
    let path = format!(
        "{}/tests/fixtures/results/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("fixture readable");
    serde_json::from_str(&text).expect("fixture parses")
}

fn report(name: &str) -> String {
    let results = fixture("article.json");
    let reports = render_reports(&results, &ScoringWeights::default());
    let report = reports
        .into_iter()
        .find(|r| r.file_name == name)
        .expect("report rendered");
    String::from_utf8(report.bytes).expect("utf-8")
}

#[test]
fn terminal_table_fits_120_columns_and_matches_snapshot() {
    let table = render_table(&fixture("article.json"), &ScoringWeights::default(), false);
    for line in table
        .lines()
        .filter(|l| l.starts_with(['┌', '│', '├', '└']))
    {
        assert!(line.chars().count() <= 120, "line too wide: {line}");
    }
    insta::assert_snapshot!("table", table);
}

#[test]
fn results_json_is_the_results_exactly() {
    let text = report("results.json");
    let back: RunResults = serde_json::from_str(&text).expect("parses back");
    assert_eq!(back, fixture("article.json"));
    insta::assert_snapshot!("results_json", text);
}

#[test]
fn csv_has_one_row_per_variant_with_plain_units() {
    let text = report("results.csv");
    assert_eq!(
        text.lines().count(),
        1 + fixture("article.json").variants.len()
    );
    insta::assert_snapshot!("results_csv", text);
}

#[test]
fn markdown_report_matches_snapshot() {
    insta::assert_snapshot!("report_md", report("report.md"));
}

#[test]
fn html_report_matches_snapshot_and_needs_no_network() {
    let html = report("report.html");
    for banned in ["http://", "https://", "<script", "<link", "@import", "url("] {
        let hits: Vec<&str> = html.lines().filter(|l| l.contains(banned)).collect();
        let allowed = |l: &&str| l.contains("http://www.w3.org/2000/svg");
        assert!(
            hits.iter().all(allowed),
            "report.html refers to {banned}: {hits:?}"
        );
    }
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "log text is escaped"
    );
    insta::assert_snapshot!("report_html", html);
}

#[test]
fn every_report_is_rendered_under_its_file_name() {
    let names: Vec<&str> = render_reports(&fixture("article.json"), &ScoringWeights::default())
        .iter()
        .map(|r| r.file_name)
        .collect();
    assert_eq!(
        names,
        ["results.json", "results.csv", "report.md", "report.html"]
    );
    let _ = export::Report {
        file_name: "x",
        bytes: Vec::new(),
    };
}

#[test]
fn colours_appear_only_when_asked_for() {
    let results = fixture("article.json");
    let plain = render_table(&results, &ScoringWeights::default(), false);
    let coloured = render_table(&results, &ScoringWeights::default(), true);
    assert!(!plain.contains('\u{1b}'));
    assert!(coloured.contains("\u{1b}["));
}
