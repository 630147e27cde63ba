//! The build measurements: cold (no cache, downloads included), cached (identical rebuild)
//! and after a code change (a small change to one source file). Each build is one step the
//! orchestrator runs where the plan says (the first cold build of each variant first, the
//! repeats in shuffled rounds); the samples carry their round and position.

use std::path::PathBuf;
use std::time::Instant;

use super::cleanup::Created;
use super::resolve_from::Prepared;
use super::warnings::Warning;
use super::{Bench, Stop};
use crate::config::Variant;
use crate::context::BuildContext;
use crate::engine::{BuildError, BuildEvent, BuildOutcome, BuildRequest};
use crate::reporter::{Event, Phase};
use crate::results::{
    BuildFacts, ContextFacts, ContextSent, FailureDetail, FailurePhase, VariantResult,
};
use crate::stats::{Sample, Timing};

/// Which build to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BuildKind {
    /// No cache.
    Cold,
    /// Identical rebuild.
    Cached,
    /// Rebuild after the code change.
    Changed,
}

/// Where in the plan a build runs: its round and its position in the round.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct At {
    /// 0-based round of its kind.
    pub(crate) round: u32,
    /// 0-based position in the round.
    pub(crate) position: u32,
}

/// One variant's builds so far.
pub(crate) struct Builds {
    request: BuildRequest,
    changed: Option<PathBuf>,
    cold: Vec<Sample>,
    cached: Vec<Sample>,
    incremental: Vec<Sample>,
    /// Bytes and seconds of each build's context transfer, per kind.
    cold_sent: Vec<(u64, f64)>,
    cached_sent: Vec<(u64, f64)>,
    incremental_sent: Vec<(u64, f64)>,
    last_cold: Option<BuildOutcome>,
    last_cached: Option<BuildOutcome>,
    last_changed: Option<BuildOutcome>,
}

impl Builds {
    /// The image later phases measure: the latest build of the unchanged context.
    pub(crate) fn image_id(&self) -> Option<String> {
        self.last_cached
            .as_ref()
            .or(self.last_cold.as_ref())
            .map(|o| o.image_id.clone())
    }

    /// The image of the latest after-a-code-change build, once there is one.
    pub(crate) fn changed_image_id(&self) -> Option<String> {
        self.last_changed.as_ref().map(|o| o.image_id.clone())
    }

    /// True when a file to change was found (else the after-change build is skipped).
    pub(crate) fn has_change(&self) -> bool {
        self.changed.is_some()
    }
}

/// The context one kind of build sent: the most bytes, the seconds of each.
fn context_sent(sent: &[(u64, f64)]) -> Option<ContextSent> {
    let seconds: Vec<f64> = sent.iter().map(|s| s.1).collect();
    Some(ContextSent {
        bytes: sent.iter().map(|s| s.0).max()?,
        seconds: Timing::from_samples(&seconds)?,
    })
}

/// The build request and the file the code change touches; warns when there is none.
pub(crate) fn prepare(
    bench: &Bench<'_>,
    variant: &Variant,
    prepared: Prepared,
    result: &mut VariantResult,
) -> Result<Builds, Stop> {
    let prepare_failed =
        |e: crate::context::ContextError| Stop::new(FailurePhase::Prepare, e.to_string());
    let context =
        BuildContext::scan(&variant.context, prepared.dockerfile).map_err(prepare_failed)?;
    let mut context = match &variant.change_file {
        Some(file) => context.with_touched(file.clone()).map_err(prepare_failed)?,
        None => context.with_default_touched(),
    };
    let changed = context.touched.take();
    if changed.is_none() {
        bench.warn(result, Warning::NoChangeFile);
    }
    Ok(Builds {
        request: BuildRequest {
            context,
            tag: bench.tag(&variant.name),
            no_cache: true,
            builder: bench.config.builder,
            transfer: bench.config.context_transfer,
            labels: bench.image_labels(),
            build_args: variant.build_args.clone().into_iter().collect(),
            target: variant.target.clone(),
        },
        changed,
        cold: Vec::new(),
        cached: Vec::new(),
        incremental: Vec::new(),
        cold_sent: Vec::new(),
        cached_sent: Vec::new(),
        incremental_sent: Vec::new(),
        last_cold: None,
        last_cached: None,
        last_changed: None,
    })
}

/// Run one build of `kind` and keep its sample; the images it makes go to `created`.
pub(crate) async fn build_once(
    bench: &Bench<'_>,
    variant: &Variant,
    builds: &mut Builds,
    kind: BuildKind,
    at: At,
    created: &mut Created,
) -> Result<(), Stop> {
    let mut request = builds.request.clone();
    request.context.touch_suffix = crate::context::cache_busting_suffix();
    let (phase, total) = match kind {
        BuildKind::Cold => (Phase::BuildCold, bench.config.sampling.cold_build_runs),
        BuildKind::Cached => (Phase::BuildCached, bench.config.build_runs),
        BuildKind::Changed => (Phase::BuildIncremental, bench.config.build_runs),
    };
    request.no_cache = kind == BuildKind::Cold;
    if kind == BuildKind::Changed {
        request.tag = format!("{}-changed", bench.tag(&variant.name));
        request.context.touched = builds.changed.clone();
    }
    let detail = if total > 1 {
        format!("{}/{total}", at.round + 1)
    } else {
        String::new()
    };
    bench.phase(variant, phase, detail);
    let activity = super::stall::Activity::new();
    let events = |event: BuildEvent| {
        activity.saw(&event);
        if let BuildEvent::Step {
            name,
            cached,
            done: true,
        } = event
        {
            bench.reporter.report(Event::BuildStep {
                name: variant.name.clone(),
                step: name,
                cached,
            });
        }
    };
    let start = Instant::now();
    let stall = bench.config.build_stall_timeout;
    // Dropping the build future stops the build on the daemon (the engine's contract).
    let outcome = tokio::select! {
        outcome = bench.engine.build(&request, &events) => outcome,
        stop = activity.stalled(stall) => return Err(stop),
    };
    let seconds = start.elapsed().as_secs_f64();
    let outcome = outcome.map_err(build_stop)?;
    created.images.push(outcome.image_id.clone());
    if let Some(note) = &outcome.transfer_note {
        bench.reporter.report(Event::Warning(note.clone()));
    }
    let sample = Sample {
        value: seconds,
        round: Some(at.round),
        position: Some(at.position),
        at: Some(super::now_millis()),
        warmup: false,
    };
    let (samples, sent, last) = match kind {
        BuildKind::Cold => (
            &mut builds.cold,
            &mut builds.cold_sent,
            &mut builds.last_cold,
        ),
        BuildKind::Cached => (
            &mut builds.cached,
            &mut builds.cached_sent,
            &mut builds.last_cached,
        ),
        BuildKind::Changed => (
            &mut builds.incremental,
            &mut builds.incremental_sent,
            &mut builds.last_changed,
        ),
    };
    samples.push(sample);
    sent.push((outcome.context_bytes, outcome.context_seconds));
    *last = Some(outcome);
    created.measured = builds.image_id();
    Ok(())
}

/// The build facts so far, as the results hold them.
pub(crate) fn facts(bench: &Bench<'_>, builds: &Builds) -> BuildFacts {
    let cold_outcome = builds.last_cold.as_ref();
    BuildFacts {
        builder: bench.config.builder.as_str().to_string(),
        cold_s: Timing::from_measured(builds.cold.clone()).unwrap_or_default(),
        cached_s: Timing::from_measured(builds.cached.clone()),
        incremental_s: Timing::from_measured(builds.incremental.clone()),
        changed_file: builds.changed.as_ref().map(|p| p.display().to_string()),
        steps_total: cold_outcome.map(|o| o.steps_total).unwrap_or_default(),
        cached_rebuild_steps_run: builds.last_cached.as_ref().map(|o| o.steps_run),
        incremental_steps_run: builds.last_changed.as_ref().map(|o| o.steps_run),
        context_bytes: cold_outcome.map(|o| o.context_bytes).unwrap_or_default(),
        context: context_sent(&builds.cold_sent).map(|cold| ContextFacts {
            transfer: cold_outcome
                .map(|o| o.context_transfer.as_str().to_string())
                .unwrap_or_default(),
            cold,
            cached: context_sent(&builds.cached_sent),
            incremental: context_sent(&builds.incremental_sent),
        }),
    }
}

/// The caveats of a variant's builds, once they are all done.
pub(crate) fn warn_about(bench: &Bench<'_>, result: &mut VariantResult) {
    let Some(facts) = result.build.clone() else {
        return;
    };
    if let Some(steps) = facts.cached_rebuild_steps_run.filter(|&n| n > 0) {
        bench.warn(result, Warning::CacheMissed { steps });
    }
    if bench.config.build_runs == 1 {
        bench.warn(
            result,
            Warning::SingleRun {
                what: "build times",
            },
        );
    }
    for (what, timing) in [
        ("cold build", Some(&facts.cold_s)),
        ("rebuild after code change", facts.incremental_s.as_ref()),
    ] {
        if let Some(spread) = timing
            .map(Timing::relative_spread)
            .filter(|s| *s > super::warnings::HIGH_VARIANCE)
        {
            bench.warn(result, Warning::HighVariance { what, spread });
        }
    }
}

fn build_stop(error: BuildError) -> Stop {
    match error {
        BuildError::Failed(failure) => Stop(FailureDetail {
            phase: FailurePhase::Build,
            step: failure.step,
            message: failure.message,
            state: None,
            exit_code: None,
            log_tail: failure.log_tail,
        }),
        BuildError::Engine(e) => Stop::new(FailurePhase::Build, e.to_string()),
    }
}
