//! The statistics of a run, computed from its raw samples and its seed: each timing's
//! 95 % interval and outlier count, the reference variant, and every working variant's
//! timings against the reference's (`vs_reference`). Pure and deterministic: the same
//! samples and seed always give the same figures, so a report can be checked from its
//! `results.json`. The orchestrator runs it after every step that adds samples; the
//! matrix and every report only read what it wrote.

use std::collections::HashMap;

use super::{RunResults, VariantResult};
use crate::stats::bootstrap::{self, stream_seed};
use crate::stats::{Timing, compare, outliers};

/// Timings with an interval, as `results.json` names them.
pub(crate) const TIMINGS: [&str; 9] = [
    "startup_ms",
    "engine_start_ms",
    "app_ready_ms",
    "first_start_ms",
    "build_cold_s",
    "build_cached_s",
    "build_incremental_s",
    "latency_p50_ms",
    "pull_s",
];

/// A variant's timing by its key, when measured (latency is not a [`Timing`]).
pub(crate) fn timing<'a>(v: &'a VariantResult, key: &str) -> Option<&'a Timing> {
    let build = v.build.as_ref();
    match key {
        "startup_ms" => v.startup_ms.as_ref(),
        "engine_start_ms" => v.engine_start_ms.as_ref(),
        "app_ready_ms" => v.app_ready_ms.as_ref(),
        "first_start_ms" => v.first_start_ms.as_ref(),
        "build_cold_s" => build.map(|b| &b.cold_s),
        "build_cached_s" => build.and_then(|b| b.cached_s.as_ref()),
        "build_incremental_s" => build.and_then(|b| b.incremental_s.as_ref()),
        "pull_s" => v.image.as_ref().and_then(|i| i.pull.as_ref()),
        _ => None,
    }
}

fn timing_mut<'a>(v: &'a mut VariantResult, key: &str) -> Option<&'a mut Timing> {
    let build = v.build.as_mut();
    match key {
        "startup_ms" => v.startup_ms.as_mut(),
        "engine_start_ms" => v.engine_start_ms.as_mut(),
        "app_ready_ms" => v.app_ready_ms.as_mut(),
        "first_start_ms" => v.first_start_ms.as_mut(),
        "build_cold_s" => build.map(|b| &mut b.cold_s),
        "build_cached_s" => build.and_then(|b| b.cached_s.as_mut()),
        "build_incremental_s" => build.and_then(|b| b.incremental_s.as_mut()),
        "pull_s" => v.image.as_mut().and_then(|i| i.pull.as_mut()),
        _ => None,
    }
}

/// The measured values of a timing (warm-up left out).
pub(crate) fn values(v: &VariantResult, key: &str) -> Vec<f64> {
    if key == "latency_p50_ms" {
        return v
            .latency_ms
            .as_ref()
            .map(|l| l.samples.iter().map(|s| s.value).collect())
            .unwrap_or_default();
    }
    timing(v, key).map(Timing::values).unwrap_or_default()
}

fn set_interval(v: &mut VariantResult, key: &str, ci95: Option<[f64; 2]>, outliers: u32) {
    if key == "latency_p50_ms" {
        if let Some(l) = v.latency_ms.as_mut() {
            l.ci95 = ci95;
        }
    } else if let Some(t) = timing_mut(v, key) {
        t.ci95 = ci95;
        t.outliers = Some(outliers);
    }
}

/// The reference: `requested` when it names a variant that works, else the smallest
/// working variant (config order breaks ties). `None` when none works.
pub(crate) fn pick_reference<'a>(
    variants: &'a [VariantResult],
    requested: Option<&str>,
) -> Option<&'a VariantResult> {
    let working = || variants.iter().filter(|v| v.works);
    if let Some(found) = requested.and_then(|name| working().find(|v| v.name == name)) {
        return Some(found);
    }
    working()
        .filter_map(|v| v.image.as_ref().map(|i| (v, i.size_bytes)))
        .min_by_key(|(_, size)| *size)
        .map(|(v, _)| v)
}

/// Bootstrap distributions of the medians, by (variant index, timing key).
type Distributions = HashMap<(usize, &'static str), (Vec<f64>, Vec<f64>)>;

/// Fill every interval, outlier count, the reference and each `vs_reference` of `results`
/// from its raw samples and seed (what `basebench run` does after every step).
pub fn annotate(results: &mut RunResults) {
    let seed = results.seed.unwrap_or(0);
    let noise = results.settings.noise;
    let mut distributions: Distributions = HashMap::new();
    for (index, v) in results.variants.iter_mut().enumerate() {
        for key in TIMINGS {
            let values = values(v, key);
            if values.is_empty() {
                continue;
            }
            let stream = stream_seed(seed, &format!("{}/{key}", v.name));
            let (medians, ci95) = bootstrap::median_distribution(&values, stream);
            set_interval(v, key, ci95, outliers::count(&values));
            distributions.insert((index, key), (values, medians));
        }
    }
    let reference = pick_reference(&results.variants, results.settings.reference.as_deref())
        .map(|r| r.name.clone());
    let reference_index = reference
        .as_ref()
        .and_then(|name| results.variants.iter().position(|v| &v.name == name));
    for (index, v) in results.variants.iter_mut().enumerate() {
        v.vs_reference.clear();
        let Some(r) = reference_index.filter(|&r| r != index && v.works) else {
            continue;
        };
        for key in TIMINGS.iter().filter(|k| **k != "first_start_ms") {
            let (Some((values, dist)), Some((ref_values, ref_dist))) = (
                distributions.get(&(index, key)),
                distributions.get(&(r, key)),
            ) else {
                continue;
            };
            if values.len() < 2 || ref_values.len() < 2 {
                continue;
            }
            if let Some(c) = compare::compare(values, dist, ref_values, ref_dist, noise) {
                v.vs_reference.insert(key.to_string(), c);
            }
        }
    }
    results.reference = reference;
}

#[cfg(test)]
mod tests;
