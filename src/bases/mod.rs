//! Stand-in base images for machines where no registry answers.
//!
//! `ubuntu:20.04`, `python:3.9-slim`, `gcr.io/distroless/python3` (and `debian:12`) get
//! locally built look-alikes made from Debian 12 packages with `mmdebstrap` and imported
//! through the [`Engine`]. Every stand-in trusts the host's extra CA certificates and says
//! what it is in its labels (`basebench.stand-in=<requested>`). Musl-based images (Alpine)
//! cannot be made this way: [`recipe_for`] says so.

mod error;
pub mod mirror;
pub(crate) mod mmdebstrap;
pub(crate) mod recipes;

use std::collections::HashMap;

pub use error::StandInError;
pub use mirror::Mirror;
pub use mmdebstrap::StandInOptions;
pub(crate) use recipes::{ARTICLE_BASES, Recipe, normalize, recipe_for};
pub use recipes::{NoStandIn, stand_in_reference_in};

use crate::engine::{Engine, ImageInfo, ImportRequest, MANAGED_LABEL, STAND_IN_LABEL};

/// Label holding the recipe id and summary of a stand-in.
pub(crate) const RECIPE_LABEL: &str = "basebench.stand-in.recipe";
/// Label holding the [`Recipe::fingerprint`] a stand-in was made with; one made with
/// another recipe (or before the label existed) is rebuilt on use.
pub const RECIPE_HASH_LABEL: &str = "basebench.stand-in.recipe-hash";
/// Label holding the mmdebstrap version that built a stand-in.
pub const MMDEBSTRAP_LABEL: &str = "basebench.stand-in.mmdebstrap";
/// Label holding the Debian mirror and suite a stand-in was built from.
pub const SOURCE_LABEL: &str = "basebench.stand-in.source";

/// A stand-in image ready to use.
#[derive(Debug, Clone, PartialEq)]
pub struct StandIn {
    /// The reference it stands in for, normalised (e.g. `ubuntu:20.04`).
    pub(crate) requested: String,
    /// The stand-in's tag, e.g. `basebench-stand-in/ubuntu:20.04`.
    pub reference: String,
    /// Image id.
    pub image_id: String,
    /// Image size in bytes.
    pub size_bytes: u64,
    /// The recipe it was made with.
    pub(crate) recipe: &'static Recipe,
    /// True when this call built it; false when an existing image was reused.
    pub built: bool,
}

/// A receiver of progress lines.
pub(crate) type Progress<'a> = &'a (dyn Fn(&str) + Send + Sync);

/// Make sure a stand-in for `requested` exists (reusing a labelled image, else building
/// one with mmdebstrap from the Debian mirror `mirror_setting` names, else the host's) and
/// return it.
pub(crate) async fn ensure_stand_in(
    engine: &dyn Engine,
    requested: &str,
    mirror_setting: Option<&str>,
    progress: Progress<'_>,
) -> Result<StandIn, StandInError> {
    let options = StandInOptions::from_host(mirror_setting);
    ensure_stand_in_with(engine, requested, &options, false, progress).await
}

/// [`ensure_stand_in`] with explicit options; `rebuild` builds even when one exists.
pub async fn ensure_stand_in_with(
    engine: &dyn Engine,
    requested: &str,
    options: &StandInOptions,
    rebuild: bool,
    progress: Progress<'_>,
) -> Result<StandIn, StandInError> {
    let recipe = recipe_for(requested)?;
    let wanted = normalize(requested);
    let reference = stand_in_reference_in(&options.prefix, requested);
    let previous = existing(engine, &wanted, &reference).await?;
    let fingerprint = recipe.fingerprint();
    let current = previous
        .as_ref()
        .filter(|i| i.labels.get(RECIPE_HASH_LABEL) == Some(&fingerprint));
    if previous.is_some() && current.is_none() && !rebuild {
        progress(&format!(
            "stand-in {reference} was made with an older recipe: rebuilding it"
        ));
    }
    if !rebuild && let Some(info) = current.cloned() {
        progress(&format!(
            "using stand-in {reference} for {wanted} (already built)"
        ));
        return Ok(StandIn {
            requested: wanted,
            reference,
            image_id: info.id,
            size_bytes: info.size_bytes,
            recipe,
            built: false,
        });
    }
    let (image_id, size_bytes) =
        build_and_import(engine, recipe, &wanted, &reference, options, progress).await?;
    if let Some(old) = previous.filter(|old| old.id != image_id) {
        // The rebuilt image took the tag; drop the old one unless something still uses it.
        if let Err(e) = engine.remove_image(&old.id).await {
            progress(&format!("kept the previous stand-in image {}: {e}", old.id));
        }
    }
    Ok(StandIn {
        requested: wanted,
        reference,
        image_id,
        size_bytes,
        recipe,
        built: true,
    })
}

/// Build the root filesystem with mmdebstrap in a temporary directory (always removed)
/// and import it; returns the image id and size.
async fn build_and_import(
    engine: &dyn Engine,
    recipe: &'static Recipe,
    wanted: &str,
    reference: &str,
    options: &StandInOptions,
    progress: Progress<'_>,
) -> Result<(String, u64), StandInError> {
    let mirror = options
        .mirror
        .as_ref()
        .ok_or_else(|| StandInError::NoMirror {
            requested: wanted.to_string(),
        })?;
    let version = mmdebstrap::version(options, wanted).await?;
    progress(&format!(
        "building stand-in {reference} for {wanted}: {} of Debian {} from {} ({version})",
        recipe.variant.as_str(),
        mirror.suite,
        mirror.uri
    ));
    let started = std::time::Instant::now();
    let temp = temp_dir(options, wanted)?;
    let tarball = mmdebstrap::build_tarball(recipe, wanted, options, mirror, temp.path()).await?;
    let built_s = started.elapsed().as_secs_f64();
    let request = ImportRequest {
        tarball,
        reference: reference.to_string(),
        changes: changes(recipe, wanted, &version, mirror, options),
    };
    let image_id = engine
        .import_image(&request)
        .await
        .map_err(|source| engine_error(wanted, format!("importing '{reference}'"), source))?;
    drop(temp);
    let info = engine
        .image_info(reference)
        .await
        .map_err(|source| engine_error(wanted, format!("inspecting '{reference}'"), source))?;
    let size_bytes = info.map(|i| i.size_bytes).unwrap_or_default();
    progress(&format!(
        "built stand-in {reference} ({:.1} MB; mmdebstrap {built_s:.0} s, import {:.0} s)",
        size_bytes as f64 / 1e6,
        started.elapsed().as_secs_f64() - built_s
    ));
    Ok((image_id, size_bytes))
}

/// The image at `reference` when it is a stand-in for `wanted`.
async fn existing(
    engine: &dyn Engine,
    wanted: &str,
    reference: &str,
) -> Result<Option<ImageInfo>, StandInError> {
    let info = engine
        .image_info(reference)
        .await
        .map_err(|source| engine_error(wanted, format!("inspecting '{reference}'"), source))?;
    Ok(info.filter(|i| i.labels.get(STAND_IN_LABEL).is_some_and(|v| v == wanted)))
}

fn temp_dir(options: &StandInOptions, wanted: &str) -> Result<tempfile::TempDir, StandInError> {
    let builder = {
        let mut b = tempfile::Builder::new();
        b.prefix("basebench-stand-in-");
        b
    };
    let made = match &options.temp_dir {
        Some(dir) => builder.tempdir_in(dir),
        None => builder.tempdir(),
    };
    made.map_err(|source| StandInError::Io {
        requested: wanted.to_string(),
        action: "creating a temporary directory".to_string(),
        source,
    })
}

fn engine_error(wanted: &str, action: String, source: crate::engine::EngineError) -> StandInError {
    StandInError::Engine {
        requested: wanted.to_string(),
        action,
        source,
    }
}

/// The import changes: the recipe's configuration, then the labels.
pub(crate) fn changes(
    recipe: &Recipe,
    wanted: &str,
    version: &str,
    mirror: &Mirror,
    options: &StandInOptions,
) -> Vec<String> {
    let mut changes: Vec<String> = recipe.changes.iter().map(|c| c.to_string()).collect();
    let mut labels: Vec<(String, String)> = vec![
        (MANAGED_LABEL.to_string(), "true".to_string()),
        (STAND_IN_LABEL.to_string(), wanted.to_string()),
        (
            RECIPE_LABEL.to_string(),
            format!("{}: {}", recipe.id, squeeze(recipe.summary)),
        ),
        (RECIPE_HASH_LABEL.to_string(), recipe.fingerprint()),
        (MMDEBSTRAP_LABEL.to_string(), version.to_string()),
        (
            SOURCE_LABEL.to_string(),
            format!(
                "{} {} (+ host CA certificates from {})",
                mirror.uri,
                mirror.suite,
                options.extra_ca_dir.display()
            ),
        ),
    ];
    labels.extend(options.extra_labels.iter().cloned());
    for (key, value) in labels {
        changes.push(format!(
            "LABEL {key}=\"{}\"",
            value.replace('\\', "\\\\").replace('"', "\\\"")
        ));
    }
    changes
}

/// Collapse runs of whitespace (recipe summaries are wrapped in the source).
fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A stand-in found on the daemon.
#[derive(Debug, Clone, PartialEq)]
pub struct StandInImage {
    /// What it stands in for (its `basebench.stand-in` label).
    pub(crate) requested: String,
    /// Its tags.
    pub tags: Vec<String>,
    pub(crate) image_id: String,
    pub(crate) size_bytes: u64,
    pub(crate) labels: HashMap<String, String>,
}

/// Every image on the daemon carrying the stand-in label.
pub async fn list_stand_ins(engine: &dyn Engine) -> Result<Vec<StandInImage>, StandInError> {
    let wrap = |action: &str, source| engine_error("*", action.to_string(), source);
    let labelled = engine
        .list_labelled(STAND_IN_LABEL)
        .await
        .map_err(|e| wrap("listing", e))?;
    let mut found = Vec::new();
    for id in labelled.images {
        let Some(info) = engine
            .image_info(&id)
            .await
            .map_err(|e| wrap("inspecting", e))?
        else {
            continue;
        };
        found.push(StandInImage {
            requested: info.labels.get(STAND_IN_LABEL).cloned().unwrap_or_default(),
            tags: info.repo_tags.clone(),
            image_id: info.id.clone(),
            size_bytes: info.size_bytes,
            labels: info.labels,
        });
    }
    found.sort_by(|a, b| a.requested.cmp(&b.requested));
    Ok(found)
}

/// Remove the stand-in tagged for `requested` under `prefix`, if it is one; returns
/// whether something was removed.
pub async fn remove_stand_in(
    engine: &dyn Engine,
    requested: &str,
    prefix: &str,
) -> Result<bool, StandInError> {
    let wanted = normalize(requested);
    let reference = stand_in_reference_in(prefix, requested);
    if existing(engine, &wanted, &reference).await?.is_none() {
        return Ok(false);
    }
    engine
        .remove_image(&reference)
        .await
        .map_err(|source| engine_error(&wanted, format!("removing '{reference}'"), source))?;
    Ok(true)
}
