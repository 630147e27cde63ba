//! `basebench optimize --dry-run` through the binary: the candidates and their diffs in
//! the output directory, `candidates.json`, the table, the user's files untouched, and
//! exit 2 with `file:line` for a Dockerfile it cannot read, an output inside the context
//! or a measured run without the settings it needs.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn basebench(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("basebench").expect("binary");
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

/// A context holding the article's bloated recipe as its Dockerfile, the sample app and
/// a `.git` directory.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let ctx = dir.path().join("ctx");
    fs::create_dir_all(ctx.join(".git")).expect("mkdir");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    fs::copy(
        root.join("variants/article/Dockerfile.bloated"),
        ctx.join("Dockerfile"),
    )
    .expect("copy");
    for f in ["app.py", "requirements.txt"] {
        fs::copy(root.join("sample-app").join(f), ctx.join(f)).expect("copy");
    }
    dir
}

fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = fs::read_dir(dir)
        .expect("dir")
        .map(|e| {
            let e = e.expect("entry");
            let bytes = fs::read(e.path()).unwrap_or_default();
            (e.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_dry_run_writes_every_candidate_and_its_diff_and_leaves_the_context_alone() {
    let dir = project();
    let ctx = dir.path().join("ctx");
    let before = snapshot(&ctx);
    basebench(dir.path())
        .args(["optimize", "--context", "ctx", "--out", "out", "--dry-run"])
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("apt-lists-removed")
                .and(predicate::str::contains(
                    "no RUN follows the COPY . at line 6",
                ))
                .and(predicate::str::contains("6 of 9 transformations apply")),
        );
    assert_eq!(snapshot(&ctx), before, "the context is unchanged");
    let out = dir.path().join("out");
    let listing: Value =
        serde_json::from_slice(&fs::read(out.join("candidates.json")).expect("json"))
            .expect("parses");
    let cands = listing["candidates"].as_array().expect("array");
    assert_eq!(cands.len(), 9);
    for c in cands {
        let name = c["name"].as_str().expect("name");
        if c["applies"] == true {
            let file = c["file"].as_str().expect("file");
            let text = fs::read_to_string(out.join(file)).expect("candidate");
            assert_eq!(c["text"].as_str(), Some(text.as_str()), "{name}");
            let diff = fs::read_to_string(out.join(format!("{file}.diff"))).expect("diff");
            assert!(diff.starts_with("--- "), "{name}: {diff}");
        } else {
            assert!(c["reason_if_not"].is_string(), "{name}");
            assert!(!out.join(format!("Dockerfile.{name}")).exists(), "{name}");
        }
    }
    let merged = fs::read_to_string(out.join("Dockerfile.merge-runs")).expect("merged");
    assert!(
        merged.contains("RUN apt-get update && \\\n    apt-get install"),
        "{merged}"
    );
    let ignore = fs::read_to_string(out.join("dockerignore.proposed")).expect("ignore");
    assert!(ignore.lines().any(|l| l == ".git"), "{ignore}");
}

#[test]
fn a_dockerfile_it_cannot_read_exits_2_naming_file_and_line() {
    let dir = project();
    fs::write(dir.path().join("bad.Dockerfile"), "FROM a\nFROM b c d e\n").expect("write");
    basebench(dir.path())
        .args([
            "optimize",
            "--context",
            "ctx",
            "--dockerfile",
            "bad.Dockerfile",
            "--out",
            "out",
            "--dry-run",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.Dockerfile:2: 'FROM b c d e'"));
    assert!(!dir.path().join("out").exists(), "nothing written");
}

#[test]
fn an_output_inside_the_context_or_a_measured_run_without_a_port_exits_2_and_writes_nothing() {
    let dir = project();
    let ctx = dir.path().join("ctx");
    let before = snapshot(&ctx);
    for extra in [&["--dry-run"][..], &["--port", "5000"][..]] {
        basebench(dir.path())
            .args(["optimize", "--context", "ctx", "--out", "ctx/out"])
            .args(extra)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("never writes there"));
    }
    basebench(dir.path())
        .args(["optimize", "--context", "ctx", "--out", "out"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`port` is not set"));
    basebench(dir.path())
        .args(["optimize", "--out", "out", "--port", "5000"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("name the Dockerfile to optimize"));
    assert_eq!(snapshot(&ctx), before);
    assert!(!dir.path().join("out").exists());
}
