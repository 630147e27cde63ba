//! Contract tests: the real `DockerEngine` (real bollard client, real HTTP/1.1 over a unix
//! socket) against a canned-response server answering as Docker Engine API 1.41, 1.44,
//! 1.47 and 1.51 engines answer (see `shapes` for what each follows). Each engine that
//! cannot run on this machine still gets its shapes read: the version and storage driver,
//! an image inspect without `VirtualSize`, `Container` and `ContainerConfig`, the
//! containerd store's fields, BuildKit's trace and aux messages, stats and inspect.
#![allow(clippy::unwrap_used)]

mod server;
mod shapes;

use basebench::anatomy::{AnalyzeOptions, analyze_archive};
use basebench::context::BuildContext;
use basebench::engine::docker::DockerEngine;
use basebench::engine::{BuildOutcome, BuildRequest, BuilderKind, ContextTransfer, Engine};

use server::CannedEngine;
use shapes::{IMAGE_ID, IMAGE_SIZE, INACTIVE_FILE, MEMORY_USAGE, SHAPES, Shape};

/// A canned engine of `shape` and the `DockerEngine` connected to it.
async fn connect(shape: Shape, split_last_newline: bool) -> (CannedEngine, DockerEngine) {
    let server = CannedEngine::start(shape.api(), shape.routes(split_last_newline));
    let engine = DockerEngine::connect_to(server.host())
        .await
        .unwrap_or_else(|e| panic!("API {}: connecting: {e}", shape.api()));
    (server, engine)
}

/// A build of a one-file context, its tar sent with the request.
fn build_request(dir: &std::path::Path, builder: BuilderKind) -> BuildRequest {
    std::fs::write(
        dir.join("Dockerfile"),
        "FROM scratch\nCOPY testapp /testapp\n",
    )
    .unwrap();
    std::fs::write(dir.join("testapp"), b"\x7fELF not really").unwrap();
    BuildRequest {
        context: BuildContext::scan(dir, "Dockerfile".to_string()).unwrap(),
        tag: "basebench-contract:latest".to_string(),
        no_cache: false,
        builder,
        labels: [("io.basebench.managed".to_string(), "true".to_string())].into(),
        build_args: Default::default(),
        target: None,
        transfer: ContextTransfer::Tar,
    }
}

#[tokio::test]
async fn every_api_shape_gives_the_engines_version_driver_and_resources() {
    for shape in SHAPES {
        let (_server, engine) = connect(shape, false).await;
        assert_eq!(engine.api_version(), shape.api(), "negotiated version");
        let info = engine.info().await.unwrap();
        assert_eq!(info.engine, "Docker", "API {}", shape.api());
        assert_eq!(info.engine_version, shape.release());
        assert_eq!(info.api_version, shape.api());
        assert_eq!(info.storage_driver, shape.driver());
        assert_eq!(info.cpus, 4);
        assert_eq!(info.memory_bytes, 8_321_499_136);
        assert_eq!(info.kernel, "6.1.0-28-amd64");
        assert_eq!(info.os, "Debian GNU/Linux 12 (bookworm)");
    }
}

#[tokio::test]
async fn every_api_shape_of_image_inspect_and_history_reads_the_same() {
    for shape in SHAPES {
        let (server, engine) = connect(shape, false).await;
        let image = engine
            .image_info("basebench-contract:latest")
            .await
            .unwrap_or_else(|e| panic!("API {}: {e}", shape.api()))
            .expect("the canned image is present");
        let api = shape.api();
        assert_eq!(image.id, IMAGE_ID, "API {api}");
        assert_eq!(
            image.size_bytes, IMAGE_SIZE as u64,
            "API {api}: the unpacked size (1.51: from the platform manifest, not `Size`)"
        );
        assert_eq!(image.layers, 2, "API {api}");
        assert_eq!(image.user, "65532", "API {api}");
        assert_eq!(image.entrypoint, vec!["/testapp".to_string()], "API {api}");
        assert_eq!(
            image.exposed_ports,
            vec!["8080/tcp".to_string()],
            "API {api}"
        );
        assert_eq!(
            image.labels.get("io.basebench.run").map(String::as_str),
            Some("contract")
        );
        let created_by: Vec<&str> = image
            .history
            .iter()
            .map(|h| h.created_by.as_str())
            .collect();
        assert_eq!(
            created_by,
            [
                "COPY testapp /testapp # buildkit",
                "CMD [\"--port\" \"8080\"]"
            ],
            "API {api}: history oldest first"
        );
        assert_eq!(image.history[0].size_bytes, IMAGE_SIZE as u64);
        let asked_manifests = server
            .seen()
            .iter()
            .any(|r| r.path.ends_with("/json") && r.query.contains("manifests=1"));
        assert_eq!(
            asked_manifests,
            api == "1.51",
            "API {api}: manifests=1 from 1.48 on"
        );
        let paths = server.requests();
        assert!(
            paths.contains(&"GET /images/basebench-contract:latest/json".to_string()),
            "{paths:?}"
        );
        assert!(
            server
                .seen()
                .iter()
                .all(|r| r.version.is_none() || r.version.as_deref() == Some(api)),
            "API {api}: every request speaks the negotiated version: {:?}",
            server.seen()
        );
    }
}

/// Build the one-file context on a canned engine of `shape` with `builder`; the stream's
/// last line end arrives on its own when `split_last_newline`.
async fn build_on(shape: Shape, builder: BuilderKind, split_last_newline: bool) -> BuildOutcome {
    let (_server, engine) = connect(shape, split_last_newline).await;
    let dir = tempfile::tempdir().unwrap();
    let outcome = engine
        .build(&build_request(dir.path(), builder), &|_| {})
        .await
        .unwrap_or_else(|e| panic!("API {} {builder:?}: {e}", shape.api()));
    assert_eq!(
        outcome.image_id,
        IMAGE_ID,
        "API {} {builder:?}",
        shape.api()
    );
    outcome
}

#[tokio::test]
async fn every_api_shape_of_a_buildkit_and_a_classic_build_stream_gives_the_image_and_steps() {
    for shape in SHAPES {
        for builder in [BuilderKind::Buildkit, BuilderKind::Classic] {
            let outcome = build_on(shape, builder, false).await;
            // BuildKit has no vertex for `FROM scratch`; the classic builder's `Step 1/2`
            // counts, and a FROM never counts as run.
            let steps_total = if builder == BuilderKind::Classic {
                2
            } else {
                1
            };
            assert_eq!(
                (outcome.steps_total, outcome.steps_run),
                (steps_total, 1),
                "API {} {builder:?}",
                shape.api()
            );
            assert!(outcome.context_bytes > 0, "{outcome:?}");
        }
    }
}

/// The cause of a CI failure: a build stream whose last message's `\r\n` arrived in a
/// read of its own ended with "bytes remaining on stream" from bollard's line decoder,
/// and the variant's finished build was reported as failed.
#[tokio::test]
async fn a_build_stream_whose_last_line_end_arrives_alone_still_finishes_the_build() {
    for shape in SHAPES {
        for builder in [BuilderKind::Buildkit, BuilderKind::Classic] {
            build_on(shape, builder, true).await;
        }
    }
}

#[tokio::test]
async fn every_api_shape_of_container_inspect_and_stats_reads_state_and_memory() {
    for shape in SHAPES {
        let (_server, engine) = connect(shape, false).await;
        let status = engine.container_status("c0ffee").await.unwrap();
        assert!(status.running, "API {}: {status:?}", shape.api());
        assert_eq!(status.state, "running");
        assert_eq!(status.exit_code, None);
        let memory = engine.memory_usage("c0ffee").await.unwrap();
        assert_eq!(memory, MEMORY_USAGE - INACTIVE_FILE, "API {}", shape.api());
    }
}

#[tokio::test]
async fn every_api_shape_of_docker_save_streams_an_archive_anatomy_reads() {
    use futures_util::StreamExt;
    for shape in SHAPES {
        let (_server, engine) = connect(shape, false).await;
        let mut stream = engine
            .export_image("basebench-contract:latest")
            .await
            .unwrap();
        let mut archive = Vec::new();
        while let Some(chunk) = stream.next().await {
            archive.extend_from_slice(&chunk.unwrap());
        }
        assert_eq!(
            archive,
            shape.save_archive(),
            "API {}: the bytes as sent",
            shape.api()
        );
        let anatomy = analyze_archive(archive.as_slice(), &AnalyzeOptions::default())
            .unwrap_or_else(|e| panic!("API {}: {e}", shape.api()));
        assert_eq!(anatomy.layers.len(), 2, "API {}", shape.api());
        assert_eq!(
            anatomy.content_bytes,
            120 + 41_000 + 900,
            "API {}",
            shape.api()
        );
        assert_eq!(
            anatomy.wasted_bytes,
            40_000,
            "API {}: the overwritten app",
            shape.api()
        );
    }
}
