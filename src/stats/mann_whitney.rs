//! The two-sided Mann–Whitney U test, computed as `scipy.stats.mannwhitneyu` does with its
//! defaults (`use_continuity=True`, `alternative='two-sided'`, `method='auto'`): the exact
//! distribution of U when one sample has at most 8 values and there are no ties, else the
//! normal approximation with the tie correction and the continuity correction.

use statrs::distribution::{ContinuousCDF, Normal};

/// The statistic and p-value of one test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct MannWhitney {
    /// U of the first sample (scipy's `statistic`).
    pub(crate) u1: f64,
    /// Two-sided p-value.
    pub(crate) p_value: f64,
    /// True when the exact distribution was used.
    pub(crate) exact: bool,
}

/// Largest sample size for which the exact distribution is used (scipy: 8).
const EXACT_MAX: usize = 8;

/// Test whether `x` and `y` come from the same distribution. `None` when either is empty
/// or holds a value that is not finite.
pub(crate) fn test(x: &[f64], y: &[f64]) -> Option<MannWhitney> {
    let (n1, n2) = (x.len(), y.len());
    if n1 == 0 || n2 == 0 || x.iter().chain(y).any(|v| !v.is_finite()) {
        return None;
    }
    let (ranks, ties) = ranks(x, y);
    let r1: f64 = ranks[..n1].iter().sum();
    let (f1, f2) = (n1 as f64, n2 as f64);
    let u1 = r1 - f1 * (f1 + 1.0) / 2.0;
    let u = u1.max(f1 * f2 - u1);
    let has_ties = ties.iter().any(|&t| t > 1.0);
    let exact = (n1 <= EXACT_MAX || n2 <= EXACT_MAX) && !has_ties;
    let one_sided = if exact {
        exact_sf(u.round() as usize, n1, n2)
    } else {
        normal_sf(u, f1, f2, &ties)
    };
    Some(MannWhitney {
        u1,
        p_value: (2.0 * one_sided).clamp(0.0, 1.0),
        exact,
    })
}

/// Average ranks (1-based) of `x` followed by `y`, and the size of every group of equal
/// values.
fn ranks(x: &[f64], y: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let values: Vec<f64> = x.iter().chain(y).copied().collect();
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut ties = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        let average = (start + end + 1) as f64 / 2.0;
        for &i in &order[start..end] {
            ranks[i] = average;
        }
        ties.push((end - start) as f64);
        start = end;
    }
    (ranks, ties)
}

/// P(U >= u) under the null hypothesis, from the exact distribution of U: the
/// coefficients of the Gaussian binomial [n1+n2 choose n1] in q count the arrangements
/// with each U.
fn exact_sf(u: usize, n1: usize, n2: usize) -> f64 {
    let (m, n) = (n1.min(n2), n1.max(n2));
    let max_u = m * n;
    let mut counts = vec![0.0f64; max_u + 1];
    counts[0] = 1.0;
    for i in 1..=m {
        // Multiply by (1 - q^(n+i)), then divide by (1 - q^i).
        let shift = n + i;
        for k in (shift..=max_u).rev() {
            counts[k] -= counts[k - shift];
        }
        for k in i..=max_u {
            counts[k] += counts[k - i];
        }
    }
    let total: f64 = counts.iter().sum();
    // Sum the smaller tail for precision; U is symmetric around m·n/2.
    if u > max_u / 2 {
        counts[u.min(max_u)..].iter().sum::<f64>() / total
    } else {
        1.0 - counts[..u].iter().sum::<f64>() / total
    }
}

/// P(Z >= z) for the tie-corrected, continuity-corrected standardised U.
fn normal_sf(u: f64, n1: f64, n2: f64, ties: &[f64]) -> f64 {
    let n = n1 + n2;
    let tie_term: f64 = ties.iter().map(|t| t * t * t - t).sum();
    let s = (n1 * n2 / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)))).sqrt();
    let z = (u - n1 * n2 / 2.0 - 0.5) / s;
    if !z.is_finite() {
        // Every value equal: no evidence of a difference.
        return 0.5;
    }
    match Normal::new(0.0, 1.0) {
        Ok(normal) => normal.sf(z),
        Err(_) => 0.5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exact_distribution_of_small_samples_adds_up() {
        // n1 = n2 = 2: U takes 0, 1, 2, 2, 3, 4 over the 6 arrangements.
        assert!((exact_sf(4, 2, 2) - 1.0 / 6.0).abs() < 1e-12);
        assert!((exact_sf(3, 2, 2) - 2.0 / 6.0).abs() < 1e-12);
        assert!((exact_sf(2, 2, 2) - 4.0 / 6.0).abs() < 1e-12);
        assert!((exact_sf(0, 2, 2) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn identical_samples_are_not_different() {
        let same = [5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0];
        let t = test(&same, &same).expect("test");
        assert_eq!(t.p_value, 1.0);
        assert!(test(&[], &same).is_none());
    }
}
