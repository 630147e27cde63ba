//! Images and the daemon itself: info, inspect + history, pull, import, remove, export
//! and listing labelled objects.

use std::collections::HashMap;
use std::io;

use bollard::query_parameters::{
    CreateImageOptions, ListContainersOptions, ListImagesOptions, RemoveImageOptions,
};
use bytes::{Bytes, BytesMut};
use futures_util::{StreamExt, TryStreamExt};
use tokio::io::AsyncReadExt;

use super::DockerEngine;
use super::errors::{is_conflict, is_not_found};
use super::line_end::to_last_message;
use super::manifests;
use crate::engine::{
    ByteStream, EngineError, HistoryItem, ImageInfo, ImportRequest, Labelled, MANAGED_LABEL,
};
use crate::results::HostInfo;

/// Size of the chunks an import tarball is read and sent in.
const CHUNK: usize = 256 * 1024;

/// Versions and resources of the daemon host.
pub(super) async fn host_info(engine: &DockerEngine) -> Result<HostInfo, EngineError> {
    let fail = |e| {
        engine
            .fail("asking the daemon for its version", "the daemon")
            .map(e)
    };
    let version = engine.docker.version().await.map_err(fail)?;
    let info = engine.docker.info().await.map_err(fail)?;
    let components: Vec<String> = version
        .components
        .iter()
        .flatten()
        .map(|c| c.name.clone())
        .collect();
    Ok(HostInfo {
        engine: engine_kind(&components),
        engine_version: version.version.unwrap_or_default(),
        api_version: engine.api_version.clone(),
        os: info.operating_system.unwrap_or_default(),
        kernel: info.kernel_version.unwrap_or_default(),
        cpus: info.ncpu.unwrap_or(0).max(0) as u64,
        memory_bytes: info.mem_total.unwrap_or(0).max(0) as u64,
        storage_driver: info.driver.unwrap_or_default(),
        address: engine.address.host.clone(),
        address_source: engine.address.source.to_string(),
    })
}

/// The engine's kind from the components `/version` lists: dockerd's is `Engine`, Podman's
/// `Podman Engine`; anything else is named by its first component.
fn engine_kind(components: &[String]) -> String {
    if components.iter().any(|c| c == "Engine") {
        "Docker".to_string()
    } else if components.iter().any(|c| c.starts_with("Podman")) {
        "Podman".to_string()
    } else {
        components
            .first()
            .cloned()
            .unwrap_or_else(|| "unknown engine".to_string())
    }
}

/// Inspect and history of a local image; `None` when absent.
pub(super) async fn image_info(
    engine: &DockerEngine,
    reference: &str,
) -> Result<Option<ImageInfo>, EngineError> {
    let fail = |e| {
        engine
            .fail(format!("inspecting image '{reference}'"), image(reference))
            .map(e)
    };
    let inspect = match engine.docker.inspect_image(reference).await {
        Ok(inspect) => inspect,
        Err(e) if is_not_found(&e) => return Ok(None),
        Err(e) => return Err(fail(e)),
    };
    // The image can go between the two calls (a build removing its intermediates): absent.
    let mut history = match engine.docker.image_history(reference).await {
        Ok(history) => history,
        Err(e) if is_not_found(&e) => return Ok(None),
        Err(e) => return Err(fail(e)),
    };
    history.reverse();
    let size = inspect.size.unwrap_or(0).max(0) as u64;
    // Under the containerd store, `Size` may be the packed size: the platform
    // manifest's unpacked size where the engine lists it (see `manifests`).
    let size_bytes = manifests::unpacked_size(engine, reference)
        .await
        .unwrap_or(size);
    let config = inspect.config.unwrap_or_default();
    Ok(Some(ImageInfo {
        id: inspect.id.unwrap_or_default(),
        repo_tags: inspect.repo_tags.unwrap_or_default(),
        size_bytes,
        layers: inspect
            .root_fs
            .and_then(|r| r.layers)
            .map_or(0, |l| l.len() as u32),
        user: config.user.unwrap_or_default(),
        labels: config.labels.unwrap_or_default(),
        entrypoint: config.entrypoint.unwrap_or_default(),
        cmd: config.cmd.unwrap_or_default(),
        exposed_ports: {
            let mut ports: Vec<String> = config.exposed_ports.unwrap_or_default();
            ports.sort();
            ports
        },
        history: history
            .into_iter()
            .map(|h| HistoryItem {
                size_bytes: h.size.max(0) as u64,
                created_by: h.created_by,
                comment: h.comment,
            })
            .collect(),
    }))
}

/// Pull `reference` from its registry.
pub(super) async fn pull(
    engine: &DockerEngine,
    reference: &str,
) -> Result<crate::engine::Pulled, EngineError> {
    let options = CreateImageOptions {
        from_image: Some(reference.to_string()),
        ..Default::default()
    };
    let mut stream = to_last_message(engine.long.create_image(Some(options), None, None));
    let mut layers = LayerStatus::default();
    while let Some(item) = stream.next().await {
        let info = item.map_err(|e| {
            engine
                .fail_long(format!("pulling image '{reference}'"), image(reference))
                .map(e)
        })?;
        if let (Some(id), Some(status)) = (&info.id, &info.status) {
            layers.saw(id, status);
        }
    }
    Ok(layers.pulled())
}

/// Each layer's last word in a pull's progress: `Already exists` or `Pull complete`.
#[derive(Debug, Default)]
struct LayerStatus {
    present: std::collections::BTreeSet<String>,
    downloaded: std::collections::BTreeSet<String>,
}

impl LayerStatus {
    fn saw(&mut self, id: &str, status: &str) {
        match status {
            "Already exists" => {
                self.present.insert(id.to_string());
            }
            "Pull complete" => {
                self.downloaded.insert(id.to_string());
            }
            _ => {}
        }
    }

    fn pulled(&self) -> crate::engine::Pulled {
        crate::engine::Pulled {
            layers_downloaded: self.downloaded.len() as u32,
            layers_present: self.present.difference(&self.downloaded).count() as u32,
        }
    }
}

/// `docker import`: the tarball is streamed from disk, `changes` applied.
pub(super) async fn import(
    engine: &DockerEngine,
    request: &ImportRequest,
) -> Result<String, EngineError> {
    let reference = &request.reference;
    let action = format!(
        "importing '{}' as image '{reference}'",
        request.tarball.display()
    );
    let file = tokio::fs::File::open(&request.tarball)
        .await
        .map_err(|e| EngineError::Api {
            action: action.clone(),
            message: format!("cannot open the tarball: {e}"),
        })?;
    let (repo, tag) = split_reference(reference);
    let options = CreateImageOptions {
        from_src: Some("-".to_string()),
        repo: Some(repo.to_string()),
        tag: tag.map(str::to_string),
        changes: request.changes.clone(),
        ..Default::default()
    };
    let body = bollard::body_try_stream(read_chunks(file));
    let mut stream = to_last_message(engine.long.create_image(Some(options), Some(body), None));
    while let Some(item) = stream.next().await {
        item.map_err(|e| engine.fail_long(action.clone(), image(reference)).map(e))?;
    }
    let inspect = engine
        .docker
        .inspect_image(reference)
        .await
        .map_err(|e| engine.fail(action.clone(), image(reference)).map(e))?;
    inspect.id.ok_or_else(|| EngineError::Api {
        action,
        message: "the daemon reported no image id".to_string(),
    })
}

/// A file as a stream of chunks, read as the body is sent.
fn read_chunks(
    file: tokio::fs::File,
) -> impl futures_util::Stream<Item = io::Result<Bytes>> + Send {
    futures_util::stream::try_unfold(file, |mut file| async move {
        let mut buf = BytesMut::with_capacity(CHUNK);
        let n = file.read_buf(&mut buf).await?;
        Ok((n > 0).then(|| (buf.freeze(), file)))
    })
}

/// `repo[:tag]` split at the tag's colon (not a registry port's).
fn split_reference(reference: &str) -> (&str, Option<&str>) {
    match reference.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => (repo, Some(tag)),
        _ => (reference, None),
    }
}

/// Remove an image; forced only when the daemon refuses and the image is basebench's.
pub(super) async fn remove(engine: &DockerEngine, reference: &str) -> Result<(), EngineError> {
    let fail = |e| {
        engine
            .fail(format!("removing image '{reference}'"), image(reference))
            .map(e)
    };
    let attempt = |force| async move {
        let options = RemoveImageOptions {
            force,
            ..Default::default()
        };
        engine
            .docker
            .remove_image(reference, Some(options), None)
            .await
    };
    match attempt(false).await {
        Ok(_) => Ok(()),
        Err(e) if is_not_found(&e) => Ok(()),
        Err(e) if is_conflict(&e) && is_ours(engine, reference).await => {
            match attempt(true).await {
                Ok(_) => Ok(()),
                Err(e) if is_not_found(&e) => Ok(()),
                Err(e) => Err(fail(e)),
            }
        }
        Err(e) => Err(fail(e)),
    }
}

/// True when the image carries basebench's managed label.
async fn is_ours(engine: &DockerEngine, reference: &str) -> bool {
    let Ok(inspect) = engine.docker.inspect_image(reference).await else {
        return false;
    };
    let labels = inspect.config.and_then(|c| c.labels).unwrap_or_default();
    labels.get(MANAGED_LABEL).is_some_and(|v| v == "true")
}

/// `docker save` of one image as a stream that owns its client.
pub(super) async fn export(
    engine: &DockerEngine,
    reference: &str,
) -> Result<ByteStream, EngineError> {
    // Inspect first so a missing image is reported now, not as a broken stream.
    engine.docker.inspect_image(reference).await.map_err(|e| {
        engine
            .fail(format!("exporting image '{reference}'"), image(reference))
            .map(e)
    })?;
    // The stream owns its request (bollard's client is reference-counted), so it
    // outlives `engine`.
    let failure = engine.fail_long(format!("exporting image '{reference}'"), image(reference));
    let stream = engine
        .long
        .export_image(reference)
        .map_err(move |e| failure.clone().map(e));
    Ok(Box::pin(stream))
}

/// Containers (running or not) and images (dangling too) carrying `label`.
pub(super) async fn list_labelled(
    engine: &DockerEngine,
    label: &str,
) -> Result<Labelled, EngineError> {
    let filters = HashMap::from([("label".to_string(), vec![label.to_string()])]);
    let fail = |e| {
        engine
            .fail(format!("listing objects labelled '{label}'"), "the daemon")
            .map(e)
    };
    let containers = engine
        .docker
        .list_containers(Some(ListContainersOptions {
            all: true,
            filters: Some(filters.clone()),
            ..Default::default()
        }))
        .await
        .map_err(fail)?;
    let images = engine
        .docker
        .list_images(Some(ListImagesOptions {
            filters: Some(filters),
            ..Default::default()
        }))
        .await
        .map_err(fail)?;
    let own = containers
        .iter()
        .filter_map(|c| {
            let name = c
                .names
                .as_ref()?
                .first()?
                .trim_start_matches('/')
                .to_string();
            let labels = c.labels.clone().unwrap_or_default();
            let id = c.id.clone()?;
            crate::engine::own_container(&name, &labels).then_some((id, name))
        })
        .collect();
    Ok(Labelled {
        containers: containers.into_iter().filter_map(|c| c.id).collect(),
        own,
        images: images.into_iter().map(|i| i.id).collect(),
    })
}

/// How errors name an image.
fn image(reference: &str) -> String {
    format!("image '{reference}'")
}

#[cfg(test)]
mod tests {
    use super::{LayerStatus, split_reference};

    #[test]
    fn a_pull_counts_the_layers_it_downloaded_and_those_already_there() {
        let mut layers = LayerStatus::default();
        for (id, status) in [
            ("a", "Already exists"),
            ("b", "Pulling fs layer"),
            ("c", "Pulling fs layer"),
            ("b", "Download complete"),
            ("b", "Pull complete"),
            ("c", "Pull complete"),
            ("3.9-slim", "Pulling from library/python"),
        ] {
            layers.saw(id, status);
        }
        let pulled = layers.pulled();
        assert_eq!((pulled.layers_downloaded, pulled.layers_present), (2, 1));
    }

    #[test]
    fn a_reference_splits_at_the_tag_not_at_a_registry_port() {
        assert_eq!(
            split_reference("basebench/ubuntu:20.04"),
            ("basebench/ubuntu", Some("20.04"))
        );
        assert_eq!(
            split_reference("localhost:5000/app"),
            ("localhost:5000/app", None)
        );
        assert_eq!(
            split_reference("localhost:5000/app:1"),
            ("localhost:5000/app", Some("1"))
        );
        assert_eq!(split_reference("app"), ("app", None));
    }
}
