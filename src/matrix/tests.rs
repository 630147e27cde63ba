//! Edge cases of the scoring model, on the hand-made fixture and small changes to it.

use super::*;
use crate::anatomy::{Libc, VulnerabilityScan};
use crate::results::VariantResult;

fn fixture() -> RunResults {
    serde_json::from_str(include_str!("../../tests/fixtures/results/article.json"))
        .expect("fixture parses")
}

fn variant<'a>(r: &'a mut RunResults, name: &str) -> &'a mut VariantResult {
    r.variants
        .iter_mut()
        .find(|v| v.name == name)
        .expect("variant in fixture")
}

fn order(m: &Matrix) -> Vec<&str> {
    m.ranked().map(|r| r.name.as_str()).collect()
}

#[test]
fn a_failed_variant_never_ranks_above_a_working_one() {
    let mut r = fixture();
    // Give the crashing variant the best facts there are, and weigh only security.
    let distroless = variant(&mut r, "distroless").anatomy.clone();
    variant(&mut r, "crashy").anatomy = distroless;
    let weights = ScoringWeights {
        compatibility: 0.0,
        security: 1.0,
        debugging: 0.0,
        size: 0.0,
        speed: 0.0,
    };
    let m = Matrix::build(&r, &weights);
    let names = order(&m);
    assert_eq!(&names[4..], ["crashy", "alpine"]);
    let crashy = m.rows.iter().find(|r| r.name == "crashy").expect("row");
    assert_eq!(
        (crashy.ratings.overall, crashy.ratings.compatibility),
        (1, 1)
    );
    assert!(crashy.reason.starts_with("FAILED: container exited"));
}

#[test]
fn ties_are_broken_by_size_then_name() {
    let mut r = fixture();
    let mut twin = variant(&mut r, "slim").clone();
    twin.name = "aslim".into();
    r.variants.push(twin.clone());
    let m = Matrix::build(&r, &ScoringWeights::default());
    let names = order(&m);
    let pos = |n: &str| names.iter().position(|x| *x == n).expect("ranked");
    assert_eq!(pos("aslim") + 1, pos("slim"), "equal rows: by name");
    // One byte larger loses the tie whatever the name.
    twin.name = "zslim".into();
    twin.image.as_mut().expect("image").size_bytes -= 1;
    r.variants.push(twin);
    let m2 = Matrix::build(&r, &ScoringWeights::default());
    let names2 = order(&m2);
    let zpos = names2.iter().position(|x| *x == "zslim").expect("ranked");
    let apos = names2.iter().position(|x| *x == "aslim").expect("ranked");
    let score = |n: &str| {
        m2.rows
            .iter()
            .find(|r| r.name == n)
            .map(|r| r.ratings.score)
    };
    assert_eq!(score("zslim"), score("aslim"));
    assert!(
        zpos < apos,
        "smaller image first on equal score: {names2:?}"
    );
    assert_eq!(
        Matrix::build(&r, &ScoringWeights::default()),
        m2,
        "deterministic"
    );
}

#[test]
fn missing_scanner_data_is_not_scanned_and_never_zero() {
    let mut r = fixture();
    let scanned_clean = VulnerabilityScan::Scanned {
        scanner: "trivy".into(),
        db_date: None,
        critical: 0,
        high: 0,
        medium: 0,
        low: 0,
        unknown: 0,
    };
    let m = Matrix::build(&r, &ScoringWeights::default());
    let before = m
        .rows
        .iter()
        .find(|r| r.name == "bloated")
        .expect("row")
        .clone();
    assert!(matches!(
        before.facts.vulnerabilities,
        Vulnerabilities::NotScanned(_)
    ));
    assert!(!before.reason.contains("CVE"), "{}", before.reason);
    let csv = String::from_utf8(crate::export::csv::render(&m)).expect("utf-8");
    let bloated_line = csv
        .lines()
        .find(|l| l.contains(",bloated,"))
        .expect("csv row");
    assert!(
        !bloated_line.contains(",0,0,"),
        "no zero CVE counts: {bloated_line}"
    );
    if let Some(a) = variant(&mut r, "bloated").anatomy.as_mut() {
        a.vulnerabilities = scanned_clean;
    }
    let after = Matrix::build(&r, &ScoringWeights::default());
    let row = after
        .rows
        .iter()
        .find(|r| r.name == "bloated")
        .expect("row");
    assert_eq!(row.ratings.security, before.ratings.security);
    assert!(row.reason.contains("no critical/high CVEs"));
}

#[test]
fn a_missing_anatomy_leaves_security_and_debugging_unrated() {
    let m = Matrix::build(&fixture(), &ScoringWeights::default());
    let row = m.rows.iter().find(|r| r.name == "multistage").expect("row");
    assert_eq!((row.ratings.security, row.ratings.debugging), (None, None));
    assert!(row.reason.contains("contents not analysed"));
    assert!(row.ratings.size.is_some() && row.ratings.speed.is_some());
}

#[test]
fn the_reason_reads_like_the_article() {
    let m = Matrix::build(&fixture(), &ScoringWeights::default());
    let row = m.rows.iter().find(|r| r.name == "bloated").expect("row");
    assert_eq!(
        row.reason,
        "runs as root; shell and apt, dpkg, pip present; 1.09 GB, 8.0× the smallest; \
         starts in 812 ms; imports OK; measured on a stand-in base"
    );
    assert_eq!(m.reference.as_deref(), Some("distroless"));
}

#[test]
fn one_weight_changes_the_ranking() {
    let r = fixture();
    let debug_first = ScoringWeights {
        debugging: 10.0,
        ..ScoringWeights::default()
    };
    let secure_first = ScoringWeights {
        security: 10.0,
        ..ScoringWeights::default()
    };
    let a = Matrix::build(&r, &debug_first);
    let b = Matrix::build(&r, &secure_first);
    assert_eq!(order(&b)[0], "distroless");
    assert_ne!(order(&a)[0], "distroless", "{:?}", order(&a));
}

#[test]
fn musl_costs_a_compatibility_point() {
    let mut r = fixture();
    if let Some(a) = variant(&mut r, "slim").anatomy.as_mut() {
        a.libc = Some(Libc {
            kind: "musl".into(),
            version: None,
        });
    }
    let m = Matrix::build(&r, &ScoringWeights::default());
    let row = m.rows.iter().find(|r| r.name == "slim").expect("row");
    assert_eq!(row.ratings.compatibility, 4);
    assert!(row.reason.contains("musl libc"));
}

#[test]
fn single_runs_and_stand_ins_are_noted() {
    let m = Matrix::build(&fixture(), &ScoringWeights::default());
    assert!(
        m.notes
            .iter()
            .any(|n| n.contains("single run") && n.contains("slim"))
    );
    assert!(
        m.notes
            .iter()
            .any(|n| n.starts_with("bloated was measured on a stand-in"))
    );
}

/// The schema 2 fixture with its statistics, as a run computes them.
fn measured() -> RunResults {
    let mut r: RunResults =
        serde_json::from_str(include_str!("../../tests/fixtures/results/article-v2.json"))
            .expect("fixture parses");
    crate::results::annotate(&mut r);
    r
}

fn ratings_of(m: &Matrix, name: &str) -> (Option<u8>, f64, usize) {
    let row = m.rows.iter().find(|r| r.name == name).expect("row");
    (row.ratings.speed, row.ratings.score, row.rank)
}

/// Worked out by hand from docs/SCORING.md. The reference is distroless (the smallest
/// working variant). Startup: slim and multistage are "no clear difference" from it, so
/// they count its median (600.0 ms); bloated is slower (800.7 ms): ratios 1, 1, 1, 1.335.
/// After a change (3 runs each): slim is no clear difference (counts 2.124 s), multistage
/// 4.293 s and bloated 12.587 s are slower: ratios 1, 1, 2.021, 5.926. The cold build ran
/// once and is not rated. Speed = 5 − log2(geometric mean): distroless and slim 5;
/// multistage 5 − log2(√2.021) = 4.49 → 4; bloated 5 − log2(√(1.335 · 5.926)) = 3.51 → 4.
#[test]
fn speed_rests_on_verdicts_and_repeated_timings_as_scoring_md_says() {
    let r = measured();
    let m = Matrix::build(&r, &ScoringWeights::default());
    assert_eq!(m.reference.as_deref(), Some("distroless"));
    let speed = |n: &str| ratings_of(&m, n).0;
    assert_eq!(
        [
            speed("distroless"),
            speed("slim"),
            speed("multistage"),
            speed("bloated")
        ],
        [Some(5), Some(5), Some(4), Some(4)]
    );
    // Overall: (5 + 5 + 0.5·1 + 5 + 5) / 4.5 = 4.56 for distroless, (5 + 3 + 0.5·5 + 4 + 5)
    // / 4.5 = 4.33 for slim, (5 + 3 + 4) / 3 = 4.00 for multistage (not analysed).
    let score = |n: &str| (ratings_of(&m, n).1 * 100.0).round() / 100.0;
    assert_eq!(
        [score("distroless"), score("slim"), score("multistage")],
        [4.56, 4.33, 4.0]
    );
    assert_eq!(
        order(&m)[..4],
        ["distroless", "slim", "multistage", "bloated"]
    );
    let slim = m.rows.iter().find(|r| r.name == "slim").expect("slim");
    assert!(
        slim.reason.contains(
            "starts in 598 ms (95 % CI 587–609 ms), startup not distinguishable from distroless"
        ),
        "{}",
        slim.reason
    );
    let bloated = m
        .rows
        .iter()
        .find(|r| r.name == "bloated")
        .expect("bloated");
    assert!(
        bloated.reason.contains("1.33× slower than distroless (CI "),
        "{}",
        bloated.reason
    );
}

/// Two variants with the same samples get the same verdicts, the same ratings and one
/// rank; the next one ranks after both (1, 2, 2, 4).
#[test]
fn indistinguishable_variants_share_a_rank() {
    let mut r = measured();
    let mut twin = variant(&mut r, "slim").clone();
    twin.name = "slim-twin".into();
    r.variants.push(twin);
    crate::results::annotate(&mut r);
    let m = Matrix::build(&r, &ScoringWeights::default());
    let rank = |n: &str| ratings_of(&m, n).2;
    assert_eq!(
        [
            rank("distroless"),
            rank("slim"),
            rank("slim-twin"),
            rank("multistage")
        ],
        [1, 2, 2, 4]
    );
    let ranks: Vec<usize> = m.ranked().map(|r| r.rank).collect();
    assert_eq!(
        ranks,
        [1, 2, 2, 4, 5, 6, 7],
        "failures rank after, one each"
    );
}

/// A file of schema 1 (no verdicts) rates speed on the medians alone, as before.
#[test]
fn a_file_without_verdicts_rates_on_medians() {
    let m = Matrix::build(&fixture(), &ScoringWeights::default());
    let row = m.rows.iter().find(|r| r.name == "bloated").expect("row");
    assert!(row.vs_reference.is_empty());
    // Startup 812 / 598 (slim, the fastest) = 1.358. After a change and cold, only the
    // repeated builds count (slim built once): 12.5 / 2.2 (distroless) = 5.682 and
    // 61.2 / 44.0 (distroless) = 1.391. Geometric mean ∛(1.358 · 5.682 · 1.391) = 2.206
    // → 5 − log2(2.206) = 3.86 → 4.
    assert_eq!(row.ratings.speed, Some(4));
    assert!(
        m.notes.iter().any(|n| n.contains("no intervals")),
        "{:?}",
        m.notes
    );
}

/// Every figure of `t` times `factor`: the same timing on a machine `factor` times slower.
fn slower(t: &mut Option<crate::stats::Timing>, factor: f64) {
    if let Some(t) = t {
        t.median *= factor;
        t.min *= factor;
        t.max *= factor;
        t.ci95 = t.ci95.map(|[lo, hi]| [lo * factor, hi * factor]);
    }
}

/// In a merge of several testbeds, a row measured on a machine 3× slower than the
/// reference's (its own reference equally slower, so its ratios are unchanged) rates,
/// ranks and shows its ratios exactly as it would beside the reference: its absolute
/// timings never meet another machine's.
#[test]
fn a_row_from_another_testbed_is_rated_by_its_ratios_to_its_own_reference() {
    let r = measured();
    let alone = Matrix::build(&r, &ScoringWeights::default());
    let mut merged = r.clone();
    for v in &mut merged.variants {
        v.testbed = Some("fast".into());
    }
    let bloated = variant(&mut merged, "bloated");
    bloated.testbed = Some("slow".into());
    slower(&mut bloated.startup_ms, 3.0);
    if let Some(b) = bloated.build.as_mut() {
        slower(&mut b.incremental_s, 3.0);
        slower(&mut b.cached_s, 3.0);
    }
    let m = Matrix::build(&merged, &ScoringWeights::default());
    let row = |m: &Matrix, n: &str| m.rows.iter().find(|r| r.name == n).cloned().expect("row");
    let (before, after) = (row(&alone, "bloated"), row(&m, "bloated"));
    assert_eq!(after.ratings, before.ratings);
    assert_eq!(after.rank, before.rank);
    assert_eq!(
        after.startup_ratio,
        Some(before.vs_reference["startup_ms"].ratio)
    );
    assert_eq!(order(&m), order(&alone));
    assert!(after.startup.as_ref().expect("startup").median > 3.0 * 700.0);
    // Rated by absolute timings instead, it would have lost a speed point.
    let mut absolute = merged.clone();
    for v in &mut absolute.variants {
        v.testbed = None;
    }
    let naive = Matrix::build(&absolute, &ScoringWeights::default());
    assert!(row(&naive, "bloated").ratings.speed < before.ratings.speed);
}

#[test]
fn sizes_are_to_the_smallest_whichever_variant_is_the_reference() {
    let mut r = fixture();
    r.reference = Some("bloated".into());
    let m = Matrix::build(&r, &ScoringWeights::default());
    assert_eq!(m.reference.as_deref(), Some("bloated"));
    let row = |name: &str| m.rows.iter().find(|r| r.name == name).expect("row");
    assert!(
        row("bloated").reason.contains("1.09 GB, 8.0× the smallest"),
        "{}",
        row("bloated").reason
    );
    assert!(row("distroless").reason.contains(", the smallest;"));
    assert_eq!(
        row("bloated").ratings.size,
        Matrix::build(&fixture(), &ScoringWeights::default())
            .rows
            .iter()
            .find(|r| r.name == "bloated")
            .expect("row")
            .ratings
            .size,
        "the size rating does not move with the reference"
    );
}
