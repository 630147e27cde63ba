//! The decision matrix: one view model built once from [`RunResults`] and
//! [`ScoringWeights`], which every exporter formats without recomputing a number.
//!
//! Ratings (1–5) come from measured facts by the model in docs/SCORING.md ([`score`]);
//! the reason and use-case lines are generated from the same facts ([`text`]).

mod layers;
pub(crate) mod model;
mod read;
pub(crate) mod score;
pub(crate) mod text;
pub(crate) mod weights;

pub(crate) use model::{Row, Vulnerabilities};
pub use weights::ScoringWeights;

use crate::results::{RunResults, Testbed};

/// The decision matrix of one run.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Matrix {
    /// Run id from the results.
    pub(crate) run_id: String,
    /// When the run started (RFC 3339).
    pub(crate) started_at: String,
    /// False for a file written mid-run.
    pub(crate) complete: bool,
    /// Builder used (`buildkit` or `classic`).
    pub(crate) builder: String,
    /// Docker engine version the numbers were measured on.
    pub(crate) engine: String,
    /// Name of the reference variant: the smallest one that works. Ratios are to it.
    pub(crate) reference: Option<String>,
    /// One row per variant, in config order.
    pub(crate) rows: Vec<Row>,
    /// Indices into `rows`, best first (working variants always before failing ones).
    pub(crate) order: Vec<usize>,
    /// Notes a reader must see: stand-in bases, single-run timings, incomplete run.
    pub(crate) notes: Vec<String>,
    /// The weights the overall rating used.
    pub(crate) weights: ScoringWeights,
}

impl Matrix {
    /// Build the view model: facts per row, reference ratios, ratings, ranking and text.
    pub(crate) fn build(results: &RunResults, weights: &ScoringWeights) -> Matrix {
        let mut rows: Vec<Row> = results.variants.iter().map(read::row_facts).collect();
        let reference = read::apply_ratios(&mut rows, results.reference.as_deref());
        score::rate_all(&mut rows, weights);
        let order = score::rank(&mut rows);
        for row in &mut rows {
            row.reason = text::reason(row, reference.as_deref());
            row.use_case = text::use_case(row);
        }
        let notes = notes(results, &rows);
        Matrix {
            run_id: results.run_id.clone(),
            started_at: results.started_at.clone(),
            complete: results.complete,
            builder: results.settings.builder.clone(),
            engine: results.host.engine_version.clone(),
            reference,
            rows,
            order,
            notes,
            weights: weights.clone(),
        }
    }

    /// Rows best first.
    pub(crate) fn ranked(&self) -> impl Iterator<Item = &Row> {
        self.order.iter().filter_map(|&i| self.rows.get(i))
    }

    /// Rows that do not work, in config order.
    pub(crate) fn failures(&self) -> impl Iterator<Item = &Row> {
        self.rows.iter().filter(|r| !r.works)
    }

    /// Rows whose Dockerfile has lint findings, in config order.
    pub(crate) fn with_findings(&self) -> impl Iterator<Item = &Row> {
        with_findings(&self.rows)
    }
}

fn with_findings(rows: &[Row]) -> impl Iterator<Item = &Row> {
    rows.iter().filter(|r| !r.findings.is_empty())
}

/// An engine and machine in one phrase list: engine (API, storage driver), kernel, CPUs,
/// memory, load, basebench version.
fn testbed_facts(t: &Testbed) -> Vec<String> {
    let engine = if t.engine.is_empty() {
        "Docker"
    } else {
        &t.engine
    };
    let mut parts = vec![format!(
        "{engine} {} (API {}",
        t.engine_version, t.api_version
    )];
    if !t.storage_driver.is_empty() {
        parts[0].push_str(&format!(", {}", t.storage_driver));
    }
    parts[0].push(')');
    parts.push(format!("kernel {}", t.kernel));
    let cpu = t.cpu_model.as_deref().unwrap_or("CPUs");
    parts.push(format!("{cpu} × {}", t.cpus));
    parts.push(format!("{} memory", crate::format::bytes(t.memory_bytes)));
    if let (Some(before), Some(after)) = (t.load_before, t.load_after) {
        parts.push(format!(
            "load {:.2} before, {:.2} after",
            before[0], after[0]
        ));
    }
    parts.push(format!("basebench {}", t.basebench_version));
    parts
}

/// Where the numbers were measured, in one line (one line per testbed for a merge of
/// several, in [`merge_note`]).
fn testbed_note(results: &RunResults) -> Option<String> {
    if several_testbeds(results) {
        return None;
    }
    let t = results.testbed.as_ref()?;
    let mut parts = testbed_facts(t);
    if let Some(seed) = results.seed {
        parts.push(format!("seed {seed}"));
    }
    if let Some(rounds) = results.rounds {
        parts.push(format!(
            "{rounds} startup rounds ({} warm-up)",
            results.settings.warmup
        ));
    }
    if let Some(shard) = results.shard {
        parts.push(format!(
            "shard {shard} of the variants (the reference in every shard)"
        ));
    }
    let name = t
        .name
        .as_deref()
        .map(|n| format!(" {n}"))
        .unwrap_or_default();
    Some(format!("Testbed{name}: {}.", parts.join(", ")))
}

/// True for a document merged from runs on more than one testbed.
fn several_testbeds(results: &RunResults) -> bool {
    results.merged_from.iter().any(|m| m.testbed.is_some())
}

/// For a merged document: which runs, and how far the reference drifted between them;
/// with several testbeds, each testbed and how its rows are compared.
fn merge_note(results: &RunResults) -> Vec<String> {
    let runs = &results.merged_from;
    if runs.is_empty() {
        return Vec::new();
    }
    let reference = results.reference.as_deref().unwrap_or("the reference");
    let each: Vec<String> = runs
        .iter()
        .map(|m| {
            let mut which = m.shard.map_or(m.run_id.clone(), |s| format!("shard {s}"));
            if let Some(testbed) = &m.testbed {
                which.push_str(&format!(" on {testbed}"));
            }
            match m.reference_startup_ms {
                Some(ms) => format!("{} in {which}", crate::format::millis(ms)),
                None => format!("not measured in {which}"),
            }
        })
        .collect();
    let medians: Vec<f64> = runs.iter().filter_map(|m| m.reference_startup_ms).collect();
    let drift = match (
        medians.iter().copied().reduce(f64::min),
        medians.iter().copied().reduce(f64::max),
    ) {
        (Some(lo), Some(hi)) if lo > 0.0 && medians.len() > 1 => {
            format!(", a drift of {:.1} %", (hi / lo - 1.0) * 100.0)
        }
        _ => String::new(),
    };
    if !several_testbeds(results) {
        return vec![format!(
            "Merged from {} run{} on one testbed: each variant is compared with {reference} as \
             measured in its own run; {reference}'s startup median was {}{drift} (its row is \
             from the first run).",
            runs.len(),
            if runs.len() == 1 { "" } else { "s" },
            each.join(", ")
        )];
    }
    let mut labels: Vec<&str> = Vec::new();
    let mut notes = Vec::new();
    for m in runs {
        let Some(label) = m.testbed.as_deref() else {
            continue;
        };
        if labels.contains(&label) {
            continue;
        }
        labels.push(label);
        if let Some(t) = &m.testbed_facts {
            notes.push(format!("Testbed {label}: {}.", testbed_facts(t).join(", ")));
        }
    }
    let first = labels.first().copied().unwrap_or("the first");
    notes.insert(
        0,
        format!(
            "Merged from {} runs on {} testbeds ({}): a row's own timings are from its \
             testbed, so the ratios (×), verdicts and speed ratings of a row compare it with \
             {reference} measured on that testbed, never with timings from another machine; \
             sizes and image facts do not depend on the machine. {reference}'s startup median \
             was {} (its row is from {first}).",
            runs.len(),
            labels.len(),
            labels.join(", "),
            each.join(", ")
        ),
    );
    notes
}

/// What differs from the real image, per stand-in (`requested → stand-in`), from its
/// recipe; a base without a recipe (an older basebench's) gets the general words.
fn stand_in_differences(bases: &[String]) -> String {
    let known: Vec<String> = bases
        .iter()
        .filter_map(|base| {
            let requested = base.split(" → ").next()?;
            let recipe = crate::bases::recipe_for(requested).ok()?;
            Some(format!("for {requested}, {}", recipe.differs))
        })
        .collect();
    if known.len() == bases.len() {
        known.join("; ")
    } else {
        "its size and contents differ from the published base".to_string()
    }
}

fn notes(results: &RunResults, rows: &[Row]) -> Vec<String> {
    let mut notes = Vec::new();
    if !results.complete {
        notes.push("Incomplete run: not every planned variant has a row yet.".to_string());
    }
    for row in rows.iter().filter(|r| !r.stand_in_bases.is_empty()) {
        notes.push(format!(
            "{} was measured on a stand-in base ({}), not the real image: {}.",
            row.name,
            row.stand_in_bases.join("; "),
            stand_in_differences(&row.stand_in_bases)
        ));
    }
    let single: Vec<&str> = rows
        .iter()
        .filter(|r| r.single_run)
        .map(|r| r.name.as_str())
        .collect();
    if !single.is_empty() {
        notes.push(format!(
            "Timings from a single run (no spread known): {}.",
            single.join(", ")
        ));
    }
    if let Some(reference) = rows.iter().find(|r| r.is_reference) {
        let why = if results.settings.reference.as_deref() == Some(reference.name.as_str()) {
            "the reference asked for"
        } else {
            "the smallest variant that works"
        };
        notes.push(format!(
            "Ratios (×) and verdicts are to {}, {why}.",
            reference.name
        ));
    }
    if rows.iter().any(|r| !r.vs_reference.is_empty()) {
        notes.push(format!(
            "Faster or slower only when the 95 % interval of the ratio to the reference lies \
             wholly outside 1 ± {}%; otherwise \"no clear difference\" (docs/METHODOLOGY.md).",
            results.settings.noise * 100.0
        ));
    } else if rows
        .iter()
        .any(|r| r.startup.as_ref().is_some_and(|t| t.ci95.is_none()))
    {
        notes.push(
            "This results file has no intervals (written before schema 2): timings are \
             medians without verdicts."
                .to_string(),
        );
    }
    notes.extend(testbed_note(results));
    notes.extend(merge_note(results));
    let linted: Vec<String> = with_findings(rows)
        .map(|r| {
            let errors = r.findings.iter().filter(|f| f.severity == "error").count();
            match errors {
                0 => format!("{} {}", r.name, r.findings.len()),
                n => format!("{} {} ({n} that break it)", r.name, r.findings.len()),
            }
        })
        .collect();
    if !linted.is_empty() {
        notes.push(format!(
            "Dockerfile findings: {}; each with its line and fix in report.md and report.html.",
            linted.join(", ")
        ));
    }
    notes
}

#[cfg(test)]
mod score_rules;
#[cfg(test)]
mod tests;
