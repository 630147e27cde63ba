//! The analysis over small hand-made runs.

use super::*;
use crate::results::{ImageFacts, RunSettings};
use crate::stats::compare::Verdict;

fn variant(name: &str, size: u64, startup: &[f64], works: bool) -> VariantResult {
    VariantResult {
        name: name.into(),
        works,
        image: Some(ImageFacts {
            size_bytes: size,
            ..ImageFacts::default()
        }),
        startup_ms: Timing::from_samples(startup),
        ..VariantResult::default()
    }
}

fn run(variants: Vec<VariantResult>, reference: Option<&str>) -> RunResults {
    RunResults {
        schema_version: crate::results::SCHEMA_VERSION,
        run_id: "r".into(),
        basebench_version: "0".into(),
        started_at: String::new(),
        finished_at: String::new(),
        complete: true,
        host: Default::default(),
        settings: RunSettings {
            noise: 0.05,
            reference: reference.map(str::to_string),
            ..RunSettings::default()
        },
        reference: None,
        seed: Some(99),
        rounds: None,
        testbed: None,
        registry: None,
        shard: None,
        merged_from: Vec::new(),
        variants,
    }
}

/// Ten samples from `center` to `center + 8`, twice each step of 2 (median center + 4).
fn spread(center: f64) -> Vec<f64> {
    (0..10).map(|i| center + f64::from(i % 5) * 2.0).collect()
}

/// Twenty distinct samples around `center`.
fn varied(center: f64) -> Vec<f64> {
    (0..20)
        .map(|i| center + f64::from((i * 7) % 20) * 0.9)
        .collect()
}

#[test]
fn the_smallest_working_variant_is_the_reference_and_others_compare_with_it() {
    let mut r = run(
        vec![
            variant("big", 900, &spread(500.0), true),
            variant("small", 100, &spread(300.0), true),
            variant("twin", 200, &spread(301.0), true),
            variant("broken", 50, &spread(100.0), false),
        ],
        None,
    );
    annotate(&mut r);
    assert_eq!(r.reference.as_deref(), Some("small"));
    let big = &r.variants[0].vs_reference["startup_ms"];
    assert_eq!(big.verdict, Verdict::Slower);
    assert!((big.ratio - 504.0 / 304.0).abs() < 1e-12, "{big:?}");
    let twin = &r.variants[2].vs_reference["startup_ms"];
    assert_eq!(twin.verdict, Verdict::NoClearDifference, "{twin:?}");
    assert!(r.variants[1].vs_reference.is_empty(), "not against itself");
    assert!(
        r.variants[3].vs_reference.is_empty(),
        "a failure never compares"
    );
    let ci = r.variants[0].startup_ms.as_ref().and_then(|t| t.ci95);
    let [lo, hi] = ci.expect("interval");
    assert!(
        lo <= 504.0 && 504.0 <= hi && lo >= 500.0 && hi <= 508.0,
        "{lo} {hi}"
    );
}

#[test]
fn the_same_samples_and_seed_give_the_same_figures() {
    let make = || {
        run(
            vec![
                variant("a", 1, &varied(300.0), true),
                variant("b", 2, &varied(310.0), true),
            ],
            None,
        )
    };
    let (mut x, mut y) = (make(), make());
    annotate(&mut x);
    annotate(&mut y);
    assert_eq!(x, y);
    y.seed = Some(100);
    annotate(&mut y);
    assert_ne!(
        x.variants[1].vs_reference["startup_ms"].ci95,
        y.variants[1].vs_reference["startup_ms"].ci95,
        "another seed resamples differently"
    );
}

#[test]
fn a_requested_reference_wins_unless_it_does_not_work() {
    let variants = vec![
        variant("a", 1, &spread(300.0), true),
        variant("b", 2, &spread(340.0), true),
        variant("c", 3, &spread(340.0), false),
    ];
    let mut r = run(variants.clone(), Some("b"));
    annotate(&mut r);
    assert_eq!(r.reference.as_deref(), Some("b"));
    assert_eq!(
        r.variants[0].vs_reference["startup_ms"].verdict,
        Verdict::Faster
    );
    let mut r = run(variants, Some("c"));
    annotate(&mut r);
    assert_eq!(r.reference.as_deref(), Some("a"));
}

#[test]
fn single_samples_get_an_interval_but_no_verdict() {
    let mut r = run(
        vec![
            variant("a", 1, &[300.0], true),
            variant("b", 2, &[600.0], true),
        ],
        None,
    );
    annotate(&mut r);
    let t = r.variants[1].startup_ms.as_ref().expect("startup");
    assert_eq!(t.ci95, Some([600.0, 600.0]));
    assert!(r.variants[1].vs_reference.is_empty());
}

#[test]
fn repeated_pulls_get_an_interval_and_a_verdict_against_the_reference() {
    let pulled = |name: &str, size: u64, pulls: &[f64]| {
        let mut v = variant(name, size, &spread(300.0), true);
        if let Some(image) = v.image.as_mut() {
            image.pull = Timing::from_samples(pulls);
        }
        v
    };
    let around = |center: f64| -> Vec<f64> {
        (0..20)
            .map(|i| center + f64::from((i * 7) % 20) * 0.001)
            .collect()
    };
    let (fast, slow) = (around(0.10), around(0.30));
    let mut r = run(vec![pulled("a", 1, &fast), pulled("b", 2, &slow)], None);
    annotate(&mut r);
    let pull = |i: usize| {
        r.variants[i]
            .image
            .as_ref()
            .and_then(|i| i.pull.clone())
            .expect("pull")
    };
    let [lo, hi] = pull(1).ci95.expect("an interval");
    assert!(lo <= pull(1).median && pull(1).median <= hi);
    assert!(lo < hi, "twenty distinct samples give a real interval");
    let versus = &r.variants[1].vs_reference["pull_s"];
    assert_eq!(versus.verdict, Verdict::Slower, "{versus:?}");
}
