//! The run history: one JSON summary per run, one per line, in `results/history.jsonl`.
//!
//! Pure functions only: [`summary_line`] makes the line the writer appends, [`parse`]
//! reads the file back for `basebench trend`. A damaged line (e.g. a crash mid-append)
//! is skipped and reported, never fatal.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::results::RunResults;
use crate::results::compare::{Figure, Figures};

/// File name of the history inside the output root (`results/history.jsonl`).
pub(crate) const HISTORY_FILE: &str = "history.jsonl";

/// One run in the history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct HistoryEntry {
    pub(crate) run_id: String,
    /// When the run started (RFC 3339).
    pub(crate) time: String,
    /// False when the run was interrupted before every variant had a row.
    #[serde(default = "complete_default")]
    pub(crate) complete: bool,
    /// Per-variant summary, in config order.
    pub(crate) variants: Vec<HistoryVariant>,
    /// The runs a `basebench merge` made this one from: their own lines (a shard that
    /// appended to the same history) are superseded by this one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) merged_from: Vec<String>,
}

fn complete_default() -> bool {
    true
}

/// The figures of one variant that `trend` follows over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct HistoryVariant {
    /// Variant name.
    pub(crate) name: String,
    /// Whether it worked in that run.
    pub(crate) works: bool,
    /// Image size in bytes.
    pub(crate) size_bytes: Option<u64>,
    /// Median cold build time in seconds.
    pub(crate) cold_build_s: Option<f64>,
    /// Median startup to first 200, in milliseconds.
    pub(crate) startup_median_ms: Option<f64>,
    /// True when measured on a stand-in base.
    #[serde(default)]
    pub(crate) stand_in: bool,
    /// The testbed it was measured on, in a run merged from several testbeds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) testbed: Option<String>,
}

impl Figures for HistoryVariant {
    fn name(&self) -> &str {
        &self.name
    }

    /// The history keeps size, cold build and startup; the other figures are `None`.
    fn figure(&self, figure: Figure) -> Option<f64> {
        match figure {
            Figure::Size => self.size_bytes.map(|b| b as f64),
            Figure::ColdBuild => self.cold_build_s,
            Figure::Startup => self.startup_median_ms,
            Figure::Incremental | Figure::P95 | Figure::PeakMemory => None,
        }
    }
}

/// Summarise a run for the history.
pub(crate) fn summarize(results: &RunResults) -> HistoryEntry {
    HistoryEntry {
        run_id: results.run_id.clone(),
        time: results.started_at.clone(),
        complete: results.complete,
        variants: results
            .variants
            .iter()
            .map(|v| HistoryVariant {
                name: v.name.clone(),
                works: v.works,
                size_bytes: v.image.as_ref().map(|i| i.size_bytes),
                cold_build_s: v.build.as_ref().map(|b| b.cold_s.median),
                startup_median_ms: v.startup_ms.as_ref().map(|t| t.median),
                stand_in: v.uses_stand_in(),
                testbed: v.testbed.clone(),
            })
            .collect(),
        merged_from: results
            .merged_from
            .iter()
            .map(|m| m.run_id.clone())
            .collect(),
    }
}

/// The line to append to the history file for this run (JSON, ends with `\n`).
pub fn summary_line(results: &RunResults) -> String {
    let mut line = serde_json::to_string(&summarize(results)).unwrap_or_default();
    line.push('\n');
    line
}

/// A history file read back.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// Runs in time order; a run id that appears twice keeps its last line.
    pub(crate) runs: Vec<HistoryEntry>,
    /// Lines that could not be read: (1-based line number, why).
    pub(crate) skipped: Vec<(usize, String)>,
}

impl History {
    /// Names of every variant seen, in first-seen order.
    pub(crate) fn variant_names(&self) -> Vec<String> {
        let mut seen: HashSet<&str> = HashSet::new();
        self.runs
            .iter()
            .flat_map(|r| r.variants.iter())
            .filter(|v| seen.insert(&v.name))
            .map(|v| v.name.clone())
            .collect()
    }

    /// Each variant's row in every run that has it, oldest run first, by name (a run
    /// listing a name twice gives its first row). One pass over the history.
    pub(crate) fn by_variant(&self) -> HashMap<&str, Vec<(&HistoryEntry, &HistoryVariant)>> {
        let mut rows: HashMap<&str, Vec<(&HistoryEntry, &HistoryVariant)>> = HashMap::new();
        for run in &self.runs {
            let mut in_run: HashSet<&str> = HashSet::new();
            for v in run.variants.iter().filter(|v| in_run.insert(&v.name)) {
                rows.entry(&v.name).or_default().push((run, v));
            }
        }
        rows
    }
}

/// Parse the text of a history file. Blank lines are ignored; unreadable lines are
/// listed in [`History::skipped`]; the line of a run that a merged run lists in
/// `merged_from` is left out (the merged line holds its rows).
pub fn parse(text: &str) -> History {
    let mut history = History::default();
    let mut read: Vec<HistoryEntry> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<HistoryEntry>(line) {
            Ok(entry) => read.push(entry),
            Err(e) => history.skipped.push((i + 1, e.to_string())),
        }
    }
    // A run id's last line wins, at the place of that line (before the sort by time).
    let mut last: HashMap<&str, usize> = HashMap::with_capacity(read.len());
    for (i, entry) in read.iter().enumerate() {
        last.insert(&entry.run_id, i);
    }
    let keep: Vec<bool> = (0..read.len())
        .map(|i| last.get(read[i].run_id.as_str()) == Some(&i))
        .collect();
    let merged: HashSet<String> = read
        .iter()
        .flat_map(|entry| entry.merged_from.iter().cloned())
        .collect();
    history.runs = read
        .into_iter()
        .zip(keep)
        .filter_map(|(entry, keep)| (keep && !merged.contains(&entry.run_id)).then_some(entry))
        .collect();
    history.runs.sort_by(|a, b| a.time.cmp(&b.time));
    history
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> RunResults {
        serde_json::from_str(include_str!("../tests/fixtures/results/article.json"))
            .expect("fixture parses")
    }

    #[test]
    fn a_summary_line_round_trips_through_the_parser() {
        let line = summary_line(&fixture());
        assert!(line.ends_with('\n') && line.matches('\n').count() == 1);
        let history = parse(&line);
        assert_eq!(history.runs, vec![summarize(&fixture())]);
        let slim = &history.runs[0].variants[2];
        assert_eq!(
            (slim.name.as_str(), slim.size_bytes, slim.stand_in),
            ("slim", Some(287_000_000), true)
        );
        let alpine = &history.runs[0].variants[3];
        assert_eq!((alpine.works, alpine.size_bytes), (false, None));
    }

    #[test]
    fn a_damaged_line_is_skipped_and_reported() {
        let good = summary_line(&fixture());
        let text = format!("{good}\n{{\"run_id\": \"half-writ{good}");
        let history = parse(&text);
        assert_eq!(history.runs.len(), 1);
        assert_eq!(history.skipped.len(), 1);
        assert_eq!(history.skipped[0].0, 3);
    }

    #[test]
    fn a_long_history_is_read_and_tabled_in_linear_time() {
        // 40,000 runs of three variants: dropping duplicates by scanning the runs read so
        // far, or finding each variant by name in each run, is quadratic (a debug build took
        // over 70 s that way; about 2 s now).
        let mut text = String::new();
        for i in 0..40_000 {
            text.push_str(&format!(
                "{{\"run_id\":\"run-{i:06}\",\"time\":\"2026-01-01T00:00:00Z#{i:06}\",\"variants\":[\
                 {{\"name\":\"a\",\"works\":true,\"size_bytes\":{i},\"cold_build_s\":1.0,\"startup_median_ms\":2.0}},\
                 {{\"name\":\"b\",\"works\":true,\"size_bytes\":1,\"cold_build_s\":null,\"startup_median_ms\":null}},\
                 {{\"name\":\"c{}\",\"works\":false,\"size_bytes\":null,\"cold_build_s\":null,\"startup_median_ms\":null}}]}}\n",
                i % 1000
            ));
        }
        let started = std::time::Instant::now();
        let history = parse(&text);
        let table = crate::export::trend::table(&history, Some("a"));
        let elapsed = started.elapsed();
        assert_eq!(history.runs.len(), 40_000);
        assert_eq!(history.variant_names().len(), 1002);
        assert!(table.contains("run-039999"), "the last run is in the table");
        assert!(
            elapsed < std::time::Duration::from_secs(30),
            "took {elapsed:?}"
        );
    }

    #[test]
    fn a_merged_line_supersedes_the_lines_of_the_shards_it_was_made_from() {
        let shard = |id: &str| {
            let mut r = fixture();
            r.run_id = id.into();
            r
        };
        let mut merged = fixture();
        merged.run_id = "s1-merged".into();
        merged.merged_from = ["s1", "s2"]
            .map(|id| crate::results::merge::MergedRun {
                run_id: id.into(),
                shard: None,
                seed: None,
                reference_startup_ms: None,
                testbed: Some(format!("bed-{id}")),
                testbed_facts: None,
            })
            .to_vec();
        merged.variants[0].testbed = Some("bed-s2".into());
        let unrelated = shard("other");
        // Shard lines before the merged one and one after it (a late append): both gone.
        let text = [
            summary_line(&shard("s1")),
            summary_line(&unrelated),
            summary_line(&merged),
            summary_line(&shard("s2")),
        ]
        .concat();
        let history = parse(&text);
        let mut ids: Vec<&str> = history.runs.iter().map(|r| r.run_id.as_str()).collect();
        ids.sort();
        assert_eq!(ids, ["other", "s1-merged"]);
        let kept = history
            .runs
            .iter()
            .find(|r| r.run_id == "s1-merged")
            .expect("the merged run");
        assert_eq!(kept.merged_from, ["s1", "s2"]);
        assert_eq!(kept.variants[0].testbed.as_deref(), Some("bed-s2"));
        assert_eq!(kept.variants[1].testbed, None);
        // A single run's line carries neither field.
        let line = summary_line(&unrelated);
        assert!(
            !line.contains("merged_from") && !line.contains("testbed"),
            "{line}"
        );
    }

    #[test]
    fn runs_are_ordered_by_time_and_deduplicated() {
        let mut older = fixture();
        older.run_id = "old".into();
        older.started_at = "2026-11-01T00:00:00Z".into();
        let newer = fixture();
        let text = [
            summary_line(&newer),
            summary_line(&older),
            summary_line(&newer),
        ]
        .concat();
        let history = parse(&text);
        let ids: Vec<&str> = history.runs.iter().map(|r| r.run_id.as_str()).collect();
        assert_eq!(ids, ["old", "20261127-090000-fixture"]);
        assert_eq!(history.variant_names().len(), 6);
    }
}
