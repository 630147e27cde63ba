//! `--shard K/N` and `--testbed NAME`: a run that measures one share of the variants on
//! one named testbed, so N jobs (a CI matrix, several machines) measure them all.
//!
//! **The rule.** The variants other than the reference, sorted by name, are dealt out in
//! turn: the i-th (counting from 0) goes to shard `i mod N + 1`. The reference is measured
//! in every shard, so each shard's timings can be read as ratios to a variant measured on
//! the same testbed in the same run. The rule depends only on the set of names (not on
//! their order in the file, the machine or the run), so every job of a matrix computes
//! the same split, and shards differ in size by at most one variant.

use std::fmt;

use super::ConfigError;
use super::file::COMMAND_LINE;
use super::resolve::invalid;

/// Most shards a run can be split into.
pub(crate) const MAX_SHARDS: u32 = 1000;

/// Longest testbed name.
const MAX_TESTBED_NAME: usize = 64;

/// Shard `index` of `count` (both from 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shard {
    /// Which shard, from 1 to `count`.
    pub index: u32,
    /// How many shards the variants are split into.
    pub count: u32,
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Parse `K/N` with 1 ≤ K ≤ N ≤ [`MAX_SHARDS`].
pub(crate) fn parse_shard(text: &str) -> Result<Shard, String> {
    let usage = || format!("expected K/N with 1 ≤ K ≤ N ≤ {MAX_SHARDS}, e.g. 1/3 (got '{text}')");
    let (k, n) = text.trim().split_once('/').ok_or_else(usage)?;
    let (Ok(index), Ok(count)) = (k.trim().parse::<u32>(), n.trim().parse::<u32>()) else {
        return Err(usage());
    };
    if index == 0 || index > count || count > MAX_SHARDS {
        return Err(usage());
    }
    Ok(Shard { index, count })
}

/// The shard (from 1) `name` belongs to among `names` (which include it), the reference
/// left out: see the module's rule.
pub(crate) fn shard_of(name: &str, names: &[&str], reference: &str, count: u32) -> u32 {
    let mut others: Vec<&str> = names.iter().copied().filter(|n| *n != reference).collect();
    others.sort_unstable();
    others.dedup();
    let position = others.iter().position(|n| *n == name).unwrap_or(0);
    (position as u32) % count.max(1) + 1
}

/// Keep the variants of `shard` (and the reference) in `names`, in their order; an error
/// when no reference is set, as every shard must measure it.
pub(crate) fn select<'a>(
    names: &[&'a str],
    shard: Shard,
    reference: Option<&str>,
) -> Result<Vec<&'a str>, ConfigError> {
    let Some(reference) = reference else {
        return Err(invalid(
            COMMAND_LINE,
            "--shard",
            "needs a reference variant, measured in every shard so the shards can be \
             compared: add --reference NAME (or reference = \"NAME\" in basebench.toml)",
        ));
    };
    Ok(names
        .iter()
        .copied()
        .filter(|n| *n == reference || shard_of(n, names, reference, shard.count) == shard.index)
        .collect())
}

/// A testbed name: 1 to 64 printable characters, no surrounding spaces.
pub(crate) fn check_testbed_name(name: &str) -> Result<(), String> {
    if name.is_empty()
        || name.chars().count() > MAX_TESTBED_NAME
        || name.trim() != name
        || name.chars().any(char::is_control)
    {
        return Err(format!(
            "must be 1 to {MAX_TESTBED_NAME} printable characters without surrounding spaces, \
             e.g. ci-amd64 (got {name:?})"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn shards_parse_as_k_of_n() {
        assert_eq!(parse_shard("2/3"), Ok(Shard { index: 2, count: 3 }));
        assert_eq!(parse_shard(" 1 / 1 "), Ok(Shard { index: 1, count: 1 }));
        for bad in ["0/3", "4/3", "3", "a/b", "1/0", "1/1001", "-1/2", ""] {
            let error = parse_shard(bad).expect_err(bad);
            assert!(error.contains("expected K/N"), "{bad}: {error}");
        }
    }

    #[test]
    fn the_split_is_dealt_in_name_order_and_keeps_the_file_order() {
        let names = ["ubuntu", "alpine", "ref", "slim", "distroless"];
        let shard =
            |index| select(&names, Shard { index, count: 2 }, Some("ref")).expect("ref is set");
        // Sorted without the reference: alpine distroless slim ubuntu.
        assert_eq!(shard(1), ["alpine", "ref", "slim"]);
        assert_eq!(shard(2), ["ubuntu", "ref", "distroless"]);
    }

    #[test]
    fn sharding_without_a_reference_says_how_to_name_one() {
        let error = select(&["a", "b"], Shard { index: 1, count: 2 }, None)
            .expect_err("no reference")
            .to_string();
        assert!(
            error.contains("--shard") && error.contains("--reference NAME"),
            "{error}"
        );
    }

    #[test]
    fn testbed_names_are_short_and_printable() {
        assert!(check_testbed_name("ci-amd64 #2").is_ok());
        for bad in ["", " x", "x ", "a\nb", &"x".repeat(65)] {
            assert!(check_testbed_name(bad).is_err(), "{bad:?}");
        }
    }

    fn name_sets() -> impl Strategy<Value = (Vec<String>, usize)> {
        proptest::collection::btree_set("[a-z][a-z0-9]{0,6}", 1..30).prop_flat_map(|set| {
            let names: Vec<String> = set.into_iter().collect();
            let len = names.len();
            (Just(names).prop_shuffle(), 0..len)
        })
    }

    proptest! {
        /// Every variant other than the reference is in exactly one shard, the
        /// reference in all, and shard sizes differ by at most one.
        #[test]
        fn every_variant_lands_in_exactly_one_shard(
            (names, reference) in name_sets(),
            count in 1u32..12,
        ) {
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            let reference = names[reference];
            let shards: Vec<Vec<&str>> = (1..=count)
                .map(|index| select(&names, Shard { index, count }, Some(reference)).expect("reference is set"))
                .collect();
            for name in &names {
                let holding = shards.iter().filter(|s| s.contains(name)).count();
                let expected = if *name == reference { count as usize } else { 1 };
                prop_assert_eq!(holding, expected, "{} in {:?}", name, shards);
            }
            let sizes: Vec<usize> = shards.iter().map(Vec::len).collect();
            let (min, max) = (sizes.iter().min().expect("a shard"), sizes.iter().max().expect("a shard"));
            prop_assert!(max - min <= 1, "{:?}", sizes);
        }

        /// The split depends on the set of names, not on their order.
        #[test]
        fn the_split_does_not_depend_on_the_file_order(
            (names, reference) in name_sets(),
            count in 1u32..6,
        ) {
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            let reference = names[reference];
            let mut reversed = names.clone();
            reversed.reverse();
            for name in &names {
                prop_assert_eq!(
                    shard_of(name, &names, reference, count),
                    shard_of(name, &reversed, reference, count)
                );
            }
        }
    }
}
