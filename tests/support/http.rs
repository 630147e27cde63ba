//! Minimal HTTP probing of a published test app (std only, fresh connection per call).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// GET `path` on 127.0.0.1:`port` with a fresh connection; the response's status code,
/// or `None` when the connection or the response failed.
pub(crate) fn http_status(port: u16, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    response.split(' ').nth(1)?.parse().ok()
}

/// Poll `/health` every 5 ms until it answers 200; panics after 20 s.
pub(crate) async fn wait_healthy(port: u16) {
    let start = Instant::now();
    while http_status(port, "/health") != Some(200) {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the app on 127.0.0.1:{port} never answered 200 on /health"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
