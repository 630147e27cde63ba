//! One variant in two runs, side by side: for each tracked figure the old value, the new
//! value and the change in percent. `compare` shows every figure, `check` limits the
//! growth of the [`Figure::REGRESSION`] ones, and `trend` shows each run's change from the
//! previous one; all three go through [`Pair::change`], so the percent is computed once.

use std::collections::{HashMap, HashSet};

use super::{RunResults, VariantResult};
use crate::format::{bytes, millis, seconds};

/// A figure followed from one run to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Figure {
    /// Image size in bytes.
    Size,
    /// Median cold build, in seconds.
    ColdBuild,
    /// Median rebuild after the code change, in seconds.
    Incremental,
    /// Median startup to the first 200, in milliseconds.
    Startup,
    /// 95th percentile of the sequential latency, in milliseconds.
    P95,
    /// Peak memory under load, in bytes.
    PeakMemory,
}

impl Figure {
    /// Every figure, in the order `compare` shows them.
    pub(crate) const ALL: [Figure; 6] = [
        Figure::Size,
        Figure::ColdBuild,
        Figure::Incremental,
        Figure::Startup,
        Figure::P95,
        Figure::PeakMemory,
    ];

    /// The figures whose growth `check --max-regression` limits (and `trend` follows).
    pub(crate) const REGRESSION: [Figure; 3] = [Figure::Size, Figure::ColdBuild, Figure::Startup];

    /// Short label, as table headers and gate rows print it.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Figure::Size => "size",
            Figure::ColdBuild => "cold build",
            Figure::Incremental => "after change",
            Figure::Startup => "startup",
            Figure::P95 => "p95",
            Figure::PeakMemory => "peak memory",
        }
    }

    /// A value of this figure in its unit (`287.0 MB`, `31.4 s`, `598 ms`).
    pub(crate) fn show(self, value: f64) -> String {
        match self {
            Figure::Size | Figure::PeakMemory => bytes(value.max(0.0).round() as u64),
            Figure::ColdBuild | Figure::Incremental => seconds(value),
            Figure::Startup | Figure::P95 => millis(value),
        }
    }
}

/// Something that carries the tracked figures of one variant: a results row, or a
/// history summary (which holds only some of them).
pub(crate) trait Figures {
    /// The variant's name.
    fn name(&self) -> &str;
    /// The value of `figure`, when it was measured.
    fn figure(&self, figure: Figure) -> Option<f64>;
}

impl Figures for VariantResult {
    fn name(&self) -> &str {
        &self.name
    }

    fn figure(&self, figure: Figure) -> Option<f64> {
        match figure {
            Figure::Size => self.image.as_ref().map(|i| i.size_bytes as f64),
            Figure::ColdBuild => self.build.as_ref().map(|b| b.cold_s.median),
            Figure::Incremental => self
                .build
                .as_ref()
                .and_then(|b| b.incremental_s.as_ref())
                .map(|t| t.median),
            Figure::Startup => self.startup_ms.as_ref().map(|t| t.median),
            Figure::P95 => self.latency_ms.as_ref().map(|l| l.p95),
            Figure::PeakMemory => self.memory_bytes.as_ref().map(|m| m.peak as f64),
        }
    }
}

/// One figure in both runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Change {
    /// Which figure.
    pub(crate) figure: Figure,
    /// Its value in the old run, when measured there.
    pub(crate) old: Option<f64>,
    /// Its value in the new run, when measured there.
    pub(crate) new: Option<f64>,
}

impl Change {
    /// `(new − old) / old` in percent; `None` when either value is missing or the old
    /// one is not positive (a change from zero has no percent).
    pub(crate) fn percent(&self) -> Option<f64> {
        match (self.old, self.new) {
            (Some(old), Some(new)) if old > 0.0 => Some((new - old) / old * 100.0),
            _ => None,
        }
    }
}

/// One variant in the old and the new run; either side is `None` when the variant is
/// absent from that run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pair<'a, T> {
    /// The variant's name.
    pub(crate) name: &'a str,
    /// Its row in the old run.
    pub(crate) old: Option<&'a T>,
    /// Its row in the new run.
    pub(crate) new: Option<&'a T>,
}

impl<'a, T: Figures> Pair<'a, T> {
    /// The variant's rows in two runs (either may be absent).
    pub(crate) fn new(name: &'a str, old: Option<&'a T>, new: Option<&'a T>) -> Self {
        Pair { name, old, new }
    }

    /// One figure, old and new.
    pub(crate) fn change(&self, figure: Figure) -> Change {
        Change {
            figure,
            old: self.old.and_then(|v| v.figure(figure)),
            new: self.new.and_then(|v| v.figure(figure)),
        }
    }

    /// Several figures, old and new, in the order given.
    pub(crate) fn changes(&self, figures: &[Figure]) -> Vec<Change> {
        figures.iter().map(|f| self.change(*f)).collect()
    }
}

/// Every variant of either run, paired by name: the new run's order first, then the
/// variants only the old run has. A name is looked up in an index, never searched for,
/// so pairing is linear in the number of variants; a name a run lists twice pairs with
/// its first row there.
pub(crate) fn pair_up<'a, T: Figures>(old: &'a [T], new: &'a [T]) -> Vec<Pair<'a, T>> {
    let mut old_by_name: HashMap<&'a str, &'a T> = HashMap::with_capacity(old.len());
    for o in old {
        old_by_name.entry(o.name()).or_insert(o);
    }
    let new_names: HashSet<&str> = new.iter().map(Figures::name).collect();
    let mut pairs: Vec<Pair<'a, T>> = new
        .iter()
        .map(|n| Pair::new(n.name(), old_by_name.get(n.name()).copied(), Some(n)))
        .collect();
    let mut listed: HashSet<&str> = HashSet::new();
    for o in old {
        if !new_names.contains(o.name()) && listed.insert(o.name()) {
            pairs.push(Pair::new(o.name(), Some(o), None));
        }
    }
    pairs
}

/// The facts two runs' testbeds differ in, as `what: old → new` (empty when they match).
/// Files without a testbed (schema 1) are read from their `host`.
pub(crate) fn testbed_differences(old: &RunResults, new: &RunResults) -> Vec<String> {
    fn facts(r: &RunResults) -> [(&'static str, String); 7] {
        let h = &r.host;
        let t = r.testbed.as_ref();
        let or = |v: Option<String>, fallback: &str| v.unwrap_or_else(|| fallback.to_string());
        [
            ("testbed", or(t.and_then(|t| t.name.clone()), "unnamed")),
            (
                "engine",
                // Files from before the kind was recorded were all Docker.
                format!(
                    "{} {}",
                    if h.engine.is_empty() {
                        "Docker"
                    } else {
                        &h.engine
                    },
                    h.engine_version
                ),
            ),
            (
                "storage driver",
                or(t.map(|t| t.storage_driver.clone()), &h.storage_driver),
            ),
            ("kernel", h.kernel.clone()),
            ("CPU", or(t.and_then(|t| t.cpu_model.clone()), "")),
            ("CPUs", h.cpus.to_string()),
            ("memory", bytes(h.memory_bytes)),
        ]
    }
    facts(old)
        .into_iter()
        .zip(facts(new))
        .filter(|((_, a), (_, b))| !a.is_empty() && !b.is_empty() && a != b)
        .map(|((what, a), (_, b))| format!("{what}: {a} → {b}"))
        .collect()
}

/// Every variant of two results files, paired by name (see [`pair_up`]).
pub(crate) fn compare<'a>(
    old: &'a RunResults,
    new: &'a RunResults,
) -> Vec<Pair<'a, VariantResult>> {
    pair_up(&old.variants, &new.variants)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::ImageFacts;

    fn sized(name: &str, size: Option<u64>) -> VariantResult {
        VariantResult {
            name: name.into(),
            image: size.map(|size_bytes| ImageFacts {
                size_bytes,
                ..ImageFacts::default()
            }),
            ..VariantResult::default()
        }
    }

    #[test]
    fn the_change_is_new_minus_old_over_old() {
        let (old, new) = (sized("a", Some(200)), sized("a", Some(250)));
        let change = Pair::new("a", Some(&old), Some(&new)).change(Figure::Size);
        assert_eq!((change.old, change.new), (Some(200.0), Some(250.0)));
        assert_eq!(change.percent(), Some(25.0));
        let shrink = Pair::new("a", Some(&new), Some(&old)).change(Figure::Size);
        assert_eq!(shrink.percent(), Some(-20.0));
    }

    #[test]
    fn no_percent_without_both_values_or_from_zero() {
        let (zero, some, none) = (sized("a", Some(0)), sized("a", Some(5)), sized("a", None));
        let percent = |o: &VariantResult, n: &VariantResult| {
            Pair::new("a", Some(o), Some(n))
                .change(Figure::Size)
                .percent()
        };
        assert_eq!(percent(&zero, &some), None);
        assert_eq!(percent(&none, &some), None);
        assert_eq!(percent(&some, &none), None);
        let absent = Pair::new("a", None, Some(&some)).change(Figure::Size);
        assert_eq!((absent.old, absent.new), (None, Some(5.0)));
    }

    #[test]
    fn pairs_follow_the_new_order_then_the_old_only_variants() {
        let old = vec![sized("gone", None), sized("b", None), sized("a", None)];
        let new = vec![sized("a", None), sized("b", None), sized("fresh", None)];
        let pairs = pair_up(&old, &new);
        let seen: Vec<(&str, bool, bool)> = pairs
            .iter()
            .map(|p| (p.name, p.old.is_some(), p.new.is_some()))
            .collect();
        assert_eq!(
            seen,
            [
                ("a", true, true),
                ("b", true, true),
                ("fresh", false, true),
                ("gone", true, false)
            ]
        );
    }

    #[test]
    fn testbeds_that_differ_are_named_fact_by_fact() {
        let read = |text: &str| -> RunResults { serde_json::from_str(text).expect("fixture") };
        let old = read(include_str!("../../tests/fixtures/results/article.json"));
        let mut new = read(include_str!("../../tests/fixtures/results/article-v2.json"));
        assert_eq!(testbed_differences(&old, &new), Vec::<String>::new());
        new.host.cpus = 8;
        new.host.engine_version = "29.0.1".into();
        assert_eq!(
            testbed_differences(&old, &new),
            [
                "engine: Docker 20.10.24+dfsg1 → Docker 29.0.1",
                "CPUs: 2 → 8"
            ]
        );
    }

    #[test]
    fn pairing_is_linear_in_the_number_of_variants() {
        // 50,000 variants on each side, no name in common: pairing them name by name
        // against a list compares 2.5 billion names (150 s in a debug build); an index
        // looks each up once (under 1 s).
        let old: Vec<_> = (0..50_000)
            .map(|i| sized(&format!("old-{i}"), None))
            .collect();
        let new: Vec<_> = (0..50_000)
            .map(|i| sized(&format!("new-{i}"), None))
            .collect();
        let started = std::time::Instant::now();
        let pairs = pair_up(&old, &new);
        let elapsed = started.elapsed();
        assert_eq!(pairs.len(), 100_000);
        assert_eq!((pairs[0].name, pairs[50_000].name), ("new-0", "old-0"));
        assert!(
            elapsed < std::time::Duration::from_secs(20),
            "took {elapsed:?}"
        );
    }

    #[test]
    fn a_name_twice_in_a_run_pairs_with_its_first_row_once() {
        let old = vec![sized("a", Some(1)), sized("a", Some(2))];
        let new = vec![sized("a", Some(3)), sized("a", Some(4))];
        let pairs = pair_up(&old, &new);
        let sizes: Vec<(Option<f64>, Option<f64>)> = pairs
            .iter()
            .map(|p| {
                let c = p.change(Figure::Size);
                (c.old, c.new)
            })
            .collect();
        assert_eq!(sizes, [(Some(1.0), Some(3.0)), (Some(1.0), Some(4.0))]);
    }

    #[test]
    fn figures_are_shown_in_their_unit() {
        assert_eq!(Figure::Size.show(287_000_000.0), "287.0 MB");
        assert_eq!(Figure::ColdBuild.show(31.4), "31.4 s");
        assert_eq!(Figure::Startup.show(598.0), "598 ms");
        assert_eq!(Figure::P95.show(2.8), "2.80 ms");
    }
}
