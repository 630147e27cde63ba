//! An `ssh://` engine, reached as the docker CLI reaches one: every connection is an
//! `ssh … docker system dial-stdio` to the host. The host is this machine, through an sshd
//! of the test's own on 127.0.0.1 (`support::sshd`), so the daemon behind it is the one
//! the other tests use; what is tested is the way there: every phase of a run through the
//! tunnel, the BuildKit session included, and nothing left behind (on the daemon, ssh
//! clients, the tunnel's socket directory).

#![allow(clippy::unwrap_used)]

use crate::support::cli::{assert_nothing_left, read_results, run_command};
use crate::support::sshd::TestSshd;
use crate::support::test_app_context;

#[tokio::test]
async fn an_engine_reached_over_ssh_measures_every_phase_and_leaves_nothing() {
    let socket = std::env::var("DOCKER_HOST")
        .ok()
        .and_then(|h| h.strip_prefix("unix://").map(str::to_string))
        .unwrap_or_else(|| "/var/run/docker.sock".to_string());
    let sshd = TestSshd::start();
    let host = sshd.host(&socket);
    let app = test_app_context("");
    let dir = app.dir.path();
    let out = dir.join("out");
    let mut cmd = run_command(
        dir,
        &out,
        &[
            "--host",
            &host,
            "--runs",
            "1",
            "--build-runs",
            "1",
            "--no-history",
        ],
        &[("only", "")],
    );
    cmd.env_remove("DOCKER_HOST")
        .env("BASEBENCH_SSH_COMMAND", sshd.ssh_command());
    let child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run basebench");
    let pid = child.id();
    let output = child.wait_with_output().expect("run basebench");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr:\n{stderr}\nsshd:\n{}",
        sshd.log()
    );
    assert!(
        stderr.contains(&format!("at {host} (from --host)")),
        "the engine line names the ssh address:\n{stderr}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    assert_eq!(json["host"]["address"], host.as_str());
    assert_eq!(json["testbed"]["local"], true, "127.0.0.1 is this machine");
    let only = &json["variants"][0];
    assert!(only["failure"].is_null(), "{}", only["failure"]);
    assert!(
        only["startup_ms"].is_object() && only["anatomy"].is_object(),
        "started, probed and exported through the tunnel: {only}"
    );
    assert_eq!(
        only["build"]["context"]["transfer"], "session",
        "the BuildKit session goes through the tunnel too: {}",
        only["warnings"]
    );
    let results = read_results(&out);
    assert_nothing_left(&results.run_id).await;
    let prefix = format!("basebench-ssh-{pid}-");
    let tunnels: Vec<String> = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(&prefix))
        .collect();
    assert!(
        tunnels.is_empty(),
        "the tunnel's directory is removed: {tunnels:?}"
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !sshd.clients_left().is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(
        sshd.clients_left(),
        Vec::<String>::new(),
        "no ssh client is left"
    );
}
