//! The bytecode fact through `basebench inspect` on a real export: a `FROM scratch` image
//! built by the test holds a small "standard library" (`usr/lib/python3.11` with `os.py`)
//! where one module has a current `__pycache__` pyc, one a pyc of another interpreter and
//! one none, and a `--target`-style tree on `PYTHONPATH`; it runs as a non-root uid. No
//! interpreter is needed to count. Needs dockerd; fails loudly without it.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::time::UNIX_EPOCH;

use crate::support;
use crate::support::cli::basebench;
use crate::support::{Cleanup, images, unique_run_id};

const DOCKERFILE: &str = "FROM scratch
COPY rootfs/ /
ENV PYTHONPATH=/deps
USER 65532
";

/// A timestamp pyc (PEP 552) for the source at `source`, from its mtime and size as the
/// export will carry them (COPY keeps a file's mtime).
fn pyc_for(source: &Path) -> Vec<u8> {
    let meta = std::fs::metadata(source).unwrap();
    let mtime = meta
        .modified()
        .unwrap()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut body = vec![0xa7, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0];
    body.extend_from_slice(&(mtime as u32).to_le_bytes());
    body.extend_from_slice(&(meta.len() as u32).to_le_bytes());
    body.extend_from_slice(b"\xe3code");
    body
}

fn write(root: &Path, path: &str, content: &[u8]) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

fn context() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("rootfs");
    let lib = "usr/lib/python3.11";
    write(&root, &format!("{lib}/os.py"), b"import sys\n");
    write(
        &root,
        &format!("{lib}/json/__init__.py"),
        b"from .decoder import *\n",
    );
    write(
        &root,
        &format!("{lib}/json/decoder.py"),
        b"def loads(s): ...\n",
    );
    let os = pyc_for(&root.join(format!("{lib}/os.py")));
    write(&root, &format!("{lib}/__pycache__/os.cpython-311.pyc"), &os);
    let decoder = pyc_for(&root.join(format!("{lib}/json/decoder.py")));
    write(
        &root,
        &format!("{lib}/json/__pycache__/decoder.cpython-39.pyc"),
        &decoder,
    );
    write(&root, "deps/flask/__init__.py", b"VERSION = 3\n");
    let flask = pyc_for(&root.join("deps/flask/__init__.py"));
    write(
        &root,
        "deps/flask/__pycache__/__init__.cpython-311.pyc",
        &flask,
    );
    std::fs::write(dir.path().join("Dockerfile"), DOCKERFILE).unwrap();
    dir
}

#[tokio::test]
async fn inspect_counts_the_compiled_modules_of_a_built_image() {
    let engine = support::connect_or_fail().await;
    let run_id = unique_run_id();
    let _cleanup = Cleanup::new(&run_id);
    let dir = context();
    let built = images::build_dir(&engine, dir.path(), DOCKERFILE, &run_id, "bytecode").await;

    let json = inspect(dir.path(), &built.image_id, "json");
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let py = &json["bytecode"]["interpreters"][0];
    assert_eq!(py["version"], "3.11", "{json:#}");
    assert_eq!(py["stdlib_dir"], "/usr/lib/python3.11");
    assert_eq!(py["binary"], serde_json::Value::Null);
    let stdlib = serde_json::json!({
        "modules": 3, "compiled": 1, "stale": 0, "foreign": 1, "unwritable": 2 });
    assert_eq!(py["stdlib"], stdlib, "{json:#}");
    assert_eq!(py["package_dirs"], serde_json::json!(["/deps"]));
    assert_eq!(py["packages"]["compiled"], 1);
    assert_eq!(json["bytecode"]["dont_write_bytecode"], false);

    let text = inspect(dir.path(), &built.image_id, "table");
    assert!(
        text.contains("bytecode          stdlib 1 of 3 compiled; packages 1 of 1"),
        "{text}"
    );
    assert!(
        text.contains("bytecode cache    2 of 2 missing not writable by the image's user"),
        "{text}"
    );
}

fn inspect(dir: &Path, image: &str, format: &str) -> String {
    let out = basebench(dir)
        .args(["inspect", image, "--no-scan", "--format", format])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
