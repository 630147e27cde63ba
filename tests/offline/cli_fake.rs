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
        "3".into(),
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
    assert_eq!(json["schema_version"], 2);
    assert!(json["seed"].is_u64(), "the seed is recorded");
    assert_eq!(json["rounds"], 3);
    assert_eq!(json["reference"], "good", "the only working variant");
    assert_eq!(json["testbed"]["engine_version"], "fake");
    assert_eq!(json["testbed"]["storage_driver"], "fake");
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
    // Three rounds, the first a warm-up: two measured, the first start apart.
    let startup = &rows[0]["startup_ms"];
    assert_eq!(startup["n"], 2);
    assert!(startup["min"].as_f64().unwrap_or(0.0) >= 30.0);
    let samples = startup["samples"].as_array().expect("raw samples");
    let rounds: Vec<(u64, bool)> = samples
        .iter()
        .map(|s| (s["round"].as_u64().unwrap_or(99), s["warmup"] == true))
        .collect();
    assert_eq!(rounds, [(0, true), (1, false), (2, false)]);
    assert!(
        samples
            .iter()
            .all(|s| s["at"].is_string() && s["position"].is_u64())
    );
    let [lo, hi] = [0, 1].map(|i| startup["ci95"][i].as_f64().unwrap_or(f64::NAN));
    let median = startup["median"].as_f64().unwrap_or(f64::NAN);
    assert!(lo <= median && median <= hi, "{lo} <= {median} <= {hi}");
    assert_eq!(rows[0]["first_start_ms"]["n"], 1);
    assert_eq!(rows[0]["first_start_ms"]["median"], samples[0]["value"]);
    for part in ["engine_start_ms", "app_ready_ms"] {
        assert_eq!(rows[0][part]["n"], 2, "{part}");
    }
    let total = samples[1]["value"].as_f64().unwrap_or(0.0);
    let engine = rows[0]["engine_start_ms"]["samples"][1]["value"]
        .as_f64()
        .unwrap_or(0.0);
    let app = rows[0]["app_ready_ms"]["samples"][1]["value"]
        .as_f64()
        .unwrap_or(0.0);
    assert!(
        (engine + app - total).abs() < 1e-6,
        "{engine} + {app} = {total}"
    );
    assert!(app >= 30.0, "the fake app answers after 30 ms: {app}");
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

mod bad_config;
mod dockerfile_text;
/// Exit codes through the binary, one test per command.
mod exit_codes;
mod failure_rows;
mod full_disk;
mod hostile_text;
mod shards;
mod warnings;

#[test]
fn plan_settings_out_of_range_exit_2_naming_the_flag_and_the_range() {
    let dir = project(&[("good", "")]);
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["--precision", "0"],
            &["--precision", "above 0 and below 100"],
        ),
        (
            &["--precision", "5%", "--max-runs", "2"],
            &["--max-runs", "at least `runs` (3)"],
        ),
        (
            &["--reference", "nosuch"],
            &["--reference", "unknown variant 'nosuch'", "good"],
        ),
        (&["--noise=-5"], &["--noise", "from 0 up to"]),
        (&["--warmup", "3"], &["--warmup", "use 0 to 2"]),
    ];
    for (flags, words) in cases {
        let mut args = flag_args(&[("good", "")]);
        args.extend(flags.iter().map(|f| f.to_string()));
        let out = basebench(dir.path()).args(&args).assert().code(2);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        for word in *words {
            assert!(stderr.contains(word), "{flags:?}: {word:?} not in {stderr}");
        }
    }
    let config = "context = \"app\"\nport = 5000\nruns = 4\nnoise = -1\n\n[[variant]]\nname = \"good\"\ndockerfile = \"Dockerfile.good\"\n";
    std::fs::write(dir.path().join("basebench.toml"), config).expect("write");
    let out = basebench(dir.path()).args(["run"]).assert().code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(stderr.contains("basebench.toml: `noise`"), "{stderr}");
}

#[test]
fn the_same_seed_gives_the_same_round_order_and_hyperfine_reads_the_export() {
    let variants = [
        ("a", "# fake: startup-ms 5"),
        ("b", "# fake: startup-ms 5"),
        ("c", ""),
    ];
    let dir = project(&variants);
    let order = |out: &str| -> Vec<(u64, u64)> {
        let mut args = flag_args(&variants);
        args.retain(|a| a != "out");
        let pos = args.iter().position(|a| a == "--output").expect("--output");
        args.insert(pos + 1, out.to_string());
        args.extend(["--seed", "7", "--no-history", "--export-hyperfine"].map(String::from));
        args.push(format!("{out}/hyperfine.json"));
        basebench(dir.path()).args(&args).assert().code(0);
        let text = std::fs::read_to_string(dir.path().join(out).join("results.json"))
            .expect("results.json");
        let json: Value = serde_json::from_str(&text).expect("json");
        assert_eq!(json["seed"], 7);
        let mut order: Vec<(u64, u64)> = Vec::new();
        for (i, v) in json["variants"]
            .as_array()
            .expect("variants")
            .iter()
            .enumerate()
        {
            for s in v["startup_ms"]["samples"].as_array().expect("samples") {
                let (round, pos) = (s["round"].as_u64(), s["position"].as_u64());
                order.push((round.unwrap_or(99) * 10 + pos.unwrap_or(99), i as u64));
            }
        }
        order.sort_unstable();
        order
    };
    let first = order("one");
    assert_eq!(first.len(), 9, "three rounds of three");
    assert_eq!(first, order("two"), "--seed 7 reproduces the order");
    let export = std::fs::read_to_string(dir.path().join("one/hyperfine.json")).expect("export");
    let json: Value = serde_json::from_str(&export).expect("hyperfine json");
    let results = json["results"].as_array().expect("results");
    assert_eq!(results.len(), 3);
    assert_eq!(results[0]["command"], "a");
    assert_eq!(results[0]["times"].as_array().map(Vec::len), Some(2));
    assert!(
        results[0]["mean"].as_f64().unwrap_or(0.0) >= 0.005,
        "seconds: {export}"
    );
}
