//! `basebench inspect`: the anatomy of one local image (exported through the engine) or of
//! a `docker save` tarball (no daemon needed), as a dive-like table or as JSON with the
//! same fields `results.json` uses.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::{CliError, CommandResult, ExitCode};
use crate::anatomy::{self, AnalyzeOptions, Anatomy, AnatomyError, ScanPolicy, VulnerabilityScan};
use crate::engine::EngineError;
use crate::export::escape::terminal;
use crate::format::{self, bytes, list};

/// Arguments of `basebench inspect`.
#[derive(Debug, Clone, clap::Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["image", "archive"])))]
pub(crate) struct InspectArgs {
    /// Local image to analyse (name, name:tag or id), exported through the Docker daemon.
    pub(crate) image: Option<String>,
    /// A `docker save` tarball to analyse without a daemon.
    #[arg(long, value_name = "FILE.tar")]
    pub(crate) archive: Option<PathBuf>,
    /// Output format: a table for people, or JSON (the `anatomy` object of results.json).
    #[arg(long, value_enum, default_value_t = InspectFormat::Table)]
    pub(crate) format: InspectFormat,
    /// Do not run trivy or grype even when one is installed.
    #[arg(long)]
    pub(crate) no_scan: bool,
    /// Which engine.
    #[command(flatten)]
    pub(crate) engine_args: super::EngineArgs,
}

/// How `inspect` prints its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum InspectFormat {
    /// A concise table.
    Table,
    /// JSON: the same fields as `anatomy` in results.json.
    Json,
}

/// Runs `basebench inspect`. An archive that cannot be read or is not a `docker save`
/// tarball, or an image that is not local, is bad input (exit 2); a failing engine exits 3.
pub(crate) async fn run(args: InspectArgs) -> CommandResult {
    let options = AnalyzeOptions {
        scan: if args.no_scan {
            ScanPolicy::Never
        } else {
            ScanPolicy::WhenInstalled
        },
        ..AnalyzeOptions::default()
    };
    let (title, anatomy) = match (&args.archive, &args.image) {
        (Some(path), _) => (
            path.display().to_string(),
            inspect_archive(path, options).await?,
        ),
        (None, Some(image)) => (
            image.clone(),
            inspect_image(image, options, &args.engine_args).await?,
        ),
        (None, None) => return Err(CliError::usage_msg("give an IMAGE or --archive FILE.tar")),
    };
    match args.format {
        InspectFormat::Json => {
            let json = serde_json::to_string_pretty(&anatomy).map_err(CliError::environment)?;
            println!("{json}");
        }
        InspectFormat::Table => print!("{}", render_table(&title, &anatomy)),
    }
    Ok(ExitCode::Success)
}

async fn inspect_archive(path: &Path, options: AnalyzeOptions) -> Result<Anatomy, CliError> {
    let path = path.to_path_buf();
    let analysed = tokio::task::spawn_blocking(move || anatomy::analyze_file(&path, &options))
        .await
        .map_err(|e| {
            CliError::environment(anyhow::Error::new(e).context("the analysis task failed"))
        })?;
    analysed.map_err(|e| match e {
        AnatomyError::Task(_) => CliError::environment(e),
        _ => CliError::usage(e),
    })
}

async fn inspect_image(
    image: &str,
    options: AnalyzeOptions,
    engine_args: &super::EngineArgs,
) -> Result<Anatomy, CliError> {
    let engine = super::connect_engine(engine_args).await?;
    let info = engine
        .image_info(image)
        .await
        .map_err(|e| engine_error(e, format!("inspecting image '{image}'")))?;
    if info.is_none() {
        return Err(CliError::usage_msg(format!(
            "image '{image}' is not in the local image store; build it, `docker load` it, or \
             pass a `docker save` tarball with --archive"
        )));
    }
    let stream = engine
        .export_image(image)
        .await
        .map_err(|e| engine_error(e, format!("exporting image '{image}'")))?;
    anatomy::analyze_export(stream, options)
        .await
        .with_context(|| format!("analysing image '{image}'"))
        .map_err(CliError::environment)
}

/// An image the engine does not have is bad input (exit 2); any other engine error exits 3.
fn engine_error(e: EngineError, doing: String) -> CliError {
    let not_found = matches!(e, EngineError::NotFound { .. });
    let error = anyhow::Error::new(e).context(doing);
    if not_found {
        CliError::usage(error)
    } else {
        CliError::environment(error)
    }
}

/// The human table: efficiency, layers with their instructions, largest files and facts.
/// Every text from the image (instructions, paths, user, notes) and the title go through
/// [`terminal`], so a file name cannot send escape sequences to the terminal.
pub(crate) fn render_table(title: &str, a: &Anatomy) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Image anatomy of {}", terminal(title));
    let _ = writeln!(
        out,
        "  efficiency {:.1} %   wasted {}   content {}   stored in layers {}\n",
        a.efficiency * 100.0,
        bytes(a.wasted_bytes),
        bytes(a.content_bytes),
        bytes(a.stored_bytes)
    );
    let _ = writeln!(
        out,
        "  {:>3}  {:>9}  {:>9}  {:>9}  {:>9}  instruction",
        "#", "added", "modified", "wasted", "archive"
    );
    for (i, l) in a.layers.iter().enumerate() {
        let mut instruction = l
            .created_by
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if instruction.chars().count() > 60 {
            instruction = instruction.chars().take(59).collect::<String>() + "…";
        }
        let _ = writeln!(
            out,
            "  {:>3}  {:>9}  {:>9}  {:>9}  {:>9}  {}",
            i,
            bytes(l.added_bytes),
            bytes(l.modified_bytes),
            bytes(l.removed_bytes + l.replaced_bytes),
            bytes(l.archive_bytes),
            terminal(&instruction)
        );
    }
    if !a.largest_files.is_empty() {
        let _ = writeln!(out, "\n  largest files");
        for f in a.largest_files.iter().take(5) {
            let _ = writeln!(out, "  {:>9}  {}", bytes(f.size_bytes), terminal(&f.path));
        }
    }
    let _ = writeln!(out, "\n{}", render_facts(a));
    out
}

fn render_facts(a: &Anatomy) -> String {
    let user = match (a.user.configured.as_str(), a.user.uid) {
        ("", _) => "root (no USER set)".to_string(),
        (name, Some(uid)) => format!(
            "{name} (uid {uid}{})",
            if a.user.is_root { ", root" } else { "" }
        ),
        (name, None) => format!("{name} (uid unknown, not root)"),
    };
    let libc = a.libc.as_ref().map_or("none found".to_string(), |l| {
        format!(
            "{} {}",
            l.kind,
            l.version.as_deref().unwrap_or("(version unknown)")
        )
    });
    let setuid = match a.setuid_files.len() {
        0 => "none".to_string(),
        n => format!("{n}: {}", list(&a.setuid_files[..n.min(4)])),
    };
    let vulns = match &a.vulnerabilities {
        VulnerabilityScan::NotScanned { reason } => format!("not scanned ({reason})"),
        VulnerabilityScan::Scanned {
            scanner,
            db_date,
            critical,
            high,
            medium,
            low,
            unknown,
        } => format!(
            "{critical} critical, {high} high, {medium} medium, {low} low, {unknown} unknown \
             ({scanner}, db {})",
            db_date.as_deref().unwrap_or("date unknown")
        ),
    };
    let os_packages = a
        .os_packages
        .map_or("no package database".to_string(), |n| n.to_string());
    let rows = [
        ("runs as", user),
        (
            "os",
            a.os_release
                .clone()
                .unwrap_or_else(|| "unknown (no os-release)".into()),
        ),
        ("shells", list(&a.shells)),
        ("package managers", list(&a.package_managers)),
        ("os packages", os_packages),
        ("python packages", a.python_packages.to_string()),
        (
            "bytecode",
            a.bytecode
                .as_ref()
                .map_or("not counted".to_string(), format::bytecode),
        ),
        (
            "bytecode cache",
            a.bytecode
                .as_ref()
                .map_or("not counted".to_string(), format::bytecode_cache),
        ),
        ("libc", libc),
        ("setuid/setgid", setuid),
        ("vulnerabilities", vulns),
    ];
    let mut out = String::new();
    for (name, value) in rows {
        let _ = writeln!(out, "  {name:<17} {}", terminal(&value));
    }
    for note in &a.notes {
        let _ = writeln!(out, "  note: {}", terminal(note));
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::anatomy::synth::{ImageBuilder, LayerBuilder, Layout, Storage};

    #[test]
    fn the_table_shows_efficiency_layers_and_facts() {
        let base = LayerBuilder::new()
            .sized("big", 2_000_000)
            .file_mode("bin/sh", b"sh", 0o755);
        let top = LayerBuilder::new().whiteout("big");
        let archive = ImageBuilder::new()
            .layer("COPY big /big", base, Storage::Plain)
            .layer("RUN rm /big", top, Storage::Gzip)
            .user("nobody")
            .build(Layout::Legacy);
        let a = anatomy::analyze_archive(&archive[..], &AnalyzeOptions::default()).unwrap();
        let table = render_table("x.tar", &a);
        assert!(
            table.contains("efficiency 0.0 %   wasted 2.0 MB"),
            "{table}"
        );
        assert!(table.contains("RUN rm /big"), "{table}");
        assert!(table.contains("shells            /bin/sh"), "{table}");
        assert!(table.contains("nobody (uid unknown, not root)"), "{table}");
        assert!(
            table.contains("not scanned (neither trivy nor grype"),
            "{table}"
        );
    }

    #[test]
    fn text_from_the_image_cannot_reach_the_terminal_raw() {
        let layer = LayerBuilder::new()
            .sized("evil\u{1b}]0;owned\u{7}name", 2_000_000)
            .file_mode("bin/sh", b"sh", 0o755);
        let archive = ImageBuilder::new()
            .layer("RUN printf '\u{1b}[2J'", layer, Storage::Plain)
            .user("app\u{9b}31m")
            .build(Layout::Legacy);
        let a = anatomy::analyze_archive(&archive[..], &AnalyzeOptions::default()).unwrap();
        let table = render_table("x\u{1b}[31m.tar", &a);
        for raw in ['\u{1b}', '\u{7}', '\u{9b}'] {
            assert!(!table.contains(raw), "{raw:?} in {table}");
        }
        assert!(table.contains("Image anatomy of x\\x1b[31m.tar"), "{table}");
        assert!(table.contains("evil\\x1b]0;owned\\x07name"), "{table}");
        assert!(table.contains("RUN printf '\\x1b[2J'"), "{table}");
        assert!(table.contains("app\\x9b31m (uid unknown"), "{table}");
    }
}
