//! The engine chosen the docker CLI's way: a Docker context (in a config directory of the
//! test's own) that points at the daemon is followed, the run prints the engine first and
//! `results.json` records its address and the setting that named it.

#![allow(clippy::unwrap_used)]

use std::fs;

use crate::support::cli::{assert_nothing_left, read_results, run_command};
use crate::support::test_app_context;

#[tokio::test]
async fn a_docker_context_is_followed_and_recorded() {
    let daemon = std::env::var("DOCKER_HOST")
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unix:///var/run/docker.sock".to_string());
    let app = test_app_context("");
    let dir = app.dir.path();
    let config = dir.join("docker-config");
    let meta = config.join("contexts/meta/basebench-test");
    fs::create_dir_all(&meta).unwrap();
    fs::write(
        meta.join("meta.json"),
        format!(r#"{{"Name":"bb-local","Metadata":{{}},"Endpoints":{{"docker":{{"Host":"{daemon}","SkipTLSVerify":false}}}}}}"#),
    )
    .unwrap();
    let out = dir.join("out");
    let mut cmd = run_command(
        dir,
        &out,
        &[
            "--runs",
            "1",
            "--build-runs",
            "1",
            "--no-anatomy",
            "--no-history",
        ],
        &[("only", "")],
    );
    cmd.env_remove("DOCKER_HOST")
        .env("DOCKER_CONFIG", &config)
        .env("DOCKER_CONTEXT", "bb-local");
    let output = cmd.output().expect("run basebench");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "stderr:\n{stderr}");
    assert!(
        stderr.contains(&format!("at {daemon} (from DOCKER_CONTEXT=bb-local)")),
        "the engine line names the address and the context:\n{stderr}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    assert_eq!(json["host"]["address"], daemon.as_str());
    assert_eq!(json["host"]["address_source"], "DOCKER_CONTEXT=bb-local");
    assert_eq!(
        json["testbed"]["local"], true,
        "a unix socket is this machine"
    );
    let results = read_results(&out);
    assert_nothing_left(&results.run_id).await;
}
