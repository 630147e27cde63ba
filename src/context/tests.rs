//! Tests of the context scan and its tar stream (real files in a temporary directory).

use std::fs;
use std::io::Read;
use std::os::unix::fs::{PermissionsExt, symlink};

use super::*;

const SECRET: &str = "TOP-SECRET-VALUE-4711";

fn sample() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let write = |rel: &str, body: &str| {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, body).expect("write");
    };
    write("app.py", "print('hi')\n");
    write("requirements.txt", "flask==2.3.3\n");
    write("src/util.py", "x = 1\n");
    write(".env", SECRET);
    write("secrets/key.pem", SECRET);
    write("build/out.o", "object");
    write("build/keep.txt", "kept");
    write("Dockerfile", "FROM scratch\n");
    write(
        ".dockerignore",
        "# secrets\n.env\nsecrets\nbuild\n!build/keep.txt\nDockerfile\n.dockerignore\n",
    );
    fs::set_permissions(root.join("app.py"), fs::Permissions::from_mode(0o750)).expect("chmod");
    symlink("app.py", root.join("link.py")).expect("symlink");
    dir
}

fn tar_entries(bytes: &[u8]) -> Vec<(String, tar::EntryType, u64, u32, u64, Vec<u8>)> {
    let mut archive = tar::Archive::new(bytes);
    let mut out = Vec::new();
    for entry in archive.entries().expect("entries") {
        let mut entry = entry.expect("entry");
        let header = entry.header().clone();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).expect("read");
        let path = entry.path().expect("path").to_string_lossy().into_owned();
        let uid = header.uid().expect("uid") + header.gid().expect("gid");
        out.push((
            path,
            header.entry_type(),
            header.size().expect("size"),
            header.mode().expect("mode"),
            uid,
            data,
        ));
    }
    out
}

#[test]
fn scan_applies_dockerignore_with_exceptions_and_sorts() {
    let dir = sample();
    let ctx = BuildContext::scan(dir.path(), "FROM scratch\n".into()).expect("scan");
    let names: Vec<_> = ctx
        .entries
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "app.py",
            "build/keep.txt",
            "link.py",
            "requirements.txt",
            "src",
            "src/util.py"
        ]
    );
}

#[test]
fn a_secret_listed_in_dockerignore_never_reaches_the_tar() {
    let dir = sample();
    let ctx = BuildContext::scan(dir.path(), "FROM scratch\n".into()).expect("scan");
    let mut bytes = Vec::new();
    let written = ctx.write_tar(&mut bytes).expect("tar");
    assert_eq!(written, bytes.len() as u64);
    let hay = String::from_utf8_lossy(&bytes);
    assert!(!hay.contains(SECRET), "the secret leaked into the tar");
    assert!(
        !hay.contains("object"),
        "an ignored file leaked into the tar"
    );
}

#[test]
fn the_tar_keeps_modes_symlinks_and_ends_with_the_generated_dockerfile() {
    let dir = sample();
    let ctx = BuildContext::scan(dir.path(), "FROM scratch\n".into()).expect("scan");
    let mut bytes = Vec::new();
    ctx.write_tar(&mut bytes).expect("tar");
    let entries = tar_entries(&bytes);
    let names: Vec<_> = entries.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "app.py",
            "build/keep.txt",
            "link.py",
            "requirements.txt",
            "src",
            "src/util.py",
            ".dockerignore",
            ".basebench.Dockerfile"
        ]
    );
    assert_eq!(entries[4].1, tar::EntryType::Directory);
    assert!(entries.iter().all(|e| e.4 == 0), "uid/gid must be 0");
    assert_eq!(entries[0].3 & 0o777, 0o750);
    assert_eq!(entries[2].1, tar::EntryType::Symlink);
    assert_eq!(entries[6].5, b".dockerignore\n.basebench.Dockerfile\n");
    assert_eq!(entries[7].5, b"FROM scratch\n");
}

#[test]
fn the_touched_file_is_sent_exactly_one_byte_longer() {
    let dir = sample();
    let ctx = BuildContext::scan(dir.path(), String::new())
        .expect("scan")
        .with_touched("app.py")
        .expect("in context");
    let mut bytes = Vec::new();
    let written = ctx.write_tar(&mut bytes).expect("tar");
    assert_eq!(written, bytes.len() as u64);
    let entries = tar_entries(&bytes);
    assert_eq!(entries[0].2, "print('hi')\n".len() as u64 + 1);
    assert_eq!(entries[0].5, b"print('hi')\n\n");
    assert_eq!(
        fs::read(dir.path().join("app.py")).expect("read"),
        b"print('hi')\n"
    );
}

#[test]
fn an_ignored_or_missing_change_file_is_refused() {
    let dir = sample();
    let ctx = BuildContext::scan(dir.path(), String::new()).expect("scan");
    for rel in [".env", "nope.py", "build", "link.py"] {
        let err = ctx.clone().with_touched(rel).expect_err("refused");
        assert!(err.to_string().contains(rel), "{err}");
    }
}

#[test]
fn the_default_change_file_follows_the_dockerfile() {
    let dir = sample();
    let text = include_str!("../dockerfile/fixtures/article/Dockerfile.ubuntu-optimized");
    let ctx = BuildContext::scan(dir.path(), text.into())
        .expect("scan")
        .with_default_touched();
    assert_eq!(ctx.touched.as_deref(), Some(Path::new("app.py")));
}

#[test]
fn excluded_directories_are_walked_for_exceptions_only() {
    let dir = sample();
    fs::write(dir.path().join(".dockerignore"), "*\n!build/keep.txt\n").expect("write");
    let ctx = BuildContext::scan(dir.path(), String::new()).expect("scan");
    assert_eq!(ctx.entries, [PathBuf::from("build/keep.txt")]);
}

#[test]
fn a_bad_pattern_names_the_file_and_line() {
    let dir = sample();
    fs::write(dir.path().join(".dockerignore"), "ok\n\n[broken\n").expect("write");
    let err = BuildContext::scan(dir.path(), String::new()).expect_err("bad pattern");
    let text = err.to_string();
    assert!(
        text.contains(".dockerignore:3: bad pattern '[broken'"),
        "{text}"
    );
}

#[test]
fn a_missing_context_and_a_file_vanishing_before_the_tar_are_named() {
    let err =
        BuildContext::scan(Path::new("/nonexistent/ctx"), String::new()).expect_err("missing");
    assert!(err.to_string().contains("/nonexistent/ctx"), "{err}");
    let dir = sample();
    let ctx = BuildContext::scan(dir.path(), String::new()).expect("scan");
    fs::remove_file(dir.path().join("requirements.txt")).expect("rm");
    let err = ctx.write_tar(Vec::new()).expect_err("vanished");
    assert!(err.to_string().contains("requirements.txt"), "{err}");
}

#[test]
fn a_large_file_is_streamed_with_the_right_size() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = vec![b'a'; 3 * 1024 * 1024 + 7];
    fs::write(dir.path().join("big.bin"), &big).expect("write");
    let ctx = BuildContext::scan(dir.path(), String::new())
        .expect("scan")
        .with_touched("big.bin")
        .expect("touched");
    let mut bytes = Vec::new();
    let written = ctx.write_tar(&mut bytes).expect("tar");
    assert_eq!(written, bytes.len() as u64);
    assert_eq!(tar_entries(&bytes)[0].2, big.len() as u64 + 1);
}

#[test]
fn paths_longer_than_the_ustar_limit_survive() {
    let dir = tempfile::tempdir().expect("tempdir");
    let deep = format!("{}/{}.py", "d".repeat(90), "f".repeat(90));
    fs::create_dir_all(dir.path().join("d".repeat(90))).expect("mkdir");
    fs::write(dir.path().join(&deep), "x").expect("write");
    let ctx = BuildContext::scan(dir.path(), String::new()).expect("scan");
    let mut bytes = Vec::new();
    ctx.write_tar(&mut bytes).expect("tar");
    let names: Vec<_> = tar_entries(&bytes).into_iter().map(|e| e.0).collect();
    assert_eq!(
        names,
        [
            "d".repeat(90),
            deep,
            ".dockerignore".to_string(),
            ".basebench.Dockerfile".to_string()
        ]
    );
}

#[test]
fn a_sent_dockerignore_also_lists_the_generated_dockerfile() {
    let dir = sample();
    fs::write(dir.path().join(".dockerignore"), ".env\nsecrets").expect("write");
    let ctx = BuildContext::scan(dir.path(), "FROM scratch\n".into()).expect("scan");
    assert!(ctx.entries.contains(&PathBuf::from(".dockerignore")));
    let mut bytes = Vec::new();
    ctx.write_tar(&mut bytes).expect("tar");
    let entries = tar_entries(&bytes);
    let ignores: Vec<_> = entries.iter().filter(|e| e.0 == ".dockerignore").collect();
    assert_eq!(ignores.len(), 1);
    assert_eq!(ignores[0].5, b".env\nsecrets\n.basebench.Dockerfile\n");
}

#[test]
fn the_cache_busting_suffix_is_a_newline_and_32_random_blanks() {
    let suffixes: Vec<Vec<u8>> = (0..64).map(|_| cache_busting_suffix()).collect();
    for suffix in &suffixes {
        assert_eq!(suffix.len(), 33, "the docs say 33 bytes: {suffix:?}");
        assert_eq!(suffix[0], b'\n', "it starts on a line of its own");
        assert!(
            suffix[1..].iter().all(|b| *b == b' ' || *b == b'\t'),
            "only spaces and tabs after the newline: {suffix:?}"
        );
    }
    // 32 random bits each: 64 draws that repeat one would be a 1 in 2^21 chance.
    let distinct: std::collections::BTreeSet<&Vec<u8>> = suffixes.iter().collect();
    assert_eq!(distinct.len(), suffixes.len(), "every draw differs");
    let tabs: usize = suffixes.iter().flatten().filter(|b| **b == b'\t').count();
    let blanks = 64 * 32;
    assert!(
        (blanks / 4..blanks * 3 / 4).contains(&tabs),
        "tabs and spaces both appear, about half each: {tabs} tabs of {blanks}"
    );
}
