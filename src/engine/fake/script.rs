//! The scripted side of the fake engine: directives read from a Dockerfile, the HTTP
//! server that plays a container, and the archive an export returns.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Scripted behaviour of one built image.
#[derive(Debug, Clone, Default)]
pub(super) struct Script {
    /// Image size to report (`# fake: size`).
    pub(crate) size: u64,
    /// Milliseconds before the container answers 200 (`# fake: startup-ms`); with more
    /// than one value, the image's k-th start takes the k-th (cycling).
    pub(crate) startup_ms: Vec<u64>,
    /// Exit code at start (`# fake: exit`).
    pub(crate) exit: Option<i64>,
    /// Never answer 200 (`# fake: never-healthy`).
    pub(crate) never_healthy: bool,
    /// Smoke commands exit 1 (`# fake: smoke-fail`).
    pub(crate) smoke_fail: bool,
    /// Lines the container (and a failing build) logs (`# fake: log <line>`, repeatable).
    pub(crate) log: Vec<String>,
    /// Every build reports all its steps run, the identical rebuild too (`# fake: cache-miss`).
    pub(crate) cache_miss: bool,
    /// Every n-th request after the container is ready answers 500 (`# fake: fail-every <n>`).
    pub(crate) fail_every: Option<u64>,
    /// Exporting the image fails (`# fake: export-fail`).
    pub(crate) export_fail: bool,
}

/// The behaviour a Dockerfile asks for, and the build failure message if any.
pub(super) fn directives(dockerfile: &str) -> (Script, Option<String>) {
    let mut script = Script {
        size: 50_000_000,
        ..Script::default()
    };
    let mut build_fail = None;
    for line in dockerfile.lines() {
        let Some(rest) = line.trim().strip_prefix("# fake:") else {
            continue;
        };
        let (key, value) = rest.trim().split_once(' ').unwrap_or((rest.trim(), ""));
        match key {
            "build-fail" => build_fail = Some(value.to_string()),
            "size" => script.size = value.parse().unwrap_or(script.size),
            "startup-ms" => {
                script.startup_ms = value
                    .split_whitespace()
                    .filter_map(|v| v.parse().ok())
                    .collect();
            }
            "exit" => script.exit = value.parse().ok(),
            "never-healthy" => script.never_healthy = true,
            "smoke-fail" => script.smoke_fail = true,
            "log" => script.log.push(value.to_string()),
            "cache-miss" => script.cache_miss = true,
            "fail-every" => script.fail_every = value.parse().ok().filter(|&n| n > 0),
            "export-fail" => script.export_fail = true,
            _ => {}
        }
    }
    (script, build_fail)
}

/// Answer every request: 503 until `ready_at` (or forever), then 200, except every
/// `fail_every`-th request after that, which answers 500. Connections stay open for the
/// next request unless the client asks to close, as an HTTP/1.1 app's do.
pub(super) async fn serve(
    listener: TcpListener,
    ready_at: Instant,
    never_healthy: bool,
    fail_every: Option<u64>,
) {
    let answered = Arc::new(AtomicU64::new(0));
    loop {
        // An accept error (a connection its client already gave up on, a momentary file
        // limit) is that connection's, not the app's: keep serving, as a real app does.
        let Ok((socket, _)) = listener.accept().await else {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            continue;
        };
        let answered = answered.clone();
        tokio::spawn(async move {
            let status = || {
                if never_healthy || Instant::now() < ready_at {
                    return "503 Service Unavailable";
                }
                let n = answered.fetch_add(1, Ordering::Relaxed) + 1;
                match fail_every {
                    Some(every) if n.is_multiple_of(every) => "500 Internal Server Error",
                    _ => "200 OK",
                }
            };
            converse(socket, status).await;
        });
    }
}

/// Answer each request on `socket` with `status()` until the client closes or asks to.
async fn converse(mut socket: TcpStream, status: impl Fn() -> &'static str) {
    let mut seen = Vec::new();
    let mut buf = [0u8; 2048];
    loop {
        while let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&seen[..end]).to_ascii_lowercase();
            seen.drain(..end + 4);
            let close = head.contains("connection: close");
            let connection = if close { "close" } else { "keep-alive" };
            let reply = format!(
                "HTTP/1.1 {}\r\nContent-Length: 2\r\nConnection: {connection}\r\n\r\nok",
                status()
            );
            if socket.write_all(reply.as_bytes()).await.is_err() || close {
                return;
            }
        }
        match socket.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
}

/// A tiny `docker save` archive: one layer with a shell, pip and a passwd file.
pub(super) fn fake_archive() -> Vec<u8> {
    use crate::anatomy::synth::{ImageBuilder, LayerBuilder, Layout, Storage};
    let layer = LayerBuilder::new()
        .file_mode("bin/sh", &[0u8; 100], 0o755)
        .file("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n")
        .file_mode("usr/bin/pip", b"#!/bin/sh\n", 0o755);
    ImageBuilder::new()
        .layer("fake layer", layer, Storage::Plain)
        .build(Layout::Legacy)
}
