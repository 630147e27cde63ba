//! A unix-socket proxy in front of the real daemon, for tests that must see or break what
//! crosses: it can keep every byte the client sends (to prove a secret never crosses),
//! refuse basebench's FileSync sessions (a daemon where the session path cannot work), or
//! cut the first FileSync session after some bytes (a session the daemon closes
//! mid-build). Point `DOCKER_HOST` (or `DockerEngine::connect_to`) at [`Proxy::host`].

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{UnixListener, UnixStream};

/// What the proxy does besides forwarding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// Forward everything.
    None,
    /// Answer 404 to a `/session` upgrade that offers FileSync.
    RefuseFileSync,
    /// Close the first FileSync session after this many bytes from the client.
    CutFirstFileSync(usize),
}

/// A running proxy; it stops with the test's runtime.
pub(crate) struct Proxy {
    _dir: tempfile::TempDir,
    socket: PathBuf,
    captured: Arc<Mutex<Vec<u8>>>,
    cut: Arc<AtomicBool>,
}

/// The daemon's socket (`DOCKER_HOST=unix://...` or the default).
fn upstream() -> PathBuf {
    let host = std::env::var("DOCKER_HOST").unwrap_or_default();
    PathBuf::from(
        host.strip_prefix("unix://")
            .unwrap_or("/var/run/docker.sock"),
    )
}

impl Proxy {
    /// Listen on a fresh socket; `capture` keeps what clients send.
    pub(crate) fn start(fault: Fault, capture: bool) -> Proxy {
        let dir = tempfile::tempdir().expect("a directory for the proxy socket");
        let socket = dir.path().join("docker.sock");
        let listener = UnixListener::bind(&socket).expect("binding the proxy socket");
        let captured = Arc::new(Mutex::new(Vec::new()));
        let cut = Arc::new(AtomicBool::new(false));
        let (keep, was_cut) = (captured.clone(), cut.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let keep = capture.then(|| keep.clone());
                tokio::spawn(forward(client, fault, keep, was_cut.clone()));
            }
        });
        Proxy {
            _dir: dir,
            socket,
            captured,
            cut,
        }
    }

    /// The `DOCKER_HOST` value that reaches the daemon through the proxy.
    pub(crate) fn host(&self) -> String {
        format!("unix://{}", self.socket.display())
    }

    /// Every byte clients sent so far (when capturing).
    pub(crate) fn captured(&self) -> Vec<u8> {
        self.captured.lock().unwrap().clone()
    }

    /// Has the proxy cut a session?
    pub(crate) fn has_cut(&self) -> bool {
        self.cut.load(Ordering::SeqCst)
    }
}

/// Does `haystack` hold `needle`?
pub(crate) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

async fn forward(
    mut client: UnixStream,
    fault: Fault,
    keep: Option<Arc<Mutex<Vec<u8>>>>,
    cut: Arc<AtomicBool>,
) {
    // The request head decides what to do with the connection.
    let mut head = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    while !contains(&head, b"\r\n\r\n") && head.len() < 64 * 1024 {
        match client.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let filesync = head.starts_with(b"POST /session")
        && contains(&head, b"/moby.filesync.v1.FileSync/DiffCopy");
    if filesync && fault == Fault::RefuseFileSync {
        let body = "page not found (refused by the test proxy)";
        let answer = format!(
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = client.write_all(answer.as_bytes()).await;
        return;
    }
    let limit = match fault {
        Fault::CutFirstFileSync(n) if filesync && !cut.swap(true, Ordering::SeqCst) => Some(n),
        _ => None,
    };
    let Ok(mut daemon) = UnixStream::connect(upstream()).await else {
        return;
    };
    if let Some(keep) = &keep {
        keep.lock().unwrap().extend_from_slice(&head);
    }
    if daemon.write_all(&head).await.is_err() {
        return;
    }
    let (mut client_read, mut client_write) = client.into_split();
    let (mut daemon_read, mut daemon_write) = daemon.into_split();
    let upward = async move {
        let mut sent = head.len();
        loop {
            let n = match client_read.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if let Some(keep) = &keep {
                keep.lock().unwrap().extend_from_slice(&buf[..n]);
            }
            sent += n;
            if limit.is_some_and(|l| sent > l) {
                break;
            }
            if daemon_write.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
        let _ = daemon_write.shutdown().await;
    };
    let downward = async move {
        let _ = tokio::io::copy(&mut daemon_read, &mut client_write).await;
        let _ = client_write.shutdown().await;
    };
    if limit.is_some() {
        // Cut: when the client side stops, drop both directions at once.
        tokio::select! {
            () = upward => {}
            () = downward => {}
        }
    } else {
        tokio::join!(upward, downward);
    }
}
