//! Compiled bytecode of the image's Python interpreters: for each standard library
//! (`lib/python3.X` holding `os.py`) and each package tree of that version, how many
//! modules have a `__pycache__/<name>.cpython-3X.pyc` the interpreter would use as it is,
//! and whether the image's user could write one where it is missing (docs/ANATOMY.md).
//!
//! Everything is read from the merged filesystem and the captures taken while the layers
//! streamed (a `.py`'s mtime, a `.pyc`'s 16-byte header), so later layers and whiteouts
//! apply as for every other fact and nothing more is held than the path budget allows.

mod module;

use std::ops::Bound;

use super::capture::Capture;
use super::facts::View;
use super::fs::{MergedFs, Node, NodeKind};
use super::layer::normalise;
use super::model::{Bytecode, ModuleCount, PythonBytecode};
use module::{Verdict, Writer};

/// The bytecode facts of the image, run as `configured` (`Config.User`, `uid` resolved)
/// with the environment `env` (`Config.Env`).
pub(crate) fn bytecode(
    view: &View<'_>,
    env: &[String],
    configured: &str,
    uid: Option<u32>,
) -> Bytecode {
    let var = |name: &str| {
        env.iter()
            .find_map(|e| e.strip_prefix(name)?.strip_prefix('='))
    };
    let dont_write_bytecode = var("PYTHONDONTWRITEBYTECODE").is_some_and(|v| !v.is_empty());
    let python_path: Vec<String> = var("PYTHONPATH")
        .map(|v| {
            v.split(':')
                .map(normalise)
                .filter(|p| !p.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let writer = Writer {
        uid,
        gid: module::gid(
            configured,
            uid,
            &text(view, "etc/passwd"),
            &text(view, "etc/group"),
        ),
        forbidden: dont_write_bytecode,
    };
    let found = Dirs::find(view.fs);
    let interpreters = found
        .stdlibs
        .iter()
        .map(|(dir, minor)| {
            let trees = package_trees(view.fs, &found.packages, *minor, &python_path);
            let count = |root: &str, skip: &[String]| count_tree(view, root, skip, *minor, &writer);
            let mut packages = ModuleCount::default();
            for tree in &trees {
                add(&mut packages, count(tree, &[]));
            }
            let skip: Vec<String> = ["site-packages", "dist-packages"]
                .iter()
                .map(|p| format!("{dir}/{p}"))
                .collect();
            let prefix = dir
                .strip_suffix(&format!("lib/python3.{minor}"))
                .unwrap_or("");
            let binary = format!("{prefix}bin/python3.{minor}");
            PythonBytecode {
                version: format!("3.{minor}"),
                stdlib_dir: format!("/{dir}"),
                binary: view.fs.lookup_file(&binary).map(|_| format!("/{binary}")),
                stdlib: count(dir, &skip),
                package_dirs: trees.iter().map(|t| format!("/{t}")).collect(),
                packages,
            }
        })
        .collect();
    Bytecode {
        interpreters,
        dont_write_bytecode,
    }
}

fn text(view: &View<'_>, path: &str) -> String {
    match view.capture(path) {
        Some(Capture::Text(t)) => String::from_utf8_lossy(t).into_owned(),
        _ => String::new(),
    }
}

fn add(total: &mut ModuleCount, more: ModuleCount) {
    total.modules += more.modules;
    total.compiled += more.compiled;
    total.stale += more.stale;
    total.foreign += more.foreign;
    total.unwritable += more.unwritable;
}

/// The directories a pass over every path finds.
#[derive(Default)]
struct Dirs {
    /// `…/lib/python3.X` holding `os.py` (or a sourceless `os.pyc`), with X.
    stdlibs: Vec<(String, u32)>,
    /// `…/lib/python3.X/{site,dist}-packages` with X, and `…/lib/python3/dist-packages`
    /// (every 3.X's) with `None`.
    packages: Vec<(String, Option<u32>)>,
}

impl Dirs {
    fn find(fs: &MergedFs) -> Dirs {
        let mut dirs = Dirs::default();
        for (path, node) in &fs.nodes {
            if node.kind != NodeKind::Dir {
                continue;
            }
            let (parent, name) = path.rsplit_once('/').unwrap_or(("", path));
            if let Some(minor) = stdlib_minor(name, parent) {
                let has_os = ["os.py", "os.pyc"]
                    .iter()
                    .any(|os| fs.lookup_file(&format!("{path}/{os}")).is_some());
                if has_os {
                    dirs.stdlibs.push((path.to_string(), minor));
                }
            } else if name == "site-packages" || name == "dist-packages" {
                let (lib, version) = parent.rsplit_once('/').unwrap_or(("", parent));
                if let Some(minor) = stdlib_minor(version, lib) {
                    dirs.packages.push((path.to_string(), Some(minor)));
                } else if version == "python3" && name == "dist-packages" && is_lib(lib) {
                    dirs.packages.push((path.to_string(), None));
                }
            }
        }
        dirs
    }
}

fn is_lib(path: &str) -> bool {
    path == "lib" || path.ends_with("/lib")
}

/// `11` for a directory `python3.11` inside a `lib` directory.
fn stdlib_minor(name: &str, parent: &str) -> Option<u32> {
    let minor = name.strip_prefix("python3.")?;
    let digits = !minor.is_empty() && minor.bytes().all(|b| b.is_ascii_digit());
    (digits && is_lib(parent))
        .then(|| minor.parse().ok())
        .flatten()
}

/// The package trees of version 3.`minor`: its site- and dist-packages, the shared
/// `python3/dist-packages`, and `PYTHONPATH`'s directories; none inside another.
fn package_trees(
    fs: &MergedFs,
    found: &[(String, Option<u32>)],
    minor: u32,
    python_path: &[String],
) -> Vec<String> {
    let mut trees: Vec<String> = found
        .iter()
        .filter(|(_, m)| m.is_none_or(|m| m == minor))
        .map(|(p, _)| p.clone())
        .collect();
    for dir in python_path {
        if let Some((real, node)) = fs.resolve(dir)
            && node.kind == NodeKind::Dir
        {
            trees.push(real);
        }
    }
    trees.sort();
    trees.dedup();
    let nested = |t: &String, all: &[String]| {
        all.iter()
            .any(|o| o != t && t.starts_with(o.as_str()) && t.as_bytes()[o.len()] == b'/')
    };
    let all = trees.clone();
    trees.retain(|t| !nested(t, &all));
    trees
}

/// Counts the modules under `root` (not under any of `skip`).
fn count_tree(
    view: &View<'_>,
    root: &str,
    skip: &[String],
    minor: u32,
    writer: &Writer,
) -> ModuleCount {
    let (lo, hi) = (format!("{root}/"), format!("{root}0"));
    let range = (Bound::Included(lo.as_str()), Bound::Excluded(hi.as_str()));
    let mut count = ModuleCount::default();
    for (path, node) in view.fs.nodes.range::<str, _>(range) {
        let path: &str = path;
        if skip
            .iter()
            .any(|s| path.starts_with(s.as_str()) && path.as_bytes().get(s.len()) == Some(&b'/'))
        {
            continue;
        }
        let Some(verdict) = module_verdict(view, path, node, minor) else {
            continue;
        };
        count.modules += 1;
        match verdict {
            Verdict::Compiled => count.compiled += 1,
            Verdict::Stale => count.stale += 1,
            Verdict::Foreign => count.foreign += 1,
            Verdict::Missing => {}
        }
        if verdict != Verdict::Compiled && !writer.can_cache(view.fs, path) {
            count.unwritable += 1;
        }
    }
    count
}

/// What a path is as a module: a source (`.py`, its cache checked) or a sourceless
/// `.pyc` (compiled by nature); `None` for anything else (a legacy `.pyc` beside its
/// source is never imported, so it is no module of its own).
fn module_verdict(view: &View<'_>, path: &str, node: &Node, minor: u32) -> Option<Verdict> {
    let is_file = match &node.kind {
        NodeKind::File(_) => true,
        NodeKind::Symlink(_) => view.fs.lookup_file(path).is_some(),
        _ => false,
    };
    if !is_file {
        return None;
    }
    if path.ends_with(".py") {
        return Some(module::source_verdict(view, path, minor));
    }
    let stem = path.strip_suffix(".pyc")?;
    let (dir, _) = path.rsplit_once('/')?;
    let in_cache = dir == "__pycache__" || dir.ends_with("/__pycache__");
    let beside_source = view.fs.lookup_file(&format!("{stem}.py")).is_some();
    (!in_cache && !beside_source).then_some(Verdict::Compiled)
}
