//! `basebench compare OLD.json NEW.json`: per-variant deltas (size, builds, startup,
//! latency, memory) between two results files, with the change in percent; a warning
//! first when the files come from different testbeds. Names and run ids from the files are
//! escaped for the terminal.

use std::io::Write;
use std::path::PathBuf;

use tabled::builder::Builder;
use tabled::settings::Style;

use super::{CommandResult, ExitCode};
use crate::export::escape::terminal;
use crate::results::compare::{self, Change, Figure};
use crate::results::{RunResults, VariantResult, read_results};

/// Arguments of `basebench compare`.
#[derive(Debug, Clone, clap::Args)]
pub struct CompareArgs {
    /// The older results.json (the baseline).
    #[arg(value_name = "OLD.json")]
    pub old: PathBuf,
    /// The newer results.json.
    #[arg(value_name = "NEW.json")]
    pub new: PathBuf,
}

fn delta(change: &Change) -> String {
    let show = |v: f64| change.figure.show(v);
    match (change.old, change.new, change.percent()) {
        (Some(o), Some(n), Some(pct)) => format!("{}\n→ {}\n{pct:+.1}%", show(o), show(n)),
        (Some(o), Some(n), None) => format!("{}\n→ {}", show(o), show(n)),
        (None, Some(n), _) => format!("–\n→ {}", show(n)),
        (Some(o), None, _) => format!("{}\n→ –", show(o)),
        (None, None, _) => "–".to_string(),
    }
}

fn works(v: Option<&VariantResult>) -> &'static str {
    match v {
        Some(v) if v.works => "yes",
        Some(_) => "NO",
        None => "absent",
    }
}

/// The comparison table: one row per variant present in either file (new order first).
pub(crate) fn render_comparison(old: &RunResults, new: &RunResults) -> String {
    let mut builder = Builder::default();
    let mut header = vec!["variant", "works"];
    header.extend(Figure::ALL.iter().map(|f| f.label()));
    builder.push_record(header);
    for pair in compare::compare(old, new) {
        let mut row = vec![
            terminal(pair.name),
            format!("{}\n→ {}", works(pair.old), works(pair.new)),
        ];
        row.extend(pair.changes(&Figure::ALL).iter().map(delta));
        builder.push_record(row);
    }
    format!(
        "{} → {}\n{}\n",
        terminal(&old.run_id),
        terminal(&new.run_id),
        builder.build().with(Style::sharp())
    )
}

/// Run `compare`, writing the table to `out`. A file that cannot be read is bad input
/// (exit 2).
pub fn execute(args: &CompareArgs, out: &mut dyn Write) -> CommandResult {
    let old = read_results(&args.old)?;
    let new = read_results(&args.new)?;
    let differences = compare::testbed_differences(&old, &new);
    if !differences.is_empty() {
        let _ = writeln!(
            out,
            "warning: the two files come from different testbeds ({}); absolute timings are \
             not comparable, ratios to a reference measured on the same testbed are",
            differences.join(", ")
        );
    }
    let _ = write!(out, "{}", render_comparison(&old, &new));
    Ok(ExitCode::Success)
}

/// Runs `basebench compare`.
pub(crate) fn run(args: CompareArgs) -> CommandResult {
    execute(&args, &mut std::io::stdout())
}
