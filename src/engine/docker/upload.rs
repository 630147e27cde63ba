//! The build context as an HTTP body: `BuildContext::write_tar` runs on a blocking
//! thread and writes into a bounded channel that feeds the request, so a context is never
//! held in memory whole. Each chunk is counted as the request takes it.

use std::io::{self, Write};
use std::sync::Arc;

use bytes::Bytes;
use futures_util::Stream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::send::TransferLog;
use crate::context::BuildContext;

/// Size of the chunks the context tar is sent in.
const CHUNK: usize = 256 * 1024;
/// Chunks buffered between the tar writer and the HTTP body (bounds memory use).
const CHUNKS_IN_FLIGHT: usize = 8;

/// The context as an HTTP body, produced by `write_tar` on a blocking thread and counted
/// in `log` chunk by chunk; the handle yields the bytes written.
pub(super) fn stream_context(
    context: BuildContext,
    log: Arc<TransferLog>,
) -> (
    impl Stream<Item = io::Result<Bytes>> + Send + 'static,
    JoinHandle<io::Result<u64>>,
) {
    let (tx, mut rx) = mpsc::channel::<io::Result<Bytes>>(CHUNKS_IN_FLIGHT);
    let writer = tokio::task::spawn_blocking(move || {
        let mut out = ChannelWriter {
            tx,
            buf: Vec::with_capacity(CHUNK),
        };
        let result = context
            .write_tar(&mut out)
            .and_then(|n| out.flush().map(|()| n));
        if let Err(e) = &result {
            // Make the HTTP body fail rather than end as a truncated tar.
            let _ = out
                .tx
                .blocking_send(Err(io::Error::new(e.kind(), e.to_string())));
        }
        result
    });
    let chunks = futures_util::stream::poll_fn(move |cx| {
        let polled = rx.poll_recv(cx);
        if let std::task::Poll::Ready(Some(Ok(chunk))) = &polled {
            log.packet(chunk.len());
        }
        polled
    });
    (chunks, writer)
}

/// A `Write` that sends full chunks down a channel (blocking; run it off the runtime).
struct ChannelWriter {
    tx: mpsc::Sender<io::Result<Bytes>>,
    buf: Vec<u8>,
}

impl ChannelWriter {
    fn send_buffered(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx.blocking_send(Ok(chunk)).map_err(|_| {
            io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the daemon stopped reading the build context",
            )
        })
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = data.len().min(CHUNK - self.buf.len());
        self.buf.extend_from_slice(&data[..n]);
        if self.buf.len() == CHUNK {
            self.send_buffered()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send_buffered()
    }
}
