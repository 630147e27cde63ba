//! Is one variant faster than another? The ratio of their medians (`variant ÷ reference`:
//! below 1 is faster), its 95 % bootstrap interval, a Mann–Whitney p-value, and the
//! verdict: faster or slower only when the whole interval lies outside `1 ± noise`
//! (criterion.rs's rule), otherwise no clear difference.

use serde::{Deserialize, Serialize};

use super::{bootstrap, mann_whitney, median};

/// What the interval of a ratio says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The whole interval lies below `1 − noise`.
    Faster,
    /// The whole interval lies above `1 + noise`.
    Slower,
    /// The interval reaches into `1 ± noise`: the difference may be noise.
    NoClearDifference,
}

impl Verdict {
    /// The words reports use.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Verdict::Faster => "faster",
            Verdict::Slower => "slower",
            Verdict::NoClearDifference => "no clear difference",
        }
    }
}

/// One timing of a variant against the same timing of another.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// median(variant) ÷ median(other); below 1 is faster.
    pub ratio: f64,
    /// 95 % percentile-bootstrap interval of the ratio, `[lo, hi]`.
    pub ci95: [f64; 2],
    /// Two-sided Mann–Whitney U p-value; `None` when either side has a single sample.
    pub p_value: Option<f64>,
    /// The verdict against `1 ± noise`.
    pub verdict: Verdict,
}

impl Comparison {
    /// True when more samples would not change the verdict's meaning: the interval lies
    /// wholly outside `1 ± noise` (a difference) or wholly inside it (no difference worth
    /// naming).
    pub(crate) fn settled(&self, noise: f64) -> bool {
        let [lo, hi] = self.ci95;
        self.verdict != Verdict::NoClearDifference || (lo >= 1.0 - noise && hi <= 1.0 + noise)
    }
}

/// The verdict of a ratio interval against `1 ± noise`.
pub(crate) fn verdict([lo, hi]: [f64; 2], noise: f64) -> Verdict {
    if hi < 1.0 - noise {
        Verdict::Faster
    } else if lo > 1.0 + noise {
        Verdict::Slower
    } else {
        Verdict::NoClearDifference
    }
}

/// Compare the values of a variant with the values of another, given each one's
/// bootstrap distribution of the median (from [`bootstrap::medians`], same resample
/// count). `None` when either side is empty or the other's median is not positive.
pub(crate) fn compare(
    values: &[f64],
    distribution: &[f64],
    other_values: &[f64],
    other_distribution: &[f64],
    noise: f64,
) -> Option<Comparison> {
    if values.is_empty() || other_values.is_empty() {
        return None;
    }
    let other_median = median(&mut other_values.to_vec());
    if other_median <= 0.0 {
        return None;
    }
    let ratio = median(&mut values.to_vec()) / other_median;
    let [lo, hi] = bootstrap::ratio_interval(distribution, other_distribution)?;
    let ci95 = [lo.min(ratio), hi.max(ratio)];
    let p_value = (values.len() > 1 && other_values.len() > 1)
        .then(|| mann_whitney::test(values, other_values).map(|t| t.p_value))
        .flatten();
    Some(Comparison {
        ratio,
        ci95,
        p_value,
        verdict: verdict(ci95, noise),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::bootstrap::{RESAMPLES, medians};

    fn compared(a: &[f64], b: &[f64], noise: f64) -> Comparison {
        let (da, db) = (medians(a, RESAMPLES, 1), medians(b, RESAMPLES, 2));
        compare(a, &da, b, &db, noise).expect("comparable")
    }

    #[test]
    fn a_clear_gap_is_a_verdict_and_overlap_is_not() {
        let fast: Vec<f64> = (0..12).map(|i| 300.0 + f64::from(i)).collect();
        let slow: Vec<f64> = (0..12).map(|i| 500.0 + f64::from(i)).collect();
        let c = compared(&slow, &fast, 0.05);
        assert_eq!(c.verdict, Verdict::Slower);
        assert!(c.ci95[0] > 1.05 && (c.ratio - 505.5 / 305.5).abs() < 1e-12);
        assert!(c.p_value.expect("p") < 1e-4);
        assert_eq!(compared(&fast, &slow, 0.05).verdict, Verdict::Faster);
        let near: Vec<f64> = fast.iter().map(|v| v + 3.0).collect();
        let c = compared(&near, &fast, 0.05);
        assert_eq!(c.verdict, Verdict::NoClearDifference);
        assert!(c.settled(0.05), "within ±5 %: {c:?}");
    }

    #[test]
    fn verdicts_sit_on_the_noise_band() {
        assert_eq!(verdict([0.90, 0.949], 0.05), Verdict::Faster);
        assert_eq!(verdict([0.90, 0.951], 0.05), Verdict::NoClearDifference);
        assert_eq!(verdict([1.051, 1.2], 0.05), Verdict::Slower);
        assert_eq!(verdict([1.049, 1.2], 0.05), Verdict::NoClearDifference);
        let wide = Comparison {
            ratio: 1.0,
            ci95: [0.8, 1.2],
            p_value: None,
            verdict: Verdict::NoClearDifference,
        };
        assert!(!wide.settled(0.05));
    }
}
