//! Image builds: the context streamed as a tar from a blocking thread, BuildKit (API
//! `version=2` with a session) or the classic builder, progress parsed as it arrives.

use std::io::{self, Write};

use bollard::errors::Error as BollardError;
use bollard::query_parameters::{BuildImageOptions, BuilderVersion};
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::DockerEngine;
use super::progress::Progress;
use crate::context::BuildContext;
use crate::engine::{
    BuildError, BuildEvents, BuildFailure, BuildOutcome, BuildRequest, BuilderKind, EngineError,
};

/// Size of the chunks the context tar is sent in.
const CHUNK: usize = 64 * 1024;
/// Chunks buffered between the tar writer and the HTTP body (bounds memory use).
const CHUNKS_IN_FLIGHT: usize = 8;

/// Build `request` and report progress to `events`.
pub(super) async fn build(
    engine: &DockerEngine,
    request: &BuildRequest,
    events: BuildEvents<'_>,
) -> Result<BuildOutcome, BuildError> {
    let (body, writer) = stream_context(request.context.clone());
    let mut stream =
        engine
            .long
            .build_image(options(request), None, Some(bollard::body_try_stream(body)));
    let mut progress = Progress::new(request.labels.keys().cloned());
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
        return Err(failure(engine, request, &progress, err, context.err()));
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

/// The context as an HTTP body, produced by `write_tar` on a blocking thread; the handle
/// yields the bytes written.
fn stream_context(
    context: BuildContext,
) -> (
    impl Stream<Item = io::Result<Bytes>> + Send + 'static,
    JoinHandle<io::Result<u64>>,
) {
    let (tx, mut rx) = mpsc::channel::<io::Result<Bytes>>(CHUNKS_IN_FLIGHT);
    let writer = tokio::task::spawn_blocking(move || {
        let mut out = ChannelWriter {
            tx,
            buf: Vec::with_capacity(CHUNK),
        };
        let result = context
            .write_tar(&mut out)
            .and_then(|n| out.flush().map(|()| n));
        if let Err(e) = &result {
            // Make the HTTP body fail rather than end as a truncated tar.
            let _ = out
                .tx
                .blocking_send(Err(io::Error::new(e.kind(), e.to_string())));
        }
        result
    });
    let chunks = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx));
    (chunks, writer)
}

/// A `Write` that sends full chunks down a channel (blocking; run it off the runtime).
struct ChannelWriter {
    tx: mpsc::Sender<io::Result<Bytes>>,
    buf: Vec<u8>,
}

impl ChannelWriter {
    fn send_buffered(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx.blocking_send(Ok(chunk)).map_err(|_| {
            io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the daemon stopped reading the build context",
            )
        })
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = data.len().min(CHUNK - self.buf.len());
        self.buf.extend_from_slice(&data[..n]);
        if self.buf.len() == CHUNK {
            self.send_buffered()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send_buffered()
    }
}
