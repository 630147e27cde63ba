//! Outliers by modified Z-score (Iglewicz and Hoaglin; hyperfine's
//! `outlier_detection.rs`): `0.6745 · (x − median) / MAD`, where MAD is the median of the
//! absolute deviations from the median. A sample scoring above [`THRESHOLD`] in absolute
//! value is an outlier: counted and warned about, never dropped from the statistics.

use super::median;

/// Absolute modified Z-score above which a sample is an outlier.
pub(crate) const THRESHOLD: f64 = 3.5;

/// The modified Z-score of every value, in the given order. When the MAD is 0 (more
/// than half the values are equal) every score is 0: no spread is known to judge by.
pub(crate) fn modified_z_scores(values: &[f64]) -> Vec<f64> {
    let center = median(&mut values.to_vec());
    let mut deviations: Vec<f64> = values.iter().map(|v| (v - center).abs()).collect();
    let mad = median(&mut deviations);
    values
        .iter()
        .map(|v| {
            if mad > 0.0 {
                0.6745 * (v - center) / mad
            } else {
                0.0
            }
        })
        .collect()
}

/// How many of `values` are outliers.
pub(crate) fn count(values: &[f64]) -> u32 {
    modified_z_scores(values)
        .iter()
        .filter(|z| z.abs() > THRESHOLD)
        .count() as u32
}

/// True when `value`, scored against `values`, is an outlier (e.g. the first start
/// judged against the later rounds).
pub(crate) fn is_outlier_among(value: f64, values: &[f64]) -> bool {
    if values.len() < 3 {
        return false;
    }
    let center = median(&mut values.to_vec());
    let mut deviations: Vec<f64> = values.iter().map(|v| (v - center).abs()).collect();
    let mad = median(&mut deviations);
    mad > 0.0 && (0.6745 * (value - center) / mad).abs() > THRESHOLD
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_far_value_is_an_outlier_and_the_rest_are_not() {
        // median 10.5; deviations 1.5 0.5 0.5 0.5 0.5 89.5 → MAD 0.5;
        // 100 scores 0.6745 · 89.5 / 0.5 = 120.7, 9 scores −2.0.
        let values = [9.0, 10.0, 10.0, 11.0, 11.0, 100.0];
        let z = modified_z_scores(&values);
        assert!((z[5] - 0.6745 * 89.5 / 0.5).abs() < 1e-9, "{z:?}");
        assert!((z[0] + 0.6745 * 1.5 / 0.5).abs() < 1e-9, "{z:?}");
        assert_eq!(count(&values), 1);
        assert!(is_outlier_among(100.0, &values[..5]));
        assert!(!is_outlier_among(10.5, &values[..5]));
    }

    #[test]
    fn no_spread_flags_nothing() {
        assert_eq!(count(&[5.0, 5.0, 5.0, 7.0]), 0);
        assert_eq!(modified_z_scores(&[]), Vec::<f64>::new());
    }
}
