//! `non-root-user`: the app runs as a user that is not root and can read what it imports.
//!
//! Two edits, each where it is needed:
//!
//! - **Relocating `pip install --user`.** Run as root it installs into `/root/.local`,
//!   and `/root` is mode 0700: a non-root user cannot import from it (the article's slim
//!   recipe, which cannot start). The install gets `ENV PYTHONUSERBASE=/opt/python-user`
//!   before it, a `COPY --from=<stage> /root/.local /root/...` becomes a copy of
//!   `/opt/python-user`, and the final stage sets `PYTHONUSERBASE` (Python then puts that
//!   user site on `sys.path` for any user) and its `bin` on `PATH`.
//! - **Creating a user.** A final stage that runs as root gets a user: `adduser -D` on
//!   Alpine, `useradd` elsewhere, before the stage's first `COPY`/`ADD` from the build
//!   context (so a code change does not run it again; at the `USER` line when the stage
//!   copies nothing from it), and `USER` before its trailing metadata (`CMD`,
//!   `ENTRYPOINT`, `EXPOSE`, ...): `USER nonroot` alone on distroless (its images carry
//!   that user); not on `scratch`, which has no user database.

use super::{Edit, Input, edits_or, flags, is_root, line_start};
use crate::dockerfile::from::Stage;
use crate::dockerfile::lint::script as run_script;
use crate::dockerfile::parse::Instruction;
use crate::dockerfile::shell::has_pip_user_install;

const PREFIX: &str = "/opt/python-user";

/// Does the RUN install with `pip install --user` (into the user's home)?
fn pip_user(ins: &Instruction) -> bool {
    ins.keyword == "RUN" && has_pip_user_install(&run_script(ins))
}

/// The image a stage is built on at the root of its chain of stages.
fn root_image<'s>(input: &'s Input<'_>, stage: &'s Stage) -> &'s str {
    match stage.base_stage.and_then(|i| input.stages.get(i)) {
        Some(parent) => root_image(input, parent),
        None => &stage.base,
    }
}

/// The `USER` in effect at the start of `stage` (from the stages it is built on).
fn inherited_user(input: &Input<'_>, stage: &Stage) -> Option<String> {
    let parent = input.stages.get(stage.base_stage?)?;
    input
        .body(parent)
        .iter()
        .rfind(|i| i.keyword == "USER")
        .map(|i| i.args.trim().to_string())
        .or_else(|| inherited_user(input, parent))
}

/// The stage a `--from=` names (a stage name or index), if it names one.
fn from_stage<'s>(input: &'s Input<'_>, from: &str) -> Option<&'s Stage> {
    let lower = from.to_ascii_lowercase();
    input
        .stages
        .iter()
        .find(|s| s.name.as_deref() == Some(lower.as_str()))
        .or_else(|| from.parse::<usize>().ok().and_then(|i| input.stages.get(i)))
}

/// The ENV line the final stage needs to find the relocated packages.
fn runtime_env() -> String {
    format!("ENV PYTHONUSERBASE={PREFIX} PATH={PREFIX}/bin:$PATH")
}

/// Edits moving `pip install --user` out of /root; notes where it cannot.
fn relocate(input: &Input<'_>, edits: &mut Vec<Edit>) -> Result<(), String> {
    let text = input.text;
    let last = input.last_stage();
    let body = input.body(last);
    if body
        .iter()
        .any(|i| i.keyword == "ENV" && i.args.contains("PYTHONUSERBASE"))
    {
        return Ok(());
    }
    let mut root = inherited_user(input, last).is_none_or(|u| is_root(&u))
        && !root_image(input, last).contains("nonroot");
    let mut builders: Vec<usize> = Vec::new();
    for ins in body {
        match ins.keyword.as_str() {
            "USER" => root = is_root(ins.args.trim()),
            "RUN" if root && pip_user(ins) => {
                edits.push(Edit::insert(
                    line_start(text, ins.span.start),
                    format!("{}\n", runtime_env()),
                ));
                return Ok(());
            }
            "COPY" | "ADD" => {
                let Some(from) = ins.flag("from") else {
                    continue;
                };
                let words = ins.words();
                let [src, dest] = words.as_slice() else {
                    continue;
                };
                let src = src.trim_end_matches('/');
                if src != "/root/.local" || !dest.starts_with("/root") {
                    continue;
                }
                let Some(stage) = from_stage(input, &from) else {
                    return Err(format!(
                        "line {} copies /root/.local from {from}, not from a stage of this Dockerfile",
                        ins.line
                    ));
                };
                let sbody = input.body(stage);
                if sbody
                    .iter()
                    .any(|i| i.keyword == "ENV" && i.args.contains("PYTHONUSERBASE"))
                {
                    return Err(format!(
                        "the stage at line {} already sets PYTHONUSERBASE",
                        stage.line
                    ));
                }
                if let Some(other) = body
                    .iter()
                    .chain(sbody)
                    .find(|i| i.line != ins.line && i.args.contains("/root/.local"))
                {
                    return Err(format!(
                        "line {} refers to /root/.local, which the relocation would leave behind",
                        other.line
                    ));
                }
                let Some(install) = sbody.iter().find(|i| pip_user(i)) else {
                    return Err(format!(
                        "line {} copies /root/.local from the stage at line {}, where no `pip install --user` puts it",
                        ins.line, stage.line
                    ));
                };
                if !builders.contains(&stage.index) {
                    builders.push(stage.index);
                    edits.push(Edit::insert(
                        line_start(text, install.span.start),
                        format!("ENV PYTHONUSERBASE={PREFIX}\n"),
                    ));
                }
                let mut words = flags(ins);
                words.extend([PREFIX.to_string(), PREFIX.to_string()]);
                edits.push(Edit {
                    range: ins.span.clone(),
                    text: format!("{} {}\n{}", ins.keyword, words.join(" "), runtime_env()),
                });
            }
            _ => {}
        }
    }
    Ok(())
}

/// The line creating a user on `image` (none on distroless, whose images carry
/// `nonroot`) and the `USER` line, or why there is none.
fn user_lines(image: &str) -> Result<(Option<&'static str>, &'static str), String> {
    let lower = image.to_ascii_lowercase();
    if lower == "scratch" {
        Err("the final stage is FROM scratch, which has no user database to add a user to".into())
    } else if lower.contains("distroless") {
        Ok((None, "USER nonroot\n"))
    } else if lower.contains("alpine") {
        Ok((Some("RUN adduser -D -u 10001 app\n"), "USER app\n"))
    } else {
        Ok((
            Some("RUN useradd --create-home --uid 10001 app\n"),
            "USER app\n",
        ))
    }
}

/// `non-root-user`.
pub(super) fn non_root_user(input: &Input<'_>) -> Result<String, String> {
    let text = input.text;
    let last = input.last_stage();
    let body = input.body(last);
    let user = body
        .iter()
        .rfind(|i| i.keyword == "USER")
        .map(|i| i.args.trim().to_string())
        .or_else(|| inherited_user(input, last));
    let image = root_image(input, last);
    let as_root = match &user {
        Some(u) => is_root(u),
        None => !image.contains("nonroot"),
    };
    let mut edits = Vec::new();
    if as_root {
        let (create, switch) = user_lines(image)?;
        // The user is created before the stage's first copy from the build context, so a
        // code change does not run it again; it is switched to after the last RUN.
        let first_context_copy = body
            .iter()
            .find(|i| matches!(i.keyword.as_str(), "COPY" | "ADD") && i.flag("from").is_none());
        let create_at = create.and_then(|line| Some((first_context_copy?, line)));
        if let Some((ins, line)) = create_at {
            edits.push(Edit::insert(line_start(text, ins.span.start), line));
        }
        let lines = match (create, create_at) {
            (Some(line), None) => format!("{line}{switch}"),
            _ => switch.to_string(),
        };
        let trailing = body
            .iter()
            .rposition(|i| {
                !matches!(
                    i.keyword.as_str(),
                    "CMD" | "ENTRYPOINT" | "EXPOSE" | "HEALTHCHECK" | "LABEL" | "STOPSIGNAL"
                )
            })
            .map_or(0, |n| n + 1);
        let edit = match body.get(trailing) {
            Some(ins) => Edit::insert(line_start(text, ins.span.start), lines),
            None if text.ends_with('\n') || text.is_empty() => Edit::insert(text.len(), lines),
            None => Edit::insert(text.len(), format!("\n{lines}")),
        };
        edits.push(edit);
    }
    relocate(input, &mut edits)?;
    edits_or(text, edits, || {
        format!(
            "the final stage runs as {} and reads nothing under /root",
            user.unwrap_or_else(|| "a non-root user".into())
        )
    })
}
