//! The phases of a run in order, over all variants: prepare and cold-build each, the
//! repeated builds in rounds, the startup rounds ([`super::rounds`]), the load phase, the
//! anatomy, and at the end the cleanup. Each returns `false` when the user interrupted.

use super::build::{self, At, BuildKind};
use super::plan::{Kind, Plan, Round};
use super::{
    Bench, FromResolver, Run, Slot, Stop, cleanup, container, fitness, image, registry, rounds,
    startup,
};
use crate::config::ConfigError;
use crate::reporter::{Event, Phase};
use crate::results::RunResults;

type OnUpdate<'a> = &'a mut (dyn FnMut(&RunResults) + Send);

/// Execute every phase; `(finished, stopped)`: `finished` is false after an interrupt
/// or a stop, `stopped` the missing setting the run stopped for.
pub(crate) async fn execute(
    bench: &Bench<'_>,
    run: &mut Run<'_>,
    plan: &mut Plan,
    on_update: OnUpdate<'_>,
) -> (bool, Option<ConfigError>) {
    let mut resolver = FromResolver::default();
    let total = run.slots.len();
    for index in 0..total {
        let slot = &mut run.slots[index];
        slot.started = true;
        bench.reporter.report(Event::VariantStarted {
            name: slot.variant.name.clone(),
            index: index + 1,
            total,
        });
        match bench
            .or_cancel(first_build(bench, slot, &mut resolver, index))
            .await
        {
            None => return (false, None),
            Some(Err(stop)) => slot.fail(stop),
            Some(Ok(())) => {}
        }
        bench.publish(run, on_update);
        if let Some(requested) = resolver.missing_mirror() {
            return (false, Some(bench.no_mirror(requested)));
        }
    }
    let finished = rebuilds(bench, run, plan, on_update).await
        && rounds::startups(bench, run, plan, on_update).await
        && load(bench, run, plan, on_update).await
        && anatomy(bench, run, on_update).await
        && registry::push_all(bench, run, on_update).await;
    (finished, None)
}

/// Resolve the bases, build cold once and inspect the image: the variant then takes part.
async fn first_build(
    bench: &Bench<'_>,
    slot: &mut Slot<'_>,
    resolver: &mut FromResolver,
    position: usize,
) -> Result<(), Stop> {
    let variant = slot.variant;
    bench.phase(variant, Phase::Bases, "");
    let prepared = resolver.prepare(bench, variant, &mut slot.result).await?;
    let mut builds = build::prepare(bench, variant, prepared, &mut slot.result)?;
    let at = At {
        round: 0,
        position: position as u32,
    };
    let built = build::build_once(
        bench,
        variant,
        &mut builds,
        BuildKind::Cold,
        at,
        &mut slot.created,
    )
    .await;
    slot.result.build = Some(build::facts(bench, &builds));
    let image_id = builds.image_id();
    slot.builds = Some(builds);
    built?;
    let image_id = image_id.unwrap_or_default();
    image::inspect(bench, &image_id, variant.port, &mut slot.result).await?;
    slot.alive = true;
    // Provisional until every phase has measured it (an incomplete run says so).
    slot.result.works = true;
    Ok(())
}

/// The repeated cold builds and the cached + after-change rebuilds, in shuffled rounds.
/// Every cached rebuild runs before the first after-change one: a cached rebuild that
/// followed a change would send the reverted file again, which an identical rebuild with
/// `docker build` does not.
async fn rebuilds(
    bench: &Bench<'_>,
    run: &mut Run<'_>,
    plan: &Plan,
    on_update: OnUpdate<'_>,
) -> bool {
    let pass = |kind: BuildKind| move |r: &Round| (r.clone(), kind);
    let rounds: Vec<(Round, BuildKind)> = plan
        .of(Kind::ColdBuild)
        .map(pass(BuildKind::Cold))
        .chain(plan.of(Kind::Rebuild).map(pass(BuildKind::Cached)))
        .chain(plan.of(Kind::Rebuild).map(pass(BuildKind::Changed)))
        .collect();
    for (round, kind) in rounds {
        for (position, &i) in round.order.iter().enumerate() {
            let slot = &mut run.slots[i];
            if !slot.alive {
                continue;
            }
            let at = At {
                // The first cold build was round 0 of the cold builds.
                round: round.index + u32::from(round.kind == Kind::ColdBuild),
                position: position as u32,
            };
            let Some(builds) = slot.builds.as_mut() else {
                continue;
            };
            if kind == BuildKind::Changed && !builds.has_change() {
                continue;
            }
            let step = build::build_once(bench, slot.variant, builds, kind, at, &mut slot.created);
            let outcome = bench.or_cancel(step).await;
            slot.result.build = Some(build::facts(bench, builds));
            match outcome {
                None => return false,
                Some(Err(stop)) => slot.fail(stop),
                Some(Ok(())) => {}
            }
        }
        bench.publish(run, on_update);
    }
    for slot in run.slots.iter_mut().filter(|s| s.alive) {
        build::warn_about(bench, &mut slot.result);
        // A rebuild from the cache can still make an image of its own (BuildKit re-exports
        // when its cache record is gone). The later phases run, analyse and keep the
        // latest one, so its size and layers are the ones reported.
        let latest = slot.image_id().unwrap_or_default();
        if slot.result.image.as_ref().is_some_and(|i| i.id != latest) {
            let step = image::inspect(bench, &latest, slot.variant.port, &mut slot.result);
            match bench.or_cancel(step).await {
                None => return false,
                Some(Err(stop)) => slot.fail(stop),
                Some(Ok(())) => {}
            }
        }
    }
    bench.publish(run, on_update);
    true
}

/// One healthy container per working variant: idle memory, latency in rounds, load and
/// peak memory, smoke commands; the containers are removed at the end.
async fn load(bench: &Bench<'_>, run: &mut Run<'_>, plan: &Plan, on_update: OnUpdate<'_>) -> bool {
    let rounds: Vec<Round> = plan.of(Kind::Latency).cloned().collect();
    let order: Vec<usize> = match rounds.first() {
        Some(r) => r.order.clone(),
        None => (0..run.slots.len()).collect(),
    };
    let mut loaded: Vec<Option<container::Loaded>> = vec![None; run.slots.len()];
    let finished = load_steps(bench, run, &rounds, &order, &mut loaded).await;
    for l in loaded.iter().flatten() {
        let _ = bench.engine.remove_container(&l.id).await;
    }
    bench.publish(run, on_update);
    finished
}

async fn load_steps(
    bench: &Bench<'_>,
    run: &mut Run<'_>,
    rounds: &[Round],
    order: &[usize],
    loaded: &mut [Option<container::Loaded>],
) -> bool {
    for &i in order {
        let slot = &mut run.slots[i];
        let Some(image) = slot.image_id().filter(|_| slot.alive) else {
            continue;
        };
        bench.phase(slot.variant, Phase::Load, "starting");
        let start = startup::start(bench, slot.variant, &image, "load", &mut slot.created);
        match bench.or_cancel(start).await {
            None => return false,
            Some(Err(stop)) => slot.fail(stop),
            Some(Ok(s)) => {
                loaded[i] = Some(container::Loaded {
                    id: s.id,
                    addr: s.addr,
                    idle: 0,
                    samples: Vec::new(),
                    errors: 0,
                    requests: 0,
                });
            }
        }
    }
    if bench
        .or_cancel(tokio::time::sleep(container::IDLE_SETTLE))
        .await
        .is_none()
    {
        return false;
    }
    for &i in order {
        let Some(l) = loaded[i].as_mut() else {
            continue;
        };
        match container::memory(bench.engine, &l.id).await {
            Ok(idle) => l.idle = idle,
            Err(stop) => {
                run.slots[i].fail(stop);
                loaded[i] = None;
            }
        }
    }
    for round in rounds {
        for (position, &i) in round.order.iter().enumerate() {
            let (Some(l), slot) = (loaded[i].as_mut(), &run.slots[i]) else {
                continue;
            };
            let count = container::share(bench.config.latency_requests, round.index);
            bench.phase(
                slot.variant,
                Phase::Load,
                format!("latency round {}/{}", round.index + 1, rounds.len()),
            );
            let timed = container::latency_share(
                l,
                &slot.variant.latency_path,
                count,
                (round.index, position as u32),
            );
            if bench.or_cancel(timed).await.is_none() {
                return false;
            }
        }
    }
    for &i in order {
        let (Some(l), slot) = (loaded[i].as_mut(), &mut run.slots[i]) else {
            continue;
        };
        bench.phase(slot.variant, Phase::Load, "load");
        if bench
            .or_cancel(container::load(bench, slot.variant, l, &mut slot.result))
            .await
            .is_none()
        {
            return false;
        }
        // A variant works only if its container is still up and answered.
        if let Err(stop) = fitness::check(bench, l).await {
            slot.fail(stop);
            continue;
        }
        bench.phase(slot.variant, Phase::Smoke, "");
        match bench
            .or_cancel(container::smoke(
                bench,
                slot.variant,
                &l.id,
                &mut slot.result,
            ))
            .await
        {
            None => return false,
            Some(Err(stop)) => slot.fail(stop),
            Some(Ok(())) => {}
        }
    }
    true
}

/// Export and analyse every built image (a failed variant's too: its anatomy explains it).
async fn anatomy(bench: &Bench<'_>, run: &mut Run<'_>, on_update: OnUpdate<'_>) -> bool {
    if bench.options.skip_anatomy {
        return true;
    }
    for i in 0..run.slots.len() {
        let slot = &mut run.slots[i];
        let Some(image_id) = slot.image_id().filter(|_| slot.result.image.is_some()) else {
            continue;
        };
        let analysed = image::analyse(bench, slot.variant, &image_id, &mut slot.result);
        if bench.or_cancel(analysed).await.is_none() {
            return false;
        }
        bench.publish(run, on_update);
    }
    true
}

/// Remove what each variant created, say how each ended, and mark the run complete when
/// every phase finished.
pub(crate) async fn finish(bench: &Bench<'_>, run: &mut Run<'_>, finished: bool) {
    for slot in run.slots.iter_mut().filter(|s| s.started) {
        bench.phase(slot.variant, Phase::Cleanup, "");
        cleanup::remove_created(bench.engine, &slot.created, bench.options.keep_images).await;
        if finished || !slot.result.works {
            bench.reporter.report(Event::VariantFinished {
                name: slot.variant.name.clone(),
                works: slot.result.works,
                summary: super::summary_line(&slot.result),
            });
        }
    }
    run.results.complete = finished;
}
