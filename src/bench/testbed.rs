//! Where a run measured: the engine's facts from its info call, and, when the engine
//! runs on this machine, the CPU model and the load average from `/proc` (before the
//! first build and after the last measurement).

use crate::results::{HostInfo, Testbed as Facts};

/// The testbed as known at the start, and whether the machine facts are the engine's.
pub(crate) struct Testbed {
    /// What goes into `results.json`.
    pub(crate) facts: Facts,
}

impl Testbed {
    /// The facts before the run, under the user's `name` for the testbed.
    pub(crate) fn before(host: &HostInfo, name: Option<String>) -> Testbed {
        let local = engine_is_local(Some(host.address.as_str()));
        Testbed {
            facts: Facts {
                name,
                engine: host.engine.clone(),
                engine_version: host.engine_version.clone(),
                api_version: host.api_version.clone(),
                storage_driver: host.storage_driver.clone(),
                os: host.os.clone(),
                kernel: host.kernel.clone(),
                cpu_model: local.then(cpu_model).flatten(),
                cpus: host.cpus,
                memory_bytes: host.memory_bytes,
                load_before: local.then(load_average).flatten(),
                load_after: None,
                local,
                basebench_version: env!("CARGO_PKG_VERSION").to_string(),
            },
        }
    }

    /// Add the load average after the run.
    pub(crate) fn after(&self, facts: &mut Facts) {
        if facts.local {
            facts.load_after = load_average();
        }
    }
}

/// True when the engine's address (unknown, a Unix socket, or loopback TCP or ssh) is on this
/// machine.
pub(crate) fn engine_is_local(docker_host: Option<&str>) -> bool {
    match docker_host.map(str::trim) {
        None | Some("") => true,
        Some(h) if h.starts_with("ssh://") => crate::engine::docker::ssh::SshTarget::parse(h)
            .is_ok_and(|t| {
                t.host == "localhost"
                    || t.host
                        .parse::<std::net::IpAddr>()
                        .is_ok_and(|ip| ip.is_loopback())
            }),
        Some(h) => {
            h.starts_with("unix://")
                || h.starts_with("npipe://")
                || ["tcp://127.", "tcp://localhost", "tcp://[::1]"]
                    .iter()
                    .any(|p| h.starts_with(p))
        }
    }
}

/// `model name` of the first CPU in `/proc/cpuinfo`.
fn cpu_model() -> Option<String> {
    let text = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    parse_cpu_model(&text)
}

fn parse_cpu_model(text: &str) -> Option<String> {
    text.lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The 1, 5 and 15 minute load averages from `/proc/loadavg`.
fn load_average() -> Option<[f64; 3]> {
    parse_loadavg(&std::fs::read_to_string("/proc/loadavg").ok()?)
}

fn parse_loadavg(text: &str) -> Option<[f64; 3]> {
    let mut parts = text.split_whitespace().map(|p| p.parse::<f64>().ok());
    Some([parts.next()??, parts.next()??, parts.next()??])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_files_and_docker_host_are_read() {
        assert_eq!(
            parse_loadavg("0.52 1.10 0.98 2/611 12345\n"),
            Some([0.52, 1.10, 0.98])
        );
        assert_eq!(parse_loadavg("garbage"), None);
        let cpuinfo = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) CPU @ 2.20GHz\n";
        assert_eq!(
            parse_cpu_model(cpuinfo).as_deref(),
            Some("Intel(R) Xeon(R) CPU @ 2.20GHz")
        );
        assert!(engine_is_local(None));
        assert!(engine_is_local(Some("unix:///var/run/docker.sock")));
        assert!(engine_is_local(Some("tcp://127.0.0.1:2375")));
        assert!(!engine_is_local(Some("tcp://build-host.example.com:2376")));
        assert!(engine_is_local(Some("ssh://root@127.0.0.1:2222")));
        assert!(!engine_is_local(Some(
            "ssh://builder@build-host.example.com"
        )));
    }
}
