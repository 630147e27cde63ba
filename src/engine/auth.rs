//! Registry credentials from the user's Docker config, as `docker push` finds them: the
//! `auths` entry of `~/.docker/config.json` (or `$DOCKER_CONFIG/config.json`) whose key
//! names the registry host, its `auth` the base64 of `user:password` (or an
//! `identitytoken`). Pure apart from reading the one file.
//!
//! TODO: credential helpers (`credsStore`, `credHelpers`) are not run; a registry whose
//! credentials live only in a helper is pushed to without credentials (its 401 names it).

use std::path::PathBuf;

use base64::Engine as _;
use bollard::auth::DockerCredentials;
use serde::Deserialize;

/// The parts of `config.json` that hold credentials.
#[derive(Debug, Default, Deserialize)]
struct DockerConfig {
    #[serde(default)]
    auths: std::collections::HashMap<String, AuthEntry>,
}

#[derive(Debug, Default, Deserialize)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    identitytoken: Option<String>,
}

/// Where the docker CLI reads its config: `$DOCKER_CONFIG/config.json`, else
/// `~/.docker/config.json`.
fn config_path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join("config.json"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker").join("config.json"))
}

/// The credentials for registry `host` (`HOST[:PORT]`) from the user's Docker config;
/// an empty set naming the server when there are none (dockerd wants the header either
/// way). A config that cannot be read or parsed counts as none.
pub(crate) fn credentials_for(host: &str) -> DockerCredentials {
    let text = config_path().and_then(|p| std::fs::read_to_string(p).ok());
    text.as_deref()
        .and_then(|t| from_config(t, host).ok())
        .unwrap_or_else(|| DockerCredentials {
            serveraddress: Some(host.to_string()),
            ..Default::default()
        })
}

/// The credentials for `host` in the config text `json`. Keys match as the docker CLI
/// matches them: the host itself, or a URL whose host part is it (`https://host/v1/`).
pub(crate) fn from_config(json: &str, host: &str) -> Result<DockerCredentials, String> {
    let config: DockerConfig =
        serde_json::from_str(json).map_err(|e| format!("reading the Docker config: {e}"))?;
    let entry = config
        .auths
        .iter()
        .find(|(key, _)| key_host(key) == host)
        .map(|(_, entry)| entry);
    let mut credentials = DockerCredentials {
        serveraddress: Some(host.to_string()),
        ..Default::default()
    };
    let Some(entry) = entry else {
        return Ok(credentials);
    };
    if let Some(auth) = entry.auth.as_deref().filter(|a| !a.is_empty()) {
        let (user, password) = decode_auth(auth)?;
        credentials.username = Some(user);
        credentials.password = Some(password);
    }
    credentials.identitytoken = entry.identitytoken.clone().filter(|t| !t.is_empty());
    Ok(credentials)
}

/// The host part of an `auths` key: `https://host:5000/v1/` → `host:5000`.
fn key_host(key: &str) -> &str {
    let rest = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    rest.split('/').next().unwrap_or(rest)
}

/// `base64(user:password)` → `(user, password)`.
fn decode_auth(auth: &str) -> Result<(String, String), String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(auth.trim())
        .map_err(|e| format!("an `auth` in the Docker config is not base64: {e}"))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| "an `auth` in the Docker config is not UTF-8".to_string())?;
    let (user, password) = text
        .split_once(':')
        .ok_or_else(|| "an `auth` in the Docker config is not `user:password`".to_string())?;
    Ok((user.to_string(), password.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = r#"{
        "auths": {
            "registry.example:5000": {"auth": "YWxpY2U6czNjcjN0OnBhcnQ="},
            "https://other.example/v1/": {"auth": "Ym9iOnB3"},
            "token.example": {"identitytoken": "tok"}
        },
        "credsStore": "desktop"
    }"#;

    #[test]
    fn the_hosts_auth_is_decoded_into_user_and_password() {
        let c = from_config(CONFIG, "registry.example:5000").expect("parsed");
        assert_eq!(c.username.as_deref(), Some("alice"));
        // Only the first colon separates: passwords may hold colons.
        assert_eq!(c.password.as_deref(), Some("s3cr3t:part"));
        assert_eq!(c.serveraddress.as_deref(), Some("registry.example:5000"));
        let c = from_config(CONFIG, "other.example").expect("parsed");
        assert_eq!(c.username.as_deref(), Some("bob"));
        let c = from_config(CONFIG, "token.example").expect("parsed");
        assert_eq!(c.identitytoken.as_deref(), Some("tok"));
        assert_eq!(c.username, None);
    }

    #[test]
    fn an_unknown_host_or_a_config_without_auths_has_no_credentials() {
        let c = from_config(CONFIG, "127.0.0.1:5000").expect("parsed");
        assert_eq!((c.username, c.password), (None, None));
        let c = from_config("{}", "127.0.0.1:5000").expect("parsed");
        assert_eq!(c.serveraddress.as_deref(), Some("127.0.0.1:5000"));
    }

    #[test]
    fn a_broken_auth_or_config_is_an_error_naming_it() {
        let bad = r#"{"auths": {"h": {"auth": "!!!"}}}"#;
        assert!(
            from_config(bad, "h")
                .expect_err("an error")
                .contains("not base64")
        );
        let no_colon = r#"{"auths": {"h": {"auth": "YWxpY2U="}}}"#;
        assert!(
            from_config(no_colon, "h")
                .expect_err("an error")
                .contains("user:password")
        );
        assert!(
            from_config("not json", "h")
                .expect_err("an error")
                .contains("Docker config")
        );
        assert_eq!(key_host("http://h:1/v2/"), "h:1");
    }
}
