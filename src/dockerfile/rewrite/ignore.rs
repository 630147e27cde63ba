//! `dockerignore`: `.dockerignore` lines proposed for the bulk a context carries and an
//! image never uses. Pure: it reads the context's top-level entry names and its
//! `.dockerignore` text, and proposes a line for each of `.git`, `__pycache__`,
//! virtualenvs (`.venv`, `venv`), tool caches and `node_modules` that is present, not
//! ignored already, not named by a `COPY`/`ADD` source, and (for `.git`) not read by a
//! `git` command in a `RUN`.

use super::Input;
use crate::context::dockerignore::IgnoreRules;
use crate::dockerfile::copy::copy_sources;
use crate::dockerfile::lint::script as run_script;
use crate::dockerfile::shell::commands;

/// The entries proposed, each with the line that ignores it everywhere in the context.
const BULK: &[(&str, &str)] = &[
    (".git", ".git"),
    ("__pycache__", "**/__pycache__"),
    (".venv", ".venv"),
    ("venv", "venv"),
    ("node_modules", "node_modules"),
    (".mypy_cache", ".mypy_cache"),
    (".pytest_cache", ".pytest_cache"),
    (".tox", ".tox"),
];

/// `dockerignore`: the whole proposed `.dockerignore` (the existing text, then the lines).
pub(super) fn dockerignore(input: &Input<'_>) -> Result<String, String> {
    let existing = input.context.dockerignore.as_deref().unwrap_or("");
    let rules = IgnoreRules::parse(existing)
        .map_err(|e| format!(".dockerignore line {}: {}", e.line, e.message))?;
    let copied: Vec<String> = copy_sources(input.text)
        .into_iter()
        .map(|s| {
            let s = s.source.trim_start_matches("./").to_string();
            s.split('/').next().unwrap_or("").to_string()
        })
        .collect();
    let runs_git = input.df.instructions.iter().any(|i| {
        i.keyword == "RUN"
            && commands(&run_script(i))
                .iter()
                .any(|c| c.iter().any(|w| w == "git"))
    });
    let mut lines = Vec::new();
    let mut kept = Vec::new();
    for (entry, line) in BULK {
        if !input.context.has(entry) || rules.is_excluded(entry) {
            continue;
        }
        if copied.iter().any(|c| c == entry) || (*entry == ".git" && runs_git) {
            kept.push(*entry);
            continue;
        }
        lines.push(*line);
    }
    if lines.is_empty() {
        let mut reason =
            "the context has no .git, cache, virtualenv or node_modules that .dockerignore leaves in".to_string();
        if !kept.is_empty() {
            reason.push_str(&format!(" (the Dockerfile uses {})", kept.join(", ")));
        }
        return Err(reason);
    }
    let mut out = existing.to_string();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str("# Proposed by basebench optimize: context bulk the image never uses.\n");
    for line in lines {
        out.push_str(line);
        out.push('\n');
    }
    Ok(out)
}
