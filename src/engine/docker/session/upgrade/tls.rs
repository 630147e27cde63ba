//! TLS for the connections basebench dials itself (sessions, raw GETs) to an engine
//! reached over TLS: the CA, client certificate and key of `DOCKER_CERT_PATH` (or the
//! context's), the server verified against that CA alone under the name or address the
//! host gives, as the docker CLI does with `DOCKER_TLS_VERIFY`.

use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use super::UpgradeError;
use crate::engine::address::TlsFiles;

/// The TLS connection over `stream` to `addr` (`host:port`).
pub(super) async fn connect(
    stream: TcpStream,
    addr: &str,
    files: &TlsFiles,
) -> Result<TlsStream<TcpStream>, UpgradeError> {
    let config = client_config(files)?;
    let name = server_name(addr)?;
    TlsConnector::from(Arc::new(config))
        .connect(name, stream)
        .await
        .map_err(|e| UpgradeError::Io(format!("TLS with {addr}: {e}")))
}

/// A client config trusting only the CA of `files`, presenting their certificate.
fn client_config(files: &TlsFiles) -> Result<rustls::ClientConfig, UpgradeError> {
    let bad = |what: &str, path: &std::path::Path, e: &dyn std::fmt::Display| {
        UpgradeError::Io(format!("the TLS {what} '{}': {e}", path.display()))
    };
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(&files.ca).map_err(|e| bad("CA", &files.ca, &e))? {
        roots
            .add(cert.map_err(|e| bad("CA", &files.ca, &e))?)
            .map_err(|e| bad("CA", &files.ca, &e))?;
    }
    let chain = CertificateDer::pem_file_iter(&files.cert)
        .map_err(|e| bad("certificate", &files.cert, &e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad("certificate", &files.cert, &e))?;
    let key = PrivateKeyDer::from_pem_file(&files.key).map_err(|e| bad("key", &files.key, &e))?;
    rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_client_auth_cert(chain, key)
        .map_err(|e| bad("certificate", &files.cert, &e))
}

/// The name the server's certificate must carry: the host part of `addr` (an IP
/// address, bracketed for IPv6, or a DNS name).
fn server_name(addr: &str) -> Result<ServerName<'static>, UpgradeError> {
    let host = match addr.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => addr,
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    ServerName::try_from(host.to_string())
        .map_err(|e| UpgradeError::Io(format!("'{host}' is not a TLS server name: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_name_is_the_hosts_name_or_address_without_its_port() {
        let name = |a: &str| server_name(a).map(|n| n.to_str().into_owned()).ok();
        assert_eq!(name("10.200.1.2:2376").as_deref(), Some("10.200.1.2"));
        assert_eq!(name("[fd00::2]:2376").as_deref(), Some("fd00::2"));
        assert_eq!(
            name("build.example.com:2376").as_deref(),
            Some("build.example.com")
        );
        assert_eq!(
            name("build.example.com").as_deref(),
            Some("build.example.com")
        );
        assert_eq!(name("bad host:1"), None);
    }

    #[test]
    fn missing_files_name_the_file() {
        let files = TlsFiles {
            ca: "/nonexistent/ca.pem".into(),
            cert: "/nonexistent/cert.pem".into(),
            key: "/nonexistent/key.pem".into(),
        };
        let Err(UpgradeError::Io(why)) = client_config(&files) else {
            panic!("a missing CA is an error");
        };
        assert!(why.contains("/nonexistent/ca.pem"), "{why}");
    }
}
