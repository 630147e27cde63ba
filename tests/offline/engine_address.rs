//! Choosing the engine through the binary, with no engine to reach: every Docker setting
//! that names no usable engine exits 3 with the address or setting and what to do, before
//! anything is built.

#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

/// `basebench clean --dry-run` (it only needs an engine) with a Docker config directory of
/// the test's own and none of the machine's Docker settings.
fn clean(config_dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_basebench"));
    cmd.args(["clean", "--dry-run"])
        .env_remove("BASEBENCH_ENGINE")
        .env_remove("DOCKER_HOST")
        .env_remove("DOCKER_CONTEXT")
        .env_remove("DOCKER_TLS_VERIFY")
        .env_remove("DOCKER_CERT_PATH")
        .env("DOCKER_CONFIG", config_dir)
        .env("NO_COLOR", "1");
    cmd
}

#[test]
fn an_unknown_docker_context_exits_3_and_says_how_to_list_them() {
    let dir = tempfile::tempdir().unwrap();
    clean(dir.path())
        .env("DOCKER_CONTEXT", "staging")
        .assert()
        .code(3)
        .stderr(predicate::str::contains("'staging'"))
        .stderr(predicate::str::contains("docker context ls"));
}

#[test]
fn a_context_on_an_unreachable_socket_names_the_socket_and_the_context() {
    let dir = tempfile::tempdir().unwrap();
    let meta = dir.path().join("contexts/meta/0123");
    fs::create_dir_all(&meta).unwrap();
    fs::write(
        meta.join("meta.json"),
        r#"{"Name":"gone","Endpoints":{"docker":{"Host":"unix:///nonexistent/gone.sock"}}}"#,
    )
    .unwrap();
    fs::write(
        dir.path().join("config.json"),
        r#"{"currentContext":"gone"}"#,
    )
    .unwrap();
    clean(dir.path())
        .assert()
        .code(3)
        .stderr(predicate::str::contains("unix:///nonexistent/gone.sock"))
        .stderr(predicate::str::contains("docker context gone"));
}

#[test]
fn tls_without_its_certificates_exits_3_naming_the_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    clean(dir.path())
        .env("DOCKER_HOST", "tcp://build.example.com:2376")
        .env("DOCKER_TLS_VERIFY", "1")
        .env("DOCKER_CERT_PATH", dir.path())
        .assert()
        .code(3)
        .stderr(predicate::str::contains("ca.pem is missing"));
}

#[test]
fn an_ssh_host_that_refuses_exits_3_with_what_ssh_said() {
    let dir = tempfile::tempdir().unwrap();
    // A port nothing listens on: the real ssh client is refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let host = format!("ssh://builder@127.0.0.1:{port}");
    clean(dir.path())
        .args(["--host", &host])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(host.as_str()))
        .stderr(predicate::str::contains("ssh exited with status 255"))
        .stderr(predicate::str::contains("Connection refused"));
}

#[test]
fn an_ssh_program_that_cannot_run_exits_3_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    clean(dir.path())
        .args(["--host", "ssh://builder@build.example.com"])
        .env("BASEBENCH_SSH_COMMAND", "/nonexistent/ssh -F /dev/null")
        .assert()
        .code(3)
        .stderr(predicate::str::contains("cannot run /nonexistent/ssh"));
}

#[test]
fn host_and_engine_podman_together_are_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    clean(dir.path())
        .args(["--host", "unix:///tmp/x.sock", "--engine", "podman"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--engine"));
}
