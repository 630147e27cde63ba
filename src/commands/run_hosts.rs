//! `basebench run --host A --host B ...` (or `hosts = [...]` in the config): one shard per engine, measured at the same time
//! (inside each engine the measurements stay serial, as in any run), then merged into one
//! results.json and every report, as `basebench merge` of those shards would (docs/SHARDS.md).
//!
//! Each engine is its own testbed, named by its `--host` address; shard K of N goes to the
//! K-th `--host`. Every shard's own reports are kept in `<output>/shard-K/`; the merged
//! ones are written to `<output>/`. Ctrl-C or SIGTERM stops every shard, and what each run
//! created is removed from its own engine.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use futures_util::future::join_all;
use tokio::sync::watch;

use super::run::{RunArgs, new_run_id};
use super::{CliError, CommandResult, ExitCode};
use crate::bench::{Bench, RunOptions, now_rfc3339, sweep_run};
use crate::config::{self, Config, Shard};
use crate::engine::{Engine, EngineError};
use crate::reporter::{self, Event, ProgressMode, Reporter};
use crate::results::RunResults;
use crate::results::merge::merge;
use crate::writer::{OutputDir, append_line};
use crate::{export, history};

/// Longest `--host` address used as a testbed name as it is (a longer one is `host K`).
const MAX_NAME: usize = 64;

/// One engine of the run and what it measures.
struct HostRun {
    /// The `--host` address.
    address: String,
    /// Its testbed name: the address, or `host K` when that is too long to be one.
    label: String,
    engine: Box<dyn Engine>,
    /// The config with this engine's shard and testbed.
    config: Config,
    run_id: String,
    output: OutputDir,
}

/// The testbed name of the K-th (from 1) `--host`.
fn testbed_label(address: &str, k: usize) -> String {
    let printable = address.chars().all(|c| !c.is_control()) && address.trim() == address;
    if printable && !address.is_empty() && address.chars().count() <= MAX_NAME {
        address.to_string()
    } else {
        format!("host {k}")
    }
}

/// Refuse what several engines cannot do: settings that name one shard or one testbed,
/// a missing reference, an address given twice. Checked before any engine is touched.
fn check_args(args: &RunArgs, hosts: &[String]) -> Result<(), CliError> {
    let n = hosts.len();
    if args.settings.shard.is_some() {
        return Err(CliError::usage_msg(format!(
            "--shard and {n} hosts: with several engines each one measures a shard of its \
             own (the K-th host shard K/{n}); drop --shard, or give one --host"
        )));
    }
    if args.settings.testbed.is_some() {
        return Err(CliError::usage_msg(
            "--testbed and several hosts: each engine is its own testbed, named by its \
             address; drop --testbed",
        ));
    }
    if args.export_hyperfine.is_some() {
        return Err(CliError::usage_msg(
            "--export-hyperfine and several hosts: the samples of different engines are \
             not one benchmark; export each engine's run separately",
        ));
    }
    for (i, host) in hosts.iter().enumerate() {
        if hosts[..i].contains(host) {
            return Err(CliError::usage_msg(format!(
                "the host {host} is given twice: each engine measures its own shard once"
            )));
        }
    }
    Ok(())
}

/// The config of shard `k` of `n`: the user's settings, this shard and testbed.
fn shard_config(
    args: &RunArgs,
    cwd: &Path,
    (k, n): (usize, usize),
    label: &str,
) -> Result<Config, CliError> {
    let mut overrides = args.settings.clone();
    overrides.shard = Some(Shard {
        index: k as u32,
        count: n as u32,
    });
    overrides.testbed = Some(label.to_string());
    let config = config::load(&overrides, cwd)?;
    if config.sampling.reference.is_none() {
        return Err(CliError::usage_msg(format!(
            "{n} hosts split the variants into one shard per engine, and every engine \
             must also measure one variant the others are compared with: name it with \
             --reference NAME (or `reference = \"NAME\"` in the config)"
        )));
    }
    Ok(config)
}

/// Prefixes every event with its engine, so that the progress of every host can be told
/// apart: variants are `<name> on <testbed>`, notices and warnings `[<testbed>] ...`.
struct OnHost {
    label: String,
    inner: Arc<dyn Reporter>,
}

impl OnHost {
    fn name(&self, name: String) -> String {
        format!("{name} on {}", self.label)
    }

    fn text(&self, text: String) -> String {
        format!("[{}] {text}", self.label)
    }
}

impl Reporter for OnHost {
    fn report(&self, event: Event) {
        let event = match event {
            Event::VariantStarted { name, index, total } => Event::VariantStarted {
                name: self.name(name),
                index,
                total,
            },
            Event::Phase {
                name,
                phase,
                detail,
            } => Event::Phase {
                name: self.name(name),
                phase,
                detail,
            },
            Event::BuildStep { name, step, cached } => Event::BuildStep {
                name: self.name(name),
                step,
                cached,
            },
            Event::VariantFinished {
                name,
                works,
                summary,
            } => Event::VariantFinished {
                name: self.name(name),
                works,
                summary,
            },
            Event::Round {
                what,
                done,
                most,
                precision,
            } => Event::Notice(self.text(format!(
                "{what}: round {done} of at most {most}{}",
                precision
                    .map(|p| format!(", widest interval ±{:.1} %", p * 100.0))
                    .unwrap_or_default()
            ))),
            Event::Notice(text) => Event::Notice(self.text(text)),
            Event::Warning(text) => Event::Warning(self.text(text)),
        };
        self.inner.report(event);
    }
}

/// Run one shard per host (the `--host` flags, else the config's `hosts`) at the same
/// time, then merge them.
/// `output_root`: the config's, where the merged run's directory goes without `--output`.
pub(crate) async fn run(
    args: RunArgs,
    hosts: Vec<String>,
    output_root: &Path,
    cwd: &Path,
) -> CommandResult {
    check_args(&args, &hosts)?;
    let base_id = new_run_id();
    let out_dir = match &args.output {
        Some(dir) => cwd.join(dir),
        None => output_root.join(&base_id),
    };
    // Every config first (bad settings touch no engine), then every engine.
    let mut plans = Vec::with_capacity(hosts.len());
    for (i, address) in hosts.iter().enumerate() {
        let label = testbed_label(address, i + 1);
        plans.push((
            address,
            label.clone(),
            shard_config(&args, cwd, (i + 1, hosts.len()), &label)?,
        ));
    }
    let output = OutputDir::prepare(&out_dir)?;
    let reporter: Arc<dyn Reporter> =
        Arc::from(reporter::for_mode(ProgressMode::detect(args.quiet)));
    let mut runs = Vec::with_capacity(plans.len());
    for (i, (address, label, config)) in plans.into_iter().enumerate() {
        let engine = super::connect_engine(&args.engine_args.on(address))
            .await
            .map_err(|e| host_error(address, e))?;
        runs.push(HostRun {
            address: address.clone(),
            label,
            engine,
            config,
            run_id: format!("{base_id}-{}", i + 1),
            output: OutputDir::prepare(&out_dir.join(format!("shard-{}", i + 1)))?,
        });
    }
    let mut infos = Vec::with_capacity(runs.len());
    for run in &runs {
        let info = run
            .engine
            .info()
            .await
            .map_err(|e| host_error(&run.address, e))?;
        reporter.report(Event::Notice(format!(
            "[{}] {}; shard {} of {}: {} variant(s), run {}",
            run.label,
            super::run::engine_line(&info),
            run.config.shard.map(|s| s.index).unwrap_or(1),
            runs.len(),
            run.config.variants.len(),
            run.run_id
        )));
        infos.push(info);
    }
    reporter.report(Event::Notice(format!(
        "{} engines at the same time, serial inside each; merged reports in {}",
        runs.len(),
        output.path().display()
    )));
    let (cancel_tx, cancel_rx) = watch::channel(false);
    let signals = tokio::spawn(super::run::wait_for_signal(cancel_tx));
    let reporters: Vec<OnHost> = runs
        .iter()
        .map(|run| OnHost {
            label: run.label.clone(),
            inner: reporter.clone(),
        })
        .collect();
    let benches: Vec<Bench<'_>> = runs
        .iter()
        .zip(&reporters)
        .map(|(run, on_host)| Bench {
            engine: run.engine.as_ref(),
            config: &run.config,
            reporter: on_host,
            run_id: run.run_id.clone(),
            options: RunOptions {
                keep_images: args.keep_images,
                skip_anatomy: args.no_anatomy,
            },
            cancel: cancel_rx.clone(),
            lost: std::sync::Mutex::new(None),
        })
        .collect();
    let started_at = now_rfc3339();
    let outcomes = join_all(
        benches
            .iter()
            .zip(&runs)
            .zip(infos)
            .map(|((bench, run), info)| {
                let started_at = started_at.clone();
                async move {
                    let mut on_update = |results: &RunResults| {
                        // Mid-run writes are best effort; the final write below decides.
                        let _ = super::run::write_reports(&run.output, results, &run.config);
                    };
                    bench.run(info, started_at, &mut on_update).await
                }
            }),
    )
    .await;
    signals.abort();
    let interrupted = *cancel_rx.borrow();
    let mut shards = Vec::with_capacity(runs.len());
    let mut first_error: Option<CliError> = None;
    for ((run, bench), outcome) in runs.iter().zip(&benches).zip(outcomes) {
        let results = outcome.results;
        sweep(run, &results, args.keep_images, reporter.as_ref()).await;
        if let Err(e) = super::run::write_reports(&run.output, &results, &run.config) {
            first_error.get_or_insert(CliError::environment(e));
        }
        if let Some(e) = bench.take_lost() {
            let lost = super::run::engine_lost(&e, &run.run_id, &run.output, Some(&run.address));
            first_error.get_or_insert(lost);
        }
        if let Some(e) = outcome.stopped {
            first_error.get_or_insert(e.into());
        }
        shards.push((
            run.output.path().join("results.json").display().to_string(),
            results,
        ));
    }
    reporter.finish();
    if interrupted {
        let _ = writeln!(
            std::io::stderr(),
            "interrupted: every engine was cleaned; each shard's partial reports are in {}",
            output.path().display()
        );
        return Ok(ExitCode::Interrupted);
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    let works = shards
        .iter()
        .all(|(_, r)| r.variants.iter().all(|v| v.works));
    // What stops a merge here is what was measured (the reference failed on one engine):
    // a failed run (exit 1), with every shard's reports kept.
    let merged = merge(shards).map_err(|e| CliError {
        code: ExitCode::Failed,
        source: anyhow::anyhow!(
            "the shards were measured but cannot be merged: {e}. Each engine's reports are \
             in {}/shard-K/",
            output.path().display()
        ),
    })?;
    let scoring = &runs[0].config.scoring;
    let table = export::render_table(&merged, scoring, super::color_enabled());
    let _ = writeln!(std::io::stdout(), "{table}");
    super::run::write_reports(&output, &merged, &runs[0].config)?;
    if !args.no_history {
        let path = runs[0].config.output_root.join(history::HISTORY_FILE);
        append_line(&path, &history::summary_line(&merged))?;
    }
    let _ = writeln!(
        std::io::stderr(),
        "Reports: {} (each engine's shard in shard-K/)",
        output.path().join("report.html").display()
    );
    Ok(if works || args.allow_failures {
        ExitCode::Success
    } else {
        ExitCode::Failed
    })
}

/// Remove what the shard's run created on its engine (its measured images stay with
/// `--keep-images`); a failure is a warning naming the command that finishes the job.
async fn sweep(run: &HostRun, results: &RunResults, keep_images: bool, reporter: &dyn Reporter) {
    let keep = super::run::kept_images(results, keep_images);
    if let Err(e) = sweep_run(run.engine.as_ref(), Some(&run.run_id), &keep).await {
        reporter.report(Event::Warning(format!(
            "[{}] could not remove everything run {} created ({e}); run `basebench clean \
             --host {} --run {}`",
            run.label, run.run_id, run.address, run.run_id
        )));
    }
}

/// An engine that cannot be reached or asked, named by its `--host`.
fn host_error(address: &str, e: EngineError) -> CliError {
    CliError::environment(anyhow::anyhow!(
        "--host {address}: {e}; nothing was measured on any engine"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_host_is_its_testbed_name_unless_it_cannot_be_one() {
        assert_eq!(
            testbed_label("tcp://10.0.0.2:2376", 1),
            "tcp://10.0.0.2:2376"
        );
        let long = format!("unix:///{}/docker.sock", "d".repeat(80));
        assert_eq!(testbed_label(&long, 2), "host 2");
        assert_eq!(testbed_label("tcp://a\n", 3), "host 3");
    }
}
