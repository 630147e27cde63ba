//! How the build context reaches the real daemon: through basebench's BuildKit session
//! only what changed crosses (the bytes are in the results), a `.dockerignore`d secret
//! crosses neither way (every byte sent is captured by a proxy), the classic builder gets
//! a tar and says so, and a daemon that refuses the session gets a tar, said once.
#![allow(clippy::unwrap_used)]

use std::process::Stdio;

use basebench::context::BuildContext;
use basebench::engine::docker::DockerEngine;
use basebench::engine::{BuilderKind, ContextTransfer, Engine};

use crate::support::cli::{assert_nothing_left, read_results, row, run_command};
use crate::support::images::{build_recording, build_request};
use crate::support::proxy::{Fault, Proxy, contains};
use crate::support::{
    Cleanup, connect_or_fail, test_app_context, test_app_context_with_dockerfile, unique_run_id,
};

const SECRET: &[u8] = b"TOP-SECRET-8d0c1f";
const MARKER: &[u8] = b"VISIBLE-MARKER-52e7a9";

/// `len` bytes nobody can compress.
fn noise(len: usize) -> Vec<u8> {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

#[tokio::test]
async fn a_rebuild_after_a_one_file_change_sends_that_file_and_not_the_rest() {
    connect_or_fail().await;
    let app = test_app_context("");
    let dir = app.dir.path();
    std::fs::create_dir(dir.join("data")).unwrap();
    std::fs::write(dir.join("data/filler.bin"), noise(3 << 20)).unwrap();
    let out = dir.join("out");
    let cmd = run_command(dir, &out, &["--runs", "1"], &[("good", "COPY data /data")]);
    let output = { cmd }.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results = read_results(&out);
    assert_eq!(results.settings.context_transfer, "session");
    let build = row(&results, "good").build.clone().expect("build facts");
    let sent = build.context.expect("context facts");
    assert_eq!(sent.transfer, "session");
    let size = |rel: &str| std::fs::metadata(dir.join(rel)).unwrap().len();
    // What the Dockerfile copies crosses once with the Dockerfile (the daemon asks for
    // `testapp` and `data` only, so the other Dockerfiles beside them do not), nothing on
    // the cached rebuild, and the changed file alone (with its 33-byte suffix) after the
    // change.
    assert_eq!(build.changed_file.as_deref(), Some("testapp"));
    let copied = size("testapp") + size("data/filler.bin") + size("Dockerfile.good");
    assert_eq!(sent.cold.bytes, copied);
    assert_eq!(sent.cached.as_ref().map(|c| c.bytes), Some(0));
    assert_eq!(
        sent.incremental.as_ref().map(|c| c.bytes),
        Some(size("testapp") + 33)
    );
    assert!(sent.cold.seconds.median > 0.0, "{sent:?}");
    // COPY testapp and the COPY after it.
    assert_eq!(build.incremental_steps_run, Some(2));
    assert_nothing_left(&results.run_id).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dockerignored_secret_never_reaches_the_daemon_either_way() {
    for transfer in [ContextTransfer::Session, ContextTransfer::Tar] {
        let proxy = Proxy::start(Fault::None, true);
        let engine = DockerEngine::connect_to(proxy.host()).await.unwrap();
        let run_id = unique_run_id();
        let _cleanup = Cleanup::new(&run_id);
        let app = test_app_context_with_dockerfile("FROM scratch\nCOPY . /ctx\n");
        let root = app.dir.path();
        std::fs::write(root.join(".env"), SECRET).unwrap();
        std::fs::create_dir(root.join("keys")).unwrap();
        std::fs::write(root.join("keys/id.pem"), SECRET).unwrap();
        std::fs::write(root.join("visible.txt"), MARKER).unwrap();
        std::fs::write(root.join(".dockerignore"), ".env\nkeys\n").unwrap();
        let mut request = build_request(&app, &run_id, BuilderKind::Buildkit, true);
        request.context = BuildContext::scan(root, app.dockerfile.clone()).unwrap();
        request.transfer = transfer;
        let (outcome, _) = build_recording(&engine, &request).await;
        let outcome = outcome.expect("the build");
        assert_eq!(outcome.context_transfer, transfer);
        let sent = proxy.captured();
        assert!(
            contains(&sent, MARKER),
            "{transfer:?}: the control file crossed"
        );
        assert!(!contains(&sent, SECRET), "{transfer:?}: the secret crossed");
    }
}

#[tokio::test]
async fn the_classic_builder_sends_a_tar_and_says_so() {
    connect_or_fail().await;
    let app = test_app_context("");
    let dir = app.dir.path();
    let out = dir.join("out");
    let mut cmd = run_command(
        dir,
        &out,
        &["--builder", "classic", "--runs", "1"],
        &[("good", "")],
    );
    let output = cmd.stderr(Stdio::piped()).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let said = stderr
        .matches("the classic builder takes the build context as a tar")
        .count();
    assert_eq!(said, 1, "said once: {stderr}");
    let results = read_results(&out);
    assert_eq!(results.settings.context_transfer, "session", "asked for");
    let build = row(&results, "good").build.clone().expect("build facts");
    let sent = build.context.expect("context facts");
    assert_eq!(sent.transfer, "tar", "used");
    // The whole tar crosses every time: cached rebuilds too.
    assert!(sent.cold.bytes > std::fs::metadata(dir.join("testapp")).unwrap().len());
    assert_eq!(sent.cached.map(|c| c.bytes), Some(sent.cold.bytes));
    assert_nothing_left(&results.run_id).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_daemon_that_refuses_the_session_gets_a_tar_and_it_is_said_once() {
    let proxy = Proxy::start(Fault::RefuseFileSync, false);
    let engine = DockerEngine::connect_to(proxy.host()).await.unwrap();
    let run_id = unique_run_id();
    let _cleanup = Cleanup::new(&run_id);
    let app = test_app_context("");
    let request = build_request(&app, &run_id, BuilderKind::Buildkit, true);
    let choice = engine.context_transfer(BuilderKind::Buildkit, ContextTransfer::Session);
    assert_eq!(
        choice.transfer,
        ContextTransfer::Session,
        "dockerd offers sessions"
    );
    let (first, _) = build_recording(&engine, &request).await;
    let first = first.expect("the first build, as a tar");
    assert_eq!(first.context_transfer, ContextTransfer::Tar);
    let note = first.transfer_note.expect("the fallback is said");
    assert!(
        note.contains("refused a BuildKit session") && note.contains("404"),
        "{note}"
    );
    let (second, _) = build_recording(&engine, &request).await;
    let second = second.expect("the second build");
    assert_eq!(second.context_transfer, ContextTransfer::Tar);
    assert_eq!(second.transfer_note, None, "said once");
    let later = engine.context_transfer(BuilderKind::Buildkit, ContextTransfer::Session);
    assert_eq!(later.transfer, ContextTransfer::Tar);
}

#[tokio::test]
async fn variants_with_dockerfiles_of_the_same_length_each_build_their_own() {
    let engine = connect_or_fail().await;
    let run_id = unique_run_id();
    let _cleanup = Cleanup::new(&run_id);
    let app = test_app_context("");
    for value in ["aaa", "bbb"] {
        let mut request = build_request(&app, &run_id, BuilderKind::Buildkit, false);
        request.context = BuildContext::scan(
            app.dir.path(),
            format!("FROM scratch\nCOPY testapp /testapp\nLABEL v={value}\n"),
        )
        .unwrap();
        let (outcome, _) = build_recording(&engine, &request).await;
        let image = outcome.expect("the build").image_id;
        let info = engine.image_info(&image).await.unwrap().unwrap();
        assert_eq!(info.labels.get("v").map(String::as_str), Some(value));
    }
}
