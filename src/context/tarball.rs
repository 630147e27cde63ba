//! The tar stream of a [`BuildContext`]: files streamed from disk (never read whole into
//! memory), owner root, modes and mtimes kept, symlinks as symlinks, then a `.dockerignore`
//! that also lists the generated Dockerfile, and the generated Dockerfile last.
//!
//! The `.dockerignore` entry is what docker/cli's `AddDockerfileToBuildContext` does for a
//! Dockerfile outside the context: the daemon (classic builder and BuildKit alike) then
//! keeps the generated Dockerfile out of `COPY . /app`. When the context's own
//! `.dockerignore` is sent, its text comes first; when it is not (absent or excluded by
//! itself), the generated one lists only `.dockerignore` and the Dockerfile.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use super::BuildContext;

/// Name of the ignore file inside the context.
const DOCKERIGNORE: &str = ".dockerignore";

/// Write `ctx` as a tar to `out`; returns bytes written.
pub(super) fn write<W: Write>(ctx: &BuildContext, out: W) -> io::Result<u64> {
    let mut counter = CountingWriter {
        inner: out,
        count: 0,
    };
    {
        let mut tar = tar::Builder::new(&mut counter);
        for rel in &ctx.entries {
            if rel.as_os_str() == DOCKERIGNORE {
                continue;
            }
            let touched: &[u8] = if ctx.touched.as_deref() == Some(rel.as_path()) {
                &ctx.touch_suffix
            } else {
                &[]
            };
            append_entry(&mut tar, &ctx.root, rel, touched).map_err(|e| {
                let path = ctx.root.join(rel);
                io::Error::new(
                    e.kind(),
                    format!("cannot add '{}' to the build context: {e}", path.display()),
                )
            })?;
        }
        let ignore = generated_dockerignore(ctx)?;
        append_generated(&mut tar, DOCKERIGNORE, ignore.as_bytes())?;
        append_generated(&mut tar, &ctx.dockerfile_name, ctx.dockerfile.as_bytes())?;
        tar.finish()?;
    }
    counter.flush()?;
    Ok(counter.count)
}

/// The `.dockerignore` sent: the context's own (when it is sent) plus the generated
/// Dockerfile's name.
fn generated_dockerignore(ctx: &BuildContext) -> io::Result<String> {
    let own = Path::new(DOCKERIGNORE);
    let mut text = if ctx.entries.iter().any(|e| e == own) && ctx.is_file(own) {
        let bytes = fs::read(ctx.root.join(own)).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("cannot read '{}': {e}", ctx.root.join(own).display()),
            )
        })?;
        String::from_utf8_lossy(&bytes).into_owned()
    } else {
        DOCKERIGNORE.to_string()
    };
    text.push('\n');
    text.push_str(&ctx.dockerfile_name);
    text.push('\n');
    Ok(text)
}

/// Append a generated regular file (mode 0644, owner root, mtime 0).
fn append_generated<W: Write>(
    tar: &mut tar::Builder<W>,
    name: &str,
    data: &[u8],
) -> io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Regular);
    header.set_size(data.len() as u64);
    header.set_mode(0o644);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(0);
    tar.append_data(&mut header, name, data)
}

/// Append one entry (directory, symlink or regular file) read from disk.
fn append_entry<W: Write>(
    tar: &mut tar::Builder<W>,
    root: &Path,
    rel: &Path,
    suffix: &[u8],
) -> io::Result<()> {
    let path = root.join(rel);
    let meta = fs::symlink_metadata(&path)?;
    let mut header = tar::Header::new_gnu();
    header.set_mode(meta.mode() & 0o7777);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(u64::try_from(meta.mtime()).unwrap_or(0));
    let kind = meta.file_type();
    if kind.is_dir() {
        header.set_entry_type(tar::EntryType::Directory);
        header.set_size(0);
        tar.append_data(&mut header, rel, io::empty())
    } else if kind.is_symlink() {
        header.set_entry_type(tar::EntryType::Symlink);
        header.set_size(0);
        let target = fs::read_link(&path)?;
        tar.append_link(&mut header, rel, target)
    } else if kind.is_file() {
        let size = meta.len() + suffix.len() as u64;
        header.set_entry_type(tar::EntryType::Regular);
        header.set_size(size);
        let reader = ExactReader {
            inner: File::open(&path)?.take(meta.len()).chain(suffix),
            remaining: size,
        };
        tar.append_data(&mut header, rel, reader)
    } else {
        Err(io::Error::other("not a file, directory or symlink"))
    }
}

/// Yields exactly `remaining` bytes or fails: a file that shrinks while it is being sent
/// would otherwise corrupt the tar (its header already states the size).
struct ExactReader<R> {
    inner: R,
    remaining: u64,
}

impl<R: Read> Read for ExactReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 || buf.is_empty() {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the file changed size while being sent",
            ));
        }
        self.remaining -= n as u64;
        Ok(n)
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
