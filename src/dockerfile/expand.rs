//! `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}` and `${VAR+alt}`
//! expansion, as BuildKit applies it to `FROM` with the global `ARG`s.
//!
//! One pass over the word, left to right, with an explicit stack of the open `${...}`:
//! time and memory are linear in the word, however deep the nesting (a default that is not
//! needed is read but not expanded). The result may not grow past [`MAX_EXPANDED`] bytes,
//! so `ARG`s that double each other cannot exhaust memory.

use std::collections::BTreeMap;

use super::DockerfileError;

/// Longest expansion of one word, in bytes (far beyond any image reference or `ARG`).
pub(crate) const MAX_EXPANDED: usize = 1024 * 1024;

/// What a variable without a value expands to in the plain forms (`$X`, `${X}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Missing {
    /// An error naming the variable (`FROM` insists on a value).
    Error,
    /// Nothing (`ARG` defaults, as BuildKit does).
    Empty,
}

/// Expand the variables of `word` with `vars` (name → value). A variable with no value is an
/// error naming `line`, except where a `-`/`+` form decides without it. The escape
/// character before `$` gives a literal `$`.
pub(super) fn expand(
    word: &str,
    vars: &BTreeMap<String, String>,
    escape: char,
    line: usize,
) -> Result<String, DockerfileError> {
    expand_with(word, vars, escape, line, Missing::Error)
}

/// An open `${NAME<op>word}`: whether its word is part of the output.
struct Open {
    emits: bool,
}

/// [`expand`], with `missing` deciding what a plain variable without a value gives.
pub(super) fn expand_with(
    word: &str,
    vars: &BTreeMap<String, String>,
    escape: char,
    line: usize,
    missing: Missing,
) -> Result<String, DockerfileError> {
    let mut out = String::new();
    let mut open: Vec<Open> = Vec::new();
    let emitting = |open: &[Open]| open.last().is_none_or(|o| o.emits);
    let mut rest = word;
    while let Some(c) = rest.chars().next() {
        let after = &rest[c.len_utf8()..];
        if c == escape && after.starts_with('$') {
            if emitting(&open) {
                out.push('$');
            }
            rest = &after[1..];
        } else if c == '$' && after.starts_with('{') {
            let body = &after[1..];
            let (name, tail) = split_name(body);
            let emits = emitting(&open);
            rest = match Operator::read(tail) {
                Some((Operator::Close, tail)) => {
                    if emits {
                        out.push_str(value(name, vars, line, missing)?);
                    }
                    tail
                }
                Some((op, tail)) => {
                    let (now, word_emits) = op.decide(vars.get(name).map(String::as_str));
                    if emits {
                        out.push_str(now);
                    }
                    open.push(Open {
                        emits: emits && word_emits,
                    });
                    tail
                }
                None if emits => return Err(unsupported(body, line)),
                None => {
                    // Not expanded: its own `}` must not close the `${` around it.
                    open.push(Open { emits: false });
                    tail
                }
            };
        } else if c == '$' && after.starts_with(is_name_char) {
            let (name, tail) = split_name(after);
            if emitting(&open) {
                out.push_str(value(name, vars, line, missing)?);
            }
            rest = tail;
        } else if c == '}' && !open.is_empty() {
            open.pop();
            rest = after;
        } else {
            if emitting(&open) {
                out.push(c);
            }
            rest = after;
        }
        if out.len() > MAX_EXPANDED {
            return Err(DockerfileError::Syntax {
                line,
                message: format!(
                    "the variables expand to longer than {} MiB: shorten the ARG values",
                    MAX_EXPANDED / (1024 * 1024)
                ),
            });
        }
    }
    if !open.is_empty() {
        return Err(DockerfileError::Syntax {
            line,
            message: format!(
                "unterminated ${{...}} in '{}': add the closing `}}`",
                excerpt(word)
            ),
        });
    }
    Ok(out)
}

/// What follows `${NAME`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operator {
    /// `}`: the plain form.
    Close,
    /// `:-`: the default when unset or empty.
    DefaultIfEmpty,
    /// `-`: the default when unset.
    DefaultIfUnset,
    /// `:+`: the alternative when set and not empty.
    AltIfNonEmpty,
    /// `+`: the alternative when set.
    AltIfSet,
}

impl Operator {
    /// The operator at the start of `tail`, and what follows it.
    fn read(tail: &str) -> Option<(Operator, &str)> {
        let forms = [
            ("}", Operator::Close),
            (":-", Operator::DefaultIfEmpty),
            (":+", Operator::AltIfNonEmpty),
            ("-", Operator::DefaultIfUnset),
            ("+", Operator::AltIfSet),
        ];
        forms
            .iter()
            .find_map(|(text, op)| tail.strip_prefix(text).map(|rest| (*op, rest)))
    }

    /// For a variable whose value is `current`: the text to output now, and whether the
    /// operator's word is output too.
    fn decide(self, current: Option<&str>) -> (&str, bool) {
        let non_empty = current.is_some_and(|v| !v.is_empty());
        match self {
            Operator::Close => (current.unwrap_or_default(), false),
            Operator::DefaultIfEmpty if non_empty => (current.unwrap_or_default(), false),
            Operator::DefaultIfEmpty => ("", true),
            Operator::DefaultIfUnset => match current {
                Some(v) => (v, false),
                None => ("", true),
            },
            Operator::AltIfNonEmpty => ("", non_empty),
            Operator::AltIfSet => ("", current.is_some()),
        }
    }
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The leading name characters of `text`, and the rest.
fn split_name(text: &str) -> (&str, &str) {
    let end = text.find(|c: char| !is_name_char(c)).unwrap_or(text.len());
    text.split_at(end)
}

/// The start of `text`, short enough for an error message.
fn excerpt(text: &str) -> String {
    const SHOWN: usize = 60;
    match text.char_indices().nth(SHOWN) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

fn unsupported(body: &str, line: usize) -> DockerfileError {
    DockerfileError::Syntax {
        line,
        message: format!(
            "unsupported variable form '${{{}': use $VAR, ${{VAR}}, ${{VAR:-default}} or ${{VAR:+alt}}",
            excerpt(body)
        ),
    }
}

fn value<'a>(
    name: &str,
    vars: &'a BTreeMap<String, String>,
    line: usize,
    missing: Missing,
) -> Result<&'a str, DockerfileError> {
    match (vars.get(name), missing) {
        (Some(v), _) => Ok(v.as_str()),
        (None, Missing::Empty) => Ok(""),
        (None, Missing::Error) => Err(DockerfileError::UnknownArg {
            line,
            name: name.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests;
