//! The stand-in builder's failure paths end in clear errors: a missing mmdebstrap, an
//! unreachable Debian mirror, and a musl-based base that no recipe can make.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use basebench::bases::{self, Mirror, StandInError, StandInOptions};
use basebench::engine::fake::FakeEngine;

fn options() -> StandInOptions {
    let mut options = StandInOptions::from_host();
    options.prefix = format!("basebench-test-{}", uuid::Uuid::new_v4().simple());
    options
}

fn quiet(_: &str) {}

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
    options.mirror = Mirror::main_only("http://127.0.0.1:9/debian");
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
