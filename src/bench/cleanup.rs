//! Removing what a run created: per variant as it finishes, and a label sweep at the end
//! of a run, on interrupt, and for `basebench clean`.

use crate::engine::{Engine, EngineError, Labelled, RUN_LABEL};

/// Objects one variant created, in creation order.
#[derive(Debug, Default)]
pub(crate) struct Created {
    /// Container ids.
    pub(crate) containers: Vec<String>,
    /// Image ids from every build.
    pub(crate) images: Vec<String>,
    /// The image measured (kept with `--keep-images`).
    pub(crate) measured: Option<String>,
}

/// Remove a variant's containers, then its images (all but the measured one when
/// `keep_measured`). Failures are ignored here: the end-of-run sweep retries by label.
pub(crate) async fn remove_created(engine: &dyn Engine, created: &Created, keep_measured: bool) {
    for id in created.containers.iter().rev() {
        let _ = engine.remove_container(id).await;
    }
    let mut images: Vec<&String> = created.images.iter().collect();
    images.dedup();
    for id in images.into_iter().rev() {
        if keep_measured && created.measured.as_ref() == Some(id) {
            continue;
        }
        let _ = engine.remove_image(id).await;
    }
}

/// Remove every container and image labelled with `run_id` (or, with `None`, with any
/// run id), except images in `keep`. Returns what was removed.
pub(crate) async fn sweep_run(
    engine: &dyn Engine,
    run_id: Option<&str>,
    keep: &[String],
) -> Result<Labelled, EngineError> {
    let label = match run_id {
        Some(id) => format!("{RUN_LABEL}={id}"),
        None => RUN_LABEL.to_string(),
    };
    let found = engine.list_labelled(&label).await?;
    let mut removed = Labelled::default();
    for id in &found.containers {
        engine.remove_container(id).await?;
        removed.containers.push(id.clone());
    }
    for id in found.images.iter().filter(|id| !keep.contains(id)) {
        engine.remove_image(id).await?;
        removed.images.push(id.clone());
    }
    Ok(removed)
}
