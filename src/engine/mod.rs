//! The one seam for side effects on a container engine.
//!
//! Only code under `engine/` talks to Docker. [`DockerEngine`](docker::DockerEngine) is the
//! real implementation (bollard); `fake::FakeEngine` plays back scripted behaviour so CLI
//! and report tests run the whole pipeline without a daemon. The fake is compiled only for
//! tests (the `fake-engine` feature, which the test suite's dev-dependency turns on).

pub mod address;
pub(crate) mod auth;
pub mod docker;
#[cfg(any(test, feature = "fake-engine"))]
pub mod fake;

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::pin::Pin;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::Stream;

use crate::context::BuildContext;
use crate::results::HostInfo;

/// Label present (value `"true"`) on every container and image basebench creates.
pub const MANAGED_LABEL: &str = "basebench";
/// Label whose value is the run id of the run that created the object.
pub const RUN_LABEL: &str = "basebench.run";
/// Label on the images of a run with `--keep-images` (value `"true"`): `basebench clean`
/// leaves them, and what the user builds or runs from them, alone.
pub const KEEP_LABEL: &str = "basebench.keep";
/// Label on stand-in base images (kept across runs; removed by `basebench clean --bases`).
pub const STAND_IN_LABEL: &str = "basebench.stand-in";

/// A stream of bytes from the engine (an image export).
pub(crate) type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, EngineError>> + Send>>;

/// Errors from the engine. Messages end with what the user can do.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// No daemon answers at the configured address.
    #[error(
        "cannot reach the Docker daemon at {host}: {message}\n\
         Is the Docker daemon running? Start it (e.g. `dockerd &` or `systemctl start docker`) \
         or point DOCKER_HOST or --host at a running one (e.g. --host unix:///var/run/docker.sock)."
    )]
    Unavailable {
        /// The address tried and the setting that named it, e.g.
        /// `unix:///var/run/docker.sock (DOCKER_HOST)`.
        host: String,
        /// What the connection attempt said.
        message: String,
    },
    /// The Docker settings name no engine basebench can use (an unknown context, missing
    /// TLS files, an ssh:// host).
    #[error("choosing the engine: {0}")]
    Address(address::AddressError),
    /// The object (image, container) does not exist.
    #[error("{what} not found")]
    NotFound {
        /// What was looked for, e.g. `image 'ubuntu:20.04'`.
        what: String,
    },
    /// A call reached the daemon and failed.
    #[error("{action} failed: {message}")]
    Api {
        /// What was being done, e.g. `creating container from 'basebench-slim:abc'`.
        action: String,
        /// The daemon's message.
        message: String,
    },
    /// A call did not finish in time.
    #[error("{action} timed out after {after:?}")]
    Timeout {
        /// What was being done.
        action: String,
        /// How long it waited.
        after: Duration,
    },
}

impl From<address::AddressError> for EngineError {
    fn from(e: address::AddressError) -> Self {
        // Not a `source`: the message already holds it, and `main` prints the chain.
        EngineError::Address(e)
    }
}

/// Which image builder to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BuilderKind {
    /// BuildKit (API `version=2` with a session), what `docker build` uses today.
    #[default]
    Buildkit,
    /// The legacy builder (API `version=1`).
    Classic,
}

impl BuilderKind {
    /// Name used in outputs: `buildkit` or `classic`.
    pub fn as_str(self) -> &'static str {
        match self {
            BuilderKind::Buildkit => "buildkit",
            BuilderKind::Classic => "classic",
        }
    }
}

/// How the build context reaches the daemon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContextTransfer {
    /// Through a BuildKit session (FileSync), as `docker build` sends it: the daemon asks
    /// for the files whose stat changed since its copy of the previous transfer.
    #[default]
    Session,
    /// As a tar uploaded with the build request: the whole context on every build (what
    /// the classic builder takes).
    Tar,
}

impl ContextTransfer {
    /// Name used in outputs: `session` or `tar`.
    pub fn as_str(self) -> &'static str {
        match self {
            ContextTransfer::Session => "session",
            ContextTransfer::Tar => "tar",
        }
    }
}

/// The transfer an engine uses for a requested one, and why it differs when it does.
#[derive(Debug, Clone, PartialEq)]
pub struct TransferChoice {
    /// The transfer the builds will use.
    pub transfer: ContextTransfer,
    /// Said once when `transfer` is not the one requested.
    pub note: Option<String>,
}

/// One image build.
#[derive(Debug, Clone)]
pub struct BuildRequest {
    /// The context to send (files after `.dockerignore`, the Dockerfile to use).
    pub context: BuildContext,
    /// Tag for the resulting image.
    pub tag: String,
    /// Build without any cache (`nocache`).
    pub no_cache: bool,
    /// Builder to use.
    pub builder: BuilderKind,
    /// Labels set on the image (run id, managed marker).
    pub labels: HashMap<String, String>,
    /// `--build-arg` values.
    pub build_args: HashMap<String, String>,
    /// `--target` stage, if any.
    pub target: Option<String>,
    /// How to send the context (the engine may fall back to the tar, see
    /// [`Engine::context_transfer`]).
    pub transfer: ContextTransfer,
}

/// Progress of a build, streamed while it runs.
#[derive(Debug, Clone, PartialEq)]
pub enum BuildEvent {
    /// A Dockerfile step started, finished or was taken from cache.
    Step {
        /// The step as the builder names it, e.g. `[2/5] RUN pip install ...`.
        name: String,
        /// True when the builder took it from cache.
        cached: bool,
        /// True when the step has finished (or was cached).
        done: bool,
    },
    /// A line of build output.
    Log(String),
}

/// A receiver of build progress; must be cheap (it runs on the engine's task).
pub(crate) type BuildEvents<'a> = &'a (dyn Fn(BuildEvent) + Send + Sync);

/// A finished build.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildOutcome {
    /// Id of the built image (`sha256:...`).
    pub image_id: String,
    /// Dockerfile steps the builder counted.
    pub steps_total: u32,
    /// Steps that ran rather than came from cache.
    pub steps_run: u32,
    /// Bytes of the context sent: the tar, or the file data of the session's DATA packets.
    pub context_bytes: u64,
    /// Seconds spent sending it: the tar's first to last chunk, or the first to the last
    /// FileSync packet of the session.
    pub context_seconds: f64,
    /// How the context was sent.
    pub context_transfer: ContextTransfer,
    /// Why the engine sent a tar although a session was asked for, said on the first
    /// build that fell back (the later ones use the tar without a word).
    pub transfer_note: Option<String>,
}

/// A failed build: the failing step and the daemon's message.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildFailure {
    /// The step that failed, when the builder says which.
    pub step: Option<String>,
    /// The daemon's error message.
    pub message: String,
    /// Last lines of build output before the failure.
    pub log_tail: Vec<String>,
}

/// Why a build did not produce an image.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The Dockerfile failed (a step exited non-zero, a file is missing, ...).
    #[error("{}", .0.message)]
    Failed(BuildFailure),
    /// The engine could not run the build at all.
    #[error(transparent)]
    Engine(#[from] EngineError),
}

/// Facts about a local image from inspect and history.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImageInfo {
    /// Image id (`sha256:...`).
    pub id: String,
    /// Tags of the image.
    pub repo_tags: Vec<String>,
    /// `Size` (uncompressed bytes).
    pub size_bytes: u64,
    /// `RootFS.Layers` count.
    pub layers: u32,
    /// `Config.User` (`""` = root).
    pub user: String,
    /// `Config.Labels`.
    pub labels: HashMap<String, String>,
    /// `Config.Entrypoint` followed by nothing; empty when unset.
    pub entrypoint: Vec<String>,
    /// `Config.Cmd`; empty when unset.
    pub cmd: Vec<String>,
    /// `Config.ExposedPorts`, sorted (`8080/tcp`); empty when unset.
    pub exposed_ports: Vec<String>,
    /// History, oldest first.
    pub history: Vec<HistoryItem>,
}

/// One image history entry as the engine reports it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HistoryItem {
    /// Bytes added.
    pub size_bytes: u64,
    /// The instruction.
    pub created_by: String,
    /// Comment (BuildKit writes `buildkit.dockerfile.v0`).
    pub comment: String,
}

/// How to create a container for measuring.
#[derive(Debug, Clone, Default)]
pub struct ContainerSpec {
    /// Image reference or id.
    pub image: String,
    /// Container name (unique per run).
    pub name: String,
    /// Labels (run id, managed marker).
    pub labels: HashMap<String, String>,
    /// The port the app listens on inside the container; published on 127.0.0.1 with
    /// an ephemeral host port.
    pub port: u16,
    /// Extra environment (`KEY=value`).
    pub env: Vec<String>,
    /// Command override; empty keeps the image's.
    pub cmd: Vec<String>,
}

/// State of a container.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContainerStatus {
    /// `created`, `running`, `exited`, ...
    pub state: String,
    /// True while the process runs.
    pub running: bool,
    /// Exit code once exited.
    pub exit_code: Option<i64>,
    /// True when the kernel killed it for memory.
    pub(crate) oom_killed: bool,
    /// Times the engine restarted it (`RestartCount`).
    pub(crate) restart_count: i64,
    /// Error the engine recorded when starting it, if any.
    pub(crate) error: String,
}

/// Output of a command run inside a container.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExecOutput {
    /// Exit code; `None` when unknown (e.g. timed out).
    pub exit_code: Option<i64>,
    /// Combined stdout and stderr.
    pub output: String,
}

/// Objects on the daemon that carry basebench labels.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Labelled {
    /// Container ids.
    pub containers: Vec<String>,
    /// Those of `containers` that basebench created itself ([`own_container`]), with
    /// their names; the others inherited the label from an image.
    pub own: Vec<(String, String)>,
    /// Image ids.
    pub images: Vec<String>,
}

/// Whether a container named `name` with labels `labels` is one basebench created: it
/// names every container `basebench-<run id>-…` with that run id in its `basebench.run`
/// label. A container the user starts from a basebench image inherits the label (image
/// labels become the container's), never the name.
pub(crate) fn own_container(name: &str, labels: &HashMap<String, String>) -> bool {
    let name = name.trim_start_matches('/');
    labels.get(RUN_LABEL).is_some_and(|run| {
        !run.is_empty()
            && name
                .strip_prefix("basebench-")
                .and_then(|rest| rest.strip_prefix(run.as_str()))
                .is_some_and(|rest| rest.starts_with('-'))
    })
}

/// A root filesystem tarball to import as an image (`docker import`).
#[derive(Debug, Clone)]
pub struct ImportRequest {
    /// Path of the (uncompressed or gzip) tarball.
    pub tarball: PathBuf,
    /// Reference to tag the image with, e.g. `basebench-stand-in/ubuntu:20.04`.
    pub reference: String,
    /// Dockerfile instructions applied on import (`ENV ...`, `CMD [...]`, `LABEL ...`).
    pub changes: Vec<String>,
}

/// What a pull did, from the engine's progress messages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pulled {
    /// Layers downloaded and unpacked (`Pull complete`).
    pub layers_downloaded: u32,
    /// Layers the engine already had (`Already exists`): not downloaded.
    pub layers_present: u32,
}

/// Everything basebench does to a container engine.
#[async_trait]
pub trait Engine: Send + Sync {
    /// Check the daemon answers; describe it.
    async fn info(&self) -> Result<HostInfo, EngineError>;

    /// Check the daemon still answers (cheap: a run asks every second while it waits).
    async fn ping(&self) -> Result<(), EngineError> {
        self.info().await.map(|_| ())
    }

    /// Inspect a local image; `Ok(None)` when it is not present.
    async fn image_info(&self, reference: &str) -> Result<Option<ImageInfo>, EngineError>;

    /// Pull an image from its registry; says how many layers it downloaded and how many
    /// the engine already had.
    async fn pull_image(&self, reference: &str) -> Result<Pulled, EngineError>;

    /// Import a root filesystem tarball as an image; returns the image id.
    async fn import_image(&self, request: &ImportRequest) -> Result<String, EngineError>;

    /// The transfer builds with `builder` use when `requested` is asked for: the engine's
    /// capability decides (an engine without BuildKit sessions, or the classic builder,
    /// takes a tar).
    fn context_transfer(&self, builder: BuilderKind, requested: ContextTransfer) -> TransferChoice {
        let transfer = match builder {
            BuilderKind::Classic => ContextTransfer::Tar,
            BuilderKind::Buildkit => requested,
        };
        let note = (transfer != requested).then(|| {
            "the classic builder takes the build context as a tar (as `docker build` sends it \
             there): sending a tar"
                .to_string()
        });
        TransferChoice { transfer, note }
    }

    /// Build an image, streaming progress to `events`.
    async fn build(
        &self,
        request: &BuildRequest,
        events: BuildEvents<'_>,
    ) -> Result<BuildOutcome, BuildError>;

    /// Create (not start) a container; returns its id.
    async fn create_container(&self, spec: &ContainerSpec) -> Result<String, EngineError>;

    /// Start a created container.
    async fn start_container(&self, id: &str) -> Result<(), EngineError>;

    /// Host port on 127.0.0.1 that `container_port` is published on.
    async fn host_port(&self, id: &str, container_port: u16) -> Result<u16, EngineError>;

    /// Current state of a container.
    async fn container_status(&self, id: &str) -> Result<ContainerStatus, EngineError>;

    /// Last `lines` lines of a container's log (stdout and stderr).
    async fn logs_tail(&self, id: &str, lines: usize) -> Result<Vec<String>, EngineError>;

    /// Memory in use now: usage minus inactive file cache, as `docker stats` shows it.
    async fn memory_usage(&self, id: &str) -> Result<u64, EngineError>;

    /// Run a command (exec form, no shell) inside a running container.
    async fn exec(
        &self,
        id: &str,
        command: &[String],
        timeout: Duration,
    ) -> Result<ExecOutput, EngineError>;

    /// Force-remove a container and its anonymous volumes. Missing is not an error.
    async fn remove_container(&self, id: &str) -> Result<(), EngineError>;

    /// Remove an image (by id or reference). Missing is not an error.
    async fn remove_image(&self, reference: &str) -> Result<(), EngineError>;

    /// Export an image as a `docker save` tar stream.
    async fn export_image(&self, reference: &str) -> Result<ByteStream, EngineError>;

    /// Containers and images carrying `label` (`key` or `key=value`).
    async fn list_labelled(&self, label: &str) -> Result<Labelled, EngineError>;

    /// The address containers publish their ports on and the probe connects to: the
    /// engine host's own (127.0.0.1 for a local engine; see `docker/published.rs`).
    fn published_ip(&self) -> std::net::IpAddr {
        std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)
    }

    /// Wait (a bounded time) until every create request this client sent has finished,
    /// including those whose caller was dropped, so that a sweep after it sees what they
    /// made. An engine whose requests cannot outlive their caller has nothing to wait for.
    async fn settle(&self) {}

    /// Tag `image` as `repo:tag` (`docker tag`).
    async fn tag_image(&self, image: &str, repo: &str, tag: &str) -> Result<(), EngineError> {
        let _ = (image, repo, tag);
        Err(self.no_registry())
    }

    /// Push `repo:tag` to the registry its `repo` names, with the user's credentials from
    /// the Docker config (`docker push`).
    async fn push_image(&self, repo: &str, tag: &str) -> Result<(), EngineError> {
        let _ = (repo, tag);
        Err(self.no_registry())
    }

    /// The ids of the engine's build cache records now; `None` where it does not list
    /// them (the fake, Podman, a host basebench cannot dial itself).
    async fn build_cache_ids(&self) -> Option<BTreeSet<String>> {
        None
    }

    /// Prune the build cache records `ids` that nothing uses; the bytes reclaimed.
    async fn prune_build_cache(&self, ids: &[String]) -> Result<u64, EngineError> {
        let _ = ids;
        Ok(0)
    }

    /// The error of an engine that cannot push (the fake).
    fn no_registry(&self) -> EngineError {
        EngineError::Api {
            action: "pushing to a registry".to_string(),
            message: "this engine has no registry support; use the Docker engine".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_names_basebench_gives_are_its_own_containers() {
        let labels = HashMap::from([(RUN_LABEL.to_string(), "20261202-0213-ab".to_string())]);
        assert!(own_container(
            "/basebench-20261202-0213-ab-slim-load",
            &labels
        ));
        assert!(own_container("basebench-20261202-0213-ab-slim-r0", &labels));
        // Inherited the label from the image, named by the user or by Docker.
        assert!(!own_container("/user-app", &labels));
        assert!(!own_container("/basebench-other-run-slim-load", &labels));
        assert!(!own_container("/basebench-20261202-0213-abc-x", &labels));
        assert!(!own_container("/basebench--x", &HashMap::new()));
    }
}
