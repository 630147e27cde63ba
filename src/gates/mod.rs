//! CI gates: limits on size, startup and regression against a baseline, read from
//! `[gates]` in `basebench.toml` or from `basebench check` flags. [`rules`] turns them into
//! one rule per limit and evaluates each against the results (pass / fail / skip /
//! misconfigured); a timing's regression counts only when it is more than noise
//! ([`noise`]).

mod noise;
pub(crate) mod rules;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A byte count written as a number of bytes or a string with a unit: `200MB` (10^6),
/// `1.5GB`, `512MiB` (2^20), `800kB`, `123456`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ByteSize(pub(crate) u64);

/// A size string that cannot be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "'{0}' is not a size: write bytes (200000000) or a number with a unit (200MB, 1.5GB, 512MiB)"
)]
pub struct ByteSizeError(pub(crate) String);

impl FromStr for ByteSize {
    type Err = ByteSizeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let split = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(t.len());
        let (number, unit) = t.split_at(split);
        let value: f64 = number.parse().map_err(|_| ByteSizeError(s.to_string()))?;
        let factor = match unit.trim().to_ascii_lowercase().as_str() {
            "" | "b" => 1.0,
            "k" | "kb" => 1e3,
            "m" | "mb" => 1e6,
            "g" | "gb" => 1e9,
            "kib" => 1024.0,
            "mib" => 1024.0 * 1024.0,
            "gib" => 1024.0 * 1024.0 * 1024.0,
            _ => return Err(ByteSizeError(s.to_string())),
        };
        Ok(ByteSize((value * factor).round() as u64))
    }
}

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Bytes(u64),
            Number(f64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Bytes(n) => Ok(ByteSize(n)),
            Raw::Number(n) => Err(serde::de::Error::custom(format!(
                "{n} is not a size: write a byte count (a whole number >= 0, e.g. 200000000) \
                 or a number with a unit (\"200MB\", \"1.5GB\", \"512MiB\")"
            ))),
            Raw::Text(s) => s.parse().map_err(serde::de::Error::custom),
        }
    }
}

impl Serialize for ByteSize {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.0)
    }
}

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", crate::format::bytes(self.0))
    }
}

/// Limits that apply to one variant (or to all, at the top of `[gates]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct GateLimits {
    /// Largest allowed image size.
    pub(crate) max_size: Option<ByteSize>,
    /// Largest allowed compressed size in the registry (`--registry` runs).
    pub(crate) max_compressed: Option<ByteSize>,
    /// Largest allowed bytes a code change ships (`--registry` runs).
    pub(crate) max_ship_bytes: Option<ByteSize>,
    /// Largest allowed startup median, in milliseconds.
    pub(crate) max_startup_ms: Option<f64>,
    /// Largest allowed growth against the baseline, in percent, of size, cold build median
    /// and startup median.
    pub(crate) max_regression_pct: Option<f64>,
}

/// The `[gates]` table: limits for every variant, and `[gates.variant.NAME]` overrides.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct GateConfig {
    /// Largest allowed image size for every variant.
    pub(crate) max_size: Option<ByteSize>,
    /// Largest allowed compressed size in the registry for every variant.
    pub(crate) max_compressed: Option<ByteSize>,
    /// Largest allowed bytes a code change ships for every variant.
    pub(crate) max_ship_bytes: Option<ByteSize>,
    /// Largest allowed startup median (ms) for every variant.
    pub(crate) max_startup_ms: Option<f64>,
    /// Largest allowed regression against the baseline (%) for every variant.
    pub(crate) max_regression_pct: Option<f64>,
    /// Per-variant limits; a key set here wins over the top-level one.
    pub(crate) variant: BTreeMap<String, GateLimits>,
}

/// A limit and where it was set: a flag (`--max-size`) or a key of the config
/// (`gates.max_size`, `gates.variant.slim.max_size`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Limit<T> {
    /// The limit.
    pub(crate) value: T,
    /// Where it was set, as the user would write it.
    pub(crate) from: String,
}

/// The limits that apply to one variant, each with where it was set.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Limits {
    /// Largest allowed image size.
    pub(crate) max_size: Option<Limit<ByteSize>>,
    /// Largest allowed compressed size in the registry.
    pub(crate) max_compressed: Option<Limit<ByteSize>>,
    /// Largest allowed bytes a code change ships.
    pub(crate) max_ship_bytes: Option<Limit<ByteSize>>,
    /// Largest allowed startup median, in milliseconds.
    pub(crate) max_startup_ms: Option<Limit<f64>>,
    /// Largest allowed growth against the baseline, in percent.
    pub(crate) max_regression_pct: Option<Limit<f64>>,
}

/// The first of (flag, per-variant key, top-level key) that is set, with its source.
fn first<T: Copy>(
    name: &str,
    key: &str,
    flag: (&str, Option<T>),
    own: Option<T>,
    top: Option<T>,
) -> Option<Limit<T>> {
    let limit = |value, from: String| Some(Limit { value, from });
    match (flag.1, own, top) {
        (Some(v), _, _) => limit(v, flag.0.to_string()),
        (None, Some(v), _) => limit(v, format!("gates.variant.{name}.{key}")),
        (None, None, Some(v)) => limit(v, format!("gates.{key}")),
        (None, None, None) => None,
    }
}

impl GateConfig {
    /// Limits for one variant: `flags` (`basebench check` flags) first, then
    /// `[gates.variant.NAME]`, then the top-level `[gates]` keys.
    pub(crate) fn limits(&self, name: &str, flags: &GateLimits) -> Limits {
        let own = self.variant.get(name).cloned().unwrap_or_default();
        Limits {
            max_size: first(
                name,
                "max_size",
                ("--max-size", flags.max_size),
                own.max_size,
                self.max_size,
            ),
            max_compressed: first(
                name,
                "max_compressed",
                ("--max-compressed", flags.max_compressed),
                own.max_compressed,
                self.max_compressed,
            ),
            max_ship_bytes: first(
                name,
                "max_ship_bytes",
                ("--max-ship-bytes", flags.max_ship_bytes),
                own.max_ship_bytes,
                self.max_ship_bytes,
            ),
            max_startup_ms: first(
                name,
                "max_startup_ms",
                ("--max-startup", flags.max_startup_ms),
                own.max_startup_ms,
                self.max_startup_ms,
            ),
            max_regression_pct: first(
                name,
                "max_regression_pct",
                ("--max-regression", flags.max_regression_pct),
                own.max_regression_pct,
                self.max_regression_pct,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_bytes_and_units() {
        assert_eq!("200MB".parse(), Ok(ByteSize(200_000_000)));
        assert_eq!("1.5 GB".parse(), Ok(ByteSize(1_500_000_000)));
        assert_eq!("512MiB".parse(), Ok(ByteSize(512 * 1024 * 1024)));
        assert_eq!("123".parse(), Ok(ByteSize(123)));
        assert!("12 parsecs".parse::<ByteSize>().is_err());
    }

    #[test]
    fn gate_table_accepts_numbers_strings_and_per_variant_overrides() {
        let g: GateConfig = toml::from_str(
            "max_size = \"200MB\"\nmax_startup_ms = 2000\n[variant.bloated]\nmax_size = 1500000000\n",
        )
        .expect("parse");
        let flags = GateLimits::default();
        let slim = g.limits("slim", &flags).max_size.expect("top-level size");
        assert_eq!(
            (slim.value, slim.from.as_str()),
            (ByteSize(200_000_000), "gates.max_size")
        );
        let bloated = g.limits("bloated", &flags);
        let size = bloated.max_size.expect("per-variant size");
        assert_eq!(
            (size.value, size.from.as_str()),
            (ByteSize(1_500_000_000), "gates.variant.bloated.max_size")
        );
        let startup = bloated.max_startup_ms.expect("top-level startup");
        assert_eq!(startup.value, 2000.0);
        assert_eq!(bloated.max_regression_pct, None);
        assert!(toml::from_str::<GateConfig>("max_sise = 1").is_err());
    }

    #[test]
    fn flags_win_over_per_variant_limits() {
        let g: GateConfig = toml::from_str("[variant.a]\nmax_startup_ms = 10\n").expect("parse");
        let flags = GateLimits {
            max_startup_ms: Some(99.0),
            ..GateLimits::default()
        };
        let startup = g.limits("a", &flags).max_startup_ms.expect("flag");
        assert_eq!(
            (startup.value, startup.from.as_str()),
            (99.0, "--max-startup")
        );
    }
}
