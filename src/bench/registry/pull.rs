//! Pulls timed as a node that lacks the image sees them: the variant's own images are
//! removed first (only when basebench's tags are all that name them), then the measured
//! image is pulled back (`pull_s`), removed and pulled again once per planned round, and,
//! on top of it, the after-a-code-change image is pulled once (the code change's own
//! pull). Layers other images on the daemon hold (a base the user keeps, another
//! variant's) stay: a pull does not download those.

use std::time::Instant;

use super::stop;
use crate::bench::{Bench, Stop};
use crate::engine::{Pulled as Layers, RUN_LABEL};

/// One image to pull back: its id, the registry reference and basebench's run tag.
pub(super) struct Pushed<'a> {
    pub(super) image_id: &'a str,
    pub(super) reference: &'a str,
    pub(super) run_tag: String,
}

/// The pulls' seconds with the layers the first of each downloaded, or why one was not
/// timed.
pub(super) struct Pulled {
    /// Every timed pull of the measured image (at least one), in order.
    pub(super) main: Result<(Vec<f64>, Layers), String>,
    /// `None` without an after-a-code-change image.
    pub(super) changed: Option<Result<(f64, Layers), String>>,
}

/// Remove the variant's images (`main`, `changed` and the other builds in `own`), then
/// pull `main` `times` times (removed before each) and `changed` once, each timed. A
/// failed pull is the variant's failure; an image that cannot be removed is only not
/// timed (the other pull still is: the code change's pull needs only the previous
/// version on the daemon).
pub(super) async fn fresh_pulls(
    bench: &Bench<'_>,
    main: Pushed<'_>,
    changed: Option<Pushed<'_>>,
    own: &[String],
    times: u32,
) -> Result<Pulled, Stop> {
    let changed_removed = match &changed {
        Some(c) => Some(match removable(bench, c).await {
            Ok(()) => untag(bench, c).await,
            Err(why) => Err(why),
        }),
        None => None,
    };
    let keep = [Some(main.image_id), changed.as_ref().map(|c| c.image_id)];
    for id in own {
        if !keep.contains(&Some(id.as_str())) {
            // A build of an earlier round: it would keep the image's layers on the daemon.
            let _ = bench.engine.remove_image(id).await;
        }
    }
    let main_s = match removable(bench, &main).await {
        Ok(()) => repeated_pull(bench, &main, times).await?,
        Err(why) => Err(why),
    };
    let changed_s = match (changed, changed_removed) {
        (Some(c), Some(Ok(()))) => Some(timed_pull(bench, &c).await?),
        (_, Some(Err(why))) => Some(Err(why)),
        _ => None,
    };
    Ok(Pulled {
        main: main_s,
        changed: changed_s,
    })
}

/// Pull the image `times` times (at least once), removed before each: the samples and
/// the first pull's layers. A repeat whose removal fails ends the repeats with the
/// samples so far; `Ok(Err(why))` when even the first could not be timed.
async fn repeated_pull(
    bench: &Bench<'_>,
    image: &Pushed<'_>,
    times: u32,
) -> Result<Result<(Vec<f64>, Layers), String>, Stop> {
    let (first, layers) = match timed_pull(bench, image).await? {
        Ok(pulled) => pulled,
        Err(why) => return Ok(Err(why)),
    };
    let mut samples = vec![first];
    for _ in 1..times {
        match timed_pull(bench, image).await? {
            Ok((seconds, _)) => samples.push(seconds),
            Err(_) => break,
        }
    }
    Ok(Ok((samples, layers)))
}

/// Untag the image, make sure it is gone, then pull it timed: `Ok(Err(why))` when it
/// could not be removed first.
async fn timed_pull(
    bench: &Bench<'_>,
    image: &Pushed<'_>,
) -> Result<Result<(f64, Layers), String>, Stop> {
    if let Err(why) = untag(bench, image).await {
        return Ok(Err(why));
    }
    match gone(bench, image).await {
        Ok(()) => Ok(Ok(pull(bench, image).await?)),
        Err(why) => Ok(Err(why)),
    }
}

/// `Err(why)` unless basebench's two tags are all that name the image and this run
/// built it.
async fn removable(bench: &Bench<'_>, image: &Pushed<'_>) -> Result<(), String> {
    let info = match bench.engine.image_info(image.image_id).await {
        Ok(Some(info)) => info,
        Ok(None) => return Err(format!("the image {} is gone", image.image_id)),
        Err(e) => return Err(e.to_string()),
    };
    let others: Vec<&String> = info
        .repo_tags
        .iter()
        .filter(|t| **t != image.run_tag && *t != image.reference)
        .collect();
    if !others.is_empty() || info.labels.get(RUN_LABEL) != Some(&bench.run_id) {
        return Err(format!(
            "the image is also tagged {others:?} or was not built by this run; left in place"
        ));
    }
    Ok(())
}

/// Remove basebench's two tags of the image (the image goes with the last); a second
/// call finds them gone and succeeds.
async fn untag(bench: &Bench<'_>, image: &Pushed<'_>) -> Result<(), String> {
    for tag in [image.reference, image.run_tag.as_str()] {
        bench
            .engine
            .remove_image(tag)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// `Err(why)` while the image is still on the daemon (a container uses it).
async fn gone(bench: &Bench<'_>, image: &Pushed<'_>) -> Result<(), String> {
    match bench.engine.image_info(image.image_id).await {
        Ok(Some(_)) => Err("the image is still in use on the daemon".to_string()),
        Ok(None) => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}

/// Pull the reference, timed, and give the image its run tag back.
async fn pull(bench: &Bench<'_>, image: &Pushed<'_>) -> Result<(f64, Layers), Stop> {
    let engine = bench.engine;
    let started = Instant::now();
    let pulled = engine.pull_image(image.reference).await;
    let seconds = started.elapsed().as_secs_f64();
    let layers = pulled.map_err(|e| stop("pull", e.to_string()))?;
    let (repo, tag) = image
        .run_tag
        .rsplit_once(':')
        .unwrap_or((image.run_tag.as_str(), "latest"));
    engine
        .tag_image(image.image_id, repo, tag)
        .await
        .map_err(|e| stop("tag", e.to_string()))?;
    Ok((seconds, layers))
}
