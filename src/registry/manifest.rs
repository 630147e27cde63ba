//! Reading a registry manifest (pure): an OCI image manifest or a Docker v2 schema 2
//! manifest gives the config and per-layer compressed sizes and digests; an index or
//! manifest list is an error naming it (basebench pushes single-platform images).

use serde::Deserialize;

/// The media types asked for, in the `Accept` header of the manifest request.
pub(crate) const ACCEPT: &str = "application/vnd.oci.image.manifest.v1+json, \
     application/vnd.docker.distribution.manifest.v2+json, \
     application/vnd.oci.image.index.v1+json, \
     application/vnd.docker.distribution.manifest.list.v2+json";

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";

/// One blob a manifest names: its digest and compressed size.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct Blob {
    /// `sha256:...`.
    pub(crate) digest: String,
    /// Bytes as stored and sent (compressed for layers).
    pub(crate) size: u64,
}

/// What a manifest says a pull downloads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Manifest {
    /// The media type it was served as.
    pub(crate) media_type: String,
    /// The image config blob.
    pub(crate) config: Blob,
    /// The layers, bottom first.
    pub(crate) layers: Vec<Blob>,
}

impl Manifest {
    /// Config plus layer sizes: what `docker pull` downloads onto a node that has none of
    /// the layers.
    pub(crate) fn compressed_bytes(&self) -> u64 {
        self.config.size + self.layers.iter().map(|l| l.size).sum::<u64>()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Raw {
    #[serde(default)]
    schema_version: Option<u32>,
    #[serde(default)]
    media_type: Option<String>,
    #[serde(default)]
    config: Option<Blob>,
    #[serde(default)]
    layers: Option<Vec<Blob>>,
    #[serde(default)]
    manifests: Option<Vec<serde_json::Value>>,
}

/// Parse a manifest body; `content_type` is the response's `Content-Type` (the body's
/// `mediaType` wins when both are there; OCI manifests may leave it out).
pub(crate) fn parse(body: &[u8], content_type: Option<&str>) -> Result<Manifest, String> {
    let raw: Raw =
        serde_json::from_slice(body).map_err(|e| format!("the manifest is not JSON: {e}"))?;
    let media_type = raw
        .media_type
        .clone()
        .or_else(|| content_type.map(|c| c.split(';').next().unwrap_or(c).trim().to_string()))
        .unwrap_or_default();
    if media_type == OCI_INDEX || media_type == DOCKER_LIST || raw.manifests.is_some() {
        return Err(format!(
            "the registry returned an image index ({} platform manifests), not one image's \
             manifest; basebench measures single-platform images: push one platform",
            raw.manifests.map_or(0, |m| m.len())
        ));
    }
    if raw.schema_version != Some(2) {
        return Err(format!(
            "the manifest has schema version {:?}; only schema 2 (Docker v2 or OCI) is read",
            raw.schema_version
        ));
    }
    if !media_type.is_empty() && media_type != OCI_MANIFEST && media_type != DOCKER_MANIFEST {
        return Err(format!(
            "the manifest has media type '{media_type}', not an image manifest"
        ));
    }
    let config = raw
        .config
        .ok_or_else(|| "the manifest names no config blob".to_string())?;
    Ok(Manifest {
        media_type: if media_type.is_empty() {
            OCI_MANIFEST.to_string()
        } else {
            media_type
        },
        config,
        layers: raw.layers.unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCKER: &str = r#"{
       "schemaVersion": 2,
       "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
       "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                  "size": 1457, "digest": "sha256:c0"},
       "layers": [
          {"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
           "size": 31357624, "digest": "sha256:a1"},
          {"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
           "size": 1120, "digest": "sha256:b2"}
       ]
    }"#;

    const OCI: &str = r#"{
       "schemaVersion": 2,
       "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                  "size": 600, "digest": "sha256:c1"},
       "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                   "size": 400, "digest": "sha256:d4"}],
       "annotations": {"org.opencontainers.image.created": "2026-12-02T00:00:00Z"}
    }"#;

    #[test]
    fn a_docker_v2_manifest_gives_config_and_layer_sizes() {
        let m = parse(DOCKER.as_bytes(), None).expect("parsed");
        assert_eq!(m.media_type, DOCKER_MANIFEST);
        assert_eq!(m.config.size, 1457);
        assert_eq!(
            m.layers
                .iter()
                .map(|l| l.digest.as_str())
                .collect::<Vec<_>>(),
            ["sha256:a1", "sha256:b2"]
        );
        assert_eq!(m.compressed_bytes(), 1457 + 31357624 + 1120);
    }

    #[test]
    fn an_oci_manifest_without_a_media_type_is_read_by_its_content_type() {
        let m = parse(
            OCI.as_bytes(),
            Some("application/vnd.oci.image.manifest.v1+json"),
        )
        .expect("parsed");
        assert_eq!(m.media_type, OCI_MANIFEST);
        assert_eq!(m.compressed_bytes(), 1000);
        assert!(parse(OCI.as_bytes(), None).is_ok());
    }

    #[test]
    fn an_index_or_a_list_is_an_error_naming_it() {
        let index = r#"{"schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [{"digest": "sha256:1", "size": 1}, {"digest": "sha256:2", "size": 2}]}"#;
        let e = parse(index.as_bytes(), None).expect_err("an error");
        assert!(e.contains("image index (2 platform manifests)"), "{e}");
        let list = r#"{"schemaVersion": 2, "manifests": []}"#;
        assert!(
            parse(list.as_bytes(), Some(DOCKER_LIST))
                .expect_err("an error")
                .contains("index")
        );
    }

    #[test]
    fn other_shapes_are_errors() {
        assert!(
            parse(b"{", None)
                .expect_err("an error")
                .contains("not JSON")
        );
        let v1 = r#"{"schemaVersion": 1, "fsLayers": []}"#;
        assert!(
            parse(v1.as_bytes(), None)
                .expect_err("an error")
                .contains("schema version")
        );
        let no_config = r#"{"schemaVersion": 2, "layers": []}"#;
        assert!(
            parse(no_config.as_bytes(), None)
                .expect_err("an error")
                .contains("config")
        );
    }
}
