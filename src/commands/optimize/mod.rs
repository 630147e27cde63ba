//! `basebench optimize`: the transformations of docs/OPTIMIZE.md over a Dockerfile. Each
//! one that applies is written to the output directory as `Dockerfile.<name>` (the
//! `.dockerignore` proposal: `dockerignore.proposed`) with its unified diff (`.diff`);
//! `candidates.json` lists them all, with why the others do not apply. With `--dry-run`
//! that is all, and the terminal gets the table of what applies; otherwise each candidate
//! is measured and the best working combination handed back ([`measured`]). The user's
//! files are never written: an output directory inside the context or the Dockerfile's
//! directory is refused. Exit 0 when done (and, measured, when the best Dockerfile
//! works), 1 when no measured Dockerfile works, 2 for a Dockerfile that cannot be read
//! (naming `file:line`) or bad paths, 3 when the engine or the output fails.

mod measured;
mod outcome;
mod render;

use std::io::Write;
use std::path::{Path, PathBuf};

use tabled::builder::Builder;
use tabled::settings::Style;

use super::{CliError, CommandResult, ExitCode, working_dir};
use crate::config::{self, Config, Overrides};
use crate::dockerfile::rewrite::{Candidate, Context, Target, candidates};
use crate::dockerfile::{DockerfileError, read};
use crate::export::escape::terminal;
use crate::writer::OutputDir;

/// Arguments of `basebench optimize`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct OptimizeArgs {
    /// The settings flags of `run` (`--context`, `--port`, `--health`, `--runs`, ...):
    /// each one given overrides the config file.
    #[command(flatten)]
    pub(crate) settings: Overrides,
    /// The Dockerfile to optimize (default: Dockerfile in the context, or the one variant
    /// `--only` names in the config).
    #[arg(long, value_name = "FILE")]
    pub(crate) dockerfile: Option<PathBuf>,
    /// Where the candidates and reports go (created if needed; never the context).
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,
    /// Only write the rewritten candidates and their diffs; build nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Do not export and analyse the images.
    #[arg(long)]
    pub(crate) no_anatomy: bool,
    /// Print only warnings and the final tables.
    #[arg(long, short = 'q')]
    pub(crate) quiet: bool,
    /// Which engine.
    #[command(flatten)]
    pub(crate) engine_args: super::EngineArgs,
}

/// Everything both modes start from: the resolved config (one variant, `original`), the
/// Dockerfile and its context, the candidates, and the prepared output directory with
/// the candidates written.
pub(super) struct Prepared {
    config: Config,
    source: crate::dockerfile::Source,
    context: Context,
    label: String,
    candidates: Vec<Candidate>,
    output: OutputDir,
}

/// One candidate as `candidates.json` lists it.
#[derive(Debug, serde::Serialize)]
struct Listed<'a> {
    #[serde(flatten)]
    candidate: &'a Candidate,
    /// The file written, relative to the output directory.
    file: Option<String>,
    /// Its diff, relative to the output directory.
    diff_file: Option<String>,
}

/// `candidates.json`.
#[derive(Debug, serde::Serialize)]
struct Listing<'a> {
    dockerfile: String,
    context: String,
    candidates: Vec<Listed<'a>>,
}

/// The file a candidate is written to.
fn file_name(c: &Candidate) -> String {
    match c.target {
        Target::Dockerfile => format!("Dockerfile.{}", c.name),
        Target::Dockerignore => "dockerignore.proposed".to_string(),
    }
}

/// `path:line: message` for a Dockerfile that cannot be read.
fn parse_error(path: &Path, e: &DockerfileError) -> CliError {
    let line = match e {
        DockerfileError::Syntax { line, .. }
        | DockerfileError::UnknownArg { line, .. }
        | DockerfileError::MissingImage { line } => *line,
        DockerfileError::NoFrom => 1,
    };
    let text = e.to_string();
    let prefix = format!("Dockerfile line {line}: ");
    let message = text.strip_prefix(&prefix).unwrap_or(&text);
    CliError::usage_msg(format!(
        "{}:{line}: {message}; basebench cannot rewrite it",
        path.display()
    ))
}

/// The context's top-level entries and `.dockerignore`.
fn read_context(dir: &Path) -> Result<Context, CliError> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        CliError::usage(anyhow::Error::new(e).context(format!(
            "cannot read the context directory '{}'",
            dir.display()
        )))
    })?;
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let dockerignore = std::fs::read_to_string(dir.join(".dockerignore")).ok();
    Ok(Context {
        entries: names,
        dockerignore,
    })
}

/// Is `inner` (canonical) `outer` or inside it?
fn within(inner: &Path, outer: &Path) -> bool {
    std::fs::canonicalize(outer).is_ok_and(|o| inner.starts_with(o))
}

/// `path` made absolute through its nearest existing ancestor (symbolic links resolved),
/// before anything is created.
fn resolve(path: &Path) -> PathBuf {
    let mut rest = Vec::new();
    let mut at = path;
    loop {
        if let Ok(real) = std::fs::canonicalize(at) {
            return rest.iter().rev().fold(real, |p, c| p.join(c));
        }
        match (at.parent(), at.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                at = parent;
            }
            _ => return path.to_path_buf(),
        }
    }
}

/// The table of what applies and why not.
fn table(all: &[Candidate]) -> String {
    let mut builder = Builder::default();
    builder.push_record(["transformation", "applies", "written / why not"]);
    for c in all {
        let detail = match &c.reason_if_not {
            Some(why) => why.clone(),
            None => format!("{} (+ .diff)", file_name(c)),
        };
        builder.push_record([
            c.name.to_string(),
            if c.applies { "yes" } else { "no" }.to_string(),
            terminal(&detail),
        ]);
    }
    format!("{}\n", builder.build().with(Style::sharp()))
}

/// The port a dry run's config gets when none is set: it is never used.
const NO_PORT_NEEDED: u16 = 80;

/// The config of the one Dockerfile to optimize, its variant named `original`: from
/// `--dockerfile`, the one variant `--only` names, or `Dockerfile` in `--context`.
fn target_config(args: &OptimizeArgs, cwd: &Path) -> Result<Config, CliError> {
    let mut overrides = args.settings.clone();
    if !overrides.variants.is_empty() {
        return Err(CliError::usage_msg(
            "optimize takes one Dockerfile: name it with --dockerfile FILE (or one variant \
             of basebench.toml with --only NAME), not --variant",
        ));
    }
    match (&args.dockerfile, overrides.only.len(), &overrides.context) {
        (Some(file), _, _) => {
            overrides.variants = vec![(outcome::ORIGINAL.to_string(), cwd.join(file))];
            overrides.only.clear();
        }
        (None, 1, _) => {}
        (None, 0, Some(context)) => {
            let file = cwd.join(context).join("Dockerfile");
            overrides.variants = vec![(outcome::ORIGINAL.to_string(), file)];
        }
        _ => {
            return Err(CliError::usage_msg(
                "name the Dockerfile to optimize: --dockerfile FILE (its context from \
                 --context DIR or the config), --context DIR (its Dockerfile), or one \
                 variant of basebench.toml with --only NAME",
            ));
        }
    }
    if args.dry_run && overrides.port.is_none() {
        // A dry run starts nothing, so it needs no port; the config's check asks for one.
        overrides.port = Some(NO_PORT_NEEDED);
    }
    let mut config = config::load(&overrides, cwd)?;
    if config.variants.len() != 1 {
        return Err(CliError::usage_msg(format!(
            "optimize takes one Dockerfile, and {} variants were selected: pick one with --only NAME",
            config.variants.len()
        )));
    }
    config.variants[0].name = outcome::ORIGINAL.to_string();
    Ok(config)
}

/// Read the Dockerfile and context, make the candidates, check and prepare the output
/// directory and write the candidates there.
fn prepare(args: &OptimizeArgs, cwd: &Path) -> Result<Prepared, CliError> {
    let config = target_config(args, cwd)?;
    let (dockerfile, context_dir) = (
        config.variants[0].dockerfile.clone(),
        config.variants[0].context.clone(),
    );
    let source = read(&dockerfile).map_err(|e| {
        CliError::usage(anyhow::Error::new(e).context(format!(
            "cannot read the Dockerfile '{}'",
            dockerfile.display()
        )))
    })?;
    let context = read_context(&context_dir)?;
    let label = dockerfile.file_name().map_or_else(
        || "Dockerfile".to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let all = candidates(&source.text, &context, &label)
        .map_err(|e| parse_error(args.dockerfile.as_deref().unwrap_or(&dockerfile), &e))?;
    let out_dir = cwd.join(&args.out);
    let resolved = resolve(&out_dir);
    let dockerfile_dir = dockerfile.parent().unwrap_or(Path::new("."));
    if within(&resolved, &context_dir) || within(&resolved, dockerfile_dir) {
        return Err(CliError::usage_msg(format!(
            "--out '{}' is inside the context or the Dockerfile's directory: basebench never writes there; choose a directory outside them",
            args.out.display()
        )));
    }
    let output = OutputDir::prepare(&out_dir)?;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut listed = Vec::new();
    for c in &all {
        let (file, diff_file) = match (&c.text, &c.diff) {
            (Some(text), Some(diff)) => {
                let name = file_name(c);
                let diff_name = format!("{name}.diff");
                files.push((name.clone(), text.clone().into_bytes()));
                files.push((diff_name.clone(), diff.clone().into_bytes()));
                (Some(name), Some(diff_name))
            }
            _ => (None, None),
        };
        listed.push(Listed {
            candidate: c,
            file,
            diff_file,
        });
    }
    let listing = Listing {
        dockerfile: dockerfile.display().to_string(),
        context: context_dir.display().to_string(),
        candidates: listed,
    };
    let json = serde_json::to_string_pretty(&listing)
        .map_err(|e| CliError::environment(anyhow::Error::new(e)))?;
    files.push(("candidates.json".to_string(), json.into_bytes()));
    output.write_all(files.iter().map(|(n, b)| (n.as_str(), b.as_slice())))?;
    Ok(Prepared {
        config,
        source,
        context,
        label,
        candidates: all,
        output,
    })
}

/// Run `optimize` in `cwd`, writing the table to `out`.
pub(crate) async fn execute(args: &OptimizeArgs, cwd: &Path, out: &mut dyn Write) -> CommandResult {
    let prepared = prepare(args, cwd)?;
    if !args.dry_run {
        return measured::optimize(prepared, args, out).await;
    }
    let all = &prepared.candidates;
    let _ = write!(out, "{}", table(all));
    let _ = writeln!(
        out,
        "{} of {} transformations apply; candidates in {}",
        all.iter().filter(|c| c.applies).count(),
        all.len(),
        terminal(&prepared.output.path().display().to_string())
    );
    Ok(ExitCode::Success)
}

/// Runs `basebench optimize`.
pub(crate) async fn run(args: OptimizeArgs) -> CommandResult {
    let cwd = working_dir()?;
    execute(&args, &cwd, &mut std::io::stdout()).await
}
