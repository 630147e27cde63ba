//! A variant's `description` (free text from the config) in every format: under the
//! terminal table, in a "Variants" list of report.md and report.html, and in the last
//! column of results.csv; escaped like every other text.

use basebench::export::{render_reports, render_table};
use basebench::matrix::ScoringWeights;
use basebench::results::RunResults;
use serde_json::Value;

/// article.json with a description on `slim` (markup characters in it) and `crashy`
/// (a control character).
fn described() -> RunResults {
    let path = format!(
        "{}/tests/fixtures/results/article.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut json: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json");
    json["variants"][2]["description"] = "Debian slim & pip <no cache> *fast*".into();
    json["variants"][5]["description"] = "crashes\u{1b}[31m on purpose".into();
    serde_json::from_value(json).expect("results")
}

fn report(results: &RunResults, name: &str) -> String {
    let reports = render_reports(results, &ScoringWeights::default());
    let report = reports
        .into_iter()
        .find(|r| r.file_name == name)
        .expect("report rendered");
    String::from_utf8(report.bytes).expect("utf-8")
}

#[test]
fn the_description_is_kept_in_results_json() {
    let results = described();
    let json: Value = serde_json::from_str(&report(&results, "results.json")).expect("json");
    assert_eq!(
        json["variants"][2]["description"],
        "Debian slim & pip <no cache> *fast*"
    );
    assert_eq!(
        json["variants"][0].get("description"),
        None,
        "absent when not set"
    );
}

#[test]
fn every_format_shows_the_description_escaped() {
    let results = described();
    let table = render_table(&results, &ScoringWeights::default(), false);
    assert!(
        table.contains("\nslim: Debian slim & pip <no cache> *fast*\n"),
        "{table}"
    );
    assert!(
        table.contains("\ncrashy: crashes\\x1b[31m on purpose\n"),
        "{table}"
    );
    let md = report(&results, "report.md");
    assert!(md.contains("\n### Variants\n"), "{md}");
    assert!(
        md.contains("- **slim**: Debian slim &amp; pip &lt;no cache&gt; \\*fast\\*\n"),
        "{md}"
    );
    let html = report(&results, "report.html");
    assert!(
        html.contains(
            "<li><strong>slim</strong>: Debian slim &amp; pip &lt;no cache&gt; *fast*</li>"
        ),
        "{html}"
    );
    assert!(html.contains("crashes\\x1b[31m on purpose"), "{html}");
    let csv = report(&results, "results.csv");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().expect("header").clone();
    let column = header
        .iter()
        .position(|h| h == "description")
        .expect("a description column");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let of = |name: &str| {
        rows.iter()
            .find(|r| r.get(1) == Some(name))
            .and_then(|r| r.get(column).map(str::to_string))
    };
    assert_eq!(
        of("slim").as_deref(),
        Some("Debian slim & pip <no cache> *fast*")
    );
    assert_eq!(of("crashy").as_deref(), Some("crashes\\x1b[31m on purpose"));
    assert_eq!(of("bloated").as_deref(), Some(""));
    for text in [&table, &md, &html, &csv] {
        assert!(!text.contains('\u{1b}'), "raw ESC in {text}");
    }
}

#[test]
fn without_descriptions_no_format_grows_a_section() {
    let mut json: Value = serde_json::to_value(described()).expect("json");
    for v in json["variants"].as_array_mut().expect("variants") {
        v.as_object_mut().expect("object").remove("description");
    }
    let plain: RunResults = serde_json::from_value(json).expect("results");
    assert!(!report(&plain, "report.md").contains("### Variants"));
    assert!(!report(&plain, "report.html").contains(">Variants<"));
    let table = render_table(&plain, &ScoringWeights::default(), false);
    assert!(!table.contains("\nslim: "), "{table}");
}
