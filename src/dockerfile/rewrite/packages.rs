//! Package-manager transformations: a flag added to the installs that lack it (apt's
//! `--no-install-recommends`, pip's `--no-cache-dir`, apk's `--no-cache`, dnf's weak
//! dependencies off), and the apt lists removed in the step that downloads them.

use super::words::{Command, Word, script};
use super::{Edit, Input, edits_or, flags, line_start, next_line, unreadable_run};
use crate::dockerfile::from::Stage;
use crate::dockerfile::lint::{has_cache_mount, script as run_script};
use crate::dockerfile::parse::Instruction;
use crate::dockerfile::shell::{apt, tool};

/// The word `sub` (e.g. `install`) of a command run by one of `names`, when it is that
/// program's subcommand.
fn sub_word<'c>(cmd: &'c Command, names: &[&str], sub: &str) -> Option<(&'c Word, Vec<String>)> {
    let strings = cmd.strings();
    let (found, args) = tool(&strings, names)?;
    if found != sub {
        return None;
    }
    let args = args.to_vec();
    let prog = cmd
        .words
        .iter()
        .position(|w| names.contains(&w.text.rsplit('/').next().unwrap_or("")))?;
    let word = cmd.words[prog + 1..].iter().find(|w| w.text == sub)?;
    Some((word, args))
}

/// What a flag transformation looks for.
struct FlagRule {
    /// The programs (`apt-get`, `apt`).
    names: &'static [&'static str],
    /// Their subcommand (`install`).
    sub: &'static str,
    /// The flag to add.
    flag: &'static str,
    /// Does an argument already say it?
    present: fn(&str) -> bool,
    /// Is the stage's RUN already covered another way (a cache mount, an ENV)?
    covered: fn(&Instruction, &[Instruction]) -> Option<&'static str>,
}

/// Add `rule.flag` after the subcommand of every matching command that lacks it.
fn add_flag(input: &Input<'_>, rule: &FlagRule) -> Result<String, String> {
    let mut edits = Vec::new();
    let mut notes = Vec::new();
    for stage in &input.stages {
        let body = input.body(stage);
        for (n, ins) in body.iter().enumerate() {
            if ins.keyword != "RUN" {
                continue;
            }
            let words = run_script(ins);
            let mentions = crate::dockerfile::shell::commands(&words)
                .iter()
                .any(|c| tool(c, rule.names).is_some_and(|(s, _)| s == rule.sub));
            if !mentions {
                continue;
            }
            if let Some(why) = unreadable_run(ins) {
                notes.push(why);
                continue;
            }
            if let Some(why) = (rule.covered)(ins, &body[..n]) {
                notes.push(format!("line {}: {why}", ins.line));
                continue;
            }
            let s = script(input.text, ins, input.df.escape);
            for cmd in &s.commands {
                let Some((word, args)) = sub_word(cmd, rule.names, rule.sub) else {
                    continue;
                };
                if args.iter().any(|a| (rule.present)(a)) {
                    continue;
                }
                edits.push(Edit::insert(word.range.end, format!(" {}", rule.flag)));
            }
        }
    }
    edits_or(input.text, edits, || {
        let mut reason = format!(
            "no `{} {}` without `{}`",
            rule.names[0], rule.sub, rule.flag
        );
        if !notes.is_empty() {
            reason.push_str(&format!(" that can be rewritten ({})", notes.join("; ")));
        }
        reason
    })
}

fn not_covered(_: &Instruction, _: &[Instruction]) -> Option<&'static str> {
    None
}

/// `apt-no-install-recommends`.
pub(super) fn apt_no_install_recommends(input: &Input<'_>) -> Result<String, String> {
    add_flag(
        input,
        &FlagRule {
            names: &["apt-get", "apt"],
            sub: "install",
            flag: "--no-install-recommends",
            present: |a| {
                a == "--no-install-recommends"
                    || a.contains("Install-Recommends=false")
                    || a.contains("Install-Recommends=0")
            },
            covered: |_, before| {
                before
                    .iter()
                    .any(|i| {
                        let s = run_script(i);
                        s.contains("Install-Recommends") && s.contains("apt.conf")
                    })
                    .then_some("an earlier step configures apt not to install recommends")
            },
        },
    )
}

/// `pip-no-cache-dir`.
pub(super) fn pip_no_cache_dir(input: &Input<'_>) -> Result<String, String> {
    let mut edits = Vec::new();
    let mut notes = Vec::new();
    for stage in &input.stages {
        let body = input.body(stage);
        for (n, ins) in body.iter().enumerate() {
            if ins.keyword != "RUN" {
                continue;
            }
            let plain = crate::dockerfile::shell::commands(&run_script(ins));
            if !plain
                .iter()
                .any(|c| crate::dockerfile::shell::pip(c).is_some_and(|(s, _)| s == "install"))
            {
                continue;
            }
            if let Some(why) = unreadable_run(ins) {
                notes.push(why);
                continue;
            }
            if has_cache_mount(ins) {
                notes.push(format!("line {}: pip's cache is a cache mount", ins.line));
                continue;
            }
            if body[..n]
                .iter()
                .any(|i| i.keyword == "ENV" && i.args.contains("PIP_NO_CACHE_DIR"))
            {
                notes.push(format!("line {}: ENV PIP_NO_CACHE_DIR is set", ins.line));
                continue;
            }
            let s = script(input.text, ins, input.df.escape);
            for cmd in &s.commands {
                let strings = cmd.strings();
                let Some((_, args)) =
                    crate::dockerfile::shell::pip(&strings).filter(|(s, _)| *s == "install")
                else {
                    continue;
                };
                if args.iter().any(|a| a == "--no-cache-dir") {
                    continue;
                }
                let Some(word) = pip_install_word(cmd) else {
                    continue;
                };
                edits.push(Edit::insert(word.range.end, " --no-cache-dir"));
            }
        }
    }
    edits_or(input.text, edits, || {
        let mut reason = "no `pip install` without `--no-cache-dir`".to_string();
        if !notes.is_empty() {
            reason.push_str(&format!(" that can be rewritten ({})", notes.join("; ")));
        }
        reason
    })
}

/// The `install` word of a pip command (`pip3 install`, `python3 -m pip install`).
fn pip_install_word(cmd: &Command) -> Option<&Word> {
    let prog = cmd.words.iter().position(|w| {
        let name = w.text.rsplit('/').next().unwrap_or("");
        name.strip_prefix("pip")
            .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
    })?;
    cmd.words[prog + 1..].iter().find(|w| w.text == "install")
}

/// `apk-no-cache`.
pub(super) fn apk_no_cache(input: &Input<'_>) -> Result<String, String> {
    add_flag(
        input,
        &FlagRule {
            names: &["apk"],
            sub: "add",
            flag: "--no-cache",
            present: |a| a == "--no-cache",
            covered: |ins, _| has_cache_mount(ins).then_some("apk's cache is a cache mount"),
        },
    )
}

/// `dnf-no-weak-deps`.
pub(super) fn dnf_no_weak_deps(input: &Input<'_>) -> Result<String, String> {
    add_flag(
        input,
        &FlagRule {
            names: &["dnf", "microdnf"],
            sub: "install",
            flag: "--setopt=install_weak_deps=False",
            present: |a| a.contains("install_weak_deps"),
            covered: not_covered,
        },
    )
}

/// apt subcommands that read the package lists.
fn reads_lists(sub: &str) -> bool {
    !matches!(
        sub,
        "update" | "clean" | "autoclean" | "autoremove" | "purge" | "remove"
    )
}

fn apt_subs(ins: &Instruction) -> Vec<String> {
    crate::dockerfile::shell::commands(&run_script(ins))
        .iter()
        .filter_map(|c| apt(c).map(|(s, _)| s.to_string()))
        .collect()
}

/// The first later step (in this stage after `after`, then in the stages built on it)
/// that runs apt on the lists without an `apt-get update` of its own before it.
fn later_reader(input: &Input<'_>, stage: &Stage, after: usize) -> Option<usize> {
    let reads = |ins: &Instruction| {
        if ins.keyword != "RUN" {
            return false;
        }
        for sub in apt_subs(ins) {
            if sub == "update" {
                return false;
            }
            if reads_lists(&sub) {
                return true;
            }
        }
        false
    };
    if let Some(i) = input.df.instructions[after + 1..stage.body.end]
        .iter()
        .find(|i| reads(i))
    {
        return Some(i.line);
    }
    input
        .stages
        .iter()
        .filter(|s| s.base_stage == Some(stage.index))
        .find_map(|child| later_reader(input, child, child.body.start.saturating_sub(1)))
}

/// Does the RUN remove the apt lists already?
fn removes_lists(ins: &Instruction) -> bool {
    let s = run_script(ins);
    s.contains("rm ") && s.contains("/var/lib/apt/lists")
}

/// `apt-lists-removed`.
pub(super) fn apt_lists_removed(input: &Input<'_>) -> Result<String, String> {
    let text = input.text;
    let esc = input.df.escape;
    let mut edits = Vec::new();
    let mut notes = Vec::new();
    for stage in &input.stages {
        let mut k = stage.body.start;
        while k < stage.body.end {
            let ins = &input.df.instructions[k];
            let subs = if ins.keyword == "RUN" {
                apt_subs(ins)
            } else {
                Vec::new()
            };
            if !subs.iter().any(|s| s == "update") || removes_lists(ins) {
                k += 1;
                continue;
            }
            if has_cache_mount(ins) {
                notes.push(format!("line {}: the lists are in a cache mount", ins.line));
                k += 1;
                continue;
            }
            if let Some(why) = unreadable_run(ins) {
                notes.push(why);
                k += 1;
                continue;
            }
            // An update alone is joined with the install that follows it.
            let alone = subs.iter().all(|s| s == "update");
            let mut holder = k;
            if alone {
                let next = input
                    .df
                    .instructions
                    .get(k + 1)
                    .filter(|_| k + 1 < stage.body.end);
                let joinable = next.is_some_and(|n| {
                    n.keyword == "RUN"
                        && unreadable_run(n).is_none()
                        && flags(n) == flags(ins)
                        && apt_subs(n).iter().any(|s| reads_lists(s))
                        && !apt_subs(n).iter().any(|s| s == "update")
                });
                if !joinable {
                    notes.push(format!(
                        "the `apt-get update` at line {} runs alone and the next step is not its install",
                        ins.line
                    ));
                    k += 1;
                    continue;
                }
                holder = k + 1;
            }
            if let Some(line) = later_reader(input, stage, holder) {
                notes.push(format!(
                    "line {line} runs apt on the lists the step at line {} downloads",
                    ins.line
                ));
                k = holder + 1;
                continue;
            }
            let hold = &input.df.instructions[holder];
            let s = script(text, hold, esc);
            if s.comment || s.operators().last() == Some("&") {
                notes.push(format!(
                    "the RUN at line {} ends in a comment or `&`",
                    hold.line
                ));
                k = holder + 1;
                continue;
            }
            if alone {
                let own = script(text, ins, esc);
                edits.push(Edit {
                    range: line_start(text, ins.span.start)..next_line(text, ins.span.end),
                    text: String::new(),
                });
                edits.push(Edit::insert(
                    s.start,
                    format!("{} && ", &text[own.start..ins.span.end]),
                ));
            }
            let tail = if text[hold.span.clone()].contains('\n') {
                format!(" && {esc}\n    rm -rf /var/lib/apt/lists/*")
            } else {
                " && rm -rf /var/lib/apt/lists/*".to_string()
            };
            edits.push(Edit::insert(hold.span.end, tail));
            k = holder + 1;
        }
    }
    edits_or(text, edits, || {
        if notes.is_empty() {
            "no `apt-get update` whose lists stay in its layer".to_string()
        } else {
            notes.join("; ")
        }
    })
}
