//! Summary statistics over repeated measurements: median with min and max, percentiles.

use serde::{Deserialize, Serialize};

/// Repeated measurements of one quantity, summarised. The unit is in the field name
/// that holds it (`cold_s`, `startup_ms`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Timing {
    /// Median of the samples (mean of the two middle ones for an even count).
    pub median: f64,
    /// Smallest sample.
    pub min: f64,
    /// Largest sample.
    pub max: f64,
    /// Number of samples; 1 means a single run.
    pub n: u32,
    /// Every sample in the order measured.
    pub(crate) samples: Vec<f64>,
}

impl Timing {
    /// Summarise samples; `None` when there are none or any is not finite.
    pub fn from_samples(samples: &[f64]) -> Option<Timing> {
        if samples.is_empty() || samples.iter().any(|s| !s.is_finite()) {
            return None;
        }
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        Some(Timing {
            median: percentile_sorted(&sorted, 50.0),
            min: sorted[0],
            max: sorted[sorted.len() - 1],
            n: u32::try_from(samples.len()).unwrap_or(u32::MAX),
            samples: samples.to_vec(),
        })
    }

    /// True when the figure came from one sample only.
    pub(crate) fn is_single_run(&self) -> bool {
        self.n <= 1
    }

    /// (max - min) / median; 0 for a single run or a zero median.
    pub(crate) fn relative_spread(&self) -> f64 {
        if self.n <= 1 || self.median == 0.0 {
            0.0
        } else {
            (self.max - self.min) / self.median
        }
    }
}

/// Percentile `p` (0–100) of already sorted samples, by linear interpolation between
/// closest ranks (the method numpy calls `linear`). Returns 0 for no samples.
pub(crate) fn percentile_sorted(sorted: &[f64], p: f64) -> f64 {
    match sorted.len() {
        0 => 0.0,
        1 => sorted[0],
        len => {
            let rank = (p.clamp(0.0, 100.0) / 100.0) * (len - 1) as f64;
            let lower = rank.floor() as usize;
            let upper = rank.ceil() as usize;
            let weight = rank - lower as f64;
            sorted[lower] + (sorted[upper] - sorted[lower]) * weight
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_count_is_the_middle_sample() {
        let t = Timing::from_samples(&[3.0, 1.0, 2.0]).expect("samples");
        assert_eq!((t.median, t.min, t.max, t.n), (2.0, 1.0, 3.0, 3));
        assert_eq!(t.samples, vec![3.0, 1.0, 2.0]);
    }

    #[test]
    fn median_of_even_count_is_the_mean_of_the_middle_two() {
        let t = Timing::from_samples(&[4.0, 1.0, 2.0, 3.0]).expect("samples");
        assert_eq!(t.median, 2.5);
    }

    #[test]
    fn no_samples_or_nan_give_no_timing() {
        assert_eq!(Timing::from_samples(&[]), None);
        assert_eq!(Timing::from_samples(&[1.0, f64::NAN]), None);
    }

    #[test]
    fn single_run_is_labelled_and_has_no_spread() {
        let t = Timing::from_samples(&[5.0]).expect("samples");
        assert!(t.is_single_run());
        assert_eq!(t.relative_spread(), 0.0);
    }

    #[test]
    fn percentiles_interpolate_between_ranks() {
        let samples: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile_sorted(&samples, 50.0), 50.5);
        assert!((percentile_sorted(&samples, 95.0) - 95.05).abs() < 1e-9);
        assert!((percentile_sorted(&samples, 99.0) - 99.01).abs() < 1e-9);
        assert_eq!(percentile_sorted(&samples, 100.0), 100.0);
        assert_eq!(percentile_sorted(&[], 50.0), 0.0);
    }
}
