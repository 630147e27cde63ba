//! The HTML report's tables and HTML's pieces for the sections under the matrix: the
//! matrix (cells from `export/cells.rs`), each image's layers, and [`Html`], the
//! [`Markup`] that `export/markup.rs` writes the warnings, failures and findings with.

use std::fmt::Write;

use crate::export::cells::{self, Detail, Tag};
use crate::export::escape::html as escape;
use crate::export::markup::{self, Markup};
use crate::format::bytes;
use crate::matrix::{Matrix, Row};

fn name_cell(row: &Row) -> String {
    let mut s = format!("<strong>{}</strong>", escape(&row.name));
    for tag in cells::tags(row) {
        let (class, title) = match &tag {
            Tag::Failed => (" bad", None),
            Tag::StandIn(bases) => ("", Some(bases)),
            _ => ("", None),
        };
        let title = title.map_or(String::new(), |t| format!(" title=\"{}\"", escape(t)));
        let _ = write!(
            s,
            "<span class=\"tag{class}\"{title}>{}</span>",
            escape(&tag.label())
        );
    }
    s
}

fn ratings_cell(row: &Row) -> String {
    let (stars, overall) = cells::overall(row);
    let mut s = format!("<span class=\"stars\">{stars}</span> {overall}");
    for r in cells::ratings(row) {
        let _ = write!(s, "<br>{} {}", r.name, crate::format::rating(r.value));
    }
    s
}

fn matrix_row(out: &mut String, row: &Row) {
    let [size, layers, build, startup, latency, memory, image] =
        markup::figures(&Html, row, Detail::Full);
    let _ = write!(
        out,
        "<tr class=\"{}\" data-variant=\"{}\"><td class=\"num\">{}</td><td>{}</td><td>{}</td>\
         <td class=\"num\">{size}</td><td class=\"num\">{layers}</td><td class=\"nw\">{build}</td>\
         <td class=\"nw\">{startup}</td><td class=\"nw\">{latency}</td><td class=\"nw\">{memory}</td>\
         <td class=\"img\">{image}</td><td class=\"nw\">{}</td><td class=\"reason\">{}</td></tr>",
        if row.works { "works" } else { "failed" },
        escape(&row.name),
        row.rank,
        name_cell(row),
        if row.works { "✓" } else { "✗" },
        ratings_cell(row),
        escape(&row.reason) + "<br><em>" + &escape(&row.use_case) + "</em>",
    );
}

/// The decision matrix table (`id="matrix"`), best first.
pub(crate) fn matrix_table(out: &mut String, matrix: &Matrix) {
    out.push_str(
        "<div class=\"wide\"><table id=\"matrix\"><thead><tr><th>#</th><th>variant</th><th>works</th>\
         <th>size (× smallest)</th><th>layers</th><th>build</th><th>startup</th>\
         <th>latency</th><th>memory</th><th>image</th><th>rating</th>\
         <th>reason · use case</th></tr></thead><tbody>",
    );
    for row in matrix.ranked() {
        matrix_row(out, row);
    }
    out.push_str("</tbody></table></div>");
}

/// Each image's layers, bottom first, with a bar proportional to the largest layer.
pub(crate) fn layers(out: &mut String, matrix: &Matrix) {
    out.push_str("<h2>Layers</h2><div id=\"layers\">");
    for row in matrix.ranked().filter(|r| !r.layer_breakdown.is_empty()) {
        let largest = row
            .layer_breakdown
            .iter()
            .map(|l| l.bytes)
            .max()
            .unwrap_or(1)
            .max(1);
        let _ = write!(
            out,
            "<details open><summary>{} — {} layers</summary><table class=\"layers\">\
             <colgroup><col style=\"width:62%\"><col style=\"width:9%\"><col style=\"width:9%\">\
             <col style=\"width:20%\"></colgroup><thead><tr><th>instruction</th><th>size</th>\
             <th>from</th><th>share of largest layer</th></tr></thead><tbody>",
            escape(&row.name),
            row.layer_breakdown.len()
        );
        for layer in &row.layer_breakdown {
            let from = match layer.from_base {
                Some(true) => "base",
                Some(false) => "Dockerfile",
                None => "?",
            };
            let width = (layer.bytes as f64 / largest as f64 * 200.0).max(1.0);
            let _ = write!(
                out,
                "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td>{from}</td>\
                 <td><span class=\"bar{}\" style=\"width:{width:.0}px\"></span></td></tr>",
                escape(&layer.created_by),
                bytes(layer.bytes),
                if layer.from_base == Some(true) {
                    " base"
                } else {
                    ""
                },
            );
        }
        out.push_str("</tbody></table></details>");
    }
    for row in matrix.ranked().filter(|r| r.layer_breakdown.is_empty()) {
        let _ = write!(
            out,
            "<p>{}: no layer information (not built).</p>",
            escape(&row.name)
        );
    }
    out.push_str("</div>");
}

/// HTML's pieces: entities for text, `<code>`, `<h2>` sections with an `id`.
pub(super) struct Html;

impl Markup for Html {
    const FAILED: &'static str = "✗";

    fn text(&self, text: &str) -> String {
        escape(text)
    }

    fn code(&self, text: &str) -> String {
        format!("<code>{}</code>", escape(text))
    }

    fn strong(&self, inner: &str) -> String {
        format!("<strong>{inner}</strong>")
    }

    fn emphasis(&self, inner: &str) -> String {
        format!("<em>{inner}</em>")
    }

    fn section(&self, out: &mut String, id: &str, title: &str) {
        let _ = write!(out, "<h2>{title}</h2><div id=\"{id}\">");
    }

    fn end_section(&self, out: &mut String) {
        out.push_str("</div>");
    }

    fn subheading(&self, out: &mut String, inner: &str) {
        let _ = write!(out, "<h3>{inner}</h3>");
    }

    fn paragraph(&self, out: &mut String, inner: &str) {
        let _ = write!(out, "<p>{inner}</p>");
    }

    fn list(&self, out: &mut String, items: &[String]) {
        out.push_str("<ul>");
        for item in items {
            let _ = write!(out, "<li>{item}</li>");
        }
        out.push_str("</ul>");
    }

    fn log(&self, out: &mut String, title: &str, lines: &[String]) {
        let _ = write!(
            out,
            "<details open><summary>{title}</summary><pre>{}</pre></details>",
            escape(&lines.join("\n"))
        );
    }
}
