//! The build context: which files are sent to the daemon (honouring `.dockerignore` with
//! Docker's own matching rules) and the tar stream that carries them.

pub mod dockerignore;

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Errors preparing a build context.
#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    /// The context directory is missing or unreadable.
    #[error("build context '{}' cannot be read: {message}. Check the `context` setting.", path.display())]
    Unreadable {
        /// The path.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// `.dockerignore` has a pattern Docker would reject.
    #[error("{}:{line}: bad pattern '{pattern}': {message}", path.display())]
    BadPattern {
        /// The `.dockerignore` file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// The pattern.
        pattern: String,
        /// Why it is bad.
        message: String,
    },
}

/// A context ready to be sent: the files that pass `.dockerignore`, and the Dockerfile to
/// use (sent as a generated entry so a rewritten Dockerfile never touches the disk).
#[derive(Debug, Clone)]
pub struct BuildContext {
    /// Root directory of the context on disk.
    pub root: PathBuf,
    /// Paths to send, relative to `root`, sorted; already filtered by `.dockerignore`.
    pub entries: Vec<PathBuf>,
    /// Name of the generated Dockerfile entry inside the tar.
    pub dockerfile_name: String,
    /// Dockerfile text to send.
    pub dockerfile: String,
    /// A file (relative to `root`) sent with one byte appended: the simulated code change.
    pub touched: Option<PathBuf>,
}

impl BuildContext {
    /// Scan `root`, applying its `.dockerignore`, for a build with `dockerfile` text.
    pub fn scan(root: &Path, dockerfile: String) -> Result<BuildContext, ContextError> {
        // Basic version without `.dockerignore`; replaced by the full scanner.
        let unreadable = |e: io::Error| ContextError::Unreadable {
            path: root.to_path_buf(),
            message: e.to_string(),
        };
        let mut entries = Vec::new();
        let mut pending = vec![PathBuf::new()];
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(root.join(&dir)).map_err(unreadable)? {
                let entry = entry.map_err(unreadable)?;
                let rel = dir.join(entry.file_name());
                if entry.file_type().map_err(unreadable)?.is_dir() {
                    pending.push(rel.clone());
                }
                entries.push(rel);
            }
        }
        entries.sort();
        Ok(BuildContext {
            root: root.to_path_buf(),
            entries,
            dockerfile_name: ".basebench.Dockerfile".to_string(),
            dockerfile,
            touched: None,
        })
    }

    /// Write the context as an uncompressed tar to `out`; returns bytes written.
    pub fn write_tar<W: Write>(&self, out: W) -> io::Result<u64> {
        // Basic version; replaced by the full writer.
        let mut counter = CountingWriter { inner: out, count: 0 };
        {
            let mut tar = tar::Builder::new(&mut counter);
            tar.follow_symlinks(false);
            for rel in &self.entries {
                let path = self.root.join(rel);
                if self.touched.as_deref() == Some(rel.as_path()) {
                    let mut data = std::fs::read(&path)?;
                    data.push(b'\n');
                    let mut header = tar::Header::new_gnu();
                    header.set_metadata(&std::fs::metadata(&path)?);
                    header.set_size(data.len() as u64);
                    tar.append_data(&mut header, rel, data.as_slice())?;
                } else {
                    tar.append_path_with_name(&path, rel)?;
                }
            }
            let mut header = tar::Header::new_gnu();
            header.set_size(self.dockerfile.len() as u64);
            header.set_mode(0o644);
            tar.append_data(&mut header, &self.dockerfile_name, self.dockerfile.as_bytes())?;
            tar.finish()?;
        }
        Ok(counter.count)
    }
}

/// A writer that counts the bytes passing through it.
struct CountingWriter<W> {
    inner: W,
    count: u64,
}

impl<W: Write> Write for CountingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.count += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
