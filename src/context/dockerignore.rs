//! `.dockerignore` parsing and matching with Docker's own rules.
//!
//! A port of moby/patternmatcher (`New`, `MatchesOrParentMatches`, `Pattern.compile`) and of
//! its `ignorefile.ReadAll`, plus the directory-walk rule of moby/go-archive's
//! `TarWithOptions` (an excluded directory is still walked when an exception pattern starts
//! with it). Paths are relative to the context root and use `/`.

use std::path::Path;

use super::ContextError;
use super::glob::{Kind, compile, go_dir, validate};

pub(crate) use super::glob::clean;

/// A pattern Docker would reject, with its 1-based line in the ignore file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PatternError {
    /// 1-based line (for `from_patterns`, the 1-based position in the list).
    pub(crate) line: usize,
    /// The pattern as written.
    pub(crate) pattern: String,
    /// Why Docker rejects it.
    pub(crate) message: String,
}

/// One cleaned pattern.
#[derive(Debug, Clone)]
struct Pattern {
    /// Cleaned pattern without its `!`.
    text: String,
    /// `!pattern`: re-includes what earlier patterns excluded.
    exclusion: bool,
    /// How it matches.
    kind: Kind,
}

/// The parsed rules of one `.dockerignore`. Later patterns win.
#[derive(Debug, Clone, Default)]
pub(crate) struct IgnoreRules {
    patterns: Vec<Pattern>,
}

impl IgnoreRules {
    /// Read `path` if it exists (no file means no rules).
    pub(crate) fn load(path: &Path) -> Result<IgnoreRules, ContextError> {
        let text = match std::fs::read(path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(IgnoreRules::default()),
            Err(e) => {
                return Err(ContextError::Unreadable {
                    path: path.to_path_buf(),
                    message: e.to_string(),
                });
            }
        };
        IgnoreRules::parse(&text).map_err(|e| ContextError::BadPattern {
            path: path.to_path_buf(),
            line: e.line,
            pattern: e.pattern,
            message: e.message,
        })
    }

    /// Parse the text of a `.dockerignore` the way docker/cli's `ignorefile.ReadAll` does:
    /// BOM stripped, lines starting with `#` skipped, whitespace trimmed, paths cleaned and
    /// a leading `/` removed (also after `!`).
    pub(crate) fn parse(text: &str) -> Result<IgnoreRules, PatternError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut patterns = Vec::new();
        for (index, raw) in text.split('\n').enumerate() {
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            if raw.starts_with('#') {
                continue;
            }
            let mut pattern = raw.trim();
            if pattern.is_empty() {
                continue;
            }
            let invert = pattern.starts_with('!');
            if invert {
                pattern = pattern[1..].trim();
            }
            let mut cleaned = String::new();
            if !pattern.is_empty() {
                cleaned = clean(pattern);
                if cleaned.len() > 1 && cleaned.starts_with('/') {
                    cleaned.remove(0);
                }
            }
            if invert {
                cleaned.insert(0, '!');
            }
            patterns.push((index + 1, cleaned));
        }
        IgnoreRules::build(patterns)
    }

    /// Build rules from a list of patterns as patternmatcher's `New` does (no comment
    /// handling; errors carry the 1-based position in the list as `line`).
    pub(crate) fn from_patterns<S: AsRef<str>>(
        patterns: &[S],
    ) -> Result<IgnoreRules, PatternError> {
        let numbered = patterns.iter().enumerate();
        IgnoreRules::build(
            numbered
                .map(|(i, p)| (i + 1, p.as_ref().to_string()))
                .collect(),
        )
    }

    fn build(lines: Vec<(usize, String)>) -> Result<IgnoreRules, PatternError> {
        let mut patterns = Vec::new();
        for (line, original) in lines {
            let trimmed = original.trim();
            if trimmed.is_empty() {
                continue;
            }
            let error = |message: String| PatternError {
                line,
                pattern: original.clone(),
                message,
            };
            let mut text = clean(trimmed);
            let exclusion = text.starts_with('!');
            if exclusion {
                if text.len() == 1 {
                    return Err(error("illegal exclusion pattern: \"!\"".to_string()));
                }
                text.remove(0);
            }
            validate(&text).map_err(error)?;
            let kind = compile(&text).map_err(error)?;
            patterns.push(Pattern {
                text,
                exclusion,
                kind,
            });
        }
        Ok(IgnoreRules { patterns })
    }

    /// Is `rel` (relative to the context, `/`-separated) excluded from the context?
    /// The path is cleaned first; the context root itself is never excluded.
    pub(crate) fn is_excluded(&self, rel: &str) -> bool {
        let rel = clean(rel);
        if rel == "." {
            return false;
        }
        self.matches_or_parent_matches(&rel)
    }

    /// patternmatcher's `MatchesOrParentMatches`: the last pattern that matches `file` or
    /// one of its parent directories decides; `file` is used as given.
    pub(crate) fn matches_or_parent_matches(&self, file: &str) -> bool {
        let parent = go_dir(file);
        let parent_dirs: Vec<&str> = parent.split('/').collect();
        let mut matched = false;
        for pattern in &self.patterns {
            if pattern.exclusion != matched {
                continue;
            }
            let mut hit = pattern.matches(file);
            if !hit && parent != "." {
                hit = (1..=parent_dirs.len()).any(|i| pattern.matches(&parent_dirs[..i].join("/")));
            }
            if hit {
                matched = !pattern.exclusion;
            }
        }
        matched
    }

    /// go-archive's walk rule for an excluded directory `dir`: it must still be walked when
    /// some exception pattern starts with `dir/` (e.g. `!dir/keep.txt`), because files
    /// under it may be re-included. Docker checks only this prefix, so `!**/keep` does not
    /// reach into an excluded directory.
    pub(crate) fn must_walk(&self, dir: &str) -> bool {
        let dir_slash = format!("{}/", clean(dir));
        self.patterns
            .iter()
            .any(|p| p.exclusion && format!("{}/", p.text).starts_with(&dir_slash))
    }
}

impl Pattern {
    fn matches(&self, path: &str) -> bool {
        match &self.kind {
            Kind::Exact => path == self.text,
            Kind::Prefix => path.starts_with(&self.text[..self.text.len() - 2]),
            Kind::Suffix => {
                let suffix = &self.text[2..];
                path.ends_with(suffix) || (suffix.starts_with('/') && path == &suffix[1..])
            }
            Kind::Regex(re) => re.is_match(path),
        }
    }
}

#[cfg(test)]
mod tests;
