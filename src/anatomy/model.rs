//! The facts image anatomy reports, as plain serde data (part of `results.json`).

use serde::{Deserialize, Serialize};

/// What is inside one image, read from the image itself.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Anatomy {
    /// Sum of the sizes of regular files in the final filesystem.
    pub content_bytes: u64,
    /// Bytes of files in lower layers that a later layer overwrote or deleted.
    pub wasted_bytes: u64,
    /// One entry per layer, bottom first.
    pub layers: Vec<LayerAnatomy>,
    /// The largest regular files of the final filesystem, largest first.
    pub largest_files: Vec<FileSize>,
    /// Shells present in the final filesystem (e.g. `/bin/sh`, `/bin/bash`), symlinks followed.
    pub shells: Vec<String>,
    /// Package managers present: any of `apt`, `dpkg`, `apk`, `pip`, `dnf`, `microdnf`, `yum`.
    pub package_managers: Vec<String>,
    /// Installed OS packages, when a package database was found.
    pub os_packages: Option<u32>,
    /// Python distributions found (`*.dist-info`, `*.egg-info`).
    pub python_packages: u32,
    /// C library of the image, when one was found.
    pub libc: Option<Libc>,
    /// `PRETTY_NAME` from `/etc/os-release`, when present.
    pub os_release: Option<String>,
    /// Paths of files with the setuid or setgid bit.
    pub setuid_files: Vec<String>,
    /// The user the image runs as.
    pub user: UserFacts,
    /// Vulnerability scan result; "not scanned" is explicit, never zero.
    pub vulnerabilities: VulnerabilityScan,
    /// Sum of the layers' stored file bytes (`added_bytes + modified_bytes` over all
    /// layers); always `content_bytes + wasted_bytes`.
    #[serde(default)]
    pub stored_bytes: u64,
    /// Share of stored file bytes that are still in the final filesystem
    /// (`content_bytes / stored_bytes`, 1.0 for an image with no files).
    #[serde(default)]
    pub efficiency: f64,
    /// Things a reader should know about these facts (e.g. a user missing from
    /// `/etc/passwd`, history entries that could not be paired with layers).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Layer entries left out of the analysis because the image has more paths than the
    /// analysis indexes ([`MAX_PATHS`](super::MAX_PATHS)); a note says so too.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unanalysed_entries: u64,
    /// Compiled bytecode of each Python interpreter found (docs/ANATOMY.md); `None` in
    /// results written before basebench counted it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytecode: Option<Bytecode>,
}

/// How much of each Python interpreter's code is precompiled (`__pycache__`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Bytecode {
    /// One entry per interpreter (`lib/python3.X` with its `os.py`), by path.
    pub interpreters: Vec<PythonBytecode>,
    /// `PYTHONDONTWRITEBYTECODE` is set (non-empty) in the image's environment: Python
    /// writes no cache at run time.
    pub dont_write_bytecode: bool,
}

/// The modules of one interpreter and how many have a usable compiled form.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct PythonBytecode {
    /// `3.11`.
    pub version: String,
    /// The standard library directory (`/usr/lib/python3.11`).
    pub stdlib_dir: String,
    /// The interpreter binary (`/usr/bin/python3.11`), when it is there.
    pub binary: Option<String>,
    /// Modules of the standard library (everything under `stdlib_dir` but the package
    /// trees).
    pub stdlib: ModuleCount,
    /// The package trees counted: site-packages / dist-packages of this version, and
    /// `PYTHONPATH`'s directories.
    pub package_dirs: Vec<String>,
    /// Modules of those trees.
    pub packages: ModuleCount,
}

/// Below this share of compiled modules a tree counts as not precompiled (the reason cell
/// and the `python-bytecode` finding).
pub const PRECOMPILED_SHARE: f64 = 0.9;

impl ModuleCount {
    /// True when the tree has modules and fewer than [`PRECOMPILED_SHARE`] of them are
    /// compiled.
    pub fn lacks_bytecode(&self) -> bool {
        self.modules > 0 && f64::from(self.compiled) < PRECOMPILED_SHARE * f64::from(self.modules)
    }
}

/// Modules (`.py`, or a sourceless `.pyc`) and how they stand.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ModuleCount {
    /// Modules.
    pub modules: u32,
    /// Modules whose compiled form this interpreter would use as it is.
    pub compiled: u32,
    /// Modules with a `.pyc` of this interpreter that does not match the source (its
    /// recorded mtime or size differ, or its header is cut short): recompiled at import.
    pub stale: u32,
    /// Modules with only another interpreter's (or optimisation level's) `.pyc`.
    pub foreign: u32,
    /// Modules without a usable `.pyc` where the image's user cannot write one (or the
    /// environment forbids it): compiled again at every start, not only the first.
    pub unwritable: u32,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// One layer's contribution.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct LayerAnatomy {
    /// The instruction that made the layer (from the image config history).
    pub created_by: String,
    /// Bytes of files this layer adds at new paths.
    pub added_bytes: u64,
    /// Bytes of files this layer writes at paths a lower layer already had, and of files
    /// it writes and then overwrites or deletes itself.
    pub modified_bytes: u64,
    /// Bytes of lower-layer files this layer deletes (whiteouts, opaque directories).
    pub removed_bytes: u64,
    /// Bytes of lower-layer files that this layer's own files replaced at the same path
    /// (or a directory replaced by a file), so they are no longer reachable; and of the
    /// layer's own files it overwrote or deleted.
    #[serde(default)]
    pub replaced_bytes: u64,
    /// Bytes of the layer tar as stored in the export (compressed when it was).
    pub archive_bytes: u64,
    /// How the layer was stored: `tar`, `gzip` or `zstd` (detected by content).
    #[serde(default)]
    pub compression: String,
    /// Regular files in the layer.
    pub files: u64,
}

/// A file and its size.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct FileSize {
    /// Absolute path in the image.
    pub path: String,
    /// Size in bytes.
    pub size_bytes: u64,
}

/// The C library found in an image.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Libc {
    /// `glibc` or `musl`.
    pub kind: String,
    /// Version when it can be read (e.g. `2.36`).
    pub version: Option<String>,
}

/// Who the image runs as.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct UserFacts {
    /// `Config.User` as written (`""` when unset).
    pub(crate) configured: String,
    /// Numeric uid when it could be resolved (through `/etc/passwd` for a name).
    pub uid: Option<u32>,
    /// True when it runs as uid 0 (an empty user is root).
    pub is_root: bool,
    /// Why the uid is unknown, when it is (e.g. the named user is not in `/etc/passwd`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) note: Option<String>,
}

/// Vulnerability counts by severity, or why there are none.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum VulnerabilityScan {
    /// No scanner ran; the reason says why (e.g. "neither trivy nor grype is installed").
    NotScanned {
        /// Why no scan happened.
        reason: String,
    },
    /// A scanner ran.
    Scanned {
        /// `trivy` or `grype`, with its version.
        scanner: String,
        /// Date of the scanner's vulnerability database, when it says.
        db_date: Option<String>,
        /// Counts by severity.
        critical: u32,
        /// High severity.
        high: u32,
        /// Medium severity.
        medium: u32,
        /// Low severity.
        low: u32,
        /// Unknown or negligible severity.
        unknown: u32,
    },
}

impl Default for VulnerabilityScan {
    fn default() -> Self {
        VulnerabilityScan::NotScanned {
            reason: "not scanned".to_string(),
        }
    }
}
