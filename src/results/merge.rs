//! Merging the results of several runs (the shards of `--shard K/N`, on one testbed or
//! one per CI runner) into one document: every variant once, each still compared with the
//! reference measured in its own run, and the reference's drift from run to run recorded.
//!
//! Files from several testbeds are grouped by testbed; each group gets a label (its
//! `--testbed` name, else `testbed N`) that its variants carry, so the matrix can rank
//! them by their ratios to the reference measured on their own testbed, never by
//! absolute timings from different machines.
//!
//! The checks, each a [`MergeError`] naming the files: one schema version, one reference
//! measured in every file (and working, when the testbeds differ), complete files, one
//! engine kind, no variant (other than the reference) in two files, and with shards every
//! shard of the split exactly once. The result does not depend on the order the files are
//! given in: they are put in shard order (then run id) first.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::compare::testbed_differences;
use super::{RunResults, Testbed};
use crate::config::Shard;

/// One run that went into a merged document.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MergedRun {
    /// The run's id (the label on what it created on the engine).
    pub run_id: String,
    /// Its shard, when it measured one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
    /// Its seed (the rows' intervals follow from it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// The reference's median startup in that run, ms: the drift between runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_startup_ms: Option<f64>,
    /// The label of its testbed, when the merged runs came from several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub testbed: Option<String>,
    /// That testbed's facts, when the merged runs came from several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub testbed_facts: Option<Testbed>,
}

/// Why files cannot be merged; every message names the files.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MergeError(pub(crate) String);

impl fmt::Display for MergeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MergeError {}

/// Merge `files` (`(name shown in errors, results)`) into one document.
pub(crate) fn merge(mut files: Vec<(String, RunResults)>) -> Result<RunResults, MergeError> {
    let fail = |m: String| Err(MergeError(m));
    if files.is_empty() {
        return fail("nothing to merge: give two or more results.json files".into());
    }
    files.sort_by(|(_, a), (_, b)| {
        let key = |r: &RunResults| (r.shard.map(|s| s.index), r.run_id.clone());
        key(a).cmp(&key(b))
    });
    let (first_name, first) = &files[0];
    for (name, r) in &files {
        if !r.complete {
            return fail(format!(
                "{name} is incomplete (run {} was interrupted or failed mid-way): re-run it, \
                 or leave it out",
                r.run_id
            ));
        }
        if r.schema_version != first.schema_version {
            return fail(format!(
                "{first_name} has schema version {} and {name} {}: merge files written by \
                 the same basebench",
                first.schema_version, r.schema_version
            ));
        }
        if r.reference.is_none() || r.reference != first.reference {
            return fail(format!(
                "{first_name} and {name} have no common reference ({} vs {}): every run \
                 must measure the same --reference variant",
                first.reference.as_deref().unwrap_or("none"),
                r.reference.as_deref().unwrap_or("none")
            ));
        }
        if engine_kind(r) != engine_kind(first) {
            return fail(format!(
                "{first_name} was measured on {} and {name} on {}: results from different \
                 engines are never ranked in one matrix (docs/ENGINES.md); merge each \
                 engine's runs on their own",
                engine_kind(first),
                engine_kind(r)
            ));
        }
    }
    check_shards(&files)?;
    let reference = first.reference.clone().unwrap_or_default();
    let testbeds = Testbeds::group(&files);
    if testbeds.several() {
        for (name, r) in &files {
            let works = r.variants.iter().any(|v| v.name == reference && v.works);
            if !works {
                return fail(format!(
                    "the reference '{reference}' does not work in {name}: with several \
                     testbeds every row is compared through its testbed's reference; fix \
                     or re-run that testbed, or leave {name} out"
                ));
            }
        }
    }
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    let mut variants = Vec::new();
    for (index, (name, r)) in files.iter().enumerate() {
        for v in &r.variants {
            if v.name == reference {
                if index == 0 {
                    variants.insert(0, v.clone());
                }
                continue;
            }
            if let Some(other) = seen.insert(v.name.clone(), name) {
                return fail(format!(
                    "variant '{}' was measured in both {other} and {name}: merge one run of \
                     each variant (shards of one split never overlap; one variant on \
                     several testbeds is compared with `basebench compare`)",
                    v.name
                ));
            }
            let mut v = v.clone();
            v.testbed = testbeds.label_of(index).map(str::to_string);
            variants.push(v);
        }
    }
    if let Some(first_row) = variants.first_mut() {
        first_row.testbed = testbeds.label_of(0).map(str::to_string);
    }
    let runs: Vec<MergedRun> = files
        .iter()
        .enumerate()
        .map(|(index, (_, r))| MergedRun {
            run_id: r.run_id.clone(),
            shard: r.shard,
            seed: r.seed,
            reference_startup_ms: r
                .variants
                .iter()
                .find(|v| v.name == reference)
                .and_then(|v| v.startup_ms.as_ref())
                .map(|t| t.median),
            testbed: testbeds.label_of(index).map(str::to_string),
            testbed_facts: testbeds.several().then(|| r.testbed.clone()).flatten(),
        })
        .collect();
    let mut merged = first.clone();
    merged.run_id = format!("{}-merged", first.run_id);
    merged.started_at = files
        .iter()
        .map(|(_, r)| r.started_at.clone())
        .min()
        .unwrap_or_default();
    merged.finished_at = files
        .iter()
        .map(|(_, r)| r.finished_at.clone())
        .max()
        .unwrap_or_default();
    merged.shard = None;
    merged.seed = None;
    merged.variants = variants;
    merged.merged_from = runs;
    Ok(merged)
}

/// The engine's kind as a reader names it (files from before it was recorded were Docker).
fn engine_kind(r: &RunResults) -> &str {
    if r.host.engine.is_empty() {
        "Docker"
    } else {
        &r.host.engine
    }
}

/// The files grouped by testbed, in file order: the first file's testbed is the first.
struct Testbeds {
    /// Index into `labels` per file.
    group_of: Vec<usize>,
    /// One label per testbed: its `--testbed` name, else `testbed N` (a name two
    /// testbeds share gets ` #N`).
    labels: Vec<String>,
}

impl Testbeds {
    fn group(files: &[(String, RunResults)]) -> Testbeds {
        let mut representatives: Vec<&RunResults> = Vec::new();
        let mut labels: Vec<String> = Vec::new();
        let mut group_of = Vec::new();
        for (_, r) in files {
            let found = representatives
                .iter()
                .position(|rep| testbed_differences(rep, r).is_empty());
            let group = found.unwrap_or_else(|| {
                let number = labels.len() + 1;
                let label = match r.testbed.as_ref().and_then(|t| t.name.clone()) {
                    Some(name) if !labels.contains(&name) => name,
                    Some(name) => format!("{name} #{number}"),
                    None => format!("testbed {number}"),
                };
                representatives.push(r);
                labels.push(label);
                labels.len() - 1
            });
            group_of.push(group);
        }
        Testbeds { group_of, labels }
    }

    /// True when the files came from more than one testbed.
    fn several(&self) -> bool {
        self.labels.len() > 1
    }

    /// The testbed label of file `index`, when there are several testbeds.
    fn label_of(&self, index: usize) -> Option<&str> {
        if !self.several() {
            return None;
        }
        self.group_of
            .get(index)
            .and_then(|g| self.labels.get(*g))
            .map(String::as_str)
    }
}

/// With shards, every shard of one split exactly once; without, none at all.
fn check_shards(files: &[(String, RunResults)]) -> Result<(), MergeError> {
    let sharded: Vec<(&String, Shard)> = files
        .iter()
        .filter_map(|(n, r)| r.shard.map(|s| (n, s)))
        .collect();
    if sharded.is_empty() {
        return Ok(());
    }
    if sharded.len() != files.len() {
        let plain: Vec<&str> = files
            .iter()
            .filter(|(_, r)| r.shard.is_none())
            .map(|(n, _)| n.as_str())
            .collect();
        return Err(MergeError(format!(
            "{} measured every variant, the others one shard each: merge the shards of one \
             split, or whole runs",
            plain.join(", ")
        )));
    }
    let count = sharded[0].1.count;
    if let Some((name, s)) = sharded.iter().find(|(_, s)| s.count != count) {
        return Err(MergeError(format!(
            "{name} is shard {s} and {} is of {count} shards: merge the shards of one split",
            sharded[0].0
        )));
    }
    for pair in sharded.windows(2) {
        if pair[0].1.index == pair[1].1.index {
            return Err(MergeError(format!(
                "{} and {} are both shard {}: merge each shard once",
                pair[0].0, pair[1].0, pair[0].1
            )));
        }
    }
    let missing: Vec<String> = (1..=count)
        .filter(|k| !sharded.iter().any(|(_, s)| s.index == *k))
        .map(|index| Shard { index, count }.to_string())
        .collect();
    if !missing.is_empty() {
        let (noun, verb) = if missing.len() == 1 {
            ("shard", "is")
        } else {
            ("shards", "are")
        };
        return Err(MergeError(format!(
            "{noun} {} {verb} missing: pass every shard's results.json",
            missing.join(", ")
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
