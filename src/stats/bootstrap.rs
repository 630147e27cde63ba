//! The percentile bootstrap of a median: resample the measured values with replacement
//! [`RESAMPLES`] times, take each resample's median, and read the 2.5th and 97.5th
//! percentiles of those medians (`scipy.stats.bootstrap(method='percentile')` does the
//! same). The generator is seeded ([`stream_seed`] from the run's seed and what is
//! resampled), so the same `results.json` always gives the same intervals.
//!
//! A resample's median is found without sorting it: the values are sorted once, each
//! resample only counts how often it drew each index, and a walk over the counts finds
//! the middle rank (the same value a sort would give).

use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, SeedableRng};

use super::percentile_sorted;

/// Resamples per bootstrap distribution.
pub(crate) const RESAMPLES: usize = 10_000;

/// The seed of one resampling stream: the run's seed mixed with a key naming what is
/// resampled (`slim/startup_ms`), so every timing has its own reproducible stream.
pub(crate) fn stream_seed(seed: u64, key: &str) -> u64 {
    // FNV-1a over the key, then the splitmix64 finaliser over it and the seed.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in key.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut z = seed ^ hash;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The medians of `resamples` bootstrap resamples of `values`, drawn from `seed`. The
/// order of `values` does not matter. Empty for no values.
pub(crate) fn medians(values: &[f64], resamples: usize, seed: u64) -> Vec<f64> {
    let n = values.len();
    if n == 0 {
        return Vec::new();
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    if sorted[0] == sorted[n - 1] {
        return vec![sorted[0]; resamples];
    }
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut counts = vec![0u32; n];
    let (lower_rank, upper_rank) = ((n - 1) / 2, n / 2);
    let mut out = Vec::with_capacity(resamples);
    let draw = Uniform::new(n);
    for _ in 0..resamples {
        counts.fill(0);
        let mut left = n;
        while left >= 2 {
            let (a, b) = draw.pair(rng.next_u64());
            counts[a] += 1;
            counts[b] += 1;
            left -= 2;
        }
        if left == 1 {
            counts[draw.pair(rng.next_u64()).0] += 1;
        }
        out.push(middle(&sorted, &counts, lower_rank, upper_rank));
    }
    out
}

/// Uniform indices below `n`, two from each 64-bit draw (Lemire's multiply-shift on each
/// 32-bit half; the bias is below n / 2³², a billionth for the sample sizes used here).
struct Uniform {
    n: u64,
}

impl Uniform {
    fn new(n: usize) -> Uniform {
        Uniform { n: n as u64 }
    }

    fn pair(&self, bits: u64) -> (usize, usize) {
        let (hi, lo) = (bits >> 32, bits & 0xffff_ffff);
        (
            ((hi * self.n) >> 32) as usize,
            ((lo * self.n) >> 32) as usize,
        )
    }
}

/// The mean of the values at two ranks of a resample given by its draw counts.
fn middle(sorted: &[f64], counts: &[u32], lower_rank: usize, upper_rank: usize) -> f64 {
    let mut seen = 0usize;
    let mut lower = None;
    for (value, &count) in sorted.iter().zip(counts) {
        seen += count as usize;
        if lower.is_none() && seen > lower_rank {
            lower = Some(*value);
        }
        if seen > upper_rank {
            return (lower.unwrap_or(*value) + value) / 2.0;
        }
    }
    sorted[sorted.len() - 1]
}

/// The central `level` interval (0.95 → the 2.5th and 97.5th percentiles, interpolated
/// linearly as numpy does) of a bootstrap distribution; reorders `distribution`.
pub(crate) fn interval(distribution: &mut [f64], level: f64) -> Option<[f64; 2]> {
    if distribution.is_empty() || distribution.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let tail = (1.0 - level) / 2.0 * 100.0;
    Some([
        percentile_selected(distribution, tail),
        percentile_selected(distribution, 100.0 - tail),
    ])
}

/// [`percentile_sorted`] by selection, without sorting everything.
fn percentile_selected(values: &mut [f64], p: f64) -> f64 {
    let len = values.len();
    if len < 3 {
        values.sort_by(f64::total_cmp);
        return percentile_sorted(values, p);
    }
    let rank = (p.clamp(0.0, 100.0) / 100.0) * (len - 1) as f64;
    let lower = rank.floor() as usize;
    let weight = rank - lower as f64;
    let (_, at, right) = values.select_nth_unstable_by(lower, f64::total_cmp);
    let at = *at;
    let next = right.iter().copied().fold(f64::INFINITY, f64::min);
    if weight == 0.0 || !next.is_finite() {
        at
    } else {
        at + (next - at) * weight
    }
}

/// The 95 % percentile-bootstrap interval of the median of `values`, widened when needed
/// so that it contains the sample median (only a very small, lumpy sample can put both
/// percentiles on one side). `None` for no values.
#[cfg(test)]
pub(crate) fn median_interval(values: &[f64], seed: u64) -> Option<[f64; 2]> {
    median_distribution(values, seed).1
}

/// The bootstrap distribution of the median of `values` (in resample order, for
/// [`ratio_interval`]) and its 95 % interval as [`median_interval`] gives it.
pub(crate) fn median_distribution(values: &[f64], seed: u64) -> (Vec<f64>, Option<[f64; 2]>) {
    let distribution = medians(values, RESAMPLES, seed);
    let mut reordered = distribution.clone();
    let median = super::median(&mut values.to_vec());
    let ci = interval(&mut reordered, 0.95).map(|[lo, hi]| [lo.min(median), hi.max(median)]);
    (distribution, ci)
}

/// The 95 % interval of the ratio of two medians from their bootstrap distributions
/// (independent resamples of each group, paired by index).
pub(crate) fn ratio_interval(numerator: &[f64], denominator: &[f64]) -> Option<[f64; 2]> {
    let mut ratios: Vec<f64> = numerator
        .iter()
        .zip(denominator)
        .filter(|(_, d)| **d > 0.0)
        .map(|(n, d)| n / d)
        .collect();
    if ratios.len() < numerator.len().min(denominator.len()) {
        return None;
    }
    interval(&mut ratios, 0.95)
}

#[cfg(test)]
mod tests;
