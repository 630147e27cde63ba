//! Building and importing test images.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use basebench::context::BuildContext;
use basebench::engine::docker::DockerEngine;
use basebench::engine::{
    BuildError, BuildEvent, BuildOutcome, BuildRequest, BuilderKind, ContainerSpec,
    ContextTransfer, Engine,
};

use super::{TESTAPP_PORT, TestApp, run_labels};

/// Builds `dir` with `dockerfile` (BuildKit, no cache, session transfer) as
/// `basebench-test/<run_id>:<name>`, labelled for `run_id`; fails the test if it fails.
pub(crate) async fn build_dir(
    engine: &DockerEngine,
    dir: &Path,
    dockerfile: &str,
    run_id: &str,
    name: &str,
) -> BuildOutcome {
    let request = BuildRequest {
        context: BuildContext::scan(dir, dockerfile.to_string()).expect("scanning the context"),
        tag: format!("basebench-test/{run_id}:{name}"),
        no_cache: true,
        builder: BuilderKind::Buildkit,
        labels: run_labels(run_id),
        build_args: Default::default(),
        target: None,
        transfer: ContextTransfer::Session,
    };
    engine
        .build(&request, &|_| {})
        .await
        .unwrap_or_else(|e| panic!("building the {name} image: {e:?}"))
}

/// A build of `app` tagged `basebench-test/<run_id>:<builder>`, labelled for `run_id`.
pub(crate) fn build_request(
    app: &TestApp,
    run_id: &str,
    builder: BuilderKind,
    no_cache: bool,
) -> BuildRequest {
    BuildRequest {
        context: app.context(),
        tag: format!("basebench-test/{run_id}:{}", builder.as_str()),
        no_cache,
        builder,
        labels: run_labels(run_id),
        build_args: Default::default(),
        target: None,
        transfer: ContextTransfer::Session,
    }
}

/// Run a build, recording every event it emits.
pub(crate) async fn build_recording(
    engine: &DockerEngine,
    request: &BuildRequest,
) -> (Result<BuildOutcome, BuildError>, Vec<BuildEvent>) {
    let events = Mutex::new(Vec::new());
    let record = |e: BuildEvent| events.lock().unwrap().push(e);
    let outcome = engine.build(request, &record).await;
    (outcome, events.into_inner().unwrap())
}

/// Build the plain fixture app with BuildKit; returns the image id.
pub(crate) async fn build_app(engine: &DockerEngine, run_id: &str) -> String {
    let app = super::test_app_context("");
    let request = build_request(&app, run_id, BuilderKind::Buildkit, false);
    let (outcome, _) = build_recording(engine, &request).await;
    outcome.expect("building the fixture app").image_id
}

/// A container of `image` publishing the app port, labelled for `run_id`, with `env`.
pub(crate) fn container_spec(image: &str, run_id: &str, env: &[&str]) -> ContainerSpec {
    ContainerSpec {
        image: image.to_string(),
        name: format!("{run_id}-{}", uuid::Uuid::new_v4().simple()),
        labels: run_labels(run_id),
        port: TESTAPP_PORT,
        env: env.iter().map(|e| e.to_string()).collect(),
        cmd: Vec::new(),
    }
}

/// A root filesystem tarball in `dir` holding only the fixture app at `/testapp`.
pub(crate) fn rootfs_tarball(dir: &Path) -> PathBuf {
    let path = dir.join("rootfs.tar");
    let file = std::fs::File::create(&path).expect("creating rootfs.tar");
    let mut builder = tar::Builder::new(file);
    builder
        .append_path_with_name(super::testapp_binary(), "testapp")
        .expect("adding testapp to rootfs.tar");
    builder.finish().expect("finishing rootfs.tar");
    path
}
