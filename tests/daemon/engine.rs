//! Real-daemon tests of `DockerEngine`: containers, exec, memory, logs, export, import,
//! info and labelled cleanup (builds are in `engine_build.rs`). They need a running
//! dockerd and gcc (see tests/support) and fail loudly without them.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use basebench::engine::docker::DockerEngine;
use basebench::engine::{Engine, EngineError, ImportRequest, RUN_LABEL};
use futures_util::StreamExt;

use crate::support;
use crate::support::http::{http_status, wait_healthy};
use crate::support::images::{build_app, container_spec, rootfs_tarball};
use crate::support::{Cleanup, unique_run_id};

/// Build the app and start a container of it with `env`; returns (id, host port).
async fn started_app(engine: &DockerEngine, run_id: &str, env: &[&str]) -> (String, u16) {
    let image = build_app(engine, run_id).await;
    let spec = container_spec(&image, run_id, env);
    let id = engine.create_container(&spec).await.unwrap();
    assert_eq!(engine.container_status(&id).await.unwrap().state, "created");
    engine.start_container(&id).await.unwrap();
    let port = engine.host_port(&id, support::TESTAPP_PORT).await.unwrap();
    wait_healthy(port).await;
    (id, port)
}

#[tokio::test]
async fn a_container_serves_on_a_loopback_port_and_reports_its_memory() {
    let engine = support::connect_or_fail().await;
    let run_id = unique_run_id();
    let _cleanup = Cleanup::new(&run_id);
    let (id, port) = started_app(&engine, &run_id, &["TESTAPP_ALLOC_MB=64"]).await;
    assert_ne!(port, support::TESTAPP_PORT);
    assert_eq!(http_status(port, "/nope"), Some(404));
    let status = engine.container_status(&id).await.unwrap();
    assert!(status.running && status.state == "running", "{status:?}");
    assert_eq!(status.exit_code, None);
    let memory = engine.memory_usage(&id).await.unwrap();
    assert!(
        memory > 64 << 20,
        "memory {memory} should include the 64 MiB the app holds"
    );
    let logs = engine.logs_tail(&id, 10).await.unwrap();
    assert!(
        logs.iter().any(|l| l.contains("listening on port 8080")),
        "{logs:?}"
    );

    engine.remove_container(&id).await.unwrap();
    let again = engine.remove_container(&id).await;
    assert!(
        again.is_ok(),
        "removing a missing container is fine: {again:?}"
    );
    let gone = engine.container_status(&id).await;
    assert!(
        matches!(gone, Err(EngineError::NotFound { .. })),
        "{gone:?}"
    );
}

#[tokio::test]
async fn exec_reports_exit_codes_output_and_timeouts() {
    let engine = support::connect_or_fail().await;
    let run_id = unique_run_id();
    let _cleanup = Cleanup::new(&run_id);
    let (id, _) = started_app(&engine, &run_id, &[]).await;
    let exec = |cmd: &[&str], timeout: Duration| {
        let command: Vec<String> = cmd.iter().map(|s| s.to_string()).collect();
        let (engine, id) = (&engine, &id);
        async move { engine.exec(id, &command, timeout).await }
    };
    let ok = exec(&["/testapp", "exit", "0"], Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(ok.exit_code, Some(0), "{ok:?}");
    assert!(ok.output.contains("testapp: exit 0"), "{ok:?}");
    let bad = exec(&["/testapp", "exit", "7"], Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(bad.exit_code, Some(7), "{bad:?}");
    // No shell in a scratch image: the daemon reports 126 and says why.
    let missing = exec(&["/bin/sh", "-c", "true"], Duration::from_secs(10)).await;
    assert!(
        !matches!(&missing, Ok(out) if out.exit_code == Some(0)),
        "{missing:?}"
    );
    let slow = exec(&["/testapp", "sleep", "5000"], Duration::from_millis(300))
        .await
        .unwrap();
    assert_eq!(slow.exit_code, None, "{slow:?}");
}

#[tokio::test]
async fn an_app_that_exits_at_start_shows_its_log_line_and_exit_code() {
    let engine = support::connect_or_fail().await;
    let run_id = unique_run_id();
    let _cleanup = Cleanup::new(&run_id);
    let image = build_app(&engine, &run_id).await;
    let id = engine
        .create_container(&container_spec(&image, &run_id, &["TESTAPP_EXIT_CODE=3"]))
        .await
        .unwrap();
    engine.start_container(&id).await.unwrap();
    let start = Instant::now();
    let status = loop {
        let status = engine.container_status(&id).await.unwrap();
        if !status.running {
            break status;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the app never exited"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(
        (status.state.as_str(), status.exit_code),
        ("exited", Some(3)),
        "{status:?}"
    );
    // stdout and stderr are copied apart by the daemon: their relative order is loose.
    let logs = engine.logs_tail(&id, 5).await.unwrap();
    assert_eq!(logs.len(), 2, "{logs:?}");
    assert!(
        logs.iter().any(|l| l.starts_with("testapp: starting")),
        "{logs:?}"
    );
    assert!(
        logs.contains(&"fatal: configured to exit with code 3".to_string()),
        "{logs:?}"
    );
    let last = engine.logs_tail(&id, 1).await.unwrap();
    assert!(last.len() == 1 && logs.contains(&last[0]), "{last:?}");
    assert!(engine.host_port(&id, support::TESTAPP_PORT).await.is_err());
}

#[tokio::test]
async fn an_exported_image_is_a_tar_with_a_manifest() {
    let engine = support::connect_or_fail().await;
    let run_id = unique_run_id();
    let _cleanup = Cleanup::new(&run_id);
    let image = build_app(&engine, &run_id).await;
    let mut stream = engine.export_image(&image).await.unwrap();
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        bytes.extend_from_slice(&chunk.unwrap());
    }
    let mut archive = tar::Archive::new(bytes.as_slice());
    let names: Vec<String> = archive
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().display().to_string())
        .collect();
    assert!(names.iter().any(|n| n == "manifest.json"), "{names:?}");
    let missing = engine
        .export_image("basebench-test/no-such-image:nope")
        .await;
    assert!(
        matches!(missing, Err(EngineError::NotFound { .. })),
        "{:?}",
        missing.err()
    );
}

#[tokio::test]
async fn an_imported_rootfs_becomes_an_image_with_the_given_cmd() {
    let engine = support::connect_or_fail().await;
    let run_id = unique_run_id();
    let cleanup = Cleanup::new(&run_id);
    let dir = tempfile::tempdir().unwrap();
    let reference = format!("basebench-test/{run_id}:imported");
    let request = ImportRequest {
        tarball: rootfs_tarball(dir.path()),
        reference: reference.clone(),
        changes: vec![
            "CMD [\"/testapp\"]".to_string(),
            format!("LABEL basebench=true {RUN_LABEL}={run_id}"),
            "ENV TESTAPP_PORT=9090".to_string(),
        ],
    };
    let image = engine.import_image(&request).await.unwrap();
    let info = engine
        .image_info(&reference)
        .await
        .unwrap()
        .expect("imported image");
    assert_eq!(
        (info.id.as_str(), info.cmd.as_slice()),
        (image.as_str(), ["/testapp".to_string()].as_slice())
    );

    let mut container_spec = container_spec(&image, &run_id, &[]);
    container_spec.port = 9090;
    let id = engine.create_container(&container_spec).await.unwrap();
    engine.start_container(&id).await.unwrap();
    wait_healthy(engine.host_port(&id, 9090).await.unwrap()).await;

    let label = format!("{RUN_LABEL}={run_id}");
    let found = engine.list_labelled(&label).await.unwrap();
    assert_eq!(
        (found.containers, found.images),
        (vec![id.clone()], vec![image.clone()])
    );
    drop(cleanup);
    let left = engine.list_labelled(&label).await.unwrap();
    assert!(
        left.containers.is_empty() && left.images.is_empty(),
        "{left:?}"
    );
    engine
        .remove_image(&image)
        .await
        .expect("removing a missing image is fine");
}

#[tokio::test]
async fn info_describes_the_daemon_and_the_negotiated_api_version() {
    let engine = support::connect_or_fail().await;
    let info = engine.info().await.unwrap();
    assert!(
        !info.engine_version.is_empty() && info.cpus > 0 && info.memory_bytes > 0,
        "{info:?}"
    );
    assert_eq!(info.api_version, engine.api_version());
    let (major, minor) = info.api_version.split_once('.').unwrap();
    assert_eq!(major, "1");
    assert!(minor.parse::<u32>().unwrap() <= 53, "{info:?}");
}

#[tokio::test]
async fn connecting_to_a_missing_daemon_names_the_address_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let host = format!("unix://{}", dir.path().join("docker.sock").display());
    let err = DockerEngine::connect_to(host.clone()).await.unwrap_err();
    assert!(matches!(err, EngineError::Unavailable { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains(&format!("cannot reach the Docker daemon at {host}")),
        "{text}"
    );
    assert!(text.contains("DOCKER_HOST"), "{text}");
}

#[tokio::test]
async fn pulling_an_image_that_no_registry_has_fails_with_the_daemons_reason() {
    let engine = support::connect_or_fail().await;
    let reference = format!("basebench-test/{}:absent", unique_run_id());
    let err = engine.pull_image(&reference).await.unwrap_err();
    let text = err.to_string();
    assert!(text.contains(&reference), "{text}");
    assert!(engine.image_info(&reference).await.unwrap().is_none());
}

#[tokio::test]
async fn a_create_whose_caller_gave_up_is_finished_and_seen_by_the_next_sweep() {
    // An interrupt drops the create request mid-flight; the daemon creates the container
    // anyway. `settle` waits for it, so the sweep that follows lists (and removes) it.
    let engine = support::connect_or_fail().await;
    let run_id = unique_run_id();
    let _cleanup = Cleanup::new(&run_id);
    let image = build_app(&engine, &run_id).await;
    let spec = container_spec(&image, &run_id, &[]);
    let dropped = tokio::time::timeout(Duration::from_micros(50), engine.create_container(&spec))
        .await
        .is_err();
    engine.settle().await;
    let label = format!("{RUN_LABEL}={run_id}");
    let listed = engine.list_labelled(&label).await.expect("list");
    assert_eq!(
        listed.containers.len(),
        1,
        "the container of the dropped create (dropped: {dropped}) is there to sweep"
    );
}
