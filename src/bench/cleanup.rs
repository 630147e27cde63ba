//! Removing what a run created: per variant as it finishes, and a label sweep at the end
//! of a run, on interrupt, and for `basebench clean` (which leaves kept images and the
//! containers basebench did not create alone).

use crate::engine::{Engine, EngineError, KEEP_LABEL, RUN_LABEL};

/// Objects one variant created, in creation order.
#[derive(Debug, Default)]
pub(crate) struct Created {
    /// Container ids.
    pub(crate) containers: Vec<String>,
    /// Image ids from every build.
    pub(crate) images: Vec<String>,
    /// The image measured (kept with `--keep-images`).
    pub(crate) measured: Option<String>,
    /// Tags basebench added for the registry (`HOST/PREFIX/<variant>:<run-id>`), removed
    /// before the images (kept with `--keep-images`).
    pub(crate) tags: Vec<String>,
}

/// Remove a variant's containers, then its images (all but the measured one when
/// `keep_measured`). Failures are ignored here: the end-of-run sweep retries by label.
pub(crate) async fn remove_created(engine: &dyn Engine, created: &Created, keep_measured: bool) {
    for id in created.containers.iter().rev() {
        let _ = engine.remove_container(id).await;
    }
    if !keep_measured {
        for tag in &created.tags {
            let _ = engine.remove_image(tag).await;
        }
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

/// What a sweep removes (or, planned only, would remove) and what it leaves alone.
#[derive(Debug, Default)]
pub(crate) struct Sweep {
    /// Containers basebench created, `(id, name)`.
    pub(crate) containers: Vec<(String, String)>,
    /// Image ids.
    pub(crate) images: Vec<String>,
    /// Images left because they carry the keep label (`--keep-images`).
    pub(crate) kept_images: usize,
    /// Containers left because basebench did not create them (they inherited its labels
    /// from an image).
    pub(crate) foreign_containers: usize,
}

/// Plan the removal of what runs left: the containers basebench created labelled with
/// `run_id` (or, with `None`, any run id), then their images except those in `keep` and,
/// when `respect_kept`, those carrying the keep label. Removes nothing.
pub(crate) async fn plan_sweep(
    engine: &dyn Engine,
    run_id: Option<&str>,
    keep: &[String],
    respect_kept: bool,
) -> Result<Sweep, EngineError> {
    let label = match run_id {
        Some(id) => format!("{RUN_LABEL}={id}"),
        None => RUN_LABEL.to_string(),
    };
    let found = engine.list_labelled(&label).await?;
    let kept = if respect_kept {
        engine
            .list_labelled(&format!("{KEEP_LABEL}=true"))
            .await?
            .images
    } else {
        Vec::new()
    };
    let images: Vec<String> = found
        .images
        .iter()
        .filter(|id| !keep.contains(id))
        .cloned()
        .collect();
    let (kept, images): (Vec<String>, Vec<String>) =
        images.into_iter().partition(|id| kept.contains(id));
    Ok(Sweep {
        foreign_containers: found.containers.len() - found.own.len(),
        containers: found.own,
        images,
        kept_images: kept.len(),
    })
}

/// Remove what `sweep` lists, containers first.
pub(crate) async fn apply(engine: &dyn Engine, sweep: &Sweep) -> Result<(), EngineError> {
    for (id, _) in &sweep.containers {
        engine.remove_container(id).await?;
    }
    for id in &sweep.images {
        engine.remove_image(id).await?;
    }
    Ok(())
}

/// Remove the containers basebench created labelled with `run_id` (or, with `None`, with
/// any run id), then the images, except images in `keep`. Returns what was removed.
pub(crate) async fn sweep_run(
    engine: &dyn Engine,
    run_id: Option<&str>,
    keep: &[String],
) -> Result<Sweep, EngineError> {
    // A create whose caller was dropped (an interrupt) still makes its container: wait
    // for it, or the listing below would miss it.
    engine.settle().await;
    let sweep = plan_sweep(engine, run_id, keep, false).await?;
    apply(engine, &sweep).await?;
    Ok(sweep)
}
