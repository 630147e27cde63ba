//! Image anatomy against the real daemon: a `FROM scratch` image built by the test (files,
//! a later layer deleting some, an overwrite), exported through the `Engine` trait and
//! analysed while it streams; the same export saved to a file gives the same anatomy.
//! Needs dockerd and gcc; fails loudly without them.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use basebench::anatomy::{AnalyzeOptions, ScanPolicy, analyze_export, analyze_file};
use basebench::engine::Engine;
use futures_util::StreamExt;

use crate::support;
use crate::support::{Cleanup, images, unique_run_id};

const RMTOOL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/anatomy/rmtool.c"
);

/// The static `rm -r` helper, compiled once per test binary.
fn rmtool(dir: &Path) -> PathBuf {
    let out = dir.join("rmtool");
    let status = Command::new("gcc")
        .args(["-static", "-O2", "-o"])
        .arg(&out)
        .arg(RMTOOL)
        .status()
        .unwrap_or_else(|e| panic!("cannot run gcc ({e}): apt-get install -y gcc libc6-dev"));
    assert!(
        status.success(),
        "gcc failed to build {RMTOOL} (is libc6-dev installed?)"
    );
    out
}

const DOCKERFILE: &str = "FROM scratch
COPY rmtool /rmtool
COPY big.bin /data/big.bin
COPY dir/ /data/dir/
COPY keep.txt /data/keep.txt
RUN [\"/rmtool\", \"/data/big.bin\", \"/data/dir\"]
COPY new.txt /data/keep.txt
USER 1000:1000
";

fn context() -> (tempfile::TempDir, u64) {
    let dir = tempfile::tempdir().unwrap();
    let tool = rmtool(dir.path());
    let tool_size = std::fs::metadata(&tool).unwrap().len();
    std::fs::write(dir.path().join("big.bin"), vec![7u8; 300_000]).unwrap();
    std::fs::create_dir(dir.path().join("dir")).unwrap();
    std::fs::write(dir.path().join("dir/a"), vec![1u8; 1000]).unwrap();
    std::fs::write(dir.path().join("dir/b"), vec![2u8; 2000]).unwrap();
    std::fs::write(dir.path().join("keep.txt"), vec![b'k'; 100]).unwrap();
    std::fs::write(dir.path().join("new.txt"), vec![b'n'; 50]).unwrap();
    std::fs::write(dir.path().join("Dockerfile"), DOCKERFILE).unwrap();
    (dir, tool_size)
}

#[tokio::test]
async fn a_built_image_streams_through_the_engine_into_exact_anatomy() {
    let engine = support::connect_or_fail().await;
    let run_id = unique_run_id();
    let _cleanup = Cleanup::new(&run_id);
    let (dir, tool) = context();
    let built = images::build_dir(&engine, dir.path(), DOCKERFILE, &run_id, "anatomy").await;

    let options = AnalyzeOptions {
        scan: ScanPolicy::Never,
        ..AnalyzeOptions::default()
    };
    let stream = engine.export_image(&built.image_id).await.unwrap();
    let a = analyze_export(stream, options.clone())
        .await
        .expect("analysing the export");

    let added: Vec<u64> = a.layers.iter().map(|l| l.added_bytes).collect();
    assert_eq!(
        added,
        vec![tool, 300_000, 3000, 100, 0, 0],
        "{:#?}",
        a.layers
    );
    assert_eq!(a.layers[4].removed_bytes, 303_000);
    assert_eq!(
        (a.layers[5].modified_bytes, a.layers[5].replaced_bytes),
        (50, 100)
    );
    assert_eq!(a.content_bytes, tool + 50);
    assert_eq!(a.wasted_bytes, 303_100);
    assert_eq!(a.stored_bytes, a.content_bytes + a.wasted_bytes);
    assert!(
        a.layers[1].created_by.contains("COPY big.bin"),
        "{:#?}",
        a.layers
    );
    assert!(a.layers[4].created_by.contains("rmtool"), "{:#?}", a.layers);
    assert!(a.layers.iter().all(|l| l.archive_bytes >= 1024));
    assert_eq!((a.user.uid, a.user.is_root), (Some(1000), false));
    assert!(a.shells.is_empty() && a.package_managers.is_empty());
    assert_eq!((a.os_packages, a.libc.clone()), (None, None));
    assert_eq!(a.largest_files[0].path, "/rmtool");

    // The same export saved to a file analyses the same.
    let saved = dir.path().join("saved.tar");
    let mut file = tokio::fs::File::create(&saved).await.unwrap();
    let mut stream = engine.export_image(&built.image_id).await.unwrap();
    while let Some(chunk) = stream.next().await {
        tokio::io::AsyncWriteExt::write_all(&mut file, &chunk.unwrap())
            .await
            .unwrap();
    }
    drop(file);
    let from_file = analyze_file(&saved, &options).unwrap();
    assert_eq!(from_file, a);

    // `basebench inspect IMAGE` with a (stand-in) trivy on PATH: the export is copied to a
    // file while it streams, and the scanner reads that file.
    let json = inspect_with_stand_in_trivy(dir.path(), &built.image_id);
    assert_eq!(json["content_bytes"].as_u64(), Some(tool + 50));
    assert_eq!(json["vulnerabilities"]["status"], "scanned", "{json}");
    assert_eq!(json["vulnerabilities"]["critical"].as_u64(), Some(1));
}

fn inspect_with_stand_in_trivy(dir: &Path, image: &str) -> serde_json::Value {
    use std::os::unix::fs::PermissionsExt;
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/anatomy");
    // Checks that the copy it is given is a complete archive (manifest.json inside).
    let script = format!(
        "#!/bin/sh\nif [ \"$1\" = version ]; then cat '{0}/trivy-version.json'; exit 0; fi\n\
         tar -tf \"$6\" | grep -qx manifest.json || {{ echo \"incomplete $6\" >&2; exit 3; }}\n\
         cat '{0}/trivy-report.json'\n",
        fixtures.display()
    );
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::write(bin.join("trivy"), script).unwrap();
    std::fs::set_permissions(bin.join("trivy"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = assert_cmd::Command::cargo_bin("basebench")
        .unwrap()
        .env("PATH", path)
        .args(["inspect", image, "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}
