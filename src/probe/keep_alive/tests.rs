use super::*;
use tokio::net::TcpListener;

/// A server that answers each request on a connection with `reply(k)` (k counts from 0
/// on every connection) and closes the connection after it when `close(k)` says so.
async fn server(reply: fn(usize) -> &'static str, close: fn(usize) -> bool) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut seen = Vec::new();
                let mut k = 0;
                let mut buf = [0u8; 1024];
                loop {
                    while let Some(end) = find(&seen, b"\r\n\r\n") {
                        seen.drain(..end + 4);
                        if socket.write_all(reply(k).as_bytes()).await.is_err() || close(k) {
                            return;
                        }
                        k += 1;
                    }
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
            });
        }
    });
    addr
}

async fn statuses(client: &mut Client, n: usize) -> Vec<Option<u16>> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(client.get().await);
    }
    out
}

#[tokio::test]
async fn a_kept_alive_connection_carries_every_request() {
    let addr = server(
        |_| "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
        |_| false,
    )
    .await;
    let mut client = Client::new(addr, "/");
    assert_eq!(statuses(&mut client, 10).await, vec![Some(200); 10]);
    assert_eq!(client.opened, 1);
}

#[tokio::test]
async fn an_app_that_closes_gets_a_fresh_connection_each_time() {
    let addr = server(
        |_| "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
        |_| true,
    )
    .await;
    let mut client = Client::new(addr, "/");
    assert_eq!(statuses(&mut client, 3).await, vec![Some(200); 3]);
    assert_eq!(client.opened, 3);
}

#[tokio::test]
async fn chunked_bodies_with_trailers_are_read_to_their_end() {
    let addr = server(
        |k| match k {
            0 => "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n0\r\nX-T: 1\r\n\r\n",
            _ => "HTTP/1.1 500 Oops\r\ntransfer-encoding: Chunked\r\n\r\n2\r\nno\r\n0\r\n\r\n",
        },
        |_| false,
    )
    .await;
    let mut client = Client::new(addr, "/");
    assert_eq!(
        statuses(&mut client, 3).await,
        [Some(200), Some(500), Some(500)]
    );
    assert_eq!(client.opened, 1);
}

#[tokio::test]
async fn http_1_0_without_keep_alive_reads_to_the_close() {
    let addr = server(
        |_| "HTTP/1.0 200 OK\r\n\r\nthe body ends at the close",
        |_| true,
    )
    .await;
    let mut client = Client::new(addr, "/");
    assert_eq!(statuses(&mut client, 2).await, [Some(200), Some(200)]);
    assert_eq!(client.opened, 2);
}

#[tokio::test]
async fn interim_and_bodiless_answers_keep_the_connection_in_step() {
    let addr = server(
        |k| match k {
            0 => {
                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n"
            }
            _ => "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        },
        |_| false,
    )
    .await;
    let mut client = Client::new(addr, "/");
    assert_eq!(statuses(&mut client, 2).await, [Some(204), Some(200)]);
    assert_eq!(client.opened, 1);
}

#[tokio::test]
async fn a_connection_closed_while_idle_is_retried_once_on_a_fresh_one() {
    // The server closes after every answer without saying so, as an idle timeout does.
    let addr = server(
        |_| "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
        |_| true,
    )
    .await;
    let mut client = Client::new(addr, "/");
    assert_eq!(statuses(&mut client, 3).await, vec![Some(200); 3]);
    assert_eq!(client.opened, 3);
}

#[tokio::test]
async fn a_malformed_answer_or_no_server_is_a_failure() {
    let addr = server(|_| "SSH-2.0-OpenSSH\r\n\r\n", |_| false).await;
    assert_eq!(Client::new(addr, "/").get().await, None);
    let addr = server(
        |_| "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
        |_| false,
    )
    .await;
    assert_eq!(Client::new(addr, "/").get().await, None);
    let free = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let gone = free.local_addr().expect("addr");
    drop(free);
    let mut client = Client::new(gone, "/");
    assert_eq!(client.get().await, None);
    assert_eq!(client.opened, 0);
}
