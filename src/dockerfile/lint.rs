//! A conservative Dockerfile lint for the mistakes the seed article's Dockerfiles make.
//! A finding is only reported where it is true for the line it names.

use std::collections::BTreeMap;

use super::from::{Stage, stages_of};
use super::parse::{Dockerfile, Instruction, parse};
use super::reference::{is_pinned, same_reference};
use super::shell::{apt, commands, installs_dependencies, pip};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The image will not work as written.
    Error,
    /// Bigger, slower or less safe than it needs to be.
    Warning,
}

/// One lint finding.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// 1-based line of the instruction it is about.
    pub line: usize,
    /// Stable rule id (e.g. `apt-install-recommends`).
    pub rule: &'static str,
    /// How serious it is.
    pub severity: Severity,
    /// What is wrong, in one line.
    pub message: String,
    /// What to do about it, in one line.
    pub fix: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "line {}: {level} [{}]: {} Fix: {}",
            self.line, self.rule, self.message, self.fix
        )
    }
}

/// Lint `text`. A Dockerfile that cannot be read gives no findings (the build reports it).
pub fn lint(text: &str) -> Vec<Finding> {
    let Ok(df) = parse(text) else {
        return Vec::new();
    };
    let Ok(stages) = stages_of(&df, &BTreeMap::new(), false) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for stage in &stages {
        let body = &df.instructions[stage.body.clone()];
        run_rules(body, &mut out);
        copy_all_before_install(body, &mut out);
        root_local_unreadable(stage, body, &mut out);
        root_local_python_version(stage, &stages, body, &mut out);
        unpinned_base(stage, &mut out);
    }
    final_user(&stages, &df, &mut out);
    out.sort_by_key(|f| (f.line, f.rule));
    out
}

fn finding(
    line: usize,
    rule: &'static str,
    severity: Severity,
    message: String,
    fix: &str,
) -> Finding {
    Finding {
        line,
        rule,
        severity,
        message,
        fix: fix.to_string(),
    }
}

/// The script a `RUN` executes: exec form words, or shell form plus heredoc bodies.
fn script(ins: &Instruction) -> String {
    if let Some(words) = ins.exec_form() {
        return words.join(" ");
    }
    let (_, rest) = ins.flags_and_rest();
    let mut text = rest;
    for body in &ins.heredocs {
        text.push('\n');
        text.push_str(body);
    }
    text
}

fn has_cache_mount(ins: &Instruction) -> bool {
    ins.flags_and_rest()
        .0
        .iter()
        .any(|f| f.starts_with("--mount=") && f.contains("type=cache"))
}

/// apt and pip rules, one `RUN` at a time.
fn run_rules(body: &[Instruction], out: &mut Vec<Finding>) {
    let mut pip_cache_env = false;
    let mut recommends_configured = false;
    for ins in body {
        if ins.keyword == "ENV" && ins.args.contains("PIP_NO_CACHE_DIR") {
            pip_cache_env = true;
        }
        if ins.keyword != "RUN" {
            continue;
        }
        let text = script(ins);
        let cmds = commands(&text);
        let apt_sub = |name: &str| cmds.iter().filter_map(|c| apt(c)).any(|(s, _)| s == name);
        let updates = apt_sub("update");
        let installs = apt_sub("install") || apt_sub("upgrade") || apt_sub("dist-upgrade");
        let cached = has_cache_mount(ins);
        if updates && !installs {
            out.push(finding(ins.line, "apt-update-alone", Severity::Warning,
                "`apt-get update` runs in a RUN without an install: its cached layer leaves later installs with stale package lists.".into(),
                "update and install in one RUN: `apt-get update && apt-get install -y ...`."));
        }
        if updates && !cached && !(text.contains("rm ") && text.contains("/var/lib/apt/lists")) {
            out.push(finding(ins.line, "apt-lists-kept", Severity::Warning,
                "the apt package lists downloaded here are not removed in the same RUN, so they stay in this layer.".into(),
                "end the same RUN with `&& rm -rf /var/lib/apt/lists/*`."));
        }
        let lax = cmds.iter().filter_map(|c| apt(c)).any(|(s, args)| {
            s == "install"
                && !args.iter().any(|a| {
                    a == "--no-install-recommends"
                        || a.contains("Install-Recommends=false")
                        || a.contains("Install-Recommends=0")
                })
        });
        if lax && !recommends_configured {
            out.push(finding(ins.line, "apt-install-recommends", Severity::Warning,
                "`apt-get install` without `--no-install-recommends` also installs every recommended package.".into(),
                "add `--no-install-recommends` and list what the app needs."));
        }
        if text.contains("Install-Recommends") && text.contains("apt.conf") {
            recommends_configured = true;
        }
        let pip_cached = cmds
            .iter()
            .filter_map(|c| pip(c))
            .any(|(s, args)| s == "install" && !args.iter().any(|a| a == "--no-cache-dir"));
        if pip_cached && !pip_cache_env && !cached {
            out.push(finding(
                ins.line,
                "pip-cache",
                Severity::Warning,
                "`pip install` without `--no-cache-dir` leaves pip's download cache in the layer."
                    .into(),
                "add `--no-cache-dir` (or set `ENV PIP_NO_CACHE_DIR=1`).",
            ));
        }
    }
}

/// `COPY .` (the whole context) before a `RUN` that installs dependencies.
fn copy_all_before_install(body: &[Instruction], out: &mut Vec<Finding>) {
    for (i, ins) in body.iter().enumerate() {
        if ins.keyword != "COPY" && ins.keyword != "ADD" || ins.flag("from").is_some() {
            continue;
        }
        let (_, rest) = ins.flags_and_rest();
        let words: Vec<&str> = rest.split_whitespace().collect();
        let Some((_, sources)) = words.split_last() else {
            continue;
        };
        if !sources.iter().any(|s| matches!(*s, "." | "./")) {
            continue;
        }
        let later = body[i + 1..].iter().find(|later| {
            later.keyword == "RUN"
                && commands(&script(later))
                    .iter()
                    .any(|c| installs_dependencies(c))
        });
        if let Some(install) = later {
            out.push(finding(ins.line, "copy-all-before-install", Severity::Warning,
                format!("the whole context is copied before the dependency install at line {}: any code change re-runs that install.", install.line),
                "copy only the dependency lists (e.g. requirements.txt) before the install, and the rest after it."));
        }
    }
}

fn is_root_user(spec: &str) -> bool {
    let user = spec.split(':').next().unwrap_or(spec);
    user == "root" || user == "0"
}

/// Packages put under `/root` (by `pip install --user` as root or a `COPY` into `/root`)
/// while the stage later switches to a non-root `USER`: `/root` is mode 0700, so that user
/// cannot import them.
fn root_local_unreadable(stage: &Stage, body: &[Instruction], out: &mut Vec<Finding>) {
    let mut root = !stage.base.contains("nonroot");
    let mut placed: Option<(usize, &'static str)> = None;
    for ins in body {
        match ins.keyword.as_str() {
            "USER" if is_root_user(ins.args.trim()) => root = true,
            "USER" => {
                if let Some((line, how)) = placed {
                    out.push(finding(line, "root-local-unreadable", Severity::Error,
                        format!("{how} under /root, but USER {} (line {}) cannot read /root (mode 0700), so the app cannot import those packages.", ins.args.trim(), ins.line),
                        "install or copy the packages to a path that user can read (e.g. /home/<user>/.local or a venv in /opt) and chown it."));
                    return;
                }
                root = false;
            }
            "ENV" if ins.args.contains("PYTHONUSERBASE") => return,
            "RUN" => {
                let text = script(ins);
                let user_install =
                    commands(&text)
                        .iter()
                        .filter_map(|c| pip(c))
                        .any(|(s, args)| {
                            s == "install"
                                && args.iter().any(|a| a == "--user")
                                && !args
                                    .iter()
                                    .any(|a| a.starts_with("--prefix") || a.starts_with("--target"))
                        });
                if user_install && root && placed.is_none() {
                    placed = Some((ins.line, "`pip install --user` as root installs packages"));
                } else if placed.is_some() && text.contains("/root") {
                    return; // moved, copied or re-permissioned: no longer sure.
                }
            }
            "COPY" | "ADD" => {
                let (_, rest) = ins.flags_and_rest();
                let dest = rest.split_whitespace().last().unwrap_or("");
                if placed.is_none() && dest.starts_with("/root/") && dest.contains(".local") {
                    placed = Some((ins.line, "this copies Python packages"));
                }
            }
            _ => {}
        }
    }
}

/// The image a stage is finally built on, following references to earlier stages.
fn root_image(stage: &Stage, stages: &[Stage]) -> String {
    match stage.base_stage.and_then(|i| stages.get(i)) {
        Some(parent) => root_image(parent, stages),
        None => stage.base.clone(),
    }
}

/// `COPY --from=<stage> /root/.local` between stages on different base images.
fn root_local_python_version(
    stage: &Stage,
    stages: &[Stage],
    body: &[Instruction],
    out: &mut Vec<Finding>,
) {
    for ins in body.iter().filter(|i| i.keyword == "COPY") {
        let Some(from) = ins.flag("from") else {
            continue;
        };
        let (_, rest) = ins.flags_and_rest();
        let words: Vec<&str> = rest.split_whitespace().collect();
        let Some((_, sources)) = words.split_last() else {
            continue;
        };
        if !sources
            .iter()
            .any(|s| s.trim_end_matches('/').starts_with("/root/.local"))
        {
            continue;
        }
        let lower = from.to_ascii_lowercase();
        let builder = stages
            .iter()
            .find(|s| s.name.as_deref() == Some(lower.as_str()) || s.index.to_string() == lower);
        let builder_image = builder.map_or(from.clone(), |b| root_image(b, stages));
        let runtime_image = root_image(stage, stages);
        if same_reference(&builder_image, &runtime_image) {
            continue;
        }
        out.push(finding(ins.line, "root-local-python-version", Severity::Warning,
            format!("copies /root/.local from '{from}' ({builder_image}) into a stage on {runtime_image}: those packages only load under the same Python X.Y (lib/pythonX.Y/site-packages, compiled extensions); check the builder's Python version matches the runtime's."),
            "build the packages on an image with the runtime's Python version (or the runtime image itself)."));
    }
}

/// `FROM image` with `:latest` or no tag.
fn unpinned_base(stage: &Stage, out: &mut Vec<Finding>) {
    if stage.base_is_image() && !stage.base.contains('$') && !is_pinned(&stage.base) {
        out.push(finding(stage.line, "unpinned-base", Severity::Warning,
            format!("`{}` has no version tag (it means :latest), so the build changes whenever that tag moves.", stage.base),
            "pin a version tag or a digest (`image:1.2@sha256:...`)."));
    }
}

/// The final stage (and the stages it builds on) set no `USER`, or end with `USER root`.
fn final_user(stages: &[Stage], df: &Dockerfile, out: &mut Vec<Finding>) {
    let Some(last) = stages.last() else { return };
    let mut stage = Some(last);
    while let Some(s) = stage {
        let body = &df.instructions[s.body.clone()];
        if let Some(user) = body.iter().rev().find(|i| i.keyword == "USER") {
            if is_root_user(user.args.trim()) {
                out.push(finding(
                    user.line,
                    "final-user-root",
                    Severity::Warning,
                    "the final image runs as root.".into(),
                    "create an unprivileged user and end with `USER <name>`.",
                ));
            }
            return;
        }
        stage = s.base_stage.and_then(|i| stages.get(i));
    }
    let base = root_image(last, stages);
    if base.contains("nonroot") {
        return;
    }
    let fix = if base.contains("distroless") {
        "use the base's `:nonroot` variant or add `USER 65532`."
    } else {
        "create an unprivileged user (`useradd -r app`) and add `USER app`."
    };
    out.push(finding(last.line, "final-user-root", Severity::Warning,
        format!("the final stage sets no USER, so the app runs as {base}'s default user (root for ubuntu, debian, python, alpine and distroless bases)."),
        fix));
}

#[cfg(test)]
#[path = "lint_tests.rs"]
mod tests;
