//! `basebench inspect --archive` end to end (no daemon): JSON with the results.json fields,
//! the human table, and clear errors for a missing or malformed archive.

#![allow(clippy::unwrap_used)]

use assert_cmd::Command;
use basebench::anatomy::Anatomy;
use basebench::anatomy::synth::{ImageBuilder, LayerBuilder, Layout, Storage};
use predicates::prelude::*;

fn basebench() -> Command {
    let mut cmd = Command::cargo_bin("basebench").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

fn saved_image(dir: &std::path::Path) -> std::path::PathBuf {
    let base = LayerBuilder::new()
        .symlink("bin", "usr/bin")
        .file_mode("usr/bin/sh", b"#!", 0o755)
        .file(
            "etc/passwd",
            b"root:x:0:0::/root:/bin/sh\nweb:x:33:33::/var/www:/bin/sh\n",
        )
        .sized("srv/cache.bin", 4096);
    let clean = LayerBuilder::new().whiteout("srv/cache.bin");
    let archive = ImageBuilder::new()
        .layer("ADD rootfs.tar /", base, Storage::Gzip)
        .layer("RUN rm /srv/cache.bin", clean, Storage::Plain)
        .user("web")
        .build(Layout::Oci);
    let path = dir.join("image.tar");
    std::fs::write(&path, archive).unwrap();
    path
}

#[test]
fn inspect_archive_prints_the_anatomy_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let path = saved_image(dir.path());
    let out = basebench()
        .args(["inspect", "--archive"])
        .arg(&path)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let a: Anatomy = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((a.wasted_bytes, a.content_bytes), (4096, 2 + 56));
    assert_eq!(a.shells, vec!["/bin/sh"]);
    assert_eq!((a.user.uid, a.user.is_root), (Some(33), false));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["vulnerabilities"]["status"], "not_scanned");
    assert_eq!(json["layers"][1]["created_by"], "RUN rm /srv/cache.bin");
}

#[test]
fn inspect_archive_prints_a_table_for_people() {
    let dir = tempfile::tempdir().unwrap();
    let path = saved_image(dir.path());
    basebench()
        .args(["inspect", "--no-scan", "--archive"])
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains("wasted 4 kB"))
        .stdout(predicate::str::contains("RUN rm /srv/cache.bin"))
        .stdout(predicate::str::contains("web (uid 33)"))
        .stdout(predicate::str::contains(
            "not scanned (scanning was turned off)",
        ));
}

#[test]
fn a_missing_or_malformed_archive_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    basebench()
        .args(["inspect", "--archive"])
        .arg(dir.path().join("nope.tar"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("reading the image archive"))
        .stderr(predicate::str::contains("nope.tar"));
    let junk = dir.path().join("junk.tar");
    std::fs::write(&junk, vec![0x42; 4000]).unwrap();
    basebench()
        .args(["inspect", "--archive"])
        .arg(&junk)
        .assert()
        .failure()
        .stderr(predicate::str::contains("not a readable tar"));
}

#[test]
fn inspect_needs_an_image_or_an_archive() {
    basebench()
        .arg("inspect")
        .assert()
        .failure()
        .stderr(predicate::str::contains("--archive"));
}

#[test]
fn a_trivy_on_path_scans_the_archive_and_the_counts_are_printed() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = saved_image(dir.path());
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/anatomy");
    let script = format!(
        "#!/bin/sh\nif [ \"$1\" = version ]; then cat '{0}/trivy-version.json'; exit 0; fi\n\
         [ -s \"$6\" ] || {{ echo \"no archive at $6\" >&2; exit 3; }}\ncat '{0}/trivy-report.json'\n",
        fixtures.display()
    );
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::fs::write(bin.join("trivy"), script).unwrap();
    std::fs::set_permissions(bin.join("trivy"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let path_var = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = basebench()
        .env("PATH", path_var)
        .args(["inspect", "--format", "json", "--archive"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let v = &json["vulnerabilities"];
    assert_eq!(v["status"], "scanned", "{v}");
    assert_eq!(
        (v["critical"].as_u64(), v["high"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(v["scanner"], "trivy 0.50.1");
    assert_eq!(v["db_date"], "2024-03-01T06:12:44Z");
}
