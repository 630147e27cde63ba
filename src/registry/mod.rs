//! The registry's HTTP API, as far as measuring needs it: the manifest of a pushed tag
//! (`GET /v2/<name>/manifests/<tag>` with the OCI and Docker v2 `Accept` types), read into
//! config and layer sizes by [`manifest`]; deleting the tags a run pushed ([`delete`]).
//!
//! Plain HTTP/1.1 over TCP with hyper (a loopback registry, which dockerd treats as
//! insecure by default); basic auth from the Docker config when it has the host's
//! credentials. TODO: HTTPS and the bearer-token flow of hosted registries.

pub(crate) mod bandwidth;
pub(crate) mod delete;
pub(crate) mod manifest;

use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

pub(crate) use manifest::{Blob, Manifest};

/// How long a manifest request may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// `HOST[:PORT]/PREFIX` as `--registry` takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryTarget {
    /// `host` or `host:port`.
    pub host: String,
    /// The repository prefix, e.g. `team/bench` (no leading or trailing slash).
    pub prefix: String,
}

impl RegistryTarget {
    /// Parse `HOST[:PORT]/PREFIX`; the error says what is wrong.
    pub fn parse(value: &str) -> Result<RegistryTarget, String> {
        let value = value.trim();
        if value.contains("://") {
            return Err(format!(
                "'{value}' has a scheme; give {}",
                crate::config::defaults::REGISTRY_FORM
            ));
        }
        let (host, prefix) = value.split_once('/').ok_or_else(|| {
            format!(
                "'{value}' has no prefix; give {}",
                crate::config::defaults::REGISTRY_FORM
            )
        })?;
        let prefix = prefix.trim_end_matches('/');
        let (name, port) = match host.rsplit_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (host, None),
        };
        let host_ok = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
            && port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p > 0));
        if !host_ok {
            return Err(format!(
                "'{host}' is not a registry HOST[:PORT] (letters, digits, '.', '-', a port 1-65535)"
            ));
        }
        let component_ok = |c: &str| {
            !c.is_empty()
                && c.chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || "._-".contains(ch))
                && c.starts_with(|ch: char| ch.is_ascii_alphanumeric())
                && c.ends_with(|ch: char| ch.is_ascii_alphanumeric())
        };
        if prefix.is_empty() || !prefix.split('/').all(component_ok) {
            return Err(format!(
                "'{prefix}' is not a repository prefix: path components of lowercase letters, \
                 digits and '.', '_', '-' separated by '/', e.g. team/bench"
            ));
        }
        Ok(RegistryTarget {
            host: host.to_string(),
            prefix: prefix.to_string(),
        })
    }

    /// The repository of a variant on the registry host: `PREFIX/<variant>`.
    pub(crate) fn name(&self, variant: &str) -> String {
        format!("{}/{variant}", self.prefix)
    }

    /// The repository as the daemon tags it: `HOST[:PORT]/PREFIX/<variant>`.
    pub(crate) fn repo(&self, variant: &str) -> String {
        format!("{}/{}", self.host, self.name(variant))
    }
}

impl std::fmt::Display for RegistryTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.host, self.prefix)
    }
}

/// Fetch and parse the manifest of `name:reference` from registry `host`.
pub(crate) async fn fetch_manifest(
    host: &str,
    name: &str,
    reference: &str,
) -> Result<Manifest, String> {
    let path = format!("/v2/{name}/manifests/{reference}");
    let what = format!("reading http://{host}{path}");
    let answer = send(hyper::Method::GET, host, &path)
        .await
        .map_err(|e| format!("{what}: {e}"))?;
    if answer.status != 200 {
        let text = String::from_utf8_lossy(&answer.body);
        return Err(format!("{what}: HTTP {}: {}", answer.status, text.trim()));
    }
    manifest::parse(&answer.body, answer.content_type.as_deref())
        .map_err(|e| format!("{what}: {e}"))
}

/// A registry's answer: status, the headers basebench reads, body.
struct Answer {
    status: u16,
    content_type: Option<String>,
    /// `Docker-Content-Digest`: the manifest's digest.
    digest: Option<String>,
    body: Bytes,
}

/// One request with the manifest `Accept` types and the host's credentials, within
/// [`TIMEOUT`].
async fn send(method: hyper::Method, host: &str, path: &str) -> Result<Answer, String> {
    tokio::time::timeout(TIMEOUT, exchange(method, host, path))
        .await
        .map_err(|_| format!("no answer in {TIMEOUT:?}"))?
}

async fn exchange(method: hyper::Method, host: &str, path: &str) -> Result<Answer, String> {
    let stream = TcpStream::connect(host).await.map_err(|e| e.to_string())?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(connection);
    let mut request = hyper::Request::builder()
        .method(method)
        .uri(path)
        .header(hyper::header::HOST, host)
        .header(hyper::header::ACCEPT, manifest::ACCEPT);
    let credentials = crate::engine::auth::credentials_for(host);
    if let (Some(user), Some(password)) = (credentials.username, credentials.password) {
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        request = request.header(hyper::header::AUTHORIZATION, format!("Basic {basic}"));
    }
    let request = request
        .body(Empty::<Bytes>::new())
        .map_err(|e| e.to_string())?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let content_type = header("content-type");
    let digest = header("docker-content-digest");
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok(Answer {
        status,
        content_type,
        digest,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_registry_is_host_port_and_prefix() {
        let t = RegistryTarget::parse("127.0.0.1:5000/bbtest").expect("valid");
        assert_eq!(t.host, "127.0.0.1:5000");
        assert_eq!(t.repo("slim"), "127.0.0.1:5000/bbtest/slim");
        assert_eq!(t.name("slim"), "bbtest/slim");
        let t = RegistryTarget::parse("registry.example/team/bench/").expect("valid");
        assert_eq!(
            (t.host.as_str(), t.prefix.as_str()),
            ("registry.example", "team/bench")
        );
        assert_eq!(t.to_string(), "registry.example/team/bench");
    }

    #[test]
    fn bad_registries_say_what_to_give() {
        let e = |v: &str| RegistryTarget::parse(v).expect_err("an error");
        assert!(e("127.0.0.1:5000").contains("no prefix"));
        assert!(e("http://h/p").contains("scheme"));
        assert!(e("h:99999/p").contains("port"));
        assert!(e("h/Upper").contains("repository prefix"));
        assert!(e("h/a//b").contains("repository prefix"));
        assert!(e(":5000/p").contains("HOST[:PORT]"));
    }
}
