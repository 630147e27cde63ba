//! The compressed size measured through a registry (`--registry`): in the size cell only
//! when measured, kept in results.json, and absent from older results that still read.

use basebench::export::{render_reports, render_table};
use basebench::matrix::ScoringWeights;
use basebench::results::RunResults;
use serde_json::Value;

fn article() -> Value {
    let path = format!(
        "{}/tests/fixtures/results/article.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json")
}

/// article.json with `slim` pushed (12.3 MB compressed, 10 MB of it shared).
fn pushed() -> RunResults {
    let mut json = article();
    json["registry"] = "127.0.0.1:5000/bench".into();
    let image = &mut json["variants"][2]["image"];
    image["compressed_bytes"] = 12_300_000.into();
    image["shared_compressed_bytes"] = 10_000_000.into();
    image["compressed_config"] = serde_json::json!({"digest": "sha256:c", "size_bytes": 300_000});
    image["compressed_layers"] =
        serde_json::json!([{"digest": "sha256:l", "size_bytes": 12_000_000}]);
    json["variants"][2]["registry_ref"] = "127.0.0.1:5000/bench/slim:r1".into();
    serde_json::from_value(json).expect("results")
}

#[test]
fn the_size_cell_shows_the_compressed_size_only_when_measured() {
    let table = render_table(&pushed(), &ScoringWeights::default(), false);
    assert!(
        table.contains("compressed 12.3 MB (10.0 MB shared)"),
        "{table}"
    );
    assert_eq!(table.matches("compressed").count(), 1, "{table}");
    let plain: RunResults = serde_json::from_value(article()).expect("older results read");
    let table = render_table(&plain, &ScoringWeights::default(), false);
    assert!(!table.contains("compressed"), "{table}");
}

#[test]
fn results_json_keeps_the_registry_figures_and_leaves_them_out_when_absent() {
    let reports = render_reports(&pushed(), &ScoringWeights::default());
    let json = reports
        .iter()
        .find(|r| r.file_name == "results.json")
        .expect("results.json");
    let json: Value = serde_json::from_slice(&json.bytes).expect("json");
    assert_eq!(json["registry"], "127.0.0.1:5000/bench");
    assert_eq!(json["variants"][2]["image"]["compressed_bytes"], 12_300_000);
    assert_eq!(
        json["variants"][2]["registry_ref"],
        "127.0.0.1:5000/bench/slim:r1"
    );
    assert!(
        json["variants"][0]["image"]
            .get("compressed_bytes")
            .is_none()
    );
    assert!(json["variants"][0].get("registry_ref").is_none());
    let md = reports
        .iter()
        .find(|r| r.file_name == "report.md")
        .expect("report.md");
    assert!(String::from_utf8_lossy(&md.bytes).contains("12.3 MB"));
}
