//! One layer, streamed once into a compact index: every path with its kind, size, mode and
//! link target, the whiteouts and opaque directories, and the few contents anatomy needs.
//! File data is never kept (except the small captures of [`capture`](super::capture)).

use std::collections::HashMap;
use std::io::{self, Read};

use tar::EntryType;

use super::capture::{self, Capture};
use super::error::AnatomyError;

/// Prefix of a whiteout entry (`dir/.wh.name` deletes `dir/name`).
const WHITEOUT: &str = ".wh.";
/// Name of the entry that makes its directory opaque.
const OPAQUE: &str = ".wh..wh..opq";

/// What a path in a layer is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    /// A regular file; `inode` numbers this layer's stored contents (hardlinks share one).
    File {
        /// Index into [`LayerIndex::inode_sizes`].
        inode: u32,
    },
    /// A directory.
    Dir,
    /// A symbolic link and its target as written.
    Symlink(Box<str>),
    /// A device, fifo or anything else without content.
    Other,
}

/// One path of a layer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    /// Normalised path: no leading `/` or `./`, no trailing `/`.
    pub(crate) path: Box<str>,
    /// What it is.
    pub(crate) kind: Kind,
    /// Permission bits including setuid/setgid.
    pub(crate) mode: u32,
}

/// Everything anatomy keeps of one layer.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct LayerIndex {
    /// Paths the layer writes, in stream order (whiteouts excluded).
    pub(crate) entries: Vec<Entry>,
    /// Paths the layer deletes from lower layers.
    pub(crate) whiteouts: Vec<Box<str>>,
    /// Directories whose lower-layer contents the layer hides.
    pub(crate) opaque_dirs: Vec<Box<str>>,
    /// Size of each stored content, by inode number.
    pub(crate) inode_sizes: Vec<u64>,
    /// Content taken from files anatomy reads, by path.
    pub(crate) captures: HashMap<Box<str>, Capture>,
    /// Hardlinks whose target is not in the layer (kept as empty files).
    pub(crate) dangling_links: Vec<Box<str>>,
}

/// Turns a tar path into the normalised form (`./usr/bin/` → `usr/bin`).
pub(crate) fn normalise(raw: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in raw.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// Reads a (decompressed) layer tar to its end and indexes it. `layer` names it in errors.
pub(crate) fn index_layer(reader: impl Read, layer: &str) -> Result<LayerIndex, AnatomyError> {
    let mut archive = tar::Archive::new(reader);
    let mut index = LayerIndex::default();
    let mut files: HashMap<Box<str>, u32> = HashMap::new();
    let mut after = String::from("-");
    let fail = |number: u64, after: &str, message: String| AnatomyError::Layer {
        layer: layer.to_string(),
        index: number,
        after: after.to_string(),
        message,
    };
    let entries = archive.entries().map_err(|e| fail(0, "-", e.to_string()))?;
    for (number, entry) in (0u64..).zip(entries) {
        let mut entry = entry.map_err(|e| fail(number, &after, e.to_string()))?;
        let path = normalise(&String::from_utf8_lossy(&entry.path_bytes()));
        add_entry(&mut index, &mut files, &mut entry, &path)
            .map_err(|e| fail(number, &after, format!("'{path}': {e}")))?;
        after = path;
    }
    Ok(index)
}

fn add_entry<R: Read>(
    index: &mut LayerIndex,
    files: &mut HashMap<Box<str>, u32>,
    entry: &mut tar::Entry<'_, R>,
    path: &str,
) -> io::Result<()> {
    if path.is_empty() {
        return Ok(()); // the root directory itself
    }
    let name = capture::file_name(path);
    if let Some(hidden) = name.strip_prefix(WHITEOUT) {
        let parent = &path[..path.len() - name.len()];
        if name == OPAQUE {
            index.opaque_dirs.push(parent.trim_end_matches('/').into());
        } else {
            index.whiteouts.push(format!("{parent}{hidden}").into());
        }
        return Ok(());
    }
    let header = entry.header();
    let mode = header.mode()?;
    let kind = match header.entry_type() {
        EntryType::Regular | EntryType::Continuous => {
            let size = entry.size();
            let inode = new_inode(index, size);
            files.insert(path.into(), inode);
            if let Some(read) = capture::wanted(path) {
                let got = read(entry)?;
                index.captures.insert(path.into(), got);
            }
            Kind::File { inode }
        }
        EntryType::Link => {
            let target = entry
                .link_name_bytes()
                .map(|t| String::from_utf8_lossy(&t).into_owned());
            let target = normalise(&target.unwrap_or_default());
            let inode = match files.get(target.as_str()) {
                Some(&inode) => inode,
                None => {
                    index.dangling_links.push(path.into());
                    new_inode(index, 0)
                }
            };
            files.insert(path.into(), inode);
            Kind::File { inode }
        }
        EntryType::Symlink => {
            let target = entry
                .link_name_bytes()
                .map(|t| String::from_utf8_lossy(&t).into_owned());
            Kind::Symlink(target.unwrap_or_default().into())
        }
        EntryType::Directory => Kind::Dir,
        _ => Kind::Other,
    };
    index.entries.push(Entry {
        path: path.into(),
        kind,
        mode,
    });
    Ok(())
}

fn new_inode(index: &mut LayerIndex, size: u64) -> u32 {
    index.inode_sizes.push(size);
    u32::try_from(index.inode_sizes.len() - 1).unwrap_or(u32::MAX)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn normalises_tar_paths() {
        assert_eq!(normalise("./usr/bin/"), "usr/bin");
        assert_eq!(normalise("/etc//passwd"), "etc/passwd");
        assert_eq!(normalise("./"), "");
        assert_eq!(normalise("a/../b"), "b");
    }
}
