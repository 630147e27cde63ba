//! The registry phase (`--registry`), last of a run so a registry fault costs no other
//! measurement: each working variant's measured image is tagged
//! `HOST[:PORT]/PREFIX/<variant>:<run-id>`, pushed through the engine, and its manifest
//! read back from the registry's HTTP API for the compressed sizes; the
//! after-a-code-change image likewise as `…:<run-id>-changed`, for the bytes a code change
//! ships (`blobs.rs`). Then both are pulled back, timed, onto a daemon without them
//! (`pull.rs`; the measured image once per planned round, for an interval), and the
//! pulled image is started to its first 200 (pull to healthy: the median pull plus that
//! start; a pulled image that does not start is the variant's failure). A failure becomes the variant's failure row (phase `registry`, the step
//! and the registry's message; exit 1), its other measurements kept. The bytes shared
//! between variants are counted at the end.

mod blobs;
mod pull;

use std::time::Instant;

use super::warnings::Warning;
use super::{Bench, Run, Stop, cleanup::Created};
use crate::registry::{Manifest, RegistryTarget};
use crate::reporter::Phase;
use crate::results::{FailureDetail, FailurePhase, ImageFacts, RunResults};
use pull::Pushed;

type OnUpdate<'a> = &'a mut (dyn FnMut(&RunResults) + Send);

/// Push every working variant's image; `false` when the user interrupted.
pub(crate) async fn push_all(
    bench: &Bench<'_>,
    run: &mut Run<'_>,
    on_update: OnUpdate<'_>,
) -> bool {
    let Some(target) = bench.config.registry.as_ref() else {
        return true;
    };
    if let Some(before) = run.build_cache_before.take() {
        prune_own_cache(bench, &before).await;
    }
    for index in 0..run.slots.len() {
        let slot = &mut run.slots[index];
        if !slot.alive || slot.result.image.is_none() {
            continue;
        }
        bench.phase(slot.variant, Phase::Registry, target.to_string());
        match bench.or_cancel(through_registry(bench, target, slot)).await {
            None => return false,
            Some(Err(stop)) => slot.fail(stop),
            Some(Ok(())) => {}
        }
        bench.publish(run, on_update);
    }
    let mut images: Vec<&mut ImageFacts> = run
        .slots
        .iter_mut()
        .filter_map(|s| s.result.image.as_mut())
        .collect();
    blobs::mark_shared(&mut images);
    bench.publish(run, on_update);
    true
}

/// One variant through the registry: push the measured image (and the
/// after-a-code-change one), read their manifests, then time the pulls.
async fn through_registry(
    bench: &Bench<'_>,
    target: &RegistryTarget,
    slot: &mut super::Slot<'_>,
) -> Result<(), Stop> {
    let Some(image_id) = slot.image_id() else {
        return Ok(());
    };
    let name = slot.variant.name.clone();
    let tag = bench.run_id.clone();
    let main = push_one(bench, target, &name, &image_id, &tag, &mut slot.created).await?;
    if let Some(image) = slot.result.image.as_mut() {
        blobs::record(image, &main.manifest, main.push_s);
    }
    slot.result.registry_ref = Some(main.reference.clone());
    let changed_id = slot.builds.as_ref().and_then(|b| b.changed_image_id());
    let changed = match &changed_id {
        Some(id) => {
            let tag = format!("{tag}-changed");
            let pushed = push_one(bench, target, &name, id, &tag, &mut slot.created).await?;
            let (ship, bytes) =
                blobs::ship(&main.manifest, &pushed.manifest, pushed.reference.clone());
            slot.result.code_change_ship_bytes = Some(bytes);
            slot.result.code_change_ship = Some(ship);
            Some(pushed)
        }
        None => None,
    };
    let run_tag = bench.tag(&name);
    let pulled = pull::fresh_pulls(
        bench,
        Pushed {
            image_id: &image_id,
            reference: &main.reference,
            run_tag: run_tag.clone(),
        },
        changed
            .as_ref()
            .zip(changed_id.as_deref())
            .map(|(c, id)| Pushed {
                image_id: id,
                reference: &c.reference,
                run_tag: format!("{run_tag}-changed"),
            }),
        &slot.created.images,
        bench.config.runs.max(1),
    )
    .await?;
    match pulled.main {
        Ok((samples, layers)) => {
            if layers.layers_present > 0 {
                bench.warn(&mut slot.result, Warning::PullPartial(layers));
            }
            // The pulled image must still start: its first answer completes the figure.
            let started =
                super::startup::start(bench, slot.variant, &image_id, "pulled", &mut slot.created)
                    .await?;
            let _ = bench.engine.remove_container(&started.id).await;
            if let (Some(image), Some(timing)) = (
                slot.result.image.as_mut(),
                crate::stats::Timing::from_samples(&samples),
            ) {
                image.pull_s = Some(timing.median);
                image.pull_layers_present = Some(layers.layers_present);
                image.pull_to_healthy_s = Some(timing.median + started.total_ms / 1000.0);
                image.pull = Some(timing);
                image.pull_estimates = blobs::estimates(image, &bench.config.bandwidths);
            }
        }
        Err(why) => bench.warn(&mut slot.result, Warning::PullNotTimed(why)),
    }
    match pulled.changed {
        Some(Ok((seconds, layers))) => {
            if let Some(ship) = slot.result.code_change_ship.as_mut() {
                ship.pull_s = Some(seconds);
                ship.pull_layers_downloaded = Some(layers.layers_downloaded);
            }
        }
        Some(Err(why)) => bench.warn(
            &mut slot.result,
            Warning::PullNotTimed(format!("the code change's image: {why}")),
        ),
        None => {}
    }
    Ok(())
}

/// Prune the build cache records made since the run started (not in `before`): the
/// layers BuildKit's cache keeps would otherwise be found local by every pull. Records
/// still in use stay; a prune that fails is a notice, and the pulls say which layers
/// they found local.
async fn prune_own_cache(bench: &Bench<'_>, before: &std::collections::BTreeSet<String>) {
    let Some(now) = bench.engine.build_cache_ids().await else {
        return;
    };
    let ours: Vec<String> = now.difference(before).cloned().collect();
    if ours.is_empty() {
        return;
    }
    let notice = match bench.engine.prune_build_cache(&ours).await {
        Ok(freed) => format!(
            "registry: pruned the {} build cache records this run made ({}), so the pulls \
             download the layers the builds made",
            ours.len(),
            crate::format::bytes(freed)
        ),
        Err(e) => format!(
            "registry: could not prune the build cache records this run made ({e}); the \
             pulls may find the layers they hold local"
        ),
    };
    bench
        .reporter
        .report(crate::reporter::Event::Notice(notice));
}

/// A pushed image: where, its manifest and how long the push took.
struct Uploaded {
    reference: String,
    manifest: Manifest,
    push_s: f64,
}

async fn push_one(
    bench: &Bench<'_>,
    target: &RegistryTarget,
    variant: &str,
    image_id: &str,
    tag: &str,
    created: &mut Created,
) -> Result<Uploaded, Stop> {
    let repo = target.repo(variant);
    let reference = format!("{repo}:{tag}");
    bench
        .engine
        .tag_image(image_id, &repo, tag)
        .await
        .map_err(|e| stop("tag", e.to_string()))?;
    created.tags.push(reference.clone());
    let started = Instant::now();
    bench
        .engine
        .push_image(&repo, tag)
        .await
        .map_err(|e| stop("push", e.to_string()))?;
    let push_s = started.elapsed().as_secs_f64();
    let manifest = crate::registry::fetch_manifest(&target.host, &target.name(variant), tag)
        .await
        .map_err(|e| stop("manifest", e))?;
    Ok(Uploaded {
        reference,
        manifest,
        push_s,
    })
}

/// The variant's failure at `step` of the registry phase.
fn stop(step: &str, message: String) -> Stop {
    Stop(FailureDetail {
        step: Some(step.to_string()),
        ..Stop::new(FailurePhase::Registry, message).0
    })
}
