//! Containers: create with an ephemeral loopback port, start, inspect, logs, memory,
//! remove.

use std::collections::HashMap;

use bollard::container::LogOutput;
use bollard::models::{ContainerCreateBody, HostConfig, PortBinding};
use bollard::query_parameters::{
    CreateContainerOptions, LogsOptions, RemoveContainerOptions, StatsOptions,
};
use futures_util::StreamExt;

use super::DockerEngine;
use super::errors::{is_conflict, is_not_found};
use crate::engine::{ContainerSpec, ContainerStatus, EngineError};

/// Create (not start) a container publishing `spec.port` on 127.0.0.1 with an ephemeral
/// host port.
pub(super) async fn create(
    engine: &DockerEngine,
    spec: &ContainerSpec,
) -> Result<String, EngineError> {
    let port_key = format!("{}/tcp", spec.port);
    let binding = PortBinding {
        host_ip: Some(engine.published_ip.to_string()),
        host_port: Some(String::new()),
    };
    let body = ContainerCreateBody {
        image: Some(spec.image.clone()),
        labels: Some(spec.labels.clone()),
        env: (!spec.env.is_empty()).then(|| spec.env.clone()),
        cmd: (!spec.cmd.is_empty()).then(|| spec.cmd.clone()),
        exposed_ports: Some(vec![port_key.clone()]),
        host_config: Some(HostConfig {
            port_bindings: Some(HashMap::from([(port_key, Some(vec![binding]))])),
            ..Default::default()
        }),
        ..Default::default()
    };
    let options = CreateContainerOptions {
        name: (!spec.name.is_empty()).then(|| spec.name.clone()),
        ..Default::default()
    };
    let fail = || {
        engine.fail(
            format!("creating container from image '{}'", spec.image),
            format!("image '{}'", spec.image),
        )
    };
    // Finished even if this call is dropped: the daemon would create it anyway, and the
    // sweep waits for it (`in_flight`).
    let docker = engine.docker.clone();
    let created = engine
        .in_flight
        .finish(async move { docker.create_container(Some(options), body).await })
        .await
        .ok_or_else(|| EngineError::Api {
            action: fail().action,
            message: "the create request's task stopped".to_string(),
        })?
        .map_err(|e| fail().map(e))?;
    Ok(created.id)
}

/// Start a created container.
pub(super) async fn start(engine: &DockerEngine, id: &str) -> Result<(), EngineError> {
    engine.docker.start_container(id, None).await.map_err(|e| {
        engine
            .fail(format!("starting container '{id}'"), container(id))
            .map(e)
    })
}

/// The host port `container_port/tcp` is published on (read from inspect after start).
pub(super) async fn host_port(
    engine: &DockerEngine,
    id: &str,
    container_port: u16,
) -> Result<u16, EngineError> {
    let action = format!("reading the published port {container_port}/tcp of container '{id}'");
    let inspect = engine
        .docker
        .inspect_container(id, None)
        .await
        .map_err(|e| engine.fail(action.clone(), container(id)).map(e))?;
    let bindings = inspect
        .network_settings
        .and_then(|n| n.ports)
        .and_then(|mut ports| ports.remove(&format!("{container_port}/tcp")))
        .flatten()
        .unwrap_or_default();
    let port = bindings
        .iter()
        .filter(|b| {
            b.host_ip
                .as_deref()
                .is_none_or(|ip| ip.is_empty() || ip.parse() == Ok(engine.published_ip))
        })
        .find_map(|b| b.host_port.as_deref()?.parse::<u16>().ok());
    port.ok_or_else(|| EngineError::Api {
        action,
        message: "the port is not published (the container is not running, or exited)".to_string(),
    })
}

/// State, exit code and OOM flag from inspect.
pub(super) async fn status(
    engine: &DockerEngine,
    id: &str,
) -> Result<ContainerStatus, EngineError> {
    let inspect = engine
        .docker
        .inspect_container(id, None)
        .await
        .map_err(|e| {
            engine
                .fail(format!("inspecting container '{id}'"), container(id))
                .map(e)
        })?;
    let state = inspect.state.unwrap_or_default();
    let running = state.running.unwrap_or(false);
    let state_name = state.status.map(|s| s.to_string()).unwrap_or_default();
    Ok(ContainerStatus {
        exit_code: if running || state_name == "created" {
            None
        } else {
            state.exit_code
        },
        state: state_name,
        running,
        oom_killed: state.oom_killed.unwrap_or(false),
        restart_count: inspect.restart_count.unwrap_or(0),
        error: state.error.unwrap_or_default(),
    })
}

/// The last `lines` lines of stdout and stderr. The daemon copies the two streams
/// separately, so its order between them is loose: lines are put in timestamp order.
pub(super) async fn logs_tail(
    engine: &DockerEngine,
    id: &str,
    lines: usize,
) -> Result<Vec<String>, EngineError> {
    let options = LogsOptions {
        stdout: true,
        stderr: true,
        tail: lines.to_string(),
        timestamps: true,
        ..Default::default()
    };
    let mut stream = engine.docker.logs(id, Some(options));
    let mut text = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            engine
                .fail(
                    format!("reading the log of container '{id}'"),
                    container(id),
                )
                .map(e)
        })?;
        text.extend_from_slice(&output_bytes(chunk));
    }
    let all = in_time_order(&String::from_utf8_lossy(&text));
    let start = all.len().saturating_sub(lines);
    Ok(all[start..].to_vec())
}

/// Log lines prefixed with RFC 3339 timestamps, sorted by time (stable), prefixes removed.
pub(super) fn in_time_order(text: &str) -> Vec<String> {
    let mut last = None;
    let mut stamped: Vec<_> = text
        .lines()
        .map(|line| {
            let (stamp, rest) = line.split_once(' ').unwrap_or((line, ""));
            match chrono::DateTime::parse_from_rfc3339(stamp) {
                Ok(time) => {
                    last = Some(time);
                    (last, rest.to_string())
                }
                Err(_) => (last, line.to_string()),
            }
        })
        .collect();
    stamped.sort_by_key(|(time, _)| *time);
    stamped.into_iter().map(|(_, line)| line).collect()
}

/// Memory in use now, computed as `docker stats` does.
pub(super) async fn memory_usage(engine: &DockerEngine, id: &str) -> Result<u64, EngineError> {
    let options = StatsOptions {
        stream: false,
        one_shot: true,
    };
    let fail = || {
        engine.fail(
            format!("reading memory stats of container '{id}'"),
            container(id),
        )
    };
    let stats = engine
        .docker
        .stats(id, Some(options))
        .next()
        .await
        .ok_or_else(|| EngineError::Api {
            action: format!("reading memory stats of container '{id}'"),
            message: "the daemon returned no stats".to_string(),
        })?
        .map_err(|e| fail().map(e))?;
    let memory = stats.memory_stats.unwrap_or_default();
    Ok(usage_without_cache(
        memory.usage.unwrap_or(0),
        &memory.stats.unwrap_or_default(),
    ))
}

/// Usage minus inactive file cache, exactly as the docker CLI computes it: cgroup v1
/// reports `total_inactive_file`, cgroup v2 `inactive_file`.
pub(super) fn usage_without_cache(usage: u64, stats: &HashMap<String, u64>) -> u64 {
    match (stats.get("total_inactive_file"), stats.get("inactive_file")) {
        (Some(&v1), _) if v1 < usage => usage - v1,
        (_, Some(&v2)) if v2 < usage => usage - v2,
        _ => usage,
    }
}

/// Force-remove a container and its anonymous volumes; missing is fine.
pub(super) async fn remove(engine: &DockerEngine, id: &str) -> Result<(), EngineError> {
    let options = RemoveContainerOptions {
        force: true,
        v: true,
        ..Default::default()
    };
    match engine.docker.remove_container(id, Some(options)).await {
        Ok(()) => Ok(()),
        Err(e) if is_not_found(&e) => Ok(()),
        // "removal of container ... is already in progress"
        Err(e) if is_conflict(&e) && e.to_string().contains("already in progress") => Ok(()),
        Err(e) => Err(engine
            .fail(format!("removing container '{id}'"), container(id))
            .map(e)),
    }
}

/// The bytes of one log frame, whatever stream it came from.
pub(super) fn output_bytes(chunk: LogOutput) -> bytes::Bytes {
    match chunk {
        LogOutput::StdOut { message }
        | LogOutput::StdErr { message }
        | LogOutput::StdIn { message }
        | LogOutput::Console { message } => message,
    }
}

/// How errors name a container.
pub(super) fn container(id: &str) -> String {
    format!("container '{id}'")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(pairs: &[(&str, u64)]) -> HashMap<String, u64> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn log_lines_are_put_in_time_order_without_their_stamps() {
        let text = "2026-11-27T09:00:00.15Z second\n2026-11-27T09:00:00.1Z first\n\
                    2026-11-27T09:00:01Z third words\n";
        assert_eq!(in_time_order(text), ["first", "second", "third words"]);
    }

    #[test]
    fn memory_on_cgroup_v1_subtracts_total_inactive_file() {
        let s = stats(&[("total_inactive_file", 300), ("inactive_file", 100)]);
        assert_eq!(usage_without_cache(1000, &s), 700);
    }

    #[test]
    fn memory_on_cgroup_v2_subtracts_inactive_file() {
        assert_eq!(
            usage_without_cache(1000, &stats(&[("inactive_file", 250)])),
            750
        );
    }

    #[test]
    fn memory_is_the_raw_usage_when_the_cache_figure_is_missing_or_too_large() {
        assert_eq!(usage_without_cache(1000, &stats(&[])), 1000);
        assert_eq!(
            usage_without_cache(1000, &stats(&[("inactive_file", 5000)])),
            1000
        );
    }
}
