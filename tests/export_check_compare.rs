//! `check`, `compare` and `trend`: exit codes and the lines a CI log shows.

use std::path::PathBuf;

use basebench::commands::CommandResult;
use basebench::commands::check::{self, CheckArgs};
use basebench::commands::compare::{self, CompareArgs};
use basebench::commands::trend::{self, TrendArgs};
use basebench::history;
use basebench::results::RunResults;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/results")
        .join(name)
}

fn load(name: &str) -> RunResults {
    serde_json::from_str(&std::fs::read_to_string(fixture(name)).expect("read")).expect("parse")
}

struct Run {
    code: i32,
    out: String,
    err: String,
}

/// Turn a command's result into (exit code, stdout, stderr + the error main would print).
fn finish(result: CommandResult, out: Vec<u8>, err: Vec<u8>) -> Run {
    let mut err = String::from_utf8(err).expect("utf-8");
    let code = match result {
        Ok(code) => code.code(),
        Err(e) => {
            err.push_str(&format!("Error: {e}\n"));
            e.code.code()
        }
    };
    Run {
        code,
        out: String::from_utf8(out).expect("utf-8"),
        err,
    }
}

fn config(dir: &tempfile::TempDir, text: &str) -> PathBuf {
    let path = dir.path().join("basebench.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

fn args(dir: &tempfile::TempDir, results: &str) -> CheckArgs {
    CheckArgs {
        results: fixture(results),
        baseline: None,
        max_size: None,
        max_startup: None,
        max_regression: None,
        variant: None,
        config: Some(config(dir, "")),
    }
}

fn check(args: &CheckArgs) -> Run {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let result = check::execute(args, &std::env::temp_dir(), &mut out, &mut err);
    finish(result, out, err)
}

#[test]
fn check_passes_when_every_limit_holds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = args(&dir, "article.json");
    a.variant = Some("distroless".into());
    a.max_size = Some("200MB".parse().expect("size"));
    a.max_startup = Some(2000.0);
    let run = check(&a);
    assert_eq!(run.code, 0, "{}{}", run.out, run.err);
    assert_eq!(run.out, "ok: every limit holds for 1 variant(s)\n");
}

#[test]
fn check_fails_on_variants_that_do_not_work() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = check(&args(&dir, "article.json"));
    assert_eq!(run.code, 1);
    assert!(
        run.out
            .contains("FAIL alpine: does not work: base image python:3.9-alpine")
    );
    assert!(
        run.out
            .contains("FAIL crashy: does not work: container exited with code 1")
    );
    assert!(
        run.out.ends_with("2 violation(s) in 6 variant(s)\n"),
        "{}",
        run.out
    );
}

#[test]
fn check_prints_the_measured_value_and_the_limit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = args(&dir, "article.json");
    a.variant = Some("bloated".into());
    a.max_size = Some("200MB".parse().expect("size"));
    a.max_startup = Some(500.0);
    let run = check(&a);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!("check_limits", run.out);
}

#[test]
fn check_catches_regressions_against_a_baseline() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = args(&dir, "article.json");
    a.baseline = Some(fixture("baseline.json"));
    a.max_regression = Some(10.0);
    let run = check(&a);
    assert_eq!(run.code, 1);
    assert!(run.out.contains(
        "FAIL slim: size grew 25.0% (229.6 MB → 287.0 MB), above max_regression_pct 10%"
    ));
    assert!(
        run.out
            .contains("FAIL distroless: startup grew 50.2% (400 ms → 601 ms)")
    );
    assert!(run.out.contains("FAIL legacy: missing from the results"));
    a.max_regression = Some(60.0);
    a.variant = Some("slim".into());
    assert_eq!(check(&a).code, 0);
}

#[test]
fn per_variant_limits_from_the_config_apply_and_flags_win() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = args(&dir, "article.json");
    a.config = Some(config(
        &dir,
        "[gates]\nmax_size = \"200MB\"\n[gates.variant.bloated]\nmax_size = \"2GB\"\n",
    ));
    a.variant = Some("bloated".into());
    assert_eq!(check(&a).code, 0);
    a.variant = Some("slim".into());
    let run = check(&a);
    assert_eq!(run.code, 1);
    assert!(run.out.contains("exceeds max_size 200.0 MB"));
    a.max_size = Some("300MB".parse().expect("size"));
    assert_eq!(check(&a).code, 0);
}

#[test]
fn check_reads_gates_from_basebench_toml_in_the_working_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = args(&dir, "article.json");
    a.config = None;
    config(&dir, "[gates]\nmax_startup_ms = 500\n");
    a.variant = Some("slim".into());
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let result = check::execute(&a, dir.path(), &mut out, &mut err);
    let run = finish(result, out, err);
    assert_eq!(run.code, 1, "{}{}", run.out, run.err);
    assert!(
        run.out
            .contains("FAIL slim: startup median 598 ms exceeds max_startup_ms 500 ms"),
        "{}",
        run.out
    );
}

#[test]
fn check_exits_2_on_unreadable_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = check(&args(&dir, "no-such.json"));
    assert_eq!(missing.code, 2);
    assert!(
        missing.err.contains("cannot read results file"),
        "{}",
        missing.err
    );
    assert!(missing.err.contains("no-such.json"));

    let mut not_results = args(&dir, "article.json");
    not_results.results = config(&dir, "context = \"x\"\n");
    let run = check(&not_results);
    assert_eq!(run.code, 2);
    assert!(
        run.err.contains("is not a basebench results.json"),
        "{}",
        run.err
    );

    let mut bad_gates = args(&dir, "article.json");
    bad_gates.config = Some(config(&dir, "[gates]\nmax_sise = 1\n"));
    let run = check(&bad_gates);
    assert_eq!(run.code, 2);
    assert!(run.err.contains("basebench.toml"), "{}", run.err);
    assert!(run.err.contains("max_sise"), "{}", run.err);

    let mut unknown = args(&dir, "article.json");
    unknown.variant = Some("nope".into());
    let run = check(&unknown);
    assert_eq!(run.code, 2);
    assert!(run.err.contains("variant 'nope' is not in"));
}

fn compare_files(old: &str, new: &str) -> Run {
    let a = CompareArgs {
        old: fixture(old),
        new: fixture(new),
    };
    let mut out = Vec::new();
    let result = compare::execute(&a, &mut out);
    finish(result, out, Vec::new())
}

#[test]
fn compare_shows_deltas_per_variant() {
    let run = compare_files("baseline.json", "article.json");
    assert_eq!(run.code, 0);
    assert!(run.out.contains("+25.0%"));
    insta::assert_snapshot!("compare", run.out);
}

#[test]
fn compare_exits_2_when_a_file_is_missing() {
    let run = compare_files("baseline.json", "missing.json");
    assert_eq!(run.code, 2);
    assert!(run.err.contains("missing.json"), "{}", run.err);
}

fn history_of(dir: &std::path::Path, runs: &[&str]) {
    let text: String = runs
        .iter()
        .map(|r| history::summary_line(&load(r)))
        .collect();
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::write(dir.join("history.jsonl"), text).expect("write history");
}

fn trend_args(history: Option<PathBuf>) -> TrendArgs {
    TrendArgs {
        history,
        config: None,
        variant: None,
        svg: None,
    }
}

fn trend_in(dir: &std::path::Path, a: &TrendArgs) -> Run {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let result = trend::execute(a, dir, &mut out, &mut err);
    finish(result, out, err)
}

#[test]
fn trend_shows_a_table_and_writes_an_svg_chart() {
    let dir = tempfile::tempdir().expect("tempdir");
    history_of(dir.path(), &["baseline.json", "article.json"]);
    let svg = dir.path().join("trend.svg");
    let a = TrendArgs {
        variant: Some("slim".into()),
        svg: Some(svg.clone()),
        ..trend_args(Some(dir.path().join("history.jsonl")))
    };
    let run = trend_in(dir.path(), &a);
    assert_eq!(run.code, 0, "{}", run.err);
    let table = run
        .out
        .lines()
        .filter(|l| !l.starts_with("Chart:"))
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("trend_slim", table);
    let chart = std::fs::read_to_string(svg).expect("svg written");
    for id in ["trend-size", "trend-build", "trend-startup"] {
        assert!(chart.contains(&format!("id=\"{id}\"")), "{id} in chart");
    }
    assert!(chart.contains("<polyline"));
}

#[test]
fn trend_reads_the_history_in_the_configs_output_root() {
    let dir = tempfile::tempdir().expect("tempdir");
    config(&dir, "output = \"reports\"\n");
    history_of(
        &dir.path().join("reports"),
        &["baseline.json", "article.json"],
    );
    let run = trend_in(dir.path(), &trend_args(None));
    assert_eq!(run.code, 0, "{}", run.err);
    assert!(run.out.contains("287.0 MB (+25.0%)"), "{}", run.out);

    let elsewhere = dir.path().join("elsewhere");
    history_of(&elsewhere, &["baseline.json"]);
    let run = trend_in(
        dir.path(),
        &trend_args(Some(elsewhere.join("history.jsonl"))),
    );
    assert_eq!(run.code, 0, "{}", run.err);
    assert!(
        !run.out.contains("287.0 MB"),
        "--history wins over the config: {}",
        run.out
    );
}

#[test]
fn trend_exits_2_without_a_history_and_3_when_the_chart_cannot_be_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = trend_in(dir.path(), &trend_args(None));
    assert_eq!(run.code, 2);
    assert!(run.err.contains("cannot read history"), "{}", run.err);
    assert!(
        run.err.contains(&format!(
            "results{}history.jsonl",
            std::path::MAIN_SEPARATOR
        )),
        "{}",
        run.err
    );

    history_of(dir.path(), &["article.json"]);
    let a = TrendArgs {
        svg: Some(dir.path().join("no-such-dir/trend.svg")),
        ..trend_args(Some(dir.path().join("history.jsonl")))
    };
    let run = trend_in(dir.path(), &a);
    assert_eq!(run.code, 3, "{}", run.err);
    assert!(run.err.contains("no-such-dir"), "{}", run.err);
}

#[test]
fn the_binary_exits_0_1_and_2_for_check() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bin = || {
        let mut cmd = assert_cmd::Command::cargo_bin("basebench").expect("binary");
        cmd.current_dir(dir.path());
        cmd
    };
    let article = fixture("article.json");
    bin()
        .args(["check", "--variant", "slim", "--max-size", "300MB"])
        .arg(&article)
        .assert()
        .code(0)
        .stdout(predicates::str::contains("ok: every limit holds"));
    bin()
        .args(["check", "--variant", "slim", "--max-startup", "100"])
        .arg(&article)
        .assert()
        .code(1)
        .stdout(predicates::str::contains(
            "FAIL slim: startup median 598 ms exceeds max_startup_ms 100 ms",
        ));
    bin()
        .args(["check", "missing.json"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "cannot read results file 'missing.json'",
        ));
    bin()
        .arg("compare")
        .arg(fixture("baseline.json"))
        .arg(&article)
        .assert()
        .code(0)
        .stdout(predicates::str::contains("+25.0%"));
}
