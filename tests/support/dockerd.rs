//! A second dockerd of the test's own, never the shared one: its own `--data-root`,
//! `--exec-root`, `--pidfile`, a unix socket under a temporary directory, its own bridge
//! (a fresh Linux bridge on a private /24, `--iptables=false`: Docker's userland proxy
//! publishes ports on 127.0.0.1). A test can stop it and start it again; dropping it
//! stops it, deletes the bridge and its directory. Needs root, `dockerd` and `ip`.
//!
//! ```ignore
//! let mut daemon = support::dockerd::Dockerd::start();
//! cmd.env("DOCKER_HOST", daemon.host());
//! daemon.stop();
//! daemon.start_again();
//! ```

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A dockerd the test started; stopped and removed on drop.
pub(crate) struct Dockerd {
    dir: tempfile::TempDir,
    bridge: String,
    child: Option<Child>,
}

fn run(program: &str, args: &[&str]) {
    let status = Command::new(program)
        .args(args)
        .status()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    assert!(status.success(), "{program} {args:?} failed");
}

impl Dockerd {
    /// Start a daemon with a bridge of its own and wait until it answers (30 s at most).
    pub(crate) fn start() -> Dockerd {
        let dir = tempfile::Builder::new()
            .prefix("bbd")
            .tempdir_in("/tmp")
            .expect("a directory for the daemon");
        let tag = uuid::Uuid::new_v4().simple().to_string();
        let bridge = format!("bb{}", &tag[..8]);
        let octet = u8::from_str_radix(&tag[8..10], 16).expect("hex");
        run("ip", &["link", "add", &bridge, "type", "bridge"]);
        let mut daemon = Dockerd {
            dir,
            bridge,
            child: None,
        };
        let address = format!("10.213.{octet}.1/24");
        run("ip", &["addr", "add", &address, "dev", &daemon.bridge]);
        run("ip", &["link", "set", &daemon.bridge, "up"]);
        daemon.start_again();
        daemon
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The `DOCKER_HOST` value that reaches it.
    pub(crate) fn host(&self) -> String {
        format!("unix://{}", self.path("docker.sock").display())
    }

    /// The Docker CLI pointed at this daemon.
    pub(crate) fn cli(&self) -> Command {
        let mut cmd = Command::new("docker");
        cmd.env("DOCKER_HOST", self.host());
        cmd
    }

    /// (Re)start the daemon on the same directories and wait until it answers.
    pub(crate) fn start_again(&mut self) {
        assert!(self.child.is_none(), "the daemon is already running");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.path("dockerd.log"))
            .expect("the daemon's log file");
        let arg = |flag: &str, name: &str| format!("--{flag}={}", self.path(name).display());
        let child = Command::new("dockerd")
            .args([
                arg("data-root", "data"),
                arg("exec-root", "exec"),
                arg("pidfile", "dockerd.pid"),
                format!("--host={}", self.host()),
                format!("--bridge={}", self.bridge),
                "--iptables=false".to_string(),
                "--ip6tables=false".to_string(),
            ])
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("cannot start dockerd (is docker.io installed?)");
        self.child = Some(child);
        wait_until_answering(
            self.cli(),
            &self.path("dockerd.log"),
            Duration::from_secs(30),
        );
    }

    /// Stop the daemon as `systemctl stop docker` does (SIGTERM), SIGKILL after 30 s.
    pub(crate) fn stop(&mut self) {
        if let Some(child) = self.child.take() {
            stop_daemon(child);
        }
    }
}

/// Wait until the daemon `cli` points at answers `docker version`, at most `limit`; the
/// failure shows the daemon's log.
pub(crate) fn wait_until_answering(mut cli: Command, log: &Path, limit: Duration) {
    cli.args(["version", "--format", "{{.Server.Version}}"])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let started = Instant::now();
    while !cli.status().is_ok_and(|s| s.success()) {
        assert!(
            started.elapsed() < limit,
            "the test's dockerd did not answer within {limit:?}; its log: {}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Stop a daemon the test started: SIGTERM, SIGKILL after 30 s.
pub(crate) fn stop_daemon(mut child: Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
}

impl Drop for Dockerd {
    fn drop(&mut self) {
        self.stop();
        let _ = Command::new("ip")
            .args(["link", "del", &self.bridge])
            .status();
    }
}
