//! The build cache the benchmark leaves: a cold build of a 1 GB context stores another
//! copy of the weight in the daemon's build cache (on either side), and twenty of them
//! would fill this machine's disk. After each kind of build, the records it created that
//! hold at least 1 MiB (the weight, the app layers, the daemon's copies of the context)
//! are pruned by id; records that were there before, and small ones, are left alone.

use std::collections::HashSet;

use basebench::engine::docker::DockerEngine;
use bollard::query_parameters::PruneBuildOptions;

/// Records smaller than this are not the benchmark's to prune.
const OURS_AT_LEAST: i64 = 1 << 20;

/// The ids of the build cache records now.
pub(crate) async fn records(engine: &DockerEngine) -> HashSet<String> {
    listing(engine)
        .await
        .into_iter()
        .map(|(id, _)| id)
        .collect()
}

/// `GET /system/df`'s build cache records as (id, size). bollard's model follows API
/// 1.52, where the records moved; dockerd 20.10 lists them under `BuildCache`, so this
/// asks the socket directly (HTTP/1.0: the body ends with the connection).
async fn listing(_engine: &DockerEngine) -> Vec<(String, i64)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = std::env::var("DOCKER_HOST").unwrap_or_default();
    let socket = host
        .strip_prefix("unix://")
        .unwrap_or("/var/run/docker.sock");
    let mut stream = tokio::net::UnixStream::connect(socket)
        .await
        .expect("the benchmark prunes its build cache over a unix socket");
    stream
        .write_all(b"GET /v1.41/system/df HTTP/1.0\r\nHost: docker\r\n\r\n")
        .await
        .expect("asking for the disk usage");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.expect("reading it");
    let start = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP response")
        + 4;
    let usage: serde_json::Value = serde_json::from_slice(&response[start..]).expect("JSON");
    let records = usage["BuildCache"].as_array().cloned().unwrap_or_default();
    records
        .iter()
        .filter_map(|r| {
            Some((
                r["ID"].as_str()?.to_string(),
                r["Size"].as_i64().unwrap_or(0),
            ))
        })
        .collect()
}

/// Prune the records of at least 1 MiB that are not in `before`; returns bytes freed.
pub(crate) async fn prune_new(engine: &DockerEngine, before: &HashSet<String>) -> i64 {
    let ids: Vec<String> = listing(engine)
        .await
        .into_iter()
        .filter(|(id, size)| *size >= OURS_AT_LEAST && !before.contains(id))
        .map(|(id, _)| id)
        .collect();
    if ids.is_empty() {
        return 0;
    }
    // dockerd 20.10 takes one value per filter key and matches `id` as a regular
    // expression (`id~=`), so one alternation names them all.
    let pattern = format!("^({})$", ids.join("|"));
    let options = PruneBuildOptions {
        filters: Some([("id".to_string(), vec![pattern])].into()),
        ..Default::default()
    };
    let pruned = engine
        .client()
        .prune_build(Some(options))
        .await
        .expect("pruning the benchmark's build cache");
    pruned.space_reclaimed.unwrap_or(0)
}
