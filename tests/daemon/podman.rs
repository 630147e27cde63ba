//! The whole pipeline on Podman's Docker-compatible API (`podman system service`, started by
//! scripts/setup.sh): a one-variant run builds (with Buildah: no BuildKit session, said
//! once), counts its steps, starts, probes, exports and cleans up, and records the engine as
//! Podman. It fails loudly when Podman's socket is not there.

#![allow(clippy::unwrap_used)]

use std::fs;
use std::process::Command;

use crate::support::cli::{read_results, row, run_command};
use crate::support::test_app_context;

/// Lines `podman` prints for these arguments.
fn podman_lines(args: &[&str]) -> Vec<String> {
    let output = Command::new("podman")
        .args(args)
        .output()
        .expect("podman is installed (scripts/setup.sh installs it)");
    assert!(output.status.success(), "podman {args:?} failed");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn a_run_on_podman_measures_every_phase_and_leaves_nothing() {
    let app = test_app_context("");
    let dir = app.dir.path();
    let out = dir.join("out");
    let mut cmd = run_command(
        dir,
        &out,
        &[
            "--engine",
            "podman",
            "--runs",
            "3",
            "--build-runs",
            "1",
            "--no-history",
        ],
        &[("app", "")],
    );
    cmd.env_remove("DOCKER_HOST");
    let output = cmd.output().expect("run basebench");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(0),
        "a run on Podman (start it with scripts/setup.sh) failed:\n{stderr}"
    );
    assert!(
        stderr.contains("engine: Podman "),
        "the engine is named:\n{stderr}"
    );
    assert!(
        stderr.contains("cannot take the build context through a BuildKit session"),
        "the missing BuildKit is said:\n{stderr}"
    );
    let results = read_results(&out);
    let app = row(&results, "app");
    assert!(app.works, "{:?}", app.failure_detail);
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    assert_eq!(json["host"]["engine"], "Podman");
    let build = &json["variants"][0]["build"];
    assert_eq!(
        build["steps_total"], 3,
        "FROM, COPY and CMD, from Buildah's lines: {build}"
    );
    assert_eq!(build["cached_rebuild_steps_run"], 0, "{build}");
    assert_eq!(
        build["incremental_steps_run"], 2,
        "the COPY of the changed file and the CMD after it: {build}"
    );
    assert!(
        json["variants"][0]["anatomy"]["layers"].is_array(),
        "the export was analysed"
    );
    let label = format!("label=basebench.run={}", results.run_id);
    assert_eq!(
        podman_lines(&["ps", "-aq", "--filter", &label]),
        Vec::<String>::new()
    );
    assert_eq!(
        podman_lines(&["images", "-q", "--filter", &label]),
        Vec::<String>::new()
    );
}
