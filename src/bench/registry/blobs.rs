//! What the registry's manifests say about the run's images (pure): the compressed sizes
//! of one image, the bytes variants share, and what a code change ships to a node that
//! has the previous version.

use std::collections::{HashMap, HashSet};

use crate::registry::bandwidth::Bandwidth;
use crate::registry::{Blob, Manifest};
use crate::results::{CodeChangeShip, CompressedLayer, ImageFacts, PullEstimate};

fn layer(blob: &Blob) -> CompressedLayer {
    CompressedLayer {
        digest: blob.digest.clone(),
        size_bytes: blob.size,
    }
}

/// Put a manifest's sizes into the image facts.
pub(super) fn record(image: &mut ImageFacts, manifest: &Manifest, push_s: f64) {
    image.compressed_bytes = Some(manifest.compressed_bytes());
    image.compressed_config = Some(layer(&manifest.config));
    image.compressed_layers = manifest.layers.iter().map(layer).collect();
    image.push_s = Some(push_s);
}

/// What pulling `changed` downloads onto a node that has `previous`, and its bytes: the
/// config blob (unless it is the previous one: nothing changed) and every layer whose
/// digest `previous` does not list, each digest once.
pub(super) fn ship(
    previous: &Manifest,
    changed: &Manifest,
    reference: String,
) -> (CodeChangeShip, u64) {
    let mut have: HashSet<&str> = previous.layers.iter().map(|b| b.digest.as_str()).collect();
    let mut layers = Vec::new();
    for blob in &changed.layers {
        if have.insert(blob.digest.as_str()) {
            layers.push(layer(blob));
        }
    }
    let config = if changed.config.digest == previous.config.digest {
        0
    } else {
        changed.config.size
    };
    let bytes = config + layers.iter().map(|l| l.size_bytes).sum::<u64>();
    let ship = CodeChangeShip {
        reference,
        config: layer(&changed.config),
        layers,
        layers_total: changed.layers.len() as u32,
        pull_s: None,
        pull_layers_downloaded: None,
    };
    (ship, bytes)
}

/// The pull of `image` at each link speed: its compressed bytes over the link plus the
/// measured local pull (decompression and unpack); none without both.
pub(super) fn estimates(image: &ImageFacts, speeds: &[Bandwidth]) -> Vec<PullEstimate> {
    let (Some(bytes), Some(pull)) = (image.compressed_bytes, image.pull_s) else {
        return Vec::new();
    };
    speeds
        .iter()
        .map(|speed| PullEstimate {
            bandwidth_bps: speed.0,
            seconds: speed.seconds_for(bytes) + pull,
        })
        .collect()
}

/// Fill `shared_compressed_bytes` of every pushed image: the bytes of its blobs (config
/// and layers, each digest once) that another image of the run also has.
pub(super) fn mark_shared(images: &mut [&mut ImageFacts]) {
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

    fn blob((digest, size): (&str, u64)) -> Blob {
        Blob {
            digest: digest.to_string(),
            size,
        }
    }

    fn manifest(config: (&str, u64), layers: &[(&str, u64)]) -> Manifest {
        Manifest {
            media_type: "application/vnd.docker.distribution.manifest.v2+json".to_string(),
            config: blob(config),
            layers: layers.iter().copied().map(blob).collect(),
        }
    }

    fn pushed(config: (&str, u64), layers: &[(&str, u64)]) -> ImageFacts {
        let mut image = ImageFacts::default();
        record(&mut image, &manifest(config, layers), 1.0);
        image
    }

    #[test]
    fn shared_bytes_are_the_blobs_another_variant_also_has() {
        let mut a = pushed(("c1", 10), &[("base", 1000), ("app-a", 50)]);
        let mut b = pushed(("c2", 11), &[("base", 1000), ("app-b", 70)]);
        let mut c = pushed(("c3", 12), &[("other", 5)]);
        let mut not_pushed = ImageFacts::default();
        mark_shared(&mut [&mut a, &mut b, &mut c, &mut not_pushed]);
        assert_eq!(a.compressed_bytes, Some(1060));
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

    #[test]
    fn a_change_to_the_last_layer_ships_that_layer_and_the_config() {
        let previous = manifest(("c1", 10), &[("deps", 5000), ("code", 40)]);
        let changed = manifest(("c2", 11), &[("deps", 5000), ("code2", 42)]);
        let (ship, bytes) = ship(&previous, &changed, "r".to_string());
        assert_eq!(ship.layers.len(), 1);
        assert_eq!(ship.layers[0].digest, "code2");
        assert_eq!(ship.layers_total, 2);
        assert_eq!(bytes, 11 + 42);
    }

    #[test]
    fn a_change_below_the_dependencies_ships_them_again_each_digest_once() {
        let previous = manifest(("c1", 10), &[("code", 40), ("deps", 5000), ("empty", 32)]);
        let changed = manifest(
            ("c2", 11),
            &[
                ("code2", 42),
                ("deps2", 5001),
                ("empty2", 32),
                ("empty2", 32),
            ],
        );
        let (_, bytes) = ship(&previous, &changed, "r".to_string());
        assert_eq!(bytes, 11 + 42 + 5001 + 32);
    }

    #[test]
    fn a_pull_estimate_is_the_bytes_over_the_link_plus_the_local_pull() {
        let mut image = pushed(("c", 25_000_000), &[("l", 100_000_000)]);
        assert!(
            estimates(&image, &[Bandwidth(100_000_000)]).is_empty(),
            "no pull yet"
        );
        image.pull_s = Some(2.0);
        let got = estimates(&image, &[Bandwidth(100_000_000), Bandwidth(1_000_000_000)]);
        let seconds: Vec<f64> = got.iter().map(|e| e.seconds).collect();
        assert_eq!(seconds, [10.0 + 2.0, 1.0 + 2.0]);
    }

    #[test]
    fn an_identical_image_ships_nothing() {
        let previous = manifest(("c1", 10), &[("deps", 5000)]);
        let (ship, bytes) = ship(&previous, &previous.clone(), "r".to_string());
        assert!(ship.layers.is_empty());
        assert_eq!(bytes, 0);
    }
}
