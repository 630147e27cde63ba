//! One module's compiled form as CPython's import system judges it, and whether the
//! image's user could write it.
//!
//! A source `D/name.py` is imported from `D/__pycache__/name.cpython-3X.pyc` (PEP 3147)
//! when that file's header matches the source (PEP 552): a timestamp pyc (flags 0) names
//! the source's mtime and size (each modulo 2³²), which are compared with the tar
//! entry's; a hash-based pyc (flag bit 0) is counted as compiled: an unchecked one is
//! never validated, a checked one is validated against a hash of the source this
//! analysis does not compute. Any other flags, or a header cut short, is stale.

use std::ops::Bound;

use super::super::capture::Capture;
use super::super::facts::View;
use super::super::fs::{MergedFs, NodeKind};

/// How a module's compiled form stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    /// The interpreter would use it as it is.
    Compiled,
    /// A `.pyc` of this interpreter that does not match its source.
    Stale,
    /// Only another interpreter's (or optimisation level's) `.pyc`.
    Foreign,
    /// No `.pyc` at all.
    Missing,
}

/// The verdict for the source at `path` (`D/name.py`) under CPython 3.`minor`.
pub(super) fn source_verdict(view: &View<'_>, path: &str, minor: u32) -> Verdict {
    let (dir, file) = path.rsplit_once('/').unwrap_or(("", path));
    let name = file.strip_suffix(".py").unwrap_or(file);
    let cached = format!("{dir}/__pycache__/{name}.cpython-3{minor}.pyc");
    let Some((real, node)) = view.fs.lookup_file(&cached) else {
        return if has_other_pyc(view.fs, &format!("{dir}/__pycache__/{name}.")) {
            Verdict::Foreign
        } else {
            Verdict::Missing
        };
    };
    let header = match view
        .captures
        .get(node.layer as usize)
        .and_then(|c| c.get(&*real))
    {
        Some(Capture::Pyc(Some(header))) => *header,
        _ => return Verdict::Stale,
    };
    let source = view.fs.lookup_file(path);
    let mtime = source.as_ref().and_then(|(real, node)| {
        match view.captures.get(node.layer as usize)?.get(&**real)? {
            Capture::PySource { mtime } => Some(*mtime),
            _ => None,
        }
    });
    let size = source.and_then(|(_, node)| match node.kind {
        NodeKind::File(i) => view.fs.inodes.get(i).map(|inode| inode.size),
        _ => None,
    });
    match (mtime, size) {
        (Some(mtime), Some(size)) if header_matches(&header, mtime, size) => Verdict::Compiled,
        _ => Verdict::Stale,
    }
}

/// PEP 552's header against the source's mtime and size.
pub(crate) fn header_matches(header: &[u8; 16], mtime: u64, size: u64) -> bool {
    let word = |at: usize| {
        u32::from_le_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
    };
    match word(4) {
        0 => u64::from(word(8)) == mtime & 0xFFFF_FFFF && u64::from(word(12)) == size & 0xFFFF_FFFF,
        flags => flags & !0b11 == 0 && flags & 0b1 == 1,
    }
}

/// True when a `.pyc` of any tag exists for the module (`prefix` is
/// `D/__pycache__/name.`).
fn has_other_pyc(fs: &MergedFs, prefix: &str) -> bool {
    let range = (Bound::Included(prefix), Bound::Unbounded);
    fs.nodes
        .range::<str, _>(range)
        .take_while(|(p, _)| p.starts_with(prefix))
        .any(|(p, _)| p.ends_with(".pyc") && !p[prefix.len()..].contains('/'))
}

/// Who would write caches at run time.
pub(super) struct Writer {
    /// The image's uid, when it resolves.
    pub(super) uid: Option<u32>,
    /// Its primary group.
    pub(super) gid: Option<u32>,
    /// `PYTHONDONTWRITEBYTECODE` forbids writing.
    pub(super) forbidden: bool,
}

impl Writer {
    /// Whether the cache of the source at `path` could be written: into `__pycache__`
    /// when it exists, else into the source's directory (which then gets it).
    pub(super) fn can_cache(&self, fs: &MergedFs, path: &str) -> bool {
        if self.forbidden {
            return false;
        }
        if self.uid == Some(0) {
            return true;
        }
        let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
        let cache = format!("{dir}/__pycache__");
        let target = match fs.lookup(&cache) {
            Some((_, node)) if node.kind == NodeKind::Dir => Some(node),
            Some(_) => return false,
            None => fs.lookup(dir).map(|(_, node)| node),
        };
        target.is_some_and(|node| self.may_write(node.owner, node.mode))
    }

    /// POSIX: the owner's bits apply to the owner, the group's to the group, the others'
    /// to everyone else; writing into a directory needs write and search.
    fn may_write(&self, [owner, group]: [u32; 2], mode: u32) -> bool {
        let bits = if self.uid == Some(owner) {
            mode >> 6
        } else if self.gid == Some(group) {
            mode >> 3
        } else {
            mode
        };
        bits & 0o3 == 0o3
    }
}

/// The primary group of `Config.User`: its `:group` part (a number, or a name in
/// `/etc/group`), else the user's `/etc/passwd` entry, else 0 (as Docker runs a uid that
/// is not in `/etc/passwd`).
pub(super) fn gid(configured: &str, uid: Option<u32>, passwd: &str, group: &str) -> Option<u32> {
    let (user, explicit) = match configured.split_once(':') {
        Some((u, g)) => (u.trim(), Some(g.trim())),
        None => (configured.trim(), None),
    };
    if let Some(g) = explicit.filter(|g| !g.is_empty()) {
        return g.parse().ok().or_else(|| field_of(group, |f| f[0] == g, 2));
    }
    let by_passwd = field_of(
        passwd,
        |f| f[0] == user || (uid.is_some() && f[2].parse().ok() == uid),
        3,
    );
    by_passwd.or(uid.map(|_| 0))
}

/// Field `n` (a number) of the first line of `text` whose fields pass `pick`.
fn field_of(text: &str, pick: impl Fn(&[&str]) -> bool, n: usize) -> Option<u32> {
    text.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        (fields.len() > n.max(2) && pick(&fields))
            .then(|| fields[n].trim().parse().ok())
            .flatten()
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn header(flags: u32, mtime: u32, size: u32) -> [u8; 16] {
        let mut h = [0u8; 16];
        h[..4].copy_from_slice(&[0x6f, 0x0d, 0x0d, 0x0a]);
        h[4..8].copy_from_slice(&flags.to_le_bytes());
        h[8..12].copy_from_slice(&mtime.to_le_bytes());
        h[12..16].copy_from_slice(&size.to_le_bytes());
        h
    }

    #[test]
    fn timestamp_pycs_match_mtime_and_size_modulo_two_to_the_32() {
        assert!(header_matches(
            &header(0, 1_700_000_000, 120),
            1_700_000_000,
            120
        ));
        assert!(!header_matches(
            &header(0, 1_700_000_000, 120),
            1_700_000_001,
            120
        ));
        assert!(!header_matches(
            &header(0, 1_700_000_000, 120),
            1_700_000_000,
            121
        ));
        assert!(header_matches(
            &header(0, 5, 7),
            (1 << 32) + 5,
            (1 << 32) + 7
        ));
        assert!(header_matches(&header(0b01, 0, 0), 9, 9), "unchecked hash");
        assert!(header_matches(&header(0b11, 0, 0), 9, 9), "checked hash");
        assert!(!header_matches(&header(0b100, 9, 9), 9, 9), "unknown flags");
        assert!(
            !header_matches(&header(0b10, 9, 9), 9, 9),
            "check bit without hash"
        );
    }

    #[test]
    fn the_primary_group_comes_from_the_user_line_passwd_or_zero() {
        let passwd = "root:x:0:0::/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n";
        let group = "root:x:0:\nstaff:x:50:\n";
        assert_eq!(gid("app", Some(1000), passwd, group), Some(1001));
        assert_eq!(gid("1000", Some(1000), passwd, group), Some(1001));
        assert_eq!(gid("app:staff", Some(1000), passwd, group), Some(50));
        assert_eq!(gid("app:7", Some(1000), passwd, group), Some(7));
        assert_eq!(gid("65532", Some(65532), "", ""), Some(0));
        assert_eq!(gid("ghost", None, passwd, group), None);
    }

    #[test]
    fn write_permission_follows_the_class_that_applies() {
        let user = Writer {
            uid: Some(1000),
            gid: Some(1000),
            forbidden: false,
        };
        assert!(user.may_write([1000, 0], 0o700));
        assert!(!user.may_write([1000, 1000], 0o077), "owner class wins");
        assert!(user.may_write([0, 1000], 0o770));
        assert!(!user.may_write([0, 0], 0o755));
        assert!(user.may_write([0, 0], 0o1777));
        assert!(!user.may_write([0, 0], 0o772), "write without search");
    }
}
