//! The core of the `precompile-bytecode` transformation (for `basebench optimize`, which
//! issue 14 wires up): a pure rewrite of a Dockerfile that adds one step compiling the
//! final image's Python modules, so no container start has to (docs/ANATOMY.md,
//! "Bytecode").
//!
//! The step is exec form (`RUN ["/usr/bin/python3.11", "-m", "compileall", ...]`), so it
//! needs no shell (distroless has none). It goes into the final stage after the last
//! instruction that installs into it (a `RUN` that installs dependencies, or a
//! `COPY`/`ADD --from=` that brings a build stage's files), else right after its `FROM`;
//! never after the app's own `COPY`, whose every change would then compile everything
//! again. A non-root `USER` in effect there is switched to root around the step (the
//! caches go into root's directories) and back. Every other byte stays as it was.

use std::collections::BTreeMap;

use super::DockerfileError;
use super::from::stages_of;
use super::lint::script;
use super::parse::{Dockerfile, Instruction, parse};
use super::shell::{commands, installs_dependencies};

/// What to compile: the interpreter (by its path: the image may have no `python3` on
/// `PATH`) and the directories (standard library, package trees).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Precompile {
    /// `/usr/bin/python3.11`.
    pub(crate) python: String,
    /// `/usr/lib/python3.11`, `/root/.local/lib/python3.11/site-packages`, ...
    pub(crate) dirs: Vec<String>,
}

/// Where the step goes in the final stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Placement {
    /// 1-based line of the instruction the step follows (the final `FROM` or an install).
    pub(crate) after_line: usize,
    /// Byte offset in the text where the step is inserted (a line start, or the end).
    offset: usize,
    /// A non-root `USER` of the final stage in effect there.
    user: Option<String>,
}

/// Where [`precompile_bytecode`] would put the step; `None` when the final stage already
/// runs `compileall`; an error when the text has no `FROM`.
pub(crate) fn placement(text: &str) -> Result<Option<Placement>, DockerfileError> {
    let df = parse(text)?;
    let stages = stages_of(&df, &BTreeMap::new(), false)?;
    let Some(last) = stages.last() else {
        return Ok(None);
    };
    let body = &df.instructions[last.body.clone()];
    if body
        .iter()
        .any(|i| i.keyword == "RUN" && script(i).contains("compileall"))
    {
        return Ok(None);
    }
    let from = last.body.start.saturating_sub(1);
    let mut after = from;
    for (n, ins) in body.iter().enumerate() {
        if installs(ins) {
            after = last.body.start + n;
        }
    }
    let upto = if after == from {
        0
    } else {
        after + 1 - last.body.start
    };
    let user = body[..upto]
        .iter()
        .rfind(|i| i.keyword == "USER")
        .map(|i| i.args.trim().to_string())
        .filter(|u| !is_root(u));
    Ok(Some(Placement {
        after_line: df.instructions[after].line,
        offset: offset_after(text, &df, after),
        user,
    }))
}

/// `RUN` installing dependencies, or `COPY` / `ADD` from another stage or image.
fn installs(ins: &Instruction) -> bool {
    match ins.keyword.as_str() {
        "RUN" => commands(&script(ins))
            .iter()
            .any(|c| installs_dependencies(c)),
        "COPY" | "ADD" => ins.flag("from").is_some(),
        _ => false,
    }
}

fn is_root(user: &str) -> bool {
    matches!(user.split(':').next().unwrap_or(user), "root" | "0")
}

/// The start of the line after instruction `n` (after its heredoc bodies: the next
/// instruction's line), or the end of the text.
fn offset_after(text: &str, df: &Dockerfile, n: usize) -> usize {
    let ins = &df.instructions[n];
    if ins.heredocs.is_empty() {
        return text[ins.span.end..]
            .find('\n')
            .map_or(text.len(), |i| ins.span.end + i + 1);
    }
    df.instructions.get(n + 1).map_or(text.len(), |next| {
        text[..next.span.start].rfind('\n').map_or(0, |i| i + 1)
    })
}

/// The exec-form step: `RUN ["/usr/bin/python3.11", "-m", "compileall", "-q", DIRS...]`.
pub(crate) fn step(p: &Precompile) -> String {
    let words: Vec<String> = [p.python.as_str(), "-m", "compileall", "-q"]
        .into_iter()
        .chain(p.dirs.iter().map(String::as_str))
        .map(|w| serde_json::Value::String(w.to_string()).to_string())
        .collect();
    format!("RUN [{}]", words.join(", "))
}

/// The Dockerfile with the compile step added (see the module); `None` when the final
/// stage already compiles.
#[allow(
    dead_code,
    reason = "the transformation of `basebench optimize`, which issue 14 wires up"
)]
pub(crate) fn precompile_bytecode(
    text: &str,
    p: &Precompile,
) -> Result<Option<String>, DockerfileError> {
    let Some(at) = placement(text)? else {
        return Ok(None);
    };
    let mut insert = String::new();
    if at.offset == text.len() && !text.is_empty() && !text.ends_with('\n') {
        insert.push('\n');
    }
    insert.push_str(
        "# Precompile the Python modules once, at build time: no container start compiles them.\n",
    );
    if at.user.is_some() {
        insert.push_str("USER root\n");
    }
    insert.push_str(&step(p));
    insert.push('\n');
    if let Some(user) = &at.user {
        insert.push_str(&format!("USER {user}\n"));
    }
    let mut out = String::with_capacity(text.len() + insert.len());
    out.push_str(&text[..at.offset]);
    out.push_str(&insert);
    out.push_str(&text[at.offset..]);
    Ok(Some(out))
}

#[cfg(test)]
mod tests;
