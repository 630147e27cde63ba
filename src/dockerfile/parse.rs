//! A small Dockerfile reader: parser directives (`# escape=`), comments, line
//! continuations with the escape character, heredoc bodies (kept apart from the arguments)
//! and exec (JSON) form. Each instruction keeps its 1-based line and its byte span in the
//! source, so a rewrite can change one token and leave everything else byte-identical.

use std::ops::Range;

use super::DockerfileError;

/// One instruction of a Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Instruction {
    /// 1-based line where the instruction starts.
    pub(crate) line: usize,
    /// Keyword in upper case (`FROM`, `RUN`, ...).
    pub(crate) keyword: String,
    /// Arguments after the keyword: continuation lines joined, comment lines dropped,
    /// heredoc bodies left out.
    pub(crate) args: String,
    /// Bodies of the heredocs (`<<EOF ... EOF`) that follow the instruction, in order.
    pub(crate) heredocs: Vec<String>,
    /// Byte range of the instruction in the source (keyword to the end of its last
    /// continuation line, heredoc bodies excluded).
    pub(crate) span: Range<usize>,
}

impl Instruction {
    /// The arguments as an exec-form (JSON array of strings), when they are one.
    pub(crate) fn exec_form(&self) -> Option<Vec<String>> {
        let trimmed = self.args.trim();
        if !trimmed.starts_with('[') {
            return None;
        }
        serde_json::from_str::<Vec<String>>(trimmed).ok()
    }

    /// Leading `--flag[=value]` tokens and the remaining argument text.
    pub(crate) fn flags_and_rest(&self) -> (Vec<String>, String) {
        let mut rest = self.args.trim_start();
        let mut flags = Vec::new();
        while rest.starts_with("--") {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            flags.push(rest[..end].to_string());
            rest = rest[end..].trim_start();
        }
        (flags, rest.to_string())
    }

    /// The arguments after the flags as words: the exec-form array when it is one,
    /// otherwise split on whitespace.
    pub(crate) fn words(&self) -> Vec<String> {
        let (_, rest) = self.flags_and_rest();
        serde_json::from_str::<Vec<String>>(rest.trim())
            .unwrap_or_else(|_| rest.split_whitespace().map(str::to_string).collect())
    }

    /// The value of flag `--name=value` (e.g. `from` for `COPY --from=builder`).
    pub(crate) fn flag(&self, name: &str) -> Option<String> {
        let prefix = format!("--{name}=");
        let (flags, _) = self.flags_and_rest();
        flags
            .iter()
            .find_map(|f| f.strip_prefix(&prefix).map(str::to_string))
    }
}

/// A parsed Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Dockerfile {
    /// The escape character (`\` unless a `# escape=` directive says otherwise).
    pub(crate) escape: char,
    /// The instructions in order.
    pub(crate) instructions: Vec<Instruction>,
}

/// Lines of `text` with their byte offsets (each without its line ending); a leading
/// byte-order mark is not part of the first line.
fn lines_with_offsets(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut offset = 0;
    if text.starts_with('\u{feff}') {
        offset = '\u{feff}'.len_utf8();
    }
    for piece in text[offset..].split_inclusive('\n') {
        let line = piece.strip_suffix('\n').unwrap_or(piece);
        let line = line.strip_suffix('\r').unwrap_or(line);
        out.push((offset, line));
        offset += piece.len();
    }
    out
}

/// Read the parser directives at the top; returns the escape character.
fn escape_directive(lines: &[(usize, &str)]) -> Result<char, DockerfileError> {
    let mut escape = '\\';
    for (index, (_, line)) in lines.iter().enumerate() {
        let Some(body) = line.trim().strip_prefix('#') else {
            break;
        };
        let Some((key, value)) = body.split_once('=') else {
            break;
        };
        let key = key.trim();
        if key.is_empty() || key.contains(char::is_whitespace) {
            break;
        }
        if key.eq_ignore_ascii_case("escape") {
            escape = match value.trim() {
                "\\" => '\\',
                "`" => '`',
                other => {
                    return Err(DockerfileError::Syntax {
                        line: index + 1,
                        message: format!(
                            "invalid escape character '{other}': use `\\` or a backtick"
                        ),
                    });
                }
            };
        }
    }
    Ok(escape)
}

/// Parse `text` into instructions.
pub(crate) fn parse(text: &str) -> Result<Dockerfile, DockerfileError> {
    let lines = lines_with_offsets(text);
    let escape = escape_directive(&lines)?;
    let mut instructions = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let (start, line) = lines[i];
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            i += 1;
            continue;
        }
        let first_line = i;
        let (logical, end, next) = read_logical(&lines, i, escape);
        i = next;
        let logical = logical.trim_start();
        let keyword_end = logical.find(char::is_whitespace).unwrap_or(logical.len());
        let keyword = logical[..keyword_end].to_ascii_uppercase();
        let args = logical[keyword_end..].trim().to_string();
        let mut heredocs = Vec::new();
        if matches!(keyword.as_str(), "RUN" | "COPY" | "ADD") {
            for (word, strip_tabs) in heredoc_words(&args) {
                let (body, after) = read_heredoc(&lines, i, &word, strip_tabs);
                heredocs.push(body);
                i = after;
            }
        }
        instructions.push(Instruction {
            line: first_line + 1,
            keyword,
            args,
            heredocs,
            span: start + (line.len() - trimmed.len())..end,
        });
    }
    Ok(Dockerfile {
        escape,
        instructions,
    })
}

/// Read one logical line starting at line `i`: lines ending with the escape character
/// continue on the next non-empty, non-comment line. Returns the joined text, the byte
/// offset where it ends and the index of the next line.
fn read_logical(lines: &[(usize, &str)], mut i: usize, escape: char) -> (String, usize, usize) {
    let mut logical = String::new();
    loop {
        let (offset, current) = lines[i];
        let end = offset + current.len();
        i += 1;
        let Some(head) = current.trim_end().strip_suffix(escape) else {
            logical.push_str(current);
            return (logical, end, i);
        };
        logical.push_str(head);
        // Comment and empty lines inside a continuation are skipped.
        while i < lines.len() && is_blank_or_comment(lines[i].1) {
            i += 1;
        }
        if i >= lines.len() {
            return (logical, end, i);
        }
    }
}

fn is_blank_or_comment(line: &str) -> bool {
    let line = line.trim_start();
    line.is_empty() || line.starts_with('#')
}

/// Heredoc markers in `args`: `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'`; returns the
/// terminator word and whether leading tabs are stripped (`<<-`).
fn heredoc_words(args: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut quote: Option<char> = None;
    let mut i = 0;
    while i < args.len() {
        let rest = &args[i..];
        let Some(c) = rest.chars().next() else { break };
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if rest.starts_with("<<") && !rest.starts_with("<<<") => {
                if let Some(found) = heredoc_word(&rest[2..]) {
                    out.push(found);
                }
                i += 2;
                continue;
            }
            None => {}
        }
        i += c.len_utf8();
    }
    out
}

/// The terminator after `<<`: optional `-`, then a word, possibly quoted.
fn heredoc_word(tail: &str) -> Option<(String, bool)> {
    let strip_tabs = tail.starts_with('-');
    let tail = if strip_tabs { &tail[1..] } else { tail };
    let word: String = match tail.chars().next() {
        Some(q @ ('"' | '\'')) => tail[1..].chars().take_while(|c| *c != q).collect(),
        _ => tail
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect(),
    };
    (!word.is_empty()).then_some((word, strip_tabs))
}

/// Read a heredoc body from line `from` up to its terminator; returns the body and the
/// index of the line after the terminator (or the end when it is missing).
fn read_heredoc(
    lines: &[(usize, &str)],
    from: usize,
    word: &str,
    strip_tabs: bool,
) -> (String, usize) {
    let mut body = String::new();
    let mut i = from;
    while i < lines.len() {
        let line = lines[i].1;
        let candidate = if strip_tabs {
            line.trim_start_matches('\t')
        } else {
            line
        };
        i += 1;
        if candidate == word {
            break;
        }
        body.push_str(candidate);
        body.push('\n');
    }
    (body, i)
}

#[cfg(test)]
mod tests;
