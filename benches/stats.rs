//! Benchmark: the statistics of a large run — 10 variants × 30 startup rounds (startup and
//! its engine/app parts, first start), 3 cached and 3 after-change builds and 200
//! latency requests each — computed as `basebench run` computes them after every round
//! (`results::annotate`: every interval by a 10,000-resample bootstrap, outliers, the
//! reference and each comparison with it). Goal: under 50 ms.
//!
//!     cargo bench --bench stats -- [ITERATIONS]

use std::time::Instant;

use basebench::results::{RunResults, VariantResult, annotate};
use basebench::stats::{Sample, Timing};

const VARIANTS: u32 = 10;
const ROUNDS: u32 = 30;

/// A deterministic sample sequence around `center` (a small linear congruential walk).
fn samples(center: f64, n: u32, spread: f64, seed: u32) -> Vec<Sample> {
    let mut x = seed.wrapping_mul(2_654_435_761).max(1);
    (0..n)
        .map(|round| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let noise = f64::from(x % 1000) / 1000.0 - 0.5;
            Sample {
                value: center * (1.0 + spread * noise),
                round: Some(round),
                position: Some(round % VARIANTS),
                at: Some("2026-12-02T00:00:00.000Z".into()),
                warmup: round == 0 && n > 1,
            }
        })
        .collect()
}

fn timing(center: f64, n: u32, seed: u32) -> Option<Timing> {
    Timing::from_measured(samples(center, n, 0.1, seed))
}

fn variant(i: u32) -> VariantResult {
    let center = 300.0 + 15.0 * f64::from(i);
    let json = |t: Option<Timing>| serde_json::to_value(t).expect("a timing as JSON");
    let row = serde_json::json!({
        "name": format!("v{i}"), "dockerfile": format!("Dockerfile.v{i}"), "works": true,
        "failure": null, "failure_detail": null, "bases": [],
        "image": {"id": "sha256:x", "tag": "t", "size_bytes": 100_000_000 + i, "layers": 3,
                  "base_size_bytes": null, "added_bytes": null, "config_user": "", "history": []},
        "build": {"builder": "buildkit", "cold_s": json(timing(30.0, 1, i + 40)),
                  "cached_s": json(timing(0.5, 3, i + 50)),
                  "incremental_s": json(timing(2.0, 3, i + 60)), "changed_file": "app.py",
                  "steps_total": 5, "cached_rebuild_steps_run": 0, "incremental_steps_run": 1,
                  "context_bytes": 100},
        "startup_ms": json(timing(center, ROUNDS, i)),
        "engine_start_ms": json(timing(center * 0.6, ROUNDS, i + 10)),
        "app_ready_ms": json(timing(center * 0.4, ROUNDS, i + 20)),
        "first_start_ms": json(timing(center * 1.5, 1, i + 30)),
        "latency_ms": {"p50": 1.5, "p95": 2.0, "p99": 3.0, "n": 200, "concurrent_rps": null,
                       "concurrency": 0, "errors": 0,
                       "samples": samples(1.5, 200, 0.3, i + 100)},
        "memory_bytes": null, "smoke": [], "anatomy": null, "warnings": []
    });
    serde_json::from_value(row).expect("a variant row")
}

fn main() {
    let iterations: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(20);
    let mut results: RunResults =
        serde_json::from_str(include_str!("../tests/fixtures/results/article-v2.json"))
            .expect("fixture");
    results.variants = (0..VARIANTS).map(variant).collect();
    let mut times: Vec<f64> = Vec::new();
    for _ in 0..iterations {
        let mut run = results.clone();
        let start = Instant::now();
        annotate(&mut run);
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(
            run.variants[9].vs_reference.len(),
            6,
            "every timing compared"
        );
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!(
        "statistics of {VARIANTS} variants × {ROUNDS} rounds: median {median:.1} ms over \
         {iterations} runs (min {:.1}, max {:.1}); goal < 50 ms: {}",
        times[0],
        times[times.len() - 1],
        if median < 50.0 { "met" } else { "NOT met" }
    );
}
