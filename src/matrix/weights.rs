//! The weights of the scoring model, read from `[scoring]` in `basebench.toml`.
//!
//! Each weight says how much one rating counts in the overall rating. A team that cares
//! most about security raises `security`; the other ratings keep their meaning. See
//! docs/SCORING.md for the model.

use serde::{Deserialize, Serialize};

/// How much each rating counts in the overall rating (non-negative, any scale; only the
/// proportions matter). A weight of 0 leaves that rating out of the overall.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScoringWeights {
    /// Weight of compatibility (works, smoke commands, libc).
    pub(crate) compatibility: f64,
    /// Weight of security (root, shells, package managers, setuid files, packages, CVEs).
    pub(crate) security: f64,
    /// Weight of debugging comfort (shell, package manager, OS tools).
    pub(crate) debugging: f64,
    /// Weight of image size relative to the smallest working variant.
    pub(crate) size: f64,
    /// Weight of speed (startup and cold build relative to the fastest working variant).
    pub(crate) speed: f64,
}

impl Default for ScoringWeights {
    fn default() -> Self {
        ScoringWeights {
            compatibility: 1.0,
            security: 1.0,
            debugging: 0.5,
            size: 1.0,
            speed: 1.0,
        }
    }
}

/// Largest weight (only the proportions matter; a bound keeps the sums finite).
pub(crate) const MAX_WEIGHT: f64 = 1000.0;

/// A weight for a message: `1e300` rather than its 301 digits.
fn shown(value: f64) -> String {
    if value.is_finite() && value.abs() >= 1e9 {
        format!("{value:e}")
    } else {
        format!("{value}")
    }
}

/// A `[scoring]` table that cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(crate) enum ScoringError {
    /// A weight is negative or not a number.
    #[error(
        "[scoring] {name} = {} is not a usable weight: use a number from 0 to {MAX_WEIGHT}",
        shown(*value)
    )]
    BadWeight {
        /// Key of the weight.
        name: &'static str,
        /// Value given.
        value: f64,
    },
    /// Every weight is zero, so no overall rating can be formed.
    #[error("[scoring] sets every weight to 0: give at least one a positive value")]
    AllZero,
}

impl ScoringWeights {
    /// The weights with their config keys, in the order ratings are shown.
    pub(crate) fn named(&self) -> [(&'static str, f64); 5] {
        [
            ("compatibility", self.compatibility),
            ("security", self.security),
            ("debugging", self.debugging),
            ("size", self.size),
            ("speed", self.speed),
        ]
    }

    /// Check every weight is a number from 0 to [`MAX_WEIGHT`] and at least one is positive.
    pub(crate) fn validate(&self) -> Result<(), ScoringError> {
        for (name, value) in self.named() {
            if !(0.0..=MAX_WEIGHT).contains(&value) {
                return Err(ScoringError::BadWeight { name, value });
            }
        }
        if self.named().iter().all(|(_, v)| *v == 0.0) {
            return Err(ScoringError::AllZero);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_changed_weight_keeps_the_other_defaults() {
        let w: ScoringWeights = toml::from_str("security = 5").expect("parse");
        assert_eq!(w.security, 5.0);
        assert_eq!(w.compatibility, ScoringWeights::default().compatibility);
        assert!(w.validate().is_ok());
    }

    #[test]
    fn unknown_keys_and_bad_weights_are_rejected() {
        assert!(toml::from_str::<ScoringWeights>("securty = 5").is_err());
        let w = ScoringWeights {
            size: -1.0,
            ..ScoringWeights::default()
        };
        assert!(
            w.validate()
                .expect_err("negative weight")
                .to_string()
                .contains("size = -1")
        );
        let zero = ScoringWeights {
            compatibility: 0.0,
            security: 0.0,
            debugging: 0.0,
            size: 0.0,
            speed: 0.0,
        };
        assert_eq!(zero.validate(), Err(ScoringError::AllZero));
    }
}
