//! Exit codes through the binary, one test per command (see the README's table): 0 done,
//! 1 the answer is no, 2 bad input, 3 the environment failed.

use super::*;

/// The binary pointed at a Docker socket that does not exist.
fn no_daemon(dir: &Path) -> Command {
    let mut cmd = basebench(dir);
    cmd.env_remove("BASEBENCH_ENGINE")
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock");
    cmd
}

fn results_fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/results")
        .join(name)
}

/// 0 and 1 are pinned by `a_config_file_runs_with_no_arguments_and_appends_history` and
/// `one_broken_variant_never_hides_the_others` (a fake run takes seconds); 130 by
/// `daemon`'s `run::an_interrupt_mid_run_removes_everything_and_keeps_partial_results`.
#[test]
fn run_exits_2_and_3() {
    let dir = project(&[("good", "")]);
    basebench(dir.path())
        .args(["run", "--config", "nope.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nope.toml"));
    basebench(dir.path())
        .args(["run", "--runs", "many"])
        .assert()
        .code(2);
    no_daemon(dir.path())
        .args(flag_args(&[("good", "")]))
        .assert()
        .code(3)
        .stderr(predicate::str::starts_with("Error: "));
}

#[test]
fn inspect_exits_0_2_and_3() {
    let dir = tempfile::tempdir().expect("tempdir");
    basebench(dir.path())
        .args(["inspect", "--no-scan", "--archive", "missing.tar"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing.tar"));
    std::fs::write(dir.path().join("junk.tar"), vec![0x42; 4000]).expect("write");
    basebench(dir.path())
        .args(["inspect", "--no-scan", "--archive", "junk.tar"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a readable tar"));
    basebench(dir.path())
        .args(["inspect", "--no-scan", "not-built:latest"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("image 'not-built:latest'"));
    no_daemon(dir.path())
        .args(["inspect", "--no-scan", "python:3.12-slim"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("DOCKER_HOST"));
}

#[test]
fn inspect_exits_0_for_a_readable_archive() {
    use basebench::anatomy::synth::{ImageBuilder, LayerBuilder, Layout, Storage};
    let dir = tempfile::tempdir().expect("tempdir");
    let layer = LayerBuilder::new().file("etc/hostname", b"x\n");
    let archive = ImageBuilder::new()
        .layer("ADD rootfs.tar /", layer, Storage::Plain)
        .build(Layout::Legacy);
    std::fs::write(dir.path().join("image.tar"), archive).expect("write");
    basebench(dir.path())
        .args(["inspect", "--no-scan", "--archive", "image.tar"])
        .assert()
        .code(0);
}

#[test]
fn bases_exits_0_1_and_3() {
    let dir = tempfile::tempdir().expect("tempdir");
    basebench(dir.path())
        .args(["bases", "--list"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("no stand-in images"));
    basebench(dir.path())
        .args(["bases", "python:3.9-alpine"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("python:3.9-alpine"));
    no_daemon(dir.path())
        .args(["bases", "--list"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("DOCKER_HOST"));
}

#[test]
fn check_exits_0_1_and_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let article = results_fixture("article.json");
    basebench(dir.path())
        .args(["check", "--variant", "slim"])
        .arg(&article)
        .assert()
        .code(0);
    basebench(dir.path())
        .arg("check")
        .arg(&article)
        .assert()
        .code(1);
    basebench(dir.path())
        .args(["check", "--max-startup=-1"])
        .arg(&article)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--max-startup"));
    basebench(dir.path())
        .args(["check", "--config", "nope.toml"])
        .arg(&article)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nope.toml"));
}

#[test]
fn compare_exits_0_and_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let article = results_fixture("article.json");
    basebench(dir.path())
        .arg("compare")
        .arg(&article)
        .arg(&article)
        .assert()
        .code(0);
    basebench(dir.path())
        .args(["compare", "old.json"])
        .arg(&article)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("old.json"));
}

#[test]
fn trend_exits_0_2_and_3() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("basebench.toml"), "output = \"reports\"\n").expect("write");
    basebench(dir.path())
        .arg("trend")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("reports/history.jsonl"));
    let results = std::fs::read_to_string(results_fixture("article.json")).expect("read");
    let results = serde_json::from_str(&results).expect("parse");
    std::fs::create_dir(dir.path().join("reports")).expect("mkdir");
    std::fs::write(
        dir.path().join("reports/history.jsonl"),
        basebench::history::summary_line(&results),
    )
    .expect("write history");
    basebench(dir.path())
        .arg("trend")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("distroless"));
    basebench(dir.path())
        .args(["trend", "--variant", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nope"));
    basebench(dir.path())
        .args(["trend", "--svg", "no-such-dir/trend.svg"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("no-such-dir"));
}

#[test]
fn clean_exits_0_and_3() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run_id = format!("cli-exit-codes-{}", std::process::id());
    basebench(dir.path())
        .args(["clean", "--run", &run_id])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Removed 0 container(s)"));
    no_daemon(dir.path())
        .args(["clean", "--run", &run_id])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("DOCKER_HOST"));
}
