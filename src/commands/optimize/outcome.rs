//! What `optimize` concludes from its measurements (pure): each transformation's effect
//! against the original in the same run, which ones the combination keeps and why the
//! others are left out, the best working Dockerfile, and the lint findings with what
//! fixing them measured. `optimize.json` is [`Report`] exactly.

use serde::Serialize;

use crate::dockerfile::rewrite::{Candidate, Goal};
use crate::format::bytes;
use crate::results::VariantResult;
use crate::stats::Timing;
use crate::stats::compare::Verdict;

/// The variant name of the Dockerfile as given.
pub(super) const ORIGINAL: &str = "original";
/// The variant name of the combination.
pub(super) const OPTIMIZED: &str = "optimized";

/// A measured Dockerfile: whether it works and its figures, as `run` measured them.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(super) struct Measured {
    /// Built, healthy, and every smoke command passed.
    pub(super) works: bool,
    /// Why not, when it does not work.
    pub(super) failure: Option<String>,
    /// The image's size.
    pub(super) image: Option<ImageSize>,
    /// Start to first healthy answer.
    pub(super) startup_ms: Option<Timing>,
    /// The first build, without cache.
    pub(super) cold_build_s: Option<Timing>,
    /// A rebuild after a one-file code change.
    pub(super) code_change_build_s: Option<Timing>,
}

/// The size part of [`Measured`].
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub(super) struct ImageSize {
    /// Uncompressed image size (`docker image inspect`'s `Size`).
    pub(super) size_bytes: u64,
}

impl Measured {
    /// The figures of `v`.
    pub(super) fn of(v: &VariantResult) -> Measured {
        Measured {
            works: v.works,
            failure: v.failure.clone(),
            image: v.image.as_ref().map(|i| ImageSize {
                size_bytes: i.size_bytes,
            }),
            startup_ms: v.startup_ms.clone(),
            cold_build_s: v.build.as_ref().map(|b| b.cold_s.clone()),
            code_change_build_s: v.build.as_ref().and_then(|b| b.incremental_s.clone()),
        }
    }

    /// A Dockerfile the run has no row for.
    pub(super) fn missing() -> Measured {
        Measured {
            works: false,
            failure: Some("not measured".to_string()),
            image: None,
            startup_ms: None,
            cold_build_s: None,
            code_change_build_s: None,
        }
    }

    fn size(&self) -> Option<u64> {
        self.image.map(|i| i.size_bytes)
    }
}

/// How much a safety transformation may grow the image and still cost "nothing": a user
/// added to `/etc/passwd` and its home, a few kB (measured: 8–9 kB on the article's
/// recipes), well below this.
const SAFETY_ALLOWANCE_BYTES: i64 = 1_000_000;

/// A change against the original, measured in the same run.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub(super) struct Delta {
    /// Image size, candidate − original.
    pub(super) size_bytes: Option<i64>,
    /// Median startup, candidate − original.
    pub(super) startup_ms: Option<f64>,
    /// The startup verdict against the original (`faster`, `slower`, `no clear difference`).
    pub(super) startup_verdict: Option<String>,
    /// Its Mann–Whitney p-value (`None` with a single sample on a side).
    pub(super) startup_p: Option<f64>,
    /// Median cold build, candidate − original.
    pub(super) cold_build_s: Option<f64>,
    /// Median after-a-code-change rebuild, candidate − original.
    pub(super) code_change_build_s: Option<f64>,
    /// Its verdict against the original.
    pub(super) code_change_build_verdict: Option<String>,
    /// Its Mann–Whitney p-value.
    pub(super) code_change_build_p: Option<f64>,
}

/// The p-value below which a verdict counts for keeping or leaving out a transformation.
/// With two samples a side the smallest two-sided p is 0.33, so a timing alone decides
/// only from four samples a side (`--build-runs 4`, `--runs 5` with the warm-up).
pub(super) const SIGNIFICANCE: f64 = 0.05;

/// Is `verdict` the one named, with a p-value below [`SIGNIFICANCE`]?
fn is(verdict: Option<&str>, p: Option<f64>, named: Verdict) -> bool {
    verdict == Some(named.label()) && p.is_some_and(|p| p < SIGNIFICANCE)
}

/// Median of `a` − median of `b`.
fn minus(a: Option<&Timing>, b: Option<&Timing>) -> Option<f64> {
    Some(a?.median - b?.median)
}

impl Delta {
    /// `candidate` against `original`; verdicts from the candidate's `vs_reference` (the
    /// original is the run's reference).
    pub(super) fn between(candidate: &VariantResult, original: &VariantResult) -> Delta {
        let (c, o) = (Measured::of(candidate), Measured::of(original));
        let verdict = |key: &str| {
            candidate
                .vs_reference
                .get(key)
                .map(|cmp| cmp.verdict.label().to_string())
        };
        let p = |key: &str| candidate.vs_reference.get(key).and_then(|cmp| cmp.p_value);
        Delta {
            size_bytes: match (c.size(), o.size()) {
                (Some(a), Some(b)) => Some(a as i64 - b as i64),
                _ => None,
            },
            startup_ms: minus(c.startup_ms.as_ref(), o.startup_ms.as_ref()),
            startup_verdict: verdict("startup_ms"),
            startup_p: p("startup_ms"),
            cold_build_s: minus(c.cold_build_s.as_ref(), o.cold_build_s.as_ref()),
            code_change_build_s: minus(
                c.code_change_build_s.as_ref(),
                o.code_change_build_s.as_ref(),
            ),
            code_change_build_verdict: verdict("build_incremental_s"),
            code_change_build_p: p("build_incremental_s"),
        }
    }

    /// Does it cost anything measurable: more than [`SAFETY_ALLOWANCE_BYTES`] of image,
    /// or a slower verdict?
    fn costs(&self) -> bool {
        !self.cost_words().is_empty()
    }

    /// What [`Delta::costs`] found, in words.
    fn cost_words(&self) -> Vec<String> {
        let mut words = Vec::new();
        if let Some(d) = self.size_bytes.filter(|d| *d > SAFETY_ALLOWANCE_BYTES) {
            words.push(format!("{} of image", signed_bytes(d)));
        }
        if is(
            self.startup_verdict.as_deref(),
            self.startup_p,
            Verdict::Slower,
        ) {
            words.push("a slower startup".to_string());
        }
        if is(
            self.code_change_build_verdict.as_deref(),
            self.code_change_build_p,
            Verdict::Slower,
        ) {
            words.push("a slower rebuild after a code change".to_string());
        }
        words
    }

    /// Did it save anything that is more than noise: bytes, or a faster verdict with a
    /// p-value below [`SIGNIFICANCE`]?
    fn saves(&self) -> bool {
        self.size_bytes.is_some_and(|d| d < 0)
            || is(
                self.startup_verdict.as_deref(),
                self.startup_p,
                Verdict::Faster,
            )
            || is(
                self.code_change_build_verdict.as_deref(),
                self.code_change_build_p,
                Verdict::Faster,
            )
    }
}

/// One transformation's row.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(super) struct Row {
    /// The transformation.
    pub(super) name: &'static str,
    /// What it does.
    pub(super) doc: &'static str,
    /// What it is for (`savings` / `safety`), which decides when it is kept.
    pub(super) goal: Goal,
    /// Does it apply to the Dockerfile?
    pub(super) applies: bool,
    /// Why not, when it does not.
    pub(super) reason_if_not: Option<String>,
    /// Was it measured (applies and rewrites the Dockerfile)?
    pub(super) measured: bool,
    /// Did the app keep working with it? `None` when not measured.
    pub(super) works: Option<bool>,
    /// Why it failed, when it did.
    pub(super) failure: Option<String>,
    /// Its effect against the original, when measured.
    pub(super) delta: Option<Delta>,
    /// Is it in the combination?
    pub(super) kept: bool,
    /// Why it is left out, when it applies.
    pub(super) left_out: Option<String>,
    /// The rewritten file, relative to the output directory.
    pub(super) file: Option<String>,
    /// The diff it made.
    pub(super) diff: Option<String>,
}

/// The rows of run 1: every candidate against the original among `variants`.
pub(super) fn rows(candidates: &[Candidate], variants: &[VariantResult]) -> Vec<Row> {
    let original = variants.iter().find(|v| v.name == ORIGINAL);
    candidates
        .iter()
        .map(|c| {
            let measured = variants.iter().find(|v| v.name == c.name);
            let delta = match (measured, original) {
                (Some(m), Some(o)) => Some(Delta::between(m, o)),
                _ => None,
            };
            let works = measured.map(|m| m.works);
            let repairs = works == Some(true) && original.is_some_and(|o| !o.works);
            let left_out = if !c.applies {
                None
            } else if measured.is_none() {
                Some(match c.target {
                    crate::dockerfile::rewrite::Target::Dockerignore => {
                        "changes the build context, not the image: proposed, not measured"
                            .to_string()
                    }
                    _ => "not measured (the run stopped first)".to_string(),
                })
            } else if works == Some(false) {
                Some(format!(
                    "the app fails with it: {}",
                    measured.and_then(|m| m.failure.clone()).unwrap_or_default()
                ))
            } else if repairs {
                None
            } else if c.goal == Goal::Safety {
                delta
                    .as_ref()
                    .filter(|d| d.costs())
                    .map(|d| format!("a safety fix, but it costs: {}", d.cost_words().join(", ")))
            } else if !delta.as_ref().is_some_and(Delta::saves) {
                Some(
                    "saves nothing measurable: no smaller image, no faster startup or \
                     rebuild after a code change (a `faster` verdict with p < 0.05)"
                        .to_string(),
                )
            } else {
                None
            };
            Row {
                name: c.name,
                doc: c.doc,
                goal: c.goal,
                applies: c.applies,
                reason_if_not: c.reason_if_not.clone(),
                measured: measured.is_some(),
                works,
                failure: measured.and_then(|m| m.failure.clone()),
                delta,
                kept: c.applies && left_out.is_none(),
                left_out,
                file: None,
                diff: c.diff.clone(),
            }
        })
        .collect()
}

/// The Dockerfile basebench hands back.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(super) struct Best {
    /// The transformations in it, in the order applied (none: the original is best).
    pub(super) transformations: Vec<&'static str>,
    /// Its figures, from the run that measured it with the original.
    #[serde(flatten)]
    pub(super) measured: Measured,
    /// Against the original in that run.
    pub(super) delta: Option<Delta>,
    /// `Dockerfile.optimized` when it is a rewrite.
    pub(super) file: Option<String>,
    /// How it was chosen, when not simply the combination as measured.
    pub(super) note: Option<String>,
}

/// A lint finding of the original with the transformation that fixes it and what that
/// measured.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(super) struct Finding {
    /// Line of the instruction.
    pub(super) line: usize,
    /// The lint rule.
    pub(super) rule: String,
    /// What is wrong.
    pub(super) message: String,
    /// The transformation that fixes it.
    pub(super) fixed_by: &'static str,
    /// "fixing it saved 41.7 MB", or why nothing was measured.
    pub(super) measured: String,
}

/// The transformation that fixes a lint rule.
fn fixing(rule: &str) -> Option<&'static str> {
    Some(match rule {
        "apt-install-recommends" => "apt-no-install-recommends",
        "apt-lists-kept" | "apt-update-alone" => "apt-lists-removed",
        "pip-cache" => "pip-no-cache-dir",
        "copy-all-before-install" => "layer-order",
        "root-local-unreadable" | "final-user-root" => "non-root-user",
        _ => return None,
    })
}

/// The original's findings that a transformation fixes, with its measured effect.
pub(super) fn findings(original: &VariantResult, rows: &[Row]) -> Vec<Finding> {
    original
        .findings
        .iter()
        .filter_map(|f| {
            let fixed_by = fixing(&f.rule)?;
            let row = rows.iter().find(|r| r.name == fixed_by)?;
            let measured = match (&row.works, &row.delta) {
                (Some(false), _) => "fixing it this way made the app fail".to_string(),
                (Some(true), Some(d)) if !original.works => match d.size_bytes {
                    Some(s) => format!("fixing it made the app work ({})", signed_bytes(s)),
                    None => "fixing it made the app work".to_string(),
                },
                (Some(true), Some(d)) if row.goal == Goal::Safety => {
                    match (row.kept, d.size_bytes) {
                        (true, Some(s)) => {
                            format!("fixing it cost nothing measurable ({})", signed_bytes(s))
                        }
                        (true, None) => "fixing it cost nothing measurable".to_string(),
                        (false, _) => format!("fixing it costs: {}", d.cost_words().join(", ")),
                    }
                }
                (
                    Some(true),
                    Some(Delta {
                        size_bytes: Some(s),
                        ..
                    }),
                ) if *s < 0 => format!("fixing it saved {}", bytes(s.unsigned_abs())),
                (Some(true), Some(_)) => "fixing it saved no bytes".to_string(),
                _ => "not measured".to_string(),
            };
            Some(Finding {
                line: f.line,
                rule: f.rule.clone(),
                message: f.message.clone(),
                fixed_by,
                measured,
            })
        })
        .collect()
}

/// `−41.7 MB` / `+1.2 kB`.
pub(super) fn signed_bytes(d: i64) -> String {
    let sign = if d < 0 { "−" } else { "+" };
    format!("{sign}{}", bytes(d.unsigned_abs()))
}

/// Which run measured what.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(super) struct Runs {
    /// The run of the original and every transformation alone (`candidates/`).
    pub(super) candidates: String,
    /// The run of the original and the combination (`best/`), when there was one.
    pub(super) combination: Option<String>,
}

/// `optimize.json`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(super) struct Report {
    /// The Dockerfile optimized.
    pub(super) dockerfile: String,
    /// Its build context.
    pub(super) context: String,
    /// The runs (their reports are in the subdirectories).
    pub(super) runs: Runs,
    /// The Dockerfile as given, from the first run.
    pub(super) original: Measured,
    /// Every transformation, in priority order.
    pub(super) transformations: Vec<Row>,
    /// The original's lint findings with what fixing them measured.
    pub(super) findings: Vec<Finding>,
    /// What basebench hands back.
    pub(super) best: Best,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::results::{BuildFacts, DockerfileFinding, ImageFacts};
    use crate::stats::compare::Comparison;

    fn timing(median: f64) -> Timing {
        Timing::from_samples(&[median, median]).expect("timing")
    }

    fn variant(name: &str, works: bool, size: u64, code_change: f64) -> VariantResult {
        VariantResult {
            name: name.to_string(),
            works,
            failure: (!works).then(|| "exited with code 1".to_string()),
            image: Some(ImageFacts {
                size_bytes: size,
                ..ImageFacts::default()
            }),
            build: Some(BuildFacts {
                cold_s: timing(10.0),
                incremental_s: Some(timing(code_change)),
                ..BuildFacts::default()
            }),
            startup_ms: Some(timing(500.0)),
            ..VariantResult::default()
        }
    }

    fn candidate(name: &'static str, applies: bool) -> Candidate {
        Candidate {
            name,
            doc: "",
            target: crate::dockerfile::rewrite::Target::Dockerfile,
            goal: if name == "non-root-user" {
                Goal::Safety
            } else {
                Goal::Savings
            },
            applies,
            reason_if_not: (!applies).then(|| "nothing to do".to_string()),
            text: applies.then(String::new),
            diff: applies.then(String::new),
        }
    }

    /// A same-size candidate whose code-change rebuild has a `faster` verdict with `p`.
    fn faster_than_original(p: f64) -> VariantResult {
        let mut v = variant("candidate", true, 1000, 9.0);
        v.vs_reference.insert(
            "build_incremental_s".into(),
            Comparison {
                ratio: 0.9,
                ci95: [0.85, 0.95],
                p_value: Some(p),
                verdict: Verdict::Faster,
            },
        );
        v
    }

    #[test]
    fn a_transformation_is_kept_when_it_works_and_saves_and_left_out_with_why_otherwise() {
        let mut faster = variant("layer-order", true, 1000, 2.0);
        faster.vs_reference.insert(
            "build_incremental_s".into(),
            Comparison {
                ratio: 0.2,
                ci95: [0.1, 0.3],
                p_value: Some(0.01),
                verdict: Verdict::Faster,
            },
        );
        let r = vec![
            variant(ORIGINAL, true, 1000, 10.0),
            variant("merge-runs", true, 800, 10.0),
            variant("non-root-user", false, 1000, 10.0),
            variant("pip-no-cache-dir", true, 1000, 9.0),
            faster,
        ];
        let rows = rows(
            &[
                candidate("merge-runs", true),
                candidate("non-root-user", true),
                candidate("pip-no-cache-dir", true),
                candidate("layer-order", true),
                candidate("apk-no-cache", false),
            ],
            &r,
        );
        let by = |n: &str| rows.iter().find(|r| r.name == n).expect("row");
        assert!(by("merge-runs").kept);
        assert_eq!(
            by("merge-runs").delta.as_ref().unwrap().size_bytes,
            Some(-200)
        );
        assert!(!by("non-root-user").kept);
        assert!(
            by("non-root-user")
                .left_out
                .as_deref()
                .unwrap()
                .contains("the app fails with it: exited with code 1")
        );
        assert!(
            !by("pip-no-cache-dir").kept,
            "a second less without a verdict is noise"
        );
        let mut by_chance = faster_than_original(0.33);
        by_chance.name = "merge-runs".into();
        let r2 = vec![variant(ORIGINAL, true, 1000, 10.0), by_chance];
        let chance = super::rows(&[candidate("merge-runs", true)], &r2);
        assert!(
            !chance[0].kept,
            "a `faster` interval from two samples a side (p 0.33) is not a saving"
        );
        assert!(
            by("layer-order").kept,
            "a faster rebuild verdict is a saving"
        );
        assert!(!by("apk-no-cache").kept && by("apk-no-cache").left_out.is_none());
    }

    #[test]
    fn a_safety_fix_is_kept_when_it_costs_nothing_measurable() {
        let r = vec![
            variant(ORIGINAL, true, 100_000_000, 10.0),
            variant("non-root-user", true, 100_009_000, 10.0),
        ];
        let rows_free = rows(&[candidate("non-root-user", true)], &r);
        assert!(rows_free[0].kept, "{:?}", rows_free[0].left_out);
        let mut slower = variant("non-root-user", true, 100_009_000, 12.0);
        slower.vs_reference.insert(
            "build_incremental_s".into(),
            Comparison {
                ratio: 1.2,
                ci95: [1.1, 1.3],
                p_value: Some(0.01),
                verdict: Verdict::Slower,
            },
        );
        let r = vec![variant(ORIGINAL, true, 100_000_000, 10.0), slower];
        let rows_costly = rows(&[candidate("non-root-user", true)], &r);
        assert!(!rows_costly[0].kept);
        assert_eq!(
            rows_costly[0].left_out.as_deref(),
            Some("a safety fix, but it costs: a slower rebuild after a code change")
        );
    }

    #[test]
    fn a_repair_of_a_failing_original_is_kept_and_its_finding_says_so() {
        let mut original = variant(ORIGINAL, false, 1000, 10.0);
        original.findings.push(DockerfileFinding {
            line: 7,
            rule: "root-local-unreadable".into(),
            message: "packages in /root/.local".into(),
            ..DockerfileFinding::default()
        });
        let r = vec![original.clone(), variant("non-root-user", true, 1010, 10.0)];
        let rows = rows(&[candidate("non-root-user", true)], &r);
        assert!(rows[0].kept, "{:?}", rows[0].left_out);
        let f = findings(&original, &rows);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].fixed_by, "non-root-user");
        assert_eq!(f[0].measured, "fixing it made the app work (+10 B)");
    }
}
