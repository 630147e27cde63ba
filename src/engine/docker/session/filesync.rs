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

use std::sync::mpsc as std_mpsc;
use std::time::Duration;

use bollard::fsutil::types::Packet;
use bollard::fsutil::types::packet::PacketType;
use bollard::moby::filesync::packet::file_sync_server::FileSync;
use futures_util::Stream;
use tokio::sync::mpsc;
use tonic::{Request, Response, Status, Streaming};

use super::super::send::TransferLog;
use super::wire::{options, packet, stat};
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
        let (asked_tx, asked) = std_mpsc::channel();
        tokio::spawn(read_requests(
            request.into_inner(),
            asked_tx,
            self.log.clone(),
        ));
        let sender = Sender {
            context: self.context.clone(),
            log: self.log.clone(),
            tx,
        };
        tokio::task::spawn_blocking(move || {
            if let Err(message) = sender.run(dir, &filter, &asked) {
                sender.fail(reason(message, &asked));
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

/// What the daemon sent, in order, for the sending thread.
enum Asked {
    /// REQ: the body of the file with this index.
    Body(u32),
    /// FIN: it has every file it asked for.
    Fin,
    /// The call ended early: the daemon's ERR, or the stream broke.
    Stop(String),
}

/// Read the daemon's packets as they come (so its REQs never wait behind a full window
/// while the listing is still being sent) and hand them to the sending thread; after FIN,
/// read on until the daemon closes its side.
async fn read_requests(
    mut incoming: Streaming<Packet>,
    asked: std_mpsc::Sender<Asked>,
    log: Arc<TransferLog>,
) {
    let mut done = false;
    loop {
        let next = match incoming.message().await {
            Ok(Some(next)) => {
                log.packet(0);
                asked_of(next)
            }
            Ok(None) => Some(Asked::Stop(
                "the daemon ended the transfer before it finished".into(),
            )),
            Err(status) => Some(Asked::Stop(format!(
                "the transfer broke: {}",
                status.message()
            ))),
        };
        let Some(item) = next else { continue };
        if done {
            if matches!(item, Asked::Stop(_)) {
                return;
            }
            continue;
        }
        done = !matches!(item, Asked::Body(_));
        let stop = matches!(item, Asked::Stop(_));
        if asked.send(item).is_err() || stop {
            return;
        }
    }
}

/// The better reason for a failed call: what the daemon said, if it said something
/// within a second of this side failing, else `message`.
fn reason(message: String, asked: &std_mpsc::Receiver<Asked>) -> String {
    while let Ok(item) = asked.recv_timeout(Duration::from_secs(1)) {
        if let Asked::Stop(said) = item {
            if said.starts_with("the daemon reported") {
                return said;
            }
            break;
        }
    }
    message
}

/// One DiffCopy call's sending side, on a blocking thread.
struct Sender {
    context: Arc<BuildContext>,
    log: Arc<TransferLog>,
    tx: mpsc::Sender<Result<Packet, Status>>,
}

impl Sender {
    fn run(
        &self,
        dir: TreeDir,
        filter: &TreeFilter,
        asked: &std_mpsc::Receiver<Asked>,
    ) -> Result<(), String> {
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
        for item in asked {
            match item {
                Asked::Body(id) => {
                    let node = nodes
                        .get(id as usize)
                        .filter(|n| n.kind == NodeKind::File)
                        .ok_or_else(|| format!("the daemon asked for unknown file {id}"))?;
                    self.send_body(id, node)?;
                }
                Asked::Fin => return self.send(packet(PacketType::PacketFin, None, 0, Vec::new())),
                Asked::Stop(why) => return Err(why),
            }
        }
        Err("the daemon ended the transfer before it finished".into())
    }

    /// Send a file's body as DATA packets, then the empty DATA that ends it.
    fn send_body(&self, id: u32, node: &Node) -> Result<(), String> {
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

/// What a packet from the daemon asks; `None` for a packet that asks nothing.
fn asked_of(packet: Packet) -> Option<Asked> {
    match PacketType::try_from(packet.r#type) {
        Ok(PacketType::PacketReq) => Some(Asked::Body(packet.id)),
        Ok(PacketType::PacketFin) => Some(Asked::Fin),
        Ok(PacketType::PacketErr) => Some(Asked::Stop(format!(
            "the daemon reported: {}",
            String::from_utf8_lossy(&packet.data)
        ))),
        _ => None,
    }
}
