//! Where a run measured: the engine as it describes itself ([`HostInfo`], also the
//! engine's `info` answer) and the whole testbed ([`Testbed`]: engine, machine, load,
//! basebench version) that `results.json` records.

use serde::{Deserialize, Serialize};

/// The machine, engine and tool a run measured on, with the machine's load around it.
/// Timings from two testbeds are not comparable; ratios to a reference measured on the
/// same testbed are.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Testbed {
    /// The name the user gave the testbed (`--testbed`, `testbed`); absent: unnamed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The engine's kind (`Docker`, `Podman`, ...) from its version components; empty in
    /// files written before it was recorded (they were all Docker).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub engine: String,
    /// Engine version as the daemon reports it.
    pub engine_version: String,
    /// API version negotiated with the daemon.
    pub api_version: String,
    /// The daemon's storage driver (`overlay2`, `vfs`, ...); empty when not reported.
    pub storage_driver: String,
    /// Operating system of the daemon host.
    pub os: String,
    /// Kernel of the daemon host.
    pub kernel: String,
    /// CPU model from `/proc/cpuinfo` when the engine is local.
    pub cpu_model: Option<String>,
    /// Logical CPUs the daemon reports.
    pub cpus: u64,
    /// Memory the daemon reports, in bytes.
    pub memory_bytes: u64,
    /// 1, 5 and 15 minute load averages before the run (`/proc/loadavg`, local engine).
    pub load_before: Option<[f64; 3]>,
    /// The same after the run's last measurement.
    pub load_after: Option<[f64; 3]>,
    /// True when the engine runs on this machine (the machine facts are its own).
    pub local: bool,
    /// basebench version that measured.
    pub basebench_version: String,
}

/// The machine and Docker engine a run measured on.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct HostInfo {
    /// The engine's kind (`Docker`, `Podman`, ...) from its version components; empty in
    /// files written before it was recorded.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub engine: String,
    /// Engine version string as the daemon reports it (e.g. `20.10.24+dfsg1`).
    pub engine_version: String,
    /// API version negotiated with the daemon (e.g. `1.41`).
    pub api_version: String,
    /// Operating system of the daemon host.
    pub os: String,
    /// Kernel version of the daemon host.
    pub kernel: String,
    /// Logical CPUs the daemon reports.
    pub cpus: u64,
    /// Memory the daemon reports, in bytes.
    pub memory_bytes: u64,
    /// The daemon's storage driver (`overlay2`, ...); empty when not reported.
    #[serde(default)]
    pub storage_driver: String,
    /// The engine's address (`unix:///var/run/docker.sock`, `tcp://HOST:PORT`); empty in
    /// files written before it was recorded.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub address: String,
    /// The setting that named the address (`DOCKER_HOST`, `--host`, `docker context NAME`,
    /// `the default socket`, ...).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub address_source: String,
}
