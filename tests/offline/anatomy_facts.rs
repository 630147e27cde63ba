//! Image anatomy facts (shells, package managers, packages, libc, user, ...) on images made
//! by the tests.
#![allow(clippy::unwrap_used)]

use basebench::anatomy::synth::{ImageBuilder, LayerBuilder, Layout, Storage};
use basebench::anatomy::{AnalyzeOptions, Anatomy, Libc, VulnerabilityScan, analyze_archive};

fn analyse(archive: &[u8]) -> Anatomy {
    analyze_archive(archive, &AnalyzeOptions::default()).expect("archive analyses")
}

const PASSWD: &[u8] = b"root:x:0:0:root:/root:/bin/bash\napp:x:1000:1000::/home/app:/bin/sh\n";
const STATUS: &[u8] = b"Package: libc6\nStatus: install ok installed\n\nPackage: bash\nStatus: install ok installed\n\nPackage: gone\nStatus: deinstall ok config-files\n\nPackage: dash\nStatus: install ok installed\n";

fn debian_like() -> ImageBuilder {
    let mut libc = vec![0u8; 5000];
    libc.extend_from_slice(
        b"GNU C Library (Debian GLIBC 2.36-9+deb12u4) stable release version 2.36.\n",
    );
    let usr = LayerBuilder::new()
        .symlink("bin", "usr/bin")
        .symlink("lib", "usr/lib")
        .file_mode("usr/bin/bash", b"#!bash", 0o755)
        .symlink("usr/bin/sh", "dash")
        .file_mode("usr/bin/dash", b"dash", 0o755)
        .symlink("usr/bin/zsh", "/nonexistent/zsh")
        .dir("usr/bin/busybox")
        .file_mode("usr/bin/apt-get", b"apt", 0o755)
        .file_mode("usr/bin/dpkg", b"dpkg", 0o755)
        .file_mode("usr/bin/su", b"su", 0o4755)
        .file_mode("usr/bin/wall", b"wall", 0o2755)
        .file("usr/lib/x86_64-linux-gnu/libc.so.6", &libc)
        .file(
            "usr/lib/os-release",
            b"NAME=\"Debian\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n",
        )
        .symlink("etc/os-release", "../usr/lib/os-release")
        .file("etc/passwd", PASSWD)
        .file("var/lib/dpkg/status", STATUS);
    let python = LayerBuilder::new()
        .file("usr/lib/python3/dist-packages/pip/__init__.py", b"")
        .file(
            "usr/lib/python3/dist-packages/pip-23.0.dist-info/METADATA",
            b"m",
        )
        .file(
            "usr/lib/python3/dist-packages/pip-23.0.dist-info/RECORD",
            b"r",
        )
        .file(
            "usr/local/lib/python3.11/site-packages/flask-3.0.egg-info/PKG-INFO",
            b"p",
        )
        .file(
            "usr/local/lib/python3.11/site-packages/idna-3.4.dist-info/METADATA",
            b"m",
        );
    ImageBuilder::new()
        .layer("debootstrap", usr, Storage::Gzip)
        .empty_step("ENV PATH=/usr/bin")
        .layer("RUN pip install flask", python, Storage::Plain)
}

#[test]
fn reads_shells_managers_packages_libc_and_release_through_symlinks() {
    let a = analyse(&debian_like().user("app").build(Layout::Legacy));
    assert_eq!(a.shells, vec!["/bin/sh", "/bin/bash", "/bin/dash"]);
    assert_eq!(a.package_managers, vec!["apt", "dpkg", "pip"]);
    assert_eq!(a.os_packages, Some(3));
    assert_eq!(a.python_packages, 3);
    assert_eq!(
        a.libc,
        Some(Libc {
            kind: "glibc".into(),
            version: Some("2.36".into())
        })
    );
    assert_eq!(
        a.os_release.as_deref(),
        Some("Debian GNU/Linux 12 (bookworm)")
    );
    assert_eq!(a.setuid_files, vec!["/usr/bin/su", "/usr/bin/wall"]);
    assert_eq!((a.user.uid, a.user.is_root), (Some(1000), false));
    assert_eq!(a.layers[1].created_by, "RUN pip install flask");
    assert!(matches!(
        a.vulnerabilities,
        VulnerabilityScan::NotScanned { .. }
    ));
}

#[test]
fn an_empty_user_is_root_and_a_missing_named_user_is_not() {
    let root = analyse(&debian_like().build(Layout::Legacy));
    assert_eq!((root.user.uid, root.user.is_root), (Some(0), true));
    let ghost = analyse(&debian_like().user("ghost:ghost").build(Layout::Legacy));
    assert_eq!((ghost.user.uid, ghost.user.is_root), (None, false));
    assert!(
        ghost
            .notes
            .iter()
            .any(|n| n.contains("'ghost' is not in /etc/passwd"))
    );
    let numeric = analyse(&debian_like().user("65532:65532").build(Layout::Legacy));
    assert_eq!(
        (numeric.user.uid, numeric.user.is_root),
        (Some(65532), false)
    );
}

#[test]
fn a_later_layer_that_deletes_the_shell_and_apt_removes_them_from_the_facts() {
    let strip = LayerBuilder::new()
        .whiteout("usr/bin/dash")
        .whiteout("usr/bin/bash")
        .whiteout("usr/bin/apt-get")
        .whiteout("usr/lib/python3/dist-packages/pip");
    let image = debian_like().layer("RUN strip", strip, Storage::Zstd);
    let a = analyse(&image.build(Layout::Oci));
    assert!(a.shells.is_empty(), "{:?}", a.shells);
    assert_eq!(a.package_managers, vec!["dpkg"]);
    assert_eq!(a.python_packages, 3, "the pip dist-info stays");
}

#[test]
fn distroless_status_d_and_alpine_apk_databases_are_counted() {
    let distroless = LayerBuilder::new()
        .file(
            "var/lib/dpkg/status.d/libc6",
            b"Package: libc6\nVersion: 2.36\n",
        )
        .file("var/lib/dpkg/status.d/libc6.md5sums", b"abc  lib/x\n")
        .file("var/lib/dpkg/status.d/python3", b"Package: python3\n")
        .file("lib/x86_64-linux-gnu/libc-2.31.so", b"elf");
    let a = analyse(
        &ImageBuilder::new()
            .layer("x", distroless, Storage::Plain)
            .build(Layout::Legacy),
    );
    assert_eq!(a.os_packages, Some(2));
    assert_eq!(a.libc.and_then(|l| l.version).as_deref(), Some("2.31"));
    assert!(a.shells.is_empty() && a.package_managers.is_empty());

    let alpine = LayerBuilder::new()
        .file("lib/ld-musl-x86_64.so.1", b"elf")
        .symlink("bin/sh", "/bin/busybox")
        .file_mode("bin/busybox", b"bb", 0o755)
        .file_mode("sbin/apk", b"apk", 0o755)
        .file(
            "lib/apk/db/installed",
            b"P:musl\nV:1.2.4-r2\n\nP:busybox\nV:1.36\n\nP:apk-tools\nV:2.14\n",
        )
        .file("usr/bin/pip3.11", b"#!python");
    let a = analyse(
        &ImageBuilder::new()
            .layer("x", alpine, Storage::Gzip)
            .build(Layout::Legacy),
    );
    assert_eq!(a.os_packages, Some(3));
    assert_eq!(
        a.libc,
        Some(Libc {
            kind: "musl".into(),
            version: Some("1.2.4-r2".into())
        })
    );
    assert_eq!(a.shells, vec!["/bin/sh", "/bin/busybox"]);
    assert_eq!(a.package_managers, vec!["apk", "pip"]);
    assert_eq!(a.os_packages.unwrap(), 3);
}

#[test]
fn a_scratch_image_has_no_facts_and_no_package_database() {
    let layer = LayerBuilder::new().file_mode("app", b"static binary", 0o755);
    let a = analyse(
        &ImageBuilder::new()
            .layer("COPY app /", layer, Storage::Plain)
            .build(Layout::Legacy),
    );
    assert_eq!(a.os_packages, None);
    assert_eq!(a.libc, None);
    assert_eq!(a.os_release, None);
    assert!(a.shells.is_empty());
    assert_eq!(a.content_bytes, 13);
}
