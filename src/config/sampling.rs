//! The settings of the measurement plan and of its verdicts: cold builds, warm-up rounds,
//! the noise threshold, adaptive precision with its round limit, the reference variant
//! and the seed. Each comes from a flag or the file (a flag wins) and is checked here, so
//! an error names the flag or the key it came from and the range it must lie in.

use serde::Deserialize;

use super::file::COMMAND_LINE;
use super::{ConfigError, Overrides, RawConfig, defaults};

/// A percentage written as a number (`5`) or a string (`"5%"`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Percent(pub(crate) f64);

impl<'de> Deserialize<'de> for Percent {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(f64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Number(n) => Ok(Percent(n)),
            Raw::Text(t) => parse_percent(&t)
                .map(Percent)
                .map_err(serde::de::Error::custom),
        }
    }
}

/// Read `5`, `5%` or `2.5 %` as a number of percent.
pub(crate) fn parse_percent(text: &str) -> Result<f64, String> {
    let number = text.trim().trim_end_matches('%').trim();
    number
        .parse::<f64>()
        .map_err(|_| format!("'{text}' is not a percentage: write e.g. 5 or 5%"))
}

/// The validated plan settings.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sampling {
    /// Cold builds per variant.
    pub(crate) cold_build_runs: u32,
    /// Leading startup rounds left out of the statistics (always fewer than `runs`;
    /// unset with `runs = 1`, none).
    pub(crate) warmup: u32,
    /// Noise threshold as a fraction (0.05 = 5 %).
    pub(crate) noise: f64,
    /// Target half-width of each startup interval as a fraction; `None`: exactly `runs`.
    pub(crate) precision: Option<f64>,
    /// Most startup rounds with `precision` (at least `runs`).
    pub(crate) max_runs: u32,
    /// The variant others are compared with; `None`: the smallest that works.
    pub(crate) reference: Option<String>,
    /// Seed of the round order and the bootstrap; `None`: a fresh one per run.
    pub(crate) seed: Option<u64>,
    /// Share of a variant's latency and load requests that may fail before it does not
    /// work, as a fraction (0.01 = 1 %).
    pub(crate) max_request_errors: f64,
}

impl Default for Sampling {
    fn default() -> Self {
        Sampling {
            cold_build_runs: defaults::COLD_BUILD_RUNS,
            warmup: defaults::WARMUP,
            noise: defaults::NOISE,
            precision: None,
            max_runs: defaults::MAX_RUNS,
            reference: None,
            seed: None,
            max_request_errors: defaults::MAX_REQUEST_ERRORS,
        }
    }
}

/// Where a value came from: the flag when it was given, else the file's key.
struct Source<'a> {
    origin: &'a str,
    flag: bool,
}

impl Source<'_> {
    fn invalid(&self, flag: &str, key: &str, message: String) -> ConfigError {
        let (origin, key) = if self.flag {
            (COMMAND_LINE, flag)
        } else {
            (self.origin, key)
        };
        ConfigError::Invalid {
            origin: origin.to_string(),
            key: key.to_string(),
            message,
        }
    }
}

/// Merge the flags over the file and check every plan setting against `runs` and the
/// variant names.
pub(crate) fn resolve(
    raw: &RawConfig,
    o: &Overrides,
    origin: &str,
    runs: u32,
    names: &[&str],
) -> Result<Sampling, ConfigError> {
    let source = |flag: bool| Source { origin, flag };
    let cold_build_runs = o
        .cold_build_runs
        .or(raw.cold_build_runs)
        .unwrap_or(defaults::COLD_BUILD_RUNS);
    if cold_build_runs == 0 {
        return Err(source(o.cold_build_runs.is_some()).invalid(
            "--cold-build-runs",
            "cold_build_runs",
            "must be at least 1 (got 0)".into(),
        ));
    }
    // Unset, the warm-up gives way to a single round; set, it must leave one measured.
    let given = o.warmup.or(raw.warmup);
    let warmup = given.unwrap_or(defaults::WARMUP.min(runs.saturating_sub(1)));
    if warmup >= runs {
        return Err(source(o.warmup.is_some()).invalid(
            "--warmup",
            "warmup",
            format!(
                "must be below `runs` ({runs}) so that some rounds are measured: use 0 to {} \
                 (got {warmup})",
                runs - 1
            ),
        ));
    }
    let noise = o
        .noise
        .or(raw.noise.map(|p| p.0))
        .unwrap_or(defaults::NOISE * 100.0);
    if !(noise.is_finite() && (0.0..100.0).contains(&noise)) {
        return Err(source(o.noise.is_some()).invalid(
            "--noise",
            "noise",
            format!("must be a percentage from 0 up to (not including) 100 (got {noise})"),
        ));
    }
    let precision = o.precision.or(raw.precision.map(|p| p.0));
    if let Some(p) = precision.filter(|p| !(p.is_finite() && *p > 0.0 && *p < 100.0)) {
        return Err(source(o.precision.is_some()).invalid(
            "--precision",
            "precision",
            format!("must be a percentage above 0 and below 100, e.g. 5% (got {p})"),
        ));
    }
    let max_runs = o
        .max_runs
        .or(raw.max_runs)
        .unwrap_or(defaults::MAX_RUNS.max(runs));
    if max_runs < runs {
        return Err(source(o.max_runs.is_some()).invalid(
            "--max-runs",
            "max_runs",
            format!("must be at least `runs` ({runs}) (got {max_runs})"),
        ));
    }
    let max_errors = o
        .max_request_errors
        .or(raw.max_request_errors.map(|p| p.0))
        .unwrap_or(defaults::MAX_REQUEST_ERRORS * 100.0);
    if !(max_errors.is_finite() && (0.0..=100.0).contains(&max_errors)) {
        return Err(source(o.max_request_errors.is_some()).invalid(
            "--max-request-errors",
            "max_request_errors",
            format!("must be a percentage from 0 to 100, e.g. 1% (got {max_errors})"),
        ));
    }
    let reference = o.reference.clone().or_else(|| raw.reference.clone());
    if let Some(name) = reference.as_ref().filter(|n| !names.contains(&n.as_str())) {
        return Err(source(o.reference.is_some()).invalid(
            "--reference",
            "reference",
            format!(
                "names unknown variant '{name}': use one of {}",
                names.join(", ")
            ),
        ));
    }
    Ok(Sampling {
        cold_build_runs,
        warmup,
        noise: noise / 100.0,
        precision: precision.map(|p| p / 100.0),
        max_runs,
        reference,
        seed: o.seed.or(raw.seed),
        max_request_errors: max_errors / 100.0,
    })
}
