//! The bootstrap's invariants (proptest) and its coverage on samples of a known median.

use proptest::prelude::*;
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};

use super::*;

fn samples() -> impl Strategy<Value = Vec<f64>> {
    proptest::collection::vec(1.0f64..2000.0, 1..40)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn the_interval_contains_the_median(values in samples(), seed in any::<u64>()) {
        let [lo, hi] = median_interval(&values, seed).expect("interval");
        let median = crate::stats::median(&mut values.clone());
        prop_assert!(lo <= median && median <= hi, "{lo} <= {median} <= {hi}");
    }

    #[test]
    fn the_order_of_the_samples_does_not_matter(values in samples(), seed in any::<u64>()) {
        let mut reversed = values.clone();
        reversed.reverse();
        let mut rotated = values.clone();
        rotated.rotate_left(values.len() / 2);
        let a = median_interval(&values, seed);
        prop_assert_eq!(a, median_interval(&reversed, seed));
        prop_assert_eq!(a, median_interval(&rotated, seed));
    }

    #[test]
    fn a_constant_sample_has_a_zero_width_interval(value in 0.0f64..5000.0, n in 1usize..30) {
        prop_assert_eq!(median_interval(&vec![value; n], 3), Some([value, value]));
    }
}

#[test]
fn the_same_seed_gives_the_same_interval_and_another_seed_a_close_one() {
    let values: Vec<f64> = (0..25).map(|i| 300.0 + f64::from(i * i % 17)).collect();
    let a = median_interval(&values, 42).expect("interval");
    assert_eq!(Some(a), median_interval(&values, 42));
    let b = median_interval(&values, 43).expect("interval");
    assert!(
        (a[0] - b[0]).abs() <= 1.0 && (a[1] - b[1]).abs() <= 1.0,
        "{a:?} {b:?}"
    );
    assert_ne!(
        stream_seed(1, "slim/startup_ms"),
        stream_seed(1, "slim/engine_start_ms")
    );
    assert_ne!(
        stream_seed(1, "slim/startup_ms"),
        stream_seed(2, "slim/startup_ms")
    );
}

/// Over many samples of n = 30 from a distribution whose median is known, the 95 %
/// interval should contain it about 95 % of the time (the percentile bootstrap of a
/// median runs close to nominal at this size).
#[test]
fn intervals_cover_the_true_median_about_95_percent_of_the_time() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
    let trials = 300;
    let true_median = 330.0;
    let mut covered = 0;
    for trial in 0..trials {
        // Exponential around the median: 330 + Exp(mean 40) − 40·ln 2 has median 330.
        let values: Vec<f64> = (0..30)
            .map(|_| {
                let u: f64 = rng.random_range(f64::EPSILON..1.0);
                true_median - 40.0 * u.ln() - 40.0 * std::f64::consts::LN_2
            })
            .collect();
        let mut distribution = medians(&values, 2000, trial);
        let [lo, hi] = interval(&mut distribution, 0.95).expect("interval");
        if lo <= true_median && true_median <= hi {
            covered += 1;
        }
    }
    let coverage = f64::from(covered) / f64::from(trials as u32);
    assert!(
        (0.90..=0.99).contains(&coverage),
        "coverage {coverage:.3} over {trials} trials"
    );
}

#[test]
fn percentiles_by_selection_match_the_sorted_ones() {
    let mut values: Vec<f64> = (0..101).map(|i| f64::from((i * 37) % 101)).collect();
    let mut sorted = values.clone();
    sorted.sort_by(f64::total_cmp);
    for p in [0.0, 2.5, 50.0, 97.5, 100.0] {
        assert_eq!(
            percentile_selected(&mut values, p),
            percentile_sorted(&sorted, p)
        );
    }
}
