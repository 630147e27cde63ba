//! The context as the file trees a BuildKit session serves (docker/cli's `SyncedDir`s):
//! `context` holds the files that pass `.dockerignore`, `dockerfile` holds only the
//! generated Dockerfile. Each tree is listed in the order fsutil's receiver requires
//! (depth-first, names sorted byte-wise, every parent directory before what it holds),
//! filtered by the patterns the daemon asks with, and each file's body is read back
//! exactly as listed: a file that changes or disappears in between is an error naming it.
//!
//! The simulated code change is served here too: the touched file is listed with the
//! suffix's length added to its size and an mtime of its own, so the daemon re-reads it.

use std::cmp::Ordering;
use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::BuildContext;
use super::dockerignore::IgnoreRules;

/// Which tree a session request names (`dir-name`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TreeDir {
    /// `context`: the files of the build context.
    Context,
    /// `dockerfile`: the generated Dockerfile alone.
    Dockerfile,
}

impl TreeDir {
    /// The tree a `dir-name` names, if any.
    pub(crate) fn named(name: &str) -> Option<TreeDir> {
        match name {
            "context" => Some(TreeDir::Context),
            "dockerfile" => Some(TreeDir::Dockerfile),
            _ => None,
        }
    }
}

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NodeKind {
    /// A directory.
    Dir,
    /// A regular file (its body can be requested).
    File,
    /// A symbolic link.
    Symlink,
}

/// Where a file's body comes from.
#[derive(Debug, Clone, PartialEq)]
enum Body {
    /// Directories and symlinks have none.
    None,
    /// A file on disk (absolute path), with the touch suffix appended when `touched`.
    Disk { path: PathBuf, touched: bool },
    /// The generated Dockerfile.
    Dockerfile,
}

/// One entry of a served tree.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    /// Path relative to the tree's root, `/`-separated.
    pub(crate) path: String,
    /// Directory, file or symlink.
    pub(crate) kind: NodeKind,
    /// Permission bits with setuid, setgid and sticky (`st_mode & 0o7777`).
    pub(crate) mode: u32,
    /// Bytes of the body (files), of the target (symlinks), 0 for directories.
    pub(crate) size: u64,
    /// Modification time in nanoseconds since the epoch.
    pub(crate) mtime_ns: i64,
    /// Target of a symlink; empty otherwise.
    pub(crate) link: String,
    body: Body,
}

/// The patterns a session request filters a tree with (fsutil's `FilterOpt`).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct TreeFilter {
    /// `include-patterns`: only what matches (or sits under a match) is listed.
    pub(crate) includes: Vec<String>,
    /// `exclude-patterns`: `.dockerignore` rules the daemon read from the context.
    pub(crate) excludes: Vec<String>,
    /// `followpaths`: paths wanted, symlinks among them followed one level.
    pub(crate) follow: Vec<String>,
}

/// fsutil's `ComparePath`: byte-wise, with `/` before every other byte.
pub(crate) fn compare_path(a: &str, b: &str) -> Ordering {
    let key = |c: u8| if c == b'/' { 0u16 } else { u16::from(c) + 1 };
    a.bytes().map(key).cmp(b.bytes().map(key))
}

/// An error naming the path it is about.
fn path_error(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("'{}': {e}", path.display()))
}

impl BuildContext {
    /// List `dir` as the session serves it, filtered by `filter`, in fsutil's order.
    pub(crate) fn tree(&self, dir: TreeDir, filter: &TreeFilter) -> io::Result<Vec<Node>> {
        let (includes, excludes) = self.filter_rules(filter)?;
        let selected = |path: &str| {
            includes
                .as_ref()
                .is_none_or(|r| r.matches_or_parent_matches(path))
                && !excludes
                    .as_ref()
                    .is_some_and(|r| r.matches_or_parent_matches(path))
        };
        let mut nodes = Vec::new();
        match dir {
            TreeDir::Dockerfile => {
                if selected(&self.dockerfile_name) {
                    nodes.push(self.dockerfile_node());
                }
            }
            TreeDir::Context => {
                let mut listed = std::collections::BTreeSet::new();
                for rel in &self.entries {
                    let text = utf8(rel)?;
                    if !selected(text) {
                        continue;
                    }
                    for parent in ancestors(text) {
                        if listed.insert(parent.to_string()) {
                            nodes.push(self.disk_node(Path::new(parent))?);
                        }
                    }
                    if listed.insert(text.to_string()) {
                        nodes.push(self.disk_node(rel)?);
                    }
                }
            }
        }
        nodes.sort_by(|a, b| compare_path(&a.path, &b.path));
        Ok(nodes)
    }

    /// The include and exclude rules of `filter` (follow paths join the includes).
    fn filter_rules(
        &self,
        filter: &TreeFilter,
    ) -> io::Result<(Option<IgnoreRules>, Option<IgnoreRules>)> {
        let bad = |what: &str, e: super::dockerignore::PatternError| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("bad {what} pattern '{}': {}", e.pattern, e.message),
            )
        };
        let mut includes = filter.includes.clone();
        for path in &filter.follow {
            includes.push(path.clone());
            if let Ok(target) = fs::read_link(self.root.join(path)) {
                let base = Path::new(path).parent().unwrap_or(Path::new(""));
                includes.push(base.join(target).to_string_lossy().into_owned());
            }
        }
        let includes = (!includes.is_empty())
            .then(|| IgnoreRules::from_patterns(&includes).map_err(|e| bad("include", e)))
            .transpose()?;
        let excludes = (!filter.excludes.is_empty())
            .then(|| IgnoreRules::from_patterns(&filter.excludes).map_err(|e| bad("exclude", e)))
            .transpose()?;
        Ok((includes, excludes))
    }

    /// The generated Dockerfile: its mtime is a hash of its text, so the daemon's copy of
    /// another variant's Dockerfile of the same length is never taken for this one.
    fn dockerfile_node(&self) -> Node {
        Node {
            path: self.dockerfile_name.clone(),
            kind: NodeKind::File,
            mode: 0o644,
            size: self.dockerfile.len() as u64,
            mtime_ns: (fnv64(self.dockerfile.as_bytes()) % 1_000_000_000_000_000_000) as i64,
            link: String::new(),
            body: Body::Dockerfile,
        }
    }

    /// The node of `rel` as it is on disk now (the touched file with its suffix).
    fn disk_node(&self, rel: &Path) -> io::Result<Node> {
        let path = self.root.join(rel);
        let meta = fs::symlink_metadata(&path).map_err(|e| path_error(&path, e))?;
        let mut node = Node {
            path: utf8(rel)?.to_string(),
            kind: NodeKind::Dir,
            mode: meta.mode() & 0o7777,
            size: 0,
            mtime_ns: mtime_ns(&meta),
            link: String::new(),
            body: Body::None,
        };
        let kind = meta.file_type();
        if kind.is_symlink() {
            let target = fs::read_link(&path).map_err(|e| path_error(&path, e))?;
            node.kind = NodeKind::Symlink;
            node.link = utf8(&target)?.to_string();
            node.size = node.link.len() as u64;
        } else if kind.is_file() {
            let touched = self.touched.as_deref() == Some(rel);
            node.kind = NodeKind::File;
            node.size = meta.len();
            if touched {
                node.size += self.touch_suffix.len() as u64;
                node.mtime_ns += touch_offset_ns(&self.touch_suffix);
            }
            node.body = Body::Disk { path, touched };
        } else if !kind.is_dir() {
            return Err(io::Error::other(format!(
                "'{}' is no longer a file, directory or symlink",
                path.display()
            )));
        }
        Ok(node)
    }
}

/// The parent directories of `path` (`a`, `a/b` for `a/b/c`), outermost first.
fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/').map(|(i, _)| &path[..i])
}

fn utf8(path: &Path) -> io::Result<&str> {
    path.to_str().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "'{}' is not valid UTF-8, which a BuildKit session cannot send; rename it, \
                 list it in .dockerignore or use --context-transfer tar",
                path.display()
            ),
        )
    })
}

fn mtime_ns(meta: &fs::Metadata) -> i64 {
    meta.mtime()
        .saturating_mul(1_000_000_000)
        .saturating_add(meta.mtime_nsec())
}

/// The touched file's mtime offset: 1 ns plus 32 bits of a hash of the suffix, so every
/// fresh suffix lists a new mtime and the daemon cannot keep an older copy.
fn touch_offset_ns(suffix: &[u8]) -> i64 {
    1 + i64::from(fnv64(suffix) as u32)
}

/// FNV-1a, 64 bits.
fn fnv64(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A node without a body, for tests that build nodes by hand.
#[cfg(test)]
pub(crate) fn test_node(kind: NodeKind, mode: u32, size: u64, mtime_ns: i64) -> Node {
    Node {
        path: "x".to_string(),
        kind,
        mode,
        size,
        mtime_ns,
        link: String::new(),
        body: Body::None,
    }
}

mod body;
#[cfg(test)]
mod tests;
