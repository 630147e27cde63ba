//! Image builds: BuildKit (API `version=2` with a session) or the classic builder, the
//! context sent through a BuildKit session or as a tar (see [`send`](super::send)),
//! progress parsed as it arrives.
//!
//! Each build runs on its own thread and runtime with its own client. bollard serves the
//! BuildKit session of a tar build on a task it spawns and never closes, and dockerd keeps
//! a session open until the client does: dropping that runtime after the build closes it
//! (one leaked connection and task per build otherwise).

use bollard::errors::Error as BollardError;
use bollard::query_parameters::BuildImageOptions;
use bytes::Bytes;
use futures_util::StreamExt;
use tokio::sync::{mpsc, oneshot};

use super::DockerEngine;
use super::intermediates::remove_intermediates;
use super::line_end::to_last_message;
use super::progress::Progress;
use super::send::{Sending, StartError};
use super::transfer::refused_note;
use crate::engine::address::EngineAddress;
use crate::engine::{
    BuildError, BuildEvent, BuildEvents, BuildFailure, BuildOutcome, BuildRequest, ContextTransfer,
    Engine, EngineError,
};

/// How one attempt at a build ended short of an outcome.
enum Attempt {
    /// The daemon refused the session before anything was sent: try again with a tar.
    Refused(String),
    /// The build failed.
    Failed(BuildError),
}

impl From<BuildError> for Attempt {
    fn from(e: BuildError) -> Attempt {
        Attempt::Failed(e)
    }
}

impl From<EngineError> for Attempt {
    fn from(e: EngineError) -> Attempt {
        Attempt::Failed(e.into())
    }
}

/// Build `request` on a private runtime, relaying progress to `events`, sending the
/// context the way [`Engine::context_transfer`] chooses; a session the daemon refuses
/// turns this build and the later ones to the tar, and the first says why. Dropping the
/// returned future cancels the build.
pub(super) async fn build(
    engine: &DockerEngine,
    request: &BuildRequest,
    events: BuildEvents<'_>,
) -> Result<BuildOutcome, BuildError> {
    let transfer = engine
        .context_transfer(request.builder, request.transfer)
        .transfer;
    match attempt(engine, request, transfer, events).await {
        Ok(outcome) => Ok(outcome),
        Err(Attempt::Failed(e)) => Err(e),
        Err(Attempt::Refused(why)) => {
            let first = engine.session_refused.set(why.clone()).is_ok();
            match attempt(engine, request, ContextTransfer::Tar, events).await {
                Ok(outcome) => Ok(BuildOutcome {
                    transfer_note: first.then(|| refused_note(&why)),
                    ..outcome
                }),
                Err(Attempt::Failed(e)) => Err(e),
                Err(Attempt::Refused(why)) => Err(thread_error(request.tag.clone(), why)),
            }
        }
    }
}

/// One build on its own thread and runtime.
async fn attempt(
    engine: &DockerEngine,
    request: &BuildRequest,
    transfer: ContextTransfer,
    events: BuildEvents<'_>,
) -> Result<BuildOutcome, Attempt> {
    let (event_tx, mut event_rx) = mpsc::unbounded_channel::<BuildEvent>();
    let (mut done_tx, done_rx) = oneshot::channel();
    let (address, dial, owned) = (engine.address.clone(), engine.dial.clone(), request.clone());
    let spawned = std::thread::Builder::new()
        .name("basebench-build".to_string())
        .spawn(move || {
            let result = isolated_build(&address, &dial, &owned, transfer, event_tx, &mut done_tx);
            let _ = done_tx.send(result);
        });
    if let Err(e) = spawned {
        return Err(thread_error(request.tag.clone(), e.to_string()).into());
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
    address: &EngineAddress,
    dial: &EngineAddress,
    request: &BuildRequest,
    transfer: ContextTransfer,
    event_tx: mpsc::UnboundedSender<BuildEvent>,
    done_tx: &mut oneshot::Sender<Result<BuildOutcome, Attempt>>,
) -> Result<BuildOutcome, Attempt> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| thread_error(request.tag.clone(), e.to_string()))?;
    runtime.block_on(async {
        let engine = DockerEngine::connect_quietly(address, dial).await?;
        let relay = move |event: BuildEvent| {
            let _ = event_tx.send(event);
        };
        let mut progress = Progress::new(request.labels.keys().cloned());
        let finished = tokio::select! {
            result = build_here(&engine, request, transfer, &relay, &mut progress) => Some(result),
            () = done_tx.closed() => None,
        };
        let result = finished
            .unwrap_or_else(|| Err(thread_error(request.tag.clone(), "cancelled".into()).into()));
        if result.is_err() {
            remove_intermediates(&engine, progress.created_images()).await;
        }
        result
    })
}

/// An error running the build machinery itself.
fn thread_error(tag: String, message: String) -> BuildError {
    BuildError::Engine(EngineError::Api {
        action: format!("building image '{tag}'"),
        message,
    })
}

/// Build `request` on the current runtime, its context sent `transfer`'s way, and report
/// progress to `events`.
async fn build_here(
    engine: &DockerEngine,
    request: &BuildRequest,
    transfer: ContextTransfer,
    events: BuildEvents<'_>,
    progress: &mut Progress,
) -> Result<BuildOutcome, Attempt> {
    let mut sending = Sending::start(engine, request, transfer)
        .await
        .map_err(|e| match e {
            StartError::Refused(why) => Attempt::Refused(why),
            StartError::Failed(why) => Attempt::Failed(session_error(request, &why)),
        })?;
    let client = sending.client(&engine.long);
    let mut options = options(request);
    sending.set_options(&mut options, request.builder);
    let body = match sending.take_body() {
        Some(tar) => bollard::body_try_stream(tar),
        None => bollard::body_full(Bytes::new()),
    };
    let mut stream = to_last_message(client.build_image(options, None, Some(body)));
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
    let closed = sending.session_closed();
    let sent = sending.finish().await;
    if let Some(err) = error {
        return Err(failure(engine, request, progress, err, sent.err(), closed).into());
    }
    let (context_bytes, context_seconds) = sent.map_err(|e| context_error(request, &e))?;
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
        context_seconds,
        context_transfer: transfer,
        transfer_note: None,
    })
}

/// Query parameters of the build (the context's own are set by [`Sending`]).
fn options(request: &BuildRequest) -> BuildImageOptions {
    BuildImageOptions {
        dockerfile: request.context.dockerfile_name.clone(),
        t: Some(request.tag.clone()),
        nocache: request.no_cache,
        rm: true,
        forcerm: true,
        labels: Some(request.labels.clone()),
        buildargs: Some(request.build_args.clone()),
        target: request.target.clone().unwrap_or_default(),
        ..Default::default()
    }
}

/// Turn a build stream error into a build failure or an engine error. When sending the
/// context failed on basebench's side (`ours`: a file that changed, disappeared or cannot
/// be read) or the session closed before the build ended, that is the cause.
fn failure(
    engine: &DockerEngine,
    request: &BuildRequest,
    progress: &Progress,
    err: BollardError,
    ours: Option<String>,
    session_closed: bool,
) -> BuildError {
    if session_closed {
        let why = ours.unwrap_or_else(|| err.to_string());
        let cause = format!("the BuildKit session closed before the build finished ({why})");
        return session_error(request, &cause);
    }
    if let Some(cause) = ours {
        let cause = match &err {
            BollardError::DockerStreamError { error } => format!("{cause} (the daemon: {error})"),
            _ => cause,
        };
        return context_error(request, &cause);
    }
    let message = match err {
        BollardError::DockerStreamError { error } => error,
        BollardError::DockerResponseServerError {
            status_code,
            message,
        } if status_code != 404 => message,
        err => {
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

/// An error reading the context on basebench's side (its message names the file).
fn context_error(request: &BuildRequest, cause: &str) -> BuildError {
    BuildError::Engine(EngineError::Api {
        action: format!(
            "sending the build context '{}'",
            request.context.root.display()
        ),
        message: format!(
            "{cause}. Check that every file in the context is readable and stays unchanged \
             while basebench builds."
        ),
    })
}

/// The BuildKit session broke (it could not be opened, or it closed mid-build).
fn session_error(request: &BuildRequest, cause: &str) -> BuildError {
    BuildError::Engine(EngineError::Api {
        action: format!(
            "sending the build context '{}' through a BuildKit session",
            request.context.root.display()
        ),
        message: format!("{cause}. Retry, or send it as a tar with --context-transfer tar."),
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
