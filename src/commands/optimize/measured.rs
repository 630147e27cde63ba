//! `basebench optimize` without `--dry-run`: every transformation that rewrites the
//! Dockerfile is measured alone against the original, in one run (`candidates/`, with the
//! original as the reference, so every verdict is against it); the ones that kept the app
//! working and saved something are combined (in priority order, each applied to the
//! result of the ones before) and the combination is measured again with the original
//! (`best/`). What wins is written as `Dockerfile.optimized` with its diff, and everything
//! as `optimize.json` and `optimize.md`. Runs go through the same machinery as `run`
//! (`run::measure`): same plan, statistics, cleanup and reports.

use std::io::Write;
use std::path::Path;

use super::outcome::{self, Best, Delta, Measured, OPTIMIZED, ORIGINAL, Report, Row, Runs};
use super::{OptimizeArgs, Prepared, render};
use crate::commands::run::{self, RunArgs};
use crate::commands::{CliError, CommandResult, EngineArgs, ExitCode, RunEngineArgs};
use crate::config::{Config, Variant};
use crate::dockerfile::rewrite::{Target, combine, unified_diff};
use crate::export::escape::terminal;
use crate::results::{RunResults, read_results};

/// The `run` arguments of the measuring runs: no history, failures expected.
fn run_args(args: &OptimizeArgs) -> RunArgs {
    RunArgs {
        settings: args.settings.clone(),
        output: None,
        keep_images: false,
        allow_failures: true,
        no_anatomy: args.no_anatomy,
        no_history: true,
        quiet: args.quiet,
        export_hyperfine: None,
        engine_args: RunEngineArgs {
            hosts: args.engine_args.host.iter().cloned().collect(),
            engine: args.engine_args.engine,
        },
    }
}

/// The original variant again under `name`, built from `dockerfile`.
fn variant_from(original: &Variant, name: &str, dockerfile: &Path, doc: &str) -> Variant {
    let mut v = original.clone();
    v.name = name.to_string();
    v.dockerfile = dockerfile.to_path_buf();
    v.dockerfile_display = dockerfile.display().to_string();
    v.description = Some(doc.to_string());
    v
}

/// Measure `variants` (the original first, as the reference) into `out/<dir>`; `None`
/// when the run was interrupted.
async fn measure(
    args: &OptimizeArgs,
    config: &Config,
    variants: Vec<Variant>,
    dir: &Path,
) -> Result<Option<RunResults>, CliError> {
    let mut config = config.clone();
    config.variants = variants;
    config.sampling.reference = Some(ORIGINAL.to_string());
    let engine = EngineArgs {
        host: (args.engine_args.host.clone()).or_else(|| config.hosts.first().cloned()),
        engine: args.engine_args.engine,
    };
    let run_id = run::new_run_id();
    let code = run::measure(&run_args(args), &config, &engine, &run_id, dir).await?;
    if code == ExitCode::Interrupted {
        return Ok(None);
    }
    read_results(&dir.join("results.json"))
        .map(Some)
        .map_err(|e| CliError::environment(anyhow::Error::new(e)))
}

/// Build, measure, combine and write; see the module's documentation.
pub(super) async fn optimize(
    prepared: Prepared,
    args: &OptimizeArgs,
    out: &mut dyn Write,
) -> CommandResult {
    let Prepared {
        config,
        source,
        context,
        label,
        candidates,
        output,
    } = prepared;
    let original = config.variants[0].clone();
    let out_dir = output.path().to_path_buf();
    let mut variants = vec![original.clone()];
    for c in candidates
        .iter()
        .filter(|c| c.applies && c.target == Target::Dockerfile)
    {
        let file = out_dir.join(super::file_name(c));
        variants.push(variant_from(&original, c.name, &file, c.doc));
    }
    let Some(first) = measure(args, &config, variants, &out_dir.join("candidates")).await? else {
        return Ok(ExitCode::Interrupted);
    };
    let Some(original_result) = first.variants.iter().find(|v| v.name == ORIGINAL) else {
        return Err(CliError::environment(anyhow::anyhow!(
            "the candidates' run has no row for the original Dockerfile"
        )));
    };
    let mut rows = outcome::rows(&candidates, &first.variants);
    for row in rows.iter_mut().filter(|r| r.applies) {
        row.file = candidates
            .iter()
            .find(|c| c.name == row.name)
            .map(super::file_name);
    }
    let kept: Vec<&str> = rows.iter().filter(|r| r.kept).map(|r| r.name).collect();
    let combined = combine(&source.text, &context, &kept)
        .map_err(|e| super::parse_error(&original.dockerfile, &e))?;
    for (name, why) in &combined.skipped {
        if let Some(row) = rows.iter_mut().find(|r| r.name == *name) {
            row.kept = false;
            row.left_out = Some(format!("no longer applies after the others: {why}"));
        }
    }
    let mut runs = Runs {
        candidates: first.run_id.clone(),
        combination: None,
    };
    let (best, best_text) = match combined.applied.as_slice() {
        [] => (
            Best {
                transformations: Vec::new(),
                measured: Measured::of(original_result),
                delta: None,
                file: None,
                note: Some(
                    "no transformation kept the app working and saved something: the \
                     original stays"
                        .to_string(),
                ),
            },
            None,
        ),
        [only] => {
            let alone = first.variants.iter().find(|v| v.name == *only);
            (
                Best {
                    transformations: vec![*only],
                    measured: alone.map(Measured::of).unwrap_or_else(Measured::missing),
                    delta: alone.map(|a| Delta::between(a, original_result)),
                    file: Some("Dockerfile.optimized".to_string()),
                    note: Some(
                        "one transformation kept: its measurement alone (candidates/) is the \
                         combination's"
                            .to_string(),
                    ),
                },
                Some(combined.text.clone()),
            )
        }
        applied => {
            let file = out_dir.join("Dockerfile.combination");
            output.write_all([("Dockerfile.combination", combined.text.as_bytes())])?;
            let doc = format!("the combination of {}", applied.join(", "));
            let variants = vec![
                original.clone(),
                variant_from(&original, OPTIMIZED, &file, &doc),
            ];
            let Some(second) = measure(args, &config, variants, &out_dir.join("best")).await?
            else {
                return Ok(ExitCode::Interrupted);
            };
            runs.combination = Some(second.run_id.clone());
            let (o, c) = (
                second.variants.iter().find(|v| v.name == ORIGINAL),
                second.variants.iter().find(|v| v.name == OPTIMIZED),
            );
            match (o, c) {
                (Some(o), Some(c)) if c.works => (
                    Best {
                        transformations: applied.to_vec(),
                        measured: Measured::of(c),
                        delta: Some(Delta::between(c, o)),
                        file: Some("Dockerfile.optimized".to_string()),
                        note: None,
                    },
                    Some(combined.text.clone()),
                ),
                (_, failed) => fallback(
                    &rows,
                    &first,
                    &candidates,
                    applied,
                    failed.and_then(|f| f.failure.clone()),
                ),
            }
        }
    };
    let findings = outcome::findings(original_result, &rows);
    let report = Report {
        dockerfile: original.dockerfile.display().to_string(),
        context: original.context.display().to_string(),
        runs,
        original: Measured::of(original_result),
        transformations: rows,
        findings,
        best,
    };
    let json = serde_json::to_string_pretty(&report)
        .map_err(|e| CliError::environment(anyhow::Error::new(e)))?;
    let markdown = render::markdown_report(&report);
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("optimize.json".to_string(), json.into_bytes()),
        ("optimize.md".to_string(), markdown.into_bytes()),
    ];
    if let Some(text) = &best_text {
        let diff = unified_diff(&source.text, text, &label, "Dockerfile.optimized");
        files.push((
            "Dockerfile.optimized".to_string(),
            text.clone().into_bytes(),
        ));
        files.push(("Dockerfile.optimized.diff".to_string(), diff.into_bytes()));
    }
    output.write_all(files.iter().map(|(n, b)| (n.as_str(), b.as_slice())))?;
    let _ = write!(out, "{}", render::terminal_table(&report));
    let _ = writeln!(
        out,
        "{}\nin {}",
        terminal(&render::best_line(&report)),
        terminal(&out_dir.display().to_string())
    );
    Ok(if report.best.measured.works {
        ExitCode::Success
    } else {
        ExitCode::Failed
    })
}

/// The combination did not work: hand back the kept transformation that measured the
/// smallest image alone (run 1), and say why.
fn fallback(
    rows: &[Row],
    first: &RunResults,
    candidates: &[crate::dockerfile::rewrite::Candidate],
    applied: &[&'static str],
    failure: Option<String>,
) -> (Best, Option<String>) {
    let original = first.variants.iter().find(|v| v.name == ORIGINAL);
    let alone = rows
        .iter()
        .filter(|r| r.kept)
        .filter_map(|r| {
            let v = first.variants.iter().find(|v| v.name == r.name)?;
            Some((r.name, v, v.image.as_ref()?.size_bytes))
        })
        .min_by_key(|(_, _, size)| *size);
    let why = format!(
        "the combination of {} failed ({}); ",
        applied.join(", "),
        failure.unwrap_or_else(|| "not measured".to_string())
    );
    match (alone, original) {
        (Some((name, v, _)), Some(o)) => (
            Best {
                transformations: vec![name],
                measured: Measured::of(v),
                delta: Some(Delta::between(v, o)),
                file: Some("Dockerfile.optimized".to_string()),
                note: Some(format!(
                    "{why}the transformation with the smallest working image alone is handed back"
                )),
            },
            candidates
                .iter()
                .find(|c| c.name == name)
                .and_then(|c| c.text.clone()),
        ),
        (_, o) => (
            Best {
                transformations: Vec::new(),
                measured: o.map_or_else(Measured::missing, Measured::of),
                delta: None,
                file: None,
                note: Some(format!("{why}the original stays")),
            },
            None,
        ),
    }
}
