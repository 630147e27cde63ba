//! Warnings about how to read a variant's numbers, typed so tests can match them.

use std::fmt;

/// Something that makes a figure less trustworthy or needs a caveat.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Warning {
    /// A timing came from one sample.
    SingleRun {
        /// Which timing (`cold build`).
        what: &'static str,
    },
    /// Samples spread widely: (max - min) / median above the threshold.
    HighVariance {
        /// Which timing.
        what: &'static str,
        /// The relative spread.
        spread: f64,
    },
    /// The base image was a locally built stand-in, not the real one.
    StandInBase {
        /// The reference in the Dockerfile.
        requested: String,
        /// The stand-in used.
        actual: String,
    },
    /// The identical rebuild ran steps instead of taking them from cache.
    CacheMissed {
        /// Steps that ran.
        steps: u32,
    },
    /// Requests failed during the latency or load phase.
    RequestErrors {
        /// How many.
        count: u32,
    },
    /// The image could not be exported or analysed.
    AnatomyFailed(String),
    /// No file to change was found, so the incremental rebuild was not measured.
    NoChangeFile,
    /// Samples with a modified Z-score above 3.5: kept in the statistics, but worth a look.
    Outliers {
        /// Which timing.
        what: &'static str,
        /// How many.
        count: u32,
        /// Of how many samples.
        n: u32,
    },
    /// The first start of the fresh image is an outlier against the later ones.
    SlowFirstStart {
        /// The first start, in milliseconds.
        first_ms: f64,
        /// The median of the measured rounds.
        median_ms: f64,
    },
    /// The image exposes ports, and not the one the run probes.
    PortNotExposed {
        /// The port the run probes (`port`).
        port: u16,
        /// What the image's `EXPOSE` lists (`9090/tcp`).
        exposed: Vec<String>,
    },
    /// The pull from the registry was not timed (the image could not be removed first).
    PullNotTimed(String),
    /// The timed pull found some layers already on the daemon and did not download them.
    PullPartial(crate::engine::Pulled),
    /// The Dockerfile is not UTF-8; invalid bytes were replaced before the build.
    DockerfileNotUtf8 {
        /// The Dockerfile as the config names it.
        dockerfile: String,
    },
}

/// Relative spread above which timings are flagged.
pub(crate) const HIGH_VARIANCE: f64 = 0.5;

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::SingleRun { what } => write!(
                f,
                "{what}: single run (no min/max spread); raise the repetitions for a median"
            ),
            Warning::HighVariance { what, spread } => write!(
                f,
                "{what}: samples spread by {:.0}% of the median; the machine may be busy, compare ratios rather than absolute times",
                spread * 100.0
            ),
            Warning::StandInBase { requested, actual } => write!(
                f,
                "base '{requested}' measured on the stand-in '{actual}' (built from Debian packages), not the real image"
            ),
            Warning::CacheMissed { steps } => write!(
                f,
                "the identical rebuild ran {steps} step(s) instead of using the cache"
            ),
            Warning::RequestErrors { count } => write!(
                f,
                "{count} request(s) failed during the latency/load phases"
            ),
            Warning::AnatomyFailed(message) => write!(f, "image anatomy not measured: {message}"),
            Warning::Outliers { what, count, n } => write!(
                f,
                "{what}: {count} of {n} samples are outliers (modified Z-score above 3.5); they are kept in the median and its interval, but the machine may have been busy"
            ),
            Warning::SlowFirstStart {
                first_ms,
                median_ms,
            } => write!(
                f,
                "startup: the first start of the fresh image took {first_ms:.0} ms against a median of {median_ms:.0} ms afterwards (cold caches); it is reported as first start, not in the startup figures"
            ),
            Warning::NoChangeFile => write!(
                f,
                "rebuild after code change not measured: no copied source file found; set `change_file`"
            ),
            Warning::PortNotExposed { port, exposed } => write!(
                f,
                "the image exposes {}, not port {port} that the run probes; set `port` (--port) to the app's port",
                exposed.join(", ")
            ),
            Warning::PullNotTimed(why) => write!(f, "pull from the registry not timed: {why}"),
            Warning::PullPartial(layers) => {
                let total = layers.layers_present + layers.layers_downloaded;
                let covers = if layers.layers_downloaded == 0 {
                    "nothing was downloaded and the pull time is the registry's round trips \
                     alone"
                        .to_string()
                } else {
                    format!(
                        "the pull time covers only the other {}",
                        layers.layers_downloaded
                    )
                };
                write!(
                    f,
                    "pull from the registry: {} of {total} layers were already on the daemon \
                     (a base it keeps, another image's, or the build cache's), so {covers}; a \
                     fresh node downloads the whole compressed size (see the pull estimates)",
                    layers.layers_present
                )
            }
            Warning::DockerfileNotUtf8 { dockerfile } => write!(
                f,
                "Dockerfile '{dockerfile}' is not UTF-8: its invalid bytes were sent as U+FFFD; save it as UTF-8"
            ),
        }
    }
}
