//! Facts about the final filesystem: largest files, shells, package managers, package
//! counts, Python distributions, libc, OS release, setuid files and the user.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap};

use super::capture::{self, Capture};
use super::fs::{MergedFs, NodeKind};
use super::model::{FileSize, Libc, UserFacts};
use super::user::resolve_user;

/// How many of the largest files are listed.
pub(crate) const LARGEST: usize = 10;

const SHELLS: [&str; 6] = ["sh", "bash", "ash", "dash", "zsh", "busybox"];
const BIN_DIRS: [&str; 5] = ["bin", "usr/bin", "usr/local/bin", "sbin", "usr/sbin"];
const MANAGERS: [(&str, &[&str]); 6] = [
    ("apt", &["apt", "apt-get"]),
    ("dpkg", &["dpkg"]),
    ("apk", &["apk"]),
    ("dnf", &["dnf", "dnf5"]),
    ("microdnf", &["microdnf"]),
    ("yum", &["yum"]),
];

/// The final filesystem with the layers' captured contents.
pub(crate) struct View<'a> {
    /// The filesystem.
    pub(crate) fs: &'a MergedFs,
    /// The contents each layer captured, bottom first (indexed by `Node::layer`).
    pub(crate) captures: Vec<&'a HashMap<Box<str>, Capture>>,
}

/// What one pass over every path finds.
#[derive(Default)]
pub(crate) struct Scan {
    /// `*.dist-info` / `*.egg-info` directories (each distribution once).
    pub(crate) python_dists: BTreeSet<String>,
    /// A `site-packages/pip` (or `dist-packages/pip`) directory exists.
    pub(crate) pip_module: bool,
    /// Regular files with setuid or setgid.
    pub(crate) setuid: Vec<String>,
    /// Installed packages listed in `status.d/`, when that directory has records.
    pub(crate) status_d: Option<u32>,
    /// Paths of glibc and musl markers.
    pub(crate) glibc: Vec<String>,
    /// `ld-musl-*.so.1` found.
    pub(crate) musl: bool,
}

impl View<'_> {
    /// What the file at `path` (symlinks followed) captured, if anything.
    pub(crate) fn capture(&self, path: &str) -> Option<&Capture> {
        let (real, node) = self.fs.resolve_file(path)?;
        self.captures.get(node.layer as usize)?.get(real.as_str())
    }

    /// True when `path` resolves to a regular file.
    pub(crate) fn is_file(&self, path: &str) -> bool {
        self.fs.resolve_file(path).is_some()
    }

    /// One pass over every path.
    pub(crate) fn scan(&self) -> Scan {
        let mut scan = Scan::default();
        for (path, node) in &self.fs.nodes {
            let path: &str = path;
            if let Some(dist) = python_dist(path) {
                scan.python_dists.insert(dist.to_string());
            }
            if path.ends_with("-packages/pip") || path.contains("-packages/pip/") {
                scan.pip_module = true;
            }
            let NodeKind::File(_) = node.kind else {
                continue;
            };
            if node.mode & 0o6000 != 0 {
                scan.setuid.push(format!("/{path}"));
            }
            if capture::is_status_d_entry(path)
                && let Some(Capture::DpkgPackages(n)) = self.capture(path)
            {
                *scan.status_d.get_or_insert(0) += n;
            }
            let name = capture::file_name(path);
            if capture::is_glibc_name(name) {
                scan.glibc.push(path.to_string());
            }
            if name.starts_with("ld-musl-") && name.ends_with(".so.1") {
                scan.musl = true;
            }
        }
        scan
    }

    /// The largest regular files (each content once, at its first path), largest first,
    /// the paths in order among equal sizes. Only the [`LARGEST`] kept so far are held.
    pub(crate) fn largest_files(&self) -> Vec<FileSize> {
        let mut seen = vec![false; self.fs.inodes.len()];
        // A min-heap of the largest so far: the smallest size (last path) on top.
        let mut top: BinaryHeap<(Reverse<u64>, &str)> = BinaryHeap::with_capacity(LARGEST + 1);
        for (path, node) in &self.fs.nodes {
            let NodeKind::File(i) = node.kind else {
                continue;
            };
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            top.push((Reverse(self.fs.inodes[i].size), path));
            if top.len() > LARGEST {
                top.pop();
            }
        }
        top.into_sorted_vec()
            .into_iter()
            .map(|(Reverse(size_bytes), path)| FileSize {
                path: format!("/{path}"),
                size_bytes,
            })
            .collect()
    }

    /// Shells reachable as a regular file, as `/bin/sh`-style paths (first bin dir found).
    pub(crate) fn shells(&self) -> Vec<String> {
        SHELLS
            .iter()
            .filter_map(|name| self.in_bin_dirs(name))
            .collect()
    }

    fn in_bin_dirs(&self, name: &str) -> Option<String> {
        BIN_DIRS
            .iter()
            .map(|dir| format!("{dir}/{name}"))
            .find(|p| self.is_file(p))
            .map(|p| format!("/{p}"))
    }

    /// Package managers present (`pip` also when only `python -m pip` would work).
    pub(crate) fn package_managers(&self, scan: &Scan) -> Vec<String> {
        let mut found: Vec<String> = MANAGERS
            .iter()
            .filter(|(_, names)| names.iter().any(|n| self.in_bin_dirs(n).is_some()))
            .map(|(manager, _)| manager.to_string())
            .collect();
        if scan.pip_module || self.has_pip_script() {
            found.push("pip".to_string());
        }
        found.sort();
        found
    }

    fn has_pip_script(&self) -> bool {
        BIN_DIRS.iter().any(|dir| {
            let prefix = format!("{dir}/pip");
            let from = std::ops::Bound::Included(prefix.as_str());
            let range = self
                .fs
                .nodes
                .range::<str, _>((from, std::ops::Bound::Unbounded));
            range
                .take_while(|(p, _)| p.starts_with(&prefix))
                .any(|(p, _)| is_pip_name(&p[dir.len() + 1..]) && self.is_file(p))
        })
    }

    /// Installed OS packages from dpkg `status`, `status.d/` and apk `installed`.
    pub(crate) fn os_packages(&self, scan: &Scan) -> Option<u32> {
        let dpkg = match self.capture("var/lib/dpkg/status") {
            Some(Capture::DpkgPackages(n)) => Some(*n),
            _ => None,
        };
        let apk = match self.capture("lib/apk/db/installed") {
            Some(Capture::ApkPackages { count, .. }) => Some(*count),
            _ => None,
        };
        let all = [dpkg, scan.status_d, apk];
        all.iter()
            .any(Option::is_some)
            .then(|| all.iter().flatten().sum())
    }

    /// glibc (version from `libc.so.6` or a `libc-X.Y.so` name) or musl.
    pub(crate) fn libc(&self, scan: &Scan) -> Option<Libc> {
        if !scan.glibc.is_empty() {
            let version = scan.glibc.iter().find_map(|path| match self.capture(path) {
                Some(Capture::Glibc(Some(v))) => Some(v.clone()),
                _ => capture::glibc_version_from_name(capture::file_name(path)),
            });
            return Some(Libc {
                kind: "glibc".to_string(),
                version,
            });
        }
        scan.musl.then(|| Libc {
            kind: "musl".to_string(),
            version: match self.capture("lib/apk/db/installed") {
                Some(Capture::ApkPackages { musl_version, .. }) => musl_version.clone(),
                _ => None,
            },
        })
    }

    /// `PRETTY_NAME` from `/etc/os-release` (or `/usr/lib/os-release`).
    pub(crate) fn os_release(&self) -> Option<String> {
        ["etc/os-release", "usr/lib/os-release"]
            .iter()
            .find_map(|p| {
                let Some(Capture::Text(text)) = self.capture(p) else {
                    return None;
                };
                String::from_utf8_lossy(text).lines().find_map(|line| {
                    let value = line.strip_prefix("PRETTY_NAME=")?.trim();
                    Some(value.trim_matches(|c| c == '"' || c == '\'').to_string())
                })
            })
    }

    /// Resolves the configured user through `/etc/passwd`.
    pub(crate) fn user(&self, configured: &str) -> UserFacts {
        let passwd = match self.capture("etc/passwd") {
            Some(Capture::Text(text)) => Some(String::from_utf8_lossy(text).into_owned()),
            _ => None,
        };
        resolve_user(configured, passwd.as_deref())
    }
}

/// `pip`, `pip3`, `pip3.11`.
fn is_pip_name(name: &str) -> bool {
    let Some(rest) = name.strip_prefix("pip") else {
        return false;
    };
    rest.chars().all(|c| c.is_ascii_digit() || c == '.')
}

/// The `*.dist-info` / `*.egg-info` component (and what precedes it) of a path.
fn python_dist(path: &str) -> Option<&str> {
    let mut end = 0;
    for part in path.split('/') {
        end += part.len();
        if part.ends_with(".dist-info") || part.ends_with(".egg-info") {
            return Some(&path[..end]);
        }
        end += 1;
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_python_distribution_once() {
        let p = "usr/lib/python3/dist-packages/idna-3.4.dist-info/METADATA";
        assert_eq!(
            python_dist(p),
            Some("usr/lib/python3/dist-packages/idna-3.4.dist-info")
        );
        assert_eq!(
            python_dist("usr/lib/x.egg-info"),
            Some("usr/lib/x.egg-info")
        );
        assert!(is_pip_name("pip3.11") && is_pip_name("pip") && !is_pip_name("pipx"));
    }
}
