//! `basebench check RESULTS`: CI gates. Every rule of every variant is printed in one table
//! (pass, fail, skip, misconfigured, with the measured value and the limit). Exit 0 when
//! every rule passes or is skipped, 1 when one fails (or is skipped, with `--strict`), 2
//! when an input cannot be read or a limit cannot be used.

use std::io::Write;
use std::path::{Path, PathBuf};

use tabled::builder::Builder;
use tabled::settings::Style;

use super::{CliError, CommandResult, ExitCode};
use crate::config::ConfigFile;
use crate::export::escape::terminal;
use crate::gates::rules::{self, Outcome, Status};
use crate::gates::{ByteSize, GateConfig, GateLimits};
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
    /// Largest allowed compressed size in the registry (`run --registry`; same units).
    #[arg(long, value_name = "SIZE")]
    pub max_compressed: Option<ByteSize>,
    /// Largest allowed bytes a code change ships to a node with the previous version
    /// (`run --registry`; same units).
    #[arg(long, value_name = "SIZE")]
    pub max_ship_bytes: Option<ByteSize>,
    /// Largest allowed startup median in milliseconds.
    #[arg(long, value_name = "MS", allow_negative_numbers = true)]
    pub max_startup: Option<f64>,
    /// Largest allowed growth against --baseline, in percent (size, cold build, startup).
    #[arg(long, value_name = "PCT", allow_negative_numbers = true)]
    pub max_regression: Option<f64>,
    /// Check only this variant.
    #[arg(long, value_name = "NAME")]
    pub variant: Option<String>,
    /// Fail (exit 1) when a rule is skipped for lack of data, too.
    #[arg(long)]
    pub strict: bool,
    /// Config whose `[gates]` table gives limits (default: ./basebench.toml when present).
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<PathBuf>,
}

fn validate(args: &CheckArgs) -> Result<(), CliError> {
    let negative = [
        ("--max-startup", args.max_startup),
        ("--max-regression", args.max_regression),
    ];
    match negative
        .iter()
        .find(|(_, v)| v.is_some_and(|v| !v.is_finite() || v < 0.0))
    {
        Some((flag, _)) => Err(CliError::usage_msg(format!("{flag} must be a number >= 0"))),
        None => Ok(()),
    }
}

/// The inputs of a check: limits (and the config they came from), results and baseline.
struct Inputs {
    gates: GateConfig,
    origin: Option<String>,
    results: RunResults,
    baseline: Option<RunResults>,
}

/// Read and validate every input; an error is bad input (exit 2).
fn load(args: &CheckArgs, cwd: &Path) -> Result<Inputs, CliError> {
    validate(args)?;
    let file = ConfigFile::find(args.config.as_deref(), cwd, false)?;
    let origin = file.as_ref().map(ConfigFile::origin);
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
    Ok(Inputs {
        gates,
        origin,
        results,
        baseline,
    })
}

/// The gates table: one row per rule and variant.
pub(crate) fn render_outcomes(outcomes: &[Outcome]) -> String {
    let mut builder = Builder::default();
    builder.push_record(["result", "variant", "rule", "measured", "limit", "note"]);
    for o in outcomes {
        let cells = [
            o.status.to_string(),
            o.variant.clone(),
            o.rule.to_string(),
            o.measured.clone(),
            o.limit.clone(),
            o.note.clone(),
        ];
        // Names and failure notes come from the results file.
        builder.push_record(cells.map(|cell| terminal(&cell)));
    }
    format!("{}\n", builder.build().with(Style::sharp()))
}

/// The last line: the verdict and the counts.
fn summary(outcomes: &[Outcome], checked: usize, strict: bool) -> (ExitCode, String) {
    let count = |s: Status| outcomes.iter().filter(|o| o.status == s).count();
    let (passed, failed, skipped) = (
        count(Status::Pass),
        count(Status::Fail),
        count(Status::Skip),
    );
    if failed > 0 || (strict && skipped > 0) {
        let why = if strict && skipped > 0 {
            " (--strict: a skipped rule fails)"
        } else {
            ""
        };
        let line = format!(
            "FAIL: {failed} failed, {passed} passed, {skipped} skipped in {checked} variant(s){why}"
        );
        return (ExitCode::Failed, line);
    }
    // A skipped rule was not checked: the line never claims that every limit holds then.
    let line = match skipped {
        0 => format!("ok: every limit holds for {checked} variant(s)"),
        n => format!(
            "ok: {passed} rule(s) passed in {checked} variant(s); {n} skipped for lack of data, \
             so not every limit was checked (--strict makes a skipped rule fail)"
        ),
    };
    (ExitCode::Success, line)
}

/// The error for a limit that cannot be used, naming the config file and the key.
fn misconfigured(outcomes: &[Outcome], origin: Option<&str>) -> Option<CliError> {
    let bad = outcomes
        .iter()
        .find(|o| o.status == Status::Misconfigured)?;
    let origin = origin.unwrap_or("command line");
    Some(CliError::usage_msg(format!(
        "config '{origin}': {}; fix the limit in [gates]",
        bad.note
    )))
}

/// Run `check`, writing the table to `out` and warnings to `err`; `basebench.toml` is
/// looked for in `cwd`.
pub fn execute(
    args: &CheckArgs,
    cwd: &Path,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> CommandResult {
    let inputs = load(args, cwd)?;
    if inputs.baseline.is_none() && args.max_regression.is_some() {
        let _ = writeln!(
            err,
            "warning: --max-regression has nothing to compare against without --baseline"
        );
    }
    let flags = GateLimits {
        max_size: args.max_size,
        max_compressed: args.max_compressed,
        max_ship_bytes: args.max_ship_bytes,
        max_startup_ms: args.max_startup,
        max_regression_pct: args.max_regression,
    };
    let outcomes = rules::evaluate(
        &inputs.results,
        inputs.baseline.as_ref(),
        &inputs.gates,
        &flags,
        args.variant.as_deref(),
    );
    let checked = match &args.variant {
        Some(_) => 1,
        None => inputs.results.variants.len(),
    };
    let _ = write!(out, "{}", render_outcomes(&outcomes));
    if let Some(error) = misconfigured(&outcomes, inputs.origin.as_deref()) {
        return Err(error);
    }
    let (code, line) = summary(&outcomes, checked, args.strict);
    let _ = writeln!(out, "{line}");
    Ok(code)
}

/// Runs `basebench check`.
pub(crate) fn run(args: CheckArgs) -> CommandResult {
    execute(
        &args,
        &super::working_dir()?,
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    )
}
