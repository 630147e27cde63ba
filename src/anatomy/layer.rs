//! One layer, streamed once into a compact index of what the layer holds at its end: every
//! path with its kind, size, mode and link target, the whiteouts and opaque directories,
//! and the few contents anatomy needs. File data is never kept (except the small captures
//! of [`capture`](super::capture)).
//!
//! The layer is extracted in the index as Docker extracts it into its own directory: a
//! path written again replaces what the layer wrote there before (a directory over a
//! directory merges; anything else replaces, a directory with everything the layer put
//! under it), and a path's missing parents are made as directories (a file in the way
//! becomes one). So a path costs memory once however often the layer writes it; contents
//! the layer stores and then overwrites itself are only counted
//! ([`LayerTree::self_replaced_bytes`]). The whole image shares a [`PathBudget`]: past it,
//! entries are counted as not analysed instead of indexed.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;

use super::capture::Capture;
use super::error::AnatomyError;

mod extract;

/// What a path in a layer is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    /// A regular file; `inode` numbers this layer's stored contents (hardlinks share one).
    File {
        /// Index into [`LayerTree::inode_sizes`].
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
    /// What it is.
    pub(crate) kind: Kind,
    /// Permission bits including setuid/setgid.
    pub(crate) mode: u32,
    /// Owner (uid) and group (gid) as the tar header gives them.
    pub(crate) owner: [u32; 2],
}

/// What a layer does to the filesystem below it, as the overlay applies it.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct LayerTree {
    /// Paths the layer holds at its end (normalised: no leading `/` or `./`, no trailing
    /// `/`), sorted, so a directory comes before what is under it.
    pub(crate) entries: BTreeMap<Box<str>, Entry>,
    /// Paths the layer deletes from lower layers.
    pub(crate) whiteouts: BTreeSet<Box<str>>,
    /// Directories whose lower-layer contents the layer hides.
    pub(crate) opaque_dirs: BTreeSet<Box<str>>,
    /// Size of each stored content still reachable in the layer, by inode number.
    pub(crate) inode_sizes: Vec<u64>,
    /// Bytes of contents the layer stored and then overwrote or removed itself.
    pub(crate) self_replaced_bytes: u64,
    /// How many such contents.
    pub(crate) self_replaced_files: u64,
}

/// Everything anatomy keeps of one layer.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct LayerIndex {
    /// The layer's effect on the filesystem.
    pub(crate) tree: LayerTree,
    /// Content taken from files anatomy reads, by path.
    pub(crate) captures: HashMap<Box<str>, Capture>,
    /// Hardlinks whose target is not in the layer (kept as empty files).
    pub(crate) dangling_links: u64,
    /// Entries not indexed because the image's [`PathBudget`] was spent.
    pub(crate) unindexed: u64,
}

/// How many paths the analysis of one image may index (every layer's paths, whiteouts and
/// opaque directories together): memory is bounded by this, not by the archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PathBudget {
    /// Paths that may still be indexed.
    pub(crate) left: usize,
}

impl PathBudget {
    pub(super) fn take(&mut self) -> bool {
        match self.left.checked_sub(1) {
            Some(left) => {
                self.left = left;
                true
            }
            None => false,
        }
    }

    pub(super) fn give_back(&mut self, paths: usize) {
        self.left += paths;
    }
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
pub(crate) fn index_layer(
    reader: impl Read,
    layer: &str,
    budget: &mut PathBudget,
) -> Result<LayerIndex, AnatomyError> {
    let mut archive = tar::Archive::new(reader);
    let mut builder = extract::Builder::new(budget);
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
        builder
            .add(&mut entry, &path)
            .map_err(|e| fail(number, &after, format!("'{path}': {e}")))?;
        after = path;
    }
    Ok(builder.finish())
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
