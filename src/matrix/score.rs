//! The scoring model: ratings 1–5 from measured facts, the overall rating from the
//! weights, and the ranking. docs/SCORING.md explains every rule here; keep them in step.

use std::cmp::Ordering;

use crate::matrix::model::{Ratings, Row, Vulnerabilities};
use crate::matrix::weights::ScoringWeights;
use crate::stats::{Timing, Verdict};

/// Penalty (in rating points) for running as root.
pub(crate) const ROOT_PENALTY: f64 = 1.5;
/// Penalty for a shell in the image.
pub(crate) const SHELL_PENALTY: f64 = 0.5;
/// Penalty for a package manager in the image.
pub(crate) const PACKAGE_MANAGER_PENALTY: f64 = 0.5;
/// Penalty for any setuid/setgid file.
pub(crate) const SETUID_PENALTY: f64 = 0.5;

fn clamp_rating(points: f64) -> u8 {
    points.clamp(1.0, 5.0).round() as u8
}

/// Rating from a ratio to the best variant: 5 at 1×, one point less per doubling.
pub(crate) fn ratio_rating(ratio: f64) -> u8 {
    clamp_rating(5.0 - ratio.max(1.0).log2())
}

/// Compatibility: 1 when it does not work; otherwise 5, minus 1 for musl libc (wheels and
/// binaries built for glibc may not run) and minus 1 when no smoke command verified it.
pub(crate) fn compatibility(row: &Row) -> u8 {
    if !row.works {
        return 1;
    }
    let mut points = 5.0;
    if row.facts.musl {
        points -= 1.0;
    }
    if row.smoke.total == 0 {
        points -= 1.0;
    }
    clamp_rating(points)
}

/// Security: 5 minus penalties for root, shell, package manager, setuid files, many OS
/// packages and (only when scanned) critical/high vulnerabilities.
pub(crate) fn security(row: &Row) -> Option<u8> {
    let f = &row.facts;
    if !f.analysed {
        return None;
    }
    let mut points = 5.0;
    if f.root == Some(true) {
        points -= ROOT_PENALTY;
    }
    if !f.shells.is_empty() {
        points -= SHELL_PENALTY;
    }
    if !f.package_managers.is_empty() {
        points -= PACKAGE_MANAGER_PENALTY;
    }
    if f.setuid_files > 0 {
        points -= SETUID_PENALTY;
    }
    points -= match f.os_packages {
        Some(n) if n > 150 => 1.0,
        Some(n) if n > 50 => 0.5,
        _ => 0.0,
    };
    if let Vulnerabilities::Scanned { critical, high, .. } = &f.vulnerabilities {
        if *critical > 0 {
            points -= 1.0;
        }
        if *high > 0 {
            points -= 0.5;
        }
    }
    Some(clamp_rating(points))
}

/// Debugging: 1, plus 2 for a shell, 1 for a package manager, 1 for an OS package database.
pub(crate) fn debugging(row: &Row) -> Option<u8> {
    let f = &row.facts;
    if !f.analysed {
        return None;
    }
    let mut points = 1.0;
    if !f.shells.is_empty() {
        points += 2.0;
    }
    if !f.package_managers.is_empty() {
        points += 1.0;
    }
    if f.os_packages.is_some_and(|n| n > 0) {
        points += 1.0;
    }
    Some(clamp_rating(points))
}

/// The timings speed rests on: startup, and the rebuild after a code change and the cold
/// build when they were repeated (a single build has no interval: one cold build includes
/// whatever the network did that minute, one rebuild whatever else the machine did).
pub(crate) fn speed_timings(row: &Row) -> [(&'static str, Option<&Timing>); 3] {
    [
        ("startup_ms", row.startup.as_ref()),
        (
            "build_incremental_s",
            row.build_incremental
                .as_ref()
                .filter(|t| !t.is_single_run()),
        ),
        (
            "build_cold_s",
            row.build_cold.as_ref().filter(|t| !t.is_single_run()),
        ),
    ]
}

/// A timing's value for rating: the reference's median when the row is the reference or
/// not distinguishable from it (so such rows rate alike), else the row's own median. A
/// row from another testbed than the reference's (a merge of several) is never rated by
/// its absolute timing: its ratio to the reference measured on its own testbed, times
/// the reference's median, stands for it; without that ratio the timing is left out.
fn effective(
    row: &Row,
    key: &str,
    t: &Timing,
    reference: Option<f64>,
    other_testbed: bool,
) -> Option<f64> {
    let comparison = row.vs_reference.get(key);
    let same =
        row.is_reference || comparison.is_some_and(|c| c.verdict == Verdict::NoClearDifference);
    match reference {
        Some(r) if same => Some(r),
        Some(r) if other_testbed => comparison.map(|c| r * c.ratio),
        _ if other_testbed => None,
        _ => Some(t.median),
    }
}

/// Speed: geometric mean, over [`speed_timings`], of each timing's ratio to the fastest
/// working variant's, rated like size (5 at 1×, one point less per doubling).
fn speed_ratings(rows: &[Row]) -> Vec<Option<u8>> {
    let reference = rows.iter().find(|r| r.is_reference);
    let keys: Vec<&str> = speed_timings(&Row::default())
        .iter()
        .map(|(k, _)| *k)
        .collect();
    let mut ratios: Vec<Vec<f64>> = vec![Vec::new(); rows.len()];
    for (slot, key) in keys.iter().enumerate() {
        let timing = |r: &Row| speed_timings(r)[slot].1.cloned();
        let ref_median = reference.and_then(&timing).map(|t| t.median);
        let values: Vec<Option<f64>> = rows
            .iter()
            .map(|r| {
                let t = timing(r).filter(|_| r.works)?;
                let other_testbed = reference.is_some_and(|x| x.testbed != r.testbed);
                effective(r, key, &t, ref_median, other_testbed).filter(|v| *v > 0.0)
            })
            .collect();
        let Some(best) = values.iter().flatten().copied().min_by(f64::total_cmp) else {
            continue;
        };
        for (i, v) in values.iter().enumerate() {
            if let Some(v) = v {
                ratios[i].push(v / best);
            }
        }
    }
    ratios
        .iter()
        .zip(rows)
        .map(|(r, row)| {
            (row.works && !r.is_empty()).then(|| {
                let product: f64 = r.iter().product();
                ratio_rating(product.powf(1.0 / r.len() as f64))
            })
        })
        .collect()
}

/// Weighted mean of the ratings that exist; a missing rating drops out with its weight.
fn overall(r: &Ratings, w: &ScoringWeights) -> f64 {
    let parts = [
        (Some(r.compatibility), w.compatibility),
        (r.security, w.security),
        (r.debugging, w.debugging),
        (r.size, w.size),
        (r.speed, w.speed),
    ];
    let (sum, weight) = parts
        .iter()
        .filter_map(|(rating, w)| rating.map(|v| (f64::from(v) * w, *w)))
        .fold((0.0, 0.0), |(s, t), (v, w)| (s + v, t + w));
    if weight > 0.0 {
        sum / weight
    } else {
        f64::from(r.compatibility)
    }
}

/// Fill the ratings of every row.
pub(crate) fn rate_all(rows: &mut [Row], weights: &ScoringWeights) {
    let speeds = speed_ratings(rows);
    for (row, speed) in rows.iter_mut().zip(speeds) {
        let mut ratings = Ratings {
            compatibility: compatibility(row),
            security: security(row),
            debugging: debugging(row),
            size: row
                .size
                .as_ref()
                .and_then(|s| s.ratio)
                .filter(|_| row.works)
                .map(ratio_rating),
            speed,
            overall: 1,
            score: 1.0,
        };
        if row.works {
            ratings.score = overall(&ratings, weights);
            ratings.overall = clamp_rating(ratings.score);
        }
        row.ratings = ratings;
    }
}

/// Working before failing, then higher score, smaller image, name, config order.
fn compare(a: &Row, b: &Row) -> Ordering {
    let size = |r: &Row| r.size.as_ref().map_or(u64::MAX, |s| s.total);
    b.works
        .cmp(&a.works)
        .then(b.ratings.score.total_cmp(&a.ratings.score))
        .then(size(a).cmp(&size(b)))
        .then(a.name.cmp(&b.name))
}

/// Order rows best first, set each row's rank, and return the order as indices. Working
/// rows with equal scores share a rank (1, 2, 2, 4); failing rows rank after them, one
/// each.
pub(crate) fn rank(rows: &mut [Row]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| compare(&rows[a], &rows[b]).then(a.cmp(&b)));
    let mut previous: Option<(usize, f64)> = None;
    for (pos, &i) in order.iter().enumerate() {
        let row = &rows[i];
        let rank = match previous {
            Some((rank, score)) if row.works && score == row.ratings.score => rank,
            _ => pos + 1,
        };
        previous = row.works.then_some((rank, row.ratings.score));
        rows[i].rank = rank;
    }
    order
}
