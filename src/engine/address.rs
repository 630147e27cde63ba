//! Which engine to talk to, chosen the way the docker CLI chooses it (pure apart from reading
//! the Docker config directory it is given).
//!
//! Precedence, first match wins: `--host` (or `--engine podman`, which finds Podman's socket),
//! `DOCKER_HOST` (with `DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH` for `tcp://`), `DOCKER_CONTEXT`,
//! the `currentContext` of `config.json` in the Docker config directory (`DOCKER_CONFIG`, else
//! `~/.docker`), and last the default socket. A context is found by the `Name` in
//! `contexts/meta/*/meta.json`; its TLS files sit in `contexts/tls/<same directory>/docker/`.

use std::fmt;
use std::path::{Path, PathBuf};

/// The daemon address the docker CLI uses when nothing else names one.
pub const DEFAULT_HOST: &str = "unix:///var/run/docker.sock";

/// Where Podman's API socket may be, in the order tried (`$XDG_RUNTIME_DIR` first).
const PODMAN_SOCKETS: [&str; 1] = ["/run/podman/podman.sock"];

/// Which engine the user asked for on the command line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum EngineKind {
    /// A Docker daemon (or any engine the Docker settings point at).
    #[default]
    Docker,
    /// Podman's Docker-compatible API socket (`podman system service`).
    Podman,
}

/// The user's explicit choices: the command line's `--host` and `--engine`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EngineRequest {
    /// `--host URL`: overrides every environment setting.
    pub host: Option<String>,
    /// `--engine`: `podman` looks for Podman's socket.
    pub kind: EngineKind,
}

/// The client certificate files of a TLS connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// The CA that signed the daemon's certificate.
    pub ca: PathBuf,
    /// The client's certificate.
    pub cert: PathBuf,
    /// The client's private key.
    pub key: PathBuf,
}

/// The setting an address came from, reported with the engine at the start of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressSource {
    /// The `--host` flag.
    Flag,
    /// `--engine podman`: the first Podman socket found.
    Podman,
    /// The `DOCKER_HOST` environment variable.
    DockerHost,
    /// A Docker context, named by `DOCKER_CONTEXT` (`true`) or config.json's `currentContext`.
    Context {
        /// The context's name.
        name: String,
        /// Named by `DOCKER_CONTEXT` rather than config.json.
        from_env: bool,
    },
    /// Nothing named one: the default socket.
    Default,
}

impl fmt::Display for AddressSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddressSource::Flag => write!(f, "--host"),
            AddressSource::Podman => write!(f, "--engine podman"),
            AddressSource::DockerHost => write!(f, "DOCKER_HOST"),
            AddressSource::Context { name, from_env } if *from_env => {
                write!(f, "DOCKER_CONTEXT={name}")
            }
            AddressSource::Context { name, .. } => write!(f, "docker context {name}"),
            AddressSource::Default => write!(f, "the default socket"),
        }
    }
}

/// A resolved engine address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineAddress {
    /// `unix:///path` or `tcp://host:port`.
    pub host: String,
    /// Client certificates when the connection uses TLS.
    pub tls: Option<TlsFiles>,
    /// Where the address came from.
    pub source: AddressSource,
}

impl EngineAddress {
    /// A plain address (no TLS), as a test or `DOCKER_HOST` without TLS gives it.
    pub fn plain(host: impl Into<String>, source: AddressSource) -> Self {
        EngineAddress {
            host: host.into(),
            tls: None,
            source,
        }
    }
}

/// Why no address could be chosen; each message ends with what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct AddressError(pub String);

/// What the resolution reads from the process: environment variables and the home directory.
pub struct Environment<'a> {
    /// An environment variable's value (`None` when unset).
    pub var: &'a dyn Fn(&str) -> Option<String>,
    /// The user's home directory.
    pub home: Option<PathBuf>,
}

impl Environment<'_> {
    fn get(&self, name: &str) -> Option<String> {
        (self.var)(name).filter(|v| !v.is_empty())
    }

    /// `DOCKER_CONFIG`, else `~/.docker`.
    fn config_dir(&self) -> Option<PathBuf> {
        self.get("DOCKER_CONFIG")
            .map(PathBuf::from)
            .or_else(|| self.home.as_ref().map(|h| h.join(".docker")))
    }
}

/// The process's own environment.
pub fn resolve_from_process(request: &EngineRequest) -> Result<EngineAddress, AddressError> {
    let var = |name: &str| std::env::var(name).ok();
    let env = Environment {
        var: &var,
        home: std::env::var_os("HOME").map(PathBuf::from),
    };
    resolve(request, &env)
}

/// Choose the engine address (see the module's documentation for the order).
pub fn resolve(
    request: &EngineRequest,
    env: &Environment<'_>,
) -> Result<EngineAddress, AddressError> {
    if let Some(host) = request.host.as_deref().filter(|h| !h.is_empty()) {
        return checked(EngineAddress::plain(host, AddressSource::Flag), env);
    }
    if request.kind == EngineKind::Podman {
        return podman_socket(env);
    }
    if let Some(host) = env.get("DOCKER_HOST") {
        return checked(EngineAddress::plain(host, AddressSource::DockerHost), env);
    }
    let config_dir = env.config_dir();
    let (name, from_env) = match env.get("DOCKER_CONTEXT") {
        Some(name) => (Some(name), true),
        None => (
            config_dir
                .as_deref()
                .and_then(current_context)
                .transpose()?,
            false,
        ),
    };
    match name {
        Some(name) if name != "default" => {
            let Some(dir) = config_dir else {
                return Err(AddressError(format!(
                    "the Docker context '{name}' cannot be found: neither DOCKER_CONFIG nor HOME \
                     is set; set DOCKER_HOST, or pass --host URL"
                )));
            };
            context_address(&dir, &name, from_env)
        }
        _ => Ok(EngineAddress::plain(DEFAULT_HOST, AddressSource::Default)),
    }
}

/// Check the scheme and add `DOCKER_TLS_VERIFY`'s certificates to a `tcp://` address.
fn checked(
    mut address: EngineAddress,
    env: &Environment<'_>,
) -> Result<EngineAddress, AddressError> {
    let host = &address.host;
    if host.starts_with("ssh://") {
        crate::engine::docker::ssh::SshTarget::parse(host)
            .map_err(|e| AddressError(format!("{e} ({})", address.source)))?;
        return Ok(address);
    }
    if !(host.starts_with("unix://") || host.starts_with("tcp://") || host.starts_with("http://")) {
        return Err(AddressError(format!(
            "'{host}' ({}) is not an engine address basebench can use: give unix:///path/to.sock, \
             tcp://HOST:PORT or ssh://[USER@]HOST[:PORT]",
            address.source
        )));
    }
    if host.starts_with("tcp://") && env.get("DOCKER_TLS_VERIFY").is_some() {
        let dir = env
            .get("DOCKER_CERT_PATH")
            .map(PathBuf::from)
            .or_else(|| env.config_dir())
            .ok_or_else(|| {
                AddressError(
                    "DOCKER_TLS_VERIFY is set but neither DOCKER_CERT_PATH nor HOME is: set \
                     DOCKER_CERT_PATH to the directory holding ca.pem, cert.pem and key.pem"
                        .to_string(),
                )
            })?;
        address.tls = Some(tls_files(&dir, "DOCKER_CERT_PATH")?);
    }
    Ok(address)
}

/// The TLS files in `dir`, each one checked to exist.
fn tls_files(dir: &Path, setting: &str) -> Result<TlsFiles, AddressError> {
    let file = |name: &str| {
        let path = dir.join(name);
        if path.is_file() {
            Ok(path)
        } else {
            Err(AddressError(format!(
                "{} is missing: TLS to the engine needs ca.pem, cert.pem and key.pem in {} \
                 ({setting}); copy them there or point {setting} at the directory that has them",
                path.display(),
                dir.display()
            )))
        }
    };
    Ok(TlsFiles {
        ca: file("ca.pem")?,
        cert: file("cert.pem")?,
        key: file("key.pem")?,
    })
}

/// The first Podman socket that exists.
fn podman_socket(env: &Environment<'_>) -> Result<EngineAddress, AddressError> {
    let mut tried: Vec<PathBuf> = Vec::new();
    if let Some(runtime) = env.get("XDG_RUNTIME_DIR") {
        tried.push(Path::new(&runtime).join("podman/podman.sock"));
    }
    tried.extend(PODMAN_SOCKETS.iter().map(PathBuf::from));
    match tried.iter().find(|p| p.exists()) {
        Some(path) => Ok(EngineAddress::plain(
            format!("unix://{}", path.display()),
            AddressSource::Podman,
        )),
        None => Err(AddressError(format!(
            "no Podman API socket found (tried {}): start one with `podman system service \
             --time=0 unix:///run/podman/podman.sock &`, or pass --host unix:///path/to/podman.sock",
            tried
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// config.json's `currentContext`, when the file exists and names one.
fn current_context(config_dir: &Path) -> Option<Result<String, AddressError>> {
    let path = config_dir.join("config.json");
    let text = std::fs::read_to_string(&path).ok()?;
    let value: serde_json::Value = match serde_json::from_str(&text) {
        Ok(value) => value,
        Err(e) => {
            return Some(Err(AddressError(format!(
                "{} is not valid JSON ({e}): fix it, or set DOCKER_HOST or pass --host URL",
                path.display()
            ))));
        }
    };
    let name = value.get("currentContext")?.as_str()?.to_string();
    (!name.is_empty()).then_some(Ok(name))
}

/// The address a named context holds.
fn context_address(dir: &Path, name: &str, from_env: bool) -> Result<EngineAddress, AddressError> {
    let source = AddressSource::Context {
        name: name.to_string(),
        from_env,
    };
    let meta_root = dir.join("contexts/meta");
    let mut found = None;
    if let Ok(entries) = std::fs::read_dir(&meta_root) {
        for entry in entries.flatten() {
            let meta = entry.path().join("meta.json");
            let Ok(text) = std::fs::read_to_string(&meta) else {
                continue;
            };
            let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else {
                continue;
            };
            if value.get("Name").and_then(|n| n.as_str()) == Some(name) {
                found = Some((entry.file_name(), value, meta));
                break;
            }
        }
    }
    let Some((hash_dir, meta, meta_path)) = found else {
        return Err(AddressError(format!(
            "the Docker context '{name}' ({source}) does not exist in {}: list them with \
             `docker context ls`, or set DOCKER_HOST or pass --host URL",
            meta_root.display()
        )));
    };
    let endpoint = meta.pointer("/Endpoints/docker");
    let Some(host) = endpoint
        .and_then(|e| e.get("Host"))
        .and_then(|h| h.as_str())
    else {
        return Err(AddressError(format!(
            "the Docker context '{name}' has no docker endpoint Host in {}: recreate it with \
             `docker context create {name} --docker host=URL`",
            meta_path.display()
        )));
    };
    let mut address = checked(
        EngineAddress::plain(host, source),
        &Environment {
            var: &|_| None,
            home: None,
        },
    )?;
    let tls_dir = dir.join("contexts/tls").join(hash_dir).join("docker");
    let skip_verify = endpoint
        .and_then(|e| e.get("SkipTLSVerify"))
        .and_then(|s| s.as_bool())
        .unwrap_or(false);
    if address.host.starts_with("tcp://") && tls_dir.is_dir() {
        if skip_verify {
            return Err(AddressError(format!(
                "the Docker context '{name}' skips TLS verification, which basebench does not \
                 do: give the context the daemon's CA (`docker context update {name} --docker \
                 host={host},ca=...,cert=...,key=...`)"
            )));
        }
        address.tls = Some(tls_files(&tls_dir, &format!("context {name}"))?);
    }
    Ok(address)
}

#[cfg(test)]
mod tests;
