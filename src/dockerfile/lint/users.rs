//! Lint rules about users and stages: packages hidden under /root, Python packages moved
//! between different bases, the final user, and unpinned bases.

use super::{Finding, Severity, finding, script};
use crate::dockerfile::from::Stage;
use crate::dockerfile::parse::{Dockerfile, Instruction};
use crate::dockerfile::reference::{is_pinned, same_reference};
use crate::dockerfile::shell::has_pip_user_install;

fn is_root_user(spec: &str) -> bool {
    let user = spec.split(':').next().unwrap_or(spec);
    user == "root" || user == "0"
}

/// Packages put under `/root` (by `pip install --user` as root or a `COPY` into `/root`)
/// while the stage later switches to a non-root `USER`: `/root` is mode 0700, so that user
/// cannot import them.
pub(super) fn root_local_unreadable(
    stage: &Stage,
    stages: &[Stage],
    df: &Dockerfile,
    out: &mut Vec<Finding>,
) {
    let body = &df.instructions[stage.body.clone()];
    let parent = stage.base_stage.and_then(|i| stages.get(i));
    let mut root = match last_user(parent, stages, df) {
        Some(user) => is_root_user(user.args.trim()),
        None => !root_image(stage, stages).contains("nonroot"),
    };
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
                let user_install = has_pip_user_install(&text);
                if user_install && root && placed.is_none() {
                    placed = Some((ins.line, "`pip install --user` as root installs packages"));
                } else if placed.is_some() && text.contains("/root") {
                    return; // moved, copied or re-permissioned: no longer sure.
                }
            }
            "COPY" | "ADD" => {
                let words = ins.words();
                let dest = words.last().map_or("", String::as_str);
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
pub(super) fn root_local_python_version(
    stage: &Stage,
    stages: &[Stage],
    body: &[Instruction],
    out: &mut Vec<Finding>,
) {
    for ins in body.iter().filter(|i| i.keyword == "COPY") {
        let Some(from) = ins.flag("from") else {
            continue;
        };
        let words = ins.words();
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
pub(super) fn unpinned_base(stage: &Stage, out: &mut Vec<Finding>) {
    if stage.base_is_image() && !stage.base.contains('$') && !is_pinned(&stage.base) {
        out.push(finding(stage.line, "unpinned-base", Severity::Warning,
            format!("`{}` has no version tag (it means :latest), so the build changes whenever that tag moves.", stage.base),
            "pin a version tag or a digest (`image:1.2@sha256:...`)."));
    }
}

/// The final stage (and the stages it builds on) set no `USER`, or end with `USER root`.
pub(super) fn final_user(stages: &[Stage], df: &Dockerfile, out: &mut Vec<Finding>) {
    let Some(last) = stages.last() else { return };
    if let Some(user) = last_user(Some(last), stages, df) {
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

/// The last `USER` of `stage` or, when it sets none, of the stages it builds on.
fn last_user<'a>(
    mut stage: Option<&'a Stage>,
    stages: &'a [Stage],
    df: &'a Dockerfile,
) -> Option<&'a Instruction> {
    while let Some(s) = stage {
        let body = &df.instructions[s.body.clone()];
        if let Some(user) = body.iter().rev().find(|i| i.keyword == "USER") {
            return Some(user);
        }
        stage = s.base_stage.and_then(|i| stages.get(i));
    }
    None
}
