//! Which layers make the image, in which order, and its config: from `manifest.json`
//! (Docker's layout, also written by Docker 25+) or, without it, from the OCI `index.json`.

use serde::Deserialize;

use super::archive::SaveContents;
use super::error::AnatomyError;

/// The image as the archive's documents describe it.
#[derive(Debug, Default)]
pub(crate) struct ImageMeta {
    /// Paths (in the archive) of the layers, bottom first.
    pub(crate) layers: Vec<String>,
    /// Which document listed them (for error messages).
    pub(crate) listed_in: String,
    /// `config.User`.
    pub(crate) user: String,
    /// `config.Env` (`NAME=value` each).
    pub(crate) env: Vec<String>,
    /// `created_by` (or, when empty, `comment`) of each history entry that made a layer,
    /// bottom first.
    pub(crate) created_by: Vec<String>,
    /// Remarks about pairing history and layers.
    pub(crate) notes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SaveManifest {
    config: String,
    #[serde(default)]
    layers: Vec<String>,
}

#[derive(Deserialize)]
struct Descriptor {
    digest: String,
    #[serde(default, rename = "mediaType")]
    media_type: String,
    #[serde(default)]
    platform: Option<Platform>,
}

#[derive(Deserialize)]
struct Platform {
    #[serde(default)]
    os: String,
}

#[derive(Deserialize)]
struct OciIndex {
    #[serde(default)]
    manifests: Vec<Descriptor>,
}

#[derive(Deserialize)]
struct OciManifest {
    config: Descriptor,
    #[serde(default)]
    layers: Vec<Descriptor>,
}

#[derive(Deserialize, Default)]
struct ImageConfig {
    #[serde(default)]
    config: Option<RunConfig>,
    #[serde(default)]
    history: Vec<History>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct RunConfig {
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    env: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
struct History {
    #[serde(default)]
    created_by: Option<String>,
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    empty_layer: bool,
}

fn bad(what: &str, message: impl ToString) -> AnatomyError {
    AnatomyError::Metadata {
        what: what.to_string(),
        message: message.to_string(),
    }
}

fn parse<'a, T: Deserialize<'a>>(
    contents: &'a SaveContents,
    path: &str,
    what: &str,
) -> Result<T, AnatomyError> {
    let doc = contents
        .documents
        .get(&contents.canonical(path))
        .ok_or_else(|| bad(what, format!("'{path}' is not in the archive")))?;
    serde_json::from_slice(doc).map_err(|e| bad(what, format!("'{path}': {e}")))
}

fn blob_path(digest: &str) -> String {
    format!("blobs/{}", digest.replacen(':', "/", 1))
}

/// Reads the image's layer list and config from the archive's documents.
pub(crate) fn image_meta(contents: &SaveContents) -> Result<ImageMeta, AnatomyError> {
    let (config_path, layers, listed_in) = if contents.documents.contains_key("manifest.json") {
        let manifests: Vec<SaveManifest> = parse(contents, "manifest.json", "manifest.json")?;
        let first = manifests
            .into_iter()
            .next()
            .ok_or_else(|| bad("manifest.json", "it lists no image"))?;
        (first.config, first.layers, "manifest.json")
    } else if contents.documents.contains_key("index.json") {
        let (config, layers) = oci_layers(contents)?;
        (config, layers, "index.json")
    } else {
        return Err(bad(
            "manifest.json",
            "neither manifest.json nor index.json was found",
        ));
    };
    let config: ImageConfig = parse(contents, &config_path, "the image config")?;
    let mut meta = ImageMeta {
        layers: layers.iter().map(|l| contents.canonical(l)).collect(),
        listed_in: listed_in.to_string(),
        user: config
            .config
            .as_ref()
            .and_then(|c| c.user.clone())
            .unwrap_or_default(),
        env: config
            .config
            .as_ref()
            .and_then(|c| c.env.clone())
            .unwrap_or_default(),
        ..ImageMeta::default()
    };
    let made: Vec<String> = config
        .history
        .into_iter()
        .filter(|h| !h.empty_layer)
        .map(|h| match h.created_by.filter(|c| !c.trim().is_empty()) {
            Some(created_by) => created_by,
            // `docker import` leaves created_by empty and says "Imported from -".
            None => h.comment.unwrap_or_default(),
        })
        .collect();
    if !made.is_empty() && made.len() != meta.layers.len() {
        meta.notes.push(format!(
            "the config history names {} layer(s) but the image has {}; instructions are \
             paired bottom first",
            made.len(),
            meta.layers.len()
        ));
    }
    meta.created_by = made;
    Ok(meta)
}

/// Follows `index.json` (and nested indexes) to the first image manifest that is in the
/// archive, skipping attestation manifests (platform `unknown`).
fn oci_layers(contents: &SaveContents) -> Result<(String, Vec<String>), AnatomyError> {
    let mut index: OciIndex = parse(contents, "index.json", "index.json")?;
    for _ in 0..4 {
        let usable = |d: &Descriptor| {
            let attestation = d.platform.as_ref().is_some_and(|p| p.os == "unknown");
            let present = contents
                .documents
                .contains_key(&contents.canonical(&blob_path(&d.digest)));
            present && !attestation
        };
        let first = index
            .manifests
            .into_iter()
            .find(usable)
            .ok_or_else(|| bad("index.json", "it lists no manifest that is in the archive"))?;
        let path = blob_path(&first.digest);
        if first.media_type.contains("index") || first.media_type.contains("manifest.list") {
            index = parse(contents, &path, "an OCI index")?;
            continue;
        }
        let manifest: OciManifest = parse(contents, &path, "the OCI manifest")?;
        let layers = manifest
            .layers
            .iter()
            .map(|l| blob_path(&l.digest))
            .collect();
        return Ok((blob_path(&manifest.config.digest), layers));
    }
    Err(bad("index.json", "indexes nest too deeply"))
}
