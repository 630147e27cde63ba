//! What DiffCopy's wire carries: the tree and filter a call asks for in its gRPC
//! metadata, fsutil's STAT of a node (Go `os.FileMode` bits), and the packets.

use bollard::fsutil::types::packet::PacketType;
use bollard::fsutil::types::{Packet, Stat};
use tonic::Status;
use tonic::metadata::MetadataMap;

use crate::context::tree::{Node, NodeKind, TreeDir, TreeFilter};

/// The tree and filter a call asks for, from its gRPC metadata (`dir-name`,
/// `include-patterns`, `exclude-patterns`, `followpaths`; a `<key>-encoded` entry says the
/// values are query-escaped, as buildkit's `encodeOpts` writes non-ASCII ones).
pub(super) fn options(metadata: &MetadataMap) -> Result<(TreeDir, TreeFilter), Status> {
    let values = |key: &str| -> Vec<String> {
        let encoded = metadata
            .get(format!("{key}-encoded"))
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| matches!(v, "1" | "t" | "T" | "true" | "TRUE" | "True"));
        metadata
            .get_all(key)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(|v| if encoded { unescape(v) } else { v.to_string() })
            .collect()
    };
    let name = values("dir-name").into_iter().next().unwrap_or_default();
    let dir = TreeDir::named(&name)
        .ok_or_else(|| Status::not_found(format!("no access allowed to dir \"{name}\"")))?;
    let filter = TreeFilter {
        includes: values("include-patterns"),
        excludes: values("exclude-patterns"),
        follow: values("followpaths"),
    };
    Ok((dir, filter))
}

/// Go's `url.QueryUnescape`: `+` is a space, `%XX` a byte; malformed escapes stay as written.
fn unescape(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// fsutil's STAT of `node`: Go `os.FileMode` bits, owner root (docker/cli resets uid and
/// gid), mtime in nanoseconds.
pub(super) fn stat(node: &Node) -> Stat {
    const MODE_DIR: u32 = 1 << 31;
    const MODE_SYMLINK: u32 = 1 << 27;
    const MODE_SETUID: u32 = 1 << 23;
    const MODE_SETGID: u32 = 1 << 22;
    const MODE_STICKY: u32 = 1 << 20;
    let mut mode = node.mode & 0o777;
    for (unix, go) in [
        (0o4000, MODE_SETUID),
        (0o2000, MODE_SETGID),
        (0o1000, MODE_STICKY),
    ] {
        if node.mode & unix != 0 {
            mode |= go;
        }
    }
    mode |= match node.kind {
        NodeKind::Dir => MODE_DIR,
        NodeKind::Symlink => MODE_SYMLINK,
        NodeKind::File => 0,
    };
    Stat {
        path: node.path.clone(),
        mode,
        uid: 0,
        gid: 0,
        size: if node.kind == NodeKind::Dir {
            0
        } else {
            i64::try_from(node.size).unwrap_or(i64::MAX)
        },
        mod_time: node.mtime_ns,
        linkname: node.link.clone(),
        ..Stat::default()
    }
}

/// A packet of `kind`.
pub(super) fn packet(kind: PacketType, stat: Option<Stat>, id: u32, data: Vec<u8>) -> Packet {
    Packet {
        r#type: kind as i32,
        stat,
        id,
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_escapes_are_undone_like_go() {
        assert_eq!(unescape("a%2Fb+c"), "a/b c");
        assert_eq!(unescape("%E2%9C%93"), "✓");
        assert_eq!(unescape("100%"), "100%");
        assert_eq!(unescape("%zz"), "%zz");
    }

    #[test]
    fn stats_carry_go_file_mode_bits() {
        let node =
            |kind, mode| crate::context::tree::test_node(kind, mode, 5, 1_700_000_000_123_456_789);
        let dir = stat(&node(NodeKind::Dir, 0o755));
        assert_eq!(dir.mode, 0x8000_01ed);
        assert_eq!(dir.size, 0);
        let file = stat(&node(NodeKind::File, 0o4750));
        assert_eq!(file.mode, (1 << 23) | 0o750);
        assert_eq!((file.size, file.uid, file.gid), (5, 0, 0));
        assert_eq!(file.mod_time, 1_700_000_000_123_456_789);
        let link = stat(&node(NodeKind::Symlink, 0o777));
        assert_eq!(link.mode, 0x0800_01ff);
        let sticky = stat(&node(NodeKind::Dir, 0o1777));
        assert_eq!(sticky.mode, 0x8000_0000 | (1 << 20) | 0o777);
    }
}
