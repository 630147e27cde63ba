//! Faults while the build context is sent, on the real daemon: a session the daemon
//! closes mid-build (a proxy cuts it), a file that shrinks while it is read, a file that
//! disappears after the scan, and a file basebench cannot read. Each build fails naming the
//! context or the file and the cause; in a run the other variants go on and nothing is left
//! on the daemon.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use basebench::engine::docker::DockerEngine;
use basebench::engine::{BuildError, BuilderKind, ContextTransfer, Engine};
use basebench::results::FailurePhase;

use crate::support::cli::{assert_nothing_left, basebench, read_results, row, variant};
use crate::support::images::{build_recording, build_request};
use crate::support::proxy::{Fault, Proxy};
use crate::support::{Cleanup, TESTAPP_PORT, connect_or_fail, test_app_context, unique_run_id};

/// Write `len` bytes of noise to `path`.
fn big_file(path: &Path, len: usize) {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut data = Vec::with_capacity(len + 8);
    while data.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        data.extend_from_slice(&state.to_le_bytes());
    }
    data.truncate(len);
    std::fs::write(path, data).unwrap();
}

/// `basebench run` with two variants: `first` copies `data/big.bin`, `second` does not.
fn two_variant_run(dir: &Path, out: &Path, host: &str, extra: &[&str]) -> std::process::Command {
    let mut cmd = basebench(dir);
    cmd.env("DOCKER_HOST", host)
        .args(["run", "--context", ".", "--runs", "1"]);
    cmd.args(["--port", &TESTAPP_PORT.to_string(), "--health", "/health"]);
    cmd.args(extra);
    for (name, extra) in [("first", "COPY data /data"), ("second", "")] {
        cmd.args(["--variant", &variant(dir, name, extra)]);
    }
    cmd.arg("--output").arg(out);
    cmd
}

#[tokio::test(flavor = "multi_thread")]
async fn a_session_closed_mid_build_fails_that_variant_and_the_others_go_on() {
    connect_or_fail().await;
    let proxy = Proxy::start(Fault::CutFirstFileSync(4 << 20), false);
    let app = test_app_context("");
    let dir = app.dir.path().to_path_buf();
    std::fs::create_dir(dir.join("data")).unwrap();
    big_file(&dir.join("data/big.bin"), 32 << 20);
    let out = dir.join("out");
    let mut cmd = two_variant_run(&dir, &out, &proxy.host(), &[]);
    let output = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(proxy.has_cut(), "the proxy cut the first session");
    let results = read_results(&out);
    let first = row(&results, "first");
    assert!(!first.works);
    let detail = first.failure_detail.as_ref().expect("failure detail");
    assert_eq!(detail.phase, FailurePhase::Build);
    assert!(
        detail.message.contains(&dir.display().to_string()),
        "{detail:?}"
    );
    assert!(detail.message.contains("session"), "{detail:?}");
    let second = row(&results, "second");
    assert!(second.works, "{:?}", second.failure);
    assert_nothing_left(&results.run_id).await;
}

/// Wait until this process has `path` open (the engine's reader), then truncate it.
fn truncate_once_open(path: &Path) -> bool {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let open = std::fs::read_dir("/proc/self/fd")
            .unwrap()
            .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
            .any(|target| target == path);
        if open {
            std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .unwrap()
                .set_len(1 << 20)
                .unwrap();
            return true;
        }
        std::thread::sleep(Duration::from_micros(300));
    }
    false
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_that_shrinks_while_it_is_sent_fails_the_build_naming_it() {
    let engine = connect_or_fail().await;
    for transfer in [ContextTransfer::Session, ContextTransfer::Tar] {
        let run_id = unique_run_id();
        let _cleanup = Cleanup::new(&run_id);
        let app = test_app_context("COPY big.bin /big.bin");
        let big = app.dir.path().join("big.bin");
        big_file(&big, 256 << 20);
        let mut request = build_request(&app, &run_id, BuilderKind::Buildkit, true);
        request.transfer = transfer;
        let watched = big.clone();
        let truncated = std::thread::spawn(move || truncate_once_open(&watched));
        let (outcome, _) = build_recording(&engine, &request).await;
        assert!(
            truncated.join().unwrap(),
            "{transfer:?}: the file was never opened"
        );
        let Err(BuildError::Engine(err)) = outcome else {
            panic!("{transfer:?}: expected a context error, got {outcome:?}");
        };
        let text = err.to_string();
        assert!(
            text.contains("sending the build context"),
            "{transfer:?}: {text}"
        );
        assert!(
            text.contains(&big.display().to_string()),
            "{transfer:?}: {text}"
        );
        assert!(
            text.contains("changed") || text.contains("shorter"),
            "{transfer:?}: {text}"
        );
        assert!(engine.image_info(&request.tag).await.unwrap().is_none());
    }
}

#[tokio::test]
async fn a_file_that_disappears_after_the_scan_fails_the_build_naming_it() {
    let engine = connect_or_fail().await;
    for transfer in [ContextTransfer::Session, ContextTransfer::Tar] {
        let run_id = unique_run_id();
        let _cleanup = Cleanup::new(&run_id);
        let app = test_app_context("");
        let mut request = build_request(&app, &run_id, BuilderKind::Buildkit, true);
        request.transfer = transfer;
        let gone = app.dir.path().join("testapp");
        std::fs::remove_file(&gone).unwrap();
        let (outcome, _) = build_recording(&engine, &request).await;
        let Err(BuildError::Engine(err)) = outcome else {
            panic!("{transfer:?}: expected a context error, got {outcome:?}");
        };
        let text = err.to_string();
        assert!(
            text.contains("sending the build context"),
            "{transfer:?}: {text}"
        );
        assert!(
            text.contains(&gone.display().to_string()),
            "{transfer:?}: {text}"
        );
        assert!(text.contains("No such file"), "{transfer:?}: {text}");
        assert!(engine.image_info(&request.tag).await.unwrap().is_none());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreadable_file_fails_its_variant_naming_it_and_the_others_go_on() {
    let _engine: DockerEngine = connect_or_fail().await;
    let (bad, good) = (test_app_context(""), test_app_context(""));
    let locked = bad.dir.path().join("locked.key");
    std::fs::write(&locked, "x").unwrap();
    std::fs::set_permissions(&locked, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    let config = good.dir.path().join("basebench.toml");
    let variant = |name: &str, ctx: &Path| {
        format!(
            "[[variant]]\nname = \"{name}\"\ndockerfile = \"{}\"\ncontext = \"{}\"\n",
            ctx.join("Dockerfile").display(),
            ctx.display()
        )
    };
    let text = format!(
        "port = {TESTAPP_PORT}\nhealth = \"/health\"\nruns = 1\n{}{}",
        variant("bad", bad.dir.path()),
        variant("good", good.dir.path())
    );
    std::fs::write(&config, text).unwrap();
    let out = good.dir.path().join("out");
    // Root reads any file; without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH it cannot
    // read a mode-000 file, as any other user could not.
    let mut cmd = std::process::Command::new("setpriv");
    cmd.arg("--bounding-set=-dac_override,-dac_read_search")
        .arg(env!("CARGO_BIN_EXE_basebench"))
        .args(["run", "--config"])
        .arg(&config)
        .arg("--output")
        .arg(&out)
        .current_dir(good.dir.path())
        .env_remove("BASEBENCH_ENGINE");
    let output = tokio::task::spawn_blocking(move || cmd.output().expect("setpriv"))
        .await
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results = read_results(&out);
    let failed = row(&results, "bad");
    let detail = failed.failure_detail.as_ref().expect("failure detail");
    assert_eq!(detail.phase, FailurePhase::Prepare);
    assert!(
        detail.message.contains(&locked.display().to_string()),
        "{detail:?}"
    );
    assert!(detail.message.contains("Permission denied"), "{detail:?}");
    assert!(row(&results, "good").works);
    assert_nothing_left(&results.run_id).await;
}
