//! `basebench merge RESULTS... --output DIR`: the shards of one split (or whole runs of
//! different variants), on one testbed or several, become one results.json and every
//! report, each variant still compared with the reference of its own run (docs/SHARDS.md).

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{CliError, CommandResult, ExitCode};
use crate::config::{ConfigFile, defaults};
use crate::export;
use crate::history;
use crate::results::merge::merge;
use crate::results::read_results;
use crate::writer::{OutputDir, append_line};

/// Arguments of `basebench merge`.
#[derive(Debug, Clone, clap::Args)]
pub struct MergeArgs {
    /// results.json files, or run directories that hold one.
    #[arg(value_name = "RESULTS", required = true)]
    pub inputs: Vec<PathBuf>,
    /// Directory the merged results.json and reports are written to.
    #[arg(long, short = 'o', value_name = "DIR")]
    pub output: PathBuf,
    /// Config whose `[scoring]` weights rate the merged matrix (default:
    /// ./basebench.toml when present).
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Do not append the merged run to the history file (`history.jsonl` in the config's
    /// `output` directory, else results/history.jsonl), which `trend` reads.
    #[arg(long)]
    pub no_history: bool,
}

/// A results file: `path` itself, or `path/results.json` for a directory.
fn results_file(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.join("results.json")
    } else {
        path.to_path_buf()
    }
}

/// Merge, print the matrix to `out` and write the reports. Files that do not fit
/// together are bad input (exit 2); an unwritable output is the environment's (exit 3).
pub fn execute(args: &MergeArgs, cwd: &Path, out: &mut dyn Write) -> CommandResult {
    let file = ConfigFile::find(args.config.as_deref(), cwd, false)?;
    let history_file = match &file {
        Some(file) => file.output_root(),
        None => cwd.join(defaults::OUTPUT),
    }
    .join(history::HISTORY_FILE);
    let weights = file.map(|f| f.raw.scoring).unwrap_or_default();
    let mut files = Vec::new();
    for input in &args.inputs {
        let path = results_file(&cwd.join(input));
        let target = cwd.join(&args.output).join("results.json");
        let same = match (path.canonicalize(), target.canonicalize()) {
            (Ok(a), Ok(b)) => a == b,
            _ => path == target,
        };
        if same {
            return Err(CliError::usage_msg(format!(
                "--output {} holds {}, an input: the merge would overwrite it; write to \
                 another directory",
                args.output.display(),
                path.display()
            )));
        }
        files.push((path.display().to_string(), read_results(&path)?));
    }
    let merged = merge(files).map_err(CliError::usage_msg)?;
    let table = export::render_table(&merged, &weights, super::color_enabled());
    let _ = writeln!(out, "{table}");
    let output = OutputDir::prepare(&cwd.join(&args.output))?;
    let reports = export::render_reports(&merged, &weights);
    output.write_all(reports.iter().map(|r| (r.file_name, r.bytes.as_slice())))?;
    if !args.no_history {
        // The shards' own lines, if they appended here, are superseded by this one.
        append_line(&history_file, &history::summary_line(&merged))?;
        let _ = writeln!(out, "History: {}", history_file.display());
    }
    let _ = writeln!(
        out,
        "Merged {} run{} into {}",
        merged.merged_from.len(),
        if merged.merged_from.len() == 1 {
            ""
        } else {
            "s"
        },
        output.path().display()
    );
    Ok(ExitCode::Success)
}

/// `basebench merge` from the command line.
pub(crate) fn run(args: MergeArgs) -> CommandResult {
    execute(&args, &super::working_dir()?, &mut std::io::stdout())
}
