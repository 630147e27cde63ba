//! Extracting one layer into its index, entry by entry, as Docker extracts a layer into
//! its own directory (see the parent module): the reference counts of its contents, the
//! inode numbers freed when a content is overwritten, and the paths drawn from the image's
//! [`PathBudget`].

use std::io::{self, Read};
use std::ops::Bound;

use tar::EntryType;

use super::{Entry, Kind, LayerIndex, PathBudget, normalise};
use crate::anatomy::capture;

/// Prefix of a whiteout entry (`dir/.wh.name` deletes `dir/name`).
const WHITEOUT: &str = ".wh.";
/// Name of the entry that makes its directory opaque.
const OPAQUE: &str = ".wh..wh..opq";

/// The index of a layer being read, with the reference counts of its contents.
pub(super) struct Builder<'a> {
    index: LayerIndex,
    /// Paths of the layer reaching each inode.
    refs: Vec<u32>,
    /// Inode numbers no path reaches any more, for reuse.
    free: Vec<u32>,
    budget: &'a mut PathBudget,
    /// Buffers for the bounds of [`Builder::remove_under`]'s range.
    bounds: [String; 2],
}

impl<'a> Builder<'a> {
    /// An empty index drawing paths from `budget`.
    pub(super) fn new(budget: &'a mut PathBudget) -> Builder<'a> {
        Builder {
            index: LayerIndex::default(),
            refs: Vec::new(),
            free: Vec::new(),
            budget,
            bounds: [String::new(), String::new()],
        }
    }

    /// Index one entry of the layer at (normalised) `path`.
    pub(super) fn add<R: Read>(
        &mut self,
        entry: &mut tar::Entry<'_, R>,
        path: &str,
    ) -> io::Result<()> {
        if path.is_empty() {
            return Ok(()); // the root directory itself
        }
        let name = capture::file_name(path);
        if let Some(hidden) = name.strip_prefix(WHITEOUT) {
            let parent = &path[..path.len() - name.len()];
            let (set, target) = if name == OPAQUE {
                let dir = parent.trim_end_matches('/').to_string();
                (&mut self.index.tree.opaque_dirs, dir)
            } else {
                (&mut self.index.tree.whiteouts, format!("{parent}{hidden}"))
            };
            if !set.contains(target.as_str()) {
                if self.budget.take() {
                    set.insert(target.into());
                } else {
                    self.index.unindexed += 1;
                }
            }
            return Ok(());
        }
        let known = self.index.tree.entries.contains_key(path);
        if !known && !self.budget.take() {
            self.index.unindexed += 1;
            return Ok(());
        }
        let header = entry.header();
        let mode = header.mode()?;
        let owner = [id(header.uid()), id(header.gid())];
        let kind = match header.entry_type() {
            EntryType::Regular | EntryType::Continuous => {
                let inode = self.new_inode(entry.size());
                let got = match capture::wanted(path) {
                    Some(read) => Some(read(entry)?),
                    None => capture::python(path, entry)?,
                };
                if let Some(got) = got {
                    self.index.captures.insert(path.into(), got);
                }
                Kind::File { inode }
            }
            EntryType::Link => self.link(entry, path),
            EntryType::Symlink => {
                let target = entry
                    .link_name_bytes()
                    .map(|t| String::from_utf8_lossy(&t).into_owned());
                Kind::Symlink(target.unwrap_or_default().into())
            }
            EntryType::Directory => Kind::Dir,
            _ => Kind::Other,
        };
        // After the kind: a hardlink to a file its parents replace still reaches it.
        self.make_parents(path);
        self.put(path, Entry { kind, mode, owner });
        Ok(())
    }

    /// A hardlink shares the content of the file the layer holds at its target (and what
    /// anatomy captured of it).
    fn link<R: Read>(&mut self, entry: &tar::Entry<'_, R>, path: &str) -> Kind {
        let target = entry
            .link_name_bytes()
            .map(|t| String::from_utf8_lossy(&t).into_owned());
        let target = normalise(&target.unwrap_or_default());
        if let Some(got) = self.index.captures.get(target.as_str()).cloned() {
            self.index.captures.insert(path.into(), got);
        }
        match self.index.tree.entries.get(target.as_str()) {
            Some(Entry {
                kind: Kind::File { inode },
                ..
            }) => {
                let inode = *inode;
                // Counted before `put` replaces the path: a link may replace its target.
                self.refs[inode as usize] += 1;
                Kind::File { inode }
            }
            _ => {
                self.index.dangling_links += 1;
                Kind::File {
                    inode: self.new_inode(0),
                }
            }
        }
    }

    /// The parents of `path` the layer does not hold yet become directories (0755), as
    /// extraction makes them; a non-directory in the way is replaced by one.
    fn make_parents(&mut self, path: &str) {
        let mut missing: Vec<&str> = Vec::new();
        let mut end = path.len();
        while let Some(slash) = path[..end].rfind('/') {
            let parent = &path[..slash];
            match self
                .index
                .tree
                .entries
                .get(parent)
                .map(|e| e.kind == Kind::Dir)
            {
                Some(true) => break,
                Some(false) => {
                    if let Some(old) = self.index.tree.entries.remove(parent) {
                        self.unref(&old.kind);
                    }
                    missing.push(parent);
                    break;
                }
                None if self.budget.take() => missing.push(parent),
                None => break,
            }
            end = slash;
        }
        for parent in missing {
            let dir = Entry {
                kind: Kind::Dir,
                mode: 0o755,
                owner: [0, 0],
            };
            self.index.tree.entries.insert(parent.into(), dir);
        }
    }

    /// Write `entry` at `path` as extraction does: a directory over a directory merges;
    /// anything else replaces what the layer held there, a directory with its contents.
    fn put(&mut self, path: &str, entry: Entry) {
        let old_is_dir = self
            .index
            .tree
            .entries
            .get(path)
            .map(|e| e.kind == Kind::Dir);
        if entry.kind == Kind::Dir && old_is_dir == Some(true) {
            self.index.tree.entries.insert(path.into(), entry);
            return;
        }
        if entry.kind != Kind::Dir {
            self.remove_under(path);
        }
        // A path written again keeps its key; only the entry is replaced.
        let old = match self.index.tree.entries.get_mut(path) {
            Some(slot) => Some(std::mem::replace(slot, entry)),
            None => {
                self.index.tree.entries.insert(path.into(), entry);
                None
            }
        };
        if let Some(old) = old {
            self.unref(&old.kind);
        }
    }

    /// Remove what the layer holds under `path` (not `path` itself).
    fn remove_under(&mut self, path: &str) {
        // `path/` up to `path0` ('0' sorts right after '/'), in reused buffers.
        let [lo, hi] = &mut self.bounds;
        lo.clear();
        lo.push_str(path);
        lo.push('/');
        hi.clear();
        hi.push_str(path);
        hi.push('0');
        let range = (Bound::Included(lo.as_str()), Bound::Excluded(hi.as_str()));
        let mut under = self.index.tree.entries.range::<str, _>(range).peekable();
        if under.peek().is_none() {
            return;
        }
        let doomed: Vec<Box<str>> = under.map(|(k, _)| k.clone()).collect();
        self.budget.give_back(doomed.len());
        for key in doomed {
            if let Some(old) = self.index.tree.entries.remove(&key) {
                self.unref(&old.kind);
            }
        }
    }

    fn new_inode(&mut self, size: u64) -> u32 {
        let sizes = &mut self.index.tree.inode_sizes;
        match self.free.pop() {
            Some(inode) => {
                sizes[inode as usize] = size;
                self.refs[inode as usize] = 1;
                inode
            }
            None => {
                sizes.push(size);
                self.refs.push(1);
                u32::try_from(sizes.len() - 1).unwrap_or(u32::MAX)
            }
        }
    }

    /// A path of the layer no longer reaches `kind`'s content: when it was the last, the
    /// content is counted as stored and replaced by the layer itself.
    fn unref(&mut self, kind: &Kind) {
        let Kind::File { inode } = kind else { return };
        let refs = &mut self.refs[*inode as usize];
        *refs = refs.saturating_sub(1);
        if *refs == 0 {
            let tree = &mut self.index.tree;
            tree.self_replaced_bytes += tree.inode_sizes[*inode as usize];
            tree.self_replaced_files += 1;
            self.free.push(*inode);
        }
    }

    /// The index, its inode numbers made dense (the freed ones dropped).
    pub(super) fn finish(mut self) -> LayerIndex {
        let tree = &mut self.index.tree;
        if !self.free.is_empty() {
            let mut renumber = vec![u32::MAX; tree.inode_sizes.len()];
            let mut sizes = Vec::with_capacity(tree.inode_sizes.len() - self.free.len());
            for (old, &size) in tree.inode_sizes.iter().enumerate() {
                if self.refs[old] > 0 {
                    renumber[old] = u32::try_from(sizes.len()).unwrap_or(u32::MAX);
                    sizes.push(size);
                }
            }
            for entry in tree.entries.values_mut() {
                if let Kind::File { inode } = &mut entry.kind {
                    *inode = renumber[*inode as usize];
                }
            }
            tree.inode_sizes = sizes;
        }
        self.index
    }
}

/// A tar header's uid or gid (unreadable or out of range: `u32::MAX`, nobody's).
fn id(field: std::io::Result<u64>) -> u32 {
    field
        .ok()
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(u32::MAX)
}
