//! One `GET` over a connection of its own, for the few answers bollard 0.21 cannot ask
//! for or read on every API version (`?manifests=1`, the build cache of `/system/df`
//! before and after API 1.52). Unix and TCP hosts, plain or over TLS.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use serde_json::Value;

use super::DockerEngine;
use super::session::upgrade;

/// How long the request may take before the caller does without its answer.
const TIMEOUT: Duration = Duration::from_secs(30);

/// The JSON body of `GET /v<api><path>`; `None` on a host it cannot dial (a named pipe), an
/// error status, a body that is not JSON or no answer within [`TIMEOUT`].
pub(super) async fn get_json(engine: &DockerEngine, path: &str) -> Option<Value> {
    let api = &engine.api_version;
    let request = async {
        let stream = upgrade::dial(&engine.dial).await.ok()?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .ok()?;
        tokio::spawn(connection);
        let request = hyper::Request::get(format!("/v{api}{path}"))
            .header(hyper::header::HOST, "docker")
            .body(Empty::<Bytes>::new())
            .ok()?;
        let response = sender.send_request(request).await.ok()?;
        if !response.status().is_success() {
            return None;
        }
        let body = response.into_body().collect().await.ok()?.to_bytes();
        serde_json::from_slice::<Value>(&body).ok()
    };
    tokio::time::timeout(TIMEOUT, request).await.ok()?
}
