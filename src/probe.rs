//! HTTP probing of a container's published port: waiting for the first 200, timing
//! sequential requests and a bounded concurrent load. Talks HTTP/1.1 over plain TCP on
//! loopback. Health polls and timed requests each go on a fresh connection
//! (`Connection: close`): a sample is a whole request as a new client sees it. The load's
//! workers keep their connections open as long as the app does ([`keep_alive`]).

mod keep_alive;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long a load request sent before the phase's end may take past it: a request cut
/// off by the end of the phase is not the app's error; one slower than this is.
pub(crate) const LOAD_GRACE: Duration = Duration::from_secs(2);
/// Longest gap between two health polls.
pub(crate) const POLL_INTERVAL: Duration = Duration::from_millis(5);

/// What one health request saw when it was not a 200: the last of these is named when a
/// container never answers 200 in time.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Seen {
    /// An HTTP answer with this status.
    Status(u16),
    /// Nothing listens on the port (yet).
    Refused,
    /// The connection closed before a whole status line arrived.
    Closed,
    /// Bytes that are not an HTTP/1.x response.
    NotHttp,
    /// No answer within the request's time.
    NoAnswer(Duration),
    /// Another connection error.
    Io(String),
}

impl std::fmt::Display for Seen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("last answer: ")?;
        match self {
            Seen::Status(code) => write!(f, "HTTP {code}"),
            Seen::Refused => f.write_str("connection refused"),
            Seen::Closed => f.write_str("the connection closed without a response"),
            Seen::NotHttp => f.write_str("not an HTTP response"),
            Seen::NoAnswer(after) => write!(f, "none within {:.1} s", after.as_secs_f64()),
            Seen::Io(message) => f.write_str(message),
        }
    }
}

/// Send one `GET path` on a fresh connection and return the status code once the whole
/// response has been read. `None` on any connection or protocol failure.
pub(crate) async fn get_status(addr: SocketAddr, path: &str, timeout: Duration) -> Option<u16> {
    answer(addr, path, timeout).await.ok()
}

/// [`get_status`], saying what was seen instead when there is no status.
async fn answer(addr: SocketAddr, path: &str, timeout: Duration) -> Result<u16, Seen> {
    tokio::time::timeout(timeout, request(addr, path))
        .await
        .unwrap_or(Err(Seen::NoAnswer(timeout)))
}

async fn request(addr: SocketAddr, path: &str) -> Result<u16, Seen> {
    let io = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::ConnectionRefused => Seen::Refused,
        std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe => Seen::Closed,
        _ => Seen::Io(e.to_string()),
    };
    let mut stream = TcpStream::connect(addr).await.map_err(io)?;
    stream.set_nodelay(true).map_err(io)?;
    let head = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nUser-Agent: basebench\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.map_err(io)?;
    let mut response = Vec::with_capacity(1024);
    let mut buf = [0u8; 8192];
    loop {
        let n = match stream.read(&mut buf).await {
            Ok(n) => n,
            // A reset after a whole status line still carries the status.
            Err(e) if response.is_empty() => return Err(io(e)),
            Err(_) => break,
        };
        if n == 0 {
            break;
        }
        if response.len() < 1024 {
            response.extend_from_slice(&buf[..n]);
        }
    }
    if response.is_empty() {
        return Err(Seen::Closed);
    }
    parse_status(&response).ok_or(Seen::NotHttp)
}

/// The status code of an HTTP/1.x status line at the start of `response`.
pub(crate) fn parse_status(response: &[u8]) -> Option<u16> {
    let line_end = response.iter().position(|&b| b == b'\n')?;
    let line = std::str::from_utf8(&response[..line_end]).ok()?;
    let mut parts = line.split_whitespace();
    let version = parts.next()?;
    if !version.starts_with("HTTP/1.") {
        return None;
    }
    let code = parts.next()?;
    if code.len() != 3 {
        return None;
    }
    code.parse().ok()
}

/// Poll `path` on fresh connections, at most [`POLL_INTERVAL`] apart, until it answers
/// 200 or `deadline` passes. Returns the time from `since` to the moment the 200 arrived,
/// or what the last attempt saw.
pub(crate) async fn wait_for_200(
    addr: SocketAddr,
    path: &str,
    since: Instant,
    deadline: Instant,
) -> Result<Duration, Seen> {
    let mut seen = Seen::NoAnswer(Duration::ZERO);
    loop {
        let attempt = Instant::now();
        if attempt >= deadline {
            return Err(seen);
        }
        let budget = (deadline - attempt).min(Duration::from_secs(2));
        match answer(addr, path, budget).await {
            Ok(200) => return Ok(since.elapsed()),
            Ok(status) => seen = Seen::Status(status),
            Err(other) => seen = other,
        }
        let next = attempt + POLL_INTERVAL;
        tokio::time::sleep_until(next.into()).await;
    }
}

/// TCP connects to `addr` that each round trip takes: the median of [`RTT_CONNECTS`]
/// fresh connections (closed at once, nothing sent), in milliseconds; `None` when one
/// fails. A connect completes on the engine host's side of the published port (Docker's
/// proxy or its forwarding), so it measures the way there and back, not the app.
pub(crate) async fn connect_rtt_ms(addr: SocketAddr) -> Option<f64> {
    let mut took = Vec::with_capacity(RTT_CONNECTS);
    for _ in 0..RTT_CONNECTS {
        let since = Instant::now();
        let stream = tokio::time::timeout(Duration::from_secs(2), TcpStream::connect(addr))
            .await
            .ok()?
            .ok()?;
        took.push(since.elapsed().as_secs_f64() * 1000.0);
        drop(stream);
    }
    took.sort_by(f64::total_cmp);
    Some(took[took.len() / 2])
}

/// Connects per round-trip sample (odd, so the median is one of them).
pub(crate) const RTT_CONNECTS: usize = 5;

/// Results of the sequential latency phase.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SequentialLatency {
    /// Milliseconds of each request that answered 200.
    pub(crate) samples_ms: Vec<f64>,
    /// Requests that failed or answered something else.
    pub(crate) errors: u32,
}

/// Time `count` sequential requests.
pub(crate) async fn sequential(
    addr: SocketAddr,
    path: &str,
    count: u32,
    timeout: Duration,
) -> SequentialLatency {
    let mut samples_ms = Vec::with_capacity(count as usize);
    let mut errors = 0;
    for _ in 0..count {
        let start = Instant::now();
        match get_status(addr, path, timeout).await {
            Some(200) => samples_ms.push(start.elapsed().as_secs_f64() * 1000.0),
            _ => errors += 1,
        }
    }
    SequentialLatency { samples_ms, errors }
}

/// Results of the concurrent phase.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LoadResult {
    /// Requests that answered 200.
    pub(crate) ok: u32,
    /// Requests that failed.
    pub(crate) errors: u32,
    /// TCP connections the workers opened: `concurrency` when the app keeps them open,
    /// about one per request when it closes each.
    pub(crate) connections: u32,
    /// Wall time of the phase.
    pub(crate) elapsed: Duration,
}

impl LoadResult {
    /// Successful requests per second.
    pub(crate) fn requests_per_second(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            f64::from(self.ok) / secs
        } else {
            0.0
        }
    }
}

/// Run `concurrency` workers sending requests back to back for `duration`, each on a
/// connection it keeps open while the app does, bounded to `max_requests` in total so a
/// very fast app cannot make the phase unbounded. A request sent before the end has
/// [`LOAD_GRACE`] past it to answer.
pub(crate) async fn load(
    addr: SocketAddr,
    path: &str,
    concurrency: u32,
    duration: Duration,
    max_requests: u32,
) -> LoadResult {
    let ok = Arc::new(AtomicU32::new(0));
    let errors = Arc::new(AtomicU32::new(0));
    let issued = Arc::new(AtomicU32::new(0));
    let connections = Arc::new(AtomicU32::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let deadline = start + duration;
    let mut workers = Vec::new();
    for _ in 0..concurrency.max(1) {
        let (ok, errors, issued, connections, stop) = (
            ok.clone(),
            errors.clone(),
            issued.clone(),
            connections.clone(),
            stop.clone(),
        );
        let mut client = keep_alive::Client::new(addr, path);
        workers.push(tokio::spawn(async move {
            while Instant::now() < deadline && !stop.load(Ordering::Relaxed) {
                if issued.fetch_add(1, Ordering::Relaxed) >= max_requests {
                    stop.store(true, Ordering::Relaxed);
                    break;
                }
                let budget = deadline.saturating_duration_since(Instant::now()) + LOAD_GRACE;
                match tokio::time::timeout(budget, client.get()).await {
                    Ok(Some(200)) => ok.fetch_add(1, Ordering::Relaxed),
                    _ => errors.fetch_add(1, Ordering::Relaxed),
                };
            }
            connections.fetch_add(client.opened, Ordering::Relaxed);
        }));
    }
    for worker in workers {
        let _ = worker.await;
    }
    LoadResult {
        ok: ok.load(Ordering::Relaxed),
        errors: errors.load(Ordering::Relaxed),
        connections: connections.load(Ordering::Relaxed),
        elapsed: start.elapsed(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    async fn serve(status: &'static str, delay: Duration) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let ready_at = Instant::now() + delay;
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut buf = [0u8; 1024];
                    let _ = socket.read(&mut buf).await;
                    let line = if Instant::now() >= ready_at {
                        status
                    } else {
                        "503 Service Unavailable"
                    };
                    let body = format!(
                        "HTTP/1.1 {line}\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                    );
                    let _ = socket.write_all(body.as_bytes()).await;
                });
            }
        });
        addr
    }

    #[test]
    fn status_lines_parse_and_garbage_does_not() {
        assert_eq!(parse_status(b"HTTP/1.1 200 OK\r\n\r\n"), Some(200));
        assert_eq!(parse_status(b"HTTP/1.0 404 Not Found\r\n"), Some(404));
        assert_eq!(parse_status(b"SSH-2.0-OpenSSH\r\n"), None);
        assert_eq!(parse_status(b""), None);
    }

    #[tokio::test]
    async fn waiting_for_200_measures_the_known_delay() {
        let addr = serve("200 OK", Duration::from_millis(300)).await;
        let start = Instant::now();
        let took = wait_for_200(addr, "/health", start, start + Duration::from_secs(5))
            .await
            .expect("healthy");
        assert!(took >= Duration::from_millis(300), "{took:?}");
        assert!(
            took < Duration::from_millis(300) + Duration::from_millis(150),
            "{took:?}"
        );
    }

    #[tokio::test]
    async fn waiting_gives_up_at_the_deadline_naming_the_last_answer() {
        let addr = serve("500 Internal Server Error", Duration::ZERO).await;
        let start = Instant::now();
        let seen = wait_for_200(addr, "/", start, start + Duration::from_millis(200)).await;
        assert_eq!(seen, Err(Seen::Status(500)));
        assert!(start.elapsed() < Duration::from_millis(400));
        assert_eq!(Seen::Status(500).to_string(), "last answer: HTTP 500");
    }

    #[tokio::test]
    async fn a_closed_connection_and_a_refused_one_are_named() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                drop(socket);
            }
        });
        let start = Instant::now();
        let seen = wait_for_200(addr, "/", start, start + Duration::from_millis(200)).await;
        assert_eq!(
            seen.map_err(|s| s.to_string()),
            Err("last answer: the connection closed without a response".to_string())
        );
        // Nothing listens on a port just released.
        let free = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let gone = free.local_addr().expect("addr");
        drop(free);
        let seen = wait_for_200(
            gone,
            "/",
            start,
            Instant::now() + Duration::from_millis(100),
        )
        .await;
        assert_eq!(
            seen.map_err(|s| s.to_string()),
            Err("last answer: connection refused".to_string())
        );
    }

    #[tokio::test]
    async fn sequential_and_load_count_every_request() {
        let addr = serve("200 OK", Duration::ZERO).await;
        let started = Instant::now();
        let seq = sequential(addr, "/", 20, Duration::from_secs(2)).await;
        let wall_ms = started.elapsed().as_secs_f64() * 1000.0;
        assert_eq!((seq.samples_ms.len(), seq.errors), (20, 0));
        assert!(seq.samples_ms.iter().all(|ms| *ms > 0.0), "{seq:?}");
        // The samples are milliseconds of this wall time: together no more than it took.
        let total: f64 = seq.samples_ms.iter().sum();
        assert!(
            total > 0.0 && total <= wall_ms,
            "{total} ms of samples in {wall_ms} ms"
        );
        let result = load(addr, "/", 4, Duration::from_secs(5), 100).await;
        assert_eq!(result.ok + result.errors, 100, "bounded by max_requests");
        assert!(result.requests_per_second() > 0.0);
        // This app closes every connection: one per request.
        assert_eq!(result.connections, 100, "{result:?}");
    }

    #[tokio::test]
    async fn load_workers_keep_their_connections_while_the_app_does() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut buf = [0u8; 1024];
                    // One request per read: the client waits for each answer.
                    while let Ok(1..) = socket.read(&mut buf).await {
                        let reply = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
                        if socket.write_all(reply).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        let result = load(addr, "/", 4, Duration::from_secs(5), 200).await;
        assert_eq!((result.ok, result.errors), (200, 0), "{result:?}");
        assert_eq!(result.connections, 4, "{result:?}");
    }

    /// Serves 200 after `delay` on every request.
    async fn serve_slowly(delay: Duration) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut buf = [0u8; 1024];
                    let _ = socket.read(&mut buf).await;
                    tokio::time::sleep(delay).await;
                    let body =
                        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
                    let _ = socket.write_all(body.as_bytes()).await;
                });
            }
        });
        addr
    }

    #[tokio::test]
    async fn requests_in_flight_at_the_end_of_the_load_are_not_errors() {
        // Each request takes 300 ms; the phase lasts 200 ms: the two requests sent at
        // its start finish after its end and answered 200.
        let addr = serve_slowly(Duration::from_millis(300)).await;
        let result = load(addr, "/", 2, Duration::from_millis(200), 100).await;
        assert_eq!((result.ok, result.errors), (2, 0), "{result:?}");
    }
}
