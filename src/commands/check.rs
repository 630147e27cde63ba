//! `basebench check RESULTS`: CI gates. Exit 0 when every limit holds, 1 with one line
//! per violation (measured value and limit), 2 when an input cannot be read.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{CliError, CommandResult, ExitCode};
use crate::config::ConfigFile;
use crate::gates::{self, ByteSize, GateConfig, GateLimits};
use crate::results::{RunResults, read_results};

/// Arguments of `basebench check`.
#[derive(Debug, Clone, clap::Args)]
pub struct CheckArgs {
    /// The results.json to check.
    #[arg(value_name = "RESULTS")]
    pub results: PathBuf,
    /// An older results.json to check regression against.
    #[arg(long, value_name = "OLD.json")]
    pub baseline: Option<PathBuf>,
    /// Largest allowed image size for every variant (bytes, or 200MB, 1.5GB, 512MiB).
    #[arg(long, value_name = "SIZE")]
    pub max_size: Option<ByteSize>,
    /// Largest allowed startup median in milliseconds.
    #[arg(long, value_name = "MS")]
    pub max_startup: Option<f64>,
    /// Largest allowed growth against --baseline, in percent (size, cold build, startup).
    #[arg(long, value_name = "PCT")]
    pub max_regression: Option<f64>,
    /// Check only this variant.
    #[arg(long, value_name = "NAME")]
    pub variant: Option<String>,
    /// Config whose `[gates]` table gives limits (default: ./basebench.toml when present).
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<PathBuf>,
}

fn validate(args: &CheckArgs) -> Result<(), String> {
    let negative = [
        ("--max-startup", args.max_startup),
        ("--max-regression", args.max_regression),
    ];
    match negative
        .iter()
        .find(|(_, v)| v.is_some_and(|v| !v.is_finite() || v < 0.0))
    {
        Some((flag, _)) => Err(format!("{flag} must be a number >= 0")),
        None => Ok(()),
    }
}

/// The inputs of a check: limits, results and optional baseline.
type Inputs = (GateConfig, RunResults, Option<RunResults>);

/// Read and validate every input; an error is bad input (exit 2). `[gates]` comes from the
/// config file found as `run` finds it (`--config`, else `./basebench.toml`).
fn load(args: &CheckArgs, cwd: &Path) -> Result<Inputs, CliError> {
    validate(args).map_err(CliError::usage_msg)?;
    let file = ConfigFile::find(args.config.as_deref(), cwd, false)?;
    let gates = file.map(|f| f.raw.gates).unwrap_or_default();
    let results = read_results(&args.results)?;
    let baseline = match &args.baseline {
        Some(p) => Some(read_results(p)?),
        None => None,
    };
    if let Some(name) = &args.variant
        && !results.variants.iter().any(|v| &v.name == name)
    {
        let known: Vec<&str> = results.variants.iter().map(|v| v.name.as_str()).collect();
        return Err(CliError::usage_msg(format!(
            "variant '{name}' is not in '{}' (it has: {})",
            args.results.display(),
            known.join(", ")
        )));
    }
    Ok((gates, results, baseline))
}

/// Run `check`, writing violations to `out` and warnings to `err`; `basebench.toml` is
/// looked for in `cwd`. An input that cannot be read is bad input (exit 2).
pub fn execute(
    args: &CheckArgs,
    cwd: &Path,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> CommandResult {
    let (gates, results, baseline) = load(args, cwd)?;
    if baseline.is_none() && args.max_regression.is_some() {
        let _ = writeln!(
            err,
            "warning: --max-regression has nothing to compare against without --baseline"
        );
    }
    let flags = GateLimits {
        max_size: args.max_size,
        max_startup_ms: args.max_startup,
        max_regression_pct: args.max_regression,
    };
    let violations = gates::evaluate(
        &results,
        baseline.as_ref(),
        &gates,
        &flags,
        args.variant.as_deref(),
    );
    let checked = match &args.variant {
        Some(_) => 1,
        None => results.variants.len(),
    };
    for v in &violations {
        let _ = writeln!(out, "FAIL {v}");
    }
    if violations.is_empty() {
        let _ = writeln!(out, "ok: every limit holds for {checked} variant(s)");
        Ok(ExitCode::Success)
    } else {
        let _ = writeln!(
            out,
            "{} violation(s) in {checked} variant(s)",
            violations.len()
        );
        Ok(ExitCode::Failed)
    }
}

/// Runs `basebench check`.
pub fn run(args: CheckArgs) -> CommandResult {
    execute(
        &args,
        &super::working_dir()?,
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    )
}
