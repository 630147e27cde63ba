//! Merging hand-made shard results.

use proptest::prelude::*;

use super::*;
use crate::results::{RunSettings, VariantResult};
use crate::stats::Timing;

fn row(name: &str, startup: f64) -> VariantResult {
    VariantResult {
        name: name.into(),
        works: true,
        startup_ms: Timing::from_samples(&[startup, startup + 2.0, startup + 4.0]),
        ..VariantResult::default()
    }
}

/// Shard `index` of `count` with the reference `ref` (startup `reference_ms`) and `names`.
fn shard(index: u32, count: u32, reference_ms: f64, names: &[&str]) -> (String, RunResults) {
    let mut variants = vec![row("ref", reference_ms)];
    variants.extend(names.iter().map(|n| row(n, 100.0)));
    let results = RunResults {
        schema_version: crate::results::SCHEMA_VERSION,
        run_id: format!("run{index}"),
        basebench_version: "0".into(),
        started_at: format!("2026-12-02T10:0{index}:00Z"),
        finished_at: format!("2026-12-02T11:0{index}:00Z"),
        complete: true,
        host: Default::default(),
        settings: RunSettings {
            reference: Some("ref".into()),
            ..RunSettings::default()
        },
        reference: Some("ref".into()),
        seed: Some(u64::from(index)),
        rounds: Some(3),
        testbed: None,
        registry: None,
        shard: Some(Shard { index, count }),
        merged_from: Vec::new(),
        variants,
    };
    (format!("shard{index}/results.json"), results)
}

fn names(r: &RunResults) -> Vec<&str> {
    r.variants.iter().map(|v| v.name.as_str()).collect()
}

#[test]
fn shards_merge_into_every_variant_once_with_the_reference_drift() {
    let merged = merge(vec![
        shard(2, 2, 420.0, &["beta"]),
        shard(1, 2, 400.0, &["alpha", "gamma"]),
    ])
    .expect("merges");
    assert_eq!(names(&merged), ["ref", "alpha", "gamma", "beta"]);
    assert_eq!(merged.run_id, "run1-merged");
    assert_eq!(merged.started_at, "2026-12-02T10:01:00Z");
    assert_eq!(merged.finished_at, "2026-12-02T11:02:00Z");
    assert_eq!((merged.shard, merged.seed), (None, None));
    let drift: Vec<(String, Option<f64>)> = merged
        .merged_from
        .iter()
        .map(|m| (m.run_id.clone(), m.reference_startup_ms))
        .collect();
    assert_eq!(
        drift,
        [("run1".into(), Some(402.0)), ("run2".into(), Some(422.0))]
    );
}

#[test]
fn files_that_do_not_fit_together_are_refused_naming_them() {
    let refused = |files: Vec<(String, RunResults)>, expected: &[&str]| {
        let error = merge(files).expect_err("refused").to_string();
        for fragment in expected {
            assert!(error.contains(fragment), "{fragment:?} in {error}");
        }
    };
    refused(
        vec![shard(1, 2, 400.0, &["a"]), shard(1, 2, 400.0, &["b"])],
        &["both shard 1/2"],
    );
    refused(
        vec![shard(1, 3, 400.0, &["a"]), shard(2, 3, 400.0, &["b"])],
        &["shard 3/3 is missing"],
    );
    refused(
        vec![shard(1, 2, 400.0, &["a"]), shard(2, 2, 400.0, &["a"])],
        &["'a'", "shard1/results.json", "shard2/results.json"],
    );
    let mut other_reference = shard(2, 2, 400.0, &["b"]);
    other_reference.1.reference = Some("b".into());
    refused(
        vec![shard(1, 2, 400.0, &["a"]), other_reference],
        &["no common reference", "ref vs b"],
    );
    let mut newer = shard(2, 2, 400.0, &["b"]);
    newer.1.schema_version += 1;
    refused(vec![shard(1, 2, 400.0, &["a"]), newer], &["schema version"]);
    let mut interrupted = shard(2, 2, 400.0, &["b"]);
    interrupted.1.complete = false;
    refused(
        vec![shard(1, 2, 400.0, &["a"]), interrupted],
        &["shard2/results.json is incomplete"],
    );
    let mut podman = shard(2, 2, 400.0, &["b"]);
    podman.1.host.engine = "Podman".into();
    refused(
        vec![shard(1, 2, 400.0, &["a"]), podman],
        &[
            "measured on Docker",
            "shard2/results.json on Podman",
            "never ranked",
        ],
    );
    let mut broken_reference = on_testbed(shard(2, 2, 400.0, &["b"]), "runner-2");
    broken_reference.1.variants[0].works = false;
    refused(
        vec![
            on_testbed(shard(1, 2, 400.0, &["a"]), "runner-1"),
            broken_reference,
        ],
        &["'ref' does not work in shard2/results.json"],
    );
    refused(Vec::new(), &["nothing to merge"]);
}

/// `file` as measured on the testbed `name` (a machine of its own: its kernel differs).
fn on_testbed((path, mut results): (String, RunResults), name: &str) -> (String, RunResults) {
    results.host.kernel = format!("6.1-{name}");
    results.testbed = Some(crate::results::Testbed {
        name: Some(name.into()),
        kernel: results.host.kernel.clone(),
        ..Default::default()
    });
    (path, results)
}

#[test]
fn shards_from_several_testbeds_carry_their_testbed_and_its_facts() {
    let merged = merge(vec![
        on_testbed(shard(2, 2, 800.0, &["beta"]), "arm"),
        on_testbed(shard(1, 2, 400.0, &["alpha"]), "x86"),
    ])
    .expect("merges");
    let rows: Vec<(&str, Option<&str>)> = merged
        .variants
        .iter()
        .map(|v| (v.name.as_str(), v.testbed.as_deref()))
        .collect();
    assert_eq!(
        rows,
        [
            ("ref", Some("x86")),
            ("alpha", Some("x86")),
            ("beta", Some("arm"))
        ]
    );
    let runs: Vec<(Option<&str>, Option<&str>)> = merged
        .merged_from
        .iter()
        .map(|m| {
            let facts = m.testbed_facts.as_ref().and_then(|t| t.name.as_deref());
            (m.testbed.as_deref(), facts)
        })
        .collect();
    assert_eq!(
        runs,
        [(Some("x86"), Some("x86")), (Some("arm"), Some("arm"))]
    );
}

#[test]
fn unnamed_testbeds_and_shared_names_get_labels_of_their_own() {
    let (path, mut unnamed) = shard(3, 3, 400.0, &["c"]);
    unnamed.host.kernel = "6.9".into();
    let merged = merge(vec![
        on_testbed(shard(1, 3, 400.0, &["a"]), "ci"),
        (path, unnamed),
        {
            let (p, mut r) = on_testbed(shard(2, 3, 400.0, &["b"]), "ci");
            r.host.kernel = "6.5".into();
            (p, r)
        },
    ])
    .expect("merges");
    let labels: Vec<Option<&str>> = merged
        .merged_from
        .iter()
        .map(|m| m.testbed.as_deref())
        .collect();
    assert_eq!(labels, [Some("ci"), Some("ci #2"), Some("testbed 3")]);
}

#[test]
fn runs_on_one_testbed_carry_no_testbed_labels() {
    let merged = merge(vec![
        on_testbed(shard(1, 2, 400.0, &["a"]), "one"),
        on_testbed(shard(2, 2, 410.0, &["b"]), "one"),
    ])
    .expect("merges");
    assert!(merged.variants.iter().all(|v| v.testbed.is_none()));
    assert!(merged.merged_from.iter().all(|m| m.testbed.is_none()));
}

proptest! {
    /// Merging does not depend on the order of the files.
    #[test]
    fn merging_is_independent_of_the_order_of_the_files(
        order in Just(vec![0usize, 1, 2]).prop_shuffle(),
    ) {
        let files = [
            shard(1, 3, 400.0, &["a", "d"]),
            on_testbed(shard(2, 3, 810.0, &["b"]), "elsewhere"),
            shard(3, 3, 405.0, &["c"]),
        ];
        let expected = merge(files.to_vec()).expect("merges");
        let shuffled: Vec<(String, RunResults)> =
            order.iter().map(|&i| files[i].clone()).collect();
        prop_assert_eq!(merge(shuffled).expect("merges"), expected);
    }
}
