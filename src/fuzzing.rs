//! Entry points for the fuzz targets under `fuzz/` (the `fuzzing` cargo feature, off by
//! default; not part of the API for users). Each takes the fuzzer's bytes, runs one parser
//! and what reads its output, and discards the result: the targets check that hostile input
//! never panics, hangs or exhausts memory, not what the parsers return.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::Path;

use crate::anatomy::{AnalyzeOptions, ScanPolicy, analyze_archive};
use crate::context::dockerignore::IgnoreRules;
use crate::dockerfile::{self, precompile};
use crate::matrix::{Matrix, ScoringWeights};

/// Paths every dockerignore input is matched against, beside the ones it brings.
const PATHS: &[&str] = &[
    "",
    ".",
    "Dockerfile",
    ".dockerignore",
    "app/main.py",
    "app/../secret",
    "node_modules/x/y.js",
    "a/b/c/d/e/f",
    "/abs",
    "dir/",
];

/// A Dockerfile's bytes, decoded as from disk (byte-order mark, lossy UTF-8), then parsed
/// into stages with its `FROM` references expanded and resolved (global `ARG`s and a build
/// argument), the bases rewritten to a substitute, the lint (which shares the expansion),
/// the `COPY` / `ADD` sources and the bytecode rewrite's placement.
pub fn dockerfile(data: &[u8]) {
    let text = dockerfile::decode(data.to_vec()).text;
    let build_args = BTreeMap::from([("VERSION".to_string(), "3.12".to_string())]);
    if let Ok(bases) = dockerfile::resolve_bases(&text, &build_args) {
        let substitutes: BTreeMap<String, String> = bases
            .iter()
            .map(|b| (b.requested.clone(), "stand-in:latest".to_string()))
            .collect();
        let _ = dockerfile::rewrite_bases(&text, &substitutes, &build_args);
    }
    let _ = dockerfile::resolve_bases(&text, &BTreeMap::new());
    let _ = dockerfile::lint(&text);
    let _ = dockerfile::copy_sources(&text);
    let p = precompile::Precompile {
        python: "/usr/bin/python3".to_string(),
        dirs: vec!["/usr/lib/python3".to_string()],
    };
    let _ = precompile::precompile_bytecode(&text, &p);
}

/// A `.dockerignore`: the bytes before the first NUL are the file (read lossily), the lines
/// after it paths to match. Every path, its parents and the patterns themselves (as paths)
/// go through the three questions the context walk asks.
pub fn dockerignore(data: &[u8]) {
    let (rules, paths) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let rules_text = String::from_utf8_lossy(rules);
    let paths_text = String::from_utf8_lossy(paths);
    let Ok(ignore) = IgnoreRules::parse(&rules_text) else {
        return;
    };
    let candidates = PATHS
        .iter()
        .copied()
        .chain(paths_text.lines())
        .chain(rules_text.lines().map(|l| l.trim_start_matches('!')));
    for path in candidates {
        let _ = ignore.is_excluded(path);
        let _ = ignore.matches_or_parent_matches(path);
        let _ = ignore.must_walk(path);
    }
}

/// A `results.json` as `compare` and `check` read it (schema check included); a document
/// that reads is built into the decision matrix and compared with itself.
pub fn results(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(results) = crate::results::read::parse_results(text, Path::new("results.json")) else {
        return;
    };
    let _ = Matrix::build(&results, &ScoringWeights::default());
    let _ = crate::commands::compare::render_comparison(&results, &results);
}

/// A `history.jsonl` as `trend` reads it (read lossily, damaged lines skipped), then
/// grouped by variant and rendered as `trend`'s table and chart.
pub fn history(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let history = crate::history::parse(&text);
    let _ = history.variant_names();
    let _ = history.by_variant();
    let _ = crate::export::trend::table(&history, None);
    let _ = crate::export::trend::svg(&history, None);
}

/// A `docker save` (or OCI layout) tar stream, analysed as `inspect --archive` does (with
/// no scanner and a path cap of 10,000 so a small input can reach it) and rendered as its
/// table.
pub fn archive(data: &[u8]) {
    let options = AnalyzeOptions {
        scan: ScanPolicy::Never,
        max_paths: 10_000,
    };
    if let Ok(anatomy) = analyze_archive(Cursor::new(data), &options) {
        let _ = crate::commands::inspect::render_table("fuzz", &anatomy);
    }
}
