//! `basebench run`: measure every variant and write the reports.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use tokio::sync::watch;

use super::{CliError, CommandResult, ExitCode};
use crate::bench::{Bench, RunOptions, now_rfc3339, sweep_run};
use crate::config::{self, Config, Overrides, defaults};
use crate::engine::Engine;
use crate::reporter::{self, Event, ProgressMode, Reporter};
use crate::results::RunResults;
use crate::writer::{OutputDir, WriteError, append_line};
use crate::{export, history};

/// Arguments of `basebench run`.
#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// The settings flags: each one given overrides the config file.
    #[command(flatten)]
    pub(crate) settings: Overrides,
    /// Directory for the reports.
    #[arg(long, short = 'o', value_name = "DIR", help = format!(
        "Directory for the reports (default: {}/<run-id>/ beside the config)",
        defaults::OUTPUT
    ))]
    pub(crate) output: Option<PathBuf>,
    /// Keep the measured images (tagged basebench-<variant>:<run-id>).
    #[arg(long)]
    pub(crate) keep_images: bool,
    /// Exit 0 even when a variant does not work.
    #[arg(long)]
    pub(crate) allow_failures: bool,
    /// Do not export and analyse the images.
    #[arg(long)]
    pub(crate) no_anatomy: bool,
    /// Do not append this run to the history file.
    #[arg(long)]
    pub(crate) no_history: bool,
    /// Print only warnings and the final table.
    #[arg(long, short = 'q')]
    pub(crate) quiet: bool,
    /// Also write the startup samples in hyperfine's JSON export shape to FILE.
    #[arg(long, value_name = "FILE")]
    pub(crate) export_hyperfine: Option<PathBuf>,
    /// Which engine, or engines.
    #[command(flatten)]
    pub(crate) engine_args: super::RunEngineArgs,
}

/// A new run id: UTC time plus a random suffix, e.g. `20261127-093012-4f2a`.
pub(crate) fn new_run_id() -> String {
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    format!(
        "{}-{}",
        chrono::Utc::now().format("%Y%m%d-%H%M%S"),
        &suffix[..4]
    )
}

/// Run the benchmark: [`ExitCode::Failed`] when a variant does not work,
/// [`ExitCode::Interrupted`] after Ctrl-C or SIGTERM.
pub(crate) async fn run(args: RunArgs) -> CommandResult {
    let cwd = super::working_dir()?;
    let config = config::load(&args.settings, &cwd)?;
    let run_id = new_run_id();
    let out_dir = args
        .output
        .clone()
        .map(|d| cwd.join(d))
        .unwrap_or_else(|| config.output_root.join(&run_id));
    // `--host` flags replace the config's `hosts`; more than one: one shard per engine.
    let hosts = if args.engine_args.hosts.is_empty() {
        config.hosts.clone()
    } else {
        args.engine_args.hosts.clone()
    };
    if hosts.len() > 1 {
        return super::run_hosts::run(args, hosts, &config.output_root, &cwd).await;
    }
    let engine = args.engine_args.on_first(&hosts);
    let mut args = args;
    args.export_hyperfine = args.export_hyperfine.map(|file| cwd.join(file));
    measure(&args, &config, &engine, &run_id, &out_dir).await
}

/// Measure `config`'s variants on one engine, writing the reports to `out_dir` (also used
/// by `optimize`, whose variants are the Dockerfile and its rewrites).
pub(super) async fn measure(
    args: &RunArgs,
    config: &Config,
    engine: &super::EngineArgs,
    run_id: &str,
    out_dir: &std::path::Path,
) -> CommandResult {
    let run_id = run_id.to_string();
    let engine = super::connect_engine(engine).await?;
    let host = engine.info().await?;
    let output = OutputDir::prepare(out_dir)?;
    // Checked once the report directory exists: the export may go into it.
    check_hyperfine_dir(args)?;
    let reporter: Arc<dyn Reporter> =
        Arc::from(reporter::for_mode(ProgressMode::detect(args.quiet)));
    reporter.report(Event::Notice(engine_line(&host)));
    reporter.report(Event::Notice(format!(
        "run {run_id}: {} variant(s) from {}, reports in {}",
        config.variants.len(),
        config.origin,
        output.path().display()
    )));
    let (cancel_tx, cancel_rx) = watch::channel(false);
    let signals = tokio::spawn(wait_for_signal(cancel_tx));
    let bench = Bench {
        engine: engine.as_ref(),
        config,
        reporter: reporter.as_ref(),
        run_id: run_id.clone(),
        options: RunOptions {
            keep_images: args.keep_images,
            skip_anatomy: args.no_anatomy,
        },
        cancel: cancel_rx.clone(),
        lost: std::sync::Mutex::new(None),
    };
    // A failed write mid-run is said once; the next step writes everything again, and
    // the final write decides ([`finish`]).
    let mut warned = false;
    let mut on_update = |results: &RunResults| {
        if let Err(e) = write_reports(&output, results, config)
            && !std::mem::replace(&mut warned, true)
        {
            reporter.report(Event::Warning(format!(
                "{e} The previous complete reports stay; the next step writes them again."
            )));
        }
    };
    let outcome = bench.run(host, now_rfc3339(), &mut on_update).await;
    let results = outcome.results;
    signals.abort();
    let interrupted = *cancel_rx.borrow();
    let lost = bench.take_lost();
    let finished = finish(
        engine.as_ref(),
        &results,
        args,
        config,
        &output,
        reporter.as_ref(),
        interrupted,
    )
    .await;
    if let Some(e) = lost {
        return Err(engine_lost(&e, &results.run_id, &output, None));
    }
    finished?;
    if let Some(e) = outcome.stopped {
        return Err(e.into());
    }
    Ok(exit_code(&results, interrupted, args.allow_failures))
}

/// The `--export-hyperfine` file's directory must exist (checked before the first build,
/// after the report directory is made).
fn check_hyperfine_dir(args: &RunArgs) -> Result<(), CliError> {
    match args
        .export_hyperfine
        .as_deref()
        .and_then(std::path::Path::parent)
    {
        Some(dir) if !dir.as_os_str().is_empty() && !dir.is_dir() => {
            Err(CliError::usage_msg(format!(
                "--export-hyperfine: the directory '{}' does not exist; create it or choose \
             another file",
                dir.display()
            )))
        }
        _ => Ok(()),
    }
}

/// The error of a run whose engine stopped answering: not the app's fault, exit 3, with
/// where the measurements so far are and how to remove what the run left.
/// `host`: the engine's `--host` when the run measured on several (its shard stopped).
pub(super) fn engine_lost(
    e: &crate::engine::EngineError,
    run_id: &str,
    output: &OutputDir,
    host: Option<&str>,
) -> CliError {
    let at = host.map(|h| format!(" at {h}")).unwrap_or_default();
    let flag = host.map(|h| format!(" --host {h}")).unwrap_or_default();
    CliError::environment(anyhow::anyhow!(
        "the container engine{at} stopped answering during the run, so it stopped there: \
         {e}\nThe measurements so far are kept in '{}' (marked incomplete). Once the engine \
         is back, `basebench clean{flag} --run {run_id}` removes what the run left on it.",
        output.path().display()
    ))
}

fn exit_code(results: &RunResults, interrupted: bool, allow_failures: bool) -> ExitCode {
    if interrupted {
        ExitCode::Interrupted
    } else if !allow_failures && results.variants.iter().any(|v| !v.works) {
        ExitCode::Failed
    } else {
        ExitCode::Success
    }
}

/// Clean the daemon, print the table, then write the final reports and history. A
/// report that cannot be written leaves the previous complete set in place; this run's
/// reports then go to [`fallback_dir`] and the error says where.
async fn finish(
    engine: &dyn Engine,
    results: &RunResults,
    args: &RunArgs,
    config: &Config,
    output: &OutputDir,
    reporter: &dyn Reporter,
    interrupted: bool,
) -> Result<(), CliError> {
    let keep = kept_images(results, args.keep_images);
    match sweep_run(engine, Some(&results.run_id), &keep).await {
        Ok(removed) if interrupted => reporter.report(Event::Notice(format!(
            "interrupted: removed {} container(s) and {} image(s) of run {}",
            removed.containers.len(),
            removed.images.len(),
            results.run_id
        ))),
        Ok(_) => {}
        Err(e) => reporter.report(Event::Warning(format!(
            "could not remove everything run {} created ({e}); run `basebench clean --run {}`",
            results.run_id, results.run_id
        ))),
    }
    reporter.finish();
    // The table first: what was measured reaches the user whatever the disk does. Write
    // errors (a closed pipe) are ignored here.
    let table = export::render_table(results, &config.scoring, super::color_enabled());
    let _ = writeln!(std::io::stdout(), "{table}");
    let mut failed = write_reports(output, results, config)
        .err()
        .map(|e| rescue(e, output, results, config));
    if let Some(path) = &args.export_hyperfine
        && let Err(e) = crate::writer::write_atomic(path, &export::render_hyperfine(results))
    {
        failed.get_or_insert(CliError::environment(e));
    }
    if !args.no_history && !results.variants.is_empty() {
        let path = config.output_root.join(history::HISTORY_FILE);
        if let Err(e) = append_line(&path, &history::summary_line(results)) {
            failed.get_or_insert(CliError::environment(e));
        }
    }
    if let Some(e) = failed {
        return Err(e);
    }
    let saved = if results.complete {
        "Reports"
    } else {
        "Partial reports (run incomplete)"
    };
    let _ = writeln!(
        std::io::stderr(),
        "{saved}: {}",
        output.path().join("report.html").display()
    );
    Ok(())
}

/// The measured images the sweep leaves in place: every variant's with `--keep-images`,
/// else none.
pub(super) fn kept_images(results: &RunResults, keep_images: bool) -> Vec<String> {
    if !keep_images {
        return Vec::new();
    }
    results
        .variants
        .iter()
        .filter_map(|v| v.image.as_ref().map(|i| i.id.clone()))
        .collect()
}

/// The reports could not be written to `output`: write them to the fallback directory
/// and say which file failed, that the previous set stays, and where this run's went.
fn rescue(e: WriteError, output: &OutputDir, results: &RunResults, config: &Config) -> CliError {
    let fallback = crate::writer::fallback_dir(&results.run_id);
    let saved = std::fs::create_dir_all(&fallback)
        .map_err(|source| WriteError {
            path: fallback.clone(),
            source,
        })
        .and_then(|()| OutputDir::prepare(&fallback))
        .and_then(|dir| write_reports(&dir, results, config));
    let kept = format!(
        "'{}' keeps the previous complete reports",
        output.path().display()
    );
    let message = match saved {
        Ok(()) => format!(
            "cannot write '{}': {}. This run's reports are saved in '{}' instead; {kept}.",
            e.path.display(),
            e.source,
            fallback.display()
        ),
        Err(again) => format!(
            "cannot write '{}': {}, nor in '{}' ({}): the table above is what this run \
             measured; {kept}.",
            e.path.display(),
            e.source,
            fallback.display(),
            again.source
        ),
    };
    CliError::environment(anyhow::anyhow!(message))
}

pub(super) fn write_reports(
    output: &OutputDir,
    results: &RunResults,
    config: &Config,
) -> Result<(), WriteError> {
    let reports = export::render_reports(results, &config.scoring);
    output.write_all(reports.iter().map(|r| (r.file_name, r.bytes.as_slice())))
}

/// Resolve when the user asks to stop (Ctrl-C or SIGTERM), then tell the run.
pub(super) async fn wait_for_signal(cancel: watch::Sender<bool>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut term) = signal(SignalKind::terminate()) else {
            let _ = tokio::signal::ctrl_c().await;
            let _ = cancel.send(true);
            return;
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
    let _ = cancel.send(true);
}

/// The engine a run measures on, printed first: version, API, storage driver and address
/// with the setting that named it.
pub(super) fn engine_line(host: &crate::results::HostInfo) -> String {
    let driver = if host.storage_driver.is_empty() {
        "storage driver not reported".to_string()
    } else {
        host.storage_driver.clone()
    };
    format!(
        "engine: {} {} (API {}, {driver}) at {} (from {})",
        host.engine, host.engine_version, host.api_version, host.address, host.address_source
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_ids_sort_by_time_and_are_unique() {
        let (a, b) = (new_run_id(), new_run_id());
        assert_ne!(a, b);
        assert_eq!(a.len(), "20261127-093012-4f2a".len());
    }
}
