//! Small synthetic image archives, made in memory, for tests and the fake engine: layer
//! tars (files, links, whiteouts, opaque directories) stacked into a `docker save` tarball
//! in Docker's legacy layout or the OCI layout of Docker 25+.

use std::io::Write;

/// A layer tar under construction. Paths are written as given (e.g. `bin/sh`).
pub struct LayerBuilder {
    tar: tar::Builder<Vec<u8>>,
}

impl Default for LayerBuilder {
    fn default() -> Self {
        Self::new()
    }
}

fn header(kind: tar::EntryType, size: u64, mode: u32) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(mode);
    h.set_mtime(0);
    h
}

impl LayerBuilder {
    /// An empty layer.
    pub fn new() -> Self {
        LayerBuilder {
            tar: tar::Builder::new(Vec::new()),
        }
    }

    /// A regular file with mode 0644.
    pub fn file(self, path: &str, content: &[u8]) -> Self {
        self.file_mode(path, content, 0o644)
    }

    /// A regular file of `size` zero bytes (mode 0644).
    pub fn sized(self, path: &str, size: usize) -> Self {
        self.file_mode(path, &vec![0u8; size], 0o644)
    }

    /// A regular file with the given mode (e.g. `0o4755` for setuid).
    pub fn file_mode(mut self, path: &str, content: &[u8], mode: u32) -> Self {
        let mut h = header(tar::EntryType::Regular, content.len() as u64, mode);
        // Writing to a Vec cannot fail; a bad path is a bug in the test.
        let _ = self.tar.append_data(&mut h, path, content);
        self
    }

    /// A regular file (mode 0644) with the modification time `mtime` (seconds).
    pub fn file_mtime(mut self, path: &str, content: &[u8], mtime: u64) -> Self {
        let mut h = header(tar::EntryType::Regular, content.len() as u64, 0o644);
        h.set_mtime(mtime);
        let _ = self.tar.append_data(&mut h, path, content);
        self
    }

    /// A directory with the given mode, owner and group.
    pub fn dir_owned(mut self, path: &str, mode: u32, uid: u64, gid: u64) -> Self {
        let mut h = header(tar::EntryType::Directory, 0, mode);
        h.set_uid(uid);
        h.set_gid(gid);
        let _ = self.tar.append_data(&mut h, path, std::io::empty());
        self
    }

    /// A directory.
    pub fn dir(mut self, path: &str) -> Self {
        let mut h = header(tar::EntryType::Directory, 0, 0o755);
        let _ = self.tar.append_data(&mut h, path, std::io::empty());
        self
    }

    /// A symbolic link `path → target`.
    pub fn symlink(mut self, path: &str, target: &str) -> Self {
        let mut h = header(tar::EntryType::Symlink, 0, 0o777);
        let _ = self.tar.append_link(&mut h, path, target);
        self
    }

    /// A hardlink `path` to `target` (an earlier file of this layer).
    pub fn hardlink(mut self, path: &str, target: &str) -> Self {
        let mut h = header(tar::EntryType::Link, 0, 0o644);
        let _ = self.tar.append_link(&mut h, path, target);
        self
    }

    /// A whiteout deleting `path` from lower layers.
    pub fn whiteout(self, path: &str) -> Self {
        let (dir, name) = path.rsplit_once('/').map_or(("", path), |(d, n)| (d, n));
        let wh = if dir.is_empty() {
            format!(".wh.{name}")
        } else {
            format!("{dir}/.wh.{name}")
        };
        self.file(&wh, b"")
    }

    /// Marks `dir` opaque (hides its lower-layer contents).
    pub fn opaque(self, dir: &str) -> Self {
        self.dir(dir).file(&format!("{dir}/.wh..wh..opq"), b"")
    }

    /// The plain tar bytes.
    pub fn finish(self) -> Vec<u8> {
        self.tar.into_inner().unwrap_or_default()
    }
}

/// How a layer is stored in the archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    /// A plain tar.
    Plain,
    /// gzip.
    Gzip,
    /// zstd.
    Zstd,
}

/// Which `docker save` layout to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `<id>/layer.tar`, `<config>.json`, `manifest.json` last (Docker ≤ 24).
    Legacy,
    /// `blobs/sha256/…`, `index.json`, `oci-layout`, `manifest.json` last (Docker 25+).
    Oci,
    /// The OCI layout without `manifest.json` (only `index.json` says the order).
    OciOnly,
}

/// A `docker save` tarball under construction.
pub struct ImageBuilder {
    layers: Vec<Vec<u8>>,
    history: Vec<serde_json::Value>,
    user: String,
    env: Vec<String>,
}

impl Default for ImageBuilder {
    fn default() -> Self {
        Self::new()
    }
}

/// Stores `tar` as `storage` says.
pub(crate) fn store(tar: &[u8], storage: Storage) -> Vec<u8> {
    match storage {
        Storage::Plain => tar.to_vec(),
        Storage::Gzip => {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            let _ = enc.write_all(tar);
            enc.finish().unwrap_or_default()
        }
        Storage::Zstd => zstd::encode_all(tar, 1).unwrap_or_default(),
    }
}

/// A fake but well-formed sha256 digest of `data` (FNV-based; never verified).
fn digest(data: &[u8], salt: usize) -> String {
    let mut h: u64 = 0xcbf29ce484222325 ^ salt as u64;
    for b in data {
        h = (h ^ u64::from(*b)).wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}{h:016x}{h:016x}{h:016x}")
}

impl ImageBuilder {
    /// An image without layers.
    pub fn new() -> Self {
        ImageBuilder {
            layers: Vec::new(),
            history: Vec::new(),
            user: String::new(),
            env: Vec::new(),
        }
    }

    /// Sets `Config.User`.
    pub fn user(mut self, user: &str) -> Self {
        self.user = user.to_string();
        self
    }

    /// Adds `NAME=value` to `Config.Env`.
    pub fn env(mut self, var: &str) -> Self {
        self.env.push(var.to_string());
        self
    }

    /// Adds a layer made by `created_by`.
    pub fn layer(mut self, created_by: &str, layer: LayerBuilder, storage: Storage) -> Self {
        self.layers.push(store(&layer.finish(), storage));
        self.history
            .push(serde_json::json!({ "created_by": created_by }));
        self
    }

    /// Adds a history entry that made no layer (`ENV`, `CMD`, ...).
    pub fn empty_step(mut self, created_by: &str) -> Self {
        self.history
            .push(serde_json::json!({ "created_by": created_by, "empty_layer": true }));
        self
    }

    /// The archive bytes in `layout`.
    pub fn build(self, layout: Layout) -> Vec<u8> {
        let mut out = tar::Builder::new(Vec::new());
        let mut add = |path: &str, data: &[u8]| {
            let mut h = header(tar::EntryType::Regular, data.len() as u64, 0o644);
            let _ = out.append_data(&mut h, path, data);
        };
        let digests: Vec<String> = self
            .layers
            .iter()
            .enumerate()
            .map(|(i, l)| digest(l, i))
            .collect();
        let config = serde_json::json!({
            "architecture": "amd64", "os": "linux",
            "config": { "User": self.user, "Env": self.env },
            "history": self.history,
            "rootfs": { "type": "layers",
                        "diff_ids": digests.iter().map(|d| format!("sha256:{d}")).collect::<Vec<_>>() },
        })
        .to_string();
        let config_digest = digest(config.as_bytes(), usize::MAX);
        let legacy = layout == Layout::Legacy;
        let layer_paths: Vec<String> = digests
            .iter()
            .map(|d| {
                if legacy {
                    format!("{d}/layer.tar")
                } else {
                    format!("blobs/sha256/{d}")
                }
            })
            .collect();
        for (path, data) in layer_paths.iter().zip(&self.layers) {
            add(path, data);
        }
        let config_path = if legacy {
            format!("{config_digest}.json")
        } else {
            format!("blobs/sha256/{config_digest}")
        };
        add(&config_path, config.as_bytes());
        if !legacy {
            add_oci_documents(&mut add, &config_digest, &config, &digests, &self.layers);
        }
        if layout != Layout::OciOnly {
            let manifest = serde_json::json!([{
                "Config": config_path, "RepoTags": ["synth:latest"], "Layers": layer_paths }]);
            add("manifest.json", manifest.to_string().as_bytes());
        }
        out.into_inner().unwrap_or_default()
    }
}

fn add_oci_documents(
    add: &mut impl FnMut(&str, &[u8]),
    config_digest: &str,
    config: &str,
    digests: &[String],
    layers: &[Vec<u8>],
) {
    let layer_descs: Vec<serde_json::Value> = digests
        .iter()
        .zip(layers)
        .map(|(d, l)| {
            serde_json::json!({
            "mediaType": "application/vnd.oci.image.layer.v1.tar",
            "digest": format!("sha256:{d}"), "size": l.len() })
        })
        .collect();
    let manifest = serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": { "mediaType": "application/vnd.oci.image.config.v1+json",
                    "digest": format!("sha256:{config_digest}"), "size": config.len() },
        "layers": layer_descs,
    })
    .to_string();
    let manifest_digest = digest(manifest.as_bytes(), usize::MAX - 1);
    add(
        &format!("blobs/sha256/{manifest_digest}"),
        manifest.as_bytes(),
    );
    let index = serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{ "mediaType": "application/vnd.oci.image.manifest.v1+json",
                        "digest": format!("sha256:{manifest_digest}"), "size": manifest.len() }],
    });
    add("index.json", index.to_string().as_bytes());
    add("oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#);
}

/// The body of a timestamp-based `.pyc` (PEP 552) for a source of `mtime` and `size`:
/// CPython 3.11's magic, flags 0, the two fields, and a few bytes of "code".
pub fn pyc(mtime: u32, size: u32) -> Vec<u8> {
    let mut body = vec![0xa7, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0];
    body.extend_from_slice(&mtime.to_le_bytes());
    body.extend_from_slice(&size.to_le_bytes());
    body.extend_from_slice(b"\xe3code");
    body
}
