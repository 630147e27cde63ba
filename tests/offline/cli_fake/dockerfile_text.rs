//! Dockerfiles as editors save them: with a byte-order mark, or not in UTF-8. The daemon
//! builds both, so basebench must read them too.

use super::*;

/// A project whose one Dockerfile (`Dockerfile.odd`) is `bytes`.
fn odd_project(bytes: &[u8]) -> tempfile::TempDir {
    let dir = project(&[]);
    std::fs::write(dir.path().join("Dockerfile.odd"), bytes).expect("write");
    dir
}

fn run_odd(dir: &Path) -> Value {
    let mut args = flag_args(&[("odd", "")]);
    args.push("--no-history".into());
    basebench(dir).args(&args).assert().code(0);
    results(dir)
}

#[test]
fn a_dockerfile_starting_with_a_byte_order_mark_is_read() {
    let text = "\u{feff}FROM python:3.11-slim\nCOPY . /app\nUSER 1000\n";
    let dir = odd_project(text.as_bytes());
    let json = run_odd(dir.path());
    let row = &json["variants"][0];
    assert_eq!(row["works"], true, "{row}");
    assert_eq!(row["bases"][0]["requested"], "python:3.11-slim");
    let warnings = row["warnings"].to_string();
    assert!(
        !warnings.contains("UTF-8"),
        "a BOM is no reason to warn: {warnings}"
    );
}

#[test]
fn a_dockerfile_that_is_not_utf8_is_read_lossily_with_a_warning() {
    let dir = odd_project(b"# caf\xe9 au lait\nFROM python:3.11-slim\nCOPY . /app\nUSER 1000\n");
    let mut args = flag_args(&[("odd", "")]);
    args.push("--no-history".into());
    basebench(dir.path())
        .args(&args)
        .assert()
        .code(0)
        .stderr(predicate::str::contains("not UTF-8"));
    let json = results(dir.path());
    let row = &json["variants"][0];
    assert_eq!(row["works"], true, "{row}");
    assert_eq!(row["bases"][0]["requested"], "python:3.11-slim");
    let warnings = row["warnings"].to_string();
    assert!(
        warnings.contains("Dockerfile.odd") && warnings.contains("not UTF-8"),
        "{warnings}"
    );
}
