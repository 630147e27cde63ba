//! `ssh://` engines, reached the way the docker CLI reaches them: every connection is an
//! `ssh … docker system dial-stdio` process on the remote host, whose standard input and
//! output carry the Engine API. basebench serves those connections on a unix socket of its
//! own (in a private directory, removed when the engine is dropped), so bollard, the
//! BuildKit session and the raw GETs all dial an ordinary `unix://` address.
//!
//! The ssh program is `ssh`, or the words of `BASEBENCH_SSH_COMMAND` (split on whitespace,
//! e.g. `ssh -F /path/to/ssh_config`). It runs with `-o BatchMode=yes` (a host that asks
//! for a password fails at once instead of prompting once per connection),
//! `-o ConnectTimeout=30` and `-T`, as `ssh [-l USER] [-p PORT] -- HOST docker [--host
//! unix://PATH] system dial-stdio`: the remote host needs the docker CLI on its `PATH`.
//!
//! bollard opens a fresh connection for every request (its pool keeps none idle), so the
//! connections share one ssh master (`ControlMaster=auto`, its socket in the tunnel's
//! directory, `ControlPersist` so that it outlives the first connection): a connection
//! then costs the remote `docker system dial-stdio`, not a new ssh handshake. The master
//! is told to exit when the tunnel closes (and exits by itself a minute after its last
//! connection if basebench could not tell it).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{UnixListener, UnixStream};
use tokio::process::Command;
use tokio::task::JoinHandle;

/// The setting that replaces the ssh program (and may add options).
pub(crate) const SSH_COMMAND_VAR: &str = "BASEBENCH_SSH_COMMAND";

/// How long the shared ssh master stays after its last connection when nobody stops it.
const CONTROL_PERSIST: Duration = Duration::from_secs(60);

/// The parts of an `ssh://[USER@]HOST[:PORT][/SOCKET]` address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SshTarget {
    pub(crate) user: Option<String>,
    pub(crate) host: String,
    pub(crate) port: Option<u16>,
    /// The remote engine's socket, when the address names one.
    pub(crate) socket: Option<String>,
}

impl SshTarget {
    /// Parse an `ssh://` address; the reason when it is not one basebench can use.
    pub(crate) fn parse(address: &str) -> Result<SshTarget, String> {
        let rest = address
            .strip_prefix("ssh://")
            .ok_or_else(|| format!("'{address}' is not an ssh:// address"))?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], Some(&rest[i..])),
            None => (rest, None),
        };
        let (user, host_port) = match authority.rsplit_once('@') {
            Some((user, host)) => (Some(user.to_string()), host),
            None => (None, authority),
        };
        let (host, port) = split_port(host_port)
            .map_err(|e| format!("'{address}': {e}; write ssh://[USER@]HOST[:PORT]"))?;
        if host.is_empty() || user.as_deref() == Some("") {
            return Err(format!(
                "'{address}' names no host (or an empty user): write ssh://[USER@]HOST[:PORT]"
            ));
        }
        if host.starts_with('-') || user.as_deref().is_some_and(|u| u.starts_with('-')) {
            return Err(format!(
                "'{address}': a host or user starting with '-' would be read as an ssh option"
            ));
        }
        Ok(SshTarget {
            user,
            host,
            port,
            socket: path.filter(|p| *p != "/").map(str::to_string),
        })
    }

    /// The `HOST:PORT` the containers' published ports are reached at (port 22 by
    /// default): the engine host's own address.
    pub(crate) fn host_and_port(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!("{host}:{}", self.port.unwrap_or(22))
    }

    /// The ssh arguments after the program's own: options, destination, remote command;
    /// connections share the master at `control` when one is given.
    fn arguments(&self, control: Option<&Path>) -> Vec<String> {
        let mut args: Vec<String> = ["-o", "BatchMode=yes", "-o", "ConnectTimeout=30", "-T"]
            .map(String::from)
            .to_vec();
        if let Some(control) = control {
            args.extend([
                "-o".to_string(),
                "ControlMaster=auto".to_string(),
                "-o".to_string(),
                format!("ControlPath={}", control.display()),
                "-o".to_string(),
                format!("ControlPersist={}", CONTROL_PERSIST.as_secs()),
            ]);
        }
        args.extend(self.destination());
        args.push("docker".to_string());
        if let Some(socket) = &self.socket {
            args.extend(["--host".to_string(), format!("unix://{socket}")]);
        }
        args.extend(["system", "dial-stdio"].map(String::from));
        args
    }

    /// `[-l USER] [-p PORT] -- HOST`.
    fn destination(&self) -> Vec<String> {
        let mut args = Vec::new();
        if let Some(user) = &self.user {
            args.extend(["-l".to_string(), user.clone()]);
        }
        if let Some(port) = self.port {
            args.extend(["-p".to_string(), port.to_string()]);
        }
        args.extend(["--".to_string(), self.host.clone()]);
        args
    }
}

/// `HOST[:PORT]`, `[V6]` or `[V6]:PORT`.
fn split_port(text: &str) -> Result<(String, Option<u16>), String> {
    let port = |p: &str| p.parse::<u16>().map_err(|_| format!("'{p}' is not a port"));
    if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| "an unclosed '['".to_string())?;
        return match after.strip_prefix(':') {
            Some(p) => Ok((host.to_string(), Some(port(p)?))),
            None if after.is_empty() => Ok((host.to_string(), None)),
            None => Err(format!("'{after}' after the address")),
        };
    }
    match text.split_once(':') {
        Some((host, p)) => Ok((host.to_string(), Some(port(p)?))),
        None => Ok((text.to_string(), None)),
    }
}

/// The ssh program and its own leading words.
fn ssh_program() -> Vec<String> {
    std::env::var(SSH_COMMAND_VAR)
        .ok()
        .map(|c| c.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .filter(|words| !words.is_empty())
        .unwrap_or_else(|| vec!["ssh".to_string()])
}

/// A local unix socket whose every connection is one `ssh … dial-stdio` to the host.
#[derive(Debug)]
pub(crate) struct Tunnel {
    dir: PathBuf,
    socket: PathBuf,
    /// `ssh … -O exit …`: stops the shared master.
    stop_master: Vec<String>,
    accept: JoinHandle<()>,
    /// What the last ssh that failed said (its exit status and last stderr lines).
    last_failure: Arc<Mutex<Option<String>>>,
}

impl Tunnel {
    /// Listen on a fresh socket for `target`.
    pub(crate) fn open(target: &SshTarget) -> Result<Tunnel, String> {
        let dir =
            private_dir().map_err(|e| format!("cannot make the ssh socket's directory: {e}"))?;
        let socket = dir.join("engine.sock");
        let listener = UnixListener::bind(&socket).map_err(|e| {
            let _ = std::fs::remove_dir_all(&dir);
            format!("cannot listen on {}: {e}", socket.display())
        })?;
        let last_failure = Arc::new(Mutex::new(None));
        let control = dir.join("mux");
        let (program, args) = (ssh_program(), target.arguments(Some(&control)));
        let mut stop_master = program.clone();
        stop_master.extend([
            "-o".to_string(),
            format!("ControlPath={}", control.display()),
            "-O".to_string(),
            "exit".to_string(),
        ]);
        stop_master.extend(target.destination());
        let failures = last_failure.clone();
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (program, args, failures) = (program.clone(), args.clone(), failures.clone());
                tokio::spawn(async move {
                    if let Err(failure) = carry(client, &program, &args).await {
                        *failures.lock().unwrap_or_else(|p| p.into_inner()) = Some(failure);
                    }
                });
            }
        });
        Ok(Tunnel {
            dir,
            socket,
            stop_master,
            accept,
            last_failure,
        })
    }

    /// The `unix://` address bollard and basebench's own connections dial.
    pub(crate) fn local_host(&self) -> String {
        format!("unix://{}", self.socket.display())
    }

    /// What the last failed ssh said, waiting up to `wait` for one to be recorded (a
    /// connection that failed may be seen by its client before ssh has exited).
    pub(crate) async fn failure(&self, wait: Duration) -> Option<String> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(text) = self
                .last_failure
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone()
            {
                return Some(text);
            }
            if tokio::time::Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Tunnel {
    fn drop(&mut self) {
        self.accept.abort();
        if self.dir.join("mux").exists() {
            let _ = std::process::Command::new(&self.stop_master[0])
                .args(&self.stop_master[1..])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A directory only this user can enter, under the temporary directory.
fn private_dir() -> std::io::Result<PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    let base = std::env::temp_dir();
    for attempt in 0..100u32 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let dir = base.join(format!(
            "basebench-ssh-{}-{:x}",
            std::process::id(),
            nanos ^ attempt
        ));
        match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("no free name"))
}

/// One connection: bytes from the client to ssh's stdin, from its stdout back; ssh's
/// failure (status and stderr) when it exits unsuccessfully.
async fn carry(client: UnixStream, program: &[String], args: &[String]) -> Result<(), String> {
    let mut child = Command::new(&program[0])
        .args(&program[1..])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", program[0]))?;
    let (Some(mut stdin), Some(mut stdout), Some(mut stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return Err("ssh's pipes could not be opened".to_string());
    };
    let (mut from_client, mut to_client) = client.into_split();
    // The connection is over when ssh's output ends; the client may keep its side open.
    let upstream = tokio::spawn(async move {
        let _ = tokio::io::copy(&mut from_client, &mut stdin).await;
    });
    let downstream = async {
        let _ = tokio::io::copy(&mut stdout, &mut to_client).await;
        let _ = to_client.shutdown().await;
    };
    let said = tokio::spawn(async move {
        let mut text = Vec::new();
        let _ = (&mut stderr).take(64 * 1024).read_to_end(&mut text).await;
        // Whatever comes after the first 64 KiB is read and dropped.
        let _ = tokio::io::copy(&mut stderr, &mut tokio::io::sink()).await;
        text
    });
    downstream.await;
    upstream.abort();
    // ssh's stderr ends with it; a master it left in the background must not hold it open.
    let said = match tokio::time::timeout(Duration::from_secs(2), said).await {
        Ok(Ok(text)) => text,
        _ => Vec::new(),
    };
    let status = match tokio::time::timeout(Duration::from_secs(5), child.wait()).await {
        Ok(Ok(status)) => status,
        _ => {
            let _ = child.kill().await;
            return Ok(());
        }
    };
    if status.success() {
        return Ok(());
    }
    let said = String::from_utf8_lossy(&said);
    let last: Vec<&str> = said.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = last[last.len().saturating_sub(2)..].join("; ");
    Err(match status.code() {
        Some(code) => format!("ssh exited with status {code}: {tail}"),
        None => format!("ssh was stopped by a signal: {tail}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_split_as_the_docker_cli_splits_them() {
        let t = SshTarget::parse("ssh://builder@build.example.com:2222/run/user/1000/docker.sock")
            .expect("parses");
        assert_eq!(t.user.as_deref(), Some("builder"));
        assert_eq!(t.host, "build.example.com");
        assert_eq!(t.port, Some(2222));
        assert_eq!(t.socket.as_deref(), Some("/run/user/1000/docker.sock"));
        assert_eq!(
            t.arguments(None).join(" "),
            "-o BatchMode=yes -o ConnectTimeout=30 -T -l builder -p 2222 -- build.example.com \
             docker --host unix:///run/user/1000/docker.sock system dial-stdio"
        );
        assert_eq!(
            t.arguments(Some(Path::new("/tmp/t/mux")))[5..11].join(" "),
            "-o ControlMaster=auto -o ControlPath=/tmp/t/mux -o ControlPersist=60"
        );
        let plain = SshTarget::parse("ssh://build.example.com").expect("parses");
        assert_eq!(
            (&plain.user, plain.port, &plain.socket),
            (&None, None, &None)
        );
        assert_eq!(plain.host_and_port(), "build.example.com:22");
        let v6 = SshTarget::parse("ssh://root@[fd00::2]:22/").expect("parses");
        assert_eq!((v6.host.as_str(), v6.port), ("fd00::2", Some(22)));
        assert_eq!(v6.host_and_port(), "[fd00::2]:22");
    }

    #[test]
    fn addresses_it_cannot_use_say_why() {
        for (address, expected) in [
            ("ssh://", "names no host"),
            ("ssh://@build.example.com", "names no host"),
            ("ssh://build.example.com:ssh", "'ssh' is not a port"),
            ("ssh://-oProxyCommand=x", "ssh option"),
            ("ssh://[fd00::2", "unclosed"),
        ] {
            let err = SshTarget::parse(address).expect_err(address);
            assert!(err.contains(expected), "{address}: {err}");
        }
    }
}
