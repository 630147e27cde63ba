//! The orchestrator: for each variant, resolve its bases, build it three ways, inspect it,
//! run and probe it, analyse its image, and clean up; then hand the measurements on.
//! All side effects go through the [`Engine`]; all progress through the [`Reporter`].

mod build;
mod cleanup;
mod container;
mod image;
mod resolve_from;
pub(crate) mod warnings;

use std::collections::HashMap;

use tokio::sync::watch;

use crate::config::{Config, ConfigError, Variant};
use crate::engine::{Engine, MANAGED_LABEL, RUN_LABEL};
use crate::reporter::{Event, Phase, Reporter};
use crate::results::{
    FailureDetail, FailurePhase, HostInfo, RunResults, RunSettings, SCHEMA_VERSION, VariantResult,
};

pub(crate) use cleanup::sweep_run;
pub(crate) use resolve_from::FromResolver;

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

    /// Tag of a variant's measured image.
    pub(crate) fn tag(&self, variant_name: &str) -> String {
        format!("basebench-{variant_name}:{}", self.run_id)
    }

    fn cancelled(&self) -> bool {
        *self.cancel.borrow()
    }

    /// Measure every variant in order. `on_update` receives the results after each
    /// variant (to write them); the returned results are complete unless interrupted or
    /// stopped for a missing setting.
    pub(crate) async fn run(
        &self,
        host: HostInfo,
        started_at: String,
        on_update: &mut (dyn FnMut(&RunResults) + Send),
    ) -> RunOutcome {
        let mut results = RunResults {
            schema_version: SCHEMA_VERSION,
            run_id: self.run_id.clone(),
            basebench_version: env!("CARGO_PKG_VERSION").to_string(),
            started_at,
            finished_at: now_rfc3339(),
            complete: false,
            host,
            settings: self.settings(),
            variants: Vec::new(),
        };
        let choice = self
            .engine
            .context_transfer(self.config.builder, self.config.context_transfer);
        if let Some(note) = choice.note {
            self.reporter.report(Event::Warning(note));
        }
        let mut resolver = FromResolver::default();
        let mut stopped = None;
        let total = self.config.variants.len();
        for (index, variant) in self.config.variants.iter().enumerate() {
            if self.cancelled() {
                break;
            }
            self.reporter.report(Event::VariantStarted {
                name: variant.name.clone(),
                index: index + 1,
                total,
            });
            let mut cancel = self.cancel.clone();
            let measured = tokio::select! {
                result = self.measure(variant, &mut resolver) => Some(result),
                _ = cancel.wait_for(|stop| *stop) => None,
            };
            let Some(result) = measured else {
                break;
            };
            self.reporter.report(Event::VariantFinished {
                name: variant.name.clone(),
                works: result.works,
                summary: summary_line(&result),
            });
            results.variants.push(result);
            results.finished_at = now_rfc3339();
            on_update(&results);
            if let Some(requested) = resolver.missing_mirror() {
                stopped = Some(self.no_mirror(requested));
                break;
            }
        }
        results.complete = results.variants.len() == total;
        results.finished_at = now_rfc3339();
        RunOutcome { results, stopped }
    }

    /// The usage error of a run that needs a stand-in for `requested` and has no mirror.
    fn no_mirror(&self, requested: &str) -> ConfigError {
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
        RunSettings {
            builder: c.builder.as_str().to_string(),
            context_transfer: c.context_transfer.as_str().to_string(),
            runs: c.runs,
            build_runs: c.build_runs,
            latency_requests: c.latency_requests,
            load_concurrency: c.load_concurrency,
            load_duration_ms: c.load_duration.as_millis() as u64,
            health_timeout_s: c.health_timeout.as_secs_f64(),
        }
    }

    /// Measure one variant; never fails: a failure becomes the row's `failure`.
    async fn measure(&self, variant: &Variant, resolver: &mut FromResolver) -> VariantResult {
        let mut result = VariantResult {
            name: variant.name.clone(),
            dockerfile: variant.dockerfile_display.clone(),
            ..VariantResult::default()
        };
        let mut created = cleanup::Created::default();
        let outcome = self
            .measure_phases(variant, resolver, &mut result, &mut created)
            .await;
        if let Err(Stop(detail)) = outcome {
            result.works = false;
            result.failure = Some(failure_line(&detail));
            result.failure_detail = Some(detail);
        }
        self.phase(variant, Phase::Cleanup, "");
        cleanup::remove_created(self.engine, &created, self.options.keep_images).await;
        result
    }

    async fn measure_phases(
        &self,
        variant: &Variant,
        resolver: &mut FromResolver,
        result: &mut VariantResult,
        created: &mut cleanup::Created,
    ) -> Result<(), Stop> {
        self.phase(variant, Phase::Bases, "");
        let prepared = resolver.prepare(self, variant, result).await?;
        let built = build::measure_builds(self, variant, prepared, result, created).await?;
        image::inspect(self, &built.image_id, result).await?;
        let ran = container::measure(self, variant, &built.image_id, result, created).await;
        // The image exists even when its container fails: its anatomy still explains it.
        if !self.options.skip_anatomy {
            image::analyse(self, variant, &built.image_id, result).await;
        }
        ran?;
        if let Some(failed) = result.smoke.iter().find(|s| !s.passed()) {
            return Err(container::smoke_failure(failed));
        }
        result.works = true;
        Ok(())
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

/// One line saying why a variant failed.
pub(crate) fn failure_line(detail: &FailureDetail) -> String {
    let mut line = match detail.phase {
        FailurePhase::Prepare => format!("not built: {}", detail.message),
        FailurePhase::Build => match &detail.step {
            Some(step) => format!("build failed at `{step}`: {}", detail.message),
            None => format!("build failed: {}", detail.message),
        },
        FailurePhase::Start => format!("container did not start: {}", detail.message),
        FailurePhase::Health => detail.message.clone(),
        FailurePhase::Smoke => format!("smoke command failed: {}", detail.message),
        FailurePhase::Measure => format!("measuring failed: {}", detail.message),
    };
    if let Some(last) = detail.log_tail.iter().rev().find(|l| !l.trim().is_empty())
        && matches!(detail.phase, FailurePhase::Health | FailurePhase::Smoke)
    {
        line.push_str(&format!("; last log line: {}", last.trim()));
    }
    line
}

fn summary_line(result: &VariantResult) -> String {
    if let Some(failure) = &result.failure {
        return failure.clone();
    }
    let size = result
        .image
        .as_ref()
        .map(|i| format!("{:.1} MB", i.size_bytes as f64 / 1e6))
        .unwrap_or_default();
    let startup = result
        .startup_ms
        .as_ref()
        .map(|t| format!(", startup {:.0} ms", t.median))
        .unwrap_or_default();
    format!("{size}{startup}")
}

/// Current time as RFC 3339 UTC with seconds.
pub(crate) fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
