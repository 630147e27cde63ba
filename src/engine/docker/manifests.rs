//! The unpacked size of an image under the containerd image store, from the platform
//! manifest `GET /images/{name}/json?manifests=1` lists (API 1.48+).
//!
//! Under the containerd store an image's `Size` has been the packed (compressed) size on
//! some releases; the manifest's `ImageData.Size.Unpacked` is what the image takes once
//! unpacked, the figure the graph-driver store's `Size` gives. bollard 0.21's
//! `inspect_image` takes no query options, so this one request goes over a connection of
//! its own ([`super::raw_get`]; where it fails the caller keeps `Size`).

use serde_json::Value;

use super::DockerEngine;
use super::raw_get::get_json;

/// The first API version whose image inspect takes `manifests=1`.
const MANIFESTS_API: (u32, u32) = (1, 48);

/// The unpacked size of `reference`'s manifest for its own platform; `None` when the
/// engine speaks an API before 1.48, lists no such manifest or does not answer.
pub(super) async fn unpacked_size(engine: &DockerEngine, reference: &str) -> Option<u64> {
    if engine.api() < MANIFESTS_API {
        return None;
    }
    let inspect = get_json(engine, &format!("/images/{reference}/json?manifests=1")).await?;
    own_platform_unpacked(&inspect)
}

/// From an image inspect with `Manifests`: the unpacked size of the available image
/// manifest whose platform is the image's own (`Os`/`Architecture`), or of the only
/// available image manifest.
pub(super) fn own_platform_unpacked(inspect: &Value) -> Option<u64> {
    let images: Vec<&Value> = inspect
        .get("Manifests")?
        .as_array()?
        .iter()
        .filter(|m| m.get("Kind").and_then(Value::as_str) == Some("image"))
        .filter(|m| m.get("Available").and_then(Value::as_bool) == Some(true))
        .collect();
    let platform = |m: &Value, key: &str| {
        m.pointer(&format!("/ImageData/Platform/{key}"))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let own = |m: &&&Value| {
        platform(m, "os").as_deref() == inspect.get("Os").and_then(Value::as_str)
            && platform(m, "architecture").as_deref()
                == inspect.get("Architecture").and_then(Value::as_str)
    };
    let chosen = match images.iter().find(own) {
        Some(m) => *m,
        None if images.len() == 1 => images[0],
        None => return None,
    };
    chosen.pointer("/ImageData/Size/Unpacked")?.as_u64()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn manifest(arch: &str, unpacked: u64, available: bool) -> Value {
        json!({"Kind": "image", "Available": available,
               "ImageData": {"Platform": {"os": "linux", "architecture": arch},
                             "Size": {"Unpacked": unpacked}}})
    }

    #[test]
    fn the_images_own_platform_is_chosen_among_several() {
        let inspect = json!({"Os": "linux", "Architecture": "arm64", "Manifests": [
            manifest("amd64", 100, true), manifest("arm64", 200, true),
            {"Kind": "attestation", "Available": true}]});
        assert_eq!(own_platform_unpacked(&inspect), Some(200));
    }

    #[test]
    fn a_single_available_image_manifest_is_taken_and_an_absent_one_never() {
        let inspect = json!({"Os": "linux", "Architecture": "amd64", "Manifests": [
            manifest("s390x", 300, true), manifest("amd64", 100, false)]});
        assert_eq!(own_platform_unpacked(&inspect), Some(300));
        let none = json!({"Os": "linux", "Architecture": "amd64", "Manifests": [
            manifest("s390x", 300, true), manifest("arm64", 100, true)]});
        assert_eq!(
            own_platform_unpacked(&none),
            None,
            "no guess between two others"
        );
        assert_eq!(own_platform_unpacked(&json!({"Size": 5})), None);
    }
}
