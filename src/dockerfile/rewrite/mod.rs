//! The transformations of `basebench optimize` (issue 14): named, documented, pure
//! rewrites of a parsed Dockerfile, each applicable only where its preconditions hold.
//!
//! Every transformation reads the parsed file ([`Input`]: the text, its instructions and
//! stages, and what the build context holds) and either says why it does not apply or
//! returns the rewritten text, made of byte edits at the instructions' spans, so every
//! byte it does not mean to change stays as it was (the model is `precompile.rs`).
//! [`all`] lists them in priority order; [`candidates`] runs every one over a Dockerfile
//! and gives each its text and unified diff. docs/OPTIMIZE.md describes each one.

use std::collections::BTreeMap;
use std::ops::Range;

use super::DockerfileError;
use super::from::{Stage, stages_of};
use super::parse::{Dockerfile, Instruction, parse};

mod diff;
mod ignore;
mod merge;
mod order;
mod packages;
mod user;
mod words;

pub(crate) use diff::unified_diff;

/// What the build context holds, as far as the transformations ask.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Context {
    /// The names of the context directory's top-level entries (`requirements.txt`, `.git`).
    pub(crate) entries: Vec<String>,
    /// The context's `.dockerignore` text, when it has one.
    pub(crate) dockerignore: Option<String>,
}

impl Context {
    /// Is `name` a top-level entry of the context?
    pub(crate) fn has(&self, name: &str) -> bool {
        self.entries.iter().any(|e| e == name)
    }
}

/// The parsed Dockerfile a transformation reads.
#[derive(Debug, Clone)]
pub(crate) struct Input<'a> {
    /// The Dockerfile text as read.
    pub(crate) text: &'a str,
    /// Its instructions.
    pub(crate) df: Dockerfile,
    /// Its stages (`FROM` references expanded where the global `ARG`s allow).
    pub(crate) stages: Vec<Stage>,
    /// The build context.
    pub(crate) context: &'a Context,
}

impl<'a> Input<'a> {
    /// Parse `text`; an error names the line it cannot read.
    pub(crate) fn new(text: &'a str, context: &'a Context) -> Result<Self, DockerfileError> {
        let df = parse(text)?;
        let stages = stages_of(&df, &BTreeMap::new(), false)?;
        Ok(Input {
            text,
            df,
            stages,
            context,
        })
    }

    /// The instructions of stage `s` after its `FROM`.
    fn body(&self, s: &Stage) -> &[Instruction] {
        &self.df.instructions[s.body.clone()]
    }

    /// The final stage (the built image).
    fn last_stage(&self) -> &Stage {
        // `stages_of` never returns an empty list.
        &self.stages[self.stages.len() - 1]
    }
}

/// Which file a transformation rewrites.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Target {
    /// The Dockerfile.
    Dockerfile,
    /// The context's `.dockerignore` (written whole: the existing lines plus the proposal).
    Dockerignore,
}

/// What a transformation is for, which decides when `optimize` keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Goal {
    /// A smaller image or a faster build or start: kept when it saves something.
    Savings,
    /// A safer image (not running as root): kept when it works and costs nothing
    /// measurable.
    Safety,
}

/// What a transformation does with a file: the rewritten text, or why it does not apply.
type Plan = fn(&Input<'_>) -> Result<String, String>;

/// One named transformation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Transformation {
    /// Its name, in kebab case (`apt-no-install-recommends`).
    pub(crate) name: &'static str,
    /// What it changes and why, in one sentence.
    pub(crate) doc: &'static str,
    /// The file it rewrites.
    pub(crate) target: Target,
    /// What it is for.
    pub(crate) goal: Goal,
    plan: Plan,
}

impl Transformation {
    /// Why it does not apply to `input`; `None` when it does.
    pub(crate) fn applies(&self, input: &Input<'_>) -> Option<String> {
        (self.plan)(input).err()
    }

    /// The rewritten text, when it applies.
    pub(crate) fn apply(&self, input: &Input<'_>) -> Option<String> {
        (self.plan)(input).ok()
    }
}

static ALL: &[Transformation] = &[
    Transformation {
        name: "apt-no-install-recommends",
        doc: "adds `--no-install-recommends` to every `apt-get install` that lacks it: only the packages asked for, not everything they recommend",
        target: Target::Dockerfile,
        goal: Goal::Savings,
        plan: packages::apt_no_install_recommends,
    },
    Transformation {
        name: "apt-lists-removed",
        doc: "joins an `apt-get update` that runs alone with the install that follows it and removes /var/lib/apt/lists in that same RUN, so the package lists never stay in a layer",
        target: Target::Dockerfile,
        goal: Goal::Savings,
        plan: packages::apt_lists_removed,
    },
    Transformation {
        name: "pip-no-cache-dir",
        doc: "adds `--no-cache-dir` to every `pip install` that lacks it: pip's download cache stays out of the layer",
        target: Target::Dockerfile,
        goal: Goal::Savings,
        plan: packages::pip_no_cache_dir,
    },
    Transformation {
        name: "apk-no-cache",
        doc: "adds `--no-cache` to every `apk add` that lacks it: the APK index is not kept in the layer",
        target: Target::Dockerfile,
        goal: Goal::Savings,
        plan: packages::apk_no_cache,
    },
    Transformation {
        name: "dnf-no-weak-deps",
        doc: "adds `--setopt=install_weak_deps=False` to every `dnf`/`microdnf install` that lacks it, dnf's counterpart of apt's recommends",
        target: Target::Dockerfile,
        goal: Goal::Savings,
        plan: packages::dnf_no_weak_deps,
    },
    Transformation {
        name: "merge-runs",
        doc: "joins consecutive RUN steps of a stage into one with `&&`: one layer instead of several, and files a later step deletes no longer stay in an earlier layer",
        target: Target::Dockerfile,
        goal: Goal::Savings,
        plan: merge::merge_runs,
    },
    Transformation {
        name: "layer-order",
        doc: "copies only the dependency manifests before the dependency install and the rest of the context after it, so a code change no longer re-runs the install",
        target: Target::Dockerfile,
        goal: Goal::Savings,
        plan: order::layer_order,
    },
    Transformation {
        name: "non-root-user",
        doc: "runs the app as a non-root user (created where the base needs it) and installs `pip --user` packages under /opt/python-user, which that user can read, instead of /root/.local, which it cannot",
        target: Target::Dockerfile,
        goal: Goal::Safety,
        plan: user::non_root_user,
    },
    Transformation {
        name: "dockerignore",
        doc: "proposes .dockerignore lines for the bulk the context carries and the image never uses (.git, caches, virtualenvs, node_modules)",
        target: Target::Dockerignore,
        goal: Goal::Savings,
        plan: ignore::dockerignore,
    },
];

/// Every transformation, in priority order.
pub(crate) fn all() -> &'static [Transformation] {
    ALL
}

/// One transformation over one Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct Candidate {
    /// The transformation's name.
    pub(crate) name: &'static str,
    /// What it does.
    pub(crate) doc: &'static str,
    /// The file it rewrites.
    pub(crate) target: Target,
    /// What it is for.
    pub(crate) goal: Goal,
    /// Does it apply?
    pub(crate) applies: bool,
    /// Why not, when it does not.
    pub(crate) reason_if_not: Option<String>,
    /// The rewritten file, when it applies.
    pub(crate) text: Option<String>,
    /// The unified diff from the original file, when it applies.
    pub(crate) diff: Option<String>,
}

/// Every transformation over `text` (the Dockerfile at `label`, as the diff names it),
/// in [`all`]'s order; an error when the Dockerfile cannot be read.
pub(crate) fn candidates(
    text: &str,
    context: &Context,
    label: &str,
) -> Result<Vec<Candidate>, DockerfileError> {
    let input = Input::new(text, context)?;
    Ok(all()
        .iter()
        .map(|t| {
            let (original, name) = match t.target {
                Target::Dockerfile => (text, label.to_string()),
                Target::Dockerignore => (
                    context.dockerignore.as_deref().unwrap_or(""),
                    ".dockerignore".to_string(),
                ),
            };
            let result = t
                .apply(&input)
                .ok_or_else(|| t.applies(&input).unwrap_or_default());
            let diff = result
                .as_ref()
                .ok()
                .map(|new| unified_diff(original, new, &name, &format!("{name} ({})", t.name)));
            Candidate {
                name: t.name,
                doc: t.doc,
                target: t.target,
                goal: t.goal,
                applies: result.is_ok(),
                reason_if_not: result.as_ref().err().cloned(),
                text: result.ok(),
                diff,
            }
        })
        .collect())
}

/// The Dockerfile transformations named in `names` applied one after another to `text`,
/// in [`all`]'s order, each to the result of the ones before it (parsed again): the
/// combined text, the ones applied, and each one that no longer applied with why.
pub(crate) fn combine(
    text: &str,
    context: &Context,
    names: &[&str],
) -> Result<Combined, DockerfileError> {
    let mut combined = Combined {
        text: text.to_string(),
        applied: Vec::new(),
        skipped: Vec::new(),
    };
    for t in all()
        .iter()
        .filter(|t| t.target == Target::Dockerfile && names.contains(&t.name))
    {
        let current = combined.text.clone();
        let input = Input::new(&current, context)?;
        match (t.plan)(&input) {
            Ok(next) => {
                combined.text = next;
                combined.applied.push(t.name);
            }
            Err(why) => combined.skipped.push((t.name, why)),
        }
    }
    Ok(combined)
}

/// What [`combine`] made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Combined {
    /// The Dockerfile with every transformation that still applied.
    pub(crate) text: String,
    /// Those transformations, in the order applied.
    pub(crate) applied: Vec<&'static str>,
    /// The ones that no longer applied after the others, with why.
    pub(crate) skipped: Vec<(&'static str, String)>,
}

/// A replacement of the bytes `range` of the text by `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Edit {
    range: Range<usize>,
    text: String,
}

impl Edit {
    fn insert(at: usize, text: impl Into<String>) -> Self {
        Edit {
            range: at..at,
            text: text.into(),
        }
    }
}

/// `text` with `edits` made (in any order; they must not overlap).
fn apply_edits(text: &str, mut edits: Vec<Edit>) -> String {
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for e in edits {
        debug_assert!(e.range.start >= at, "overlapping edits");
        out.push_str(&text[at..e.range.start.max(at)]);
        out.push_str(&e.text);
        at = e.range.end.max(at);
    }
    out.push_str(&text[at..]);
    out
}

/// The edits, or the reason when there are none.
fn edits_or(
    text: &str,
    edits: Vec<Edit>,
    reason: impl FnOnce() -> String,
) -> Result<String, String> {
    if edits.is_empty() {
        Err(reason())
    } else {
        Ok(apply_edits(text, edits))
    }
}

/// The start of the line `offset` is on.
fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

/// The start of the line after the one `offset` is on (or the end of the text).
fn next_line(text: &str, offset: usize) -> usize {
    text[offset..]
        .find('\n')
        .map_or(text.len(), |i| offset + i + 1)
}

/// Why `ins` (a `RUN`) cannot be read word by word: exec form or heredoc.
fn unreadable_run(ins: &Instruction) -> Option<String> {
    if !ins.heredocs.is_empty() {
        return Some(format!("the RUN at line {} is a heredoc", ins.line));
    }
    if ins.exec_form().is_some() {
        return Some(format!("the RUN at line {} is exec form", ins.line));
    }
    None
}

/// The `--flags` of an instruction, as written.
fn flags(ins: &Instruction) -> Vec<String> {
    ins.flags_and_rest().0
}

/// Is the user spec root?
fn is_root(spec: &str) -> bool {
    matches!(spec.split(':').next().unwrap_or(spec).trim(), "root" | "0")
}

#[cfg(test)]
mod tests;
