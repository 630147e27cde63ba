//! The statistics against reference values computed independently with numpy and scipy
//! (`tests/fixtures/stats/make_fixtures.py` wrote `reference.json`).

use serde::Deserialize;

use super::{bootstrap, mann_whitney, median, outliers, percentile_sorted};

#[derive(Deserialize)]
struct Reference {
    mann_whitney: Vec<MwuCase>,
    summary: Vec<SummaryCase>,
    bootstrap_median: Vec<BootstrapCase>,
    bootstrap_ratio: Vec<RatioCase>,
}

#[derive(Deserialize)]
struct MwuCase {
    x: Vec<f64>,
    y: Vec<f64>,
    u1: f64,
    p_value: f64,
    exact: bool,
}

#[derive(Deserialize)]
struct SummaryCase {
    values: Vec<f64>,
    median: f64,
    percentiles: std::collections::BTreeMap<String, f64>,
    modified_z: Vec<f64>,
    outliers: u32,
}

#[derive(Deserialize)]
struct BootstrapCase {
    values: Vec<f64>,
    ci95: [f64; 2],
}

#[derive(Deserialize)]
struct RatioCase {
    x: Vec<f64>,
    y: Vec<f64>,
    ratio: f64,
    ci95: [f64; 2],
}

fn reference() -> Reference {
    serde_json::from_str(include_str!("../../tests/fixtures/stats/reference.json"))
        .expect("tests/fixtures/stats/reference.json parses")
}

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance * b.abs().max(1e-300)
}

#[test]
fn mann_whitney_matches_scipy_exact_and_asymptotic() {
    let cases = reference().mann_whitney;
    assert!(cases.iter().any(|c| c.exact) && cases.iter().any(|c| !c.exact));
    for case in cases {
        let t = mann_whitney::test(&case.x, &case.y).expect("test");
        assert_eq!(t.u1, case.u1, "U1 of {:?} / {:?}", case.x, case.y);
        assert_eq!(
            t.exact,
            case.exact,
            "method for n = {}, {}",
            case.x.len(),
            case.y.len()
        );
        assert!(
            close(t.p_value, case.p_value, 1e-9),
            "p {} vs scipy {} (exact: {})",
            t.p_value,
            case.p_value,
            case.exact
        );
    }
}

#[test]
fn medians_percentiles_and_modified_z_scores_match_numpy() {
    for case in reference().summary {
        assert_eq!(median(&mut case.values.clone()), case.median);
        let mut sorted = case.values.clone();
        sorted.sort_by(f64::total_cmp);
        for (p, want) in &case.percentiles {
            let p: f64 = p.parse().expect("percentile key");
            assert!(close(percentile_sorted(&sorted, p), *want, 1e-12), "p{p}");
        }
        let z = outliers::modified_z_scores(&case.values);
        for (got, want) in z.iter().zip(&case.modified_z) {
            assert!((got - want).abs() < 1e-9, "{got} vs {want}");
        }
        assert_eq!(outliers::count(&case.values), case.outliers);
    }
}

/// Two bootstrap runs with different generators agree up to resampling noise: within a
/// small part of the sample's range, or half a step between neighbouring values (a
/// resampled median of tied values moves in half steps).
#[test]
fn median_intervals_agree_with_scipy_bootstrap() {
    for case in reference().bootstrap_median {
        let ours = bootstrap::median_interval(&case.values, 7).expect("interval");
        let (lo, hi) = case
            .values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(*v), b.max(*v))
            });
        let mut sorted = case.values.clone();
        sorted.sort_by(f64::total_cmp);
        let step = sorted.windows(2).map(|w| w[1] - w[0]).fold(0.0, f64::max);
        let tolerance = (0.03 * (hi - lo)).max(step / 2.0);
        for (got, want) in ours.iter().zip(case.ci95) {
            assert!(
                (got - want).abs() <= tolerance,
                "ours {ours:?} vs scipy {:?} (tolerance {tolerance:.2})",
                case.ci95
            );
        }
    }
}

#[test]
fn ratio_intervals_agree_with_scipy_bootstrap() {
    for case in reference().bootstrap_ratio {
        let x = bootstrap::medians(&case.x, bootstrap::RESAMPLES, 11);
        let y = bootstrap::medians(&case.y, bootstrap::RESAMPLES, 12);
        let ours = bootstrap::ratio_interval(&x, &y).expect("interval");
        let got_ratio = median(&mut case.x.clone()) / median(&mut case.y.clone());
        assert!(close(got_ratio, case.ratio, 1e-12));
        for (got, want) in ours.iter().zip(case.ci95) {
            assert!(
                (got - want).abs() <= 0.01,
                "ours {ours:?} vs scipy {:?}",
                case.ci95
            );
        }
    }
}
