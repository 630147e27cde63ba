//! `basebench trend`: size, cold build and startup per variant over the run history, as
//! a table and optionally an SVG chart.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{CliError, CommandResult, ExitCode};
use crate::config::{ConfigFile, defaults};
use crate::export::escape::terminal_text;
use crate::export::trend;
use crate::history::{self, HISTORY_FILE};

/// Arguments of `basebench trend`.
#[derive(Debug, Clone, clap::Args)]
pub struct TrendArgs {
    /// The history file `basebench run` appends to.
    #[arg(long, value_name = "FILE", help = format!(
        "The history file `basebench run` appends to (default: {HISTORY_FILE} in the config's \
         `output` directory, else {}/{HISTORY_FILE})",
        defaults::OUTPUT
    ))]
    pub history: Option<PathBuf>,
    /// Config whose `output` directory holds the history.
    #[arg(
        long,
        short = 'c',
        value_name = "FILE",
        help = "Config whose `output` directory holds the history (default: ./basebench.toml when present)"
    )]
    pub config: Option<PathBuf>,
    /// Show only this variant.
    #[arg(long, value_name = "NAME")]
    pub variant: Option<String>,
    /// Also write the charts to this SVG file.
    #[arg(long, value_name = "OUT.svg")]
    pub svg: Option<PathBuf>,
}

/// The history file: `--history`, else `history.jsonl` in the config's output root, else
/// `results/history.jsonl` in `cwd`.
pub(crate) fn history_path(args: &TrendArgs, cwd: &Path) -> Result<PathBuf, CliError> {
    if let Some(path) = &args.history {
        return Ok(path.clone());
    }
    let root = match ConfigFile::find(args.config.as_deref(), cwd, false)? {
        Some(file) => file.output_root(),
        None => cwd.join(defaults::OUTPUT),
    };
    Ok(root.join(HISTORY_FILE))
}

/// Run `trend`, writing to `out` and warnings to `err`; the config is looked for in `cwd`. A
/// history that cannot be read or has no matching runs is bad input (exit 2); a chart that
/// cannot be written exits 3.
pub fn execute(
    args: &TrendArgs,
    cwd: &Path,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> CommandResult {
    let path = history_path(args, cwd)?;
    let text = std::fs::read_to_string(&path).map_err(|e| {
        CliError::usage_msg(format!(
            "cannot read history '{}': {e}; `basebench run` appends to \
             <output>/{HISTORY_FILE} (pass --history FILE or --config FILE)",
            path.display()
        ))
    })?;
    let parsed = history::parse(&text);
    for (line, why) in &parsed.skipped {
        let warning = format!("warning: {}:{line} skipped: {why}", path.display());
        let _ = writeln!(err, "{}", terminal_text(&warning));
    }
    let names = parsed.variant_names();
    if let Some(name) = args.variant.as_ref().filter(|n| !names.contains(n)) {
        return Err(CliError::usage_msg(format!(
            "no run in '{}' has variant '{name}' (known: {})",
            path.display(),
            names.join(", ")
        )));
    }
    if parsed.runs.is_empty() {
        return Err(CliError::usage_msg(format!(
            "'{}' holds no runs yet",
            path.display()
        )));
    }
    let _ = write!(out, "{}", trend::table(&parsed, args.variant.as_deref()));
    if let Some(svg_path) = &args.svg {
        let svg = trend::svg(&parsed, args.variant.as_deref());
        crate::writer::write_atomic(svg_path, svg.as_bytes())?;
        let _ = writeln!(out, "Chart: {}", svg_path.display());
    }
    Ok(ExitCode::Success)
}

/// Runs `basebench trend`.
pub(crate) fn run(args: TrendArgs) -> CommandResult {
    execute(
        &args,
        &super::working_dir()?,
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    )
}
