//! Response bodies as four Docker Engine API versions shape them, for the endpoints
//! basebench reads: `/_ping`, `/version`, `/info`, `/images/{name}/json`,
//! `/images/{name}/history`, `/build` (classic and BuildKit streams),
//! `/containers/{id}/json` and `/containers/{id}/stats`.
//!
//! Sources: moby's API reference (`api/swagger.yaml` of each release) for the objects'
//! fields, and moby's `docs/api/version-history.md` for what each version removed:
//! - v1.41 (Docker 20.10): image inspect still carries `VirtualSize`, `Container` and
//!   `ContainerConfig`; the graph-driver store (`overlay2`).
//! - v1.44 (Docker 25): "The `VirtualSize` field in the `GET /images/{name}/json` ...
//!   responses is now omitted" (version history, v1.44).
//! - v1.47 (Docker 27): "`GET /images/{name}/json` no longer includes the `Container`
//!   and `ContainerConfig` fields" (version history, v1.45); the containerd image store
//!   (`Driver: overlayfs`, `driver-type io.containerd.snapshotter.v1` in `DriverStatus`).
//! - v1.51 (Docker 28.3): image inspect's `Descriptor` and, with `manifests=1`,
//!   `Manifests` (v1.48; `Size` here the packed size, as the containerd store reported it
//!   on some releases),
//!   `Config` with only the image's own fields (the container-only ones dropped, v1.48),
//!   the containerd store as on new installs.
//!
//! The ids, sizes and names are invented; only the shapes follow the versions.

use std::sync::Arc;

use base64::Engine as _;
use basebench::anatomy::synth::{ImageBuilder, LayerBuilder, Layout, Storage};
use bollard::moby::buildkit::v1::{StatusResponse, Vertex};
use prost::Message;
use serde_json::{Value, json};

use super::server::{Reply, Request, Routes};

/// An API version basebench must read correctly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    V1_41,
    V1_44,
    V1_47,
    V1_51,
}

/// Every shape, oldest first.
pub(crate) const SHAPES: [Shape; 4] = [Shape::V1_41, Shape::V1_44, Shape::V1_47, Shape::V1_51];

/// The image id every canned image and build reports.
pub(crate) const IMAGE_ID: &str =
    "sha256:4b825dc642cb6eb9a060e54bf8d69288fbee4904e7c6b3e0b1b0a6b3a1c2d3e4";

/// The unpacked size every canned image reports (`Size`).
pub(crate) const IMAGE_SIZE: i64 = 7_654_321;

/// The packed (compressed) size the 1.51 shape's `Size` reports under the containerd
/// store; the unpacked size is [`IMAGE_SIZE`], in the platform manifest.
pub(crate) const PACKED_SIZE: i64 = 2_345_678;

/// Memory usage and inactive file cache in the canned stats.
pub(crate) const MEMORY_USAGE: u64 = 9_000_000;
pub(crate) const INACTIVE_FILE: u64 = 2_000_000;

impl Shape {
    /// The API version string, e.g. `1.41`.
    pub(crate) fn api(self) -> &'static str {
        match self {
            Shape::V1_41 => "1.41",
            Shape::V1_44 => "1.44",
            Shape::V1_47 => "1.47",
            Shape::V1_51 => "1.51",
        }
    }

    /// The engine release that speaks it.
    pub(crate) fn release(self) -> &'static str {
        match self {
            Shape::V1_41 => "20.10.24",
            Shape::V1_44 => "25.0.5",
            Shape::V1_47 => "27.3.1",
            Shape::V1_51 => "28.3.2",
        }
    }

    /// The storage driver `/info` names.
    pub(crate) fn driver(self) -> &'static str {
        match self {
            Shape::V1_41 | Shape::V1_44 => "overlay2",
            Shape::V1_47 | Shape::V1_51 => "overlayfs",
        }
    }

    fn containerd_store(self) -> bool {
        matches!(self, Shape::V1_47 | Shape::V1_51)
    }

    /// `GET /_ping` (SystemPing): `OK`, with the `Api-Version` and `Builder-Version`
    /// headers (the latter since 1.42, not versioned, so 20.10 sends it too).
    fn ping(self) -> Reply {
        Reply::text("OK").header("Builder-Version", "2")
    }

    /// `GET /version` (SystemVersion): `Components` lists the `Engine`.
    fn version(self) -> Reply {
        let release = self.release();
        Reply::json(
            &json!({
                "Platform": {"Name": "Docker Engine - Community"},
                "Components": [
                    {"Name": "Engine", "Version": release, "Details": {
                        "ApiVersion": self.api(), "Arch": "amd64", "GitCommit": "0000000",
                        "GoVersion": "go1.22.7", "KernelVersion": "6.1.0-28-amd64",
                        "MinAPIVersion": "1.24", "Os": "linux"}},
                    {"Name": "containerd", "Version": "1.7.22",
                     "Details": {"GitCommit": "0000000"}},
                    {"Name": "runc", "Version": "1.1.14", "Details": {"GitCommit": "v1.1.14-0"}},
                    {"Name": "docker-init", "Version": "0.19.0",
                     "Details": {"GitCommit": "de40ad0"}}
                ],
                "Version": release,
                "ApiVersion": self.api(),
                "MinAPIVersion": "1.24",
                "GitCommit": "0000000",
                "GoVersion": "go1.22.7",
                "Os": "linux",
                "Arch": "amd64",
                "KernelVersion": "6.1.0-28-amd64",
                "BuildTime": "2024-09-20T11:41:49.000000000+00:00"
            })
            .to_string(),
        )
    }

    /// `GET /info` (SystemInfo), the fields basebench reads and their neighbours.
    fn info(self) -> Reply {
        let driver_status = if self.containerd_store() {
            json!([["driver-type", "io.containerd.snapshotter.v1"]])
        } else {
            json!([
                ["Backing Filesystem", "extfs"],
                ["Supports d_type", "true"],
                ["Native Overlay Diff", "true"],
                ["userxattr", "false"]
            ])
        };
        let mut info = json!({
            "ID": "7c2f3f5e-0000-4000-8000-000000000000",
            "Containers": 0, "ContainersRunning": 0, "ContainersPaused": 0,
            "ContainersStopped": 0, "Images": 3,
            "Driver": self.driver(),
            "DriverStatus": driver_status,
            "Plugins": {"Volume": ["local"], "Network": ["bridge", "host", "null"],
                        "Authorization": null, "Log": ["json-file", "local"]},
            "MemoryLimit": true, "SwapLimit": true, "CpuCfsPeriod": true,
            "CpuCfsQuota": true, "CPUShares": true, "CPUSet": true, "PidsLimit": true,
            "IPv4Forwarding": true
        });
        let rest = json!({
            "Debug": false, "NFd": 27, "OomKillDisable": false,
            "NGoroutines": 41, "SystemTime": "2026-12-03T10:00:00.000000000Z",
            "LoggingDriver": "json-file", "CgroupDriver": "systemd", "CgroupVersion": "2",
            "NEventsListener": 0, "KernelVersion": "6.1.0-28-amd64",
            "OperatingSystem": "Debian GNU/Linux 12 (bookworm)", "OSVersion": "12",
            "OSType": "linux", "Architecture": "x86_64", "IndexServerAddress":
            "https://index.docker.io/v1/", "RegistryConfig": {"IndexConfigs": {},
            "InsecureRegistryCIDRs": ["127.0.0.0/8"], "Mirrors": []},
            "NCPU": 4, "MemTotal": 8_321_499_136_i64, "DockerRootDir": "/var/lib/docker",
            "Name": "builder-1", "Labels": [], "ExperimentalBuild": false,
            "ServerVersion": self.release(), "Runtimes": {"runc": {"path": "runc"}},
            "DefaultRuntime": "runc", "Swarm": {"NodeID": "", "NodeAddr": "",
            "LocalNodeState": "inactive", "ControlAvailable": false, "Error": "",
            "RemoteManagers": null}, "LiveRestoreEnabled": false, "Isolation": "",
            "InitBinary": "docker-init", "SecurityOptions":
            ["name=seccomp,profile=builtin", "name=cgroupns"], "Warnings": null
        });
        if let (Some(info), Value::Object(rest)) = (info.as_object_mut(), rest) {
            info.extend(rest);
        }
        if self != Shape::V1_41 {
            // Since 25 (not versioned): the containerd namespaces, and since 27 the CDI
            // spec directories.
            info["Containerd"] = json!({"Address": "/run/containerd/containerd.sock",
                "Namespaces": {"Containers": "moby", "Plugins": "plugins.moby"}});
            info["CDISpecDirs"] = json!(["/etc/cdi", "/var/run/cdi"]);
        }
        Reply::json(&info.to_string())
    }

    /// `GET /images/{name}/json` (ImageInspect) as this version shapes it; `Manifests`
    /// only when asked for (`manifests=1`, API 1.48+).
    fn image_inspect(self, manifests: bool) -> Reply {
        let container_config = json!({
            "Hostname": "", "Domainname": "", "User": "", "AttachStdin": false,
            "AttachStdout": false, "AttachStderr": false, "Tty": false, "OpenStdin": false,
            "StdinOnce": false, "Env": null, "Cmd": null, "Image": "", "Volumes": null,
            "WorkingDir": "", "Entrypoint": null, "OnBuild": null, "Labels": null
        });
        let mut config = json!({
            "User": "65532",
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            "Entrypoint": ["/testapp"],
            "Cmd": ["--port", "8080"],
            "ExposedPorts": {"8080/tcp": {}},
            "WorkingDir": "/",
            "Labels": {"io.basebench.managed": "true", "io.basebench.run": "contract"},
            "OnBuild": null,
            "Volumes": null
        });
        if self != Shape::V1_51 {
            // Before 1.48 the image's Config was a container config, with the
            // container-only fields at their zero values.
            for key in ["Hostname", "Domainname", "Image"] {
                config[key] = json!("");
            }
            for key in [
                "AttachStdin",
                "AttachStdout",
                "AttachStderr",
                "Tty",
                "OpenStdin",
                "StdinOnce",
            ] {
                config[key] = json!(false);
            }
        }
        let mut inspect = json!({
            "Id": IMAGE_ID,
            "RepoTags": ["basebench-contract:latest"],
            "RepoDigests": [],
            "Parent": "",
            "Comment": "buildkit.dockerfile.v0",
            "Created": "2026-12-03T10:00:00.123456789Z",
            "DockerVersion": "",
            "Author": "",
            "Config": config,
            "Architecture": "amd64",
            "Os": "linux",
            "Size": IMAGE_SIZE,
            "GraphDriver": {"Data": {"MergedDir": "/var/lib/docker/overlay2/x/merged"},
                            "Name": "overlay2"},
            "RootFS": {"Type": "layers", "Layers": [
                "sha256:1111111111111111111111111111111111111111111111111111111111111111",
                "sha256:2222222222222222222222222222222222222222222222222222222222222222"]},
            "Metadata": {"LastTagTime": "2026-12-03T10:00:00.2Z"}
        });
        match self {
            Shape::V1_41 => {
                inspect["VirtualSize"] = json!(IMAGE_SIZE);
                inspect["Container"] = json!("");
                inspect["ContainerConfig"] = container_config;
            }
            Shape::V1_44 => {
                // v1.44 dropped VirtualSize; Container/ContainerConfig stay until 1.45.
                inspect["Container"] = json!("");
                inspect["ContainerConfig"] = container_config;
            }
            Shape::V1_47 => {
                // The containerd store: the snapshotter, not a graph driver, holds it.
                inspect["GraphDriver"] = json!({"Data": null, "Name": "overlayfs"});
            }
            Shape::V1_51 => {
                // The containerd store's `Size` as the packed size (what some releases
                // reported); the platform manifest has the unpacked one.
                inspect["Size"] = json!(PACKED_SIZE);
                inspect["GraphDriver"] = json!({"Data": null, "Name": "overlayfs"});
                inspect["Descriptor"] = json!({
                    "mediaType": "application/vnd.oci.image.index.v1+json",
                    "digest": "sha256:3333333333333333333333333333333333333333333333333333333333333333",
                    "size": 856});
                if !manifests {
                    return Reply::json(&inspect.to_string());
                }
                inspect["Manifests"] = json!([{
                    "ID": "sha256:4444444444444444444444444444444444444444444444444444444444444444",
                    "Descriptor": {"mediaType": "application/vnd.oci.image.manifest.v1+json",
                        "digest": "sha256:4444444444444444444444444444444444444444444444444444444444444444",
                        "size": 1200, "platform": {"architecture": "amd64", "os": "linux"}},
                    "Available": true,
                    "Size": {"Total": PACKED_SIZE + 4096, "Content": PACKED_SIZE},
                    "Kind": "image",
                    "ImageData": {"Platform": {"architecture": "amd64", "os": "linux"},
                        "Containers": [], "Size": {"Unpacked": IMAGE_SIZE}}
                }]);
            }
        }
        Reply::json(&inspect.to_string())
    }

    /// `GET /images/{name}/history` (HistoryResponseItem[]), newest first.
    fn history(self) -> Reply {
        let missing = if self.containerd_store() {
            "<missing>"
        } else {
            IMAGE_ID
        };
        Reply::json(
            &json!([
                {"Id": missing, "Created": 1_764_756_000, "CreatedBy":
                 "CMD [\"--port\" \"8080\"]", "Tags": null, "Size": 0,
                 "Comment": "buildkit.dockerfile.v0"},
                {"Id": "<missing>", "Created": 1_764_756_000, "CreatedBy":
                 "COPY testapp /testapp # buildkit", "Tags": null, "Size": IMAGE_SIZE,
                 "Comment": "buildkit.dockerfile.v0"}
            ])
            .to_string(),
        )
    }

    /// `GET /containers/{id}/json` (ContainerInspectResponse) of a running container.
    fn container_inspect(self) -> Reply {
        let mut inspect = json!({
            "Id": "c0ffee0000000000000000000000000000000000000000000000000000000000",
            "Created": "2026-12-03T10:00:01.000000000Z",
            "Path": "/testapp", "Args": ["--port", "8080"],
            "State": {"Status": "running", "Running": true, "Paused": false,
                      "Restarting": false, "OOMKilled": false, "Dead": false, "Pid": 4242,
                      "ExitCode": 0, "Error": "", "StartedAt": "2026-12-03T10:00:01.5Z",
                      "FinishedAt": "0001-01-01T00:00:00Z"},
            "Image": IMAGE_ID, "Name": "/basebench-contract-r0", "RestartCount": 0,
            "Driver": self.driver(), "Platform": "linux",
            "HostConfig": {"NetworkMode": "bridge", "PortBindings": {"8080/tcp":
                [{"HostIp": "127.0.0.1", "HostPort": ""}]}},
            "Config": {"Image": "basebench-contract:latest", "Labels": {}},
            "NetworkSettings": {"Ports": {"8080/tcp":
                [{"HostIp": "127.0.0.1", "HostPort": "49153"}]}}
        });
        if self == Shape::V1_41 {
            inspect["NetworkSettings"]["HairpinMode"] = json!(false);
            inspect["NetworkSettings"]["LinkLocalIPv6Address"] = json!("");
        }
        Reply::json(&inspect.to_string())
    }

    /// `GET /containers/{id}/stats?stream=false` (ContainerStatsResponse), cgroup v2.
    fn stats(self) -> Reply {
        let mut stats = json!({
            "read": "2026-12-03T10:00:02.000000000Z",
            "preread": "0001-01-01T00:00:00Z",
            "pids_stats": {"current": 1, "limit": 18_446_744_073_709_551_615_u64},
            "blkio_stats": {"io_service_bytes_recursive": null, "io_serviced_recursive": null,
                "io_queue_recursive": null, "io_service_time_recursive": null,
                "io_wait_time_recursive": null, "io_merged_recursive": null,
                "io_time_recursive": null, "sectors_recursive": null},
            "num_procs": 0, "storage_stats": {},
            "cpu_stats": {"cpu_usage": {"total_usage": 12_000, "usage_in_kernelmode": 4_000,
                "usage_in_usermode": 8_000}, "system_cpu_usage": 900_000_000_u64,
                "online_cpus": 4, "throttling_data": {"periods": 0, "throttled_periods": 0,
                "throttled_time": 0}},
            "precpu_stats": {"cpu_usage": {"total_usage": 0, "usage_in_kernelmode": 0,
                "usage_in_usermode": 0}, "throttling_data": {"periods": 0,
                "throttled_periods": 0, "throttled_time": 0}},
            "memory_stats": {"usage": MEMORY_USAGE, "stats": {"anon": 6_000_000,
                "file": 3_000_000, "inactive_file": INACTIVE_FILE, "active_file": 1_000_000,
                "pgfault": 900, "pgmajfault": 0}, "limit": 8_321_499_136_u64},
            "name": "/basebench-contract-r0",
            "id": "c0ffee0000000000000000000000000000000000000000000000000000000000",
            "networks": {"eth0": {"rx_bytes": 1000, "rx_packets": 10, "rx_errors": 0,
                "rx_dropped": 0, "tx_bytes": 800, "tx_packets": 8, "tx_errors": 0,
                "tx_dropped": 0}}
        });
        if self == Shape::V1_51 {
            // Since 1.47-ish engines report the OS type in stats.
            stats["os_type"] = json!("linux");
        }
        // dockerd ends the single stats object with a newline (json.Encoder).
        Reply::json(&format!("{stats}\n"))
    }

    /// The archive `GET /images/{name}/get` (`docker save`) streams for the canned image:
    /// Docker's own layout (`manifest.json`, `<id>/layer.tar`) on 20.10; since 25 an OCI
    /// image layout (`index.json`, `oci-layout`, `blobs/sha256/...`) that also carries
    /// `manifest.json` pointing into the blobs (the v1.44 shape, kept by 27 and 28).
    pub(crate) fn save_archive(self) -> Vec<u8> {
        let base = LayerBuilder::new()
            .dir("etc")
            .sized("etc/os-release", 120)
            .sized("testapp", 40_000);
        let top = LayerBuilder::new()
            .sized("testapp", 41_000)
            .sized("app.py", 900);
        let image = ImageBuilder::new()
            .user("65532")
            .layer("COPY testapp /testapp # buildkit", base, Storage::Plain)
            .empty_step("ENV PORT=8080")
            .layer("COPY . / # buildkit", top, Storage::Gzip);
        match self {
            Shape::V1_41 => image.build(Layout::Legacy),
            _ => image.build(Layout::Oci),
        }
    }

    /// `GET /images/{name}/get`: the archive in 64 KiB chunks, as dockerd streams it.
    fn save(self) -> Reply {
        let chunks = self
            .save_archive()
            .chunks(64 * 1024)
            .map(<[u8]>::to_vec)
            .collect();
        Reply::streamed("application/x-tar", chunks)
    }

    /// `POST /build`: the classic builder's stream, or BuildKit's (`version=2`) with
    /// `moby.buildkit.trace` aux messages (a base64 `StatusResponse`) and the final
    /// `moby.image.id` aux. dockerd ends every message with `\r\n`
    /// (`streamformatter`'s `streamNewline`); `split_last_newline` sends that of the
    /// last message in a chunk of its own, as a daemon's writes can arrive.
    pub(crate) fn build(self, buildkit: bool, split_last_newline: bool) -> Reply {
        let lines: Vec<Value> = if buildkit {
            vec![
                trace(vec![vertex(
                    "sha256:aa",
                    "[internal] load build definition from Dockerfile",
                    false,
                    false,
                )]),
                trace(vec![vertex(
                    "sha256:aa",
                    "[internal] load build definition from Dockerfile",
                    false,
                    true,
                )]),
                trace(vec![vertex(
                    "sha256:bb",
                    "[1/1] COPY testapp /testapp",
                    false,
                    false,
                )]),
                trace(vec![vertex(
                    "sha256:bb",
                    "[1/1] COPY testapp /testapp",
                    false,
                    true,
                )]),
                trace(vec![vertex("sha256:cc", "exporting to image", false, true)]),
                json!({"id": "moby.image.id", "aux": {"ID": IMAGE_ID}}),
            ]
        } else {
            vec![
                json!({"stream": "Step 1/2 : FROM scratch\n"}),
                json!({"stream": " ---> \n"}),
                json!({"stream": "Step 2/2 : COPY testapp /testapp\n"}),
                json!({"stream": " ---> 4b825dc642cb\n"}),
                json!({"aux": {"ID": IMAGE_ID}}),
                json!({"stream": "Successfully built 4b825dc642cb\n"}),
                json!({"stream": "Successfully tagged basebench-contract:latest\n"}),
            ]
        };
        let mut chunks: Vec<Vec<u8>> = lines
            .iter()
            .map(|l| format!("{l}\r\n").into_bytes())
            .collect();
        if split_last_newline && let Some(last) = chunks.last_mut() {
            last.truncate(last.len() - 2);
            chunks.push(b"\r\n".to_vec());
        }
        Reply::streamed("application/json", chunks)
    }

    /// The server's routes for this shape; a build answers as `build` says.
    pub(crate) fn routes(self, split_last_newline: bool) -> Routes {
        Arc::new(move |request: &Request| self.answer(request, split_last_newline))
    }

    fn answer(self, request: &Request, split_last_newline: bool) -> Reply {
        let path = request.path.as_str();
        match (request.method.as_str(), path) {
            ("GET" | "HEAD", "/_ping") => self.ping(),
            ("GET", "/version") => self.version(),
            ("GET", "/info") => self.info(),
            ("POST", "/build") => {
                let buildkit = request.query.split('&').any(|p| p == "version=2");
                self.build(buildkit, split_last_newline)
            }
            ("GET", p) if p.starts_with("/images/") && p.ends_with("/json") => {
                self.image_inspect(request.query.split('&').any(|q| q == "manifests=1"))
            }
            ("GET", p) if p.starts_with("/images/") && p.ends_with("/history") => self.history(),
            ("GET", p) if p.starts_with("/containers/") && p.ends_with("/json") => {
                self.container_inspect()
            }
            ("GET", p) if p.starts_with("/containers/") && p.ends_with("/stats") => self.stats(),
            ("GET", p) if p.starts_with("/images/") && p.ends_with("/get") => self.save(),
            _ => Reply::error(404, &format!("page not found: {} {path}", request.method)),
        }
    }
}

fn vertex(digest: &str, name: &str, cached: bool, completed: bool) -> Vertex {
    Vertex {
        digest: digest.to_string(),
        name: name.to_string(),
        cached,
        started: Some(Default::default()),
        completed: completed.then(Default::default),
        ..Default::default()
    }
}

/// A `moby.buildkit.trace` message: the status, protobuf-encoded, in base64.
fn trace(vertexes: Vec<Vertex>) -> Value {
    let status = StatusResponse {
        vertexes,
        ..Default::default()
    };
    let aux = base64::engine::general_purpose::STANDARD.encode(status.encode_to_vec());
    json!({"id": "moby.buildkit.trace", "aux": aux})
}
