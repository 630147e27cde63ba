//! The `/session` upgrade: a fresh HTTP/1.1 connection to the daemon (`unix://` or
//! `tcp://`, the latter plain or over TLS with the client certificates the engine was
//! reached with: the hosts this module can dial), `POST /session` with the session's
//! headers as docker/cli sends them, and the upgraded connection on which the daemon
//! speaks gRPC to the services basebench serves.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::StatusCode;
use hyper::upgrade::Upgraded;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpStream, UnixStream};

use crate::engine::address::EngineAddress;

mod tls;

/// Why the session connection could not be made.
#[derive(Debug)]
pub(crate) enum UpgradeError {
    /// The daemon answered without upgrading: it has no BuildKit sessions (e.g. 404).
    Refused(String),
    /// The host cannot be dialled by this module (named pipes; an `ssh://` host is dialled
    /// through its tunnel's local socket).
    Unsupported(String),
    /// Connecting or talking to the daemon failed.
    Io(String),
}

/// Is `host` (a `DOCKER_HOST` value) one this module can open a session on? The reason
/// when not.
pub(crate) fn dialable(host: &str) -> Result<(), String> {
    if ["unix://", "tcp://", "http://", "https://"]
        .iter()
        .any(|scheme| host.starts_with(scheme))
    {
        Ok(())
    } else {
        Err(format!(
            "basebench opens BuildKit sessions on unix:// and tcp:// hosts only, not '{host}'"
        ))
    }
}

/// Headers of the upgrade request: the session's id, name, shared key and the gRPC
/// methods it serves.
pub(crate) struct Headers<'a> {
    pub(crate) id: &'a str,
    pub(crate) name: &'a str,
    pub(crate) shared_key: &'a str,
    pub(crate) methods: &'a [&'a str],
}

/// A fresh connection to `address` (`unix://` or `tcp://`; over TLS when it has TLS
/// files, verified against their CA as the engine's own client does).
pub(crate) async fn dial(address: &EngineAddress) -> Result<Box<dyn Stream>, UpgradeError> {
    let io = |e: &dyn std::fmt::Display| UpgradeError::Io(e.to_string());
    let host = address.host.as_str();
    let stream: Box<dyn Stream> = if let Some(path) = host.strip_prefix("unix://") {
        Box::new(UnixStream::connect(path).await.map_err(|e| io(&e))?)
    } else if let Some(addr) = host
        .strip_prefix("tcp://")
        .or_else(|| host.strip_prefix("http://"))
        .or_else(|| host.strip_prefix("https://"))
    {
        let addr = addr.trim_end_matches('/');
        let stream = TcpStream::connect(addr).await.map_err(|e| io(&e))?;
        stream.set_nodelay(true).map_err(|e| io(&e))?;
        match &address.tls {
            Some(files) => Box::new(tls::connect(stream, addr, files).await?),
            None => Box::new(stream),
        }
    } else {
        return Err(UpgradeError::Unsupported(
            dialable(host).err().unwrap_or_default(),
        ));
    };
    Ok(stream)
}

/// Open a connection to `address`, upgrade it to a session and return the raw stream.
pub(crate) async fn upgrade(
    address: &EngineAddress,
    headers: &Headers<'_>,
) -> Result<SessionIo, UpgradeError> {
    let io = |e: &dyn std::fmt::Display| UpgradeError::Io(e.to_string());
    let stream = dial(address).await?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| io(&e))?;
    tokio::spawn(connection.with_upgrades());
    let mut request = hyper::Request::post("/session")
        .header(hyper::header::HOST, "docker")
        .header(hyper::header::CONNECTION, "Upgrade")
        .header(hyper::header::UPGRADE, "h2c")
        .header("X-Docker-Expose-Session-Uuid", headers.id)
        .header("X-Docker-Expose-Session-Name", headers.name)
        .header("X-Docker-Expose-Session-Sharedkey", headers.shared_key);
    for method in headers.methods {
        request = request.header("X-Docker-Expose-Session-Grpc-Method", *method);
    }
    let request = request.body(Empty::<Bytes>::new()).map_err(|e| io(&e))?;
    let response = sender.send_request(request).await.map_err(|e| io(&e))?;
    if response.status() != StatusCode::SWITCHING_PROTOCOLS {
        let status = response.status();
        let body = response.into_body().collect().await;
        let text = body
            .map(|b| String::from_utf8_lossy(&b.to_bytes()).trim().to_string())
            .unwrap_or_default();
        return Err(UpgradeError::Refused(format!(
            "POST /session answered {status}{}",
            if text.is_empty() {
                String::new()
            } else {
                format!(": {text}")
            }
        )));
    }
    let upgraded = hyper::upgrade::on(response).await.map_err(|e| io(&e))?;
    Ok(SessionIo {
        inner: TokioIo::new(upgraded),
        closed: Arc::default(),
    })
}

/// A unix or TCP stream.
pub(crate) trait Stream: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Stream for T {}

/// The upgraded connection, as tonic's server takes it; it notes when the connection
/// ends (end of stream or an error either way).
pub(crate) struct SessionIo {
    inner: TokioIo<Upgraded>,
    closed: Arc<AtomicBool>,
}

impl SessionIo {
    /// Becomes `true` once the connection has ended.
    pub(crate) fn closed_flag(&self) -> Arc<AtomicBool> {
        self.closed.clone()
    }

    fn note<T>(&self, polled: &Poll<std::io::Result<T>>, eof: bool) {
        if eof || matches!(polled, Poll::Ready(Err(_))) {
            self.closed.store(true, Ordering::Relaxed);
        }
    }
}

impl tonic::transport::server::Connected for SessionIo {
    type ConnectInfo = ();

    fn connect_info(&self) {}
}

impl AsyncRead for SessionIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        let eof = matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() == before;
        self.note(&polled, eof && buf.remaining() > 0);
        polled
    }
}

impl AsyncWrite for SessionIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.note(&polled, false);
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let polled = Pin::new(&mut self.inner).poll_flush(cx);
        self.note(&polled, false);
        polled
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
