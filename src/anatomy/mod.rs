//! Image anatomy: facts read from an exported image (`docker save` stream), analysed
//! while it streams. See [`model`] for what is reported and docs/ANATOMY.md for the
//! definitions.
//!
//! The outer tar is read once ([`archive`]); each layer is indexed as it passes (paths,
//! kinds, sizes, modes, link targets, whiteouts, and a few small contents: what the layer
//! holds at its end, each path once) and never kept. Memory is bounded by the distinct
//! paths, with a cap ([`MAX_PATHS`]) past which entries are counted as not analysed.
//! Once `manifest.json` (usually last) or `index.json` says the order, the indexes are
//! applied bottom first ([`fs`]) and the facts are read from the result ([`facts`]).
//!
//! **Wasted bytes** are the bytes of regular files stored in a layer that are no longer
//! reachable in the final filesystem because a later layer overwrote them or deleted them
//! (a whiteout, a deleted directory, an opaque directory, or a directory replaced by a
//! file). A content reachable through several hardlinks is counted once and is wasted only
//! when its last path is gone. So `stored_bytes = content_bytes + wasted_bytes` exactly.
//! dive differs: its "potential wasted space" sums *every* copy of each path that more than
//! one layer touched, the surviving top copy included, and its "efficiency score" is, over
//! all paths, Σ smallest copy of the path / Σ all copies of the path (a deleted path counts
//! 0 for its whiteout), so an overwrite by a *larger* file still looks efficient and
//! hardlinks count once per path. basebench counts only unreachable copies, charges each to
//! the layer that made it unreachable, and reports `efficiency = content / stored`.

mod archive;
mod bytecode;
mod capture;
pub(crate) mod error;
mod facts;
mod fs;
mod layer;
mod meta;
pub(crate) mod model;
pub mod scan;
mod stream;
pub mod synth;
mod user;

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

pub use error::AnatomyError;
pub use model::*;
pub use stream::analyze_export;

/// Whether to run a vulnerability scanner (trivy or grype) when one is on `PATH`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ScanPolicy {
    /// Scan when a scanner is installed; otherwise report "not scanned" with the reason.
    #[default]
    WhenInstalled,
    /// Never scan.
    Never,
}

/// Most paths the analysis of one image indexes (every layer's paths, whiteouts and
/// opaque directories together), about 250 bytes of memory each: past it, entries are
/// counted in [`Anatomy::unanalysed_entries`] and a note, not indexed (docs/ANATOMY.md).
pub const MAX_PATHS: usize = 400_000;

/// How to analyse an image.
#[derive(Debug, Clone)]
pub struct AnalyzeOptions {
    /// Whether to scan for vulnerabilities.
    pub scan: ScanPolicy,
    /// Most paths indexed ([`MAX_PATHS`] by default).
    pub max_paths: usize,
}

impl Default for AnalyzeOptions {
    fn default() -> Self {
        AnalyzeOptions {
            scan: ScanPolicy::default(),
            max_paths: MAX_PATHS,
        }
    }
}

/// Analyses a `docker save` (or OCI layout) tar read from `reader`, streaming: nothing
/// larger than a config or a small text file is held in memory. No scanner runs (a scanner
/// needs a file: see [`analyze_file`] and [`analyze_export`]); `vulnerabilities` says why.
pub fn analyze_archive<R: Read>(
    reader: R,
    options: &AnalyzeOptions,
) -> Result<Anatomy, AnatomyError> {
    let mut anatomy = analyze_layers(reader, options.max_paths)?;
    anatomy.vulnerabilities = match (options.scan, scan::find_scanner()) {
        (ScanPolicy::Never, _) => scan::not_scanned("scanning was turned off"),
        (_, None) => scan::not_scanned(scan::NO_SCANNER),
        (_, Some(found)) => scan::not_scanned(&format!(
            "{} is installed but the image was read from a stream, not a file",
            found.kind.as_str()
        )),
    };
    Ok(anatomy)
}

/// Analyses a `docker save` tarball on disk and, by `options`, scans it.
pub fn analyze_file(path: &Path, options: &AnalyzeOptions) -> Result<Anatomy, AnatomyError> {
    let io_err = |source| AnatomyError::Io {
        action: "reading the image archive".to_string(),
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io_err)?;
    let reader = std::io::BufReader::with_capacity(256 * 1024, file);
    let mut anatomy = analyze_layers(reader, options.max_paths)?;
    anatomy.vulnerabilities = match options.scan {
        ScanPolicy::Never => scan::not_scanned("scanning was turned off"),
        ScanPolicy::WhenInstalled => scan::scan_file(path),
    };
    Ok(anatomy)
}

/// Everything but the vulnerability scan.
fn analyze_layers(reader: impl Read, max_paths: usize) -> Result<Anatomy, AnatomyError> {
    let contents = archive::read_save(reader, max_paths)?;
    let meta = meta::image_meta(&contents)?;
    assemble(contents, meta, max_paths)
}

fn assemble(
    mut contents: archive::SaveContents,
    mut meta: meta::ImageMeta,
    max_paths: usize,
) -> Result<Anatomy, AnatomyError> {
    let mut fs = fs::MergedFs::default();
    let mut anatomy = Anatomy {
        notes: std::mem::take(&mut meta.notes),
        ..Anatomy::default()
    };
    // A layer listed twice (identical layers share a blob) is applied twice; its tree is
    // moved into the filesystem on its last use, so paths are held once.
    let mut uses: HashMap<&str, usize> = HashMap::new();
    for path in &meta.layers {
        *uses.entry(path.as_str()).or_default() += 1;
    }
    for (n, path) in meta.layers.iter().enumerate() {
        let Some(found) = contents.layers.get_mut(path) else {
            return Err(AnatomyError::MissingLayer {
                layer: path.clone(),
                listed_in: meta.listed_in.clone(),
                detail: contents
                    .other
                    .get(path)
                    .map(|what| format!(": it is {what}"))
                    .unwrap_or_default(),
            });
        };
        let left = uses.entry(path.as_str()).or_default();
        *left -= 1;
        let tree = if *left == 0 {
            std::mem::take(&mut found.index.tree)
        } else {
            found.index.tree.clone()
        };
        let mut layer = fs.apply(n, tree);
        layer.created_by = meta.created_by.get(n).cloned().unwrap_or_default();
        layer.archive_bytes = found.archive_bytes;
        layer.compression = found.compression.as_str().to_string();
        if found.index.dangling_links > 0 {
            anatomy.notes.push(format!(
                "layer {n} has {} hardlink(s) to files outside the layer (counted as empty)",
                found.index.dangling_links
            ));
        }
        anatomy.layers.push(layer);
    }
    note_what_was_left_out(&mut anatomy, &contents, max_paths);
    let captures = meta
        .layers
        .iter()
        .filter_map(|path| contents.layers.get(path))
        .map(|found| &found.index.captures)
        .collect();
    let view = facts::View { fs: &fs, captures };
    fill_facts(&mut anatomy, &view, &meta);
    Ok(anatomy)
}

/// Entries past the caps are counted and said, never silently dropped.
fn note_what_was_left_out(
    anatomy: &mut Anatomy,
    contents: &archive::SaveContents,
    max_paths: usize,
) {
    anatomy.unanalysed_entries = contents.layers.values().map(|l| l.index.unindexed).sum();
    if anatomy.unanalysed_entries > 0 {
        anatomy.notes.push(format!(
            "{} layer entries were not analysed: the image has more than {max_paths} paths, \
             basebench's analysis cap (docs/ANATOMY.md); sizes, wasted bytes and facts leave \
             them out",
            anatomy.unanalysed_entries
        ));
    }
    if contents.unkept > 0 {
        anatomy.notes.push(format!(
            "{} entries of the archive were not read: it has more than {} entries or {} MiB of \
             small files, basebench's caps (docs/ANATOMY.md)",
            contents.unkept,
            archive::MAX_OUTER,
            archive::MAX_DOCUMENTS >> 20
        ));
    }
}

fn fill_facts(anatomy: &mut Anatomy, view: &facts::View<'_>, meta: &meta::ImageMeta) {
    let scan = view.scan();
    anatomy.content_bytes = view.fs.content_bytes();
    anatomy.stored_bytes = anatomy
        .layers
        .iter()
        .map(|l| l.added_bytes + l.modified_bytes)
        .sum();
    anatomy.wasted_bytes = anatomy
        .layers
        .iter()
        .map(|l| l.removed_bytes + l.replaced_bytes)
        .sum();
    anatomy.efficiency = if anatomy.stored_bytes == 0 {
        1.0
    } else {
        anatomy.content_bytes as f64 / anatomy.stored_bytes as f64
    };
    anatomy.largest_files = view.largest_files();
    anatomy.shells = view.shells();
    anatomy.package_managers = view.package_managers(&scan);
    anatomy.os_packages = view.os_packages(&scan);
    anatomy.python_packages = u32::try_from(scan.python_dists.len()).unwrap_or(u32::MAX);
    anatomy.libc = view.libc(&scan);
    anatomy.os_release = view.os_release();
    anatomy.setuid_files = scan.setuid;
    anatomy.user = view.user(&meta.user);
    if let Some(note) = &anatomy.user.note {
        anatomy.notes.push(note.clone());
    }
    anatomy.bytecode = Some(bytecode::bytecode(
        view,
        &meta.env,
        &meta.user,
        anatomy.user.uid,
    ));
}
