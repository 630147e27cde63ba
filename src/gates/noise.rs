//! Is a regression real or noise? For a timing with raw samples in both runs, the 95 %
//! percentile-bootstrap interval of new ÷ old (medians); the regression gate fails only
//! when the whole interval lies above `1 + limit`. Without raw samples (older files) the
//! medians are all there is, and the row says so.

use crate::results::compare::Figure;
use crate::results::{RunResults, VariantResult};
use crate::stats::Timing;
use crate::stats::bootstrap::{RESAMPLES, medians, ratio_interval, stream_seed};

/// What the samples say about new ÷ old.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Evidence {
    /// The interval of new ÷ old from both runs' raw samples.
    Interval([f64; 2]),
    /// Only the medians can be compared, and why: a run has no raw samples, or a single
    /// sample.
    MediansOnly(&'static str),
}

/// Why medians alone were compared: a file without raw samples.
pub(crate) const NO_SAMPLES: &str = "no raw samples in both files: medians compared";
/// Why medians alone were compared: a single sample on a side.
pub(crate) const SINGLE_RUN: &str = "a single run: no interval";

/// The timing a regression figure reads, when it is one.
pub(crate) fn timing(v: &VariantResult, figure: Figure) -> Option<&Timing> {
    let build = v.build.as_ref();
    match figure {
        Figure::ColdBuild => build.map(|b| &b.cold_s),
        Figure::Incremental => build.and_then(|b| b.incremental_s.as_ref()),
        Figure::Startup => v.startup_ms.as_ref(),
        Figure::Size | Figure::P95 | Figure::PeakMemory => None,
    }
}

/// The evidence on new ÷ old for `figure` of one variant; `None` for a figure that is
/// not a timing (size is exact).
pub(crate) fn evidence(
    name: &str,
    figure: Figure,
    (old, new): (&VariantResult, &VariantResult),
    results: &RunResults,
) -> Option<Evidence> {
    let (old, new) = (timing(old, figure)?, timing(new, figure)?);
    if !(old.has_samples() && new.has_samples()) {
        return Some(Evidence::MediansOnly(NO_SAMPLES));
    }
    if old.is_single_run() || new.is_single_run() {
        return Some(Evidence::MediansOnly(SINGLE_RUN));
    }
    let seed = results.seed.unwrap_or(0);
    let key = format!("check/{name}/{}", figure.label());
    let new_d = medians(
        &new.values(),
        RESAMPLES,
        stream_seed(seed, &format!("{key}/new")),
    );
    let old_d = medians(
        &old.values(),
        RESAMPLES,
        stream_seed(seed, &format!("{key}/old")),
    );
    let ratio = new.median / old.median;
    Some(match ratio_interval(&new_d, &old_d) {
        Some([lo, hi]) => Evidence::Interval([lo.min(ratio), hi.max(ratio)]),
        None => Evidence::MediansOnly(NO_SAMPLES),
    })
}

/// A ratio interval as percent changes: `−2.0…+8.5%`.
pub(crate) fn percent_interval([lo, hi]: [f64; 2]) -> String {
    format!("{:+.1}…{:+.1}%", (lo - 1.0) * 100.0, (hi - 1.0) * 100.0)
}
