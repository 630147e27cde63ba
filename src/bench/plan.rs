//! The measurement plan as data: which rounds run and in which order each visits the
//! variants. Every round lists every variant once, shuffled by a generator seeded from
//! the run's seed, so drift on a shared machine (another job, the page cache, a CPU
//! governor) spreads over all variants instead of landing on whichever measures at that
//! moment. The same seed gives the same orders (`--seed N`). Pure: the orchestrator
//! executes the rounds and skips the variants that have failed.

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand::seq::SliceRandom;

/// What a round measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A repeated cold build (the first one of each variant runs before any round).
    ColdBuild,
    /// A cached rebuild of each variant; the same rounds run again for the rebuilds after
    /// the code change, once every cached one is done.
    Rebuild,
    /// One fresh container of each variant, started and timed to the first 200.
    Startup,
    /// A share of the sequential latency requests on each variant's healthy container.
    Latency,
}

/// One round: its kind, its number among the rounds of that kind, and the order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Round {
    /// What it measures.
    pub(crate) kind: Kind,
    /// 0-based number among the rounds of its kind.
    pub(crate) index: u32,
    /// Variant indices (config order) in the order they are measured.
    pub(crate) order: Vec<usize>,
}

/// How many rounds of each kind the plan starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Counts {
    /// Variants in the run.
    pub(crate) variants: usize,
    /// Cold builds per variant (the first is not a round).
    pub(crate) cold_builds: u32,
    /// Cached + after-change rebuild rounds.
    pub(crate) rebuilds: u32,
    /// Startup rounds before adaptive ones (warm-up included).
    pub(crate) startups: u32,
    /// Latency rounds.
    pub(crate) latency: u32,
}

/// The rounds of a run, and the generator further (adaptive) startup rounds come from.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// Rounds in the order they run: cold builds, rebuilds, startups, latency.
    pub(crate) rounds: Vec<Round>,
    rng: Xoshiro256PlusPlus,
    variants: usize,
    startups: u32,
}

impl Plan {
    /// The plan for `counts`, shuffled from `seed`.
    pub(crate) fn new(counts: Counts, seed: u64) -> Plan {
        let mut plan = Plan {
            rounds: Vec::new(),
            rng: Xoshiro256PlusPlus::seed_from_u64(seed),
            variants: counts.variants,
            startups: 0,
        };
        for (kind, n) in [
            (Kind::ColdBuild, counts.cold_builds.saturating_sub(1)),
            (Kind::Rebuild, counts.rebuilds),
            (Kind::Startup, counts.startups),
        ] {
            for index in 0..n {
                let round = plan.shuffled(kind, index);
                plan.rounds.push(round);
            }
        }
        plan.startups = counts.startups;
        // Latency rounds are drawn after any adaptive startup rounds would be, from their
        // own stream, so adding startup rounds does not change the latency orders.
        let mut latency = Plan {
            rounds: Vec::new(),
            rng: Xoshiro256PlusPlus::seed_from_u64(seed ^ 0x006c_6174_656e_6379),
            variants: counts.variants,
            startups: 0,
        };
        for index in 0..counts.latency {
            let round = latency.shuffled(Kind::Latency, index);
            plan.rounds.push(round);
        }
        plan
    }

    fn shuffled(&mut self, kind: Kind, index: u32) -> Round {
        let mut order: Vec<usize> = (0..self.variants).collect();
        order.shuffle(&mut self.rng);
        Round { kind, index, order }
    }

    /// The planned rounds of one kind, in order.
    pub(crate) fn of(&self, kind: Kind) -> impl Iterator<Item = &Round> {
        self.rounds.iter().filter(move |r| r.kind == kind)
    }

    /// One more startup round (adaptive sampling), continuing the planned ones' stream.
    pub(crate) fn next_startup(&mut self) -> Round {
        let index = self.startups;
        self.startups += 1;
        self.shuffled(Kind::Startup, index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COUNTS: Counts = Counts {
        variants: 5,
        cold_builds: 2,
        rebuilds: 2,
        startups: 6,
        latency: 3,
    };

    #[test]
    fn every_round_visits_every_variant_once() {
        let plan = Plan::new(COUNTS, 1);
        let kinds: Vec<(Kind, u32)> = plan.rounds.iter().map(|r| (r.kind, r.index)).collect();
        assert_eq!(kinds.len(), 1 + 2 + 6 + 3);
        assert_eq!(kinds[0], (Kind::ColdBuild, 0));
        assert_eq!(kinds[3], (Kind::Startup, 0));
        for round in &plan.rounds {
            let mut seen = round.order.clone();
            seen.sort_unstable();
            assert_eq!(seen, vec![0, 1, 2, 3, 4], "{round:?}");
        }
        let orders: Vec<&Vec<usize>> = plan.of(Kind::Startup).map(|r| &r.order).collect();
        assert!(
            orders.windows(2).any(|w| w[0] != w[1]),
            "orders are shuffled: {orders:?}"
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_plan_and_extra_rounds() {
        let (mut a, mut b) = (Plan::new(COUNTS, 7), Plan::new(COUNTS, 7));
        assert_eq!(a.rounds, b.rounds);
        assert_eq!(a.next_startup(), b.next_startup());
        let extra = a.next_startup();
        assert_eq!((extra.kind, extra.index), (Kind::Startup, 7));
        assert_ne!(Plan::new(COUNTS, 8).rounds, Plan::new(COUNTS, 7).rounds);
        let latency = |p: &Plan| p.of(Kind::Latency).cloned().collect::<Vec<_>>();
        let more = Counts {
            startups: 9,
            ..COUNTS
        };
        assert_eq!(latency(&Plan::new(COUNTS, 7)), latency(&Plan::new(more, 7)));
    }
}
