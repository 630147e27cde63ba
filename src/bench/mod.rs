//! The orchestrator: it executes a measurement plan ([`plan`]) over all variants at once.
//! First each variant's bases are resolved, it is built cold (downloads included) and
//! inspected; then the repeated builds, the startup rounds (one fresh container of every
//! working variant per round, in a shuffled order; more rounds while `--precision` is not
//! met), the load phase (latency in shuffled rounds, load, memory, smoke), the anatomy and
//! the cleanup. A variant that fails anywhere becomes a failure row and drops out of the
//! later rounds. The results are handed on after every step that adds data, with the
//! statistics recomputed from the raw samples ([`crate::results::analysis`]).
//! All side effects go through the [`Engine`]; all progress through the [`Reporter`].

mod build;
mod cleanup;
mod container;
mod fitness;
mod image;
mod phases;
pub(crate) mod plan;
mod registry;
mod resolve_from;
mod rounds;
mod slot;
mod stall;
mod startup;
pub(crate) mod testbed;
pub(crate) mod warnings;

use std::collections::HashMap;

use tokio::sync::watch;

use crate::config::{Config, ConfigError, Variant};
use crate::engine::{Engine, EngineError, KEEP_LABEL, MANAGED_LABEL, RUN_LABEL};
use crate::reporter::{Event, Phase, Reporter};
use crate::results::{
    FailureDetail, FailurePhase, HostInfo, RunResults, RunSettings, SCHEMA_VERSION, VariantResult,
};

pub(crate) use cleanup::{Sweep, apply as apply_sweep, plan_sweep, sweep_run};
pub(crate) use resolve_from::FromResolver;
pub(crate) use slot::{Run, Slot, summary_line};

/// Options of a run that are not about what to measure.
#[derive(Debug, Clone, Default)]
pub(crate) struct RunOptions {
    /// Keep the measured images (tagged `basebench-<variant>:<run-id>`) after the run.
    pub(crate) keep_images: bool,
    /// Skip exporting and analysing the images.
    pub(crate) skip_anatomy: bool,
}

/// What a run needs besides the config.
pub(crate) struct Bench<'a> {
    pub(crate) engine: &'a dyn Engine,
    /// The validated config.
    pub(crate) config: &'a Config,
    /// Progress.
    pub(crate) reporter: &'a dyn Reporter,
    /// Unique id of this run (label value, tag suffix).
    pub(crate) run_id: String,
    pub(crate) options: RunOptions,
    /// Becomes `true` when the user interrupts (Ctrl-C, SIGTERM).
    pub(crate) cancel: watch::Receiver<bool>,
    /// Set when the engine stopped answering mid-run ([`Bench::or_cancel`] noticed).
    pub(crate) lost: std::sync::Mutex<Option<EngineError>>,
}

/// What [`Bench::run`] measured, and the missing setting it stopped for, if any.
#[derive(Debug)]
pub(crate) struct RunOutcome {
    /// The results (complete unless interrupted or stopped).
    pub(crate) results: RunResults,
    /// Set when the run stopped because a setting it needs is missing (a stand-in base
    /// must be built and no Debian mirror is set or known): a usage error, exit 2.
    pub(crate) stopped: Option<ConfigError>,
}

/// A variant's measuring stopped early; the partial result says why.
pub(crate) struct Stop(pub(crate) FailureDetail);

impl Stop {
    pub(crate) fn new(phase: FailurePhase, message: impl Into<String>) -> Stop {
        Stop(FailureDetail {
            phase,
            step: None,
            message: message.into(),
            state: None,
            exit_code: None,
            log_tail: Vec::new(),
        })
    }
}

impl<'a> Bench<'a> {
    /// Labels put on everything this run creates.
    pub(crate) fn labels(&self) -> HashMap<String, String> {
        HashMap::from([
            (MANAGED_LABEL.to_string(), "true".to_string()),
            (RUN_LABEL.to_string(), self.run_id.clone()),
        ])
    }

    /// Labels put on the images this run builds: [`Bench::labels`], and with
    /// `--keep-images` the keep label `basebench clean` respects.
    pub(crate) fn image_labels(&self) -> HashMap<String, String> {
        let mut labels = self.labels();
        if self.options.keep_images {
            labels.insert(KEEP_LABEL.to_string(), "true".to_string());
        }
        labels
    }

    /// Tag of a variant's measured image.
    pub(crate) fn tag(&self, variant_name: &str) -> String {
        format!("basebench-{variant_name}:{}", self.run_id)
    }

    /// Execute the plan over every variant. `on_update` receives the results after
    /// each step that adds data (to write them); the returned results are complete
    /// unless interrupted or stopped for a missing setting.
    pub(crate) async fn run(
        &self,
        host: HostInfo,
        started_at: String,
        on_update: &mut (dyn FnMut(&RunResults) + Send),
    ) -> RunOutcome {
        let seed = self.config.sampling.seed.unwrap_or_else(fresh_seed);
        let testbed = testbed::Testbed::before(&host, self.config.testbed_name.clone());
        let mut run = Run {
            results: RunResults {
                schema_version: SCHEMA_VERSION,
                run_id: self.run_id.clone(),
                basebench_version: env!("CARGO_PKG_VERSION").to_string(),
                started_at,
                finished_at: now_rfc3339(),
                complete: false,
                host,
                settings: self.settings(),
                reference: None,
                seed: Some(seed),
                rounds: None,
                testbed: Some(testbed.facts.clone()),
                registry: self.config.registry.as_ref().map(|r| r.to_string()),
                shard: self.config.shard,
                merged_from: Vec::new(),
                variants: Vec::new(),
            },
            slots: self
                .config
                .variants
                .iter()
                .map(|variant| Slot {
                    variant,
                    result: VariantResult {
                        name: variant.name.clone(),
                        dockerfile: variant.dockerfile_display.clone(),
                        description: variant.description.clone(),
                        ..VariantResult::default()
                    },
                    created: cleanup::Created::default(),
                    builds: None,
                    starts: startup::Starts::default(),
                    alive: false,
                    started: false,
                })
                .collect(),
            build_cache_before: match self.config.registry {
                Some(_) => self.engine.build_cache_ids().await,
                None => None,
            },
        };
        let choice = self
            .engine
            .context_transfer(self.config.builder, self.config.context_transfer);
        if let Some(note) = choice.note {
            self.reporter.report(Event::Warning(note));
        }
        let mut plan = plan::Plan::new(self.counts(), seed);
        let (finished, stopped) = phases::execute(self, &mut run, &mut plan, on_update).await;
        if let Some(t) = run.results.testbed.as_mut() {
            testbed.after(t);
        }
        phases::finish(self, &mut run, finished).await;
        self.publish(&mut run, on_update);
        RunOutcome {
            results: run.results,
            stopped,
        }
    }

    /// How many rounds of each kind the plan starts with.
    fn counts(&self) -> plan::Counts {
        let c = self.config;
        plan::Counts {
            variants: c.variants.len(),
            cold_builds: c.sampling.cold_build_runs,
            rebuilds: c.build_runs,
            startups: c.runs,
            latency: container::LATENCY_ROUNDS,
        }
    }

    /// Recompute the statistics from the raw samples and hand the results on.
    pub(crate) fn publish(
        &self,
        run: &mut Run<'_>,
        on_update: &mut (dyn FnMut(&RunResults) + Send),
    ) {
        run.results.variants = run
            .slots
            .iter()
            .filter(|s| s.started)
            .map(|s| s.result.clone())
            .collect();
        crate::results::analysis::annotate(&mut run.results);
        run.results.finished_at = now_rfc3339();
        on_update(&run.results);
    }

    /// Run `future` unless the user interrupts first or the engine stops answering
    /// (`None`; [`Bench::lost`] then says why). Without the second, a daemon that went
    /// away would be blamed on the app ("never answered HTTP 200").
    pub(crate) async fn or_cancel<T>(
        &self,
        future: impl std::future::Future<Output = T>,
    ) -> Option<T> {
        let mut cancel = self.cancel.clone();
        if *cancel.borrow() || self.engine_lost() {
            return None;
        }
        let lost = tokio::select! {
            value = future => match engine_answers(self.engine).await {
                // A step that failed because the engine went away between two pings of
                // the watchdog must not become the variant's failure: ask once more.
                Ok(()) => return Some(value),
                Err(lost) => lost,
            },
            _ = cancel.wait_for(|stop| *stop) => return None,
            lost = watch_engine(self.engine) => lost,
        };
        *self.lost.lock().unwrap_or_else(|e| e.into_inner()) = Some(lost);
        None
    }

    /// True once the engine stopped answering.
    pub(crate) fn engine_lost(&self) -> bool {
        self.lost.lock().map_or(true, |l| l.is_some())
    }

    /// Why the engine was lost, once (the run command reports it).
    pub(crate) fn take_lost(&self) -> Option<EngineError> {
        self.lost.lock().ok().and_then(|mut l| l.take())
    }

    /// The usage error of a run that needs a stand-in for `requested` and has no mirror.
    pub(crate) fn no_mirror(&self, requested: &str) -> ConfigError {
        ConfigError::Invalid {
            origin: self.config.origin.clone(),
            key: "bases.mirror".to_string(),
            message: format!(
                "is not set and the host's apt sources name no Debian {} archive, so the \
                 stand-in for '{requested}' cannot be built; {}",
                crate::bases::mirror::SUITE,
                crate::bases::mirror::HOW_TO_SET
            ),
        }
    }

    fn settings(&self) -> RunSettings {
        let c = self.config;
        let s = &c.sampling;
        RunSettings {
            builder: c.builder.as_str().to_string(),
            context_transfer: c.context_transfer.as_str().to_string(),
            runs: c.runs,
            build_runs: c.build_runs,
            latency_requests: c.latency_requests,
            load_concurrency: c.load_concurrency,
            load_duration_ms: c.load_duration.as_millis() as u64,
            health_timeout_s: c.health_timeout.as_secs_f64(),
            build_stall_timeout_s: Some(c.build_stall_timeout.as_secs_f64()),
            warmup: s.warmup,
            noise: s.noise,
            precision: s.precision,
            max_runs: if s.precision.is_some() {
                s.max_runs
            } else {
                c.runs
            },
            reference: s.reference.clone(),
        }
    }

    pub(crate) fn phase(&self, variant: &Variant, phase: Phase, detail: impl Into<String>) {
        self.reporter.report(Event::Phase {
            name: variant.name.clone(),
            phase,
            detail: detail.into(),
        });
    }

    pub(crate) fn warn(&self, result: &mut VariantResult, warning: warnings::Warning) {
        let text = warning.to_string();
        // A single run is the default and the reports say so once; no live warning.
        if !matches!(warning, warnings::Warning::SingleRun { .. }) {
            self.reporter
                .report(Event::Warning(format!("{}: {text}", result.name)));
        }
        result.warnings.push(text);
    }
}

/// Resolves when the engine no longer answers: two failed pings a moment apart (a
/// single slow answer on a busy daemon is not a loss). Pings every second.
async fn watch_engine(engine: &dyn Engine) -> EngineError {
    loop {
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        if let Err(e) = engine_answers(engine).await {
            return e;
        }
    }
}

/// `Ok` when the engine answers a ping, or a second one 300 ms after a failed first; the
/// second ping's error otherwise (one slow answer is not a lost engine).
async fn engine_answers(engine: &dyn Engine) -> Result<(), EngineError> {
    if engine.ping().await.is_ok() {
        return Ok(());
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    engine.ping().await
}

/// Current time as RFC 3339 UTC with seconds.
pub(crate) fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Current time as RFC 3339 UTC with milliseconds (sample timestamps).
pub(crate) fn now_millis() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A seed for a run that was given none (recorded in results.json).
fn fresh_seed() -> u64 {
    uuid::Uuid::new_v4().as_u64_pair().0
}
