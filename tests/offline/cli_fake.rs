//! The CLI end to end on the scripted engine (`BASEBENCH_ENGINE=fake`): fast, no daemon.
//! The real-daemon versions of these paths are in `tests/daemon/run.rs`.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

/// One helper builds every command: the binary, a working directory, the fake engine.
fn basebench(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("basebench").expect("binary");
    cmd.current_dir(dir)
        .env("BASEBENCH_ENGINE", "fake")
        .env("NO_COLOR", "1");
    cmd
}

/// A project with an app context and one Dockerfile per `(name, directives)`.
fn project(variants: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("app")).expect("mkdir");
    std::fs::write(dir.path().join("app/app.py"), "print('hi')\n").expect("write");
    std::fs::write(dir.path().join("app/requirements.txt"), "flask\n").expect("write");
    for (name, directives) in variants {
        let text = format!(
            "FROM python:3.11-slim\n{directives}\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . /app\nCMD [\"python\", \"/app/app.py\"]\n"
        );
        std::fs::write(dir.path().join(format!("Dockerfile.{name}")), text).expect("write");
    }
    dir
}

fn flag_args(variants: &[(&str, &str)]) -> Vec<String> {
    let mut args = vec![
        "run".into(),
        "--context".into(),
        "app".into(),
        "--port".into(),
        "5000".into(),
        "--health".into(),
        "/health".into(),
        "--runs".into(),
        "2".into(),
        "--output".into(),
        "out".into(),
    ];
    for (name, _) in variants {
        args.push("--variant".into());
        args.push(format!("{name}=Dockerfile.{name}"));
    }
    args
}

fn results(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("out/results.json")).expect("results.json");
    serde_json::from_str(&text).expect("json")
}

const MIXED: &[(&str, &str)] = &[
    ("good", "# fake: startup-ms 30"),
    ("nobuild", "# fake: build-fail pip could not find numpy==9"),
    ("crashes", "# fake: exit 3"),
];

#[test]
fn one_broken_variant_never_hides_the_others() {
    let dir = project(MIXED);
    let mut args = flag_args(MIXED);
    args.extend(["--no-history".into()]);
    basebench(dir.path()).args(&args).assert().code(1).stdout(
        predicate::str::contains("good")
            .and(predicate::str::contains("nobuild"))
            .and(predicate::str::contains("crashes")),
    );
    let json = results(dir.path());
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["complete"], true);
    let rows = json["variants"].as_array().expect("variants");
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["works"], true);
    assert_eq!(rows[0]["failure"], Value::Null);
    for key in ["cold_s", "cached_s", "incremental_s"] {
        assert!(
            rows[0]["build"][key]["median"].is_number(),
            "build.{key}.median"
        );
    }
    assert_eq!(rows[0]["startup_ms"]["n"], 2);
    assert!(rows[0]["startup_ms"]["min"].as_f64().unwrap_or(0.0) >= 30.0);
    for key in ["p50", "p95", "p99"] {
        assert!(rows[0]["latency_ms"][key].is_number(), "latency_ms.{key}");
    }
    assert!(rows[0]["memory_bytes"]["idle"].is_number());
    assert!(rows[0]["image"]["size_bytes"].is_number() && rows[0]["image"]["layers"].is_number());
    let failure = |i: usize| rows[i]["failure"].as_str().unwrap_or_default().to_string();
    assert!(
        failure(1).contains("build failed at `RUN pip install -r requirements.txt`"),
        "{}",
        failure(1)
    );
    assert!(failure(1).contains("numpy==9"), "{}", failure(1));
    assert!(failure(2).contains("exited with code 3"), "{}", failure(2));
    assert!(
        failure(2).contains("fatal: configured to exit with 3"),
        "{}",
        failure(2)
    );
    assert_eq!(rows[2]["failure_detail"]["exit_code"], 3);
}

#[test]
fn a_failing_smoke_command_makes_the_variant_not_work() {
    let dir = project(&[("noimport", "# fake: smoke-fail")]);
    let config = "context = \"app\"\nport = 5000\nruns = 1\nsmoke = [[\"python\", \"-c\", \"import numpy\"]]\n\n[[variant]]\nname = \"noimport\"\ndockerfile = \"Dockerfile.noimport\"\n";
    std::fs::write(dir.path().join("basebench.toml"), config).expect("write");
    basebench(dir.path())
        .args(["run", "--no-history", "--output", "out"])
        .assert()
        .code(1);
    let json = results(dir.path());
    let row = &json["variants"][0];
    assert_eq!(row["works"], false);
    let failure = row["failure"].as_str().unwrap_or_default();
    assert!(
        failure.contains("smoke command failed: `python -c import numpy` exited 1"),
        "{failure}"
    );
    assert!(failure.contains("No module named 'numpy'"), "{failure}");
    assert!(
        row["latency_ms"]["p50"].is_number(),
        "measurements before the smoke failure are kept"
    );
}

#[test]
fn allow_failures_makes_a_failed_variant_exit_zero() {
    let dir = project(MIXED);
    let mut args = flag_args(MIXED);
    args.extend(["--allow-failures".into(), "--no-history".into()]);
    basebench(dir.path()).args(&args).assert().success();
}

#[test]
fn a_config_file_runs_with_no_arguments_and_appends_history() {
    let dir = project(&[("good", "")]);
    let config = "context = \"app\"\nport = 5000\nhealth = \"/health\"\nruns = 1\nsmoke = [[\"python\", \"-c\", \"import flask\"]]\n\n[[variant]]\nname = \"good\"\ndockerfile = \"Dockerfile.good\"\ndescription = \"the good one\"\n";
    std::fs::write(dir.path().join("basebench.toml"), config).expect("write");
    basebench(dir.path())
        .arg("run")
        .assert()
        .success()
        .stdout(predicate::str::contains("\ngood: the good one\n"));
    basebench(dir.path()).arg("run").assert().success();
    let history =
        std::fs::read_to_string(dir.path().join("results/history.jsonl")).expect("history");
    assert_eq!(history.lines().count(), 2, "one line per run");
    let runs: Vec<_> = std::fs::read_dir(dir.path().join("results"))
        .expect("dir")
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .collect();
    assert_eq!(runs.len(), 2, "each run has its own directory");
}

#[test]
fn a_missing_dockerfile_names_the_variant_and_path() {
    let dir = project(&[]);
    basebench(dir.path())
        .args([
            "run",
            "--context",
            "app",
            "--port",
            "5000",
            "--variant",
            "ghost=Dockerfile.ghost",
        ])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("variant 'ghost'")
                .and(predicate::str::contains("Dockerfile.ghost")),
        );
}

#[test]
fn no_variants_says_how_to_give_some() {
    let dir = tempfile::tempdir().expect("tempdir");
    basebench(dir.path())
        .arg("run")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--variant NAME=DOCKERFILE"));
}

#[test]
fn a_malformed_config_names_the_file_and_the_key() {
    let dir = project(&[("good", "")]);
    std::fs::write(
        dir.path().join("basebench.toml"),
        "context = \"app\"\nport = \"five thousand\"\n",
    )
    .expect("write");
    basebench(dir.path())
        .arg("run")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("basebench.toml").and(predicate::str::contains("port")));
}

#[test]
fn a_malformed_variant_flag_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    basebench(dir.path())
        .args(["run", "--variant", "nofile"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("NAME=DOCKERFILE"));
}

#[test]
fn quiet_runs_print_the_table_and_no_progress() {
    let dir = project(&[("good", "")]);
    let mut args = flag_args(&[("good", "")]);
    args.extend(["--quiet".into(), "--no-history".into()]);
    let assert = basebench(dir.path()).args(&args).assert().success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(
        !stderr.contains("[1/1]"),
        "no progress lines when quiet: {stderr}"
    );
    assert!(String::from_utf8_lossy(&assert.get_output().stdout).contains("good"));
}

#[test]
fn the_help_lists_the_subcommands() {
    let dir = tempfile::tempdir().expect("tempdir");
    basebench(dir.path())
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("run").and(predicate::str::contains("clean")));
}

#[test]
fn no_daemon_names_docker_host_and_how_to_start_one_and_writes_nothing() {
    let dir = project(&[("good", "")]);
    let mut args = flag_args(&[("good", "")]);
    args.push("--no-history".into());
    basebench(dir.path())
        .env_remove("BASEBENCH_ENGINE")
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .args(&args)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("DOCKER_HOST").and(predicate::str::contains("dockerd")));
    assert!(
        !dir.path().join("out").exists(),
        "no output directory for a run that never started"
    );
}

/// Exit codes through the binary, one test per command.
mod bad_config;
mod dockerfile_text;
mod exit_codes;
mod hostile_text;
