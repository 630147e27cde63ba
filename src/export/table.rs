//! The terminal table: one row per variant in ranking order, multi-line cells so the
//! whole matrix fits about 120 columns, then the legend, notes and warnings. Cells come
//! from [`super::cells`]; every text goes through [`terminal`] before the table is drawn,
//! so colours (optional, off in tests and pipes) are the only escape sequences in it.

use tabled::builder::Builder;
use tabled::settings::object::{Columns, Rows};
use tabled::settings::style::HorizontalLine;
use tabled::settings::themes::{BorderCorrection, Theme};
use tabled::settings::width::Wrap;
use tabled::settings::{Color, Modify, Span, Style};

use crate::export::cells::{self, Detail, Line, NONE, Tag};
use crate::export::details;
use crate::export::escape::{terminal, terminal_lines};
use crate::matrix::{Matrix, Row};

/// Width the table is meant to fit.
pub(crate) const TABLE_WIDTH: usize = 120;
const REASON_WIDTH: usize = 100;

/// The header names the lines of the build, startup, latency and memory cells, so those
/// cells show values only.
const HEADER: [&str; 8] = [
    "variant",
    "size",
    "build (s) cold\ncached\nafter change\nsteps re-run",
    "startup\n95% CI\nengine + app\nfirst start\nvs reference\nRTT to host",
    "latency\np50/p95",
    "memory\nidle/peak",
    "image",
    "rating",
];

/// A cell whose lines carry their labels.
fn labelled(lines: &[Line]) -> String {
    let texts: Vec<String> = lines.iter().map(Line::text).collect();
    or_none(&texts)
}

/// A cell whose labels stand in the header.
fn values(lines: &[Line]) -> String {
    let values: Vec<String> = lines.iter().map(|l| l.value.clone()).collect();
    or_none(&values)
}

fn or_none(lines: &[String]) -> String {
    if lines.is_empty() {
        NONE.to_string()
    } else {
        terminal_lines(lines)
    }
}

fn variant_cell(row: &Row) -> String {
    let mut lines = vec![format!("{}. {}", row.rank, row.name)];
    lines.push(if row.works { "works" } else { "FAILED" }.to_string());
    for tag in cells::tags(row) {
        match tag {
            Tag::Reference => lines.push(format!("({})", tag.label())),
            Tag::Failed => {}
            tag => lines.push(tag.label().to_string()),
        }
    }
    terminal_lines(&lines)
}

fn size_cell(row: &Row) -> String {
    let mut lines = cells::size(row);
    if let Some(n) = cells::layers(row) {
        lines.push(Line {
            label: None,
            value: format!("{n} layers"),
        });
    }
    labelled(&lines)
}

fn rating_cell(row: &Row) -> String {
    let (stars, overall) = cells::overall(row);
    let letters: Vec<String> = cells::ratings(row)
        .iter()
        .map(|r| {
            let value = r.value.map_or("?".into(), |v| v.to_string());
            format!("{}{value}", r.letter)
        })
        .collect();
    format!(
        "{stars}\n{overall}\n{}\n{}",
        letters[..3].join(" "),
        letters[3..].join(" ")
    )
}

fn record(row: &Row) -> Vec<String> {
    vec![
        variant_cell(row),
        size_cell(row),
        values(&cells::build(row, Detail::Brief)),
        values(&cells::startup(row)),
        values(&cells::latency(row)),
        values(&cells::memory(row)),
        labelled(&cells::image(row, Detail::Brief)),
        rating_cell(row),
    ]
}

fn reason_line(row: &Row) -> String {
    let text = if row.works {
        format!("{} — use: {}", row.reason, row.use_case)
    } else {
        row.reason.clone()
    };
    Wrap::wrap(&terminal(&text), REASON_WIDTH, true)
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
pub(crate) fn render(matrix: &Matrix, color: bool) -> String {
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
        "Build and startup: median [95% CI]; cold builds include downloads; after a change, \
         steps re-run/total. Startup: engine = start call until running, app = running until \
         the first HTTP 200; first = the first start of the fresh image; RTT = a TCP connect's round trip to \
         the engine host.",
    ];
    for line in legend {
        out.push_str(&Wrap::wrap(line, TABLE_WIDTH, true));
        out.push('\n');
    }
    let warnings = details::warnings(matrix).into_iter().flat_map(|w| {
        w.lines
            .iter()
            .map(move |line| format!("Warning: {}: {line}", w.name))
    });
    let described = matrix
        .ranked()
        .filter_map(|row| cells::description(row).map(|d| format!("{}: {d}", row.name)));
    let notes = matrix.notes.iter().map(|note| format!("Note: {note}"));
    for line in described.chain(notes).chain(warnings) {
        out.push_str(&Wrap::wrap(&terminal(&line), TABLE_WIDTH, true));
        out.push('\n');
    }
    out
}
