//! Statistics over raw samples, pure functions only (no I/O, no clock): what a timing's
//! median, spread and 95 % interval are, which samples are outliers, and whether one
//! variant is really faster than another.
//!
//! - [`summary`]: [`Timing`] (median, min, max, n, interval, the raw [`Sample`]s) and
//!   percentiles;
//! - [`bootstrap`]: seeded percentile-bootstrap distributions of a median and intervals
//!   from them (a report is reproducible from the seed in its `results.json`);
//! - [`mann_whitney`]: the two-sided Mann–Whitney U test, as `scipy.stats.mannwhitneyu`;
//! - [`outliers`]: modified Z-scores (median/MAD), counted, never dropped;
//! - [`compare`]: the ratio of two medians with its interval, a p-value and the verdict
//!   (faster / slower only when the interval lies wholly outside 1 ± noise).
//!
//! docs/METHODOLOGY.md explains the choices.

pub(crate) mod bootstrap;
pub(crate) mod compare;
pub(crate) mod mann_whitney;
pub(crate) mod outliers;
pub mod summary;

pub use compare::{Comparison, Verdict};
pub use summary::{Sample, Timing};
pub(crate) use summary::{median, percentile_sorted};

#[cfg(test)]
mod fixtures;
