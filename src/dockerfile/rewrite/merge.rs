//! `merge-runs`: consecutive `RUN` steps of one stage joined with `&&`.
//!
//! Only where joining keeps each step's meaning: adjacent instructions (nothing between
//! them but blank lines), shell form, no flags (`--mount`, `--network`, ... belong to one
//! step), no heredocs, no shell comment (the rest would be commented out), no `SHELL`
//! in the stage (another shell may not know `&&`). The first step may use any operator
//! but a trailing `&`; every later one only `&&` and `|`, because `a && b || c` would run
//! `c` when `a` fails, where two steps stop the build.

use super::words::script;
use super::{Edit, Input, edits_or, flags, unreadable_run};
use crate::dockerfile::parse::Instruction;

/// Can `ins` be part of a merge, and may it come after another step?
fn mergeable(input: &Input<'_>, ins: &Instruction) -> (bool, bool) {
    if ins.keyword != "RUN" || unreadable_run(ins).is_some() || !flags(ins).is_empty() {
        return (false, false);
    }
    let s = script(input.text, ins, input.df.escape);
    if s.comment || s.commands.is_empty() || s.operators().last() == Some("&") {
        return (false, false);
    }
    let follows = s.operators().all(|op| op == "&&" || op == "|");
    (true, follows)
}

/// `merge-runs`.
pub(super) fn merge_runs(input: &Input<'_>) -> Result<String, String> {
    let text = input.text;
    let esc = input.df.escape;
    let mut edits = Vec::new();
    let mut notes = Vec::new();
    for stage in &input.stages {
        let body = input.body(stage);
        if let Some(shell) = body.iter().find(|i| i.keyword == "SHELL") {
            notes.push(format!(
                "the stage at line {} sets SHELL (line {})",
                stage.line, shell.line
            ));
            continue;
        }
        let mut prev: Option<&Instruction> = None;
        for ins in body {
            let (ok, follows) = mergeable(input, ins);
            if ins.keyword == "RUN" && !ok {
                notes.push(reason(ins));
            }
            let Some(p) = prev.take() else {
                prev = ok.then_some(ins);
                continue;
            };
            let gap = &text[p.span.end..ins.span.start];
            if ok && follows && gap.trim().is_empty() {
                let s = script(text, ins, esc);
                edits.push(Edit {
                    range: p.span.end..s.start,
                    text: format!(" && {esc}\n    "),
                });
                prev = Some(ins);
            } else {
                prev = ok.then_some(ins);
            }
        }
    }
    edits_or(text, edits, || {
        let mut reason = "no two consecutive RUN steps of one stage can be joined".to_string();
        if !notes.is_empty() {
            reason.push_str(&format!(" ({})", notes.join("; ")));
        }
        reason
    })
}

fn reason(ins: &Instruction) -> String {
    if let Some(why) = unreadable_run(ins) {
        return why;
    }
    if !flags(ins).is_empty() {
        return format!("the RUN at line {} has {}", ins.line, flags(ins).join(" "));
    }
    format!("the RUN at line {} ends in a comment or `&`", ins.line)
}
