//! A build that goes quiet (a download from a mirror that stopped answering, played by a
//! `RUN` step that sleeps without a word) is stopped after `--build-stall-timeout`: the
//! variant gets a build failure naming the step and the setting, the other variant is
//! measured, and nothing is left on the daemon.

use std::time::{Duration, Instant};

use basebench::results::FailurePhase;

use crate::support::cli::{assert_nothing_left, finished, row, run_command};
use crate::support::test_app_context;

#[tokio::test]
async fn a_build_without_output_is_stopped_and_named() {
    let app = test_app_context("");
    let dir = app.dir.path();
    let out = dir.join("out");
    let started = Instant::now();
    let results = finished(
        run_command(
            dir,
            &out,
            &[
                "--runs",
                "1",
                "--build-runs",
                "1",
                "--no-anatomy",
                "--no-history",
                "--build-stall-timeout",
                "5",
            ],
            &[
                ("quick", ""),
                // Two minutes of silence; the limit is five seconds.
                ("stalled", r#"RUN ["/testapp", "sleep", "120000"]"#),
            ],
        ),
        1,
        &out,
    );
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(100),
        "the stalled build was not stopped at its limit: the run took {elapsed:?}"
    );
    assert!(
        row(&results, "quick").works,
        "the other variant is measured"
    );
    let stalled = row(&results, "stalled");
    assert!(!stalled.works);
    let detail = stalled.failure_detail.as_ref().expect("failure detail");
    assert_eq!(detail.phase, FailurePhase::Build, "{detail:?}");
    assert!(
        detail.message.contains("without output")
            && detail.message.contains("--build-stall-timeout"),
        "the failure says what happened and what to change: {}",
        detail.message
    );
    assert!(
        detail.step.as_deref().is_some_and(|s| s.contains("sleep")),
        "the failure names the quiet step: {detail:?}"
    );
    assert_eq!(
        results.settings.build_stall_timeout_s,
        Some(5.0),
        "the limit is recorded"
    );
    assert_nothing_left(&results.run_id).await;
}
