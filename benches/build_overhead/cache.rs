//! The build cache the benchmark leaves: a cold build of a 1 GB context stores another
//! copy of the weight in the daemon's build cache (on either side), and twenty of them
//! would fill this machine's disk. After each kind of build, the records it created are
//! pruned by id, through the same engine calls a `--registry` run uses
//! (`Engine::build_cache_ids`, `Engine::prune_build_cache`); records that were there
//! before are left alone.

use std::collections::BTreeSet;

use basebench::engine::Engine;
use basebench::engine::docker::DockerEngine;

/// The ids of the build cache records now.
pub(crate) async fn records(engine: &DockerEngine) -> BTreeSet<String> {
    engine
        .build_cache_ids()
        .await
        .expect("the benchmark prunes its build cache: the engine must list it")
}

/// Prune the records that are not in `before`; returns bytes freed.
pub(crate) async fn prune_new(engine: &DockerEngine, before: &BTreeSet<String>) -> u64 {
    let ids: Vec<String> = records(engine).await.difference(before).cloned().collect();
    engine
        .prune_build_cache(&ids)
        .await
        .expect("pruning the benchmark's build cache")
}
