//! One fresh start of a variant's image: create, start, and time the start call (the
//! engine's part) and the first HTTP 200 on the health path (the total; the app's part is
//! the difference). [`Starts`] keeps a variant's samples over the rounds.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::cleanup::Created;
use super::{Bench, Stop};
use crate::config::Variant;
use crate::engine::{ContainerSpec, ContainerStatus, Engine};
use crate::probe;
use crate::results::{FailureDetail, FailurePhase, VariantResult};
use crate::stats::{Sample, Timing};

/// Lines of container log kept for a failure row.
pub(crate) const LOG_TAIL: usize = 20;

/// A container that answered 200.
#[derive(Debug, Clone)]
pub(crate) struct Started {
    /// Its id.
    pub(crate) id: String,
    /// Its published address on loopback.
    pub(crate) addr: SocketAddr,
    /// Start call until the engine reported it running, in milliseconds.
    pub(crate) engine_ms: f64,
    /// Start call until the first 200, in milliseconds.
    pub(crate) total_ms: f64,
    /// A TCP connect's round trip to the published port right after, in milliseconds
    /// (see [`probe::connect_rtt_ms`]); `None` when a connect failed.
    pub(crate) rtt_ms: Option<f64>,
}

/// A variant's start samples over the rounds: total, engine's part, app's part.
#[derive(Debug, Clone, Default)]
pub(crate) struct Starts {
    total: Vec<Sample>,
    engine: Vec<Sample>,
    app: Vec<Sample>,
    rtt: Vec<Sample>,
}

impl Starts {
    /// Keep one start measured in `round` at `position`; `warmup` marks a warm-up round.
    pub(crate) fn push(&mut self, started: &Started, round: u32, position: u32, warmup: bool) {
        let at = super::now_millis();
        let sample = |value: f64| Sample {
            value,
            round: Some(round),
            position: Some(position),
            at: Some(at.clone()),
            warmup,
        };
        self.total.push(sample(started.total_ms));
        self.engine.push(sample(started.engine_ms));
        self.app
            .push(sample((started.total_ms - started.engine_ms).max(0.0)));
        self.rtt.extend(started.rtt_ms.map(sample));
    }

    /// Write the timings into the variant's results: `first_start_ms` from the first
    /// start, the others over the rounds after the warm-up.
    pub(crate) fn record(&self, result: &mut VariantResult) {
        result.startup_ms = Timing::from_measured(self.total.clone());
        result.engine_start_ms = Timing::from_measured(self.engine.clone());
        result.app_ready_ms = Timing::from_measured(self.app.clone());
        result.connect_rtt_ms = Timing::from_measured(self.rtt.clone());
        result.first_start_ms = self.total.first().and_then(|first| {
            Timing::from_measured(vec![Sample {
                warmup: false,
                ..first.clone()
            }])
        });
    }
}

/// Create and start one fresh container and wait for its first 200: the timings of
/// the start and the container, still running (the caller removes it).
pub(crate) async fn start(
    bench: &Bench<'_>,
    variant: &Variant,
    image_id: &str,
    name: &str,
    created: &mut Created,
) -> Result<Started, Stop> {
    let engine = bench.engine;
    let spec = ContainerSpec {
        image: image_id.to_string(),
        name: format!("basebench-{}-{}-{name}", bench.run_id, variant.name),
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
    // The start call returns once the engine runs the container's process (Docker and
    // Podman answer the start request after the runtime started it): the engine's part.
    let engine_part = since.elapsed();
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
    let addr = SocketAddr::from((engine.published_ip(), port));
    let deadline = since + bench.config.health_timeout;
    tokio::select! {
        healthy = probe::wait_for_200(addr, &variant.health, since, deadline) => match healthy {
            Ok(took) => Ok(Started {
                id,
                addr,
                engine_ms: engine_part.as_secs_f64() * 1000.0,
                total_ms: took.as_secs_f64() * 1000.0,
                rtt_ms: probe::connect_rtt_ms(addr).await,
            }),
            Err(seen) => {
                let within = bench.config.health_timeout.as_secs_f64();
                let message = if matches!(seen, probe::Seen::Closed | probe::Seen::Refused) {
                    // Docker's proxy accepts on the host port and closes when nothing
                    // listens on the container's: the app is not on `port`.
                    let exposed = engine
                        .image_info(image_id)
                        .await
                        .ok()
                        .flatten()
                        .map(|i| i.exposed_ports)
                        .unwrap_or_default();
                    not_listening(variant, within, &seen, &exposed)
                } else {
                    format!(
                        "never answered HTTP 200 on {} within {within:.0} s ({seen})",
                        variant.health
                    )
                };
                Err(health_failure(engine, &id, FailurePhase::Health, message).await)
            }
        },
        status = wait_for_exit(engine, &id) => {
            Err(health_failure(engine, &id, FailurePhase::Health, exit_message(&status, &variant.health)).await)
        }
    }
}

/// The failure of a container on whose port nothing answered: the app listens on
/// another port, or not yet (`exposed`: the image's `EXPOSE`).
fn not_listening(variant: &Variant, within: f64, seen: &probe::Seen, exposed: &[String]) -> String {
    let hint = if exposed.is_empty() {
        "does the app listen on another port? Set `port` (--port) to it".to_string()
    } else {
        format!(
            "the image exposes {}: set `port` (--port) to the app's port",
            exposed.join(", ")
        )
    };
    format!(
        "nothing answered on port {} within {within:.0} s ({seen}); {hint}",
        variant.port
    )
}

pub(crate) fn exit_message(status: &ContainerStatus, health: &str) -> String {
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
