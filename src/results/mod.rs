//! The measurements of one run as plain data: exactly what `results.json` holds.
//!
//! Everything after the measuring phase (matrix, exporters, history, gates) reads these
//! types and nothing else. Field names are a stable interface for scripts: add fields,
//! never rename or remove them without bumping [`SCHEMA_VERSION`].
//!
//! - `model.rs`: the types, field for field;
//! - [`read`]: a `results.json` read back, with the schema check;
//! - [`analysis`]: the intervals, outliers and comparisons with the reference, computed
//!   from the raw samples and the run's seed (pure; run after every step that adds data);
//! - [`compare`]: the figures tracked between two runs of one variant, old / new / change.

pub(crate) mod analysis;
pub(crate) mod compare;
mod failure;
pub(crate) mod merge;
mod model;
pub(crate) mod read;
mod testbed;

pub use analysis::annotate;
pub use failure::{FailureDetail, FailurePhase};
pub use merge::MergedRun;
pub use model::*;
pub(crate) use read::{ResultsFileError, read_results};
pub use testbed::{HostInfo, Testbed};

/// Version of the `results.json` layout. Bump when a field is renamed or removed.
pub(crate) const SCHEMA_VERSION: u32 = 2;

/// The references a run pushed to its registry (`run --registry`): each variant's
/// measured image and its after-a-code-change image, in the results' order.
pub(crate) fn pushed_references(results: &RunResults) -> Vec<String> {
    results
        .variants
        .iter()
        .flat_map(|v| {
            v.registry_ref
                .iter()
                .chain(v.code_change_ship.as_ref().map(|s| &s.reference))
                .cloned()
        })
        .collect()
}
