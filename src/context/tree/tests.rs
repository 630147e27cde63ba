//! Tests of the served trees: fsutil's order, the daemon's filters, the touched file and
//! bodies that change under the reader (real files in a temporary directory).

use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};

use super::*;

const SECRET: &str = "TOP-SECRET-VALUE-4711";

fn context(files: &[(&str, &str)], ignore: &str) -> (tempfile::TempDir, BuildContext) {
    let dir = tempfile::tempdir().expect("tempdir");
    for (rel, body) in files {
        let path = dir.path().join(rel);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, body).expect("write");
    }
    fs::write(dir.path().join(".dockerignore"), ignore).expect("write");
    let ctx = BuildContext::scan(dir.path(), "FROM scratch\nCOPY . /\n".into()).expect("scan");
    (dir, ctx)
}

fn paths(nodes: &[Node]) -> Vec<&str> {
    nodes.iter().map(|n| n.path.as_str()).collect()
}

fn body(ctx: &BuildContext, node: &Node) -> io::Result<Vec<u8>> {
    let mut reader = ctx.open_body(node)?;
    let mut out = Vec::new();
    let mut buf = [0u8; 3];
    loop {
        match reader.read_chunk(&mut buf)? {
            0 => return Ok(out),
            n => out.extend_from_slice(&buf[..n]),
        }
    }
}

#[test]
fn paths_compare_with_the_separator_first_as_fsutil_does() {
    assert_eq!(compare_path("a/b", "a-c"), Ordering::Less);
    assert_eq!(compare_path("a-c", "a/b"), Ordering::Greater);
    assert_eq!(compare_path("a", "a/b"), Ordering::Less);
    assert_eq!(compare_path("a.d", "a/z"), Ordering::Greater);
    assert_eq!(compare_path("B", "a"), Ordering::Less);
    assert_eq!(compare_path("x", "x"), Ordering::Equal);
}

#[test]
fn the_context_tree_lists_parents_first_in_fsutil_order() {
    let files = [
        ("a-c", "1"),
        ("a/b", "2"),
        ("a.d", "3"),
        ("a/z/y", "4"),
        ("b", "5"),
    ];
    let (_dir, ctx) = context(&files, "");
    let nodes = ctx
        .tree(TreeDir::Context, &TreeFilter::default())
        .expect("tree");
    assert_eq!(
        paths(&nodes),
        [
            ".dockerignore",
            "a",
            "a/b",
            "a/z",
            "a/z/y",
            "a-c",
            "a.d",
            "b"
        ]
    );
    assert_eq!(nodes[1].kind, NodeKind::Dir);
    assert_eq!((nodes[2].kind, nodes[2].size), (NodeKind::File, 1));
    assert_eq!(body(&ctx, &nodes[4]).expect("body"), b"4");
}

#[test]
fn a_dockerignored_secret_is_in_no_tree_whatever_the_daemon_asks() {
    let files = [("app.py", "x"), (".env", SECRET), ("keys/k.pem", SECRET)];
    let (_dir, ctx) = context(&files, ".env\nkeys\n");
    let asks = [
        TreeFilter::default(),
        TreeFilter {
            includes: vec![".env".into(), "keys".into()],
            ..TreeFilter::default()
        },
        TreeFilter {
            follow: vec![".env".into(), "keys/k.pem".into()],
            ..TreeFilter::default()
        },
    ];
    for filter in &asks {
        for dir in [TreeDir::Context, TreeDir::Dockerfile] {
            for node in ctx.tree(dir, filter).expect("tree") {
                let data = body(&ctx, &node).expect("body");
                assert!(!String::from_utf8_lossy(&data).contains(SECRET), "{node:?}");
                assert!(!node.path.contains(".env") && !node.path.contains("keys"));
            }
        }
    }
}

#[test]
fn includes_follow_paths_and_excludes_filter_the_context() {
    let files = [
        ("app.py", "x"),
        ("lib/a.py", "a"),
        ("lib/b.txt", "b"),
        ("doc/x.md", "m"),
    ];
    let (dir, ctx) = context(&files, "");
    symlink("lib/a.py", dir.path().join("link.py")).expect("symlink");
    let ctx = BuildContext::scan(dir.path(), ctx.dockerfile).expect("rescan");
    let only = |filter: TreeFilter| {
        let nodes = ctx.tree(TreeDir::Context, &filter).expect("tree");
        paths(&nodes)
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
    };
    let include = |p: &[&str]| p.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        only(TreeFilter {
            includes: include(&[".dockerignore"]),
            ..TreeFilter::default()
        }),
        [".dockerignore"]
    );
    assert_eq!(
        only(TreeFilter {
            includes: include(&["lib/*.py"]),
            ..TreeFilter::default()
        }),
        ["lib", "lib/a.py"]
    );
    assert_eq!(
        only(TreeFilter {
            follow: include(&["link.py"]),
            ..TreeFilter::default()
        }),
        ["lib", "lib/a.py", "link.py"]
    );
    assert_eq!(
        only(TreeFilter {
            excludes: include(&["lib", "!lib/b.txt", "**/*.md", ".dockerignore"]),
            ..TreeFilter::default()
        }),
        ["app.py", "doc", "lib", "lib/b.txt", "link.py"]
    );
    let bad = TreeFilter {
        excludes: include(&["[z-a"]),
        ..TreeFilter::default()
    };
    let err = ctx.tree(TreeDir::Context, &bad).expect_err("bad pattern");
    assert!(err.to_string().contains("[z-a"), "{err}");
}

#[test]
fn the_dockerfile_tree_holds_the_generated_dockerfile_alone() {
    let (_dir, ctx) = context(&[("Dockerfile", "FROM other\n")], "");
    let follow = TreeFilter {
        follow: vec![
            ctx.dockerfile_name.clone(),
            format!("{}.dockerignore", ctx.dockerfile_name),
        ],
        ..TreeFilter::default()
    };
    let nodes = ctx.tree(TreeDir::Dockerfile, &follow).expect("tree");
    assert_eq!(paths(&nodes), [ctx.dockerfile_name.as_str()]);
    assert_eq!(nodes[0].size, ctx.dockerfile.len() as u64);
    assert_eq!(
        body(&ctx, &nodes[0]).expect("body"),
        ctx.dockerfile.as_bytes()
    );
    assert_eq!(TreeDir::named("dockerfile"), Some(TreeDir::Dockerfile));
    assert_eq!(TreeDir::named("other"), None);
}

#[test]
fn dockerfiles_of_the_same_length_list_different_mtimes() {
    let (_dir, ctx) = context(&[], "");
    let with = |text: &str| {
        let mut ctx = ctx.clone();
        ctx.dockerfile = text.to_string();
        ctx.tree(TreeDir::Dockerfile, &TreeFilter::default())
            .expect("tree")[0]
            .mtime_ns
    };
    assert_ne!(with("FROM a\nLABEL v=1\n"), with("FROM a\nLABEL v=2\n"));
    assert_eq!(with("FROM a\n"), with("FROM a\n"));
    assert!(with("FROM a\n") >= 0);
}

#[test]
fn modes_and_symlinks_are_listed_as_on_disk() {
    let (dir, ctx) = context(&[("run.sh", "#!/bin/sh\n")], "");
    fs::set_permissions(
        dir.path().join("run.sh"),
        fs::Permissions::from_mode(0o4750),
    )
    .expect("chmod");
    symlink("run.sh", dir.path().join("go")).expect("symlink");
    let ctx = BuildContext::scan(dir.path(), ctx.dockerfile).expect("rescan");
    let nodes = ctx
        .tree(TreeDir::Context, &TreeFilter::default())
        .expect("tree");
    let find = |p: &str| nodes.iter().find(|n| n.path == p).expect(p);
    assert_eq!(find("run.sh").mode, 0o4750);
    let link = find("go");
    assert_eq!(
        (link.kind, link.link.as_str(), link.size),
        (NodeKind::Symlink, "run.sh", 6)
    );
    let meta = fs::metadata(dir.path().join("run.sh")).expect("meta");
    assert_eq!(
        find("run.sh").mtime_ns,
        meta.mtime() * 1_000_000_000 + meta.mtime_nsec()
    );
}

#[test]
fn the_touched_file_has_its_suffix_a_new_size_and_a_new_mtime_per_suffix() {
    let (_dir, ctx) = context(&[("app.py", "print(1)\n")], "");
    let plain = ctx
        .tree(TreeDir::Context, &TreeFilter::default())
        .expect("tree");
    let app = |nodes: &[Node]| {
        nodes
            .iter()
            .find(|n| n.path == "app.py")
            .cloned()
            .expect("app")
    };
    let mut touched = ctx.clone().with_touched("app.py").expect("touch");
    let mut mtimes = vec![app(&plain).mtime_ns];
    for _ in 0..3 {
        touched.touch_suffix = crate::context::cache_busting_suffix();
        let nodes = touched
            .tree(TreeDir::Context, &TreeFilter::default())
            .expect("tree");
        let node = app(&nodes);
        assert_eq!(node.size, 9 + 33);
        let mut expected = b"print(1)\n".to_vec();
        expected.extend_from_slice(&touched.touch_suffix);
        assert_eq!(body(&touched, &node).expect("body"), expected);
        assert!(
            !mtimes.contains(&node.mtime_ns),
            "{mtimes:?} {}",
            node.mtime_ns
        );
        mtimes.push(node.mtime_ns);
    }
}

#[test]
fn a_file_that_changes_or_disappears_after_listing_fails_naming_it() {
    let files = [
        ("big.bin", "0123456789"),
        ("gone.txt", "x"),
        ("same.txt", "abc"),
    ];
    let (dir, ctx) = context(&files, "");
    let nodes = ctx
        .tree(TreeDir::Context, &TreeFilter::default())
        .expect("tree");
    let node = |p: &str| nodes.iter().find(|n| n.path == p).expect(p);
    fs::write(dir.path().join("big.bin"), "0123").expect("shrink");
    let err = body(&ctx, node("big.bin")).expect_err("shrunk");
    assert!(err.to_string().contains("big.bin"), "{err}");
    assert!(err.to_string().contains("shorter"), "{err}");
    fs::remove_file(dir.path().join("gone.txt")).expect("remove");
    let err = body(&ctx, node("gone.txt")).expect_err("gone");
    assert!(err.to_string().contains("gone.txt"), "{err}");
    assert_eq!(err.kind(), io::ErrorKind::NotFound);
    // Same size, new content and mtime: caught when the body ends.
    fs::write(dir.path().join("same.txt"), "xyz").expect("rewrite");
    let later = filetime_ns(&dir.path().join("same.txt")) + 5_000_000_000;
    set_mtime(&dir.path().join("same.txt"), later);
    let err = body(&ctx, node("same.txt")).expect_err("changed");
    assert!(
        err.to_string().contains("changed while being sent"),
        "{err}"
    );
    let gone = ctx
        .tree(TreeDir::Context, &TreeFilter::default())
        .expect_err("listing");
    assert!(gone.to_string().contains("gone.txt"), "{gone}");
}

fn filetime_ns(path: &Path) -> i64 {
    let meta = fs::metadata(path).expect("meta");
    meta.mtime() * 1_000_000_000 + meta.mtime_nsec()
}

/// Set a file's mtime with `touch -d` (no crate for it).
fn set_mtime(path: &Path, ns: i64) {
    let status = std::process::Command::new("touch")
        .arg("-m")
        .arg("-d")
        .arg(format!("@{}.{:09}", ns / 1_000_000_000, ns % 1_000_000_000))
        .arg(path)
        .status()
        .expect("touch");
    assert!(status.success());
}
