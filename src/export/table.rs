//! The terminal table: one row per variant in ranking order, multi-line cells so the
//! whole matrix fits about 120 columns. Colours are optional (off in tests and pipes).

use tabled::builder::Builder;
use tabled::settings::object::{Columns, Rows};
use tabled::settings::style::HorizontalLine;
use tabled::settings::themes::{BorderCorrection, Theme};
use tabled::settings::width::Wrap;
use tabled::settings::{Color, Modify, Span, Style};

use crate::format::{self, bytes, millis, seconds};
use crate::matrix::{Matrix, Row};
use crate::stats::Timing;

/// Width the table is meant to fit.
pub const TABLE_WIDTH: usize = 120;
const REASON_WIDTH: usize = 100;

const HEADER: [&str; 8] = [
    "variant",
    "size",
    "build cold\ncached\nafter change",
    "startup\n[min–max]",
    "latency\np50/p95",
    "memory\nidle/peak",
    "image",
    "rating",
];

fn variant_cell(row: &Row) -> String {
    let mut lines = vec![format!("{}. {}", row.rank, row.name)];
    lines.push(if row.works { "works" } else { "FAILED" }.to_string());
    if row.is_reference {
        lines.push("(reference)".into());
    }
    if !row.stand_in_bases.is_empty() {
        lines.push("stand-in base".into());
    }
    lines.join("\n")
}

fn size_cell(row: &Row) -> String {
    let Some(size) = row.size.as_ref() else {
        return "-".into();
    };
    let mut lines = vec![bytes(size.total)];
    if let Some(r) = size.ratio {
        lines[0] = format!("{} {}", lines[0], format::ratio(r));
    }
    if let Some(base) = size.base {
        lines.push(format!("base {}", bytes(base)));
    }
    if let Some(added) = size.added {
        lines.push(format!("+{}", bytes(added)));
    }
    if let Some(layers) = row.layers {
        lines.push(format!("{layers} layers"));
    }
    lines.join("\n")
}

fn build_cell(row: &Row) -> String {
    let line = |t: Option<&Timing>| t.map(|t| format::timing_pm(t, seconds));
    let mut lines: Vec<String> = [
        line(row.build_cold.as_ref()),
        line(row.build_cached.as_ref()),
        line(row.build_incremental.as_ref()),
    ]
    .into_iter()
    .flatten()
    .collect();
    if let (Some(last), Some((run, total))) = (lines.last_mut(), row.incremental_steps) {
        last.push_str(&format!(" {run}/{total}"));
    }
    if lines.is_empty() {
        "-".into()
    } else {
        lines.join("\n")
    }
}

/// Milliseconds without the unit, at the precision `millis` uses.
fn bare(ms: f64) -> String {
    millis(ms).trim_end_matches(" ms").to_string()
}

fn startup_cell(row: &Row) -> String {
    match row.startup.as_ref() {
        None => "-".into(),
        Some(t) if t.is_single_run() => format!("{}\n(1 run)", millis(t.median)),
        Some(t) => format!("{}\n[{}–{}]", millis(t.median), bare(t.min), bare(t.max)),
    }
}

fn latency_cell(row: &Row) -> String {
    let Some(l) = row.latency.as_ref() else {
        return "-".into();
    };
    let mut lines = vec![millis(l.p50), millis(l.p95)];
    if let Some(rps) = l.concurrent_rps {
        lines.push(format!("{rps:.0} rps"));
    }
    lines.join("\n")
}

fn memory_cell(row: &Row) -> String {
    row.memory.as_ref().map_or("-".into(), |m| {
        format!("{}\n{}", bytes(m.idle), bytes(m.peak))
    })
}

fn image_cell(row: &Row) -> String {
    let f = &row.facts;
    let root = match f.root {
        Some(true) => "root",
        Some(false) => "non-root",
        None => "user ?",
    };
    if !f.analysed {
        return format!("{root}\nnot analysed");
    }
    let shell = if f.shells.is_empty() {
        "no shell"
    } else {
        "shell"
    };
    let pkg = if f.package_managers.is_empty() {
        "no pkg mgr".to_string()
    } else {
        f.package_managers.join(",")
    };
    let wasted = f
        .wasted_bytes
        .map_or("wasted ?".to_string(), |w| format!("wasted {}", bytes(w)));
    format!("{root}\n{shell}\n{pkg}\n{wasted}")
}

fn rating_cell(row: &Row) -> String {
    let r = &row.ratings;
    let d = |v: Option<u8>| v.map_or("?".into(), |v| v.to_string());
    format!(
        "{}\n{}/5\nC{} S{} D{}\nZ{} V{}",
        format::stars(Some(r.overall)),
        r.overall,
        r.compatibility,
        d(r.security),
        d(r.debugging),
        d(r.size),
        d(r.speed)
    )
}

fn record(row: &Row) -> Vec<String> {
    vec![
        variant_cell(row),
        size_cell(row),
        build_cell(row),
        startup_cell(row),
        latency_cell(row),
        memory_cell(row),
        image_cell(row),
        rating_cell(row),
    ]
}

fn reason_line(row: &Row) -> String {
    let text = if row.works {
        format!("{} — use: {}", row.reason, row.use_case)
    } else {
        row.reason.clone()
    };
    Wrap::wrap(&text, REASON_WIDTH, true)
}

fn theme(rows: usize) -> Theme {
    let mut theme = Theme::from_style(Style::sharp());
    for i in (3..rows).step_by(2) {
        theme.insert_horizontal_line(i, HorizontalLine::full('─', '┼', '├', '┤'));
    }
    theme
}

/// Render the table (each variant: a row of figures, then its reason and use case), then
/// the notes and the rating legend under it.
pub fn render(matrix: &Matrix, color: bool) -> String {
    let mut builder = Builder::default();
    builder.push_record(HEADER);
    for row in matrix.ranked() {
        builder.push_record(record(row));
        builder.push_record([reason_line(row)]);
    }
    let mut table = builder.build();
    let count = matrix.rows.len();
    for i in 0..count {
        table.modify((2 + 2 * i, 0), Span::column(0));
    }
    table
        .with(theme(1 + 2 * count))
        .with(BorderCorrection::span());
    if color {
        table.with(Modify::new(Rows::first()).with(Color::BOLD));
        for (i, row) in matrix.ranked().enumerate() {
            let paint = if row.works {
                Color::FG_GREEN
            } else {
                Color::FG_RED
            };
            table.with(Modify::new((1 + 2 * i, 0)).with(paint));
        }
        table.with(Modify::new(Columns::one(7)).with(Color::FG_YELLOW));
    }
    let mut out = table.to_string();
    out.push('\n');
    let legend = [
        "Ratings 1–5: C compatibility, S security, D debugging, Z size, V speed (? = not \
         measured). Ratios (×) are to the reference variant.",
        "Build: median ±half-range; after a change, steps re-run/total.",
    ];
    for line in legend {
        out.push_str(&Wrap::wrap(line, TABLE_WIDTH, true));
        out.push('\n');
    }
    for note in &matrix.notes {
        out.push_str(&Wrap::wrap(&format!("Note: {note}"), TABLE_WIDTH, true));
        out.push('\n');
    }
    out
}
