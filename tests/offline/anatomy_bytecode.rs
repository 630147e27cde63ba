//! The bytecode fact (docs/ANATOMY.md) on images made by the tests: which modules of each
//! Python interpreter's standard library and package trees have a `.pyc` CPython would use
//! as it is, and whether the image's user could write the missing ones.
#![allow(clippy::unwrap_used)]

use basebench::anatomy::synth::{ImageBuilder, LayerBuilder, Layout, Storage, pyc};
use basebench::anatomy::{AnalyzeOptions, Bytecode, ModuleCount, PythonBytecode, analyze_archive};

const OS: &[u8] = b"import sys\n";
const JSON: &[u8] = b"from .decoder import *\n";
const DECODER: &[u8] = b"def loads(s): ...\n";
const MTIME: u64 = 1_700_000_000;

fn bytecode(image: ImageBuilder) -> Bytecode {
    let archive = image.build(Layout::Legacy);
    let anatomy = analyze_archive(&archive[..], &AnalyzeOptions::default()).unwrap();
    anatomy
        .bytecode
        .expect("the bytecode fact is always filled")
}

/// A Debian-style `/usr/lib/python3.11` with three modules, no caches.
fn stdlib() -> LayerBuilder {
    LayerBuilder::new()
        .file_mode("usr/bin/python3.11", b"ELF", 0o755)
        .dir("usr/lib/python3.11")
        .file_mtime("usr/lib/python3.11/os.py", OS, MTIME)
        .dir("usr/lib/python3.11/json")
        .file_mtime("usr/lib/python3.11/json/__init__.py", JSON, MTIME)
        .file_mtime("usr/lib/python3.11/json/decoder.py", DECODER, MTIME)
}

/// The caches CPython 3.11 would write for [`stdlib`].
fn caches(layer: LayerBuilder) -> LayerBuilder {
    let m = MTIME as u32;
    layer
        .file(
            "usr/lib/python3.11/__pycache__/os.cpython-311.pyc",
            &pyc(m, OS.len() as u32),
        )
        .file(
            "usr/lib/python3.11/json/__pycache__/__init__.cpython-311.pyc",
            &pyc(m, JSON.len() as u32),
        )
        .file(
            "usr/lib/python3.11/json/__pycache__/decoder.cpython-311.pyc",
            &pyc(m, DECODER.len() as u32),
        )
}

fn image(layer: LayerBuilder) -> ImageBuilder {
    ImageBuilder::new().layer("ADD rootfs /", layer, Storage::Plain)
}

fn only(b: &Bytecode) -> &PythonBytecode {
    assert_eq!(b.interpreters.len(), 1, "{b:?}");
    &b.interpreters[0]
}

fn counts(modules: u32, compiled: u32, stale: u32, foreign: u32, unwritable: u32) -> ModuleCount {
    ModuleCount {
        modules,
        compiled,
        stale,
        foreign,
        unwritable,
    }
}

#[test]
fn a_stdlib_without_pycache_has_nothing_compiled_and_root_can_write_it() {
    let b = bytecode(image(stdlib()));
    let py = only(&b);
    assert_eq!(py.version, "3.11");
    assert_eq!(py.stdlib_dir, "/usr/lib/python3.11");
    assert_eq!(py.binary.as_deref(), Some("/usr/bin/python3.11"));
    assert_eq!(py.stdlib, counts(3, 0, 0, 0, 0));
    assert_eq!(py.packages, ModuleCount::default());
    assert!(!b.dont_write_bytecode);
}

#[test]
fn a_stdlib_with_matching_pycache_is_compiled() {
    let b = bytecode(image(caches(stdlib())));
    assert_eq!(only(&b).stdlib, counts(3, 3, 0, 0, 0));
}

#[test]
fn stale_and_foreign_pycs_do_not_count() {
    let layer = stdlib()
        // Written for an older os.py: another mtime.
        .file(
            "usr/lib/python3.11/__pycache__/os.cpython-311.pyc",
            &pyc(MTIME as u32 - 60, OS.len() as u32),
        )
        // A header cut short.
        .file(
            "usr/lib/python3.11/json/__pycache__/__init__.cpython-311.pyc",
            b"\xa7\x0d",
        )
        // Another interpreter's and another optimisation level's.
        .file(
            "usr/lib/python3.11/json/__pycache__/decoder.cpython-39.pyc",
            &pyc(MTIME as u32, DECODER.len() as u32),
        )
        .file(
            "usr/lib/python3.11/json/__pycache__/decoder.cpython-311.opt-1.pyc",
            &pyc(MTIME as u32, DECODER.len() as u32),
        );
    let b = bytecode(image(layer));
    assert_eq!(only(&b).stdlib, counts(3, 0, 2, 1, 0));
}

#[test]
fn a_source_changed_by_a_later_layer_makes_its_cache_stale_and_a_whiteout_removes_one() {
    let later = LayerBuilder::new()
        .file_mtime("usr/lib/python3.11/os.py", b"import sys, abc\n", MTIME + 5)
        .whiteout("usr/lib/python3.11/json/__pycache__/decoder.cpython-311.pyc");
    let b = bytecode(image(caches(stdlib())).layer("RUN edit", later, Storage::Gzip));
    assert_eq!(only(&b).stdlib, counts(3, 1, 1, 0, 0));
}

#[test]
fn a_legacy_pyc_beside_its_source_is_not_used_and_a_sourceless_one_is_a_module() {
    let layer = stdlib()
        .file(
            "usr/lib/python3.11/json/decoder.pyc",
            &pyc(MTIME as u32, DECODER.len() as u32),
        )
        .file("usr/lib/python3.11/_frozen_only.pyc", &pyc(0, 0));
    let b = bytecode(image(layer));
    // decoder.py's legacy pyc is ignored (the source wins); _frozen_only.pyc is imported.
    assert_eq!(only(&b).stdlib, counts(4, 1, 0, 0, 0));
}

#[test]
fn site_packages_are_packages_not_stdlib_and_a_target_tree_on_pythonpath_counts() {
    let m = MTIME as u32;
    let layer = LayerBuilder::new()
        .file_mtime("usr/local/lib/python3.9/os.py", OS, MTIME)
        .file_mtime(
            "usr/local/lib/python3.9/site-packages/flask/__init__.py",
            JSON,
            MTIME,
        )
        .file(
            "usr/local/lib/python3.9/site-packages/flask/__pycache__/__init__.cpython-39.pyc",
            &pyc(m, JSON.len() as u32),
        )
        .file_mtime("app/deps/gunicorn/__init__.py", OS, MTIME)
        .file(
            "app/deps/gunicorn/__pycache__/__init__.cpython-39.pyc",
            &pyc(m, OS.len() as u32),
        )
        .file_mtime("app/deps/gunicorn/app.py", DECODER, MTIME);
    let b = bytecode(image(layer).env("PYTHONPATH=/app/deps:/nowhere"));
    let py = only(&b);
    assert_eq!((py.version.as_str(), py.binary.as_deref()), ("3.9", None));
    assert_eq!(py.stdlib, counts(1, 0, 0, 0, 0));
    assert_eq!(
        py.package_dirs,
        ["/app/deps", "/usr/local/lib/python3.9/site-packages"]
    );
    assert_eq!(py.packages, counts(3, 2, 0, 0, 0));
}

#[test]
fn a_non_root_user_cannot_write_caches_in_roots_directories() {
    let passwd =
        b"root:x:0:0::/root:/sbin/nologin\nnonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n";
    let layer = stdlib()
        .file("etc/passwd", passwd)
        .dir_owned("app", 0o755, 65532, 65532)
        .file_mtime("app/lib/python3.11/os.py", OS, MTIME);
    let b = bytecode(image(layer).user("nonroot"));
    assert_eq!(b.interpreters.len(), 2, "{b:?}");
    let by_dir = |dir: &str| b.interpreters.iter().find(|p| p.stdlib_dir == dir).unwrap();
    assert_eq!(by_dir("/usr/lib/python3.11").stdlib, counts(3, 0, 0, 0, 3));
    // app/lib/python3.11 was made by extraction (0755, root): not writable either...
    assert_eq!(by_dir("/app/lib/python3.11").stdlib.unwritable, 1);
    // ...but a directory the user owns is.
    let owned = stdlib().file("etc/passwd", passwd).dir_owned(
        "usr/lib/python3.11/json",
        0o755,
        65532,
        65532,
    );
    let b = bytecode(image(owned).user("nonroot"));
    assert_eq!(only(&b).stdlib, counts(3, 0, 0, 0, 1));
}

#[test]
fn pythondontwritebytecode_forbids_every_cache_even_for_root() {
    let b = bytecode(image(stdlib()).env("PYTHONDONTWRITEBYTECODE=1"));
    assert!(b.dont_write_bytecode);
    assert_eq!(only(&b).stdlib, counts(3, 0, 0, 0, 3));
    let empty = bytecode(image(stdlib()).env("PYTHONDONTWRITEBYTECODE="));
    assert!(!empty.dont_write_bytecode, "an empty value does not count");
}

#[test]
fn an_image_without_python_has_no_interpreter() {
    let layer = LayerBuilder::new()
        .file("app/main.py", OS)
        .dir("usr/lib/python3.11");
    assert_eq!(bytecode(image(layer)).interpreters, []);
}

#[test]
fn caches_and_sources_behind_symlinks_are_followed() {
    let m = MTIME as u32;
    let layer = stdlib()
        .symlink("usr/lib/python3.11/json/__pycache__", "/cache/json")
        .file(
            "cache/json/decoder.cpython-311.pyc",
            &pyc(m, DECODER.len() as u32),
        )
        .file_mtime("src/extra.py", DECODER, MTIME)
        .symlink("usr/lib/python3.11/extra.py", "../../../src/extra.py")
        .file(
            "usr/lib/python3.11/__pycache__/extra.cpython-311.pyc",
            &pyc(m, DECODER.len() as u32),
        );
    let b = bytecode(image(layer));
    assert_eq!(only(&b).stdlib, counts(4, 2, 0, 0, 0));
}
