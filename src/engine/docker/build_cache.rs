//! The engine's build cache records: listed from `GET /system/df` (under `BuildCache`
//! up to API 1.51, `BuildCacheUsage.Items` from 1.52: bollard 0.21's model reads only the
//! second, so the listing goes over [`super::raw_get`]), and pruned by id. A run that
//! times pulls prunes the records its own builds made (those not listed when it started):
//! BuildKit's cache keeps the layers it built, and a pull finds them local.

use std::collections::BTreeSet;

use bollard::query_parameters::PruneBuildOptions;
use serde_json::Value;

use super::DockerEngine;
use super::raw_get::get_json;
use crate::engine::EngineError;

/// The first API version whose `/system/df` takes `type=build-cache`.
const TYPED_DF_API: (u32, u32) = (1, 42);

/// The ids of the build cache records now; `None` when the engine does not list them
/// (a host it cannot dial, or no build cache in the answer, as with Podman).
pub(super) async fn record_ids(engine: &DockerEngine) -> Option<BTreeSet<String>> {
    let path = if engine.api() >= TYPED_DF_API {
        "/system/df?type=build-cache"
    } else {
        "/system/df"
    };
    record_ids_in(&get_json(engine, path).await?)
}

/// The record ids of a `/system/df` answer of any API version; `None` when it has no
/// build cache list at all.
pub(crate) fn record_ids_in(usage: &Value) -> Option<BTreeSet<String>> {
    let records = usage
        .get("BuildCache")
        .filter(|v| !v.is_null())
        .or_else(|| usage.pointer("/BuildCacheUsage/Items"))?
        .as_array()?;
    Some(
        records
            .iter()
            .filter_map(|r| r.get("ID")?.as_str().map(str::to_string))
            .collect(),
    )
}

/// Prune the records `ids` that nothing uses; the bytes reclaimed.
pub(super) async fn prune(engine: &DockerEngine, ids: &[String]) -> Result<u64, EngineError> {
    if ids.is_empty() {
        return Ok(0);
    }
    // dockerd matches `id` as a regular expression and takes one value per filter key,
    // so one alternation names them all (the ids are hex: nothing to escape).
    let pattern = format!("^({})$", ids.join("|"));
    let options = PruneBuildOptions {
        all: Some(true),
        filters: Some([("id".to_string(), vec![pattern])].into()),
        ..Default::default()
    };
    let pruned = engine.long.prune_build(Some(options)).await.map_err(|e| {
        engine
            .fail_long("pruning the run's build cache", "build cache records")
            .map(e)
    })?;
    Ok(pruned.space_reclaimed.unwrap_or(0).max(0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn records_are_read_from_either_api_shape_and_an_answer_without_them_is_none() {
        let old = json!({"BuildCache": [{"ID": "a1", "Size": 5}, {"ID": "b2"}]});
        let new = json!({"BuildCache": null, "BuildCacheUsage": {"Items": [{"ID": "c3"}]}});
        let ids = |v: &Value| record_ids_in(v).map(|s| s.into_iter().collect::<Vec<_>>());
        assert_eq!(ids(&old), Some(vec!["a1".to_string(), "b2".to_string()]));
        assert_eq!(ids(&new), Some(vec!["c3".to_string()]));
        assert_eq!(ids(&json!({"BuildCache": []})), Some(vec![]));
        assert_eq!(
            ids(&json!({"Images": []})),
            None,
            "Podman lists no build cache"
        );
    }
}
