//! The matrix's cells, built once for every format (hyperfine's `export/markup.rs`): each
//! cell is a list of plain, unescaped lines with their labels, so a label or a figure
//! cannot drift between the terminal table, Markdown and HTML. A format only picks its
//! joiner (`\n`, `<br>`), escapes each line with its own helper ([`super::escape`]) and,
//! where its header already names the lines (the terminal table), leaves the labels out.

use crate::format::{self, bytes, millis, seconds};
use crate::matrix::{Row, Vulnerabilities};
use crate::stats::{Timing, Verdict};

/// What an empty cell shows.
pub(crate) const NONE: &str = "–";

/// One line of a cell: an optional label and the value, plain text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    /// Names the value (`cold`, `p50`, `wasted:`); `None` when the value says it all.
    pub(crate) label: Option<&'static str>,
    /// The figure or fact.
    pub(crate) value: String,
}

impl Line {
    fn plain(value: impl Into<String>) -> Line {
        Line {
            label: None,
            value: value.into(),
        }
    }

    fn labelled(label: &'static str, value: impl Into<String>) -> Line {
        Line {
            label: Some(label),
            value: value.into(),
        }
    }

    /// `label value`, or the value alone.
    pub(crate) fn text(&self) -> String {
        match self.label {
            Some(label) => format!("{label} {}", self.value),
            None => self.value.clone(),
        }
    }
}

/// How much of the image facts a cell shows: a narrow terminal column and the Markdown
/// table take the brief lines, the HTML page has room for all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Detail {
    /// User, shell, package managers, wasted bytes.
    Brief,
    /// Every fact the anatomy found.
    Full,
}

/// Size: total with the ratio to the reference, base, what the Dockerfile added, and,
/// when pushed to a registry, the compressed size (with the bytes other variants share),
/// the pull's seconds and what a code change ships.
pub(crate) fn size(row: &Row) -> Vec<Line> {
    let Some(size) = row.size.as_ref() else {
        return Vec::new();
    };
    let mut lines = vec![Line::plain(match size.ratio {
        Some(r) => format!("{} ({})", bytes(size.total), format::ratio(r)),
        None => bytes(size.total),
    })];
    lines.extend(size.base.map(|b| Line::labelled("base", bytes(b))));
    lines.extend(
        size.added
            .map(|a| Line::plain(format!("+{} added", bytes(a)))),
    );
    lines.extend(size.compressed.map(|c| {
        let shared = size
            .shared
            .filter(|s| *s > 0)
            .map(|s| format!(" ({} shared)", bytes(s)))
            .unwrap_or_default();
        Line::labelled("compressed", format!("{}{shared}", bytes(c)))
    }));
    lines.extend(size.pull_s.map(|pull| {
        let healthy = size
            .pull_to_healthy_s
            .map(|h| format!(", healthy at {}", seconds(h)))
            .unwrap_or_default();
        let local = match size.pull_layers_present {
            Some((present, total)) if present > 0 => {
                format!(" ({present} of {total} layers local)")
            }
            _ => String::new(),
        };
        let pull = match &size.pull {
            Some(t) => format::timing_ci(t, seconds),
            None => format!("{} (1 run)", seconds(pull)),
        };
        Line::labelled("pull", format!("{pull}{healthy}{local}"))
    }));
    lines.extend(
        size.pull_estimates
            .iter()
            .map(|&(bps, s)| Line::labelled("pull est.", format::pull_estimate(bps, s))),
    );
    lines.extend(size.ship.as_ref().map(|ship| {
        Line::labelled(
            "a change ships",
            format!(
                "{} ({} of {} layers)",
                bytes(ship.bytes),
                ship.layers,
                ship.layers_total
            ),
        )
    }));
    lines
}

/// The variant's description from the config, trimmed; `None` when it has none (every
/// format shows it once per variant under or beside the matrix).
pub(crate) fn description(row: &Row) -> Option<&str> {
    row.description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
}

/// Layer count.
pub(crate) fn layers(row: &Row) -> Option<String> {
    row.layers.map(|n| n.to_string())
}

/// Build: cold (downloads included), cached and after-a-change times (median [95 %
/// interval], or ±half-range in files without intervals), steps re-run. `Brief` leaves
/// the unit out (the narrow terminal column names it in its header).
pub(crate) fn build(row: &Row, detail: Detail) -> Vec<Line> {
    let unit: fn(f64) -> String = match detail {
        Detail::Full => seconds,
        Detail::Brief => |s| format::number(&seconds(s)),
    };
    let time =
        |label, t: Option<&Timing>| t.map(|t| Line::labelled(label, format::timing_ci(t, unit)));
    let mut lines: Vec<Line> = [
        time("cold", row.build_cold.as_ref()),
        time("cached", row.build_cached.as_ref()),
        time("after change", row.build_incremental.as_ref()),
    ]
    .into_iter()
    .flatten()
    .collect();
    if let Some((run, total)) = row.incremental_steps {
        lines.push(Line::labelled("steps re-run", format!("{run}/{total}")));
    }
    lines
}

/// The build context each kind of build sent (bytes, median seconds) and how: `sent`
/// lines under the build cell in Markdown and HTML (the terminal table has no room).
pub(crate) fn context_sent(row: &Row) -> Vec<Line> {
    let Some(c) = row.context_sent.as_ref() else {
        return Vec::new();
    };
    let sent = |s: &crate::results::ContextSent| {
        format!("{} in {}", bytes(s.bytes), seconds(s.seconds.median))
    };
    let mut lines = vec![Line::labelled(
        "sent cold",
        format!("{} ({})", sent(&c.cold), c.transfer),
    )];
    lines.extend(
        c.cached
            .as_ref()
            .map(|s| Line::labelled("sent cached", sent(s))),
    );
    lines.extend(
        c.incremental
            .as_ref()
            .map(|s| Line::labelled("sent after change", sent(s))),
    );
    lines
}

/// Startup to the first HTTP 200: median, its 95 % interval (or the spread, or
/// `(1 run)`), the engine's and the app's parts, the first start, the verdict against
/// the reference, and the round trip to the engine host.
pub(crate) fn startup(row: &Row) -> Vec<Line> {
    let Some(t) = row.startup.as_ref() else {
        return Vec::new();
    };
    let mut lines = vec![Line::plain(millis(t.median))];
    lines.push(match t.ci95 {
        Some(ci) if !t.is_single_run() => Line::labelled("CI", format::interval(ci, millis)),
        _ => Line::plain(format::spread(t, millis)),
    });
    if let (Some(e), Some(a)) = (row.engine_start.as_ref(), row.app_ready.as_ref()) {
        let parts = format!(
            "{} + {}",
            format::number(&millis(e.median)),
            millis(a.median)
        );
        lines.push(Line::labelled("engine + app", parts));
    }
    if let Some(first) = row.first_start.as_ref() {
        lines.push(Line::labelled("first", millis(first.median)));
    }
    lines.extend(verdict(row, "startup_ms"));
    if let Some(rtt) = row.connect_rtt.as_ref() {
        lines.push(Line::labelled("RTT", millis(rtt.median)));
    }
    lines
}

/// A timing's verdict against the reference: `1.59× faster`, `1.20× slower`, `≈ same`
/// (no clear difference; the reason line says it in full), or `reference` for the
/// reference itself.
pub(crate) fn verdict(row: &Row, key: &str) -> Option<Line> {
    if row.is_reference && row.works {
        return Some(Line::labelled("vs ref", "reference"));
    }
    let c = row.vs_reference.get(key)?;
    let value = match c.verdict {
        Verdict::Faster => format!("{} faster", format::times(1.0 / c.ratio)),
        Verdict::Slower => format!("{} slower", format::times(c.ratio)),
        Verdict::NoClearDifference => "≈ same".to_string(),
    };
    Some(Line::labelled("vs ref", value))
}

/// Latency percentiles and throughput under load.
pub(crate) fn latency(row: &Row) -> Vec<Line> {
    let Some(l) = row.latency.as_ref() else {
        return Vec::new();
    };
    let mut lines = vec![
        Line::labelled("p50", millis(l.p50)),
        Line::labelled("p95", millis(l.p95)),
    ];
    lines.extend(l.concurrent_rps.map(|v| Line::plain(format!("{v:.0} rps"))));
    lines
}

/// Memory idle and at the peak under load.
pub(crate) fn memory(row: &Row) -> Vec<Line> {
    row.memory.as_ref().map_or_else(Vec::new, |m| {
        vec![
            Line::labelled("idle", bytes(m.idle)),
            Line::labelled("peak", bytes(m.peak)),
        ]
    })
}

/// The image's security and debugging facts.
pub(crate) fn image(row: &Row, detail: Detail) -> Vec<Line> {
    let f = &row.facts;
    let user = match f.root {
        Some(true) => "root",
        Some(false) => "non-root",
        None => "user unknown",
    };
    let mut lines = vec![Line::plain(user)];
    if !f.analysed {
        lines.push(Line::plain("not analysed"));
        return lines;
    }
    let wasted = f.wasted_bytes.map_or("?".to_string(), bytes);
    if detail == Detail::Brief {
        lines.push(Line::plain(if f.shells.is_empty() {
            "no shell"
        } else {
            "shell"
        }));
        lines.push(Line::plain(if f.package_managers.is_empty() {
            "no pkg mgr".to_string()
        } else {
            f.package_managers.join(", ")
        }));
        lines.push(Line::labelled("wasted:", wasted));
        return lines;
    }
    let count = |n: Option<u32>| n.map_or("?".to_string(), |n| n.to_string());
    let efficiency = f
        .efficiency
        .map_or(String::new(), |e| format!(" ({:.1}% efficient)", e * 100.0));
    lines.extend([
        Line::labelled("shells:", format::list(&f.shells)),
        Line::labelled("pkg:", format::list(&f.package_managers)),
        Line::labelled("setuid:", f.setuid_files.to_string()),
        Line::labelled("libc:", f.libc.as_deref().unwrap_or("unknown")),
        Line::labelled("wasted:", wasted + &efficiency),
        Line::labelled(
            "packages:",
            format!(
                "{} OS, {} Python",
                count(f.os_packages),
                count(f.python_packages)
            ),
        ),
        Line::plain(match &f.vulnerabilities {
            Vulnerabilities::Scanned {
                critical,
                high,
                other,
                ..
            } => format!("CVEs {critical} crit / {high} high / {other} other"),
            _ => "CVEs not scanned".to_string(),
        }),
    ]);
    // Results written before basebench counted bytecode have none.
    if let Some(b) = &f.bytecode {
        lines.push(Line::labelled("bytecode:", format::bytecode(b)));
    }
    lines
}

/// One rating of a row: its name, the letter the terminal table uses, the value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rating {
    /// `compatibility`, `security`, ...
    pub(crate) name: &'static str,
    /// One letter for the narrow table (`C`, `S`, `D`, `Z`, `V`), explained in its legend.
    pub(crate) letter: char,
    /// 1–5, `None` when not measured.
    pub(crate) value: Option<u8>,
}

/// The five ratings, in the order every format shows them.
pub(crate) fn ratings(row: &Row) -> [Rating; 5] {
    let r = &row.ratings;
    let rating = |name, letter, value| Rating {
        name,
        letter,
        value,
    };
    [
        rating("compatibility", 'C', Some(r.compatibility)),
        rating("security", 'S', r.security),
        rating("debugging", 'D', r.debugging),
        rating("size", 'Z', r.size),
        rating("speed", 'V', r.speed),
    ]
}

/// The overall rating as stars and as `4/5`.
pub(crate) fn overall(row: &Row) -> (String, String) {
    let o = row.ratings.overall;
    (format::stars(Some(o)), format::rating(Some(o)))
}

/// A tag beside a variant's name.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tag {
    /// The reference variant, which ratios are to.
    Reference,
    /// Measured on stand-in bases (`requested → stand-in`, for a tooltip).
    StandIn(String),
    /// Some timing comes from one run.
    SingleRun,
    /// It does not work.
    Failed,
    /// Measured on this testbed (a matrix merged from several).
    Testbed(String),
}

impl Tag {
    /// The tag's words, plain text.
    pub(crate) fn label(&self) -> String {
        match self {
            Tag::Reference => "reference".into(),
            Tag::StandIn(_) => "stand-in base".into(),
            Tag::SingleRun => "single run".into(),
            Tag::Failed => "failed".into(),
            Tag::Testbed(name) => format!("on {name}"),
        }
    }
}

/// The tags of a row, in the order every format shows them.
pub(crate) fn tags(row: &Row) -> Vec<Tag> {
    let mut tags = Vec::new();
    if let Some(testbed) = &row.testbed {
        tags.push(Tag::Testbed(testbed.clone()));
    }
    if row.is_reference {
        tags.push(Tag::Reference);
    }
    if !row.stand_in_bases.is_empty() {
        tags.push(Tag::StandIn(row.stand_in_bases.join("; ")));
    }
    if row.single_run {
        tags.push(Tag::SingleRun);
    }
    if !row.works {
        tags.push(Tag::Failed);
    }
    tags
}
