//! Image builds: BuildKit (API `version=2` with a session) or the classic builder, the
//! context streamed as a tar (see [`upload`](super::upload)), progress parsed as it
//! arrives.
//!
//! Each build runs on its own thread and runtime with its own client. bollard serves the
//! BuildKit session on a task it spawns and never closes, and dockerd keeps the session
//! open until the client does: dropping that runtime after the build closes it (one
//! leaked connection and task per build otherwise).

use std::io;
use std::time::{Duration, Instant};

use bollard::errors::Error as BollardError;
use bollard::query_parameters::{BuildImageOptions, BuilderVersion, RemoveImageOptions};
use futures_util::StreamExt;
use tokio::sync::{mpsc, oneshot};

use super::DockerEngine;
use super::errors::is_conflict;
use super::progress::Progress;
use super::upload::stream_context;
use crate::engine::{
    BuildError, BuildEvent, BuildEvents, BuildFailure, BuildOutcome, BuildRequest, BuilderKind,
    EngineError,
};

/// Build `request` on a private runtime, relaying progress to `events`. Dropping the
/// returned future cancels the build.
pub(super) async fn build(
    engine: &DockerEngine,
    request: &BuildRequest,
    events: BuildEvents<'_>,
) -> Result<BuildOutcome, BuildError> {
    let (event_tx, mut event_rx) = mpsc::unbounded_channel::<BuildEvent>();
    let (mut done_tx, done_rx) = oneshot::channel();
    let (host, owned) = (engine.host.clone(), request.clone());
    let spawned = std::thread::Builder::new()
        .name("basebench-build".to_string())
        .spawn(move || {
            let result = isolated_build(&host, &owned, event_tx, &mut done_tx);
            let _ = done_tx.send(result);
        });
    if let Err(e) = spawned {
        return Err(thread_error(request.tag.clone(), e.to_string()));
    }
    while let Some(event) = event_rx.recv().await {
        events(event);
    }
    done_rx
        .await
        .map_err(|_| thread_error(request.tag.clone(), "the build thread stopped".into()))?
}

/// The build on this thread's own runtime (dropped on return, closing the session);
/// cancelled when the caller stops waiting.
fn isolated_build(
    host: &str,
    request: &BuildRequest,
    event_tx: mpsc::UnboundedSender<BuildEvent>,
    done_tx: &mut oneshot::Sender<Result<BuildOutcome, BuildError>>,
) -> Result<BuildOutcome, BuildError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| thread_error(request.tag.clone(), e.to_string()))?;
    runtime.block_on(async {
        let engine = DockerEngine::connect_to(host.to_string()).await?;
        let relay = move |event: BuildEvent| {
            let _ = event_tx.send(event);
        };
        let mut progress = Progress::new(request.labels.keys().cloned());
        let finished = tokio::select! {
            result = build_here(&engine, request, &relay, &mut progress) => Some(result),
            () = done_tx.closed() => None,
        };
        let result =
            finished.unwrap_or_else(|| Err(thread_error(request.tag.clone(), "cancelled".into())));
        if result.is_err() {
            remove_intermediates(&engine, progress.created_images()).await;
        }
        result
    })
}

/// Remove the unlabelled images a failed or cancelled classic build committed (newest
/// first; removing one prunes its untagged parents). Not forced: an image another build
/// has since used as cache stays. A cancelled build's container may hold the newest one
/// for a moment, so "in use by a container" is retried for a while.
async fn remove_intermediates(engine: &DockerEngine, images: &[String]) {
    let options = RemoveImageOptions {
        force: false,
        noprune: false,
        ..Default::default()
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    for id in images.iter().rev() {
        loop {
            match engine
                .docker
                .remove_image(id, Some(options.clone()), None)
                .await
            {
                Err(e)
                    if is_conflict(&e)
                        && e.to_string().contains("being used by")
                        && Instant::now() < deadline =>
                {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                _ => break,
            }
        }
    }
}

/// An error running the build machinery itself.
fn thread_error(tag: String, message: String) -> BuildError {
    BuildError::Engine(EngineError::Api {
        action: format!("building image '{tag}'"),
        message,
    })
}

/// Build `request` on the current runtime and report progress to `events`.
async fn build_here(
    engine: &DockerEngine,
    request: &BuildRequest,
    events: BuildEvents<'_>,
    progress: &mut Progress,
) -> Result<BuildOutcome, BuildError> {
    let (body, writer) = stream_context(request.context.clone());
    let mut stream =
        engine
            .long
            .build_image(options(request), None, Some(bollard::body_try_stream(body)));
    let mut error = None;
    while let Some(item) = stream.next().await {
        match item {
            Ok(info) => progress.on_info(&info, events),
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    drop(stream);
    let context = writer.await.unwrap_or_else(|e| Err(io::Error::other(e)));
    if let Some(err) = error {
        return Err(failure(engine, request, progress, err, context.err()));
    }
    let context_bytes = context.map_err(|e| context_error(request, e))?;
    let (steps_total, steps_run) = progress.counts();
    let image_id = match progress.image_id() {
        Some(id) if id.starts_with("sha256:") => id.to_string(),
        _ => tagged_image_id(engine, &request.tag).await?,
    };
    Ok(BuildOutcome {
        image_id,
        steps_total,
        steps_run,
        context_bytes,
    })
}

/// Query parameters of the build.
fn options(request: &BuildRequest) -> BuildImageOptions {
    let (version, session) = match request.builder {
        BuilderKind::Buildkit => (
            BuilderVersion::BuilderBuildKit,
            Some(format!("basebench-{}", uuid::Uuid::new_v4().simple())),
        ),
        BuilderKind::Classic => (BuilderVersion::BuilderV1, None),
    };
    BuildImageOptions {
        dockerfile: request.context.dockerfile_name.clone(),
        t: Some(request.tag.clone()),
        nocache: request.no_cache,
        rm: true,
        forcerm: true,
        labels: Some(request.labels.clone()),
        buildargs: Some(request.build_args.clone()),
        target: request.target.clone().unwrap_or_default(),
        version,
        session,
        ..Default::default()
    }
}

/// Turn a build stream error into a build failure or an engine error.
fn failure(
    engine: &DockerEngine,
    request: &BuildRequest,
    progress: &Progress,
    err: BollardError,
    context: Option<io::Error>,
) -> BuildError {
    let message = match err {
        BollardError::DockerStreamError { error } => error,
        BollardError::DockerResponseServerError {
            status_code,
            message,
        } if status_code != 404 => message,
        err => {
            // The upload broke: say why when it was our side (an unreadable file).
            if let Some(e) = context.filter(|e| e.kind() != io::ErrorKind::BrokenPipe) {
                return context_error(request, e);
            }
            let action = format!("building image '{}'", request.tag);
            return BuildError::Engine(engine.fail_long(action, "the build endpoint").map(err));
        }
    };
    BuildError::Failed(BuildFailure {
        step: progress.failed_step(),
        message,
        log_tail: progress.log_tail(),
    })
}

/// An error producing the context tar.
fn context_error(request: &BuildRequest, err: io::Error) -> BuildError {
    BuildError::Engine(EngineError::Api {
        action: format!(
            "sending the build context '{}'",
            request.context.root.display()
        ),
        message: format!("{err}. Check that every file in the context is readable."),
    })
}

/// Id of the image a tag points at (used when the builder did not report one).
async fn tagged_image_id(engine: &DockerEngine, tag: &str) -> Result<String, EngineError> {
    let action = format!("inspecting the built image '{tag}'");
    let inspect = engine
        .docker
        .inspect_image(tag)
        .await
        .map_err(|e| engine.fail(action.clone(), format!("image '{tag}'")).map(e))?;
    inspect.id.ok_or_else(|| EngineError::Api {
        action,
        message: "the daemon reported no image id".to_string(),
    })
}
