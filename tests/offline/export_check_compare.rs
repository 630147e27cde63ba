//! `check`, `compare` and `trend`: exit codes and the lines a CI log shows.

use std::path::PathBuf;

use basebench::commands::CommandResult;
use basebench::commands::check::{self, CheckArgs};
use basebench::commands::compare::{self, CompareArgs};
use basebench::commands::trend::{self, TrendArgs};
use basebench::history;
use basebench::results::RunResults;
use predicates::prelude::*;

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

impl Run {
    /// The cells of each row of the printed table (header and borders left out).
    fn rows(&self) -> Vec<Vec<String>> {
        self.out
            .lines()
            .filter(|l| l.starts_with('│'))
            .skip(1)
            .map(|l| {
                l.trim_matches('│')
                    .split('│')
                    .map(|c| c.trim().to_string())
                    .collect()
            })
            .collect()
    }

    /// The rows with this result (`pass`, `FAIL`, `skip`, `MISCONFIGURED`).
    fn with(&self, result: &str) -> Vec<Vec<String>> {
        self.rows().into_iter().filter(|r| r[0] == result).collect()
    }
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
        max_compressed: None,
        max_ship_bytes: None,
        max_startup: None,
        max_regression: None,
        variant: None,
        strict: false,
        config: Some(config(dir, "")),
    }
}

fn check(args: &CheckArgs) -> Run {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let cwd = std::env::temp_dir();
    let result = check::execute(args, &cwd, &mut out, &mut err);
    finish(result, out, err)
}

/// Every check rule's outcome (pass, fail, skip, misconfigured) and exit code.
mod check_rules;

/// `trend` over runs that did not finish.
mod trend_interrupted;

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
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
fn compare_warns_when_the_files_come_from_different_testbeds() {
    let same = compare_files("baseline.json", "article-v2.json");
    assert!(!same.out.contains("different testbeds"), "{}", same.out);
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(fixture("article-v2.json")).expect("fixture");
    let other = text.replacen("\"cpus\": 2", "\"cpus\": 8", 1);
    let path = dir.path().join("other.json");
    std::fs::write(&path, other).expect("write");
    let a = CompareArgs {
        old: fixture("baseline.json"),
        new: path,
    };
    let mut out = Vec::new();
    let run = finish(compare::execute(&a, &mut out), out, Vec::new());
    assert_eq!(run.code, 0);
    let first = run.out.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("warning: the two files come from different testbeds (CPUs: 2 → 8)"),
        "{first}"
    );
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
        .stdout(predicates::str::is_match(
            r"│ FAIL +│ slim +│ max_startup_ms +│ 598 ms +│ ≤ 100 ms \(--max-startup\) +│ median 498 ms over the limit +│",
        ).expect("regex"));
    for flag in ["--max-startup", "--max-regression"] {
        bin()
            .args(["check", flag, "-1"])
            .arg(&article)
            .assert()
            .code(2)
            .stderr(predicates::str::contains(format!(
                "{flag} must be a number >= 0"
            )));
    }
    std::fs::write(dir.path().join("gates.toml"), "[gates]\nmax_size = -1\n").expect("write");
    bin()
        .args(["check", "--config", "gates.toml"])
        .arg(&article)
        .assert()
        .code(2)
        .stderr(
            predicates::str::contains("max_size").and(predicates::str::contains("a byte count")),
        );
    bin()
        .args(["check", "missing.json"])
        .assert()
        .code(2)
        .stderr(
            predicates::str::contains("cannot read results file")
                .and(predicates::str::contains("missing.json")),
        );
    bin()
        .arg("compare")
        .arg(fixture("baseline.json"))
        .arg(&article)
        .assert()
        .code(0)
        .stdout(predicates::str::contains("+25.0%"));
}
