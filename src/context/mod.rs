//! The build context: which files are sent to the daemon (honouring `.dockerignore` with
//! Docker's own matching rules), the tar stream that carries them, and the file the
//! simulated code change touches.
//!
//! `.dockerignore` applies to everything on disk, including the `.dockerignore` file itself
//! and any Dockerfile in the context: the Dockerfile basebench uses travels as a generated
//! entry ([`BuildContext::dockerfile_name`]), so a secret listed in `.dockerignore` never
//! reaches the daemon.

mod change;
pub(crate) mod dockerignore;
mod glob;
mod tarball;
pub(crate) mod tree;

use std::fs;
use std::path::{Path, PathBuf};

use dockerignore::IgnoreRules;

/// Errors preparing a build context.
#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    /// The context directory is missing or unreadable.
    #[error("build context '{}' cannot be read: {message}. Check the `context` setting.", path.display())]
    Unreadable {
        /// The path.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// A file or directory inside the context cannot be read.
    #[error(
        "'{}' in the build context cannot be read: {message}. Fix its permissions or list it in .dockerignore.",
        path.display()
    )]
    UnreadableEntry {
        /// The path on disk.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// `.dockerignore` has a pattern Docker would reject.
    #[error("{}:{line}: bad pattern '{pattern}': {message}. Fix or remove that line.", path.display())]
    BadPattern {
        /// The `.dockerignore` file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// The pattern.
        pattern: String,
        /// Why it is bad.
        message: String,
    },
    /// The file chosen for the simulated code change is not sent with the context.
    #[error(
        "change file '{}' is not a regular file sent in the build context (missing, not a file, or excluded by .dockerignore). Set `change_file` to a file the Dockerfile copies.",
        path.display()
    )]
    TouchedNotInContext {
        /// The path, relative to the context root.
        path: PathBuf,
    },
}

/// A context ready to be sent: the files that pass `.dockerignore`, and the Dockerfile to
/// use (sent as a generated entry so a rewritten Dockerfile never touches the disk).
#[derive(Debug, Clone)]
pub struct BuildContext {
    /// Root directory of the context on disk.
    pub(crate) root: PathBuf,
    /// Paths to send (files, directories, symlinks), relative to `root`, sorted
    /// depth-first; already filtered by `.dockerignore`.
    pub(crate) entries: Vec<PathBuf>,
    /// Name of the generated Dockerfile entry inside the tar.
    pub(crate) dockerfile_name: String,
    /// Dockerfile text to send.
    pub(crate) dockerfile: String,
    /// A file (relative to `root`) sent with [`touch_suffix`](Self::touch_suffix)
    /// appended: the simulated code change.
    pub(crate) touched: Option<PathBuf>,
    /// Bytes appended to `touched` (default: one `\n`). See [`cache_busting_suffix`].
    pub(crate) touch_suffix: Vec<u8>,
}

/// A code change the build cache cannot have seen: a newline and 32 spaces or tabs
/// encoding 32 random bits. Appending a fixed byte is not enough, because the cache keeps
/// the touched content of earlier runs and would serve the "changed" build from it.
/// Trailing whitespace is harmless in source code, text and binaries alike.
pub(crate) fn cache_busting_suffix() -> Vec<u8> {
    let bits = uuid::Uuid::new_v4().as_u128() as u32;
    let mut suffix = vec![b'\n'];
    suffix.extend((0..32).map(|i| if bits >> i & 1 == 1 { b'\t' } else { b' ' }));
    suffix
}

impl BuildContext {
    /// Scan `root`, applying its `.dockerignore`, for a build with `dockerfile` text.
    /// Every file that will be sent is opened once, so an unreadable one fails here with
    /// its path rather than halfway through a build.
    pub fn scan(root: &Path, dockerfile: String) -> Result<BuildContext, ContextError> {
        let meta = fs::metadata(root).map_err(|e| ContextError::Unreadable {
            path: root.to_path_buf(),
            message: e.to_string(),
        })?;
        if !meta.is_dir() {
            return Err(ContextError::Unreadable {
                path: root.to_path_buf(),
                message: "not a directory".to_string(),
            });
        }
        let rules = IgnoreRules::load(&root.join(".dockerignore"))?;
        let dockerfile_name = ".basebench.Dockerfile".to_string();
        let mut entries = Vec::new();
        walk(root, Path::new(""), &rules, &mut entries)?;
        entries.retain(|rel| rel.as_os_str() != dockerfile_name.as_str());
        entries.sort();
        Ok(BuildContext {
            root: root.to_path_buf(),
            entries,
            dockerfile_name,
            dockerfile,
            touched: None,
            touch_suffix: vec![b'\n'],
        })
    }

    /// Send `rel` (relative to the root) with `touch_suffix` appended. Fails when `rel` is
    /// not a regular file among the entries (e.g. excluded by `.dockerignore`).
    pub(crate) fn with_touched(
        mut self,
        rel: impl Into<PathBuf>,
    ) -> Result<BuildContext, ContextError> {
        let rel = rel.into();
        if !self.entries.contains(&rel) || !self.is_file(&rel) {
            return Err(ContextError::TouchedNotInContext { path: rel });
        }
        self.touched = Some(rel);
        Ok(self)
    }

    /// Touch the default change file: the first file the Dockerfile copies from the
    /// context that is not a dependency list (see `change.rs` for the rules).
    /// Leaves `touched` unset when there is none.
    pub(crate) fn with_default_touched(mut self) -> BuildContext {
        self.touched = change::default_change_file(&self);
        self
    }

    /// Is `rel` (relative to the root) a regular file on disk (not a symlink)?
    pub(crate) fn is_file(&self, rel: &Path) -> bool {
        fs::symlink_metadata(self.root.join(rel)).is_ok_and(|m| m.is_file())
    }

    /// Write the context as an uncompressed tar to `out`, streaming each file from disk;
    /// the generated Dockerfile entry comes last. Returns the bytes written.
    pub(crate) fn write_tar<W: std::io::Write>(&self, out: W) -> std::io::Result<u64> {
        tarball::write(self, out)
    }
}

/// Walk `dir` (relative to `root`) the way go-archive's `TarWithOptions` does: excluded
/// entries are left out; an excluded directory is still walked when an exception pattern
/// could re-include something inside it.
fn walk(
    root: &Path,
    dir: &Path,
    rules: &IgnoreRules,
    entries: &mut Vec<PathBuf>,
) -> Result<(), ContextError> {
    let unreadable = |path: &Path, e: std::io::Error| ContextError::UnreadableEntry {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let abs_dir = root.join(dir);
    let listing = fs::read_dir(&abs_dir).map_err(|e| unreadable(&abs_dir, e))?;
    for item in listing {
        let item = item.map_err(|e| unreadable(&abs_dir, e))?;
        let rel = dir.join(item.file_name());
        let abs = root.join(&rel);
        let kind = item.file_type().map_err(|e| unreadable(&abs, e))?;
        let rel_text = rel.to_string_lossy();
        if rules.is_excluded(&rel_text) {
            if kind.is_dir() && rules.must_walk(&rel_text) {
                walk(root, &rel, rules, entries)?;
            }
            continue;
        }
        if kind.is_dir() {
            entries.push(rel.clone());
            walk(root, &rel, rules, entries)?;
        } else if kind.is_file() {
            fs::File::open(&abs).map_err(|e| unreadable(&abs, e))?;
            entries.push(rel);
        } else if kind.is_symlink() {
            entries.push(rel);
        }
        // Sockets, FIFOs and devices are not sent.
    }
    Ok(())
}

#[cfg(test)]
mod tests;
