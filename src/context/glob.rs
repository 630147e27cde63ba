//! Docker's pattern syntax: Go's `filepath.Clean`/`Dir`, the syntax check patternmatcher
//! borrows from `filepath.Match`, and patternmatcher's `Pattern.compile` (pattern → exact,
//! prefix, suffix or regular-expression match).

use regex::Regex;

/// How a compiled pattern is matched (patternmatcher's `matchType`).
#[derive(Debug, Clone)]
pub(super) enum Kind {
    /// The path equals the pattern.
    Exact,
    /// `dir/**`: the path starts with the text before `**`.
    Prefix,
    /// `**/name`: the path ends with the text after `**`.
    Suffix,
    /// Anything else, as an anchored regular expression.
    Regex(Regex),
}

/// Go's `filepath.Clean` for `/`-separated paths.
pub(crate) fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|last| *last != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// Go's `filepath.Dir` for `/`-separated paths.
pub(super) fn go_dir(path: &str) -> String {
    match path.rfind('/') {
        Some(i) => clean(&path[..=i]),
        None => ".".to_string(),
    }
}

/// The syntax check patternmatcher gets from Go's `filepath.Match` (escapes and classes).
pub(super) fn validate(pattern: &str) -> Result<(), String> {
    let bad =
        || Err("syntax error in pattern (check `[...]` classes and `\\` escapes)".to_string());
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => {
                if i + 1 >= chars.len() {
                    return bad();
                }
                i += 2;
            }
            '[' => {
                i += 1;
                if chars.get(i) == Some(&'^') {
                    i += 1;
                }
                let mut ranges = 0;
                loop {
                    if chars.get(i) == Some(&']') && ranges > 0 {
                        i += 1;
                        break;
                    }
                    let Some(next) = class_char(&chars, i) else {
                        return bad();
                    };
                    i = next;
                    if chars[i] == '-' {
                        let Some(next) = class_char(&chars, i + 1) else {
                            return bad();
                        };
                        i = next;
                    }
                    ranges += 1;
                }
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// Go's `getEsc`: one (possibly escaped) class character at `i`; the index after it, which
/// must not be the end of the pattern.
fn class_char(chars: &[char], mut i: usize) -> Option<usize> {
    match chars.get(i)? {
        '-' | ']' => return None,
        '\\' => i += 1,
        _ => {}
    }
    chars.get(i)?;
    (i + 1 < chars.len()).then_some(i + 1)
}

/// The match type found while compiling (patternmatcher's `matchType`).
#[derive(Clone, Copy, PartialEq)]
enum Detected {
    Exact,
    Prefix,
    Suffix,
    Regex,
}

/// patternmatcher's `Pattern.compile` for the `/` separator.
pub(super) fn compile(pattern: &str) -> Result<Kind, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut re = String::from("^");
    let mut detected = Detected::Exact;
    let (mut pos, mut iteration) = (0, 0);
    while pos < chars.len() {
        let ch = chars[pos];
        pos += 1;
        detected = match ch {
            '*' if chars.get(pos) == Some(&'*') => {
                let kind = double_star(&chars, &mut pos, detected, &mut re);
                if iteration == 0 {
                    Detected::Suffix
                } else {
                    kind
                }
            }
            '*' => push(&mut re, "[^/]*"),
            '?' => push(&mut re, "[^/]"),
            '.' | '+' | '(' | ')' | '|' | '{' | '}' | '$' => {
                re.push('\\');
                re.push(ch);
                detected
            }
            '\\' => match chars.get(pos) {
                Some(next) => {
                    pos += 1;
                    push(&mut re, &format!("\\{next}"))
                }
                None => {
                    re.push_str("\\\\");
                    detected
                }
            },
            '[' | ']' => push(&mut re, &ch.to_string()),
            _ => {
                re.push(ch);
                detected
            }
        };
        iteration += 1;
    }
    Ok(match detected {
        Detected::Exact => Kind::Exact,
        Detected::Prefix => Kind::Prefix,
        Detected::Suffix => Kind::Suffix,
        Detected::Regex => {
            re.push('$');
            Kind::Regex(Regex::new(&re).map_err(|e| format!("invalid pattern: {e}"))?)
        }
    })
}

/// Append regex text that makes the pattern a regular-expression match.
fn push(re: &mut String, text: &str) -> Detected {
    re.push_str(text);
    Detected::Regex
}

/// A `**` (the first `*` already read, `pos` at the second): `**/` counts as `**`; at the
/// end it matches everything below (a prefix match when nothing special came before),
/// elsewhere any number of directories.
fn double_star(chars: &[char], pos: &mut usize, detected: Detected, re: &mut String) -> Detected {
    *pos += 1;
    if chars.get(*pos) == Some(&'/') {
        *pos += 1;
    }
    if *pos < chars.len() {
        push(re, "(.*/)?")
    } else if detected == Detected::Exact {
        Detected::Prefix
    } else {
        push(re, ".*")
    }
}
