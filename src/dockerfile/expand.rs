//! `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}` and `${VAR+alt}`
//! expansion, as BuildKit applies it to `FROM` with the global `ARG`s.

use std::collections::BTreeMap;

use super::DockerfileError;

/// Expand the variables of `word` with `vars` (name → value). A variable with no value is an
/// error naming `line`, except where a `-`/`+` form decides without it. The escape
/// character before `$` gives a literal `$`.
pub(super) fn expand(
    word: &str,
    vars: &BTreeMap<String, String>,
    escape: char,
    line: usize,
) -> Result<String, DockerfileError> {
    let chars: Vec<char> = word.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == escape && chars.get(i + 1) == Some(&'$') {
            out.push('$');
            i += 2;
        } else if c == '$' && chars.get(i + 1) == Some(&'{') {
            let close = find_close(&chars, i + 2).ok_or_else(|| DockerfileError::Syntax {
                line,
                message: format!("unterminated ${{...}} in '{word}': add the closing `}}`"),
            })?;
            let inner: String = chars[i + 2..close].iter().collect();
            out.push_str(&braced(&inner, vars, escape, line)?);
            i = close + 1;
        } else if c == '$' && chars.get(i + 1).is_some_and(|n| is_name_char(*n)) {
            let end = (i + 1..chars.len())
                .find(|j| !is_name_char(chars[*j]))
                .unwrap_or(chars.len());
            let name: String = chars[i + 1..end].iter().collect();
            out.push_str(value(&name, vars, line)?);
            i = end;
        } else {
            out.push(c);
            i += 1;
        }
    }
    Ok(out)
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Index of the `}` closing a `${` whose body starts at `from` (nested `${}` allowed).
fn find_close(chars: &[char], from: usize) -> Option<usize> {
    let mut depth = 0;
    for (j, c) in chars.iter().enumerate().skip(from) {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(j),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

fn value<'a>(
    name: &str,
    vars: &'a BTreeMap<String, String>,
    line: usize,
) -> Result<&'a str, DockerfileError> {
    vars.get(name)
        .map(String::as_str)
        .ok_or_else(|| DockerfileError::UnknownArg {
            line,
            name: name.to_string(),
        })
}

/// The body of `${...}`: a name, optionally followed by an operator and a word.
fn braced(
    inner: &str,
    vars: &BTreeMap<String, String>,
    escape: char,
    line: usize,
) -> Result<String, DockerfileError> {
    let name_end = inner
        .find(|c: char| !is_name_char(c))
        .unwrap_or(inner.len());
    let (name, rest) = inner.split_at(name_end);
    let current = vars.get(name);
    let set_nonempty = current.is_some_and(|v| !v.is_empty());
    let expand_word = |w: &str| expand(w, vars, escape, line);
    if rest.is_empty() {
        return value(name, vars, line).map(str::to_string);
    }
    if let Some(word) = rest.strip_prefix(":-") {
        return if set_nonempty {
            Ok(current.cloned().unwrap_or_default())
        } else {
            expand_word(word)
        };
    }
    if let Some(word) = rest.strip_prefix(":+") {
        return if set_nonempty {
            expand_word(word)
        } else {
            Ok(String::new())
        };
    }
    if let Some(word) = rest.strip_prefix('-') {
        return current.map_or_else(|| expand_word(word), |v| Ok(v.clone()));
    }
    if let Some(word) = rest.strip_prefix('+') {
        return if current.is_some() {
            expand_word(word)
        } else {
            Ok(String::new())
        };
    }
    Err(DockerfileError::Syntax {
        line,
        message: format!(
            "unsupported variable form '${{{inner}}}': use $VAR, ${{VAR}}, ${{VAR:-default}} or ${{VAR:+alt}}"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> BTreeMap<String, String> {
        BTreeMap::from([
            ("BASE".to_string(), "python".to_string()),
            ("TAG".to_string(), "3.9-slim".to_string()),
            ("EMPTY".to_string(), String::new()),
        ])
    }

    #[test]
    fn expands_plain_braced_and_default_forms() {
        let v = vars();
        let e = |w: &str| expand(w, &v, '\\', 1);
        assert_eq!(e("$BASE:${TAG}").as_deref(), Ok("python:3.9-slim"));
        assert_eq!(e("${MISSING:-ubuntu}:20.04").as_deref(), Ok("ubuntu:20.04"));
        assert_eq!(e("${EMPTY:-x}").as_deref(), Ok("x"));
        assert_eq!(e("${EMPTY-x}").as_deref(), Ok(""));
        assert_eq!(e("${TAG:+yes}${MISSING:+no}").as_deref(), Ok("yes"));
        assert_eq!(e("${MISSING:-${BASE}}").as_deref(), Ok("python"));
        assert_eq!(e("a\\$B").as_deref(), Ok("a$B"));
    }

    #[test]
    fn a_variable_without_value_names_the_line() {
        let err = expand("${NOPE}", &vars(), '\\', 7).expect_err("unknown");
        assert_eq!(
            err,
            DockerfileError::UnknownArg {
                line: 7,
                name: "NOPE".into()
            }
        );
        assert!(err.to_string().contains("line 7"));
    }
}
