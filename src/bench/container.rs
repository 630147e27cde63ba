//! Running the image: startup timing over fresh containers, then latency, load, memory and
//! smoke commands on one healthy container.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::cleanup::Created;
use super::warnings::Warning;
use super::{Bench, Stop};
use crate::config::Variant;
use crate::engine::{ContainerSpec, ContainerStatus, Engine};
use crate::probe;
use crate::reporter::Phase;
use crate::results::{FailureDetail, FailurePhase, Latency, Memory, SmokeResult, VariantResult};
use crate::stats::Timing;

/// Lines of container log kept for a failure row.
const LOG_TAIL: usize = 20;
/// How long a container settles after its first 200 before idle memory is read.
const IDLE_SETTLE: Duration = Duration::from_secs(1);
/// Longest a smoke command may run.
const SMOKE_TIMEOUT: Duration = Duration::from_secs(300);
/// Per-request timeout in the latency phases.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Upper bound on requests in the load phase.
const MAX_LOAD_REQUESTS: u32 = 20_000;

/// Time startup over `runs` fresh containers, then measure the last one.
pub(crate) async fn measure(
    bench: &Bench<'_>,
    variant: &Variant,
    image_id: &str,
    result: &mut VariantResult,
    created: &mut Created,
) -> Result<(), Stop> {
    let runs = bench.config.runs;
    let mut startups = Vec::new();
    let mut healthy: Option<(String, SocketAddr)> = None;
    for run in 0..runs {
        bench.phase(
            variant,
            Phase::Startup,
            format!("container {}/{runs}", run + 1),
        );
        let (id, addr, took) = start_healthy(bench, variant, image_id, run, created).await?;
        startups.push(took.as_secs_f64() * 1000.0);
        if let Some((previous, _)) = healthy.replace((id, addr)) {
            let _ = bench.engine.remove_container(&previous).await;
        }
    }
    let startup = Timing::from_samples(&startups);
    if startup.as_ref().is_some_and(Timing::is_single_run) {
        bench.warn(result, Warning::SingleRun { what: "startup" });
    }
    if let Some(spread) = startup
        .as_ref()
        .map(Timing::relative_spread)
        .filter(|s| *s > super::warnings::HIGH_VARIANCE)
    {
        bench.warn(
            result,
            Warning::HighVariance {
                what: "startup",
                spread,
            },
        );
    }
    result.startup_ms = startup;
    let Some((id, addr)) = healthy else {
        return Ok(());
    };
    bench.phase(variant, Phase::Load, "");
    measure_load(bench, variant, &id, addr, result).await?;
    bench.phase(variant, Phase::Smoke, "");
    for command in &variant.smoke {
        result
            .smoke
            .push(run_smoke(bench.engine, &id, command).await);
    }
    let _ = bench.engine.remove_container(&id).await;
    Ok(())
}

async fn start_healthy(
    bench: &Bench<'_>,
    variant: &Variant,
    image_id: &str,
    run: u32,
    created: &mut Created,
) -> Result<(String, SocketAddr, Duration), Stop> {
    let engine = bench.engine;
    let spec = ContainerSpec {
        image: image_id.to_string(),
        name: format!("basebench-{}-{}-{run}", bench.run_id, variant.name),
        labels: bench.labels(),
        port: variant.port,
        env: variant.env.clone(),
        cmd: Vec::new(),
    };
    let start_failed =
        |e: crate::engine::EngineError| Stop::new(FailurePhase::Start, e.to_string());
    let id = engine.create_container(&spec).await.map_err(start_failed)?;
    created.containers.push(id.clone());
    let since = Instant::now();
    if let Err(e) = engine.start_container(&id).await {
        return Err(health_failure(engine, &id, FailurePhase::Start, e.to_string()).await);
    }
    let port = match engine.host_port(&id, variant.port).await {
        Ok(port) => port,
        Err(e) => {
            // An app that exits at once has no published port: report the exit.
            let status = engine
                .container_status(&id)
                .await
                .ok()
                .filter(|s| !s.running);
            let message = match status {
                Some(status) => exit_message(&status, &variant.health),
                None => format!("port {} is not published: {e}", variant.port),
            };
            return Err(health_failure(engine, &id, FailurePhase::Health, message).await);
        }
    };
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let deadline = since + bench.config.health_timeout;
    tokio::select! {
        healthy = probe::wait_for_200(addr, &variant.health, since, deadline) => match healthy {
            Some(took) => Ok((id, addr, took)),
            None => {
                let message = format!(
                    "never answered HTTP 200 on {} within {:.0} s",
                    variant.health,
                    bench.config.health_timeout.as_secs_f64()
                );
                Err(health_failure(engine, &id, FailurePhase::Health, message).await)
            }
        },
        status = wait_for_exit(engine, &id) => {
            Err(health_failure(engine, &id, FailurePhase::Health, exit_message(&status, &variant.health)).await)
        }
    }
}

fn exit_message(status: &ContainerStatus, health: &str) -> String {
    let code = status
        .exit_code
        .map(|c| c.to_string())
        .unwrap_or_else(|| "unknown".into());
    let oom = if status.oom_killed {
        " (killed: out of memory)"
    } else {
        ""
    };
    format!("exited with code {code}{oom} before answering HTTP 200 on {health}")
}

/// Resolves when the container is no longer running.
async fn wait_for_exit(engine: &dyn Engine, id: &str) -> ContainerStatus {
    loop {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if let Ok(status) = engine.container_status(id).await
            && !status.running
            && status.state != "created"
        {
            return status;
        }
    }
}

/// A failure row with the container's state, exit code and last log lines.
async fn health_failure(
    engine: &dyn Engine,
    id: &str,
    phase: FailurePhase,
    message: String,
) -> Stop {
    let status = engine.container_status(id).await.ok();
    let log_tail = engine.logs_tail(id, LOG_TAIL).await.unwrap_or_default();
    Stop(FailureDetail {
        phase,
        step: None,
        message,
        state: status.as_ref().map(|s| s.state.clone()),
        exit_code: status
            .as_ref()
            .and_then(|s| s.exit_code)
            .filter(|_| status.as_ref().is_some_and(|s| !s.running)),
        log_tail,
    })
}

async fn measure_load(
    bench: &Bench<'_>,
    variant: &Variant,
    id: &str,
    addr: SocketAddr,
    result: &mut VariantResult,
) -> Result<(), Stop> {
    let engine = bench.engine;
    let config = bench.config;
    tokio::time::sleep(IDLE_SETTLE).await;
    let idle = engine
        .memory_usage(id)
        .await
        .map_err(|e| Stop::new(FailurePhase::Measure, format!("reading memory: {e}")))?;
    let path = &variant.latency_path;
    let sequential = probe::sequential(addr, path, config.latency_requests, REQUEST_TIMEOUT).await;
    let peak = Arc::new(AtomicU64::new(idle));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = async {
        while !done.load(Ordering::Relaxed) {
            if let Ok(bytes) = engine.memory_usage(id).await {
                peak.fetch_max(bytes, Ordering::Relaxed);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    let load = async {
        let outcome = if config.load_duration.is_zero() {
            None
        } else {
            Some(
                probe::load(
                    addr,
                    path,
                    config.load_concurrency,
                    config.load_duration,
                    MAX_LOAD_REQUESTS,
                )
                .await,
            )
        };
        done.store(true, Ordering::Relaxed);
        outcome
    };
    let (load, ()) = tokio::join!(load, sampler);
    let (p50, p95, p99) = sequential.percentiles();
    let errors = sequential.errors + load.as_ref().map_or(0, |l| l.errors);
    if errors > 0 {
        bench.warn(result, Warning::RequestErrors { count: errors });
    }
    result.latency_ms = Some(Latency {
        p50,
        p95,
        p99,
        n: sequential.samples_ms.len() as u32,
        concurrent_rps: load.as_ref().map(probe::LoadResult::requests_per_second),
        concurrency: if load.is_some() {
            config.load_concurrency
        } else {
            0
        },
        errors,
    });
    result.memory_bytes = Some(Memory {
        idle,
        peak: peak.load(Ordering::Relaxed),
    });
    Ok(())
}

async fn run_smoke(engine: &dyn Engine, id: &str, command: &[String]) -> SmokeResult {
    match engine.exec(id, command, SMOKE_TIMEOUT).await {
        Ok(out) => SmokeResult {
            command: command.to_vec(),
            exit_code: out.exit_code,
            output_tail: tail_lines(&out.output, 10),
        },
        Err(e) => SmokeResult {
            command: command.to_vec(),
            exit_code: None,
            output_tail: vec![e.to_string()],
        },
    }
}

fn tail_lines(text: &str, n: usize) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..]
        .iter()
        .map(|l| l.to_string())
        .collect()
}

/// The failure row for a smoke command that did not exit 0.
pub(crate) fn smoke_failure(failed: &SmokeResult) -> Stop {
    let code = failed
        .exit_code
        .map(|c| format!("exited {c}"))
        .unwrap_or_else(|| "could not run".into());
    Stop(FailureDetail {
        phase: FailurePhase::Smoke,
        step: None,
        message: format!("`{}` {code}", failed.command.join(" ")),
        state: None,
        exit_code: failed.exit_code,
        log_tail: failed.output_tail.clone(),
    })
}
