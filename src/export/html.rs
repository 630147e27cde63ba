//! `report.html`: one self-contained page (no network, no scripts, no external fonts or
//! CSS): the matrix, the warnings, inline SVG charts, each image's layers, the failures and
//! the Dockerfile findings. Every text goes through [`crate::export::escape::html`].

use std::fmt::Write;

use crate::export::escape::html as escape;
use crate::export::markup;
use crate::matrix::Matrix;

mod charts;
mod sections;

use sections::Html;

const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px auto;\
max-width:1440px;padding:0 16px;color:#222;line-height:1.4}\
h1{font-size:22px;margin-bottom:4px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd}\
.meta{color:#555;font-size:13px}.notes{background:#fff8e1;border-left:4px solid #f0b400;\
padding:8px 12px;font-size:13px}.notes p{margin:4px 0}\
table{border-collapse:collapse;font-size:13px;width:100%}th,td{border:1px solid #ddd;\
padding:4px 6px;vertical-align:top;text-align:left}th{background:#f4f4f4}\
td.num{text-align:right;white-space:nowrap}td.nw{white-space:nowrap}\
td.reason{min-width:220px}td.img{min-width:140px}.wide{overflow-x:auto}#matrix{font-size:12.5px}table.layers{table-layout:fixed}table.layers code{word-break:break-all}tr.failed td{background:#fdecea}\
.stars{color:#d98e04;white-space:nowrap}.tag{display:inline-block;font-size:11px;\
padding:0 4px;border-radius:3px;background:#fff3c4;border:1px solid #e6c200;margin-left:4px;white-space:nowrap}\
.tag.bad{background:#fdecea;border-color:#e15759}.charts{display:flex;flex-wrap:wrap;gap:12px}\
.charts svg{max-width:100%;height:auto;border:1px solid #eee}\
.bar{height:10px;background:#f28e2b;display:inline-block}.bar.base{background:#4e79a7}\
pre{background:#f6f6f6;padding:8px;overflow-x:auto;font-size:12px}\
details{margin:8px 0}summary{cursor:pointer;font-weight:600}";

fn header(out: &mut String, matrix: &Matrix) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>basebench report {id}</title><style>{CSS}</style></head><body>\
         <h1>basebench report</h1><p class=\"meta\">Run <code>{id}</code> started {start} · \
         builder {builder} · Docker {engine}{incomplete}</p>",
        id = escape(&matrix.run_id),
        start = escape(&matrix.started_at),
        builder = escape(&matrix.builder),
        engine = escape(&matrix.engine),
        incomplete = if matrix.complete {
            ""
        } else {
            " · <strong>incomplete run</strong>"
        },
    );
    if !matrix.notes.is_empty() {
        out.push_str("<div class=\"notes\" id=\"notes\">");
        for note in &matrix.notes {
            let _ = write!(out, "<p>{}</p>", escape(note));
        }
        out.push_str("<p>† in charts: measured on a stand-in base.</p></div>");
    }
}

/// Render the HTML report.
pub(crate) fn render(matrix: &Matrix) -> String {
    let mut out = String::new();
    header(&mut out, matrix);
    out.push_str("<h2>Decision matrix</h2>");
    sections::matrix_table(&mut out, matrix);
    markup::descriptions(&Html, &mut out, matrix);
    markup::warnings(&Html, &mut out, matrix);
    out.push_str("<h2>Charts</h2><div class=\"charts\" id=\"charts\">");
    for chart in charts::all(matrix) {
        out.push_str(&chart);
    }
    out.push_str("</div>");
    sections::layers(&mut out, matrix);
    markup::failures(&Html, &mut out, matrix);
    markup::findings(&Html, &mut out, matrix);
    let _ = writeln!(
        out,
        "<p class=\"meta\">Ratings 1–5 from the model in docs/SCORING.md; weights: \
         compatibility {}, security {}, debugging {}, size {}, speed {}.</p></body></html>",
        matrix.weights.compatibility,
        matrix.weights.security,
        matrix.weights.debugging,
        matrix.weights.size,
        matrix.weights.speed
    );
    readable(&out)
}

/// One element per line after block-level closing tags, so the file (and its snapshot)
/// diffs well; never inside `<pre>`, whose text holds no tags.
fn readable(html: &str) -> String {
    let mut out = html.to_string();
    for tag in [
        "</style>",
        "</p>",
        "</h2>",
        "</h3>",
        "<tbody>",
        "</tr>",
        "</table>",
        "</details>",
        "</div>",
        "</svg>",
        "</text>",
        "</rect>",
    ] {
        out = out.replace(tag, &format!("{tag}\n"));
    }
    out
}
