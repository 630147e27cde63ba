//! The outer `docker save` tar, read once from any `Read`: layers (found by content, plain,
//! gzip or zstd) are indexed as they stream, small JSON documents are kept, and links
//! between entries are remembered. The layer order is only known once `manifest.json`
//! (usually the last entry) or `index.json` has been read, so resolving comes after.
//!
//! Memory is bounded whatever the archive holds: layers share one [`PathBudget`], the small
//! documents kept may total [`MAX_DOCUMENTS`] bytes, and at most [`MAX_OUTER`] entries of
//! the outer tar are remembered; what is left out is counted, never silently dropped.

use std::collections::HashMap;
use std::io::{self, Cursor, Read};

use super::error::AnatomyError;
use super::layer::{self, LayerIndex, PathBudget};

/// Largest non-layer entry kept in memory (configs, manifests, indexes).
const MAX_JSON: u64 = 16 * 1024 * 1024;
/// Most bytes of small documents kept in memory together.
pub(crate) const MAX_DOCUMENTS: u64 = 64 * 1024 * 1024;
/// Most entries of the outer tar remembered (a `docker save` has a few per layer).
pub(crate) const MAX_OUTER: usize = 100_000;

/// How a layer was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compression {
    /// A plain tar.
    Tar,
    Gzip,
    Zstd,
}

impl Compression {
    /// `tar`, `gzip` or `zstd`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Compression::Tar => "tar",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }
}

/// A layer found in the archive.
#[derive(Debug)]
pub(crate) struct FoundLayer {
    pub(crate) index: LayerIndex,
    /// Bytes of the entry as stored.
    pub(crate) archive_bytes: u64,
    /// How it was stored.
    pub(crate) compression: Compression,
}

/// What the outer tar held, keyed by normalised entry path.
#[derive(Debug, Default)]
pub(crate) struct SaveContents {
    pub(crate) layers: HashMap<String, FoundLayer>,
    /// Small documents (JSON and the like).
    pub(crate) documents: HashMap<String, Vec<u8>>,
    /// Symlinks and hardlinks between entries: path → target path.
    pub(crate) aliases: HashMap<String, String>,
    /// Entries that were neither a layer nor a small document, with what they looked like.
    pub(crate) other: HashMap<String, String>,
    /// Entries of the outer tar not kept: past [`MAX_OUTER`] entries or [`MAX_DOCUMENTS`]
    /// bytes of documents.
    pub(crate) unkept: u64,
    /// Bytes of documents kept so far.
    document_bytes: u64,
}

impl SaveContents {
    /// Entries of the outer tar remembered so far.
    fn remembered(&self) -> usize {
        self.layers.len() + self.documents.len() + self.aliases.len() + self.other.len()
    }
}

impl SaveContents {
    /// Follows aliases from `path` (at most 16 hops).
    pub(crate) fn canonical(&self, path: &str) -> String {
        let mut path = layer::normalise(path);
        for _ in 0..16 {
            match self.aliases.get(&path) {
                Some(target) => path = target.clone(),
                None => break,
            }
        }
        path
    }
}

/// Reads the whole outer tar; its layers may index `max_paths` paths together.
pub(crate) fn read_save(reader: impl Read, max_paths: usize) -> Result<SaveContents, AnatomyError> {
    let mut archive = tar::Archive::new(reader);
    let mut contents = SaveContents::default();
    let mut budget = PathBudget { left: max_paths };
    let mut after = String::from("-");
    let fail = |index: u64, after: &str, message: String| AnatomyError::Archive {
        index,
        after: after.to_string(),
        message,
    };
    let entries = archive.entries().map_err(|e| fail(0, "-", e.to_string()))?;
    for (number, entry) in (0u64..).zip(entries) {
        let entry = entry.map_err(|e| fail(number, &after, e.to_string()))?;
        let path = layer::normalise(&String::from_utf8_lossy(&entry.path_bytes()));
        read_entry(&mut contents, &mut budget, entry, &path).map_err(|e| match e {
            EntryError::Io(e) => fail(number, &after, format!("'{path}': {e}")),
            EntryError::Anatomy(e) => e,
        })?;
        after = path;
    }
    Ok(contents)
}

enum EntryError {
    Io(io::Error),
    Anatomy(AnatomyError),
}

impl From<io::Error> for EntryError {
    fn from(e: io::Error) -> Self {
        EntryError::Io(e)
    }
}

fn read_entry<R: Read>(
    contents: &mut SaveContents,
    budget: &mut PathBudget,
    mut entry: tar::Entry<'_, R>,
    path: &str,
) -> Result<(), EntryError> {
    let kind = entry.header().entry_type();
    if contents.remembered() >= MAX_OUTER {
        contents.unkept += 1;
        return Ok(());
    }
    if kind.is_symlink() || kind.is_hard_link() {
        let target = entry
            .link_name_bytes()
            .map(|t| String::from_utf8_lossy(&t).into_owned());
        let target = target.unwrap_or_default();
        let resolved = if kind.is_symlink() && !target.starts_with('/') {
            let parent = path.rsplit_once('/').map_or("", |(p, _)| p);
            layer::normalise(&format!("{parent}/{target}"))
        } else {
            layer::normalise(&target)
        };
        contents.aliases.insert(path.to_string(), resolved);
        return Ok(());
    }
    if !(kind.is_file() || kind == tar::EntryType::Continuous) {
        return Ok(());
    }
    let size = entry.size();
    let mut head = Vec::with_capacity(512);
    (&mut entry).take(512).read_to_end(&mut head)?;
    if let Some(compression) = sniff_layer(&head) {
        let stream = Cursor::new(head).chain(entry);
        let index = match compression {
            Compression::Tar => layer::index_layer(stream, path, budget),
            Compression::Gzip => {
                layer::index_layer(flate2::read::MultiGzDecoder::new(stream), path, budget)
            }
            Compression::Zstd => {
                layer::index_layer(zstd::stream::read::Decoder::new(stream)?, path, budget)
            }
        }
        .map_err(EntryError::Anatomy)?;
        let found = FoundLayer {
            index,
            archive_bytes: size,
            compression,
        };
        contents.layers.insert(path.to_string(), found);
    } else if size <= MAX_JSON && contents.document_bytes + size <= MAX_DOCUMENTS {
        let mut body = head;
        entry.read_to_end(&mut body)?;
        contents.document_bytes += body.len() as u64;
        contents.documents.insert(path.to_string(), body);
    } else if size <= MAX_JSON {
        contents.unkept += 1;
    } else {
        contents.other.insert(path.to_string(), describe(&head));
    }
    Ok(())
}

/// Recognises a layer by its first bytes: gzip, zstd, or a tar header (valid checksum, or
/// the all-zero block of an empty tar).
pub(crate) fn sniff_layer(head: &[u8]) -> Option<Compression> {
    if head.starts_with(&[0x1f, 0x8b]) {
        return Some(Compression::Gzip);
    }
    if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        return Some(Compression::Zstd);
    }
    let block: &[u8; 512] = head.get(..512)?.try_into().ok()?;
    if block.iter().all(|&b| b == 0) || tar_checksum_ok(block) {
        return Some(Compression::Tar);
    }
    None
}

fn tar_checksum_ok(block: &[u8; 512]) -> bool {
    let field = &block[148..156];
    let text: String = field
        .iter()
        .take_while(|&&b| b != 0 && b != b' ')
        .map(|&b| b as char)
        .collect();
    let text = text.trim_start_matches(' ');
    let Ok(expected) = u32::from_str_radix(text.trim(), 8) else {
        return false;
    };
    let sum: u32 = block
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u32::from(b)
            }
        })
        .sum();
    sum == expected
}

/// A short description of an unrecognised large entry, for error messages.
fn describe(head: &[u8]) -> String {
    if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        "xz-compressed, which basebench does not read".to_string()
    } else if head.starts_with(b"BZh") {
        "bzip2-compressed, which basebench does not read".to_string()
    } else {
        "neither a tar nor gzip or zstd".to_string()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_compression_by_content() {
        assert_eq!(sniff_layer(&[0x1f, 0x8b, 8, 0]), Some(Compression::Gzip));
        assert_eq!(
            sniff_layer(&[0x28, 0xb5, 0x2f, 0xfd, 0]),
            Some(Compression::Zstd)
        );
        assert_eq!(sniff_layer(&[0u8; 512]), Some(Compression::Tar));
        assert_eq!(sniff_layer(b"{\"a\":1}"), None);
        let mut header = tar::Header::new_gnu();
        header.set_path("a").unwrap();
        header.set_size(0);
        header.set_cksum();
        assert_eq!(sniff_layer(header.as_bytes()), Some(Compression::Tar));
    }
}
