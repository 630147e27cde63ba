//! The scoring model against docs/SCORING.md's table, rule by rule: every expected rating
//! below is worked out by hand from the table's wording (the arithmetic is in the comment
//! beside it), not taken from a run of the code or a snapshot.

use crate::matrix::model::{Facts, Row, SizeView, SmokeView, Vulnerabilities};
use crate::matrix::score::{compatibility, debugging, rate_all, ratio_rating, security};
use crate::matrix::weights::ScoringWeights;
use crate::stats::Timing;

fn analysed(edit: impl FnOnce(&mut Facts)) -> Row {
    let mut facts = Facts {
        analysed: true,
        root: Some(false),
        ..Facts::default()
    };
    edit(&mut facts);
    Row {
        works: true,
        facts,
        ..Row::default()
    }
}

fn scanned(critical: u32, high: u32) -> Vulnerabilities {
    Vulnerabilities::Scanned {
        scanner: "trivy 0.0.0".into(),
        critical,
        high,
        other: 7,
    }
}

fn sh() -> Vec<String> {
    vec!["/bin/sh".into()]
}

fn apt() -> Vec<String> {
    vec!["apt".into()]
}

#[test]
fn compatibility_is_one_when_broken_and_five_minus_musl_and_unverified() {
    let smoked = SmokeView {
        total: 1,
        passed: 1,
        imports: false,
    };
    let row = |works, musl, smoke: &SmokeView| Row {
        works,
        smoke: smoke.clone(),
        facts: Facts {
            musl,
            ..Facts::default()
        },
        ..Row::default()
    };
    let none = SmokeView::default();
    assert_eq!(
        compatibility(&row(false, false, &smoked)),
        1,
        "does not work"
    );
    assert_eq!(compatibility(&row(true, false, &smoked)), 5, "5");
    assert_eq!(
        compatibility(&row(true, false, &none)),
        4,
        "5 - 1 healthy only"
    );
    assert_eq!(compatibility(&row(true, true, &smoked)), 4, "5 - 1 musl");
    assert_eq!(compatibility(&row(true, true, &none)), 3, "5 - 1 - 1");
}

#[test]
fn security_subtracts_each_penalty_of_the_table() {
    let cases: [(Row, u8, &str); 13] = [
        (analysed(|_| {}), 5, "nothing to subtract"),
        (
            analysed(|f| f.root = Some(true)),
            4,
            "5 - 1.5 = 3.5, rounded up",
        ),
        (
            analysed(|f| (f.root, f.shells) = (Some(true), sh())),
            3,
            "5 - 1.5 - 0.5 = 3",
        ),
        (
            analysed(|f| {
                (f.root, f.shells, f.package_managers) = (Some(true), sh(), apt());
                f.setuid_files = 1;
            }),
            2,
            "5 - 1.5 - 0.5 - 0.5 - 0.5 = 2",
        ),
        (
            analysed(|f| (f.root, f.shells, f.package_managers) = (Some(true), sh(), apt())),
            3,
            "5 - 1.5 - 0.5 - 0.5 = 2.5, rounded up",
        ),
        (
            analysed(|f| {
                (f.root, f.shells, f.package_managers) = (Some(true), sh(), apt());
                f.os_packages = Some(50);
            }),
            3,
            "50 packages is not more than 50: 2.5 -> 3",
        ),
        (
            analysed(|f| {
                (f.root, f.shells, f.package_managers) = (Some(true), sh(), apt());
                f.os_packages = Some(51);
            }),
            2,
            "51 packages: 2.5 - 0.5 = 2",
        ),
        (
            analysed(|f| {
                (f.root, f.shells) = (Some(true), sh());
                f.os_packages = Some(150);
            }),
            3,
            "150 packages: 5 - 1.5 - 0.5 - 0.5 = 2.5 -> 3",
        ),
        (
            analysed(|f| {
                (f.root, f.shells) = (Some(true), sh());
                f.os_packages = Some(151);
            }),
            2,
            "151 packages: 5 - 1.5 - 0.5 - 1 = 2",
        ),
        (
            analysed(|f| (f.root, f.vulnerabilities) = (Some(true), scanned(1, 0))),
            3,
            "any critical: 5 - 1.5 - 1 = 2.5 -> 3",
        ),
        (
            analysed(|f| (f.root, f.vulnerabilities) = (Some(true), scanned(0, 3))),
            3,
            "any high: 5 - 1.5 - 0.5 = 3",
        ),
        (
            analysed(|f| {
                (f.root, f.shells, f.vulnerabilities) = (Some(true), sh(), scanned(2, 9));
            }),
            2,
            "critical and high: 5 - 1.5 - 0.5 - 1 - 0.5 = 1.5 -> 2",
        ),
        (
            analysed(|f| {
                (f.root, f.shells, f.package_managers) = (Some(true), sh(), apt());
                (f.setuid_files, f.os_packages) = (4, Some(400));
                f.vulnerabilities = scanned(1, 1);
            }),
            1,
            "everything: 5 - 1.5 - 0.5 * 3 - 1 - 1 - 0.5 = -0.5, kept at 1",
        ),
    ];
    for (row, expected, why) in &cases {
        assert_eq!(security(row), Some(*expected), "{why}");
    }
    let not_scanned = analysed(|f| {
        f.root = Some(true);
        f.vulnerabilities = Vulnerabilities::NotScanned("no scanner".into());
    });
    assert_eq!(security(&not_scanned), Some(4), "not scanned costs nothing");
    assert_eq!(security(&Row::default()), None, "not analysed: n/a");
}

#[test]
fn debugging_adds_a_shell_a_package_manager_and_a_package_database() {
    assert_eq!(debugging(&analysed(|_| {})), Some(1), "1");
    assert_eq!(debugging(&analysed(|f| f.shells = sh())), Some(3), "1 + 2");
    assert_eq!(
        debugging(&analysed(|f| f.package_managers = apt())),
        Some(2)
    );
    let empty_db = analysed(|f| f.os_packages = Some(0));
    assert_eq!(debugging(&empty_db), Some(1), "a database with no package");
    let all = analysed(|f| {
        (f.shells, f.package_managers, f.os_packages) = (sh(), apt(), Some(90));
    });
    assert_eq!(debugging(&all), Some(5), "1 + 2 + 1 + 1");
    assert_eq!(debugging(&Row::default()), None, "not analysed: n/a");
}

#[test]
fn size_loses_a_point_per_doubling_within_one_and_five() {
    // 5 - log2(ratio), rounded: the table's column, then values between the doublings.
    for (ratio, expected) in [(1.0, 5), (2.0, 4), (4.0, 3), (8.0, 2), (16.0, 1)] {
        assert_eq!(ratio_rating(ratio), expected, "{ratio}x");
    }
    assert_eq!(ratio_rating(64.0), 1, "5 - 6 = -1, kept at 1");
    assert_eq!(ratio_rating(0.5), 5, "never above 5");
    assert_eq!(ratio_rating(2.9), 3, "5 - 1.536 = 3.46");
    assert_eq!(ratio_rating(2.8), 4, "5 - 1.485 = 3.51");
}

fn timed(name: &str, startup_ms: &[f64], rebuild_s: &[f64]) -> Row {
    Row {
        name: name.into(),
        works: true,
        startup: Timing::from_samples(startup_ms),
        build_incremental: Timing::from_samples(rebuild_s),
        ..Row::default()
    }
}

#[test]
fn speed_is_the_geometric_mean_of_repeated_ratios_to_the_fastest() {
    let mut rows = vec![
        timed("fast", &[100.0, 100.0, 100.0], &[1.0, 1.0, 1.0]),
        // Ratios 2 (startup) and 8 (rebuild): sqrt(16) = 4 -> 5 - 2 = 3.
        timed("slow", &[200.0, 200.0, 200.0], &[8.0, 8.0, 8.0]),
        // The single rebuild does not count: startup 400 / 100 = 4 -> 3; with it, it would
        // be sqrt(4 * 1) = 2 -> 4.
        timed("single", &[400.0, 400.0, 400.0], &[1.0]),
    ];
    rate_all(&mut rows, &ScoringWeights::default());
    let speeds: Vec<Option<u8>> = rows.iter().map(|r| r.ratings.speed).collect();
    assert_eq!(speeds, [Some(5), Some(3), Some(3)]);
}

#[test]
fn the_overall_score_is_the_weighted_mean_of_the_ratings_that_exist() {
    let mut full = analysed(|f| f.root = Some(true));
    full.name = "full".into();
    full.smoke.total = 1;
    full.size = Some(SizeView {
        total: 10,
        ratio: Some(1.0),
        ..SizeView::default()
    });
    let mut bare = full.clone();
    bare.name = "bare".into();
    bare.facts = Facts::default();
    let mut broken = full.clone();
    (broken.name, broken.works) = ("broken".into(), false);
    let mut rows = vec![full, bare, broken];
    rate_all(&mut rows, &ScoringWeights::default());
    // full: compatibility 5, security 4 (root), debugging 1, size 5, no speed:
    // (5 + 4 + 0.5 * 1 + 5) / 3.5 = 14.5 / 3.5 = 4.143 -> 4.
    assert!((rows[0].ratings.score - 14.5 / 3.5).abs() < 1e-12);
    assert_eq!(rows[0].ratings.overall, 4);
    // bare: not analysed, security and debugging drop out: (5 + 5) / 2 = 5.
    assert_eq!((rows[1].ratings.score, rows[1].ratings.overall), (5.0, 5));
    // broken: overall 1 whatever its facts.
    assert_eq!((rows[2].ratings.score, rows[2].ratings.overall), (1.0, 1));

    let security_first = ScoringWeights {
        security: 3.0,
        size: 0.0,
        ..ScoringWeights::default()
    };
    rate_all(&mut rows, &security_first);
    // (5 + 3 * 4 + 0.5 * 1) / 4.5 = 17.5 / 4.5 = 3.889 -> 4; size (weight 0) left out.
    assert!((rows[0].ratings.score - 17.5 / 4.5).abs() < 1e-12);
    // bare: compatibility alone remains: 5.
    assert_eq!(rows[1].ratings.score, 5.0);
}
