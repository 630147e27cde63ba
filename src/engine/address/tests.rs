#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::fs;

use super::*;

/// Resolve with `vars` as the whole environment and `home` as HOME.
fn resolve_with(
    request: &EngineRequest,
    vars: &[(&str, &str)],
    home: Option<&Path>,
) -> Result<EngineAddress, AddressError> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let var = move |name: &str| vars.get(name).cloned();
    resolve(
        request,
        &Environment {
            var: &var,
            home: home.map(Path::to_path_buf),
        },
    )
}

/// A Docker config directory with contexts as `docker context create` writes them.
fn docker_dir(current: Option<&str>, contexts: &[(&str, &str, bool)]) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join(".docker");
    fs::create_dir_all(&dir).unwrap();
    if let Some(current) = current {
        fs::write(
            dir.join("config.json"),
            format!(r#"{{"auths": {{}}, "currentContext": "{current}"}}"#),
        )
        .unwrap();
    }
    for (i, (name, host, tls)) in contexts.iter().enumerate() {
        let hash = format!("{i:064x}");
        let meta = dir.join("contexts/meta").join(&hash);
        fs::create_dir_all(&meta).unwrap();
        fs::write(
            meta.join("meta.json"),
            format!(
                r#"{{"Name":"{name}","Metadata":{{}},"Endpoints":{{"docker":{{"Host":"{host}","SkipTLSVerify":false}}}}}}"#
            ),
        )
        .unwrap();
        if *tls {
            let tls_dir = dir.join("contexts/tls").join(&hash).join("docker");
            fs::create_dir_all(&tls_dir).unwrap();
            for file in ["ca.pem", "cert.pem", "key.pem"] {
                fs::write(tls_dir.join(file), "pem").unwrap();
            }
        }
    }
    home
}

#[test]
fn nothing_set_is_the_default_socket() {
    let address = resolve_with(&EngineRequest::default(), &[], None).unwrap();
    assert_eq!(address.host, DEFAULT_HOST);
    assert_eq!(address.source, AddressSource::Default);
    assert_eq!(address.tls, None);
}

#[test]
fn the_flag_wins_over_docker_host_and_the_context() {
    let home = docker_dir(
        Some("remote"),
        &[("remote", "tcp://build.example.com:2376", false)],
    );
    let request = EngineRequest {
        host: Some("unix:///tmp/other.sock".into()),
        kind: EngineKind::Docker,
    };
    let address = resolve_with(
        &request,
        &[("DOCKER_HOST", "tcp://ci.example.com:2375")],
        Some(home.path()),
    )
    .unwrap();
    assert_eq!(address.host, "unix:///tmp/other.sock");
    assert_eq!(address.source, AddressSource::Flag);
}

#[test]
fn docker_host_wins_over_the_context() {
    let home = docker_dir(
        Some("remote"),
        &[("remote", "tcp://build.example.com:2376", false)],
    );
    let address = resolve_with(
        &EngineRequest::default(),
        &[("DOCKER_HOST", "tcp://ci.example.com:2375")],
        Some(home.path()),
    )
    .unwrap();
    assert_eq!(address.host, "tcp://ci.example.com:2375");
    assert_eq!(address.source, AddressSource::DockerHost);
}

#[test]
fn docker_tls_verify_takes_the_certificates_from_docker_cert_path() {
    let certs = tempfile::tempdir().unwrap();
    for file in ["ca.pem", "cert.pem", "key.pem"] {
        fs::write(certs.path().join(file), "pem").unwrap();
    }
    let cert_path = certs.path().to_str().unwrap();
    let address = resolve_with(
        &EngineRequest::default(),
        &[
            ("DOCKER_HOST", "tcp://ci.example.com:2376"),
            ("DOCKER_TLS_VERIFY", "1"),
            ("DOCKER_CERT_PATH", cert_path),
        ],
        None,
    )
    .unwrap();
    let tls = address.tls.unwrap();
    assert_eq!(tls.ca, certs.path().join("ca.pem"));
    assert_eq!(tls.key, certs.path().join("key.pem"));
}

#[test]
fn a_missing_certificate_is_named_with_the_setting_to_change() {
    let certs = tempfile::tempdir().unwrap();
    fs::write(certs.path().join("ca.pem"), "pem").unwrap();
    let err = resolve_with(
        &EngineRequest::default(),
        &[
            ("DOCKER_HOST", "tcp://ci.example.com:2376"),
            ("DOCKER_TLS_VERIFY", "1"),
            ("DOCKER_CERT_PATH", certs.path().to_str().unwrap()),
        ],
        None,
    )
    .unwrap_err();
    assert!(err.0.contains("cert.pem is missing"), "{err}");
    assert!(err.0.contains("DOCKER_CERT_PATH"), "{err}");
}

#[test]
fn docker_context_names_a_context_by_its_name_with_its_tls_files() {
    let home = docker_dir(
        None,
        &[
            ("other", "unix:///tmp/other.sock", false),
            ("remote", "tcp://build.example.com:2376", true),
        ],
    );
    let address = resolve_with(
        &EngineRequest::default(),
        &[("DOCKER_CONTEXT", "remote")],
        Some(home.path()),
    )
    .unwrap();
    assert_eq!(address.host, "tcp://build.example.com:2376");
    assert_eq!(
        address.source,
        AddressSource::Context {
            name: "remote".into(),
            from_env: true
        }
    );
    assert!(address.tls.unwrap().ca.ends_with("docker/ca.pem"));
}

#[test]
fn the_current_context_of_config_json_is_used_when_nothing_else_is_set() {
    let home = docker_dir(Some("local"), &[("local", "unix:///tmp/local.sock", false)]);
    let address = resolve_with(&EngineRequest::default(), &[], Some(home.path())).unwrap();
    assert_eq!(address.host, "unix:///tmp/local.sock");
    assert_eq!(address.source.to_string(), "docker context local");
}

#[test]
fn docker_config_moves_the_config_directory() {
    let home = docker_dir(Some("local"), &[("local", "unix:///tmp/local.sock", false)]);
    let moved = home.path().join(".docker");
    let address = resolve_with(
        &EngineRequest::default(),
        &[("DOCKER_CONFIG", moved.to_str().unwrap())],
        None,
    )
    .unwrap();
    assert_eq!(address.host, "unix:///tmp/local.sock");
}

#[test]
fn the_default_context_is_the_default_socket() {
    let home = docker_dir(Some("default"), &[]);
    let address = resolve_with(&EngineRequest::default(), &[], Some(home.path())).unwrap();
    assert_eq!(address.host, DEFAULT_HOST);
}

#[test]
fn an_unknown_context_says_how_to_list_them() {
    let home = docker_dir(None, &[("local", "unix:///tmp/local.sock", false)]);
    let err = resolve_with(
        &EngineRequest::default(),
        &[("DOCKER_CONTEXT", "nope")],
        Some(home.path()),
    )
    .unwrap_err();
    assert!(err.0.contains("'nope'"), "{err}");
    assert!(err.0.contains("docker context ls"), "{err}");
}

#[test]
fn a_broken_config_json_is_named() {
    let home = tempfile::tempdir().unwrap();
    fs::create_dir_all(home.path().join(".docker")).unwrap();
    fs::write(home.path().join(".docker/config.json"), "{not json").unwrap();
    let err = resolve_with(&EngineRequest::default(), &[], Some(home.path())).unwrap_err();
    assert!(err.0.contains("config.json is not valid JSON"), "{err}");
}

#[test]
fn ssh_hosts_are_taken_and_malformed_ones_named() {
    let address = resolve_with(
        &EngineRequest::default(),
        &[("DOCKER_HOST", "ssh://builder@build.example.com:2222")],
        None,
    )
    .unwrap();
    assert_eq!(address.host, "ssh://builder@build.example.com:2222");
    assert_eq!(address.tls, None, "ssh carries its own encryption");
    let err = resolve_with(
        &EngineRequest::default(),
        &[("DOCKER_HOST", "ssh://builder@build.example.com:ssh")],
        None,
    )
    .unwrap_err();
    assert!(err.0.contains("'ssh' is not a port"), "{err}");
    assert!(err.0.contains("DOCKER_HOST"), "{err}");
}

#[test]
fn an_address_that_is_no_engine_address_is_refused() {
    let request = EngineRequest {
        host: Some("build.example.com:2375".into()),
        kind: EngineKind::Docker,
    };
    let err = resolve_with(&request, &[], None).unwrap_err();
    assert!(err.0.contains("tcp://HOST:PORT"), "{err}");
    assert!(err.0.contains("--host"), "{err}");
}

#[test]
fn podman_is_found_in_the_runtime_directory_first() {
    let runtime = tempfile::tempdir().unwrap();
    fs::create_dir_all(runtime.path().join("podman")).unwrap();
    fs::write(runtime.path().join("podman/podman.sock"), "").unwrap();
    let request = EngineRequest {
        host: None,
        kind: EngineKind::Podman,
    };
    let address = resolve_with(
        &request,
        &[("XDG_RUNTIME_DIR", runtime.path().to_str().unwrap())],
        None,
    )
    .unwrap();
    assert_eq!(
        address.host,
        format!("unix://{}/podman/podman.sock", runtime.path().display())
    );
    assert_eq!(address.source, AddressSource::Podman);
}

#[test]
fn without_a_podman_socket_the_error_says_how_to_start_one() {
    let runtime = tempfile::tempdir().unwrap();
    let request = EngineRequest {
        host: None,
        kind: EngineKind::Podman,
    };
    match resolve_with(
        &request,
        &[("XDG_RUNTIME_DIR", runtime.path().to_str().unwrap())],
        None,
    ) {
        // The machine's own Podman service may be running.
        Ok(address) => assert_eq!(address.host, "unix:///run/podman/podman.sock"),
        Err(err) => assert!(err.0.contains("podman system service"), "{err}"),
    }
}
