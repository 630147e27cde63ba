//! The typed warnings of a row, each through the binary on the fake engine: every test
//! runs the variant that should warn beside a control that should not, so it can fail.

use super::*;

/// Run `variants` with the usual flags plus `extra`; the rows by name.
fn run_rows(variants: &[(&str, &str)], extra: &[&str]) -> (tempfile::TempDir, Vec<Value>) {
    let dir = project(variants);
    let mut args = flag_args(variants);
    args.push("--no-history".into());
    args.extend(extra.iter().map(|a| a.to_string()));
    basebench(dir.path()).args(&args).assert().code(0);
    let rows = results(dir.path())["variants"]
        .as_array()
        .expect("variants")
        .clone();
    (dir, rows)
}

/// The row named `name`.
fn row<'a>(rows: &'a [Value], name: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no row {name}: {rows:?}"))
}

/// The row's warnings that contain `needle`.
fn warned(row: &Value, needle: &str) -> Vec<String> {
    row["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter_map(Value::as_str)
        .filter(|w| w.contains(needle))
        .map(String::from)
        .collect()
}

#[test]
fn an_identical_rebuild_that_runs_steps_warns_cache_missed() {
    let (_dir, rows) = run_rows(&[("miss", "# fake: cache-miss"), ("hit", "")], &[]);
    let (miss, hit) = (row(&rows, "miss"), row(&rows, "hit"));
    assert_eq!(miss["works"], true, "{miss}");
    let steps = miss["build"]["cached_rebuild_steps_run"].as_u64();
    assert!(steps.is_some_and(|n| n > 0), "{miss}");
    assert_eq!(
        warned(miss, "instead of using the cache"),
        [format!(
            "the identical rebuild ran {} step(s) instead of using the cache",
            steps.unwrap_or_default()
        )]
    );
    assert_eq!(hit["build"]["cached_rebuild_steps_run"], 0);
    assert!(warned(hit, "cache").is_empty(), "{hit}");
}

#[test]
fn a_few_failed_requests_below_the_limit_warn_and_the_variant_still_works() {
    // Every 4th request answers 500: 25 %, under the 50 % allowed here.
    let (_dir, rows) = run_rows(
        &[("flaky", "# fake: fail-every 4"), ("steady", "")],
        &["--max-request-errors", "50%"],
    );
    let (flaky, steady) = (row(&rows, "flaky"), row(&rows, "steady"));
    assert_eq!(flaky["works"], true, "under the limit: {flaky}");
    let errors = flaky["latency_ms"]["errors"].as_u64().unwrap_or_default();
    assert!(errors > 0, "{flaky}");
    assert_eq!(
        warned(flaky, "request(s) failed"),
        [format!(
            "{errors} request(s) failed during the latency/load phases"
        )]
    );
    assert_eq!(steady["works"], true, "{steady}");
    assert_eq!(steady["latency_ms"]["errors"], 0);
    assert!(warned(steady, "request(s) failed").is_empty(), "{steady}");
}

#[test]
fn a_dockerfile_copying_no_source_file_warns_no_change_file() {
    let dir = project(&[("copies", "")]);
    std::fs::write(
        dir.path().join("Dockerfile.nocopy"),
        "FROM python:3.11-slim\nCMD [\"python\", \"-m\", \"http.server\"]\n",
    )
    .expect("write");
    let variants: &[(&str, &str)] = &[("copies", ""), ("nocopy", "")];
    let mut args = flag_args(variants);
    args.push("--no-history".into());
    basebench(dir.path()).args(&args).assert().code(0);
    let json = results(dir.path());
    let rows = json["variants"].as_array().expect("variants");
    let (nocopy, copies) = (row(rows, "nocopy"), row(rows, "copies"));
    assert_eq!(nocopy["works"], true, "{nocopy}");
    assert_eq!(
        warned(nocopy, "no copied source file"),
        ["rebuild after code change not measured: no copied source file found; set `change_file`"]
    );
    assert_eq!(nocopy["build"]["changed_file"], Value::Null);
    assert_eq!(nocopy["build"]["incremental_s"], Value::Null);
    assert!(
        warned(copies, "no copied source file").is_empty(),
        "{copies}"
    );
    assert_eq!(copies["build"]["changed_file"], "app.py");
    assert!(copies["build"]["incremental_s"]["median"].is_number());
}

#[test]
fn a_failing_export_warns_anatomy_failed_and_the_variant_still_works() {
    let (_dir, rows) = run_rows(&[("noexport", "# fake: export-fail"), ("exports", "")], &[]);
    let (noexport, exports) = (row(&rows, "noexport"), row(&rows, "exports"));
    assert_eq!(noexport["works"], true, "{noexport}");
    assert_eq!(noexport["anatomy"], Value::Null);
    let failed = warned(noexport, "image anatomy not measured: ");
    assert_eq!(failed.len(), 1, "{noexport}");
    assert!(failed[0].contains("fake: export-fail"), "{failed:?}");
    assert!(exports["anatomy"].is_object(), "{exports}");
    assert!(warned(exports, "anatomy").is_empty(), "{exports}");
}

#[test]
fn startups_spread_wider_than_half_the_median_warn_high_variance() {
    // Three rounds, the first a warm-up: the wide one's measured starts are 100 and 700 ms.
    let (_dir, rows) = run_rows(
        &[
            ("wide", "# fake: startup-ms 700 100 700"),
            ("narrow", "# fake: startup-ms 300"),
        ],
        &[],
    );
    let (wide, narrow) = (row(&rows, "wide"), row(&rows, "narrow"));
    let samples: Vec<f64> = wide["startup_ms"]["samples"]
        .as_array()
        .expect("samples")
        .iter()
        .filter(|s| s["warmup"] == false)
        .filter_map(|s| s["value"].as_f64())
        .collect();
    assert!(
        samples.iter().any(|&v| v < 400.0) && samples.iter().any(|&v| v >= 700.0),
        "{samples:?}"
    );
    let spread = warned(wide, "startup: samples spread by");
    assert_eq!(spread.len(), 1, "{wide}");
    assert!(spread[0].contains("% of the median"), "{spread:?}");
    // Only the startup spread: the fake's 5 ms builds may spread widely on a busy machine.
    assert!(
        warned(narrow, "startup: samples spread by").is_empty(),
        "{narrow}"
    );
}

#[test]
fn build_runs_repeats_the_cached_and_after_change_builds() {
    let (_dir, rows) = run_rows(&[("good", "")], &["--build-runs", "3"]);
    let good = row(&rows, "good");
    for key in ["cached_s", "incremental_s"] {
        let timing = &good["build"][key];
        assert_eq!(timing["n"], 3, "{key}: {timing}");
        let rounds: Vec<u64> = timing["samples"]
            .as_array()
            .expect("samples")
            .iter()
            .filter_map(|s| s["round"].as_u64())
            .collect();
        assert_eq!(rounds, [0, 1, 2], "{key}");
    }
    assert_eq!(
        good["build"]["cold_s"]["n"], 1,
        "cold builds are their own setting"
    );
    assert!(warned(good, "build times: single run").is_empty(), "{good}");

    let (_dir, rows) = run_rows(&[("good", "")], &["--build-runs", "1"]);
    let good = row(&rows, "good");
    for key in ["cached_s", "incremental_s"] {
        assert_eq!(good["build"][key]["n"], 1, "{key}");
    }
    assert_eq!(warned(good, "build times: single run").len(), 1, "{good}");
}

#[test]
fn run_reports_the_exported_images_anatomy_and_no_anatomy_leaves_it_out() {
    let (_dir, rows) = run_rows(&[("good", "")], &[]);
    let anatomy = &row(&rows, "good")["anatomy"];
    // The fake archive: /bin/sh, /usr/bin/pip, a passwd with root, no `USER`.
    assert_eq!(
        anatomy["shells"],
        serde_json::json!(["/bin/sh"]),
        "{anatomy}"
    );
    assert_eq!(
        anatomy["package_managers"],
        serde_json::json!(["pip"]),
        "{anatomy}"
    );
    assert_eq!(anatomy["user"]["is_root"], true, "{anatomy}");
    assert_eq!(anatomy["user"]["uid"], 0, "{anatomy}");
    assert_eq!(
        anatomy["layers"].as_array().map(Vec::len),
        Some(1),
        "{anatomy}"
    );

    let (_dir, rows) = run_rows(&[("good", "")], &["--no-anatomy"]);
    let good = row(&rows, "good");
    assert_eq!(good["works"], true, "{good}");
    assert_eq!(good["anatomy"], Value::Null, "{good}");
    assert!(
        warned(good, "anatomy").is_empty(),
        "skipped, not failed: {good}"
    );
}

#[test]
fn a_configured_change_file_is_the_one_changed() {
    let dir = project(&[("configured", ""), ("default", "")]);
    let config = "context = \"app\"\nport = 5000\nruns = 2\n\n\
        [[variant]]\nname = \"configured\"\ndockerfile = \"Dockerfile.configured\"\nchange_file = \"requirements.txt\"\n\n\
        [[variant]]\nname = \"default\"\ndockerfile = \"Dockerfile.default\"\n";
    std::fs::write(dir.path().join("basebench.toml"), config).expect("write");
    basebench(dir.path())
        .args(["run", "--no-history", "--output", "out"])
        .assert()
        .code(0);
    let json = results(dir.path());
    let rows = json["variants"].as_array().expect("variants");
    let configured = row(rows, "configured");
    assert_eq!(
        configured["build"]["changed_file"], "requirements.txt",
        "{configured}"
    );
    assert!(configured["build"]["incremental_s"]["median"].is_number());
    assert_eq!(
        row(rows, "default")["build"]["changed_file"],
        "app.py",
        "without the setting the first copied source file"
    );
}
