//! The stand-in builder's failure paths end in clear errors: no Debian mirror set or known,
//! a missing mmdebstrap, an unreachable Debian mirror, and a musl-based base that no recipe
//! can make.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use assert_cmd::Command;
use basebench::bases::{self, Mirror, StandInError, StandInOptions};
use basebench::engine::fake::FakeEngine;
use predicates::prelude::*;

fn options() -> StandInOptions {
    let mut options = StandInOptions::from_host(Some("http://mirror.example.com/debian"));
    options.prefix = format!("basebench-test-{}", uuid::Uuid::new_v4().simple());
    options
}

fn quiet(_: &str) {}

#[tokio::test]
async fn without_a_mirror_building_stops_and_names_the_settings() {
    let mut options = options();
    options.mirror = None;
    // Not even mmdebstrap is looked for: the mirror is the first thing a build needs.
    options.mmdebstrap = PathBuf::from("/nonexistent/bin/mmdebstrap");
    let engine = FakeEngine::default();
    let err = bases::ensure_stand_in_with(&engine, "ubuntu:20.04", &options, true, &quiet)
        .await
        .unwrap_err();
    assert!(matches!(err, StandInError::NoMirror { .. }), "{err:?}");
    let text = err.to_string();
    for needed in [
        "'ubuntu:20.04'",
        "bookworm",
        "--mirror URL",
        "[bases]",
        "mirror = ",
    ] {
        assert!(text.contains(needed), "{needed}: {text}");
    }
}

#[tokio::test]
async fn says_how_to_install_mmdebstrap_when_it_is_missing() {
    let mut options = options();
    options.mmdebstrap = PathBuf::from("/nonexistent/bin/mmdebstrap");
    let engine = FakeEngine::default();
    let err = bases::ensure_stand_in_with(&engine, "ubuntu:20.04", &options, true, &quiet)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StandInError::MmdebstrapMissing { .. }),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains("ubuntu:20.04"), "{text}");
    assert!(text.contains("apt-get install -y mmdebstrap"), "{text}");
}

#[tokio::test]
async fn names_the_mirror_and_quotes_mmdebstrap_when_the_mirror_is_unreachable() {
    assert!(
        std::path::Path::new("/usr/bin/mmdebstrap").exists(),
        "this test needs mmdebstrap: install it with `apt-get install -y mmdebstrap`"
    );
    let mut options = options();
    // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    options.mirror = Some(Mirror::main_only("http://127.0.0.1:9/debian"));
    let engine = FakeEngine::default();
    let err =
        bases::ensure_stand_in_with(&engine, "gcr.io/distroless/python3", &options, true, &quiet)
            .await
            .unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, StandInError::MirrorUnreachable { .. }),
        "{text}"
    );
    assert!(text.contains("http://127.0.0.1:9/debian"), "{text}");
    assert!(
        text.contains("E:"),
        "mmdebstrap's own error lines are quoted: {text}"
    );
}

#[tokio::test]
async fn refuses_alpine_saying_it_is_musl_based() {
    let engine = FakeEngine::default();
    let err = bases::ensure_stand_in_with(&engine, "python:3.9-alpine", &options(), true, &quiet)
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, StandInError::NoRecipe(bases::NoStandIn::Musl { .. })),
        "{text}"
    );
    assert!(text.contains("musl-based"), "{text}");
    assert!(
        text.contains("cannot be made from Debian packages"),
        "{text}"
    );
    assert!(
        text.contains("docker load") && text.contains("[substitute]"),
        "{text}"
    );
}

/// The binary on the fake engine, in `dir`, with no mirror setting and `apt_dir` as the
/// host's apt configuration.
fn basebench(dir: &std::path::Path, apt_dir: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("basebench").unwrap();
    cmd.current_dir(dir)
        .env("BASEBENCH_ENGINE", "fake")
        .env("NO_COLOR", "1")
        .env(bases::mirror::APT_DIR_ENV, apt_dir)
        .env_remove(bases::mirror::MIRROR_ENV);
    cmd
}

#[test]
fn the_bases_command_without_a_mirror_exits_2_naming_the_settings() {
    let dir = tempfile::tempdir().unwrap();
    let no_apt = tempfile::tempdir().unwrap();
    basebench(dir.path(), no_apt.path())
        .args(["bases", "ubuntu:20.04"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("no Debian mirror")
                .and(predicate::str::contains("--mirror URL"))
                .and(predicate::str::contains("[bases] table")),
        );
    basebench(dir.path(), no_apt.path())
        .args([
            "bases",
            "--mirror",
            "mirror.example.com/debian",
            "ubuntu:20.04",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--mirror must be the URL of a Debian archive",
        ));
}

#[test]
fn a_run_that_needs_a_stand_in_without_a_mirror_stops_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let no_apt = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("app")).unwrap();
    std::fs::write(dir.path().join("app/app.py"), "print('hi')\n").unwrap();
    std::fs::write(
        dir.path().join("Dockerfile.u"),
        "FROM ubuntu:20.04\nCOPY . /app\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("Dockerfile.p"),
        "FROM python:3.11-slim\nCOPY . /app\n",
    )
    .unwrap();
    let config = "context = \"app\"\nport = 5000\nhealth = \"/health\"\noutput = \"out\"\n\
                  [[variant]]\nname = \"u\"\ndockerfile = \"Dockerfile.u\"\n\
                  [[variant]]\nname = \"p\"\ndockerfile = \"Dockerfile.p\"\n";
    std::fs::write(dir.path().join("basebench.toml"), config).unwrap();
    basebench(dir.path(), no_apt.path())
        .env("BASEBENCH_FAKE_ABSENT", "ubuntu:20.04")
        .args(["run", "--no-history", "--output", "out"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("basebench.toml: `bases.mirror` is not set")
                .and(predicate::str::contains("'ubuntu:20.04'"))
                .and(predicate::str::contains("--mirror URL")),
        );
    // The partial results keep the row that stopped the run; the next variant never ran.
    let text = std::fs::read_to_string(dir.path().join("out/results.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["complete"], false);
    let rows = json["variants"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["name"], "u");
    assert_eq!(rows[0]["works"], false);
    let failure = rows[0]["failure"].as_str().unwrap();
    assert!(failure.contains("no Debian mirror"), "{failure}");
}
