//! Reading a node's body back exactly as it was listed: the bytes on disk (with the
//! touch suffix for the touched file) or the generated Dockerfile; a file that became
//! shorter, longer or newer since it was listed is an error naming it.

use std::fs::File;
use std::io::{self, Read};
use std::path::PathBuf;

use super::{Body, Node, mtime_ns, path_error, touch_offset_ns};
use crate::context::BuildContext;

impl BuildContext {
    /// A reader of `node`'s body that yields exactly the bytes listed and fails when the
    /// file changed or disappeared since it was listed.
    pub(crate) fn open_body(&self, node: &Node) -> io::Result<BodyReader> {
        let source = match &node.body {
            Body::None => Source::Bytes(io::Cursor::new(Vec::new())),
            Body::Dockerfile => Source::Bytes(io::Cursor::new(self.dockerfile.clone().into())),
            Body::Disk { path, touched } => {
                let file = File::open(path).map_err(|e| path_error(path, e))?;
                let suffix = if *touched {
                    self.touch_suffix.clone()
                } else {
                    Vec::new()
                };
                let disk_len = node.size - suffix.len() as u64;
                let mtime = node.mtime_ns
                    - if *touched {
                        touch_offset_ns(&suffix)
                    } else {
                        0
                    };
                Source::Disk {
                    reader: file.take(disk_len).chain(io::Cursor::new(suffix)),
                    path: path.clone(),
                    disk_len,
                    mtime_ns: mtime,
                }
            }
        };
        Ok(BodyReader {
            source,
            remaining: node.size,
        })
    }
}

/// Reads one node's body; see [`BuildContext::open_body`].
pub(crate) struct BodyReader {
    source: Source,
    remaining: u64,
}

enum Source {
    Bytes(io::Cursor<Vec<u8>>),
    Disk {
        reader: io::Chain<io::Take<File>, io::Cursor<Vec<u8>>>,
        path: PathBuf,
        disk_len: u64,
        mtime_ns: i64,
    },
}

impl BodyReader {
    /// Fill `buf` with the next bytes; `Ok(0)` only once every listed byte was read and
    /// the file on disk still has the size and mtime it was listed with.
    pub(crate) fn read_chunk(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 {
            self.check_unchanged()?;
            return Ok(0);
        }
        let n = match &mut self.source {
            Source::Bytes(cursor) => cursor.read(buf)?,
            Source::Disk { reader, path, .. } => {
                reader.read(buf).map_err(|e| path_error(path, e))?
            }
        };
        if n == 0 {
            return Err(self.changed("it became shorter while being sent"));
        }
        self.remaining -= n as u64;
        Ok(n)
    }

    fn check_unchanged(&self) -> io::Result<()> {
        let Source::Disk {
            reader,
            disk_len,
            mtime_ns: listed,
            ..
        } = &self.source
        else {
            return Ok(());
        };
        let meta = reader.get_ref().0.get_ref().metadata()?;
        if meta.len() != *disk_len || mtime_ns(&meta) != *listed {
            return Err(self.changed("it changed while being sent"));
        }
        Ok(())
    }

    fn changed(&self, what: &str) -> io::Error {
        match &self.source {
            Source::Disk { path, .. } => io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("'{}': {what}", path.display()),
            ),
            Source::Bytes(_) => io::Error::new(io::ErrorKind::UnexpectedEof, what.to_string()),
        }
    }
}
