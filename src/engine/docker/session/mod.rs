//! basebench's own BuildKit session, as `docker build` opens one: the `/session` upgrade
//! ([`upgrade`]), then a gRPC server on that connection for health, registry auth
//! ([`services`]) and the build context through FileSync ([`filesync`]). A build names
//! the session in its `session` parameter with `remote=client-session`, and the daemon
//! pulls the context through it instead of reading an uploaded tar.
//!
//! bollard 0.21 serves a session of its own for every BuildKit build, with no way to add
//! a FileSync service; bollard's FileSync provider (fussybeaver/bollard PR #802) is
//! merged but in no release yet. When a release carries it, this module can give way to
//! bollard's session with its provider (keeping `context::tree` as the served files).

mod filesync;
mod services;
pub(crate) mod upgrade;
mod wire;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use bollard::health::health_server::HealthServer;
use bollard::moby::filesync::packet::file_sync_server::FileSyncServer;
use bollard::moby::filesync::v1::auth_server::AuthServer;
use futures_util::StreamExt;
use tokio::sync::oneshot;

use super::send::TransferLog;
use crate::context::BuildContext;
use crate::engine::address::EngineAddress;
use upgrade::{Headers, UpgradeError};

/// gRPC methods every session serves.
const BASE_METHODS: &[&str] = &[
    "/grpc.health.v1.Health/Check",
    "/moby.filesync.v1.Auth/Credentials",
];
/// The method that serves the context.
const DIFF_COPY: &str = "/moby.filesync.v1.FileSync/DiffCopy";

/// Identity of a session: its id (the build's `session` parameter), name and shared key
/// (the daemon keeps the previous transfer of a context under it, so only changes cross).
pub(crate) struct SessionSpec {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) shared_key: String,
}

/// An open session; dropping it closes the connection.
pub(crate) struct Session {
    shutdown: Option<oneshot::Sender<()>>,
    closed: Arc<AtomicBool>,
}

impl Session {
    /// Open a session on the engine at `address` serving `context` through FileSync,
    /// counting what it sends in `log`.
    pub(crate) async fn open(
        address: &EngineAddress,
        spec: &SessionSpec,
        context: Arc<BuildContext>,
        log: Arc<TransferLog>,
    ) -> Result<Session, UpgradeError> {
        let mut methods = BASE_METHODS.to_vec();
        methods.push(DIFF_COPY);
        let headers = Headers {
            id: &spec.id,
            name: &spec.name,
            shared_key: &spec.shared_key,
            methods: &methods,
        };
        let io = upgrade::upgrade(address, &headers).await?;
        let router = tonic::transport::Server::builder()
            .add_service(HealthServer::new(services::Healthy))
            .add_service(AuthServer::new(services::Anonymous))
            .add_service(FileSyncServer::new(filesync::ContextSync { context, log }));
        let closed = io.closed_flag();
        // One connection, then no more: the server runs until told to shut down.
        let incoming = futures_util::stream::iter([Ok::<_, std::io::Error>(io)])
            .chain(futures_util::stream::pending());
        let (shutdown, signal) = oneshot::channel::<()>();
        tokio::spawn(router.serve_with_incoming_shutdown(incoming, async {
            let _ = signal.await;
        }));
        Ok(Session {
            shutdown: Some(shutdown),
            closed,
        })
    }

    /// Has the connection ended (the daemon closed it, or it broke)?
    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Relaxed)
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// The shared key of a context directory: stable across runs for the same directory.
pub(crate) fn shared_key(root: &std::path::Path) -> String {
    let text = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let hash = text
        .as_os_str()
        .as_encoded_bytes()
        .iter()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    format!("basebench-{hash:016x}")
}
