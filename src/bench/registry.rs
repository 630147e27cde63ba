//! The registry phase (`--registry`), last of a run so a registry fault costs no other
//! measurement: each working variant's measured image is tagged
//! `HOST[:PORT]/PREFIX/<variant>:<run-id>`, pushed through the engine, and its manifest
//! read back from the registry's HTTP API for the compressed sizes; then the image is
//! removed locally (only when basebench's own tags are all that name it) and pulled back,
//! timed. A failure becomes the
//! variant's failure row (phase `registry`, the step and the registry's message; exit 1),
//! its other measurements kept. The bytes shared between variants are counted at the end.

use std::collections::HashMap;
use std::time::Instant;

use super::warnings::Warning;
use super::{Bench, Run, Stop, cleanup::Created};
use crate::engine::RUN_LABEL;
use crate::registry::{Manifest, RegistryTarget};
use crate::reporter::Phase;
use crate::results::{CompressedLayer, FailureDetail, FailurePhase, ImageFacts, RunResults};

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
    for index in 0..run.slots.len() {
        let slot = &mut run.slots[index];
        let Some(image_id) = slot
            .image_id()
            .filter(|_| slot.alive && slot.result.image.is_some())
        else {
            continue;
        };
        bench.phase(slot.variant, Phase::Registry, target.to_string());
        let name = slot.variant.name.clone();
        let step = push_one(bench, target, &name, &image_id, &mut slot.created);
        match bench.or_cancel(step).await {
            None => return false,
            Some(Err(stop)) => slot.fail(stop),
            Some(Ok(pushed)) => {
                if let Some(image) = slot.result.image.as_mut() {
                    record(image, &pushed.manifest, pushed.push_s);
                }
                let timed = pull(bench, &name, &image_id, &pushed.reference);
                match bench.or_cancel(timed).await {
                    None => return false,
                    Some(Ok(Ok(seconds))) => {
                        if let Some(image) = slot.result.image.as_mut() {
                            image.pull_s = Some(seconds);
                        }
                    }
                    Some(Ok(Err(why))) => bench.warn(&mut slot.result, Warning::PullNotTimed(why)),
                    Some(Err(stop)) => slot.fail(stop),
                }
                slot.result.registry_ref = Some(pushed.reference);
            }
        }
        bench.publish(run, on_update);
    }
    let mut images: Vec<&mut ImageFacts> = run
        .slots
        .iter_mut()
        .filter_map(|s| s.result.image.as_mut())
        .collect();
    mark_shared(&mut images);
    bench.publish(run, on_update);
    true
}

/// A pushed image: where, its manifest and how long the push took.
struct Pushed {
    reference: String,
    manifest: Manifest,
    push_s: f64,
}

async fn push_one(
    bench: &Bench<'_>,
    target: &RegistryTarget,
    variant: &str,
    image_id: &str,
    created: &mut Created,
) -> Result<Pushed, Stop> {
    let repo = target.repo(variant);
    let tag = &bench.run_id;
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
    Ok(Pushed {
        reference,
        manifest,
        push_s,
    })
}

/// Time a pull of `reference` onto a daemon without the image: removed first, only when
/// basebench's two tags are all that name it (`Ok(Err(why))` otherwise: not timed), then
/// pulled and given its run tag back. A failed pull is the variant's failure.
async fn pull(
    bench: &Bench<'_>,
    variant: &str,
    image_id: &str,
    reference: &str,
) -> Result<Result<f64, String>, Stop> {
    let engine = bench.engine;
    let run_tag = bench.tag(variant);
    let info = match engine.image_info(image_id).await {
        Ok(Some(info)) => info,
        Ok(None) => return Ok(Err(format!("the image {image_id} is gone"))),
        Err(e) => return Ok(Err(e.to_string())),
    };
    let others: Vec<&String> = info
        .repo_tags
        .iter()
        .filter(|t| **t != run_tag && *t != reference)
        .collect();
    if !others.is_empty() || info.labels.get(RUN_LABEL) != Some(&bench.run_id) {
        return Ok(Err(format!(
            "the image is also tagged {others:?} or was not built by this run; left in place"
        )));
    }
    for tag in [reference, run_tag.as_str()] {
        if let Err(e) = engine.remove_image(tag).await {
            return Ok(Err(e.to_string()));
        }
    }
    if let Ok(Some(_)) = engine.image_info(image_id).await {
        return Ok(Err("the image is still in use on the daemon".to_string()));
    }
    let started = Instant::now();
    let pulled = engine.pull_image(reference).await;
    let seconds = started.elapsed().as_secs_f64();
    pulled.map_err(|e| stop("pull", e.to_string()))?;
    let (repo, tag) = run_tag
        .rsplit_once(':')
        .unwrap_or((run_tag.as_str(), "latest"));
    engine
        .tag_image(image_id, repo, tag)
        .await
        .map_err(|e| stop("tag", e.to_string()))?;
    Ok(Ok(seconds))
}

/// The variant's failure at `step` of the registry phase.
fn stop(step: &str, message: String) -> Stop {
    Stop(FailureDetail {
        step: Some(step.to_string()),
        ..Stop::new(FailurePhase::Registry, message).0
    })
}

/// Put a manifest's sizes into the image facts.
fn record(image: &mut ImageFacts, manifest: &Manifest, push_s: f64) {
    image.compressed_bytes = Some(manifest.compressed_bytes());
    image.compressed_config = Some(CompressedLayer {
        digest: manifest.config.digest.clone(),
        size_bytes: manifest.config.size,
    });
    image.compressed_layers = manifest
        .layers
        .iter()
        .map(|l| CompressedLayer {
            digest: l.digest.clone(),
            size_bytes: l.size,
        })
        .collect();
    image.push_s = Some(push_s);
}

/// Fill `shared_compressed_bytes` of every pushed image: the bytes of its blobs (config
/// and layers, each digest once) that another image of the run also has.
fn mark_shared(images: &mut [&mut ImageFacts]) {
    let blobs = |i: &ImageFacts| -> HashMap<String, u64> {
        i.compressed_config
            .iter()
            .chain(&i.compressed_layers)
            .map(|b| (b.digest.clone(), b.size_bytes))
            .collect()
    };
    let sets: Vec<Option<HashMap<String, u64>>> = images
        .iter()
        .map(|i| i.compressed_bytes.map(|_| blobs(i)))
        .collect();
    for (index, image) in images.iter_mut().enumerate() {
        let Some(own) = &sets[index] else {
            continue;
        };
        let shared = own
            .iter()
            .filter(|(digest, _)| {
                sets.iter().enumerate().any(|(j, other)| {
                    j != index && other.as_ref().is_some_and(|o| o.contains_key(*digest))
                })
            })
            .map(|(_, size)| size)
            .sum();
        image.shared_compressed_bytes = Some(shared);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pushed(config: (&str, u64), layers: &[(&str, u64)]) -> ImageFacts {
        let blob = |(d, s): (&str, u64)| CompressedLayer {
            digest: d.to_string(),
            size_bytes: s,
        };
        let layers: Vec<CompressedLayer> = layers.iter().copied().map(blob).collect();
        ImageFacts {
            compressed_bytes: Some(config.1 + layers.iter().map(|l| l.size_bytes).sum::<u64>()),
            compressed_config: Some(blob(config)),
            compressed_layers: layers,
            ..ImageFacts::default()
        }
    }

    #[test]
    fn shared_bytes_are_the_blobs_another_variant_also_has() {
        let mut a = pushed(("c1", 10), &[("base", 1000), ("app-a", 50)]);
        let mut b = pushed(("c2", 11), &[("base", 1000), ("app-b", 70)]);
        let mut c = pushed(("c3", 12), &[("other", 5)]);
        let mut not_pushed = ImageFacts::default();
        mark_shared(&mut [&mut a, &mut b, &mut c, &mut not_pushed]);
        assert_eq!(a.shared_compressed_bytes, Some(1000));
        assert_eq!(b.shared_compressed_bytes, Some(1000));
        assert_eq!(c.shared_compressed_bytes, Some(0));
        assert_eq!(not_pushed.shared_compressed_bytes, None);
    }

    #[test]
    fn a_layer_repeated_within_one_image_is_not_shared_by_itself() {
        let mut a = pushed(("c1", 1), &[("empty", 32), ("empty", 32)]);
        mark_shared(&mut [&mut a]);
        assert_eq!(a.shared_compressed_bytes, Some(0));
    }
}
