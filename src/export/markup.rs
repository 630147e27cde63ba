//! What a document format supplies (hyperfine's `MarkupExporter`): how to escape text,
//! mark code, emphasis and structure. The sections under the matrix are written once
//! here, over [`details`], and Markdown and HTML only implement [`Markup`].

use crate::export::cells::{self, Detail, Line, NONE};
use crate::export::details::{self, Inline};
use crate::matrix::{Matrix, Row};

/// The pieces of a document format. Methods taking `inner` get text already marked up.
pub(crate) trait Markup {
    /// The mark before a failed variant's name (`❌`, `✗`).
    const FAILED: &'static str;
    /// Plain text, escaped.
    fn text(&self, text: &str) -> String;
    /// Literal code (a command, a path, a rule id), escaped for code.
    fn code(&self, text: &str) -> String;
    /// Strong emphasis around `inner`.
    fn strong(&self, inner: &str) -> String;
    /// Emphasis around `inner`.
    fn emphasis(&self, inner: &str) -> String;
    /// Open a section under the matrix (`id` for links and tests).
    fn section(&self, out: &mut String, id: &str, title: &str);
    /// Close the section [`Markup::section`] opened.
    fn end_section(&self, out: &mut String);
    /// A heading inside a section.
    fn subheading(&self, out: &mut String, inner: &str);
    /// A paragraph.
    fn paragraph(&self, out: &mut String, inner: &str);
    /// A bulleted list.
    fn list(&self, out: &mut String, items: &[String]);
    /// Log lines folded under `title`, shown literally.
    fn log(&self, out: &mut String, title: &str, lines: &[String]);

    /// A matrix cell: each line escaped, joined with `<br>` (both Markdown tables and
    /// HTML take it); `–` when empty.
    fn cell(&self, lines: &[Line]) -> String {
        if lines.is_empty() {
            return NONE.to_string();
        }
        let lines: Vec<String> = lines.iter().map(|l| self.text(&l.text())).collect();
        lines.join("<br>")
    }

    /// A lint text: words as text, quoted commands as code.
    fn inline(&self, parts: &[Inline]) -> String {
        parts
            .iter()
            .map(|p| match p {
                Inline::Text(t) => self.text(t),
                Inline::Code(c) => self.code(c),
            })
            .collect()
    }
}

/// The figure cells of a matrix row, in column order: size, layers, build, startup,
/// latency, memory, image.
pub(crate) fn figures<M: Markup>(m: &M, row: &Row, image: Detail) -> [String; 7] {
    [
        m.cell(&cells::size(row)),
        cells::layers(row).unwrap_or_else(|| NONE.to_string()),
        m.cell(&[cells::build(row, Detail::Full), cells::context_sent(row)].concat()),
        m.cell(&cells::startup(row)),
        m.cell(&cells::latency(row)),
        m.cell(&cells::memory(row)),
        m.cell(&cells::image(row, image)),
    ]
}

/// A section that is left out when it has no `items`; `each` writes one item.
fn section<M: Markup, T>(
    m: &M,
    out: &mut String,
    (id, title): (&str, &str),
    items: &[T],
    mut each: impl FnMut(&mut String, &T),
) {
    if items.is_empty() {
        return;
    }
    m.section(out, id, title);
    for item in items {
        each(out, item);
    }
    m.end_section(out);
}

/// Heading of the list of variant descriptions.
const VARIANTS: &str = "Variants";

/// Each described variant with its description, in ranking order.
pub(crate) fn descriptions<M: Markup>(m: &M, out: &mut String, matrix: &Matrix) {
    let items: Vec<String> = matrix
        .ranked()
        .filter_map(|row| {
            let text = cells::description(row)?;
            Some(format!(
                "{}: {}",
                m.strong(&m.text(&row.name)),
                m.text(text)
            ))
        })
        .collect();
    let lists: Vec<Vec<String>> = Some(items).filter(|i| !i.is_empty()).into_iter().collect();
    section(m, out, ("variants", VARIANTS), &lists, |out, items| {
        m.list(out, items)
    });
}

/// What each variant's run warned about, in one list.
pub(crate) fn warnings<M: Markup>(m: &M, out: &mut String, matrix: &Matrix) {
    let items: Vec<String> = details::warnings(matrix)
        .iter()
        .flat_map(|w| {
            let name = m.strong(&m.text(w.name));
            w.lines
                .iter()
                .map(move |line| format!("{name}: {}", m.text(line)))
        })
        .collect();
    let lists: Vec<Vec<String>> = Some(items).filter(|i| !i.is_empty()).into_iter().collect();
    section(
        m,
        out,
        ("warnings", details::WARNINGS),
        &lists,
        |out, items: &Vec<String>| m.list(out, items),
    );
}

/// The failures with their facts and log tails.
pub(crate) fn failures<M: Markup>(m: &M, out: &mut String, matrix: &Matrix) {
    let failures = details::failures(matrix);
    section(
        m,
        out,
        ("failures", details::FAILURES),
        &failures,
        |out, f| {
            m.subheading(out, &format!("{} {}", M::FAILED, m.text(f.name)));
            m.paragraph(out, &m.text(f.summary));
            let facts: Vec<String> = f
                .facts
                .iter()
                .map(|fact| {
                    let value = if fact.literal {
                        m.code(&fact.value)
                    } else {
                        m.text(&fact.value)
                    };
                    format!("{}: {value}", fact.label)
                })
                .collect();
            if !facts.is_empty() {
                m.list(out, &facts);
            }
            if !f.log_tail.is_empty() {
                m.log(out, &f.log_title(), f.log_tail);
            }
        },
    );
}

/// What reading each Dockerfile found, one list per variant.
pub(crate) fn findings<M: Markup>(m: &M, out: &mut String, matrix: &Matrix) {
    let findings = details::findings(matrix);
    section(
        m,
        out,
        ("findings", details::FINDINGS),
        &findings,
        |out, v| {
            m.subheading(
                out,
                &format!("{} ({})", m.text(v.name), m.code(v.dockerfile)),
            );
            let items: Vec<String> = v
                .items
                .iter()
                .map(|f| {
                    format!(
                        "{} {}: {} {} {}",
                        m.strong(&m.text(&f.place)),
                        m.code(f.rule),
                        m.inline(&f.message),
                        m.emphasis(details::FIX),
                        m.inline(&f.fix)
                    )
                })
                .collect();
            m.list(out, &items);
        },
    );
}
