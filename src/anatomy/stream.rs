//! The async entry point: a stream of byte chunks (an engine's image export, or any other
//! source) is fed through a bounded channel to a blocking reader that the analysis reads on
//! a blocking thread, so memory stays bounded (a few chunks in flight). When a scanner is installed the stream is also written to a
//! temporary file, which the scanner reads once the stream has ended.

use std::fmt::Display;
use std::io::{self, Read};

use bytes::{Buf, Bytes};
use futures_util::{Stream, StreamExt};
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;

use super::error::AnatomyError;
use super::model::Anatomy;
use super::scan::{self, Scanner};
use super::{AnalyzeOptions, ScanPolicy};

/// Chunks in flight between the stream and the analysis (dockerd sends ≤ 32 KiB chunks
/// over its socket, so about 4 MiB; enough slack that the exporter never waits on a
/// briefly descheduled analysis thread).
const IN_FLIGHT: usize = 128;

/// A blocking `Read` over chunks sent by an async task.
struct ChannelReader {
    rx: mpsc::Receiver<io::Result<Bytes>>,
    current: Bytes,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                Some(Ok(chunk)) => self.current = chunk,
                Some(Err(e)) => return Err(e),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current[..n]);
        self.current.advance(n);
        Ok(n)
    }
}

/// Analyses a `docker save` stream (e.g. `Engine::export_image`) while its chunks arrive
/// and, by `options`, scans it for vulnerabilities afterwards. Never holds the image in
/// memory. An `Err` item ends the analysis with [`AnatomyError::Export`] carrying its text.
pub async fn analyze_export<S, E>(
    stream: S,
    options: AnalyzeOptions,
) -> Result<Anatomy, AnatomyError>
where
    S: Stream<Item = Result<Bytes, E>>,
    E: Display,
{
    let mut stream = std::pin::pin!(stream);
    let scanner = match options.scan {
        ScanPolicy::WhenInstalled => scan::find_scanner(),
        ScanPolicy::Never => None,
    };
    let mut tee = match scanner {
        Some(_) => Some(Tee::create().await?),
        None => None,
    };
    let (tx, rx) = mpsc::channel(IN_FLIGHT);
    let reader = ChannelReader {
        rx,
        current: Bytes::new(),
    };
    let max_paths = options.max_paths;
    let analysis = tokio::task::spawn_blocking(move || super::analyze_layers(reader, max_paths));
    let mut listening = true;
    while let Some(item) = stream.next().await {
        let chunk = match item {
            Ok(chunk) => chunk,
            Err(e) => {
                let message = e.to_string();
                let _ = tx.send(Err(io::Error::other(message.clone()))).await;
                drop(tx);
                let _ = analysis.await;
                return Err(AnatomyError::Export(message));
            }
        };
        if let Some(tee) = tee.as_mut() {
            tee.write(&chunk).await?;
        }
        if listening && tx.send(Ok(chunk)).await.is_err() {
            listening = false; // the analysis finished (or failed) early
            if tee.is_none() {
                break;
            }
        }
    }
    drop(tx);
    let mut anatomy = analysis
        .await
        .map_err(|e| AnatomyError::Task(e.to_string()))??;
    anatomy.vulnerabilities = match (scanner, tee) {
        (Some(scanner), Some(tee)) => tee.scan(scanner).await?,
        _ if options.scan == ScanPolicy::Never => scan::not_scanned("scanning was turned off"),
        _ => scan::not_scanned(scan::NO_SCANNER),
    };
    Ok(anatomy)
}

/// The temporary copy of the export a scanner reads.
struct Tee {
    file: tempfile::TempPath,
    writer: tokio::io::BufWriter<tokio::fs::File>,
}

impl Tee {
    async fn create() -> Result<Tee, AnatomyError> {
        let named = tempfile::Builder::new()
            .prefix("basebench-export-")
            .suffix(".tar")
            .tempfile()
            .map_err(|source| AnatomyError::Io {
                action: "creating a temporary file for the scanner in".to_string(),
                path: std::env::temp_dir(),
                source,
            })?;
        let (file, path) = named.into_parts();
        let writer = tokio::io::BufWriter::with_capacity(1 << 20, tokio::fs::File::from_std(file));
        Ok(Tee { file: path, writer })
    }

    fn io_error(&self, source: io::Error) -> AnatomyError {
        AnatomyError::Io {
            action: "writing the image export for the scanner to".to_string(),
            path: self.file.to_path_buf(),
            source,
        }
    }

    async fn write(&mut self, chunk: &[u8]) -> Result<(), AnatomyError> {
        match self.writer.write_all(chunk).await {
            Ok(()) => Ok(()),
            Err(e) => Err(self.io_error(e)),
        }
    }

    async fn scan(mut self, scanner: Scanner) -> Result<super::VulnerabilityScan, AnatomyError> {
        if let Err(e) = self.writer.flush().await {
            return Err(self.io_error(e));
        }
        let path = self.file.to_path_buf();
        let result = tokio::task::spawn_blocking(move || scan::run_scanner(&scanner, &path))
            .await
            .map_err(|e| AnatomyError::Task(e.to_string()))?;
        drop(self.file); // deletes the copy
        Ok(result)
    }
}
