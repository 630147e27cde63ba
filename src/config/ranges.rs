//! The range of every numeric setting, written once: the file's values are checked against
//! it when the config is validated, the flags' values when they are parsed, and a value
//! the TOML reader cannot even give the key's type (`runs = -1`, `port = 70000`,
//! `runs = 1e300`) gets the same message instead of the reader's "expected u32".

use std::ops::Range as Span;

/// A numeric setting and the values it takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Range {
    /// Key in the config file (in `[scoring]` for the weights).
    pub(crate) key: &'static str,
    /// The table the key sits in (`""` for the top level and `[[variant]]`).
    table: &'static str,
    min: f64,
    max: f64,
    /// Whole numbers only.
    whole: bool,
    /// `min` itself is not allowed (a timeout of 0 s).
    above_min: bool,
}

const fn whole(key: &'static str, min: f64, max: f64) -> Range {
    Range {
        key,
        table: "",
        min,
        max,
        whole: true,
        above_min: false,
    }
}

/// `port` (and `--port`): the port the app listens on inside the container.
pub(crate) const PORT: Range = whole("port", 1.0, 65535.0);
/// `runs` (and `--runs`).
pub(crate) const RUNS: Range = whole("runs", 1.0, 1000.0);
/// `build_runs` (and `--build-runs`).
pub(crate) const BUILD_RUNS: Range = whole("build_runs", 1.0, 100.0);
/// `latency_requests`.
pub(crate) const LATENCY_REQUESTS: Range = whole("latency_requests", 1.0, 1_000_000.0);
/// `load_concurrency`.
pub(crate) const LOAD_CONCURRENCY: Range = whole("load_concurrency", 1.0, 1024.0);
/// `load_duration_ms`: up to an hour; 0 skips the load test.
pub(crate) const LOAD_DURATION_MS: Range = whole("load_duration_ms", 0.0, 3_600_000.0);
/// `health_timeout_s` (and `--health-timeout`): more than 0, up to a day.
pub(crate) const HEALTH_TIMEOUT_S: Range = Range {
    key: "health_timeout_s",
    table: "",
    min: 0.0,
    max: 86_400.0,
    whole: false,
    above_min: true,
};
/// `build_stall_timeout_s` (and `--build-stall-timeout`): more than 0, up to a day.
pub(crate) const BUILD_STALL_TIMEOUT_S: Range = Range {
    key: "build_stall_timeout_s",
    table: "",
    min: 0.0,
    max: 86_400.0,
    whole: false,
    above_min: true,
};
/// A `[scoring]` weight (any of the five keys).
pub(crate) const WEIGHT: Range = Range {
    key: "weight",
    table: "scoring",
    min: 0.0,
    max: crate::matrix::weights::MAX_WEIGHT,
    whole: false,
    above_min: false,
};

/// Every numeric key of the top level and `[[variant]]` tables.
const TOP_LEVEL: [Range; 8] = [
    PORT,
    RUNS,
    BUILD_RUNS,
    LATENCY_REQUESTS,
    LOAD_CONCURRENCY,
    LOAD_DURATION_MS,
    HEALTH_TIMEOUT_S,
    BUILD_STALL_TIMEOUT_S,
];

/// A number for a message: `1e300` rather than its 301 digits.
pub(crate) fn shown(value: f64) -> String {
    if value.is_finite() && value.abs() >= 1e9 {
        format!("{value:e}")
    } else {
        format!("{value}")
    }
}

impl Range {
    /// What the key takes: `must be a whole number from 1 to 1000`.
    pub(crate) fn expected(&self) -> String {
        let (min, max) = (shown(self.min), shown(self.max));
        match (self.whole, self.above_min) {
            (true, _) => format!("must be a whole number from {min} to {max}"),
            (false, true) => format!("must be a number greater than {min} and at most {max}"),
            (false, false) => format!("must be a number from {min} to {max}"),
        }
    }

    /// Is `value` in the range (finite, whole when it must be)?
    pub(crate) fn contains(&self, value: f64) -> bool {
        let low = if self.above_min {
            value > self.min
        } else {
            value >= self.min
        };
        value.is_finite() && low && value <= self.max && (!self.whole || value.fract() == 0.0)
    }

    /// `Ok` when `value` is in the range, else what is expected and what was given.
    pub(crate) fn check(&self, value: f64) -> Result<(), String> {
        if self.contains(value) {
            Ok(())
        } else {
            Err(format!("{} (got {})", self.expected(), shown(value)))
        }
    }

    /// Parse a flag's value: any number is read first, so `-1`, `nan` and `1e300` get
    /// the range in the message rather than "invalid digit".
    pub(crate) fn parse_flag<T: std::str::FromStr>(&self, text: &str) -> Result<T, String> {
        let got = || format!("{} (got '{}')", self.expected(), text.trim());
        let number: f64 = text.trim().parse().map_err(|_| got())?;
        if !self.contains(number) {
            return Err(got());
        }
        let text = text.trim();
        let integral = text.strip_suffix(".0").unwrap_or(text);
        integral
            .parse()
            .or_else(|_| text.parse())
            .map_err(|_| got())
    }
}

/// The numeric key `key` of table `table` (`""`, `variant` or `scoring`), if it is one.
fn find(table: &str, key: &str) -> Option<Range> {
    match table {
        "" | "variant" => TOP_LEVEL
            .iter()
            .find(|r| r.key == key && (table.is_empty() || r.key == "port"))
            .copied(),
        "scoring" => ["compatibility", "security", "debugging", "size", "speed"]
            .contains(&key)
            .then_some(WEIGHT),
        _ => None,
    }
}

/// For a TOML error at `span` of `text`: the key as errors name it (`runs`,
/// `variant[1].port`, `scoring.size`) and the message for it, when the value belongs to a
/// numeric key.
pub(crate) fn type_error(text: &str, span: Span<usize>) -> Option<(String, String)> {
    let before = text.get(..span.start)?;
    let value = text.get(span)?.trim();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let key = before[line_start..].split('=').next()?.trim();
    let key = key.rsplit('.').next()?.trim().trim_matches('"');
    let (table, variants) = table_at(&before[..line_start]);
    let range = find(&table, key)?;
    let line = before.matches('\n').count() + 1;
    let name = match table.as_str() {
        "" => key.to_string(),
        "variant" => format!("variant[{}].{key}", variants.saturating_sub(1)),
        other => format!("{other}.{key}"),
    };
    let message = format!("{} (got {value} on line {line})", range.expected());
    Some((name, message))
}

/// The table the last header of `text` opens, and how many `[[variant]]` headers it has.
fn table_at(text: &str) -> (String, usize) {
    let mut table = String::new();
    let mut variants = 0;
    for line in text.lines().map(str::trim) {
        let Some(header) = line.strip_prefix('[') else {
            continue;
        };
        let name = header.trim_start_matches('[');
        let name = name.split(']').next().unwrap_or_default().trim();
        if name == "variant" {
            variants += 1;
        }
        table = name.to_string();
    }
    (table, variants)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_hold_their_bounds_and_nothing_else() {
        assert!(RUNS.contains(1.0) && RUNS.contains(1000.0));
        for bad in [0.0, -1.0, 1000.5, 1001.0, f64::NAN, f64::INFINITY, 1e300] {
            assert!(!RUNS.contains(bad), "{bad}");
        }
        assert!(HEALTH_TIMEOUT_S.contains(0.5) && !HEALTH_TIMEOUT_S.contains(0.0));
        assert!(WEIGHT.contains(0.0) && WEIGHT.contains(2.5) && !WEIGHT.contains(-0.1));
        assert_eq!(
            HEALTH_TIMEOUT_S.check(1e300),
            Err("must be a number greater than 0 and at most 86400 (got 1e300)".into())
        );
    }

    #[test]
    fn flags_are_read_as_numbers_first() {
        assert_eq!(PORT.parse_flag::<u16>("8080"), Ok(8080));
        assert_eq!(HEALTH_TIMEOUT_S.parse_flag::<f64>("2.5"), Ok(2.5));
        let err = RUNS.parse_flag::<u32>("-1").expect_err("negative");
        assert_eq!(err, "must be a whole number from 1 to 1000 (got '-1')");
        assert!(PORT.parse_flag::<u16>("70000").is_err());
        assert!(RUNS.parse_flag::<u32>("many").is_err());
    }

    #[test]
    fn a_type_error_is_traced_back_to_its_key() {
        let text = "port = 5000\nruns = -1\n[[variant]]\nname = \"a\"\n[[variant]]\nport = 70000\n[scoring]\nsize = nan\n";
        let at = |needle: &str| {
            let start = text.find(needle).expect("in text");
            start..start + needle.len()
        };
        let (key, message) = type_error(text, at("-1")).expect("runs");
        assert_eq!(key, "runs");
        assert_eq!(
            message,
            "must be a whole number from 1 to 1000 (got -1 on line 2)"
        );
        assert_eq!(
            type_error(text, at("70000")).expect("port").0,
            "variant[1].port"
        );
        assert_eq!(type_error(text, at("nan")).expect("size").0, "scoring.size");
        assert_eq!(type_error(text, at("\"a\"")), None, "not a numeric key");
    }
}
