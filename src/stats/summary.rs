//! A timing summarised: median with min and max over the measured samples, the 95 %
//! interval of the median once [`crate::results::analysis`] has computed it, and every raw
//! sample with where it was measured (round, position in the round, time, warm-up).

use serde::{Deserialize, Deserializer, Serialize};

/// One measurement, with where in the plan it was taken.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Sample {
    /// The measured value, in the unit of the timing that holds it.
    pub value: f64,
    /// The round it was measured in (0-based); `None` outside a plan of rounds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub round: Option<u32>,
    /// Its position in the round's shuffled order (0-based).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<u32>,
    /// When it was taken (RFC 3339, UTC, milliseconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// True for a warm-up round's sample: kept, but left out of the statistics.
    #[serde(default)]
    pub warmup: bool,
}

impl Sample {
    /// A sample with no plan position (a single measurement, a test value).
    pub fn plain(value: f64) -> Sample {
        Sample {
            value,
            ..Sample::default()
        }
    }
}

/// Older files (schema 1) hold samples as bare numbers; newer ones as objects.
impl<'de> Deserialize<'de> for Sample {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Full {
            value: f64,
            #[serde(default)]
            round: Option<u32>,
            #[serde(default)]
            position: Option<u32>,
            #[serde(default)]
            at: Option<String>,
            #[serde(default)]
            warmup: bool,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Bare(f64),
            Full(Full),
        }
        Ok(match Raw::deserialize(d)? {
            Raw::Bare(value) => Sample::plain(value),
            Raw::Full(f) => Sample {
                value: f.value,
                round: f.round,
                position: f.position,
                at: f.at,
                warmup: f.warmup,
            },
        })
    }
}

/// Repeated measurements of one quantity, summarised. The unit is in the field name
/// that holds it (`cold_s`, `startup_ms`). `median`, `min`, `max` and `n` are over the
/// measured samples (warm-up samples are kept in `samples` but not counted).
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
    /// 95 % percentile-bootstrap interval of the median, `[lo, hi]`; absent in files
    /// written before intervals existed (schema 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci95: Option<[f64; 2]>,
    /// Samples whose modified Z-score exceeds 3.5 (counted, never dropped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outliers: Option<u32>,
    /// Every sample in the order measured, warm-up ones included and marked.
    #[serde(default)]
    pub samples: Vec<Sample>,
}

impl Timing {
    /// Summarise plain values (no plan positions); `None` when there are none or any is
    /// not finite.
    pub fn from_samples(samples: &[f64]) -> Option<Timing> {
        Timing::from_measured(samples.iter().copied().map(Sample::plain).collect())
    }

    /// Summarise samples: the figures are over the samples not marked warm-up. `None`
    /// when no such sample exists or any value is not finite.
    pub fn from_measured(samples: Vec<Sample>) -> Option<Timing> {
        if samples.iter().any(|s| !s.value.is_finite()) {
            return None;
        }
        let mut values: Vec<f64> = samples
            .iter()
            .filter(|s| !s.warmup)
            .map(|s| s.value)
            .collect();
        if values.is_empty() {
            return None;
        }
        let n = u32::try_from(values.len()).unwrap_or(u32::MAX);
        let median = median(&mut values);
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Some(Timing {
            median,
            min,
            max,
            n,
            ci95: None,
            outliers: None,
            samples,
        })
    }

    /// The measured values (warm-up left out), in the order measured. A file written
    /// before raw samples were kept yields none.
    pub(crate) fn values(&self) -> Vec<f64> {
        self.samples
            .iter()
            .filter(|s| !s.warmup)
            .map(|s| s.value)
            .collect()
    }

    /// True when the raw samples are there to resample (files of schema 1 may carry the
    /// summary only).
    pub(crate) fn has_samples(&self) -> bool {
        self.samples.iter().filter(|s| !s.warmup).count() == self.n as usize && self.n > 0
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

    /// Half the interval's width relative to the median (`0.05` = ±5 %); `None` without
    /// an interval, for a single sample (its interval says nothing) or a zero median.
    pub(crate) fn relative_half_width(&self) -> Option<f64> {
        let [lo, hi] = self.ci95?;
        (self.median > 0.0 && self.n > 1).then(|| (hi - lo) / 2.0 / self.median)
    }
}

/// Median of `values` (mean of the two middle ones for an even count), by selection:
/// the slice is reordered. 0 for no values.
pub(crate) fn median(values: &mut [f64]) -> f64 {
    let n = values.len();
    if n == 0 {
        return 0.0;
    }
    let mid = n / 2;
    let (left, upper, _) = values.select_nth_unstable_by(mid, f64::total_cmp);
    let upper = *upper;
    if n % 2 == 1 {
        upper
    } else {
        let lower = left.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lower + upper) / 2.0
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
        assert_eq!(t.values(), vec![3.0, 1.0, 2.0]);
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
    fn warm_up_samples_are_kept_but_not_counted() {
        let mut first = Sample::plain(900.0);
        first.warmup = true;
        let samples = vec![first, Sample::plain(300.0), Sample::plain(310.0)];
        let t = Timing::from_measured(samples).expect("measured samples");
        assert_eq!((t.n, t.median, t.max), (2, 305.0, 310.0));
        assert_eq!(t.samples.len(), 3);
        assert!(t.has_samples());
        let only_warmup = Timing::from_measured(vec![Sample {
            warmup: true,
            ..Sample::plain(1.0)
        }]);
        assert_eq!(only_warmup, None);
    }

    #[test]
    fn bare_numbers_of_old_files_read_as_samples() {
        let t: Timing =
            serde_json::from_str(r#"{"median":2,"min":1,"max":3,"n":3,"samples":[1,2,3]}"#)
                .expect("schema 1 timing");
        assert_eq!(t.values(), vec![1.0, 2.0, 3.0]);
        assert_eq!(t.ci95, None);
        let summary_only: Timing =
            serde_json::from_str(r#"{"median":2,"min":1,"max":3,"n":3}"#).expect("no samples");
        assert!(!summary_only.has_samples());
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
