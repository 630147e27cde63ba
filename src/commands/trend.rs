//! `basebench trend`: size, cold build and startup per variant over the run history, as
//! a table and optionally an SVG chart.

use std::io::Write;
use std::path::PathBuf;

use crate::export::trend;
use crate::history;

/// Arguments of `basebench trend`.
#[derive(Debug, Clone, clap::Args)]
pub struct TrendArgs {
    /// The history file `basebench run` appends to.
    #[arg(long, value_name = "FILE", default_value = "results/history.jsonl")]
    pub history: PathBuf,
    /// Show only this variant.
    #[arg(long, value_name = "NAME")]
    pub variant: Option<String>,
    /// Also write the charts to this SVG file.
    #[arg(long, value_name = "OUT.svg")]
    pub svg: Option<PathBuf>,
}

/// Run `trend`, writing to `out` and `err`; returns the exit code (2 when the history
/// cannot be read or has no matching runs).
pub fn execute(args: &TrendArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let text = match std::fs::read_to_string(&args.history) {
        Ok(t) => t,
        Err(e) => {
            let _ = writeln!(
                err,
                "Error: cannot read history '{}': {e}; `basebench run` appends to \
                 <output>/history.jsonl (pass --history FILE)",
                args.history.display()
            );
            return 2;
        }
    };
    let parsed = history::parse(&text);
    for (line, why) in &parsed.skipped {
        let _ = writeln!(
            err,
            "warning: {}:{line} skipped: {why}",
            args.history.display()
        );
    }
    let names = parsed.variant_names();
    if let Some(name) = args.variant.as_ref().filter(|n| !names.contains(n)) {
        let _ = writeln!(
            err,
            "Error: no run in '{}' has variant '{name}' (known: {})",
            args.history.display(),
            names.join(", ")
        );
        return 2;
    }
    if parsed.runs.is_empty() {
        let _ = writeln!(err, "Error: '{}' holds no runs yet", args.history.display());
        return 2;
    }
    let _ = write!(out, "{}", trend::table(&parsed, args.variant.as_deref()));
    if let Some(path) = &args.svg {
        let svg = trend::svg(&parsed, args.variant.as_deref());
        if let Err(e) = crate::writer::write_atomic(path, svg.as_bytes()) {
            let _ = writeln!(err, "Error: {e}");
            return 2;
        }
        let _ = writeln!(out, "Chart: {}", path.display());
    }
    0
}

/// Runs `basebench trend`; returns the exit code.
pub fn run(args: TrendArgs) -> anyhow::Result<i32> {
    Ok(execute(
        &args,
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    ))
}
