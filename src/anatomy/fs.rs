//! The final filesystem of an image, built by applying layer indexes bottom first with
//! overlay rules (whiteouts, opaque directories, replacement), and the byte accounting.
//!
//! Every stored content (an inode: a regular file and its hardlinks within one layer) is
//! counted once. A content whose last path disappears is dropped; its bytes are charged to
//! the layer that removed it, as `removed_bytes` (whiteout, opaque directory) or
//! `replaced_bytes` (overwritten at the same path, or a directory replaced by a file).
//! Hence, over the whole image: `stored = content + wasted`, with
//! `wasted = Σ removed + Σ replaced`.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::layer::{Kind, LayerTree};
use super::model::LayerAnatomy;

/// What a path of the final filesystem is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum NodeKind {
    /// A regular file; index into [`MergedFs::inodes`].
    File(usize),
    /// A directory.
    Dir,
    /// A symbolic link and its target.
    Symlink(Box<str>),
    /// Anything else.
    Other,
}

/// One path of the final filesystem.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    /// What it is.
    pub(crate) kind: NodeKind,
    /// Permission bits.
    pub(crate) mode: u32,
    /// Owner (uid) and group (gid).
    pub(crate) owner: [u32; 2],
    /// Position (bottom first) of the layer that wrote it.
    pub(crate) layer: u32,
}

/// A stored content and how many paths of the filesystem reach it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Inode {
    pub(crate) size: u64,
    /// Paths reaching it now.
    pub(crate) refs: u32,
    /// Already charged as wasted.
    pub(crate) dropped: bool,
}

/// The filesystem after the layers applied so far.
#[derive(Debug, Default)]
pub(crate) struct MergedFs {
    /// Every path, sorted (so a directory's subtree is one range).
    pub(crate) nodes: BTreeMap<Box<str>, Node>,
    /// Every content stored by any layer applied so far.
    pub(crate) inodes: Vec<Inode>,
    /// Contents whose last path went during the current layer, and why.
    pending: Vec<(usize, Cause)>,
}

/// Which counter a dropped content is charged to.
#[derive(Debug, Clone, Copy)]
enum Cause {
    Removed,
    Replaced,
}

impl MergedFs {
    /// Applies one layer on top, its paths in order (a directory before what is under it);
    /// returns its byte accounting (without `created_by`, `archive_bytes` or
    /// `compression`). What the layer stored and overwrote itself counts as modified and
    /// replaced in this layer.
    pub(crate) fn apply(&mut self, layer_no: usize, layer: LayerTree) -> LayerAnatomy {
        let mut out = LayerAnatomy {
            files: layer.self_replaced_files,
            modified_bytes: layer.self_replaced_bytes,
            replaced_bytes: layer.self_replaced_bytes,
            ..LayerAnatomy::default()
        };
        for path in &layer.whiteouts {
            self.remove_subtree(path, true, Cause::Removed);
        }
        for dir in &layer.opaque_dirs {
            self.remove_subtree(dir, false, Cause::Removed);
        }
        let base = self.inodes.len();
        self.inodes
            .extend(layer.inode_sizes.iter().map(|&size| Inode {
                size,
                refs: 0,
                dropped: false,
            }));
        let mut counted = vec![false; layer.inode_sizes.len()];
        for (path, entry) in layer.entries {
            let kind = match entry.kind {
                Kind::File { inode } => NodeKind::File(base + inode as usize),
                Kind::Dir => NodeKind::Dir,
                Kind::Symlink(t) => NodeKind::Symlink(t),
                Kind::Other => NodeKind::Other,
            };
            if let NodeKind::File(i) = kind {
                self.inodes[i].refs += 1;
            }
            let existed = self.replace(&path, &kind);
            if let NodeKind::File(i) = kind {
                let slot = &mut counted[i - base];
                if !*slot {
                    *slot = true;
                    let size = self.inodes[i].size;
                    out.files += 1;
                    if existed {
                        out.modified_bytes += size;
                    } else {
                        out.added_bytes += size;
                    }
                }
            }
            let node = Node {
                kind,
                mode: entry.mode,
                owner: entry.owner,
                layer: u32::try_from(layer_no).unwrap_or(u32::MAX),
            };
            self.nodes.insert(path, node);
        }
        self.charge_drops(&mut out);
        out
    }

    /// Makes room for a new entry at `path`; returns whether something was there.
    fn replace(&mut self, path: &str, new: &NodeKind) -> bool {
        let Some(old) = self.nodes.get(path) else {
            return false;
        };
        let old_is_dir = old.kind == NodeKind::Dir;
        if old_is_dir && *new == NodeKind::Dir {
            return true; // directories merge
        }
        if old_is_dir {
            self.remove_subtree(path, false, Cause::Replaced);
        }
        if let Some(old) = self.nodes.remove(path) {
            self.unref(&old.kind, Cause::Replaced);
        }
        true
    }

    /// Removes everything under `path` (and `path` itself when `itself`).
    fn remove_subtree(&mut self, path: &str, itself: bool, cause: Cause) {
        if itself && let Some(old) = self.nodes.remove(path) {
            self.unref(&old.kind, cause);
        }
        let (lo, hi) = if path.is_empty() {
            (String::new(), String::from("\u{10FFFF}"))
        } else {
            (format!("{path}/"), format!("{path}0")) // '0' sorts right after '/'
        };
        let doomed: Vec<Box<str>> = self
            .nodes
            .range::<str, _>((
                std::ops::Bound::Included(lo.as_str()),
                std::ops::Bound::Excluded(hi.as_str()),
            ))
            .map(|(k, _)| k.clone())
            .collect();
        for key in doomed {
            if let Some(old) = self.nodes.remove(&key) {
                self.unref(&old.kind, cause);
            }
        }
    }

    fn unref(&mut self, kind: &NodeKind, cause: Cause) {
        let NodeKind::File(i) = kind else { return };
        let inode = &mut self.inodes[*i];
        inode.refs = inode.refs.saturating_sub(1);
        if inode.refs == 0 {
            self.pending.push((*i, cause));
        }
    }

    /// Charges the contents left unreachable by the layer just applied (a content a
    /// same-layer hardlink reached again is not charged).
    fn charge_drops(&mut self, out: &mut LayerAnatomy) {
        for (i, cause) in std::mem::take(&mut self.pending) {
            let inode = &mut self.inodes[i];
            if inode.refs > 0 || inode.dropped {
                continue;
            }
            inode.dropped = true;
            match cause {
                Cause::Removed => out.removed_bytes += inode.size,
                Cause::Replaced => out.replaced_bytes += inode.size,
            }
        }
    }

    /// Sum of the contents still reachable.
    pub(crate) fn content_bytes(&self) -> u64 {
        self.inodes
            .iter()
            .filter(|i| i.refs > 0)
            .map(|i| i.size)
            .sum()
    }

    /// Follows symlinks (in every component, at most 40 hops) to the node a path names.
    /// Returns the real path and its node; `None` when it does not exist or loops.
    pub(crate) fn resolve(&self, path: &str) -> Option<(String, &Node)> {
        let mut pending: Vec<String> = path.rsplit('/').map(str::to_string).collect();
        let mut real: Vec<String> = Vec::new();
        let mut hops = 0;
        while let Some(part) = pending.pop() {
            match part.as_str() {
                "" | "." => continue,
                ".." => {
                    real.pop();
                    continue;
                }
                _ => real.push(part),
            }
            let here = real.join("/");
            if let Some(Node {
                kind: NodeKind::Symlink(target),
                ..
            }) = self.nodes.get(here.as_str())
            {
                hops += 1;
                if hops > 40 {
                    return None;
                }
                real.pop();
                if target.starts_with('/') {
                    real.clear();
                }
                pending.extend(target.rsplit('/').map(str::to_string));
            }
        }
        let here = real.join("/");
        self.nodes.get(here.as_str()).map(|node| (here, node))
    }

    /// [`resolve`](Self::resolve) without its cost when no symlink is in the way: the
    /// node at `path` itself, or nothing when its nearest existing ancestor is a
    /// directory; only a symlink at the path or above it is followed (bytecode looks up
    /// thousands of paths next to real ones).
    pub(crate) fn lookup<'p>(&self, path: &'p str) -> Option<(Cow<'p, str>, &Node)> {
        let follow = || {
            self.resolve(path)
                .map(|(real, node)| (Cow::Owned(real), node))
        };
        match self.nodes.get(path) {
            Some(node) if matches!(node.kind, NodeKind::Symlink(_)) => follow(),
            Some(node) => Some((Cow::Borrowed(path), node)),
            None => {
                let mut end = path.len();
                while let Some(slash) = path[..end].rfind('/') {
                    match self.nodes.get(&path[..slash]) {
                        Some(n) if matches!(n.kind, NodeKind::Symlink(_)) => return follow(),
                        Some(_) => return None,
                        None => end = slash,
                    }
                }
                None
            }
        }
    }

    /// [`lookup`](Self::lookup) of a regular file.
    pub(crate) fn lookup_file<'p>(&self, path: &'p str) -> Option<(Cow<'p, str>, &Node)> {
        self.lookup(path)
            .filter(|(_, node)| matches!(node.kind, NodeKind::File(_)))
    }

    /// Like [`resolve`](Self::resolve), but only a regular file counts.
    pub(crate) fn resolve_file(&self, path: &str) -> Option<(String, &Node)> {
        self.resolve(path)
            .filter(|(_, node)| matches!(node.kind, NodeKind::File(_)))
    }
}
