//! Tagging an image for a registry and pushing it there, with the user's credentials
//! ([`crate::engine::auth`]), as `docker tag` + `docker push` do.

use bollard::query_parameters::{PushImageOptions, TagImageOptions};
use futures_util::StreamExt;

use super::DockerEngine;
use super::line_end::to_last_message;
use crate::engine::EngineError;

/// Tag `image` as `repo:tag` (`repo` may name a registry host).
pub(super) async fn tag(
    engine: &DockerEngine,
    image: &str,
    repo: &str,
    tag: &str,
) -> Result<(), EngineError> {
    let options = TagImageOptions {
        repo: Some(repo.to_string()),
        tag: Some(tag.to_string()),
    };
    engine
        .docker
        .tag_image(image, Some(options))
        .await
        .map_err(|e| {
            engine
                .fail(
                    format!("tagging image '{image}' as '{repo}:{tag}'"),
                    format!("image '{image}'"),
                )
                .map(e)
        })
}

/// Push `repo:tag` to the registry `repo` names; the stream's error (the registry's own
/// message, passed on by the daemon) fails it.
pub(super) async fn push(engine: &DockerEngine, repo: &str, tag: &str) -> Result<(), EngineError> {
    let host = repo.split('/').next().unwrap_or(repo);
    let credentials = crate::engine::auth::credentials_for(host);
    let options = PushImageOptions {
        tag: Some(tag.to_string()),
        ..Default::default()
    };
    let mut stream = to_last_message(engine.long.push_image(
        repo,
        Some(options),
        Some(credentials),
    ));
    while let Some(item) = stream.next().await {
        item.map_err(|e| {
            engine
                .fail_long(
                    format!("pushing '{repo}:{tag}'"),
                    format!("image '{repo}:{tag}'"),
                )
                .map(e)
        })?;
    }
    Ok(())
}
