//! `layer-order`: the dependency manifests copied and installed before the rest of the
//! context, so a code change re-runs only what follows the install.
//!
//! Where a stage copies the whole context (`COPY . <dest>`) and the next `RUN` installs
//! dependencies, the `COPY .` becomes a copy of only the manifests that install reads
//! (`requirements.txt`, `pyproject.toml` + `poetry.lock`, `package.json` + its lock,
//! `go.mod` + `go.sum`, `Cargo.toml` + `Cargo.lock`, ...), and the `COPY .` itself moves
//! after the install. Preconditions: only metadata (`ENV`, `ARG`, `LABEL`, `EXPOSE`,
//! `USER`, and `WORKDIR` when the destination is absolute) between the two, an install
//! step that runs nothing but installs (anything else may read the code), no install of
//! the project itself (`pip install .`, `poetry install` without `--no-root`), and every
//! manifest it needs present at the context's top level.

use super::{Edit, Input, edits_or, flags, line_start, next_line, unreadable_run};
use crate::dockerfile::lint::script as run_script;
use crate::dockerfile::parse::Instruction;
use crate::dockerfile::shell::{apt, commands, installs_dependencies, pip, program};

/// Is `ins` a `COPY`/`ADD` of the whole context? Its destination, then.
fn copies_everything(ins: &Instruction) -> Option<String> {
    if !matches!(ins.keyword.as_str(), "COPY" | "ADD") || ins.flag("from").is_some() {
        return None;
    }
    let words = ins.words();
    match words.as_slice() {
        [src, dest] if src == "." || src == "./" => Some(dest.clone()),
        _ => None,
    }
}

/// The manifests the command reads from the context, or why it cannot move.
fn manifests(cmd: &[String], input: &Input<'_>, line: usize) -> Result<Vec<String>, String> {
    let ctx = input.context;
    let need = |names: &[&str], optional: &[&str]| -> Result<Vec<String>, String> {
        let mut out = Vec::new();
        for n in names {
            if !ctx.has(n) {
                return Err(format!(
                    "line {line} needs {n}, which the context does not have"
                ));
            }
            out.push(n.to_string());
        }
        out.extend(
            optional
                .iter()
                .filter(|n| ctx.has(n))
                .map(|n| n.to_string()),
        );
        Ok(out)
    };
    if let Some((_, args)) = pip(cmd) {
        let mut files = Vec::new();
        let mut i = 0;
        while i < args.len() {
            let a = args[i].as_str();
            let file = match a {
                "-r" | "--requirement" | "-c" | "--constraint" => {
                    i += 1;
                    args.get(i).cloned()
                }
                _ => ["--requirement=", "--constraint=", "-r", "-c"]
                    .iter()
                    .find_map(|p| a.strip_prefix(p).map(str::to_string)),
            };
            if let Some(f) = file {
                if f.contains('/') || !ctx.has(&f) {
                    return Err(format!(
                        "line {line} installs from {f}, which is not at the context's top level"
                    ));
                }
                files.push(f);
            } else if a == "-e" || a == "--editable" || a == "." || a.starts_with("./") {
                return Err(format!(
                    "line {line} installs the project itself, which needs the code"
                ));
            } else if !a.starts_with('-') && (a.contains('/') || a.starts_with('.')) {
                return Err(format!(
                    "line {line} installs from the path {a}, which needs the code"
                ));
            }
            i += 1;
        }
        return Ok(files);
    }
    if apt(cmd).is_some() {
        return Ok(Vec::new());
    }
    let prog = program(cmd);
    let name = prog
        .first()
        .map_or("", |p| p.rsplit('/').next().unwrap_or(""));
    match name {
        "npm" | "yarn" | "pnpm" => need(
            &["package.json"],
            &[
                "package-lock.json",
                "npm-shrinkwrap.json",
                "yarn.lock",
                "pnpm-lock.yaml",
                ".npmrc",
                ".yarnrc.yml",
            ],
        ),
        "poetry" if !prog.iter().any(|w| w == "--no-root") => Err(format!(
            "line {line} runs `poetry install` without `--no-root`, which installs the project itself"
        )),
        "poetry" => need(&["pyproject.toml"], &["poetry.lock"]),
        "pipenv" => need(&["Pipfile"], &["Pipfile.lock"]),
        "go" => need(&["go.mod"], &["go.sum"]),
        "cargo" => need(&["Cargo.toml"], &["Cargo.lock"]),
        "bundle" => need(&["Gemfile"], &["Gemfile.lock"]),
        "composer" => need(&["composer.json"], &["composer.lock"]),
        "apk" => Ok(Vec::new()),
        _ => Err(format!("line {line} runs `{name}`")),
    }
}

/// Does the command only tidy up after an install (`rm`, `apt-get clean`, `apt-get update`)?
fn tidy(cmd: &[String]) -> bool {
    let prog = program(cmd);
    matches!(prog.first().map(String::as_str), Some("rm" | "true"))
        || apt(cmd).is_some_and(|(s, _)| matches!(s, "update" | "clean"))
}

/// `layer-order`.
pub(super) fn layer_order(input: &Input<'_>) -> Result<String, String> {
    let text = input.text;
    let mut edits = Vec::new();
    let mut notes = Vec::new();
    for stage in &input.stages {
        let body = input.body(stage);
        let Some((at, dest)) = body
            .iter()
            .enumerate()
            .find_map(|(n, i)| copies_everything(i).map(|d| (n, d)))
        else {
            continue;
        };
        let copy = &body[at];
        let mut between = Vec::new();
        let mut install = None;
        for ins in &body[at + 1..] {
            if ins.keyword == "RUN" {
                install = Some(ins);
                break;
            }
            between.push(ins);
        }
        let Some(install) = install else {
            notes.push(format!("no RUN follows the COPY . at line {}", copy.line));
            continue;
        };
        match plan(input, copy, &dest, &between, install) {
            Ok(files) => {
                let copy_text = &text[copy.span.clone()];
                if files.is_empty() {
                    edits.push(Edit {
                        range: line_start(text, copy.span.start)..next_line(text, copy.span.end),
                        text: String::new(),
                    });
                } else {
                    let mut dir = dest.clone();
                    if !dir.ends_with('/') {
                        dir.push('/');
                    }
                    let mut words = flags(copy);
                    words.extend(files);
                    words.push(dir);
                    edits.push(Edit {
                        range: copy.span.clone(),
                        text: format!("{} {}", copy.keyword, words.join(" ")),
                    });
                }
                edits.push(Edit::insert(install.span.end, format!("\n{copy_text}")));
            }
            Err(why) => notes.push(why),
        }
    }
    edits_or(text, edits, || {
        if notes.is_empty() {
            "no stage copies the whole context (`COPY . <dest>`) before its dependency install"
                .to_string()
        } else {
            notes.join("; ")
        }
    })
}

/// The manifests to copy before `install`, or why the install cannot move before `copy`.
fn plan(
    input: &Input<'_>,
    copy: &Instruction,
    dest: &str,
    between: &[&Instruction],
    install: &Instruction,
) -> Result<Vec<String>, String> {
    for ins in between {
        match ins.keyword.as_str() {
            "WORKDIR" if !dest.starts_with('/') => {
                return Err(format!(
                    "WORKDIR (line {}) between the COPY . at line {} and the install changes where its relative destination {dest} goes",
                    ins.line, copy.line
                ));
            }
            "ENV" | "ARG" if dest.contains('$') => {
                return Err(format!(
                    "{} (line {}) may change the destination {dest}",
                    ins.keyword, ins.line
                ));
            }
            "WORKDIR" | "ENV" | "ARG" | "LABEL" | "EXPOSE" | "USER" => {}
            other => {
                return Err(format!(
                    "{other} (line {}) between the COPY . at line {} and the next RUN",
                    ins.line, copy.line
                ));
            }
        }
    }
    if let Some(why) = unreadable_run(install) {
        return Err(why);
    }
    let cmds = commands(&run_script(install));
    if !cmds.iter().any(|c| installs_dependencies(c)) {
        return Err(format!(
            "the RUN at line {} after the COPY . at line {} installs no dependencies",
            install.line, copy.line
        ));
    }
    let mut files = Vec::new();
    for cmd in &cmds {
        if tidy(cmd) {
            continue;
        }
        if !installs_dependencies(cmd) {
            return Err(format!(
                "the install at line {} also runs `{}`, which may read the code",
                install.line,
                cmd.join(" ")
            ));
        }
        for f in manifests(cmd, input, install.line)? {
            if !files.contains(&f) {
                files.push(f);
            }
        }
    }
    Ok(files)
}
