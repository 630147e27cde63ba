//! Human formatting of sizes, durations, ratios, ratings and lists: the one home for it,
//! so the terminal table, Markdown, HTML, `inspect`, `compare`, `trend` and the matrix's
//! reason text print the same figure the same way (hyperfine's `output/format.rs`).
//!
//! It sits beside `matrix` and `export` rather than inside either: the matrix writes sizes
//! into its reason text and the exporters render the matrix, so a home in one of them
//! would make the two import each other.

use crate::anatomy::{Bytecode, ModuleCount, PythonBytecode};
use crate::stats::Timing;

/// Bytes in decimal units as `docker images` prints them: `1.09 GB`, `52.3 MB`, `812 kB`.
pub(crate) fn bytes(n: u64) -> String {
    let v = n as f64;
    if v >= 1e9 {
        format!("{:.2} GB", v / 1e9)
    } else if v >= 1e6 {
        format!("{:.1} MB", v / 1e6)
    } else if v >= 1e3 {
        format!("{:.0} kB", v / 1e3)
    } else {
        format!("{n} B")
    }
}

/// Seconds with a precision that suits the magnitude: `41.2 s`, `0.84 s`.
pub(crate) fn seconds(s: f64) -> String {
    if s >= 10.0 {
        format!("{s:.1} s")
    } else {
        format!("{s:.2} s")
    }
}

/// Milliseconds with a precision that suits the magnitude: `1234 ms`, `12.3 ms`, `0.84 ms`.
pub(crate) fn millis(ms: f64) -> String {
    if ms >= 100.0 {
        format!("{ms:.0} ms")
    } else if ms >= 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.2} ms")
    }
}

/// A pull estimated at a link speed: `3.4 s at 100 Mbit/s`.
pub(crate) fn pull_estimate(bandwidth_bps: u64, s: f64) -> String {
    format!(
        "{} at {}",
        seconds(s),
        crate::registry::bandwidth::Bandwidth(bandwidth_bps)
    )
}

/// A ratio to the reference variant: `8.0×`.
pub(crate) fn ratio(r: f64) -> String {
    if r >= 10.0 {
        format!("{r:.0}×")
    } else {
        format!("{r:.1}×")
    }
}

/// A factor between two timings with two decimals: `1.59×`.
pub(crate) fn times(r: f64) -> String {
    format!("{r:.2}×")
}

/// An interval of figures in one unit, the unit written once: `326–352 ms`.
pub(crate) fn interval([lo, hi]: [f64; 2], unit: fn(f64) -> String) -> String {
    format!("{}–{}", number(&unit(lo)), unit(hi))
}

/// A timing as `median [95 % interval]` (the unit written once, after the median) when
/// it has one, `median (1 run)` for a single sample, else `median ±half-range` (files
/// without intervals).
pub(crate) fn timing_ci(t: &Timing, unit: fn(f64) -> String) -> String {
    match t.ci95 {
        _ if t.is_single_run() => format!("{} (1 run)", unit(t.median)),
        Some([lo, hi]) => format!(
            "{} [{}–{}]",
            unit(t.median),
            number(&unit(lo)),
            number(&unit(hi))
        ),
        None => timing_pm(t, unit),
    }
}

/// A timing's spread as `[min–max unit]` (the unit written once), or `(1 run)` for a
/// single sample.
pub(crate) fn spread(t: &Timing, unit: fn(f64) -> String) -> String {
    if t.is_single_run() {
        "(1 run)".to_string()
    } else {
        format!("[{}–{}]", number(&unit(t.min)), unit(t.max))
    }
}

/// The number of a formatted figure, without its unit (`1.50 s` → `1.50`).
pub(crate) fn number(figure: &str) -> String {
    figure
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

/// A timing as `median ±half-range` (unit written once), or `median (1 run)` for a
/// single sample.
pub(crate) fn timing_pm(t: &Timing, unit: fn(f64) -> String) -> String {
    if t.is_single_run() {
        format!("{} (1 run)", unit(t.median))
    } else {
        let half = number(&unit((t.max - t.min) / 2.0));
        format!("{} ±{half}", unit(t.median))
    }
}

/// A rating 1–5 as stars (`★★★☆☆`); `?` when not rated.
pub(crate) fn stars(rating: Option<u8>) -> String {
    match rating {
        Some(r) => {
            let r = usize::from(r.clamp(1, 5));
            format!("{}{}", "★".repeat(r), "☆".repeat(5 - r))
        }
        None => "?".to_string(),
    }
}

/// A rating 1–5 as `4/5`; `n/a` when not rated.
pub(crate) fn rating(rating: Option<u8>) -> String {
    rating.map_or_else(|| "n/a".to_string(), |r| format!("{r}/5"))
}

/// A list joined with `, `, or `none`.
pub(crate) fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

/// A count with thousands separated by commas (`1534` → `1,534`).
pub(crate) fn count(n: u32) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The bytecode fact in one line: `stdlib 0 of 1,534 compiled; packages 2,101 of 2,101`
/// (each interpreter's, prefixed with its version when there are several); `no Python`
/// when no interpreter was found.
pub(crate) fn bytecode(b: &Bytecode) -> String {
    let one = |p: &PythonBytecode| {
        let of = |c: &ModuleCount| format!("{} of {}", count(c.compiled), count(c.modules));
        let packages = if p.packages.modules == 0 {
            "no packages".to_string()
        } else {
            format!("packages {}", of(&p.packages))
        };
        format!("stdlib {} compiled; {packages}", of(&p.stdlib))
    };
    match b.interpreters.as_slice() {
        [] => "no Python".to_string(),
        [p] => one(p),
        many => many
            .iter()
            .map(|p| format!("{} {}", p.version, one(p)))
            .collect::<Vec<_>>()
            .join(" · "),
    }
}

/// Whether the modules without a usable cache get one at run time: `no Python`, `none missing`,
/// `written at first start`, or `not writable: …` naming why.
pub(crate) fn bytecode_cache(b: &Bytecode) -> String {
    let all = b.interpreters.iter().flat_map(|p| [p.stdlib, p.packages]);
    let (missing, unwritable) = all.fold((0, 0), |(m, u), c| {
        (m + c.modules - c.compiled, u + c.unwritable)
    });
    if b.interpreters.is_empty() {
        "no Python".to_string()
    } else if missing == 0 {
        "none missing".to_string()
    } else if b.dont_write_bytecode {
        "not written: PYTHONDONTWRITEBYTECODE is set".to_string()
    } else if unwritable == 0 {
        "written by the container at first start".to_string()
    } else {
        format!(
            "{} of {} missing not writable by the image's user",
            count(unwritable),
            count(missing)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bytecode_line_counts_with_separators() {
        assert_eq!(
            (count(0), count(999), count(1534)),
            ("0".into(), "999".into(), "1,534".into())
        );
        assert_eq!(count(1_234_567), "1,234,567");
        let stdlib = ModuleCount {
            modules: 1534,
            unwritable: 1534,
            ..ModuleCount::default()
        };
        let packages = ModuleCount {
            modules: 2101,
            compiled: 2101,
            ..ModuleCount::default()
        };
        let py = PythonBytecode {
            version: "3.11".into(),
            stdlib,
            packages,
            ..PythonBytecode::default()
        };
        let mut b = Bytecode {
            interpreters: vec![py.clone()],
            dont_write_bytecode: false,
        };
        assert_eq!(
            bytecode(&b),
            "stdlib 0 of 1,534 compiled; packages 2,101 of 2,101"
        );
        assert_eq!(
            bytecode_cache(&b),
            "1,534 of 1,534 missing not writable by the image's user"
        );
        b.interpreters[0].stdlib.unwritable = 0;
        assert_eq!(
            bytecode_cache(&b),
            "written by the container at first start"
        );
        b.interpreters.push(PythonBytecode {
            version: "3.9".into(),
            ..PythonBytecode::default()
        });
        assert_eq!(
            bytecode(&b),
            "3.11 stdlib 0 of 1,534 compiled; packages 2,101 of 2,101 · 3.9 stdlib 0 of 0 compiled; no packages"
        );
        assert_eq!(bytecode(&Bytecode::default()), "no Python");
    }

    #[test]
    fn bytes_use_decimal_units_like_docker() {
        assert_eq!(bytes(1_090_000_000), "1.09 GB");
        assert_eq!(bytes(52_345_678), "52.3 MB");
        assert_eq!(bytes(812_400), "812 kB");
        assert_eq!(bytes(12), "12 B");
    }

    #[test]
    fn single_run_timings_say_so() {
        let t = Timing::from_samples(&[1500.0]).expect("samples");
        assert_eq!(spread(&t, millis), "(1 run)");
        assert_eq!(timing_pm(&t, millis), "1500 ms (1 run)");
        let t = Timing::from_samples(&[1.0, 2.0, 4.0]).expect("samples");
        assert_eq!(spread(&t, seconds), "[1.00–4.00 s]");
        assert_eq!(timing_pm(&t, seconds), "2.00 s ±1.50");
    }

    #[test]
    fn intervals_write_the_unit_once() {
        assert_eq!(interval([326.4, 352.0], millis), "326–352 ms");
        assert_eq!(times(1.594), "1.59×");
        let mut t = Timing::from_samples(&[1.0, 2.0, 4.0]).expect("samples");
        assert_eq!(timing_ci(&t, seconds), "2.00 s ±1.50");
        t.ci95 = Some([1.0, 4.0]);
        assert_eq!(timing_ci(&t, seconds), "2.00 s [1.00–4.00]");
    }

    #[test]
    fn stars_show_the_rating() {
        assert_eq!(stars(Some(4)), "★★★★☆");
        assert_eq!(stars(None), "?");
    }
}
