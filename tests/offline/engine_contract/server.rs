//! A canned-response Docker Engine API server on a unix socket: it answers the real
//! `DockerEngine` (the real bollard client over a real HTTP/1.1 connection) with bodies
//! shaped as another engine version answers, so the shapes of engines that cannot run on
//! this machine are still tested. Bodies can be cut into chunks sent apart, to reproduce
//! how a daemon's writes reach the client.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};

/// One request as the server saw it (the `/v1.NN` prefix taken off the path).
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub(crate) method: String,
    /// The path without the API version prefix, e.g. `/images/x/json`.
    pub(crate) path: String,
    /// The API version the client put in the path (`1.41`), if any.
    pub(crate) version: Option<String>,
    /// The query string (empty when there is none).
    pub(crate) query: String,
}

/// A canned answer.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) content_type: &'static str,
    /// The body, as the chunks it is written in (each flushed on its own, a few
    /// milliseconds apart). One chunk is sent with a `Content-Length`.
    pub(crate) chunks: Vec<Vec<u8>>,
    /// Extra response headers.
    pub(crate) headers: Vec<(&'static str, String)>,
}

impl Reply {
    /// 200 with a JSON body.
    pub(crate) fn json(body: &str) -> Reply {
        Reply {
            status: 200,
            content_type: "application/json",
            chunks: vec![body.as_bytes().to_vec()],
            headers: Vec::new(),
        }
    }

    /// 200, `text/plain` (what `/_ping` answers).
    pub(crate) fn text(body: &str) -> Reply {
        Reply {
            content_type: "text/plain; charset=utf-8",
            ..Reply::json(body)
        }
    }

    /// An error status with the engine's `{"message": ...}` body.
    pub(crate) fn error(status: u16, message: &str) -> Reply {
        Reply {
            status,
            ..Reply::json(&serde_json::json!({ "message": message }).to_string())
        }
    }

    /// A streamed body (chunked transfer encoding), written in these pieces.
    pub(crate) fn streamed(content_type: &'static str, chunks: Vec<Vec<u8>>) -> Reply {
        Reply {
            status: 200,
            content_type,
            chunks,
            headers: Vec::new(),
        }
    }

    /// With one more header.
    pub(crate) fn header(mut self, name: &'static str, value: &str) -> Reply {
        self.headers.push((name, value.to_string()));
        self
    }
}

/// How the server answers: a function of the request.
pub(crate) type Routes = Arc<dyn Fn(&Request) -> Reply + Send + Sync>;

/// A running canned engine; it stops with the test's runtime.
pub(crate) struct CannedEngine {
    _dir: tempfile::TempDir,
    socket: PathBuf,
    seen: Arc<Mutex<Vec<Request>>>,
}

impl CannedEngine {
    /// Listen on a fresh socket and answer every request with `routes`.
    pub(crate) fn start(api_version: &'static str, routes: Routes) -> CannedEngine {
        let dir = tempfile::tempdir().expect("a directory for the canned engine's socket");
        let socket = dir.path().join("docker.sock");
        let listener = UnixListener::bind(&socket).expect("binding the canned engine's socket");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(serve(client, api_version, routes.clone(), log.clone()));
            }
        });
        CannedEngine {
            _dir: dir,
            socket,
            seen,
        }
    }

    /// The `DOCKER_HOST` value that reaches this server.
    pub(crate) fn host(&self) -> String {
        format!("unix://{}", self.socket.display())
    }

    /// `METHOD /path` of every request so far, in order.
    pub(crate) fn requests(&self) -> Vec<String> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect()
    }

    /// Every request so far.
    pub(crate) fn seen(&self) -> Vec<Request> {
        self.seen.lock().unwrap().clone()
    }
}

/// Answer the requests of one connection until the client closes it.
async fn serve(
    client: UnixStream,
    api_version: &'static str,
    routes: Routes,
    seen: Arc<Mutex<Vec<Request>>>,
) {
    let (read, mut write) = client.into_split();
    let mut reader = BufReader::new(read);
    loop {
        let Some((request, headers)) = read_head(&mut reader).await else {
            return;
        };
        if read_body(&mut reader, &headers).await.is_none() {
            return;
        }
        seen.lock().unwrap().push(request.clone());
        let upgrade = headers
            .get("connection")
            .is_some_and(|v| v.contains("upgrade"));
        let reply = if upgrade {
            Reply::error(404, "page not found")
        } else {
            routes(&request)
        };
        if write_reply(&mut write, api_version, &reply).await.is_err() || upgrade {
            return;
        }
    }
}

/// The request line and headers (names lower-cased); `None` at the end of the connection.
async fn read_head(
    reader: &mut BufReader<tokio::net::unix::OwnedReadHalf>,
) -> Option<(Request, HashMap<String, String>)> {
    let mut line = String::new();
    if reader.read_line(&mut line).await.ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut headers = HashMap::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).await.ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        headers.insert(name.trim().to_lowercase(), value.trim().to_lowercase());
    }
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let (version, path) = match path.strip_prefix("/v") {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => {
            let (v, p) = rest.split_once('/').unwrap_or((rest, ""));
            (Some(v.to_string()), format!("/{p}"))
        }
        _ => (None, path.to_string()),
    };
    let request = Request {
        method,
        path,
        version,
        query: query.to_string(),
    };
    Some((request, headers))
}

/// Read (and drop) the request body: by `Content-Length`, or chunked.
async fn read_body(
    reader: &mut BufReader<tokio::net::unix::OwnedReadHalf>,
    headers: &HashMap<String, String>,
) -> Option<()> {
    if let Some(length) = headers.get("content-length") {
        let mut left: u64 = length.parse().ok()?;
        let mut buf = vec![0u8; 64 * 1024];
        while left > 0 {
            let want = left.min(buf.len() as u64) as usize;
            let n = reader.read(&mut buf[..want]).await.ok()?;
            if n == 0 {
                return None;
            }
            left -= n as u64;
        }
        return Some(());
    }
    if headers
        .get("transfer-encoding")
        .is_some_and(|v| v.contains("chunked"))
    {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).await.ok()?;
            let size = usize::from_str_radix(size.trim().split(';').next()?, 16).ok()?;
            let mut chunk = vec![0u8; size + 2];
            reader.read_exact(&mut chunk).await.ok()?;
            if size == 0 {
                return Some(());
            }
        }
    }
    Some(())
}

/// Write `reply`; several chunks go out one by one, flushed and a little apart.
async fn write_reply(
    write: &mut tokio::net::unix::OwnedWriteHalf,
    api_version: &str,
    reply: &Reply,
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nApi-Version: {api_version}\r\nServer: canned-engine\r\n",
        reply.status,
        reason(reply.status),
        reply.content_type
    );
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if let [body] = reply.chunks.as_slice() {
        head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
        write.write_all(head.as_bytes()).await?;
        write.write_all(body).await?;
        return write.flush().await;
    }
    head.push_str("Transfer-Encoding: chunked\r\n\r\n");
    write.write_all(head.as_bytes()).await?;
    write.flush().await?;
    for chunk in reply.chunks.iter().filter(|c| !c.is_empty()) {
        write
            .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .await?;
        write.write_all(chunk).await?;
        write.write_all(b"\r\n").await?;
        write.flush().await?;
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
    write.write_all(b"0\r\n\r\n").await?;
    write.flush().await
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        304 => "Not Modified",
        404 => "Not Found",
        409 => "Conflict",
        _ => "Error",
    }
}
