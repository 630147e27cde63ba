//! `report.md`: the matrix as GitHub Markdown, fit for a pull-request comment or a CI job
//! summary: the table, notes on stand-ins and single runs, warnings, use cases, and
//! failures with their log tails folded in `<details>`. Cells come from `cells.rs`, the
//! sections from `markup.rs`; this file supplies Markdown's pieces, escaping with
//! [`escape::markdown`] (text) and [`escape::code_span`] (code, never entities).

use std::fmt::Write;

use crate::export::cells::{self, Detail, Tag};
use crate::export::escape::{self, code_span, markdown as text, markdown_block};
use crate::export::markup::{self, Markup};
use crate::matrix::{Matrix, Row};

fn variant(row: &Row) -> String {
    let mut s = format!("**{}**", text(&row.name));
    for tag in cells::tags(row) {
        match tag {
            Tag::Reference => s.push_str(" (reference)"),
            Tag::Failed => {}
            Tag::Testbed(_) => {
                let _ = write!(s, " · {}", text(&tag.label()));
            }
            tag => {
                let _ = write!(s, " ⚠ {}", tag.label());
            }
        }
    }
    s
}

fn matrix_row(row: &Row) -> String {
    let (stars, overall) = cells::overall(row);
    let [size, layers, build, startup, latency, memory, image] =
        markup::figures(&Md, row, Detail::Brief);
    format!(
        "| {} | {} | {} | {size} | {layers} | {build} | {startup} | {latency} | {memory} \
         | {image} | {stars} {overall} | {} |",
        row.rank,
        variant(row),
        if row.works { "✅" } else { "❌" },
        text(&row.reason),
    )
}

fn ratings_table(out: &mut String, matrix: &Matrix) {
    out.push_str("\n### Ratings\n\n| variant |");
    for rating in cells::ratings(&Row::default()) {
        let _ = write!(out, " {} |", rating.name);
    }
    out.push_str(" overall | use case |\n|---|---|---|---|---|---|---|---|\n");
    for row in matrix.ranked() {
        let _ = write!(out, "| {} |", text(&row.name));
        for rating in cells::ratings(row) {
            let _ = write!(out, " {} |", crate::format::rating(rating.value));
        }
        let _ = writeln!(
            out,
            " {} ({:.2}) | {} |",
            cells::overall(row).1,
            row.ratings.score,
            text(&row.use_case),
        );
    }
    let w = &matrix.weights;
    let _ = writeln!(
        out,
        "\nWeights: compatibility {}, security {}, debugging {}, size {}, speed {} \
         (`[scoring]` in basebench.toml; see docs/SCORING.md).",
        w.compatibility, w.security, w.debugging, w.size, w.speed
    );
}

/// Render the Markdown report.
pub(crate) fn render(matrix: &Matrix) -> String {
    let mut out = format!("## basebench: {}\n\n", text(&matrix.run_id));
    let _ = writeln!(
        out,
        "Run started {} · builder {} · Docker {}{}\n",
        text(&matrix.started_at),
        text(&matrix.builder),
        text(&matrix.engine),
        if matrix.complete {
            ""
        } else {
            " · **incomplete**"
        }
    );
    out.push_str("| # | variant | works | size (× smallest) | layers | build | startup | latency | memory | image | overall | reason |\n");
    out.push_str("|---:|---|:---:|---|---:|---|---|---|---|---|---|---|\n");
    for row in matrix.ranked() {
        out.push_str(&matrix_row(row));
        out.push('\n');
    }
    if !matrix.notes.is_empty() {
        out.push('\n');
        for note in &matrix.notes {
            let _ = writeln!(out, "> {}  ", markdown_block(note));
        }
    }
    markup::descriptions(&Md, &mut out, matrix);
    markup::warnings(&Md, &mut out, matrix);
    ratings_table(&mut out, matrix);
    markup::failures(&Md, &mut out, matrix);
    markup::findings(&Md, &mut out, matrix);
    out
}

/// Markdown's pieces: backslash escapes for text, code spans of the right fence length.
struct Md;

impl Markup for Md {
    const FAILED: &'static str = "❌";

    fn text(&self, t: &str) -> String {
        text(t)
    }

    fn code(&self, t: &str) -> String {
        code_span(t)
    }

    fn strong(&self, inner: &str) -> String {
        format!("**{inner}**")
    }

    fn emphasis(&self, inner: &str) -> String {
        format!("*{inner}*")
    }

    fn section(&self, out: &mut String, _id: &str, title: &str) {
        let _ = writeln!(out, "\n### {title}");
    }

    fn end_section(&self, _out: &mut String) {}

    fn subheading(&self, out: &mut String, inner: &str) {
        let _ = writeln!(out, "\n#### {inner}");
    }

    fn paragraph(&self, out: &mut String, inner: &str) {
        let _ = writeln!(out, "\n{}", escape::markdown_line_start(inner));
    }

    fn list(&self, out: &mut String, items: &[String]) {
        out.push('\n');
        for item in items {
            let _ = writeln!(out, "- {item}");
        }
    }

    fn log(&self, out: &mut String, title: &str, lines: &[String]) {
        let _ = writeln!(
            out,
            "\n<details><summary>{title}</summary>\n\n{}\n\n</details>",
            escape::code_block(lines, "text")
        );
    }
}
