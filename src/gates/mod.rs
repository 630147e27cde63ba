//! CI gates: limits on size, startup and regression against a baseline, read from
//! `[gates]` in `basebench.toml` or from `basebench check` flags, and the pure check that
//! turns results into one violation per broken limit.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::results::compare::{Figure, Pair};
use crate::results::{RunResults, VariantResult};

/// A byte count written as a number of bytes or a string with a unit: `200MB` (10^6),
/// `1.5GB`, `512MiB` (2^20), `800kB`, `123456`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ByteSize(pub u64);

/// A size string that cannot be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "'{0}' is not a size: write bytes (200000000) or a number with a unit (200MB, 1.5GB, 512MiB)"
)]
pub struct ByteSizeError(pub String);

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
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Bytes(n) => Ok(ByteSize(n)),
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
        write!(f, "{}", crate::matrix::format::bytes(self.0))
    }
}

/// Limits that apply to one variant (or to all, at the top of `[gates]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GateLimits {
    /// Largest allowed image size.
    pub max_size: Option<ByteSize>,
    /// Largest allowed startup median, in milliseconds.
    pub max_startup_ms: Option<f64>,
    /// Largest allowed growth against the baseline, in percent, of size, cold build median
    /// and startup median.
    pub max_regression_pct: Option<f64>,
}

/// The `[gates]` table: limits for every variant, and `[gates.variant.NAME]` overrides.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GateConfig {
    /// Largest allowed image size for every variant.
    pub max_size: Option<ByteSize>,
    /// Largest allowed startup median (ms) for every variant.
    pub max_startup_ms: Option<f64>,
    /// Largest allowed regression against the baseline (%) for every variant.
    pub max_regression_pct: Option<f64>,
    /// Per-variant limits; a key set here wins over the top-level one.
    pub variant: BTreeMap<String, GateLimits>,
}

impl GateConfig {
    /// Limits for one variant: `overrides` (command-line flags) first, then
    /// `[gates.variant.NAME]`, then the top-level `[gates]` keys.
    pub fn limits_for(&self, name: &str, overrides: &GateLimits) -> GateLimits {
        let own = self.variant.get(name).cloned().unwrap_or_default();
        GateLimits {
            max_size: overrides.max_size.or(own.max_size).or(self.max_size),
            max_startup_ms: overrides
                .max_startup_ms
                .or(own.max_startup_ms)
                .or(self.max_startup_ms),
            max_regression_pct: overrides
                .max_regression_pct
                .or(own.max_regression_pct)
                .or(self.max_regression_pct),
        }
    }
}

/// One broken limit.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// Variant it concerns.
    pub variant: String,
    /// What was measured against which limit.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.variant, self.message)
    }
}

/// Check every variant (or only `only`) of `results` against its limits and, with a
/// baseline, against regression. A variant that does not work is always a violation.
pub fn evaluate(
    results: &RunResults,
    baseline: Option<&RunResults>,
    gates: &GateConfig,
    overrides: &GateLimits,
    only: Option<&str>,
) -> Vec<Violation> {
    let mut out = Vec::new();
    let wanted = |name: &str| only.is_none_or(|o| o == name);
    for v in results.variants.iter().filter(|v| wanted(&v.name)) {
        let limits = gates.limits_for(&v.name, overrides);
        let mut push = |message: String| {
            out.push(Violation {
                variant: v.name.clone(),
                message,
            })
        };
        if !v.works {
            push(format!(
                "does not work: {}",
                v.failure.as_deref().unwrap_or("no failure recorded")
            ));
        }
        absolute(v, &limits).into_iter().for_each(&mut push);
        let old = baseline.and_then(|b| b.variants.iter().find(|o| o.name == v.name));
        if let (Some(old), Some(pct)) = (old, limits.max_regression_pct) {
            regression(old, v, pct).into_iter().for_each(&mut push);
        }
    }
    for old in baseline.iter().flat_map(|b| b.variants.iter()) {
        if wanted(&old.name) && !results.variants.iter().any(|v| v.name == old.name) {
            out.push(Violation {
                variant: old.name.clone(),
                message: "missing from the results (present in the baseline)".into(),
            });
        }
    }
    out
}

fn absolute(v: &VariantResult, limits: &GateLimits) -> Vec<String> {
    let mut out = Vec::new();
    if let (Some(max), Some(image)) = (limits.max_size, v.image.as_ref())
        && image.size_bytes > max.0
    {
        out.push(format!(
            "size {} ({} bytes) exceeds max_size {} ({} bytes)",
            ByteSize(image.size_bytes),
            image.size_bytes,
            max,
            max.0
        ));
    }
    if let (Some(max), Some(t)) = (limits.max_startup_ms, v.startup_ms.as_ref())
        && t.median > max
    {
        out.push(format!(
            "startup median {:.0} ms exceeds max_startup_ms {max:.0} ms",
            t.median
        ));
    }
    out
}

/// Each regression figure that grew more than `max_pct` percent from `old` to `new`.
fn regression(old: &VariantResult, new: &VariantResult, max_pct: f64) -> Vec<String> {
    let pair = Pair::new(&new.name, Some(old), Some(new));
    pair.changes(&Figure::REGRESSION)
        .into_iter()
        .filter_map(|c| Some((c, c.old?, c.new?, c.percent()?)))
        .filter(|(_, _, _, pct)| *pct > max_pct)
        .map(|(c, o, n, pct)| {
            let f = c.figure;
            format!(
                "{} grew {pct:.1}% ({} → {}), above max_regression_pct {max_pct}%",
                f.label(),
                f.show(o),
                f.show(n)
            )
        })
        .collect()
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
        assert_eq!(
            g.limits_for("slim", &flags).max_size,
            Some(ByteSize(200_000_000))
        );
        assert_eq!(
            g.limits_for("bloated", &flags).max_size,
            Some(ByteSize(1_500_000_000))
        );
        assert_eq!(g.limits_for("bloated", &flags).max_startup_ms, Some(2000.0));
        assert!(toml::from_str::<GateConfig>("max_sise = 1").is_err());
    }

    #[test]
    fn flags_win_over_per_variant_limits() {
        let g: GateConfig = toml::from_str("[variant.a]\nmax_startup_ms = 10\n").expect("parse");
        let flags = GateLimits {
            max_startup_ms: Some(99.0),
            ..GateLimits::default()
        };
        assert_eq!(g.limits_for("a", &flags).max_startup_ms, Some(99.0));
    }
}
