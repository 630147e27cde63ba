//! A "remote" engine on this machine: a dockerd of the test's own in a network namespace
//! the test creates, reached over TLS on a veth pair (`tcp://10.214.N.2:2376` with
//! `--tlsverify` and certificates the test makes with openssl). Its published ports are
//! on the namespace's address only, so a probe that went to 127.0.0.1 would find nothing
//! there. The daemon enters the namespace's network only (`nsenter --net`), keeping the
//! host's mounts, which the shared containerd needs to see. Dropping it stops the daemon
//! and deletes the namespace (with its links) and the directory. Needs root, `dockerd`,
//! `ip`, `nsenter` and `openssl`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::dockerd::{stop_daemon, wait_until_answering};

/// The daemon in its namespace; everything is removed on drop.
pub(crate) struct RemoteDockerd {
    dir: tempfile::TempDir,
    netns: String,
    address: String,
    child: Option<Child>,
}

fn run(program: &str, args: &[&str]) {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    assert!(
        output.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A CA, a server certificate for `ip` and a client certificate, as `DOCKER_CERT_PATH`
/// expects them (`ca.pem`, `cert.pem`, `key.pem`) plus the server's pair.
fn make_certificates(dir: &Path, ip: &str) {
    let at = |name: &str| dir.join(name).display().to_string();
    let openssl = |args: &[&str]| run("openssl", args);
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=basebench-test-ca",
        "-keyout",
        &at("ca-key.pem"),
        "-out",
        &at("ca.pem"),
    ]);
    for (who, cn, ext) in [
        (
            "server",
            ip,
            format!("subjectAltName=IP:{ip}\nextendedKeyUsage=serverAuth\n"),
        ),
        (
            "client",
            "basebench-test-client",
            "extendedKeyUsage=clientAuth\n".to_string(),
        ),
    ] {
        let (key, cert) = if who == "server" {
            (at("server-key.pem"), at("server-cert.pem"))
        } else {
            (at("key.pem"), at("cert.pem"))
        };
        let csr = at(&format!("{who}.csr"));
        let extfile = at(&format!("{who}.ext"));
        std::fs::write(&extfile, ext).expect("writing the extensions file");
        openssl(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            &format!("/CN={cn}"),
            "-keyout",
            &key,
            "-out",
            &csr,
        ]);
        openssl(&[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &at("ca.pem"),
            "-CAkey",
            &at("ca-key.pem"),
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            &extfile,
            "-out",
            &cert,
        ]);
    }
}

impl RemoteDockerd {
    /// Create the namespace and the veth pair, make the certificates, start the daemon
    /// and wait until it answers over TLS (60 s at most).
    pub(crate) fn start() -> RemoteDockerd {
        let dir = tempfile::Builder::new()
            .prefix("bbr")
            .tempdir_in("/tmp")
            .expect("a directory for the daemon");
        let tag = uuid::Uuid::new_v4().simple().to_string();
        let netns = format!("bbns{}", &tag[..8]);
        let octet = u8::from_str_radix(&tag[8..10], 16).expect("hex");
        let (outside, inside) = (format!("bbv{}", &tag[..8]), format!("bbp{}", &tag[..8]));
        let (host_ip, remote_ip) = (format!("10.214.{octet}.1"), format!("10.214.{octet}.2"));
        run("ip", &["netns", "add", &netns]);
        let mut daemon = RemoteDockerd {
            dir,
            address: format!("tcp://{remote_ip}:2376"),
            netns,
            child: None,
        };
        let ns = daemon.netns.clone();
        run(
            "ip",
            &[
                "link", "add", &outside, "type", "veth", "peer", "name", &inside,
            ],
        );
        run("ip", &["link", "set", &inside, "netns", &ns]);
        run(
            "ip",
            &["addr", "add", &format!("{host_ip}/24"), "dev", &outside],
        );
        run("ip", &["link", "set", &outside, "up"]);
        let in_ns = |args: &[&str]| {
            let mut all = vec!["netns", "exec", ns.as_str(), "ip"];
            all.extend_from_slice(args);
            run("ip", &all);
        };
        in_ns(&["addr", "add", &format!("{remote_ip}/24"), "dev", &inside]);
        in_ns(&["link", "set", &inside, "up"]);
        in_ns(&["link", "set", "lo", "up"]);
        make_certificates(daemon.dir.path(), &remote_ip);
        daemon.launch();
        daemon
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The `--host` / `DOCKER_HOST` value that reaches it.
    pub(crate) fn host(&self) -> String {
        self.address.clone()
    }

    /// The directory with `ca.pem`, `cert.pem` and `key.pem` (`DOCKER_CERT_PATH`).
    pub(crate) fn cert_path(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    /// The Docker CLI pointed at this daemon over TLS.
    pub(crate) fn cli(&self) -> Command {
        let mut cmd = Command::new("docker");
        cmd.env("DOCKER_HOST", self.host())
            .env("DOCKER_TLS_VERIFY", "1")
            .env("DOCKER_CERT_PATH", self.cert_path());
        cmd
    }

    fn launch(&mut self) {
        let log = std::fs::File::create(self.path("dockerd.log")).expect("the daemon's log");
        let arg = |flag: &str, name: &str| format!("--{flag}={}", self.path(name).display());
        let child = Command::new("nsenter")
            .arg(format!("--net=/run/netns/{}", self.netns))
            .arg("dockerd")
            .args([
                arg("data-root", "data"),
                arg("exec-root", "exec"),
                arg("pidfile", "dockerd.pid"),
                format!("--host={}", self.address),
                "--tlsverify".to_string(),
                arg("tlscacert", "ca.pem"),
                arg("tlscert", "server-cert.pem"),
                arg("tlskey", "server-key.pem"),
                "--iptables=false".to_string(),
                "--ip6tables=false".to_string(),
            ])
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("cannot start dockerd in the namespace (docker.io and util-linux installed?)");
        self.child = Some(child);
        wait_until_answering(
            self.cli(),
            &self.path("dockerd.log"),
            Duration::from_secs(60),
        );
    }
}

impl Drop for RemoteDockerd {
    fn drop(&mut self) {
        if let Some(child) = self.child.take() {
            stop_daemon(child);
        }
        // Deleting the namespace deletes the veth pair (both ends) and the daemon's bridge.
        let _ = Command::new("ip")
            .args(["netns", "del", &self.netns])
            .status();
    }
}
