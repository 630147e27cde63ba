//! The context of one build on its way to the daemon, either way: the streamed tar
//! ([`upload`](super::upload)) with the build request, or a BuildKit session of
//! basebench's own ([`session`](super::session)) that the daemon pulls it through. Both
//! count what they send in a [`TransferLog`] (bytes, first and last packet), so every
//! build records the bytes and the seconds its context took apart from the build.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use bollard::query_parameters::{BuildImageOptions, BuilderVersion};
use bollard::{BollardRequest, Docker};
use bytes::Bytes;
use futures_util::Stream;
use tokio::task::JoinHandle;

use super::DockerEngine;
use super::session::upgrade::UpgradeError;
use super::session::{Session, SessionSpec, shared_key};
use super::upload::stream_context;
use crate::engine::{BuildRequest, BuilderKind, ContextTransfer};

/// What one build's context transfer sent: bytes, and when the first and last packet (a
/// tar chunk, a FileSync packet either way) crossed; the first error on basebench's side.
#[derive(Debug, Default)]
pub(super) struct TransferLog {
    state: Mutex<LogState>,
}

#[derive(Debug, Default)]
struct LogState {
    bytes: u64,
    first: Option<Instant>,
    last: Option<Instant>,
    error: Option<String>,
}

impl TransferLog {
    fn lock(&self) -> std::sync::MutexGuard<'_, LogState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A packet crossed now, carrying `bytes` of context.
    pub(super) fn packet(&self, bytes: usize) {
        let now = Instant::now();
        let mut state = self.lock();
        state.bytes += bytes as u64;
        state.first.get_or_insert(now);
        state.last = Some(now);
    }

    /// Sending failed on basebench's side with `message` (the first failure is kept).
    pub(super) fn fail(&self, message: &str) {
        self.lock().error.get_or_insert_with(|| message.to_string());
    }

    fn bytes_and_seconds(&self) -> (u64, f64) {
        let state = self.lock();
        let seconds = match (state.first, state.last) {
            (Some(first), Some(last)) => last.duration_since(first).as_secs_f64(),
            _ => 0.0,
        };
        (state.bytes, seconds)
    }

    fn error(&self) -> Option<String> {
        self.lock().error.clone()
    }
}

/// A body the build request streams (the tar), if any.
type Body = Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>;

/// The context transfer of one build, under way.
pub(super) struct Sending {
    log: Arc<TransferLog>,
    way: Way,
}

enum Way {
    Tar {
        body: Option<Body>,
        writer: JoinHandle<std::io::Result<u64>>,
    },
    Session {
        session: Session,
        id: String,
    },
}

/// Why the transfer could not start.
pub(super) enum StartError {
    /// The daemon refused the session: the caller falls back to the tar.
    Refused(String),
    /// The session connection could not be made.
    Failed(String),
}

impl Sending {
    /// Start sending `request`'s context `transfer`'s way.
    pub(super) async fn start(
        engine: &DockerEngine,
        request: &BuildRequest,
        transfer: ContextTransfer,
    ) -> Result<Sending, StartError> {
        let log = Arc::new(TransferLog::default());
        let way = match transfer {
            ContextTransfer::Tar => {
                let (body, writer) = stream_context(request.context.clone(), log.clone());
                Way::Tar {
                    body: Some(Box::pin(body)),
                    writer,
                }
            }
            ContextTransfer::Session => {
                let spec = SessionSpec {
                    id: format!("basebench-{}", uuid::Uuid::new_v4().simple()),
                    name: request.context.root.display().to_string(),
                    shared_key: shared_key(&request.context.root),
                };
                let context = Arc::new(request.context.clone());
                let session = Session::open(&engine.dial, &spec, context, log.clone())
                    .await
                    .map_err(|e| match e {
                        UpgradeError::Refused(why) | UpgradeError::Unsupported(why) => {
                            StartError::Refused(why)
                        }
                        UpgradeError::Io(why) => StartError::Failed(why),
                    })?;
                Way::Session {
                    session,
                    id: spec.id,
                }
            }
        };
        Ok(Sending { log, way })
    }

    /// The client for the build request: for a session, one that makes bollard's plain
    /// request a BuildKit one (see [`buildkit_request`]).
    pub(super) fn client(&self, long: &Docker) -> Docker {
        match self.way {
            Way::Tar { .. } => long.clone(),
            Way::Session { .. } => long.clone().with_request_modifier(buildkit_request),
        }
    }

    /// Set the build parameters that say where the context is.
    pub(super) fn set_options(&self, options: &mut BuildImageOptions, builder: BuilderKind) {
        match (&self.way, builder) {
            (Way::Session { id, .. }, _) => {
                // bollard serves its own session for `version=2`; ask for 1 and let
                // `buildkit_request` turn it into 2 on the wire.
                options.version = BuilderVersion::BuilderV1;
                options.session = Some(id.clone());
                options.remote = Some("client-session".to_string());
            }
            (Way::Tar { .. }, BuilderKind::Buildkit) => {
                options.version = BuilderVersion::BuilderBuildKit;
                options.session = Some(format!("basebench-{}", uuid::Uuid::new_v4().simple()));
            }
            (Way::Tar { .. }, BuilderKind::Classic) => {
                options.version = BuilderVersion::BuilderV1;
                options.session = None;
            }
        }
    }

    /// The tar stream the build request carries (taken once); `None` for a session.
    pub(super) fn take_body(&mut self) -> Option<Body> {
        match &mut self.way {
            Way::Tar { body, .. } => body.take(),
            Way::Session { .. } => None,
        }
    }

    /// Did the session's connection end before the build did?
    pub(super) fn session_closed(&self) -> bool {
        matches!(&self.way, Way::Session { session, .. } if session.is_closed())
    }

    /// Finish: bytes and seconds sent, or why sending failed on basebench's side (a file
    /// that changed, disappeared or could not be read, named).
    pub(super) async fn finish(self) -> Result<(u64, f64), String> {
        if let Way::Tar { writer, .. } = self.way {
            match writer.await {
                Ok(Ok(_)) => {}
                Ok(Err(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                Ok(Err(e)) => self.log.fail(&e.to_string()),
                Err(e) => self.log.fail(&e.to_string()),
            }
        }
        match self.log.error() {
            Some(error) => Err(error),
            None => Ok(self.log.bytes_and_seconds()),
        }
    }
}

/// Make bollard's plain `/build` request a BuildKit one: `version=1` becomes `version=2`
/// (the session and `remote=client-session` are already in the query).
fn buildkit_request(mut request: BollardRequest) -> BollardRequest {
    let uri = request.uri();
    let (Some(query), true) = (uri.query(), uri.path().ends_with("/build")) else {
        return request;
    };
    let query: Vec<&str> = query
        .split('&')
        .map(|pair| {
            if pair == "version=1" {
                "version=2"
            } else {
                pair
            }
        })
        .collect();
    let mut parts = uri.clone().into_parts();
    let rewritten = format!("{}?{}", uri.path(), query.join("&"));
    if let Ok(path_and_query) = rewritten.parse() {
        parts.path_and_query = Some(path_and_query);
        if let Ok(uri) = http::Uri::from_parts(parts) {
            *request.uri_mut() = uri;
        }
    }
    request
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_build_request_becomes_a_buildkit_one() {
        let request = http::Request::post(
            "http://localhost/v1.41/build?dockerfile=D&remote=client-session&session=s1&version=1",
        )
        .body(bollard::body_full(Bytes::new()))
        .expect("request");
        let rewritten = buildkit_request(request);
        assert_eq!(
            rewritten.uri().to_string(),
            "http://localhost/v1.41/build?dockerfile=D&remote=client-session&session=s1&version=2"
        );
        let other = http::Request::get("http://localhost/v1.41/images/json?version=1")
            .body(bollard::body_full(Bytes::new()))
            .expect("request");
        assert!(
            buildkit_request(other)
                .uri()
                .to_string()
                .ends_with("version=1")
        );
    }
}
