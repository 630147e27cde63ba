//! A distribution-free confidence interval for a median: the order statistics whose
//! ranks the binomial distribution B(n, 1/2) puts around it (no assumption about the
//! shape of the ratios' distribution, exact coverage of at least the level asked).

/// The `(low, high)` interval around the median of `samples` with coverage at least
/// `level` (e.g. 0.95); `None` when there are too few samples for that level.
pub(crate) fn median_interval(samples: &[f64], level: f64) -> Option<(f64, f64)> {
    let n = samples.len();
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let tail = (1.0 - level) / 2.0;
    // Largest k with P(B <= k - 1) <= tail: the interval is [x(k), x(n + 1 - k)] (1-based).
    let mut cumulative = 0.0;
    let mut k = 0;
    for i in 0..n {
        cumulative += binomial_half(n, i);
        if cumulative > tail {
            break;
        }
        k = i + 1;
    }
    (k >= 1).then(|| (sorted[k - 1], sorted[n - k]))
}

/// P(B = i) for B ~ Binomial(n, 1/2).
fn binomial_half(n: usize, i: usize) -> f64 {
    let mut choose = 1.0_f64;
    for j in 0..i {
        choose = choose * (n - j) as f64 / (j + 1) as f64;
    }
    choose * 0.5_f64.powi(n as i32)
}

/// Check the ranks against values worked out by hand (the bench has no test harness, so
/// it runs this before measuring): for 10 samples P(B <= 1) = 11/1024 <= 0.025 <
/// P(B <= 2) = 56/1024, so the 95 % interval is [x(2), x(9)]; six samples are the fewest
/// for 95 % (P(B = 0) = 1/64).
pub(crate) fn self_check() {
    let ten: Vec<f64> = (1..=10).rev().map(f64::from).collect();
    assert_eq!(median_interval(&ten, 0.95), Some((2.0, 9.0)));
    assert_eq!(
        median_interval(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 0.95),
        Some((1.0, 6.0))
    );
    assert_eq!(median_interval(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.95), None);
}
