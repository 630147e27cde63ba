//! Stages and `FROM` references: global `ARG`s and their expansion, references to earlier
//! stages (never images), `scratch`, and the rewrite that substitutes base images while
//! leaving every other byte of the Dockerfile as it was.

use std::collections::BTreeMap;
use std::ops::Range;

use super::DockerfileError;
use super::expand::{Missing, expand, expand_with};
use super::parse::{Dockerfile, Instruction, parse};
use super::reference::same_reference;

/// One build stage (`FROM ...` up to the next `FROM`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stage {
    /// 0-based stage index.
    pub(crate) index: usize,
    /// 1-based line of its `FROM`.
    pub(crate) line: usize,
    /// `AS` name, lower-cased as Docker compares it.
    pub(crate) name: Option<String>,
    /// The base after `ARG` expansion (an image reference, `scratch` or a stage name).
    pub(crate) base: String,
    /// Index of the earlier stage `base` names, if it names one.
    pub(crate) base_stage: Option<usize>,
    /// `--platform=` value as written.
    pub(crate) platform: Option<String>,
    /// Indices into [`Dockerfile::instructions`] of the stage's instructions after `FROM`.
    pub(crate) body: Range<usize>,
}

impl Stage {
    /// Is the base an image (neither `scratch` nor an earlier stage)?
    pub(crate) fn base_is_image(&self) -> bool {
        self.base_stage.is_none() && !self.base.eq_ignore_ascii_case("scratch")
    }
}

/// A `FROM` that names an image (not `scratch`, not an earlier stage).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FromRef {
    /// 1-based line of the `FROM`.
    pub(crate) line: usize,
    /// 0-based stage index.
    pub(crate) stage: usize,
    /// The stage's `AS` name (lower case).
    pub(crate) stage_name: Option<String>,
    /// The reference as requested, after `ARG` expansion.
    pub(crate) requested: String,
    /// `--platform=` value as written.
    pub(crate) platform: Option<String>,
    /// Is this the base the built image sits on: the last stage's base, followed through
    /// stage references (`FROM base AS final` after `FROM python AS base`)?
    pub(crate) final_stage: bool,
}

/// The automatic platform `ARG`s BuildKit defines in the global scope.
fn platform_args() -> BTreeMap<String, String> {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    };
    let platform = format!("linux/{arch}");
    let mut vars = BTreeMap::new();
    for prefix in ["BUILD", "TARGET"] {
        vars.insert(format!("{prefix}PLATFORM"), platform.clone());
        vars.insert(format!("{prefix}OS"), "linux".to_string());
        vars.insert(format!("{prefix}ARCH"), arch.to_string());
    }
    vars
}

/// Global `ARG NAME[=default]` declarations before the first `FROM`, with build arguments
/// overriding defaults. Declared names without any value are left out.
fn global_args(
    df: &Dockerfile,
    build_args: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, DockerfileError> {
    let mut vars = platform_args();
    for ins in &df.instructions {
        if ins.keyword == "FROM" {
            break;
        }
        if ins.keyword != "ARG" {
            continue;
        }
        for decl in ins.args.split_whitespace() {
            let (name, default) = match decl.split_once('=') {
                Some((n, d)) => (n, Some(unquote(d))),
                None => (decl, None),
            };
            let value = match (build_args.get(name), default) {
                (Some(v), _) => Some(v.clone()),
                // Like BuildKit, a variable without a value expands to nothing in an `ARG`
                // default (only `FROM` insists on a value).
                (None, Some(d)) => {
                    Some(expand_with(d, &vars, df.escape, ins.line, Missing::Empty)?)
                }
                (None, None) => None,
            };
            match value {
                Some(v) => vars.insert(name.to_string(), v),
                None => vars.remove(name),
            };
        }
    }
    Ok(vars)
}

fn unquote(s: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

/// The stages of a parsed Dockerfile. With `strict`, an unexpandable `FROM` is an error;
/// otherwise its base is kept as written.
pub(super) fn stages_of(
    df: &Dockerfile,
    build_args: &BTreeMap<String, String>,
    strict: bool,
) -> Result<Vec<Stage>, DockerfileError> {
    let vars = match global_args(df, build_args) {
        Ok(vars) => vars,
        Err(e) if strict => return Err(e),
        Err(_) => platform_args(),
    };
    let mut stages: Vec<Stage> = Vec::new();
    for (i, ins) in df.instructions.iter().enumerate() {
        if ins.keyword != "FROM" {
            if let Some(last) = stages.last_mut() {
                last.body.end = i + 1;
            }
            continue;
        }
        let (raw, name, platform) = split_from(ins)?;
        let base = match expand(&raw, &vars, df.escape, ins.line) {
            Ok(base) => base,
            Err(e) if strict => return Err(e),
            Err(_) => raw,
        };
        if base.is_empty() {
            return Err(DockerfileError::MissingImage { line: ins.line });
        }
        let lower = base.to_ascii_lowercase();
        let base_stage = stages
            .iter()
            .find(|s| s.name.as_deref() == Some(lower.as_str()))
            .map(|s| s.index);
        stages.push(Stage {
            index: stages.len(),
            line: ins.line,
            name,
            base,
            base_stage,
            platform,
            body: i + 1..i + 1,
        });
    }
    if stages.is_empty() {
        return Err(DockerfileError::NoFrom);
    }
    Ok(stages)
}

/// The words of a `FROM`: image as written, lower-cased `AS` name, `--platform=` value.
fn split_from(
    ins: &Instruction,
) -> Result<(String, Option<String>, Option<String>), DockerfileError> {
    let (flags, rest) = ins.flags_and_rest();
    let words: Vec<&str> = rest.split_whitespace().collect();
    let (raw, name) = match words.as_slice() {
        [image] => (*image, None),
        [image, as_kw, name] if as_kw.eq_ignore_ascii_case("as") => {
            (*image, Some(name.to_ascii_lowercase()))
        }
        [] => return Err(DockerfileError::MissingImage { line: ins.line }),
        _ => {
            return Err(DockerfileError::Syntax {
                line: ins.line,
                message: format!("'FROM {}' is not `FROM <image> [AS <name>]`", ins.args),
            });
        }
    };
    let platform = flags
        .iter()
        .find_map(|f| f.strip_prefix("--platform=").map(str::to_string));
    Ok((raw.to_string(), name, platform))
}

/// The stages of `text`, `FROM` references expanded with the global `ARG`s and
/// `build_args`.
pub(crate) fn stages(
    text: &str,
    build_args: &BTreeMap<String, String>,
) -> Result<Vec<Stage>, DockerfileError> {
    stages_of(&parse(text)?, build_args, true)
}

/// The `FROM` lines of `text` that name images, in order, references expanded with the
/// global `ARG`s (`build_args` override their defaults). Stage references and `scratch`
/// are left out.
pub(crate) fn resolve_bases(
    text: &str,
    build_args: &BTreeMap<String, String>,
) -> Result<Vec<FromRef>, DockerfileError> {
    let all = stages(text, build_args)?;
    let mut root = all.len() - 1;
    while let Some(parent) = all[root].base_stage {
        root = parent;
    }
    Ok(all
        .into_iter()
        .filter(Stage::base_is_image)
        .map(|s| FromRef {
            line: s.line,
            stage: s.index,
            final_stage: s.index == root,
            stage_name: s.name,
            requested: s.base,
            platform: s.platform,
        })
        .collect())
}

/// Replace the image token of every `FROM` whose expanded reference matches a key of
/// `substitutes` (Docker's normalisation: `ubuntu` == `docker.io/library/ubuntu:latest`)
/// with the mapped reference, written literally. Flags, `AS` names, stage references and
/// every other byte stay as they were.
pub(crate) fn rewrite_bases(
    text: &str,
    substitutes: &BTreeMap<String, String>,
    build_args: &BTreeMap<String, String>,
) -> Result<String, DockerfileError> {
    let df = parse(text)?;
    let all = stages_of(&df, build_args, true)?;
    let mut edits: Vec<(Range<usize>, &str)> = Vec::new();
    for stage in all.iter().filter(|s| s.base_is_image()) {
        let Some((_, actual)) = substitutes
            .iter()
            .find(|(k, _)| same_reference(k, &stage.base))
        else {
            continue;
        };
        let ins = df
            .instructions
            .iter()
            .find(|ins| ins.line == stage.line)
            .ok_or(DockerfileError::MissingImage { line: stage.line })?;
        let range = image_token(text, ins.span.clone(), df.escape)
            .ok_or(DockerfileError::MissingImage { line: stage.line })?;
        edits.push((range, actual.as_str()));
    }
    let mut out = text.to_string();
    for (range, actual) in edits.into_iter().rev() {
        out.replace_range(range, actual);
    }
    Ok(out)
}

/// Byte range of the image token of the `FROM` spanning `span`: the first word after the
/// keyword and the `--flags`, skipping line continuations.
fn image_token(text: &str, span: Range<usize>, escape: char) -> Option<Range<usize>> {
    let src = &text[span.clone()];
    let mut words = 0;
    let mut i = 0;
    while i < src.len() {
        let rest = &src[i..];
        let c = rest.chars().next()?;
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        if c == escape
            && rest[c.len_utf8()..]
                .trim_start_matches([' ', '\t', '\r'])
                .starts_with('\n')
        {
            i += c.len_utf8();
            continue;
        }
        let len = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let word = &rest[..len];
        words += 1;
        if words > 1 && !word.starts_with("--") {
            return Some(span.start + i..span.start + i + len);
        }
        i += len;
    }
    None
}

#[cfg(test)]
mod tests;
