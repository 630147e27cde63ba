//! Gates as rules (after dive's CI rules): each limit of a variant is a [`Rule`] with a key,
//! its configuration and an evaluation that says pass, fail, skip (no data to judge) or
//! misconfigured (a limit basebench cannot use), with the measured value and the limit.
//! `basebench check` prints every [`Outcome`], not only the failures.

use std::fmt;

use super::{ByteSize, GateConfig, GateLimits, Limit, noise};
use crate::results::compare::{Figure, Pair};
use crate::results::{RunResults, VariantResult};

/// What evaluating a rule says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// The limit holds.
    Pass,
    /// The limit is crossed (or the variant does not work).
    Fail,
    /// There is nothing to judge: the figure was not measured, or there is no baseline.
    Skip,
    /// The limit cannot be used (e.g. a negative number of milliseconds).
    Misconfigured,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Pass => "pass",
            Status::Fail => "FAIL",
            Status::Skip => "skip",
            Status::Misconfigured => "MISCONFIGURED",
        })
    }
}

/// One gate for one variant.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Rule {
    /// The variant must be in the results and work (always on).
    Works,
    /// Image size at most this.
    MaxSize(Limit<ByteSize>),
    /// Compressed size in the registry at most this.
    MaxCompressed(Limit<ByteSize>),
    /// Bytes a code change ships at most this.
    MaxShipBytes(Limit<ByteSize>),
    /// Startup median at most this many milliseconds.
    MaxStartup(Limit<f64>),
    /// Growth of each [`Figure::REGRESSION`] figure against the baseline at most this
    /// many percent.
    MaxRegression(Limit<f64>),
}

/// A rule's verdict on one variant (a regression rule gives one per figure).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Outcome {
    pub(crate) variant: String,
    /// The rule's key: `works`, `max_size`, `max_compressed`, `max_ship_bytes`,
    /// `max_startup_ms`, `max_regression_pct`.
    pub(crate) rule: &'static str,
    /// The limit as configured, with where it was set: `≤ 200.0 MB (--max-size)`.
    pub(crate) limit: String,
    /// What was measured (`–` when nothing was).
    pub(crate) measured: String,
    /// The verdict.
    pub(crate) status: Status,
    /// Why it failed, was skipped or is misconfigured; empty for a pass.
    pub(crate) note: String,
}

/// The variant's rows in the results and the baseline (`baseline` is `None` when no
/// baseline was given at all).
struct Subject<'a> {
    name: &'a str,
    new: Option<&'a VariantResult>,
    old: Option<&'a VariantResult>,
    baseline: bool,
    /// The run being checked (its seed seeds the bootstrap).
    results: &'a RunResults,
}

impl Rule {
    /// The rule's key, as `[gates]` spells it.
    pub(crate) fn key(&self) -> &'static str {
        match self {
            Rule::Works => "works",
            Rule::MaxSize(_) => "max_size",
            Rule::MaxCompressed(_) => "max_compressed",
            Rule::MaxShipBytes(_) => "max_ship_bytes",
            Rule::MaxStartup(_) => "max_startup_ms",
            Rule::MaxRegression(_) => "max_regression_pct",
        }
    }

    /// The limit as configured, with where it was set.
    pub(crate) fn configuration(&self) -> String {
        match self {
            Rule::Works => "must work".to_string(),
            Rule::MaxSize(l) | Rule::MaxCompressed(l) | Rule::MaxShipBytes(l) => {
                format!("≤ {} ({})", l.value, l.from)
            }
            Rule::MaxStartup(l) => format!("≤ {} ms ({})", l.value, l.from),
            Rule::MaxRegression(l) => format!("≤ +{}% ({})", l.value, l.from),
        }
    }

    fn evaluate(&self, s: &Subject<'_>) -> Vec<(Status, String, String)> {
        let Some(new) = s.new else {
            let note = "missing from the results (present in the baseline)".to_string();
            return vec![(Status::Fail, "absent".into(), note)];
        };
        match self {
            Rule::Works => vec![works(new)],
            Rule::MaxSize(limit) => vec![at_most(
                new.image.as_ref().map(|i| i.size_bytes),
                limit,
                "no image size (the variant did not build)",
            )],
            Rule::MaxCompressed(limit) => vec![at_most(
                new.image.as_ref().and_then(|i| i.compressed_bytes),
                limit,
                "no compressed size (measured only with --registry)",
            )],
            Rule::MaxShipBytes(limit) => vec![at_most(
                new.code_change_ship_bytes,
                limit,
                "no code change was pushed (measured with --registry when a file to change is found)",
            )],
            Rule::MaxStartup(limit) => vec![max_startup(new, limit)],
            Rule::MaxRegression(limit) => regression(s, limit),
        }
    }
}

fn no_data(why: impl Into<String>) -> (Status, String, String) {
    (Status::Skip, "–".into(), why.into())
}

fn works(v: &VariantResult) -> (Status, String, String) {
    if v.works {
        return (Status::Pass, "works".into(), String::new());
    }
    let why = v.failure.as_deref().unwrap_or("no failure recorded");
    let why = why.split_whitespace().collect::<Vec<_>>().join(" ");
    (Status::Fail, "does not work".into(), why)
}

/// A byte count against its limit; `missing` says why there is none to judge.
fn at_most(
    measured: Option<u64>,
    limit: &Limit<ByteSize>,
    missing: &str,
) -> (Status, String, String) {
    let Some(bytes) = measured else {
        return no_data(missing);
    };
    let shown = ByteSize(bytes).to_string();
    if bytes > limit.value.0 {
        let note = format!("{bytes} bytes > {} bytes", limit.value.0);
        (Status::Fail, shown, note)
    } else {
        (Status::Pass, shown, String::new())
    }
}

/// A figure's change against the limit: an exact figure (size) by its percent, a timing
/// by the interval of new ÷ old when both runs kept raw samples (it fails only when the
/// whole interval lies above the limit), else by its medians, saying so.
fn judge(
    label: &str,
    pct: f64,
    values: String,
    evidence: Option<noise::Evidence>,
    limit: f64,
) -> (Status, String, String) {
    let bound = 1.0 + limit / 100.0;
    match evidence {
        None | Some(noise::Evidence::MediansOnly(_)) => {
            let why = match evidence {
                Some(noise::Evidence::MediansOnly(why)) => why,
                _ => "",
            };
            let measured = format!("{label} {pct:+.1}% ({values})");
            if pct > limit {
                let why = if why.is_empty() {
                    String::new()
                } else {
                    format!(" ({why})")
                };
                let note = format!("{label} grew {pct:.1}%, more than {limit}%{why}");
                (Status::Fail, measured, note)
            } else {
                (Status::Pass, measured, why.to_string())
            }
        }
        Some(noise::Evidence::Interval(ci)) => {
            let range = noise::percent_interval(ci);
            let measured = format!("{label} {pct:+.1}% ({values}; 95% CI {range})");
            if ci[0] > bound {
                let note =
                    format!("{label} grew {pct:.1}% (95% CI {range}), wholly more than {limit}%");
                (Status::Fail, measured, note)
            } else if ci[1] < 1.0 {
                (Status::Pass, measured, format!("faster: 95% CI {range}"))
            } else {
                let note = format!("within noise: 95% CI {range} reaches {limit}% or less");
                (Status::Pass, measured, note)
            }
        }
    }
}

/// A limit in ms or % must be a number >= 0.
fn unusable(limit: &Limit<f64>) -> Option<(Status, String, String)> {
    (!(limit.value.is_finite() && limit.value >= 0.0)).then(|| {
        let note = format!(
            "`{}` must be a number >= 0 (got {})",
            limit.from, limit.value
        );
        (Status::Misconfigured, "–".into(), note)
    })
}

fn max_startup(v: &VariantResult, limit: &Limit<f64>) -> (Status, String, String) {
    if let Some(bad) = unusable(limit) {
        return bad;
    }
    let Some(startup) = v.startup_ms.as_ref() else {
        return no_data("no startup measured (the variant did not start)");
    };
    let measured = format!("{:.0} ms", startup.median);
    if startup.median > limit.value {
        let note = format!(
            "median {:.0} ms over the limit",
            startup.median - limit.value
        );
        (Status::Fail, measured, note)
    } else {
        (Status::Pass, measured, String::new())
    }
}

fn regression(s: &Subject<'_>, limit: &Limit<f64>) -> Vec<(Status, String, String)> {
    if let Some(bad) = unusable(limit) {
        return vec![bad];
    }
    if !s.baseline {
        return vec![no_data(
            "no baseline to compare against (pass --baseline OLD.json)",
        )];
    }
    if s.old.is_none() {
        return vec![no_data("not in the baseline")];
    }
    let pair = Pair::new(s.name, s.old, s.new);
    let row = |figure: Figure| {
        let change = pair.change(figure);
        let label = figure.label();
        match (change.old, change.new, change.percent()) {
            (None, _, _) => no_data(format!("no {label} in the baseline")),
            (_, None, _) => no_data(format!("no {label} measured")),
            (Some(_), Some(_), None) => no_data(format!("the baseline's {label} is 0")),
            (Some(o), Some(n), Some(pct)) => {
                let values = format!("{} → {}", figure.show(o), figure.show(n));
                let sides = s.old.zip(s.new);
                let evidence =
                    sides.and_then(|sides| noise::evidence(s.name, figure, sides, s.results));
                judge(label, pct, values, evidence, limit.value)
            }
        }
    };
    Figure::REGRESSION.iter().map(|f| row(*f)).collect()
}

/// The rules of one variant: `works`, then each limit that is set.
pub(crate) fn rules_for(name: &str, gates: &GateConfig, flags: &GateLimits) -> Vec<Rule> {
    let limits = gates.limits(name, flags);
    let mut rules = vec![Rule::Works];
    rules.extend(limits.max_size.map(Rule::MaxSize));
    rules.extend(limits.max_compressed.map(Rule::MaxCompressed));
    rules.extend(limits.max_ship_bytes.map(Rule::MaxShipBytes));
    rules.extend(limits.max_startup_ms.map(Rule::MaxStartup));
    rules.extend(limits.max_regression_pct.map(Rule::MaxRegression));
    rules
}

/// Evaluate every rule of every variant of `results` (or only `only`), in the results'
/// order, then the baseline's variants that are missing from the results (a failure).
pub(crate) fn evaluate(
    results: &RunResults,
    baseline: Option<&RunResults>,
    gates: &GateConfig,
    flags: &GateLimits,
    only: Option<&str>,
) -> Vec<Outcome> {
    let old_rows = baseline.map_or(&[][..], |b| &b.variants[..]);
    let mut out = Vec::new();
    for pair in crate::results::compare::pair_up(old_rows, &results.variants) {
        if only.is_some_and(|o| o != pair.name) {
            continue;
        }
        let subject = Subject {
            name: pair.name,
            new: pair.new,
            old: pair.old,
            baseline: baseline.is_some(),
            results,
        };
        let rules = match subject.new {
            Some(_) => rules_for(pair.name, gates, flags),
            None => vec![Rule::Works],
        };
        for rule in rules {
            for (status, measured, note) in rule.evaluate(&subject) {
                out.push(Outcome {
                    variant: pair.name.to_string(),
                    rule: rule.key(),
                    limit: rule.configuration(),
                    measured,
                    status,
                    note,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
