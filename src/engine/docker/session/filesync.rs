//! `moby.filesync.v1.FileSync/DiffCopy`, the sending side of fsutil's packet protocol
//! (tonistiigi/fsutil `send.go`): one STAT per entry of the requested tree in fsutil's
//! order, an empty STAT to end the listing, then a DATA stream (ended by an empty DATA)
//! for every file the daemon REQuests by its index, until it says FIN and gets FIN back.
//! The daemon requests only the files whose stat differs from its copy of the previous
//! transfer, so an unchanged context costs the listing alone.
//!
//! Each call runs on a blocking thread (listing and file reads are disk work); its
//! packets go through a bounded channel to the gRPC response, which counts them in the
//! session's [`TransferLog`]. An error (a file that changed, disappeared or cannot be
//! read) is sent as an ERR packet, ends the call and is kept in the log with its path.

use std::pin::Pin;
use std::sync::Arc;

use bollard::fsutil::types::packet::PacketType;
use bollard::fsutil::types::{Packet, Stat};
use bollard::moby::filesync::packet::file_sync_server::FileSync;
use futures_util::Stream;
use tokio::runtime::Handle;
use tokio::sync::mpsc;
use tonic::metadata::MetadataMap;
use tonic::{Request, Response, Status, Streaming};

use super::super::send::TransferLog;
use crate::context::BuildContext;
use crate::context::tree::{Node, NodeKind, TreeDir, TreeFilter};

/// Bytes of file data per DATA packet (well under gRPC's 4 MiB message limit).
const CHUNK: usize = 256 * 1024;
/// Packets buffered between the sending thread and the gRPC response.
const PACKETS_IN_FLIGHT: usize = 16;

/// The packets of one call, as the gRPC response streams them.
type PacketStream = Pin<Box<dyn Stream<Item = Result<Packet, Status>> + Send + 'static>>;

/// The FileSync service over one build's context.
pub(crate) struct ContextSync {
    pub(crate) context: Arc<BuildContext>,
    pub(crate) log: Arc<TransferLog>,
}

#[async_trait::async_trait]
impl FileSync for ContextSync {
    type DiffCopyStream = PacketStream;

    async fn diff_copy(
        &self,
        request: Request<Streaming<Packet>>,
    ) -> Result<Response<PacketStream>, Status> {
        let (dir, filter) = options(request.metadata())?;
        let (tx, rx) = mpsc::channel(PACKETS_IN_FLIGHT);
        let mut sender = Sender {
            context: self.context.clone(),
            log: self.log.clone(),
            tx,
            incoming: request.into_inner(),
            runtime: Handle::current(),
        };
        tokio::task::spawn_blocking(move || {
            if let Err(message) = sender.run(dir, &filter) {
                sender.fail(message);
            }
        });
        Ok(Response::new(counted(rx, self.log.clone())))
    }

    type TarStreamStream = PacketStream;

    async fn tar_stream(
        &self,
        _request: Request<Streaming<Packet>>,
    ) -> Result<Response<PacketStream>, Status> {
        Err(Status::unimplemented("basebench serves DiffCopy only"))
    }
}

/// The response stream: packets from the channel, each counted in `log` as it leaves.
fn counted(mut rx: mpsc::Receiver<Result<Packet, Status>>, log: Arc<TransferLog>) -> PacketStream {
    Box::pin(futures_util::stream::poll_fn(move |cx| {
        let polled = rx.poll_recv(cx);
        if let std::task::Poll::Ready(Some(Ok(packet))) = &polled {
            log.packet(if packet.r#type == PacketType::PacketData as i32 {
                packet.data.len()
            } else {
                0
            });
        }
        polled
    }))
}

/// The tree and filter a call asks for, from its gRPC metadata (`dir-name`,
/// `include-patterns`, `exclude-patterns`, `followpaths`; a `<key>-encoded` entry says the
/// values are query-escaped, as buildkit's `encodeOpts` writes non-ASCII ones).
fn options(metadata: &MetadataMap) -> Result<(TreeDir, TreeFilter), Status> {
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
pub(crate) fn stat(node: &Node) -> Stat {
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

/// One DiffCopy call, on its blocking thread.
struct Sender {
    context: Arc<BuildContext>,
    log: Arc<TransferLog>,
    tx: mpsc::Sender<Result<Packet, Status>>,
    incoming: Streaming<Packet>,
    runtime: Handle,
}

impl Sender {
    fn run(&mut self, dir: TreeDir, filter: &TreeFilter) -> Result<(), String> {
        let nodes = self
            .context
            .tree(dir, filter)
            .map_err(|e| format!("cannot list the build context: {e}"))?;
        for node in &nodes {
            self.send(packet(
                PacketType::PacketStat,
                Some(stat(node)),
                0,
                Vec::new(),
            ))?;
        }
        self.send(packet(PacketType::PacketStat, None, 0, Vec::new()))?;
        loop {
            let received = self.runtime.block_on(self.incoming.message());
            let request = match received {
                Ok(Some(request)) => request,
                Ok(None) => return Err("the daemon ended the transfer before it finished".into()),
                Err(status) => return Err(format!("the transfer broke: {}", status.message())),
            };
            self.log.packet(0);
            match PacketType::try_from(request.r#type) {
                Ok(PacketType::PacketReq) => {
                    let node = nodes
                        .get(request.id as usize)
                        .filter(|n| n.kind == NodeKind::File)
                        .ok_or_else(|| {
                            format!("the daemon asked for unknown file {}", request.id)
                        })?;
                    self.send_body(request.id, node)?;
                }
                Ok(PacketType::PacketFin) => {
                    return self.send(packet(PacketType::PacketFin, None, 0, Vec::new()));
                }
                Ok(PacketType::PacketErr) => {
                    let text = String::from_utf8_lossy(&request.data).into_owned();
                    return Err(format!("the daemon reported: {text}"));
                }
                _ => {}
            }
        }
    }

    /// Send a file's body as DATA packets, then the empty DATA that ends it.
    fn send_body(&mut self, id: u32, node: &Node) -> Result<(), String> {
        let mut reader = self.context.open_body(node).map_err(|e| e.to_string())?;
        let mut buf = vec![0u8; CHUNK.min(node.size as usize).max(1)];
        loop {
            let n = reader.read_chunk(&mut buf).map_err(|e| e.to_string())?;
            if n == 0 {
                break;
            }
            self.send(packet(PacketType::PacketData, None, id, buf[..n].to_vec()))?;
        }
        self.send(packet(PacketType::PacketData, None, id, Vec::new()))
    }

    fn send(&self, packet: Packet) -> Result<(), String> {
        self.tx
            .blocking_send(Ok(packet))
            .map_err(|_| "the daemon stopped reading the build context".to_string())
    }

    /// End the call with `message`: an ERR packet for the daemon, then the gRPC error; the
    /// log keeps the message for the build's error.
    fn fail(&self, message: String) {
        self.log.fail(&message);
        let err = packet(PacketType::PacketErr, None, 0, message.clone().into_bytes());
        if self.tx.blocking_send(Ok(err)).is_ok() {
            let _ = self.tx.blocking_send(Err(Status::aborted(message)));
        }
    }
}

fn packet(kind: PacketType, stat: Option<Stat>, id: u32, data: Vec<u8>) -> Packet {
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
