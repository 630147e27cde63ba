//! Image facts: size, layers and history from inspect, the final base's size, and the
//! anatomy read from the exported image.

use super::warnings::Warning;
use super::{Bench, Stop};
use crate::anatomy::Anatomy;
use crate::config::Variant;
use crate::engine::ImageInfo;
use crate::reporter::Phase;
use crate::results::{FailurePhase, HistoryEntry, ImageFacts, VariantResult};

/// Fill `result.image` from inspect and history of the image and of its final base.
pub(crate) async fn inspect(
    bench: &Bench<'_>,
    image_id: &str,
    port: u16,
    result: &mut VariantResult,
) -> Result<(), Stop> {
    let engine = bench.engine;
    let info = engine
        .image_info(image_id)
        .await
        .map_err(|e| {
            Stop::new(
                FailurePhase::Measure,
                format!("inspecting the built image: {e}"),
            )
        })?
        .ok_or_else(|| {
            Stop::new(
                FailurePhase::Measure,
                format!("the built image {image_id} is gone from the daemon"),
            )
        })?;
    let base = match result.final_base().map(|b| b.actual.clone()) {
        Some(reference) => engine.image_info(&reference).await.ok().flatten(),
        None => None,
    };
    let from_scratch = result.final_base().is_none();
    if let Some(warning) = port_warning(&info, port)
        && !result.warnings.contains(&warning.to_string())
    {
        bench.warn(result, warning);
    }
    result.image = Some(image_facts(
        &info,
        base.as_ref(),
        from_scratch,
        &bench.tag(&result.name),
    ));
    Ok(())
}

/// Said when the image exposes ports and not `port`: the app likely listens elsewhere.
fn port_warning(info: &ImageInfo, port: u16) -> Option<Warning> {
    let probed = [format!("{port}/tcp"), port.to_string()];
    let exposed = &info.exposed_ports;
    (!exposed.is_empty() && !exposed.iter().any(|p| probed.contains(p))).then(|| {
        Warning::PortNotExposed {
            port,
            exposed: exposed.clone(),
        }
    })
}

/// Combine the image's and its base's inspect data.
fn image_facts(
    info: &ImageInfo,
    base: Option<&ImageInfo>,
    from_scratch: bool,
    tag: &str,
) -> ImageFacts {
    let base_size = if from_scratch {
        Some(0)
    } else {
        base.map(|b| b.size_bytes)
    };
    let base_steps = base.map_or(0, |b| b.history.len());
    ImageFacts {
        id: info.id.clone(),
        tag: tag.to_string(),
        size_bytes: info.size_bytes,
        layers: info.layers,
        base_size_bytes: base_size,
        added_bytes: base_size.map(|b| info.size_bytes.saturating_sub(b)),
        base_layers: if from_scratch {
            Some(0)
        } else {
            base.map(|b| b.layers)
        },
        config_user: info.user.clone(),
        history: info
            .history
            .iter()
            .enumerate()
            .map(|(index, item)| HistoryEntry {
                size_bytes: item.size_bytes,
                created_by: item.created_by.clone(),
                empty_layer: item.size_bytes == 0,
                from_base: index < base_steps,
            })
            .collect(),
        ..ImageFacts::default()
    }
}

/// Export the image and analyse it while it streams; a failure is a warning, not a
/// failed variant.
pub(crate) async fn analyse(
    bench: &Bench<'_>,
    variant: &Variant,
    image_id: &str,
    result: &mut VariantResult,
) {
    bench.phase(variant, Phase::Anatomy, "");
    let analysed = async {
        let stream = bench
            .engine
            .export_image(image_id)
            .await
            .map_err(|e| e.to_string())?;
        crate::anatomy::analyze_export(stream, crate::anatomy::AnalyzeOptions::default())
            .await
            .map_err(|e| e.to_string())
    };
    match analysed.await {
        Ok(anatomy) => {
            add_bytecode_findings(variant, &anatomy, result);
            result.anatomy = Some(anatomy);
        }
        Err(message) => bench.warn(result, Warning::AnatomyFailed(message)),
    }
}

/// The `python-bytecode` finding needs the anatomy's fact and the Dockerfile's lines, so
/// it is made here, after the analysis (docs/ANATOMY.md, "Bytecode").
fn add_bytecode_findings(variant: &Variant, anatomy: &Anatomy, result: &mut VariantResult) {
    let Some(facts) = &anatomy.bytecode else {
        return;
    };
    // The Dockerfile was read when the variant was prepared; unreadable now, no finding.
    let Ok(source) = crate::dockerfile::read(&variant.dockerfile) else {
        return;
    };
    let found = crate::dockerfile::bytecode_findings(&source.text, facts);
    result
        .findings
        .extend(found.into_iter().map(super::resolve_from::as_result));
    result.findings.sort_by_key(|f| f.line);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::HistoryItem;

    fn image(size: u64, steps: usize) -> ImageInfo {
        ImageInfo {
            id: "sha256:x".into(),
            size_bytes: size,
            layers: steps as u32,
            history: (0..steps)
                .map(|i| HistoryItem {
                    size_bytes: i as u64,
                    created_by: format!("step {i}"),
                    comment: String::new(),
                })
                .collect(),
            ..ImageInfo::default()
        }
    }

    #[test]
    fn added_bytes_are_what_the_dockerfile_put_on_top_of_its_base() {
        let facts = image_facts(&image(1000, 5), Some(&image(600, 2)), false, "t");
        assert_eq!(
            (facts.base_size_bytes, facts.added_bytes),
            (Some(600), Some(400))
        );
        let from_base: Vec<bool> = facts.history.iter().map(|h| h.from_base).collect();
        assert_eq!(from_base, [true, true, false, false, false]);
    }

    #[test]
    fn a_scratch_image_adds_everything_and_an_unknown_base_adds_nothing_known() {
        let scratch = image_facts(&image(1000, 1), None, true, "t");
        assert_eq!(scratch.added_bytes, Some(1000));
        let unknown = image_facts(&image(1000, 1), None, false, "t");
        assert_eq!((unknown.base_size_bytes, unknown.added_bytes), (None, None));
    }
}
