//! The build measurements: cold (no cache), cached (identical rebuild) and incremental
//! (after a one-byte change to one source file), each repeated `build_runs` times.

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
use crate::stats::Timing;

/// The image a variant's measurements continue with.
pub(crate) struct Built {
    /// Id of the image built from the unchanged context.
    pub(crate) image_id: String,
}

/// Samples of one kind of build.
struct Series {
    seconds: Vec<f64>,
    /// Bytes and seconds of each build's context transfer.
    sent: Vec<(u64, f64)>,
    last: Option<BuildOutcome>,
}

impl Series {
    /// The context this kind of build sent: the most bytes, the seconds of each.
    fn context_sent(&self) -> Option<ContextSent> {
        let seconds: Vec<f64> = self.sent.iter().map(|s| s.1).collect();
        Some(ContextSent {
            bytes: self.sent.iter().map(|s| s.0).max()?,
            seconds: Timing::from_samples(&seconds)?,
        })
    }
}

/// Build the variant cold, cached and after a code change; record the facts.
pub(crate) async fn measure_builds(
    bench: &Bench<'_>,
    variant: &Variant,
    prepared: Prepared,
    result: &mut VariantResult,
    created: &mut Created,
) -> Result<Built, Stop> {
    let prepare_failed =
        |e: crate::context::ContextError| Stop::new(FailurePhase::Prepare, e.to_string());
    let context =
        BuildContext::scan(&variant.context, prepared.dockerfile).map_err(prepare_failed)?;
    let mut context = match &variant.change_file {
        Some(file) => context.with_touched(file.clone()).map_err(prepare_failed)?,
        None => context.with_default_touched(),
    };
    let changed: Option<PathBuf> = context.touched.take();
    let mut request = BuildRequest {
        context,
        tag: bench.tag(&variant.name),
        no_cache: true,
        builder: bench.config.builder,
        labels: bench.labels(),
        build_args: variant.build_args.clone().into_iter().collect(),
        target: variant.target.clone(),
        transfer: bench.config.context_transfer,
    };
    let cold = series(bench, variant, &request, Phase::BuildCold, created).await?;
    request.no_cache = false;
    let cached = series(bench, variant, &request, Phase::BuildCached, created).await?;
    let measured = cached
        .last
        .as_ref()
        .or(cold.last.as_ref())
        .map(|o| o.image_id.clone())
        .unwrap_or_default();
    created.measured = Some(measured.clone());
    let incremental = match &changed {
        Some(file) => {
            request.tag = format!("{}-changed", bench.tag(&variant.name));
            request.context.touched = Some(file.clone());
            Some(series(bench, variant, &request, Phase::BuildIncremental, created).await?)
        }
        None => {
            bench.warn(result, Warning::NoChangeFile);
            None
        }
    };
    let facts = build_facts(bench, &cold, &cached, incremental.as_ref(), changed);
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
    result.build = Some(facts);
    Ok(Built { image_id: measured })
}

fn build_facts(
    bench: &Bench<'_>,
    cold: &Series,
    cached: &Series,
    incremental: Option<&Series>,
    changed: Option<PathBuf>,
) -> BuildFacts {
    let cold_outcome = cold.last.as_ref();
    BuildFacts {
        builder: bench.config.builder.as_str().to_string(),
        cold_s: Timing::from_samples(&cold.seconds).unwrap_or_default(),
        cached_s: Timing::from_samples(&cached.seconds),
        incremental_s: incremental.and_then(|s| Timing::from_samples(&s.seconds)),
        changed_file: changed.map(|p| p.display().to_string()),
        steps_total: cold_outcome.map(|o| o.steps_total).unwrap_or_default(),
        cached_rebuild_steps_run: cached.last.as_ref().map(|o| o.steps_run),
        incremental_steps_run: incremental
            .and_then(|s| s.last.as_ref())
            .map(|o| o.steps_run),
        context_bytes: cold_outcome.map(|o| o.context_bytes).unwrap_or_default(),
        context: cold.context_sent().map(|cold_sent| ContextFacts {
            transfer: cold_outcome
                .map(|o| o.context_transfer.as_str().to_string())
                .unwrap_or_default(),
            cold: cold_sent,
            cached: cached.context_sent(),
            incremental: incremental.and_then(Series::context_sent),
        }),
    }
}

async fn series(
    bench: &Bench<'_>,
    variant: &Variant,
    request: &BuildRequest,
    phase: Phase,
    created: &mut Created,
) -> Result<Series, Stop> {
    let runs = bench.config.build_runs;
    let mut out = Series {
        seconds: Vec::new(),
        sent: Vec::new(),
        last: None,
    };
    for rep in 0..runs {
        let mut request = request.clone();
        request.context.touch_suffix = crate::context::cache_busting_suffix();
        bench.phase(
            variant,
            phase,
            if runs > 1 {
                format!("{}/{runs}", rep + 1)
            } else {
                String::new()
            },
        );
        let events = |event: BuildEvent| {
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
        let outcome = bench.engine.build(&request, &events).await;
        let seconds = start.elapsed().as_secs_f64();
        let outcome = outcome.map_err(build_stop)?;
        created.images.push(outcome.image_id.clone());
        if let Some(note) = &outcome.transfer_note {
            bench.reporter.report(Event::Warning(note.clone()));
        }
        out.seconds.push(seconds);
        out.sent
            .push((outcome.context_bytes, outcome.context_seconds));
        out.last = Some(outcome);
    }
    Ok(out)
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
