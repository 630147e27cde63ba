//! The sections under the matrix, built once as plain structured content: the warnings
//! each variant collected, the failures with their facts and log tails, and the Dockerfile
//! findings. Markdown and HTML only render them, each with its own escaping.

use crate::matrix::{Matrix, Row};

/// Heading of the warnings section.
pub(crate) const WARNINGS: &str = "Warnings";
/// Heading of the failures section.
pub(crate) const FAILURES: &str = "Failures";
/// Heading of the findings section.
pub(crate) const FINDINGS: &str = "Dockerfile findings";
/// The word before a finding's fix.
pub(crate) const FIX: &str = "Fix:";

/// The warnings of one variant, as recorded in the results.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Warnings<'a> {
    /// Variant name.
    pub(crate) name: &'a str,
    /// One line each.
    pub(crate) lines: &'a [String],
}

/// Variants with warnings, in config order.
pub(crate) fn warnings(matrix: &Matrix) -> Vec<Warnings<'_>> {
    matrix
        .rows
        .iter()
        .filter(|r| !r.warnings.is_empty())
        .map(|r| Warnings {
            name: &r.name,
            lines: &r.warnings,
        })
        .collect()
}

/// One fact about a failure: `phase: health`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fact {
    /// `phase`, `step`, `message`, `container`.
    pub(crate) label: &'static str,
    /// The fact.
    pub(crate) value: String,
    /// True for a literal token (a phase, a Dockerfile step) a format may show as code.
    pub(crate) literal: bool,
}

/// A variant that does not work, with what is known about why.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Failure<'a> {
    /// Variant name.
    pub(crate) name: &'a str,
    /// The one-line reason.
    pub(crate) summary: &'a str,
    /// Phase, step, message, container state.
    pub(crate) facts: Vec<Fact>,
    /// Last lines of the build output or container log.
    pub(crate) log_tail: &'a [String],
}

impl Failure<'_> {
    /// The title of the folded log: `last 3 log lines`.
    pub(crate) fn log_title(&self) -> String {
        format!("last {} log lines", self.log_tail.len())
    }
}

fn failure(row: &Row) -> Failure<'_> {
    let summary = row.failure.as_deref().unwrap_or("does not work");
    let Some(d) = row.failure_detail.as_ref() else {
        return Failure {
            name: &row.name,
            summary,
            facts: Vec::new(),
            log_tail: &[],
        };
    };
    let fact = |label, value: String, literal| Fact {
        label,
        value,
        literal,
    };
    let mut facts = vec![fact("phase", format!("{:?}", d.phase).to_lowercase(), true)];
    facts.extend(d.step.clone().map(|s| fact("step", s, true)));
    facts.push(fact("message", d.message.clone(), false));
    facts.extend(d.state.as_ref().map(|s| {
        let code = d
            .exit_code
            .map_or(String::new(), |c| format!(", exit code {c}"));
        fact("container", format!("{s}{code}"), false)
    }));
    Failure {
        name: &row.name,
        summary,
        facts,
        log_tail: &d.log_tail,
    }
}

/// The variants that do not work, in config order.
pub(crate) fn failures(matrix: &Matrix) -> Vec<Failure<'_>> {
    matrix.failures().map(failure).collect()
}

/// A piece of a finding's text: plain words, or a `` `quoted` `` command or path.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Inline {
    /// Words.
    Text(String),
    /// What the lint rule quoted in backticks: a command, a flag, a path.
    Code(String),
}

/// Split a lint text at its backticks; an unmatched backtick stays text.
pub(crate) fn inlines(text: &str) -> Vec<Inline> {
    let parts: Vec<&str> = text.split('`').collect();
    let closed = if parts.len() % 2 == 1 {
        parts.len()
    } else {
        parts.len() - 1
    };
    let mut out: Vec<Inline> = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let piece = match i {
            i if i >= closed => Inline::Text(format!("`{part}")),
            i if i % 2 == 1 => Inline::Code((*part).to_string()),
            _ => Inline::Text((*part).to_string()),
        };
        match (out.last_mut(), piece) {
            (Some(Inline::Text(prev)), Inline::Text(next)) => prev.push_str(&next),
            (_, Inline::Text(t)) if t.is_empty() => {}
            (_, piece) => out.push(piece),
        }
    }
    out
}

/// One finding: where, how bad, which rule, what and the fix.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Finding<'a> {
    /// `line 3, warning`.
    pub(crate) place: String,
    /// Rule id.
    pub(crate) rule: &'a str,
    /// What is wrong.
    pub(crate) message: Vec<Inline>,
    /// What to do about it.
    pub(crate) fix: Vec<Inline>,
}

/// The findings of one variant's Dockerfile.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Findings<'a> {
    /// Variant name.
    pub(crate) name: &'a str,
    /// Dockerfile path as given in the config.
    pub(crate) dockerfile: &'a str,
    /// Its findings, in file order.
    pub(crate) items: Vec<Finding<'a>>,
}

/// Variants whose Dockerfile has findings, in config order.
pub(crate) fn findings(matrix: &Matrix) -> Vec<Findings<'_>> {
    matrix
        .with_findings()
        .map(|row| Findings {
            name: &row.name,
            dockerfile: &row.dockerfile,
            items: row
                .findings
                .iter()
                .map(|f| Finding {
                    place: format!("line {}, {}", f.line, f.severity),
                    rule: &f.rule,
                    message: inlines(&f.message),
                    fix: inlines(&f.fix),
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::Inline::{Code, Text};
    use super::inlines;

    #[test]
    fn backticks_mark_code_and_an_unmatched_one_stays_text() {
        assert_eq!(
            inlines("end with `&& rm -rf /var/lib/apt/lists/*`."),
            [
                Text("end with ".into()),
                Code("&& rm -rf /var/lib/apt/lists/*".into()),
                Text(".".into())
            ]
        );
        assert_eq!(inlines("`a` b"), [Code("a".into()), Text(" b".into())]);
        assert_eq!(inlines("a `b"), [Text("a `b".into())]);
        assert_eq!(
            inlines("x `y` z `w"),
            [Text("x ".into()), Code("y".into()), Text(" z `w".into())]
        );
        assert_eq!(inlines(""), []);
    }
}
