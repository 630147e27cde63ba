//! `basebench compare OLD.json NEW.json`: per-variant deltas (size, builds, startup,
//! latency, memory) between two results files, with the change in percent.

use std::io::Write;
use std::path::{Path, PathBuf};

use tabled::builder::Builder;
use tabled::settings::Style;

use crate::format::{bytes, millis, seconds};
use crate::results::{RunResults, SCHEMA_VERSION, VariantResult};

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

/// A results file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ResultsFileError {
    /// The file cannot be read.
    #[error(
        "cannot read results file '{path}': {source}; pass a results.json written by `basebench run`"
    )]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a results document.
    #[error("'{path}' is not a basebench results.json: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// The file comes from a newer basebench.
    #[error(
        "'{path}' has schema_version {found}, newer than {SCHEMA_VERSION} which this basebench reads; upgrade basebench"
    )]
    Newer {
        /// The file.
        path: PathBuf,
        /// Version found.
        found: u32,
    },
}

/// Read and parse a `results.json`.
pub fn read_results(path: &Path) -> Result<RunResults, ResultsFileError> {
    let text = std::fs::read_to_string(path).map_err(|source| ResultsFileError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let results: RunResults = serde_json::from_str(&text).map_err(|e| ResultsFileError::Parse {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    if results.schema_version > SCHEMA_VERSION {
        return Err(ResultsFileError::Newer {
            path: path.to_path_buf(),
            found: results.schema_version,
        });
    }
    Ok(results)
}

fn delta(old: Option<f64>, new: Option<f64>, unit: fn(f64) -> String) -> String {
    match (old, new) {
        (Some(o), Some(n)) if o > 0.0 => {
            format!("{}\n→ {}\n{:+.1}%", unit(o), unit(n), (n - o) / o * 100.0)
        }
        (Some(o), Some(n)) => format!("{}\n→ {}", unit(o), unit(n)),
        (None, Some(n)) => format!("–\n→ {}", unit(n)),
        (Some(o), None) => format!("{}\n→ –", unit(o)),
        (None, None) => "–".to_string(),
    }
}

fn size(v: &VariantResult) -> Option<f64> {
    v.image.as_ref().map(|i| i.size_bytes as f64)
}
fn cold(v: &VariantResult) -> Option<f64> {
    v.build.as_ref().map(|b| b.cold_s.median)
}
fn incremental(v: &VariantResult) -> Option<f64> {
    v.build
        .as_ref()
        .and_then(|b| b.incremental_s.as_ref())
        .map(|t| t.median)
}
fn startup(v: &VariantResult) -> Option<f64> {
    v.startup_ms.as_ref().map(|t| t.median)
}
fn p95(v: &VariantResult) -> Option<f64> {
    v.latency_ms.as_ref().map(|l| l.p95)
}
fn memory(v: &VariantResult) -> Option<f64> {
    v.memory_bytes.as_ref().map(|m| m.peak as f64)
}

fn works(v: Option<&VariantResult>) -> &'static str {
    match v {
        Some(v) if v.works => "yes",
        Some(_) => "NO",
        None => "absent",
    }
}

/// The comparison table: one row per variant present in either file (new order first).
pub fn render_comparison(old: &RunResults, new: &RunResults) -> String {
    let mut names: Vec<&str> = new.variants.iter().map(|v| v.name.as_str()).collect();
    for v in &old.variants {
        if !names.contains(&v.name.as_str()) {
            names.push(&v.name);
        }
    }
    let mut builder = Builder::default();
    builder.push_record([
        "variant",
        "works",
        "size",
        "cold build",
        "after change",
        "startup",
        "p95",
        "peak memory",
    ]);
    for name in names {
        let o = old.variants.iter().find(|v| v.name == name);
        let n = new.variants.iter().find(|v| v.name == name);
        let cell = |f: fn(&VariantResult) -> Option<f64>, unit: fn(f64) -> String| {
            delta(o.and_then(f), n.and_then(f), unit)
        };
        builder.push_record([
            name.to_string(),
            format!("{}\n→ {}", works(o), works(n)),
            cell(size, |b| bytes(b as u64)),
            cell(cold, seconds),
            cell(incremental, seconds),
            cell(startup, millis),
            cell(p95, millis),
            cell(memory, |b| bytes(b as u64)),
        ]);
    }
    format!(
        "{} → {}\n{}\n",
        old.run_id,
        new.run_id,
        builder.build().with(Style::sharp())
    )
}

/// Run `compare`, writing to `out` and `err`; returns the exit code (0, or 2 when a file
/// cannot be read).
pub fn execute(args: &CompareArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let (old, new) = match (read_results(&args.old), read_results(&args.new)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => {
            let _ = writeln!(err, "Error: {e}");
            return 2;
        }
    };
    let _ = write!(out, "{}", render_comparison(&old, &new));
    0
}

/// Runs `basebench compare`; returns the exit code.
pub fn run(args: CompareArgs) -> anyhow::Result<i32> {
    Ok(execute(
        &args,
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    ))
}
