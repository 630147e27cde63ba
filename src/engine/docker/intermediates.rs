//! What a failed or cancelled classic build leaves: the images it committed for its
//! steps, which carry no labels (so a run's label sweep cannot find them).

use std::time::{Duration, Instant};

use bollard::query_parameters::RemoveImageOptions;

use super::DockerEngine;
use super::errors::is_conflict;

/// Remove the unlabelled images a failed or cancelled classic build committed (newest
/// first; removing one prunes its untagged parents). Not forced: an image another build
/// has since used as cache stays. A cancelled build's container may hold the newest one
/// for a moment, so "in use by a container" is retried for a while.
pub(super) async fn remove_intermediates(engine: &DockerEngine, images: &[String]) {
    let options = RemoveImageOptions {
        force: false,
        noprune: false,
        ..Default::default()
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    for id in images.iter().rev() {
        loop {
            match engine
                .docker
                .remove_image(id, Some(options.clone()), None)
                .await
            {
                Err(e)
                    if is_conflict(&e)
                        && e.to_string().contains("being used by")
                        && Instant::now() < deadline =>
                {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                _ => break,
            }
        }
    }
}
