//! Tests of the gate rules over small hand-made results.

use super::*;
use crate::results::{BuildFacts, ImageFacts};
use crate::stats::Timing;

fn timing(median: f64) -> Timing {
    Timing::from_samples(&[median]).expect("a finite median")
}

fn variant(
    name: &str,
    size: Option<u64>,
    startup: Option<f64>,
    cold: Option<f64>,
) -> VariantResult {
    VariantResult {
        name: name.into(),
        works: true,
        image: size.map(|size_bytes| ImageFacts {
            size_bytes,
            ..ImageFacts::default()
        }),
        startup_ms: startup.map(timing),
        build: cold.map(|c| BuildFacts {
            cold_s: timing(c),
            ..BuildFacts::default()
        }),
        ..VariantResult::default()
    }
}

fn run(variants: Vec<VariantResult>) -> RunResults {
    RunResults {
        schema_version: 1,
        run_id: "r".into(),
        basebench_version: "0".into(),
        started_at: String::new(),
        finished_at: String::new(),
        complete: true,
        host: Default::default(),
        settings: Default::default(),
        reference: None,
        seed: None,
        rounds: None,
        testbed: None,
        registry: None,
        shard: None,
        merged_from: Vec::new(),
        variants,
    }
}

/// (variant, rule, status, measured, note) of each outcome.
fn rows(outcomes: &[Outcome]) -> Vec<(String, &'static str, Status, String, String)> {
    outcomes
        .iter()
        .map(|o| {
            (
                o.variant.clone(),
                o.rule,
                o.status,
                o.measured.clone(),
                o.note.clone(),
            )
        })
        .collect()
}

fn flags(size: Option<u64>, startup: Option<f64>, regression: Option<f64>) -> GateLimits {
    GateLimits {
        max_size: size.map(ByteSize),
        max_startup_ms: startup,
        max_regression_pct: regression,
        ..GateLimits::default()
    }
}

#[test]
fn the_registry_limits_judge_compressed_and_ship_bytes_and_skip_without_a_push() {
    let mut pushed = variant("pushed", Some(1000), None, None);
    if let Some(image) = pushed.image.as_mut() {
        image.compressed_bytes = Some(400);
    }
    pushed.code_change_ship_bytes = Some(60);
    let mut heavy = pushed.clone();
    heavy.name = "heavy".into();
    heavy.code_change_ship_bytes = Some(300);
    let local = variant("local", Some(1000), None, None);
    let results = run(vec![pushed, heavy, local]);
    let limits = GateLimits {
        max_compressed: Some(ByteSize(400)),
        max_ship_bytes: Some(ByteSize(100)),
        ..GateLimits::default()
    };
    let got: Vec<_> = rows(&evaluate(
        &results,
        None,
        &GateConfig::default(),
        &limits,
        None,
    ))
    .into_iter()
    .filter(|r| r.1 != "works")
    .map(|(v, rule, status, measured, _)| (v, rule, status, measured))
    .collect();
    let row =
        |v: &str, rule, status, measured: &str| (v.to_string(), rule, status, measured.to_string());
    assert_eq!(
        got,
        [
            row("pushed", "max_compressed", Status::Pass, "400 B"),
            row("pushed", "max_ship_bytes", Status::Pass, "60 B"),
            row("heavy", "max_compressed", Status::Pass, "400 B"),
            row("heavy", "max_ship_bytes", Status::Fail, "300 B"),
            row("local", "max_compressed", Status::Skip, "–"),
            row("local", "max_ship_bytes", Status::Skip, "–"),
        ]
    );
}

#[test]
fn every_rule_reports_pass_fail_or_skip_with_the_measured_value() {
    let mut broken = variant("broken", None, None, None);
    broken.works = false;
    broken.failure = Some("build failed at `RUN make`:\n  exit 2".into());
    let results = run(vec![
        variant("small", Some(100), Some(50.0), Some(1.0)),
        variant("big", Some(101), Some(51.0), Some(1.0)),
        broken,
    ]);
    let limits = flags(Some(100), Some(50.0), None);
    let got = rows(&evaluate(
        &results,
        None,
        &GateConfig::default(),
        &limits,
        None,
    ));
    let row = |v: &str, r: &'static str, s: Status, m: &str, n: &str| {
        (v.to_string(), r, s, m.to_string(), n.to_string())
    };
    assert_eq!(
        got,
        [
            row("small", "works", Status::Pass, "works", ""),
            row("small", "max_size", Status::Pass, "100 B", ""),
            row("small", "max_startup_ms", Status::Pass, "50 ms", ""),
            row("big", "works", Status::Pass, "works", ""),
            row(
                "big",
                "max_size",
                Status::Fail,
                "101 B",
                "101 bytes > 100 bytes"
            ),
            row(
                "big",
                "max_startup_ms",
                Status::Fail,
                "51 ms",
                "median 1 ms over the limit"
            ),
            row(
                "broken",
                "works",
                Status::Fail,
                "does not work",
                "build failed at `RUN make`: exit 2"
            ),
            row(
                "broken",
                "max_size",
                Status::Skip,
                "–",
                "no image size (the variant did not build)"
            ),
            row(
                "broken",
                "max_startup_ms",
                Status::Skip,
                "–",
                "no startup measured (the variant did not start)"
            ),
        ]
    );
}

#[test]
fn the_limit_says_where_it_was_set() {
    let gates: GateConfig =
        toml::from_str("max_size = \"1kB\"\n[variant.a]\nmax_startup_ms = 9\n").expect("parse");
    let outcomes = evaluate(
        &run(vec![variant("a", Some(1), Some(1.0), None)]),
        None,
        &gates,
        &flags(None, None, Some(5.0)),
        None,
    );
    let limits: Vec<(&str, &str)> = outcomes
        .iter()
        .map(|o| (o.rule, o.limit.as_str()))
        .collect();
    assert_eq!(
        limits,
        [
            ("works", "must work"),
            ("max_size", "≤ 1 kB (gates.max_size)"),
            ("max_startup_ms", "≤ 9 ms (gates.variant.a.max_startup_ms)"),
            ("max_regression_pct", "≤ +5% (--max-regression)"),
        ]
    );
    assert_eq!(outcomes[3].status, Status::Skip);
    assert!(
        outcomes[3].note.contains("--baseline"),
        "{}",
        outcomes[3].note
    );
}

#[test]
fn regression_is_judged_per_figure_against_the_baseline() {
    // size 200 → 250 is +25%; cold build 10 → 11 is +10% (at the limit, passes);
    // startup was 0 in the baseline (no percent).
    let old = run(vec![
        variant("a", Some(200), Some(0.0), Some(10.0)),
        variant("gone", Some(1), None, None),
    ]);
    let new = run(vec![
        variant("a", Some(250), Some(5.0), Some(11.0)),
        variant("fresh", Some(1), None, None),
    ]);
    let outcomes = evaluate(
        &new,
        Some(&old),
        &GateConfig::default(),
        &flags(None, None, Some(10.0)),
        None,
    );
    let got: Vec<(&str, &str, Status, &str)> = outcomes
        .iter()
        .filter(|o| o.rule == "max_regression_pct" || o.variant == "gone")
        .map(|o| (o.variant.as_str(), o.rule, o.status, o.measured.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "a",
                "max_regression_pct",
                Status::Fail,
                "size +25.0% (200 B → 250 B)"
            ),
            (
                "a",
                "max_regression_pct",
                Status::Pass,
                "cold build +10.0% (10.0 s → 11.0 s)"
            ),
            ("a", "max_regression_pct", Status::Skip, "–"),
            ("fresh", "max_regression_pct", Status::Skip, "–"),
            ("gone", "works", Status::Fail, "absent"),
        ]
    );
    let notes: Vec<&str> = outcomes.iter().map(|o| o.note.as_str()).collect();
    assert!(
        notes.contains(&"size grew 25.0%, more than 10%"),
        "{notes:?}"
    );
    assert!(notes.contains(&"the baseline's startup is 0"), "{notes:?}");
    assert!(notes.contains(&"not in the baseline"), "{notes:?}");
    assert!(
        notes.contains(&"missing from the results (present in the baseline)"),
        "{notes:?}"
    );
}

#[test]
fn a_negative_limit_is_misconfigured_and_names_its_key() {
    let gates: GateConfig = toml::from_str("max_startup_ms = -5\n").expect("parse");
    let outcomes = evaluate(
        &run(vec![variant("a", Some(1), Some(1.0), None)]),
        None,
        &gates,
        &GateLimits::default(),
        Some("a"),
    );
    let startup = &outcomes[1];
    assert_eq!(startup.status, Status::Misconfigured);
    assert_eq!(
        startup.note,
        "`gates.max_startup_ms` must be a number >= 0 (got -5)"
    );
}

#[test]
fn only_limits_the_rows_to_one_variant() {
    let results = run(vec![
        variant("a", None, None, None),
        variant("b", None, None, None),
    ]);
    let outcomes = evaluate(
        &results,
        None,
        &GateConfig::default(),
        &GateLimits::default(),
        Some("b"),
    );
    let names: Vec<&str> = outcomes.iter().map(|o| o.variant.as_str()).collect();
    assert_eq!(names, ["b"]);
}

/// A variant whose startup has these raw samples.
fn started(name: &str, samples: &[f64]) -> VariantResult {
    VariantResult {
        startup_ms: Timing::from_samples(samples),
        ..variant(name, Some(100), None, None)
    }
}

fn startup_rows(old: &RunResults, new: &RunResults) -> Vec<(Status, String, String)> {
    evaluate(
        new,
        Some(old),
        &GateConfig::default(),
        &flags(None, None, Some(10.0)),
        None,
    )
    .into_iter()
    .filter(|o| o.rule == "max_regression_pct" && o.measured.starts_with("startup"))
    .map(|o| (o.status, o.measured, o.note))
    .collect()
}

#[test]
fn a_startup_regression_fails_only_when_its_interval_clears_the_limit() {
    // 300 to 400 ms, median 350.
    let base: Vec<f64> = (0..12).map(|i| 300.0 + f64::from(i % 6) * 20.0).collect();
    let old = run(vec![started("a", &base)]);
    // +12 % in the medians (392 ms), but the samples overlap widely: the interval of
    // new ÷ old reaches below +10 %.
    let noisy: Vec<f64> = base.iter().map(|v| v * 1.12).collect();
    let rows = startup_rows(&old, &run(vec![started("a", &noisy)]));
    assert_eq!(rows.len(), 1);
    let (status, measured, note) = &rows[0];
    assert_eq!(*status, Status::Pass, "{measured} / {note}");
    assert!(
        measured.starts_with("startup +12.0% (350 ms → 392 ms; 95% CI"),
        "{measured}"
    );
    assert!(note.starts_with("within noise"), "{note}");
    // +40 %: the whole interval lies above +10 %.
    let slow: Vec<f64> = base.iter().map(|v| v * 1.4).collect();
    let rows = startup_rows(&old, &run(vec![started("a", &slow)]));
    assert_eq!(rows[0].0, Status::Fail, "{rows:?}");
    assert!(rows[0].2.contains("wholly more than 10%"), "{rows:?}");
}

#[test]
fn files_without_raw_samples_fall_back_to_medians_and_say_so() {
    let base: Vec<f64> = (0..12).map(|i| 300.0 + f64::from(i)).collect();
    let mut summary_only = started("a", &base);
    if let Some(t) = summary_only.startup_ms.as_mut() {
        t.samples.clear();
    }
    let old = run(vec![summary_only]);
    let slower: Vec<f64> = base.iter().map(|v| v * 1.2).collect();
    let rows = startup_rows(&old, &run(vec![started("a", &slower)]));
    assert_eq!(rows[0].0, Status::Fail);
    assert!(rows[0].2.contains("medians compared"), "{rows:?}");
    assert!(!rows[0].1.contains("CI"), "{rows:?}");
}
