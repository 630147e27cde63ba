//! The load phase on one healthy container per working variant: idle memory, sequential
//! latency in shuffled rounds (each round times a share of the requests on every
//! variant, so drift spreads over all of them), then the bounded concurrent load with
//! peak memory, then the smoke commands.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use super::warnings::Warning;
use super::{Bench, Stop};
use crate::config::Variant;
use crate::engine::Engine;
use crate::probe;
use crate::results::{FailureDetail, FailurePhase, Latency, Memory, SmokeResult, VariantResult};
use crate::stats::{Sample, percentile_sorted};

/// How long containers settle after their first 200 before idle memory is read.
pub(crate) const IDLE_SETTLE: Duration = Duration::from_secs(1);
/// Rounds the sequential latency requests are spread over.
pub(crate) const LATENCY_ROUNDS: u32 = 5;
/// Longest a smoke command may run.
const SMOKE_TIMEOUT: Duration = Duration::from_secs(300);
/// Per-request timeout in the latency phases.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Upper bound on requests in the load phase.
const MAX_LOAD_REQUESTS: u32 = 20_000;

/// A working variant's healthy container and its latency samples so far.
#[derive(Debug, Clone)]
pub(crate) struct Loaded {
    /// The container.
    pub(crate) id: String,
    /// Its published address.
    pub(crate) addr: SocketAddr,
    /// Memory after settling.
    pub(crate) idle: u64,
    /// Sequential request times, in milliseconds.
    pub(crate) samples: Vec<Sample>,
    /// Requests that did not answer 200.
    pub(crate) errors: u32,
    /// Requests sent in the latency rounds and the load (health polls not counted).
    pub(crate) requests: u32,
}

/// Memory in use now, as a measuring failure when the engine cannot say.
pub(crate) async fn memory(engine: &dyn Engine, id: &str) -> Result<u64, Stop> {
    engine
        .memory_usage(id)
        .await
        .map_err(|e| Stop::new(FailurePhase::Measure, format!("reading memory: {e}")))
}

/// The requests latency round `round` times on each variant: an even share of
/// `latency_requests`, the first rounds taking the remainder.
pub(crate) fn share(total: u32, round: u32) -> u32 {
    total / LATENCY_ROUNDS + u32::from(round < total % LATENCY_ROUNDS)
}

/// Time `count` sequential requests on `loaded` as samples of `round` at `position`.
pub(crate) async fn latency_share(
    loaded: &mut Loaded,
    path: &str,
    count: u32,
    (round, position): (u32, u32),
) {
    let seq = probe::sequential(loaded.addr, path, count, REQUEST_TIMEOUT).await;
    let at = super::now_millis();
    loaded.errors += seq.errors;
    loaded.requests += count;
    loaded
        .samples
        .extend(seq.samples_ms.into_iter().map(|value| Sample {
            value,
            round: Some(round),
            position: Some(position),
            at: Some(at.clone()),
            warmup: false,
        }));
}

/// The bounded concurrent load with peak memory sampled alongside; then the variant's
/// latency and memory figures.
pub(crate) async fn load(
    bench: &Bench<'_>,
    variant: &Variant,
    loaded: &mut Loaded,
    result: &mut VariantResult,
) {
    let (engine, config) = (bench.engine, bench.config);
    let (id, addr, path) = (loaded.id.as_str(), loaded.addr, &variant.latency_path);
    let peak = Arc::new(AtomicU64::new(loaded.idle));
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
            let (c, d) = (config.load_concurrency, config.load_duration);
            Some(probe::load(addr, path, c, d, MAX_LOAD_REQUESTS).await)
        };
        done.store(true, Ordering::Relaxed);
        outcome
    };
    let (load, ()) = tokio::join!(load, sampler);
    if let Some(l) = &load {
        loaded.errors += l.errors;
        loaded.requests += l.ok + l.errors;
    }
    let errors = loaded.errors;
    // Above the limit the variant fails instead ([`super::fitness`]).
    if errors > 0 && !super::fitness::too_many(errors, loaded.requests, config) {
        bench.warn(result, Warning::RequestErrors { count: errors });
    }
    let mut sorted: Vec<f64> = loaded.samples.iter().map(|s| s.value).collect();
    sorted.sort_by(f64::total_cmp);
    result.latency_ms = Some(Latency {
        p50: percentile_sorted(&sorted, 50.0),
        p95: percentile_sorted(&sorted, 95.0),
        p99: percentile_sorted(&sorted, 99.0),
        n: sorted.len() as u32,
        min: sorted.first().copied().unwrap_or_default(),
        max: sorted.last().copied().unwrap_or_default(),
        ci95: None,
        samples: loaded.samples.clone(),
        concurrent_rps: load.as_ref().map(probe::LoadResult::requests_per_second),
        concurrency: if load.is_some() {
            config.load_concurrency
        } else {
            0
        },
        load_connections: load.as_ref().map(|l| l.connections),
        errors,
    });
    result.memory_bytes = Some(Memory {
        idle: loaded.idle,
        peak: peak.load(Ordering::Relaxed),
    });
}

/// Run the variant's smoke commands in its container; the first that fails stops it.
pub(crate) async fn smoke(
    bench: &Bench<'_>,
    variant: &Variant,
    id: &str,
    result: &mut VariantResult,
) -> Result<(), Stop> {
    for command in &variant.smoke {
        result
            .smoke
            .push(run_smoke(bench.engine, id, command).await);
    }
    match result.smoke.iter().find(|s| !s.passed()) {
        Some(failed) => Err(smoke_failure(failed)),
        None => Ok(()),
    }
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
