//! Faults during measurement on a real daemon: an app that crashes after its first
//! healthy answers, and one whose requests fail while it keeps running, are failures
//! (never ranked, never the reference), with the count, the container's state and its
//! log tail; a log that ends in a traceback's bracket names the error line above it.

use std::process::Command;

use basebench::results::FailurePhase;

use crate::support::cli::{assert_nothing_left, read_results, row};
use crate::support::{TESTAPP_PORT, connect_or_fail, test_app_context};

const CONFIG: &str = r#"
context = "."
health = "/health"
runs = 2
build_runs = 1
latency_requests = 20
load_duration_ms = 500
health_timeout_s = 20

[[variant]]
name = "good"
dockerfile = "Dockerfile"

[[variant]]
name = "crashy"
dockerfile = "Dockerfile"
env = ["TESTAPP_CRASH_AFTER=5"]

[[variant]]
name = "errors"
dockerfile = "Dockerfile"
latency_path = "/missing"

[[variant]]
name = "traceback"
dockerfile = "Dockerfile"
env = ["TESTAPP_EXIT_CODE=3", "TESTAPP_TRACEBACK=1"]
"#;

#[tokio::test]
async fn a_crash_after_healthy_answers_and_failing_requests_are_failures() {
    connect_or_fail().await;
    let app = test_app_context("");
    let dir = app.dir.path();
    let config = format!("port = {TESTAPP_PORT}\n{CONFIG}");
    std::fs::write(dir.join("basebench.toml"), config).expect("write config");
    let output = Command::new(env!("CARGO_BIN_EXE_basebench"))
        .current_dir(dir)
        .env_remove("BASEBENCH_ENGINE")
        .env("NO_COLOR", "1")
        .args(["run", "--no-anatomy", "--no-history", "--output", "out"])
        .output()
        .expect("run basebench");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(1),
        "a failed variant exits 1:\n{stderr}"
    );
    let results = read_results(&dir.join("out"));
    assert!(results.complete);
    assert_eq!(results.reference.as_deref(), Some("good"), "{stderr}");
    assert!(row(&results, "good").works);

    let crashy = row(&results, "crashy");
    assert!(!crashy.works, "a crash during measurement is not `works`");
    assert!(crashy.vs_reference.is_empty(), "{:?}", crashy.vs_reference);
    let detail = crashy.failure_detail.as_ref().expect("failure detail");
    assert_eq!(detail.phase, FailurePhase::Measure);
    assert_eq!(detail.exit_code, Some(86), "{detail:?}");
    assert_eq!(detail.state.as_deref(), Some("exited"), "{detail:?}");
    assert!(
        detail
            .log_tail
            .iter()
            .any(|l| l.contains("fatal: crashing after 5 requests")),
        "{:?}",
        detail.log_tail
    );
    let line = crashy.failure.as_deref().unwrap_or("");
    assert!(line.contains("exited with code 86"), "{line}");
    // Health answered once, then four of the 20 latency requests: 16 failed, and every
    // request of the load.
    let latency = crashy
        .latency_ms
        .as_ref()
        .expect("what was measured is kept");
    assert_eq!(latency.n, 4, "{latency:?}");
    assert!(latency.errors >= 16, "{latency:?}");

    let errors = row(&results, "errors");
    assert!(!errors.works, "404 on every request is not `works`");
    let detail = errors.failure_detail.as_ref().expect("failure detail");
    assert_eq!(detail.phase, FailurePhase::Measure);
    assert_eq!(detail.state.as_deref(), Some("running"), "{detail:?}");
    let line = errors.failure.as_deref().unwrap_or("");
    assert!(
        line.contains("requests failed") && line.contains("limit 1 %"),
        "{line}"
    );

    // The log ends in a traceback's "]": the cell names the error three lines up.
    let traceback = row(&results, "traceback");
    let detail = traceback.failure_detail.as_ref().expect("failure detail");
    assert_eq!(
        detail.log_tail.last().map(String::as_str),
        Some("]"),
        "{detail:?}"
    );
    let line = traceback.failure.as_deref().unwrap_or("");
    assert!(
        line.ends_with("; log: ImportError: worker class not found"),
        "{line}"
    );
    assert_nothing_left(&results.run_id).await;
}

#[tokio::test]
async fn an_app_listening_on_another_port_is_named_as_such() {
    connect_or_fail().await;
    let app = test_app_context("");
    let dir = app.dir.path();
    let out = dir.join("out");
    // The app listens on 9090 and the image says so; the run probes 8080.
    let elsewhere = "ENV TESTAPP_PORT=9090\nEXPOSE 9090";
    let output = crate::support::cli::run_command(
        dir,
        &out,
        &[
            "--runs",
            "1",
            "--build-runs",
            "1",
            "--health-timeout",
            "3",
            "--no-anatomy",
            "--no-history",
        ],
        &[("elsewhere", elsewhere)],
    )
    .output()
    .expect("run basebench");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let results = read_results(&out);
    let row = row(&results, "elsewhere");
    assert!(
        row.warnings
            .iter()
            .any(|w| w.contains("exposes 9090/tcp") && w.contains("8080")),
        "a warning before the start: {:?}",
        row.warnings
    );
    let line = row.failure.as_deref().unwrap_or("");
    assert!(
        line.contains("nothing answered on port 8080") && line.contains("9090/tcp"),
        "{line}"
    );
    assert_nothing_left(&results.run_id).await;
}
