//! Real-daemon tests of `DockerEngine` builds with BuildKit and the classic builder: step
//! counts, cache hits, failures, targets and build args, cancellation. They need a running
//! dockerd and gcc (see tests/support) and fail loudly without them.
#![allow(clippy::unwrap_used)]

use std::sync::Mutex;
use std::time::{Duration, Instant};

use basebench::engine::docker::DockerEngine;
use basebench::engine::{BuildError, BuildEvent, BuilderKind, Engine, RUN_LABEL};

use crate::support;
use crate::support::images::{build_recording, build_request};
use crate::support::{Cleanup, test_app_context, test_app_context_with_dockerfile, unique_run_id};

/// Dockerfile lines with a step that really runs (the app exits 0 at once).
const RUN_STEP: &str = "ARG TESTAPP_EXIT_CODE=0\nRUN [\"/testapp\"]";

async fn builds_count_steps_and_a_rebuild_runs_none(builder: BuilderKind) {
    let engine = support::connect_or_fail().await;
    let run_id = unique_run_id();
    let _cleanup = Cleanup::new(&run_id);
    let app = test_app_context(RUN_STEP);

    let (cold, events) =
        build_recording(&engine, &build_request(&app, &run_id, builder, true)).await;
    let cold = cold.expect("cold build");
    assert!(cold.image_id.starts_with("sha256:"), "{cold:?}");
    assert!(cold.steps_total >= 2, "{cold:?} {events:#?}");
    assert!(cold.steps_run >= 2, "{cold:?} {events:#?}");
    assert!(cold.context_bytes > 500_000, "{cold:?}");
    let step_names: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            BuildEvent::Step { name, .. } => Some(name.as_str()),
            _ => None,
        })
        .collect();
    assert!(
        step_names.iter().any(|n| n.contains("RUN [\"/testapp\"]")),
        "{step_names:#?}"
    );
    assert!(
        step_names.iter().all(|n| !n.contains("[internal]")),
        "{step_names:#?}"
    );

    let (cached, events) =
        build_recording(&engine, &build_request(&app, &run_id, builder, false)).await;
    let cached = cached.expect("cached build");
    assert_eq!(cached.steps_run, 0, "{cached:?} {events:#?}");
    assert_eq!(cached.steps_total, cold.steps_total, "{cached:?}");
    assert_eq!(cached.image_id, cold.image_id);
    let info = engine
        .image_info(&cold.image_id)
        .await
        .unwrap()
        .expect("built image present");
    assert_eq!(info.labels.get(RUN_LABEL), Some(&run_id));
}

#[tokio::test]
async fn buildkit_counts_steps_and_an_identical_rebuild_runs_none() {
    builds_count_steps_and_a_rebuild_runs_none(BuilderKind::Buildkit).await;
}

#[tokio::test]
async fn classic_builder_counts_steps_and_an_identical_rebuild_runs_none() {
    builds_count_steps_and_a_rebuild_runs_none(BuilderKind::Classic).await;
}

async fn a_failing_build_names_the_step_and_the_daemons_message(builder: BuilderKind) {
    let engine = support::connect_or_fail().await;
    let run_id = unique_run_id();
    let _cleanup = Cleanup::new(&run_id);
    let app = test_app_context("ARG TESTAPP_EXIT_CODE=3\nRUN [\"/testapp\"]");
    let request = build_request(&app, &run_id, builder, true);
    let (outcome, events) = build_recording(&engine, &request).await;
    let Err(BuildError::Failed(failure)) = outcome else {
        panic!("expected a build failure, got {outcome:?}");
    };
    let step = failure.step.clone().unwrap_or_default();
    assert!(step.contains("RUN [\"/testapp\"]"), "{failure:#?}");
    assert!(failure.message.contains('3'), "{failure:#?}");
    assert!(
        failure
            .log_tail
            .iter()
            .any(|l| l.contains("fatal: configured to exit with code 3")),
        "{failure:#?}"
    );
    assert_intermediates_removed(&engine, &events).await;
}

/// Image ids the classic builder reported committing (` ---> 0123456789ab`).
fn committed_ids(events: &[BuildEvent]) -> Vec<String> {
    let ids = events.iter().filter_map(|e| match e {
        BuildEvent::Log(line) => line.trim().strip_prefix("---> ").map(str::to_string),
        _ => None,
    });
    ids.filter(|id| id.len() >= 12 && id.bytes().all(|b| b.is_ascii_hexdigit()))
        .collect()
}

/// Wait until no image a classic build committed is left (they carry no labels, so the
/// run's cleanup could not find them).
async fn assert_intermediates_removed(engine: &DockerEngine, events: &[BuildEvent]) {
    let deadline = Instant::now() + Duration::from_secs(20);
    for id in committed_ids(events) {
        while engine.image_info(&id).await.unwrap().is_some() {
            assert!(
                Instant::now() < deadline,
                "intermediate image {id} was left behind"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

#[tokio::test]
async fn a_failing_buildkit_build_names_the_step_and_the_daemons_message() {
    a_failing_build_names_the_step_and_the_daemons_message(BuilderKind::Buildkit).await;
}

#[tokio::test]
async fn a_failing_classic_build_names_the_step_and_the_daemons_message() {
    a_failing_build_names_the_step_and_the_daemons_message(BuilderKind::Classic).await;
}

async fn a_target_stage_and_build_args_are_honoured(builder: BuilderKind) {
    let engine = support::connect_or_fail().await;
    let run_id = unique_run_id();
    let _cleanup = Cleanup::new(&run_id);
    let app = test_app_context_with_dockerfile(
        "FROM scratch AS app\nCOPY testapp /testapp\nARG GREETING\nLABEL greeting=$GREETING\n\
         FROM app AS broken\nCOPY missing-file /x\n",
    );
    let mut request = build_request(&app, &run_id, builder, true);
    request.target = Some("app".to_string());
    request
        .build_args
        .insert("GREETING".to_string(), "hello".to_string());
    let (outcome, _) = build_recording(&engine, &request).await;
    let image = outcome.expect("the 'app' stage builds").image_id;
    let info = engine.image_info(&image).await.unwrap().unwrap();
    assert_eq!(
        info.labels.get("greeting").map(String::as_str),
        Some("hello")
    );
}

#[tokio::test]
async fn a_buildkit_build_honours_the_target_stage_and_build_args() {
    a_target_stage_and_build_args_are_honoured(BuilderKind::Buildkit).await;
}

#[tokio::test]
async fn a_classic_build_honours_the_target_stage_and_build_args() {
    a_target_stage_and_build_args_are_honoured(BuilderKind::Classic).await;
}

/// Containers (any state) whose command mentions `needle`.
async fn containers_running(
    engine: &basebench::engine::docker::DockerEngine,
    needle: &str,
) -> usize {
    let options = bollard::query_parameters::ListContainersOptions {
        all: true,
        ..Default::default()
    };
    let containers = engine
        .client()
        .list_containers(Some(options))
        .await
        .unwrap();
    containers
        .iter()
        .filter(|c| c.command.as_deref().is_some_and(|cmd| cmd.contains(needle)))
        .count()
}

/// Host processes whose command line contains `needle`. A build step's process runs on
/// this host with either builder (BuildKit's runc or a classic build container), so it is
/// seen here whoever started it.
fn processes_running(needle: &str) -> usize {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        panic!("cannot read /proc: the cancellation cannot be observed");
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .bytes()
                .all(|b| b.is_ascii_digit())
        })
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .map(|raw| String::from_utf8_lossy(&raw).replace('\0', " "))
        .filter(|cmdline| cmdline.contains(needle))
        .count()
}

/// Waits up to `limit` for `done`, polling every 100 ms; false when it never held.
async fn eventually(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while !done() {
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    true
}

async fn dropping_a_build_cancels_it(builder: BuilderKind) {
    let engine = support::connect_or_fail().await;
    let run_id = unique_run_id();
    let _cleanup = Cleanup::new(&run_id);
    // A sleep unique to this test, to recognise its build step's process.
    let millis = 600_000 + u32::from_str_radix(&run_id[5..9], 16).unwrap();
    let needle = format!("/testapp sleep {millis}");
    let app = test_app_context(&format!("RUN [\"/testapp\", \"sleep\", \"{millis}\"]"));
    let request = build_request(&app, &run_id, builder, true);
    let events = Mutex::new(Vec::new());
    let record = |e: BuildEvent| events.lock().unwrap().push(e);
    // The build runs until its step's process is seen; then the build future is dropped.
    tokio::select! {
        result = engine.build(&request, &record) => {
            panic!("the build should still be running: {result:?}")
        }
        seen = eventually(Duration::from_secs(60), || processes_running(&needle) > 0) => {
            assert!(seen, "the build step's process never started: {:#?}", events.lock().unwrap());
        }
    }
    assert!(
        eventually(Duration::from_secs(20), || processes_running(&needle) == 0).await,
        "the dropped build's step is still running ({needle})"
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while containers_running(&engine, &format!("sleep {millis}")).await > 0 {
        assert!(
            Instant::now() < deadline,
            "the cancelled build's container is still there"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(engine.image_info(&request.tag).await.unwrap().is_none());
    let events = events.into_inner().unwrap();
    if builder == BuilderKind::Classic {
        assert!(!committed_ids(&events).is_empty(), "{events:#?}");
    }
    assert_intermediates_removed(&engine, &events).await;
}

#[tokio::test]
async fn dropping_a_buildkit_build_cancels_it() {
    dropping_a_build_cancels_it(BuilderKind::Buildkit).await;
}

#[tokio::test]
async fn dropping_a_classic_build_cancels_it_and_removes_its_container() {
    dropping_a_build_cancels_it(BuilderKind::Classic).await;
}

/// A `COPY` of a missing file after a successful `COPY`: the failure names the missing
/// file's step, not the one before it.
async fn a_missing_copy_source_is_named_as_the_failed_step(builder: BuilderKind) {
    let engine = support::connect_or_fail().await;
    let run_id = unique_run_id();
    let _cleanup = Cleanup::new(&run_id);
    let app = test_app_context("COPY does-not-exist /nowhere");
    let request = build_request(&app, &run_id, builder, true);
    let (outcome, events) = build_recording(&engine, &request).await;
    let Err(BuildError::Failed(failure)) = outcome else {
        panic!("expected a build failure, got {outcome:?}");
    };
    let step = failure.step.clone().unwrap_or_default();
    assert!(
        step.contains("COPY does-not-exist"),
        "{failure:#?}\n{events:#?}"
    );
    assert_intermediates_removed(&engine, &events).await;
}

#[tokio::test]
async fn a_missing_copy_source_is_the_failed_buildkit_step() {
    a_missing_copy_source_is_named_as_the_failed_step(BuilderKind::Buildkit).await;
}

#[tokio::test]
async fn a_missing_copy_source_is_the_failed_classic_step() {
    a_missing_copy_source_is_named_as_the_failed_step(BuilderKind::Classic).await;
}
