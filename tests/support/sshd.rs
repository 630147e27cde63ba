//! An ssh server of the test's own: Debian's sshd on 127.0.0.1 and a free port, with a
//! host key, a client key and a configuration made in a temporary directory (the system's
//! sshd and `~/.ssh` are never used). `ssh_command()` is the `BASEBENCH_SSH_COMMAND` that
//! reaches it with that key, checking its host key. Logins run as root, whose `docker`
//! CLI (Debian's) is what `docker system dial-stdio` runs. Dropping it stops the server.
//! Needs root, `/usr/sbin/sshd` and `ssh-keygen` (scripts/setup.sh installs them).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The running sshd; stopped and its directory removed on drop.
pub(crate) struct TestSshd {
    dir: tempfile::TempDir,
    port: u16,
    child: Child,
}

fn keygen(path: &Path) {
    let output = Command::new("ssh-keygen")
        .args([
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-C",
            "basebench-test",
            "-f",
        ])
        .arg(path)
        .output()
        .unwrap_or_else(|e| panic!("cannot run ssh-keygen (scripts/setup.sh installs it): {e}"));
    assert!(
        output.status.success(),
        "ssh-keygen failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

impl TestSshd {
    /// Start the server and wait until it accepts connections.
    pub(crate) fn start() -> TestSshd {
        assert!(
            Path::new("/usr/sbin/sshd").is_file(),
            "/usr/sbin/sshd is missing: run scripts/setup.sh (it installs openssh-server)"
        );
        let dir = tempfile::Builder::new()
            .prefix("basebench-sshd-")
            .tempdir()
            .expect("a temporary directory");
        let at = |name: &str| dir.path().join(name);
        keygen(&at("host_key"));
        keygen(&at("client_key"));
        std::fs::copy(at("client_key.pub"), at("authorized_keys")).expect("authorized_keys");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let host_key = std::fs::read_to_string(at("host_key.pub")).expect("the host key");
        let host_key: Vec<&str> = host_key.split_whitespace().take(2).collect();
        std::fs::write(
            at("known_hosts"),
            format!("[127.0.0.1]:{port} {}\n", host_key.join(" ")),
        )
        .expect("known_hosts");
        let path = |name: &str| at(name).display().to_string();
        std::fs::write(
            at("sshd_config"),
            format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nPidFile {}\n\
                 AuthorizedKeysFile {}\nPermitRootLogin prohibit-password\n\
                 PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n\
                 StrictModes no\nPrintMotd no\n",
                path("host_key"),
                path("sshd.pid"),
                path("authorized_keys"),
            ),
        )
        .expect("sshd_config");
        std::fs::write(
            at("ssh_config"),
            format!(
                "Host 127.0.0.1\n  IdentityFile {}\n  IdentitiesOnly yes\n  \
                 UserKnownHostsFile {}\n  GlobalKnownHostsFile /dev/null\n  \
                 StrictHostKeyChecking yes\n  LogLevel ERROR\n",
                path("client_key"),
                path("known_hosts"),
            ),
        )
        .expect("ssh_config");
        // sshd's privilege separation directory, which its service would create.
        std::fs::create_dir_all("/run/sshd").expect("/run/sshd");
        let child = Command::new("/usr/sbin/sshd")
            .args(["-D", "-e", "-f"])
            .arg(at("sshd_config"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(at("sshd.log")).expect("sshd.log"))
            .spawn()
            .expect("start sshd");
        let mut sshd = TestSshd { dir, port, child };
        let deadline = Instant::now() + Duration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = sshd.child.try_wait() {
                panic!("sshd exited ({status}): {}", sshd.log());
            }
            assert!(
                Instant::now() < deadline,
                "sshd did not listen: {}",
                sshd.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        sshd
    }

    /// `ssh://root@127.0.0.1:PORT`, followed by `socket` (e.g. `/var/run/docker.sock`).
    pub(crate) fn host(&self, socket: &str) -> String {
        format!("ssh://root@127.0.0.1:{}{socket}", self.port)
    }

    /// The ssh program with this server's client configuration.
    pub(crate) fn ssh_command(&self) -> String {
        format!("ssh -F {}", self.dir.path().join("ssh_config").display())
    }

    /// The server's log so far.
    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("sshd.log")).unwrap_or_default()
    }

    /// The ssh clients still running with this server's configuration.
    pub(crate) fn clients_left(&self) -> Vec<String> {
        let output = Command::new("pgrep")
            .args(["-a", "-f"])
            .arg(self.ssh_command())
            .output()
            .expect("pgrep");
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(str::to_string)
            .collect()
    }
}

impl Drop for TestSshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
