//! The scripted side of the fake engine: directives read from a Dockerfile, the HTTP
//! server that plays a container, and the archive an export returns.

use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Scripted behaviour of one built image.
#[derive(Debug, Clone, Default)]
pub(super) struct Script {
    /// Image size to report (`# fake: size`).
    pub(crate) size: u64,
    /// Milliseconds before the container answers 200 (`# fake: startup-ms`).
    pub(crate) startup_ms: u64,
    /// Exit code at start (`# fake: exit`).
    pub(crate) exit: Option<i64>,
    /// Never answer 200 (`# fake: never-healthy`).
    pub(crate) never_healthy: bool,
    /// Smoke commands exit 1 (`# fake: smoke-fail`).
    pub(crate) smoke_fail: bool,
    /// Lines the container (and a failing build) logs (`# fake: log <line>`, repeatable).
    pub(crate) log: Vec<String>,
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
            "startup-ms" => script.startup_ms = value.parse().unwrap_or(0),
            "exit" => script.exit = value.parse().ok(),
            "never-healthy" => script.never_healthy = true,
            "smoke-fail" => script.smoke_fail = true,
            "log" => script.log.push(value.to_string()),
            _ => {}
        }
    }
    (script, build_fail)
}

/// Answer every request: 503 until `ready_at` (or forever), then 200.
pub(super) async fn serve(listener: TcpListener, ready_at: Instant, never_healthy: bool) {
    while let Ok((mut socket, _)) = listener.accept().await {
        tokio::spawn(async move {
            let mut buf = [0u8; 2048];
            let _ = socket.read(&mut buf).await;
            let ok = !never_healthy && Instant::now() >= ready_at;
            let status = if ok {
                "200 OK"
            } else {
                "503 Service Unavailable"
            };
            let reply =
                format!("HTTP/1.1 {status}\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
            let _ = socket.write_all(reply.as_bytes()).await;
        });
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
