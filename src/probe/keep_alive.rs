//! One load worker's HTTP/1.1 connection, kept open from one request to the next as load
//! tools do (wrk, hey, oha): the load phase measures what the app answers, not how fast
//! the host can open and tear down TCP connections. An app that closes (HTTP/1.0, or
//! `Connection: close`) gets a fresh connection for the next request.
//!
//! Fresh connections per request were tried first: against a fast app each load phase
//! opened ~20,000 connections in 2 s, every one kept 120 s in the host's connection
//! tracking table, and once that table (262,144 entries on the test machine) was full the
//! kernel dropped new SYNs and requests hung for seconds: the harness disturbed the
//! host it measures on.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Longest response head read; a longer one is not an answer.
const MAX_HEAD: usize = 64 * 1024;

/// A load worker's client: the request it sends and its open connection, if any.
pub(super) struct Client {
    addr: SocketAddr,
    request: Vec<u8>,
    conn: Option<Conn>,
    /// Connections opened so far.
    pub(super) opened: u32,
}

/// An open connection and the bytes read past the last response.
struct Conn {
    stream: TcpStream,
    buffered: Vec<u8>,
}

/// Why a response could not be read.
#[derive(Debug, PartialEq)]
enum ReadError {
    /// The connection closed before the first byte: a kept-alive connection the server
    /// closed while idle, which a client retries on a fresh one (RFC 9112 §9.3.1).
    ClosedBeforeAnswer,
    /// Anything else: a broken or malformed answer.
    Broken,
}

/// What one response said that matters for the next request.
struct Answer {
    status: u16,
    keep_open: bool,
}

impl Client {
    /// A client for `GET path` on `addr`; connects on the first request.
    pub(super) fn new(addr: SocketAddr, path: &str) -> Self {
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: basebench\r\n\r\n");
        Client {
            addr,
            request: request.into_bytes(),
            conn: None,
            opened: 0,
        }
    }

    /// Send the request and read the whole response; its status, or `None` on any
    /// connection or protocol failure. Dropped part-way (a timeout), the connection goes
    /// with it: the next request starts on a fresh one.
    pub(super) async fn get(&mut self) -> Option<u16> {
        for _ in 0..2 {
            let reused = self.conn.is_some();
            let mut conn = match self.conn.take() {
                Some(conn) => conn,
                None => self.connect().await?,
            };
            let sent = conn.stream.write_all(&self.request).await;
            let read = match sent {
                Ok(()) => read_response(&mut conn).await,
                Err(_) => Err(ReadError::ClosedBeforeAnswer),
            };
            match read {
                Ok(answer) => {
                    if answer.keep_open {
                        self.conn = Some(conn);
                    }
                    return Some(answer.status);
                }
                Err(ReadError::ClosedBeforeAnswer) if reused => continue,
                Err(_) => return None,
            }
        }
        None
    }

    async fn connect(&mut self) -> Option<Conn> {
        let stream = TcpStream::connect(self.addr).await.ok()?;
        stream.set_nodelay(true).ok()?;
        self.opened += 1;
        Some(Conn {
            stream,
            buffered: Vec::with_capacity(1024),
        })
    }
}

impl Conn {
    /// Read more bytes onto the buffer; `false` at the end of the stream.
    async fn fill(&mut self) -> Result<bool, ReadError> {
        let mut chunk = [0u8; 8192];
        let n = self
            .stream
            .read(&mut chunk)
            .await
            .map_err(|_| ReadError::Broken)?;
        self.buffered.extend_from_slice(&chunk[..n]);
        Ok(n > 0)
    }

    /// The next line (without its CRLF), reading as needed.
    async fn line(&mut self) -> Result<Vec<u8>, ReadError> {
        loop {
            if let Some(end) = find(&self.buffered, b"\r\n") {
                let line = self.buffered[..end].to_vec();
                self.buffered.drain(..end + 2);
                return Ok(line);
            }
            if self.buffered.len() > MAX_HEAD || !self.fill().await? {
                return Err(ReadError::Broken);
            }
        }
    }

    /// Read and drop `n` bytes.
    async fn skip(&mut self, mut n: u64) -> Result<(), ReadError> {
        loop {
            let here = (self.buffered.len() as u64).min(n);
            self.buffered.drain(..here as usize);
            n -= here;
            if n == 0 {
                return Ok(());
            }
            if !self.fill().await? {
                return Err(ReadError::Broken);
            }
        }
    }

    /// Read and drop everything until the server closes.
    async fn skip_to_end(&mut self) -> Result<(), ReadError> {
        self.buffered.clear();
        while self.fill().await? {
            self.buffered.clear();
        }
        Ok(())
    }
}

/// The response's head and body, read off `conn`; interim (1xx) responses are skipped.
async fn read_response(conn: &mut Conn) -> Result<Answer, ReadError> {
    loop {
        // Nothing at all (an end or a reset) on a kept-alive connection is the server
        // having closed it while idle.
        if conn.buffered.is_empty() && !conn.fill().await.unwrap_or(false) {
            return Err(ReadError::ClosedBeforeAnswer);
        }
        let head = read_head(conn).await?;
        if (100..200).contains(&head.status) {
            continue;
        }
        if head.status != 204 && head.status != 304 {
            match head.framing {
                Framing::Chunked => skip_chunked(conn).await?,
                Framing::Length(n) => conn.skip(n).await?,
                Framing::UntilClose => {
                    conn.skip_to_end().await?;
                    return Ok(Answer {
                        status: head.status,
                        keep_open: false,
                    });
                }
            }
        }
        return Ok(Answer {
            status: head.status,
            keep_open: head.keep_open,
        });
    }
}

/// How the body's end is known (RFC 9112 §6.3).
#[derive(Debug, PartialEq)]
enum Framing {
    Chunked,
    Length(u64),
    UntilClose,
}

/// A response head: status, framing, and whether the connection stays open after it.
#[derive(Debug, PartialEq)]
struct Head {
    status: u16,
    framing: Framing,
    keep_open: bool,
}

async fn read_head(conn: &mut Conn) -> Result<Head, ReadError> {
    let status_line = conn.line().await?;
    let mut with_crlf = status_line.clone();
    with_crlf.push(b'\n');
    let status = super::parse_status(&with_crlf).ok_or(ReadError::Broken)?;
    let http10 = status_line.starts_with(b"HTTP/1.0");
    let mut head = Head {
        status,
        framing: Framing::UntilClose,
        keep_open: !http10,
    };
    let mut read = status_line.len();
    loop {
        let line = conn.line().await?;
        read += line.len() + 2;
        if read > MAX_HEAD {
            return Err(ReadError::Broken);
        }
        if line.is_empty() {
            return Ok(head);
        }
        header(&mut head, &line, http10)?;
    }
}

/// Apply one header line to `head`.
fn header(head: &mut Head, line: &[u8], http10: bool) -> Result<(), ReadError> {
    let text = std::str::from_utf8(line).map_err(|_| ReadError::Broken)?;
    let Some((name, value)) = text.split_once(':') else {
        return Err(ReadError::Broken);
    };
    let value = value.trim();
    let has_token = |token: &str| {
        value
            .split(',')
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    };
    if name.eq_ignore_ascii_case("transfer-encoding") {
        head.framing = if has_token("chunked") {
            Framing::Chunked
        } else {
            Framing::UntilClose
        };
    } else if name.eq_ignore_ascii_case("content-length") {
        if head.framing != Framing::Chunked {
            let n = value.parse().map_err(|_| ReadError::Broken)?;
            head.framing = Framing::Length(n);
        }
    } else if name.eq_ignore_ascii_case("connection") {
        if has_token("close") {
            head.keep_open = false;
        } else if http10 && has_token("keep-alive") {
            head.keep_open = true;
        }
    }
    Ok(())
}

/// Read and drop a chunked body and its trailers.
async fn skip_chunked(conn: &mut Conn) -> Result<(), ReadError> {
    loop {
        let line = conn.line().await?;
        let size = std::str::from_utf8(&line)
            .ok()
            .and_then(|l| l.split(';').next())
            .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
            .ok_or(ReadError::Broken)?;
        if size == 0 {
            while !conn.line().await?.is_empty() {}
            return Ok(());
        }
        conn.skip(size + 2).await?;
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests;
