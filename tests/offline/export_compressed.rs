//! The figures measured through a registry (`--registry`): compressed size, the pull and
//! what a code change ships, in the size cell and the CSV only when measured, kept in
//! results.json, and absent from older results that still read.

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
    image["pull_s"] = 0.42.into();
    image["pull"] = serde_json::json!({
        "median": 0.42, "min": 0.40, "max": 0.47, "n": 3, "ci95": [0.40, 0.47],
        "samples": [{"value": 0.40}, {"value": 0.42}, {"value": 0.47}],
    });
    image["pull_to_healthy_s"] = 1.03.into();
    image["pull_layers_present"] = 1.into();
    image["pull_estimates"] = serde_json::json!([
        {"bandwidth_bps": 100_000_000, "seconds": 1.404},
        {"bandwidth_bps": 1_000_000_000, "seconds": 0.5184},
    ]);
    let slim = &mut json["variants"][2];
    slim["registry_ref"] = "127.0.0.1:5000/bench/slim:r1".into();
    slim["code_change_ship_bytes"] = 4_300.into();
    slim["code_change_ship"] = serde_json::json!({
        "reference": "127.0.0.1:5000/bench/slim:r1-changed",
        "config": {"digest": "sha256:c2", "size_bytes": 300},
        "layers": [{"digest": "sha256:l2", "size_bytes": 4_000}],
        "layers_total": 6,
        "pull_s": 0.05,
    });
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
    assert!(
        table.contains("pull 0.42 s [0.40–0.47], healthy at 1.03 s (1 of 1 layers local)"),
        "{table}"
    );
    assert!(table.contains("pull est. 1.40 s at 100 Mbit/s"), "{table}");
    assert!(
        table.contains("a change ships 4 kB (1 of 6 layers)"),
        "{table}"
    );
    let mut one_pull = pushed();
    if let Some(image) = one_pull.variants[2].image.as_mut() {
        image.pull = None;
    }
    let table = render_table(&one_pull, &ScoringWeights::default(), false);
    assert!(
        table.contains("pull 0.42 s (1 run), healthy at 1.03 s"),
        "a file from before pulls were repeated: {table}"
    );
    let plain: RunResults = serde_json::from_value(article()).expect("older results read");
    let table = render_table(&plain, &ScoringWeights::default(), false);
    assert!(!table.contains("compressed"), "{table}");
    assert!(!table.contains("a change ships"), "{table}");
}

/// One CSV record's fields, with RFC 4180 quoting.
fn fields(line: &str) -> Vec<String> {
    let (mut out, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    out.push(field);
    out
}

#[test]
fn the_csv_has_the_registry_columns_filled_only_where_measured() {
    let reports = render_reports(&pushed(), &ScoringWeights::default());
    let csv = reports
        .iter()
        .find(|r| r.file_name == "results.csv")
        .expect("results.csv");
    let text = String::from_utf8_lossy(&csv.bytes);
    let mut lines = text.lines();
    let header = fields(lines.next().expect("header"));
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}: {header:?}"))
    };
    let mut found = false;
    for line in lines {
        let cells = fields(line);
        let get = |name: &str| cells.get(column(name)).cloned().unwrap_or_default();
        if get("name") == "slim" {
            found = true;
            assert_eq!(get("compressed_bytes"), "12300000");
            assert_eq!(get("shared_compressed_bytes"), "10000000");
            assert_eq!(get("pull_s"), "0.42");
            assert_eq!(get("pull_ci_lo_s"), "0.4");
            assert_eq!(get("pull_ci_hi_s"), "0.47");
            assert_eq!(get("pull_runs"), "3");
            assert_eq!(get("pull_to_healthy_s"), "1.03");
            assert_eq!(get("pull_layers_present"), "1");
            assert_eq!(get("pull_estimates"), "100000000:1.404;1000000000:0.5184");
            assert_eq!(get("code_change_ship_bytes"), "4300");
            assert_eq!(get("code_change_ship_layers"), "1");
            assert_eq!(get("code_change_pull_s"), "0.05");
        } else if get("name") == "distroless" {
            assert_eq!(get("compressed_bytes"), "");
            assert_eq!(get("code_change_ship_bytes"), "");
        }
    }
    assert!(found, "{text}");
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

#[test]
fn the_html_report_charts_the_registry_figures_only_when_measured() {
    let html = |results: &RunResults| {
        let reports = render_reports(results, &ScoringWeights::default());
        let page = reports
            .iter()
            .find(|r| r.file_name == "report.html")
            .expect("report.html");
        String::from_utf8_lossy(&page.bytes).to_string()
    };
    let page = html(&pushed());
    for id in ["chart-registry-size", "chart-pull"] {
        assert!(page.contains(&format!("id=\"{id}\"")), "{id} missing");
    }
    assert!(page.contains("a code change ships"));
    assert!(
        page.contains("not pushed"),
        "the variants without a push say so"
    );
    let plain: RunResults = serde_json::from_value(article()).expect("older results read");
    let page = html(&plain);
    assert!(!page.contains("chart-registry-size") && !page.contains("chart-pull"));
}
