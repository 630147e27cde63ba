//! Why an image could not be analysed. Every message names the part of the archive at fault
//! and ends with what to do.

use std::path::PathBuf;

/// An image archive that cannot be analysed.
#[derive(Debug, thiserror::Error)]
pub enum AnatomyError {
    /// The outer `docker save` tar is unreadable.
    #[error(
        "the image archive is not a readable tar: entry #{index} (after '{after}'): {message}. \
         Is it a complete `docker save` tarball?"
    )]
    Archive {
        /// 0-based number of the entry being read.
        index: u64,
        /// Path of the last entry read successfully (`-` at the start).
        after: String,
        /// What went wrong.
        message: String,
    },
    /// A layer inside the archive is not a readable tar.
    #[error(
        "layer '{layer}' of the image archive is malformed: entry #{index} (after '{after}'): \
         {message}. Re-export the image; the archive may be truncated or corrupt."
    )]
    Layer {
        /// Path of the layer inside the archive.
        layer: String,
        /// 0-based number of the entry being read inside the layer.
        index: u64,
        /// Path of the last entry read successfully inside the layer (`-` at the start).
        after: String,
        /// What went wrong.
        message: String,
    },
    /// `manifest.json`, `index.json`, an OCI manifest or the image config is missing or
    /// malformed.
    #[error(
        "{what} in the image archive is missing or malformed: {message}. Is it a `docker save` \
         (or OCI layout) tarball?"
    )]
    Metadata {
        /// Which document, e.g. `manifest.json`.
        what: String,
        /// What is wrong with it.
        message: String,
    },
    /// A layer the manifest lists is not in the archive.
    #[error(
        "layer '{layer}' listed in {listed_in} is not in the image archive{detail}. Re-export \
         the image; the archive may be truncated."
    )]
    MissingLayer {
        /// The layer path as listed.
        layer: String,
        /// Which document listed it.
        listed_in: String,
        /// Extra detail (e.g. an unsupported compression), starting with `: ` when present.
        detail: String,
    },
    /// The image could not be exported from the engine.
    #[error("exporting the image from the engine failed: {0}")]
    Export(String),
    /// A local file (archive, temp file) could not be read or written.
    #[error("{action} '{path}': {source}")]
    Io {
        /// What was being done, e.g. `reading the archive`.
        action: String,
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The analysis task stopped unexpectedly.
    #[error("the image analysis task failed: {0}. This is a bug in basebench; please report it.")]
    Task(String),
}
