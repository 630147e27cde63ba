//! The real engine: the Docker Engine API through bollard.
//!
//! [`DockerEngine::connect`] finds the engine as the docker CLI does (`--host`, `DOCKER_HOST`
//! with `DOCKER_TLS_VERIFY`, `DOCKER_CONTEXT`, the current context; see
//! [`crate::engine::address`]), negotiates the API
//! version with the daemon (bollard speaks 1.53 by default; Debian's dockerd 20.10 speaks
//! 1.41) and checks the daemon answers. Calls use two clients sharing one connection pool:
//! one with a short request timeout, and one with a long timeout for builds, imports,
//! pulls and exports, whose response headers arrive only after the whole upload.

mod build;
mod build_cache;
mod container;
mod errors;
mod exec;
mod image;
mod in_flight;
mod intermediates;
mod line_end;
mod manifests;
mod progress;
mod published;
mod push;
mod raw_get;
mod send;
mod session;
pub(crate) mod ssh;
mod transfer;
mod upload;

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use bollard::Docker;

use crate::engine::address::{self, AddressSource, EngineAddress, EngineRequest};
use crate::engine::{
    BuildError, BuildEvents, BuildOutcome, BuildRequest, BuilderKind, ByteStream, ContainerSpec,
    ContainerStatus, ContextTransfer, Engine, EngineError, ExecOutput, ImageInfo, ImportRequest,
    Labelled, TransferChoice,
};
use crate::results::HostInfo;
use errors::Failure;

/// Request timeout while connecting (the `/version` call that negotiates).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// Request timeout for ordinary calls (inspect, create, start, logs, ...).
const SHORT_TIMEOUT: Duration = Duration::from_secs(120);
/// Request timeout for builds, imports, pulls and exports.
const LONG_TIMEOUT: Duration = Duration::from_secs(6 * 3600);

/// A connected Docker (or Docker-API-compatible) daemon.
#[derive(Debug, Clone)]
pub struct DockerEngine {
    docker: Docker,
    long: Docker,
    host: String,
    /// The address connected to, with its TLS files and the setting that named it.
    address: EngineAddress,
    /// The address every connection dials: `address`, or for an `ssh://` host the local
    /// socket of its tunnel.
    dial: EngineAddress,
    /// An `ssh://` host's tunnel, shared by every clone, closed with the last one.
    tunnel: Option<Arc<ssh::Tunnel>>,
    api_version: String,
    /// Can the daemon take the context through a BuildKit session (why not)?
    session_support: Result<(), String>,
    /// Set when the daemon refused a session during this run: later builds send a tar.
    session_refused: Arc<OnceLock<String>>,
    /// Creates under way, finished even when their caller is dropped.
    in_flight: in_flight::InFlight,
    /// Where containers publish their ports and the probe connects: the engine host.
    published_ip: std::net::IpAddr,
}

impl DockerEngine {
    /// Connect to the daemon the Docker settings of this process name (`DOCKER_HOST`, a
    /// context, or the default socket), negotiate the API version and check that it answers.
    pub async fn connect() -> Result<DockerEngine, EngineError> {
        DockerEngine::connect_requested(&EngineRequest::default()).await
    }

    /// Connect to the engine `request` asks for (`--host`, `--engine`), else as
    /// [`DockerEngine::connect`] does.
    pub async fn connect_requested(request: &EngineRequest) -> Result<DockerEngine, EngineError> {
        let address = address::resolve_from_process(request)?;
        DockerEngine::connect_address(address).await
    }

    /// Connect to `host` (a `DOCKER_HOST` value such as `unix:///var/run/docker.sock` or
    /// `tcp://host:2375`) and negotiate the API version; the `/version` call doubles as the
    /// check that the daemon answers. Also learns whether the daemon takes BuildKit
    /// sessions (see [`transfer::discover`]).
    pub async fn connect_to(host: String) -> Result<DockerEngine, EngineError> {
        DockerEngine::connect_address(EngineAddress::plain(host, AddressSource::Flag)).await
    }

    /// Connect to a resolved address (through a tunnel of its own for `ssh://`).
    async fn connect_address(address: EngineAddress) -> Result<DockerEngine, EngineError> {
        let shown = format!("{} ({})", address.host, address.source);
        let unavailable = |message: String| EngineError::Unavailable {
            host: shown.clone(),
            message,
        };
        let tunnel = match address.host.starts_with("ssh://") {
            true => {
                let target = ssh::SshTarget::parse(&address.host).map_err(unavailable)?;
                Some(Arc::new(ssh::Tunnel::open(&target).map_err(unavailable)?))
            }
            false => None,
        };
        let dial = match &tunnel {
            Some(tunnel) => EngineAddress::plain(tunnel.local_host(), address.source.clone()),
            None => address.clone(),
        };
        let mut engine = match DockerEngine::connect_quietly(&address, &dial).await {
            Ok(engine) => engine,
            Err(e) => {
                let Some(tunnel) = &tunnel else {
                    return Err(e);
                };
                let cause = match tunnel.failure(Duration::from_secs(3)).await {
                    Some(said) => said,
                    None => e.to_string(),
                };
                return Err(unavailable(cause));
            }
        };
        engine.tunnel = tunnel;
        let api = engine.api();
        engine.session_support = transfer::discover(&engine.docker, &engine.dial.host, api).await;
        Ok(engine)
    }

    /// Connect and negotiate only (also a build's own client: the caller already knows
    /// what the daemon can do). Connections go to `dial` (for an `ssh://` engine, its
    /// tunnel's socket); errors, the published address and the results name `address`.
    async fn connect_quietly(
        address: &EngineAddress,
        dial: &EngineAddress,
    ) -> Result<DockerEngine, EngineError> {
        let host = address.host.clone();
        let unavailable = |message: String| EngineError::Unavailable {
            host: format!("{host} ({})", address.source),
            message,
        };
        let client = match &dial.tls {
            Some(tls) => Docker::connect_with_ssl(
                &dial.host,
                &tls.key,
                &tls.cert,
                &tls.ca,
                CONNECT_TIMEOUT.as_secs(),
                bollard::API_DEFAULT_VERSION,
            ),
            None => Docker::connect_with_host(&dial.host),
        };
        let docker = client
            .map_err(|e| unavailable(e.to_string()))?
            .with_timeout(CONNECT_TIMEOUT)
            .negotiate_version()
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        let version = docker.client_version();
        let published_ip = published::published_ip(&host).await.ok_or_else(|| {
            unavailable(
                "its host name does not resolve to an address the containers' ports can \
                 be published on and probed at"
                    .to_string(),
            )
        })?;
        Ok(DockerEngine {
            long: docker.clone().with_timeout(LONG_TIMEOUT),
            docker: docker.with_timeout(SHORT_TIMEOUT),
            api_version: format!("{}.{}", version.major_version, version.minor_version),
            host,
            address: address.clone(),
            dial: dial.clone(),
            tunnel: None,
            session_support: Err("not checked".to_string()),
            session_refused: Arc::default(),
            in_flight: Default::default(),
            published_ip,
        })
    }

    /// The address connected to and the setting that named it.
    pub fn address(&self) -> &EngineAddress {
        &self.address
    }

    /// The API version negotiated with the daemon, e.g. `1.41`.
    pub fn api_version(&self) -> &str {
        &self.api_version
    }

    /// The negotiated API version as numbers, e.g. `(1, 41)`.
    pub(crate) fn api(&self) -> (u32, u32) {
        let version = self.docker.client_version();
        (version.major_version as u32, version.minor_version as u32)
    }

    /// The bollard client, for callers that need a call the trait does not offer.
    pub fn client(&self) -> &Docker {
        &self.docker
    }

    /// Error mapping for an ordinary call.
    fn fail(&self, action: impl Into<String>, what: impl Into<String>) -> Failure {
        Failure {
            host: self.host.clone(),
            after: SHORT_TIMEOUT,
            action: action.into(),
            what: what.into(),
        }
    }

    /// Error mapping for a call made on the long-timeout client.
    fn fail_long(&self, action: impl Into<String>, what: impl Into<String>) -> Failure {
        Failure {
            after: LONG_TIMEOUT,
            ..self.fail(action, what)
        }
    }
}

#[async_trait]
impl Engine for DockerEngine {
    async fn info(&self) -> Result<HostInfo, EngineError> {
        image::host_info(self).await
    }

    async fn ping(&self) -> Result<(), EngineError> {
        self.docker
            .ping()
            .await
            .map(|_| ())
            .map_err(|e| self.fail("pinging the daemon", "the daemon").map(e))
    }

    async fn image_info(&self, reference: &str) -> Result<Option<ImageInfo>, EngineError> {
        image::image_info(self, reference).await
    }

    async fn pull_image(&self, reference: &str) -> Result<crate::engine::Pulled, EngineError> {
        image::pull(self, reference).await
    }

    async fn import_image(&self, request: &ImportRequest) -> Result<String, EngineError> {
        image::import(self, request).await
    }

    fn context_transfer(&self, builder: BuilderKind, requested: ContextTransfer) -> TransferChoice {
        let refused = self.session_refused.get().map(String::as_str);
        transfer::choose(builder, requested, &self.session_support, refused)
    }

    async fn build(
        &self,
        request: &BuildRequest,
        events: BuildEvents<'_>,
    ) -> Result<BuildOutcome, BuildError> {
        build::build(self, request, events).await
    }

    async fn create_container(&self, spec: &ContainerSpec) -> Result<String, EngineError> {
        container::create(self, spec).await
    }

    async fn start_container(&self, id: &str) -> Result<(), EngineError> {
        container::start(self, id).await
    }

    async fn host_port(&self, id: &str, container_port: u16) -> Result<u16, EngineError> {
        container::host_port(self, id, container_port).await
    }

    async fn container_status(&self, id: &str) -> Result<ContainerStatus, EngineError> {
        container::status(self, id).await
    }

    async fn logs_tail(&self, id: &str, lines: usize) -> Result<Vec<String>, EngineError> {
        container::logs_tail(self, id, lines).await
    }

    async fn memory_usage(&self, id: &str) -> Result<u64, EngineError> {
        container::memory_usage(self, id).await
    }

    async fn exec(
        &self,
        id: &str,
        command: &[String],
        timeout: Duration,
    ) -> Result<ExecOutput, EngineError> {
        exec::exec(self, id, command, timeout).await
    }

    async fn remove_container(&self, id: &str) -> Result<(), EngineError> {
        container::remove(self, id).await
    }

    async fn remove_image(&self, reference: &str) -> Result<(), EngineError> {
        image::remove(self, reference).await
    }

    async fn export_image(&self, reference: &str) -> Result<ByteStream, EngineError> {
        image::export(self, reference).await
    }

    async fn tag_image(&self, image: &str, repo: &str, tag: &str) -> Result<(), EngineError> {
        push::tag(self, image, repo, tag).await
    }

    async fn push_image(&self, repo: &str, tag: &str) -> Result<(), EngineError> {
        push::push(self, repo, tag).await
    }

    async fn build_cache_ids(&self) -> Option<BTreeSet<String>> {
        build_cache::record_ids(self).await
    }

    async fn prune_build_cache(&self, ids: &[String]) -> Result<u64, EngineError> {
        build_cache::prune(self, ids).await
    }

    async fn list_labelled(&self, label: &str) -> Result<Labelled, EngineError> {
        image::list_labelled(self, label).await
    }

    fn published_ip(&self) -> std::net::IpAddr {
        self.published_ip
    }

    async fn settle(&self) {
        // A create the daemon has not answered within its own timeout is not waited for.
        self.in_flight.settled(SHORT_TIMEOUT).await;
    }
}
