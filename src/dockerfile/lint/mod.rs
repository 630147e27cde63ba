//! A conservative Dockerfile lint for the mistakes the seed article's Dockerfiles make.
//! A finding is only reported where it is true for the line it names.

use std::collections::BTreeMap;

pub(crate) mod bytecode;
mod packages;
mod users;

use super::from::stages_of;
use super::parse::{Instruction, parse};
pub(crate) use bytecode::bytecode as bytecode_findings;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Severity {
    /// The image will not work as written.
    Error,
    /// Bigger, slower or less safe than it needs to be.
    Warning,
}

/// One lint finding.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct Finding {
    /// 1-based line of the instruction it is about.
    pub(crate) line: usize,
    /// Stable rule id (e.g. `apt-install-recommends`).
    pub(crate) rule: &'static str,
    /// How serious it is.
    pub(crate) severity: Severity,
    /// What is wrong, in one line.
    pub(crate) message: String,
    /// What to do about it, in one line.
    pub(crate) fix: String,
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
pub(crate) fn lint(text: &str) -> Vec<Finding> {
    let Ok(df) = parse(text) else {
        return Vec::new();
    };
    let Ok(stages) = stages_of(&df, &BTreeMap::new(), false) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for stage in &stages {
        let body = &df.instructions[stage.body.clone()];
        packages::apt_and_pip(body, &mut out);
        packages::copy_all_before_install(body, &mut out);
        users::root_local_unreadable(stage, &stages, &df, &mut out);
        users::root_local_python_version(stage, &stages, body, &mut out);
        users::unpinned_base(stage, &mut out);
    }
    users::final_user(&stages, &df, &mut out);
    out.sort_by_key(|f| (f.line, f.rule));
    out
}

pub(super) fn finding(
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
pub(super) fn script(ins: &Instruction) -> String {
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

pub(super) fn has_cache_mount(ins: &Instruction) -> bool {
    ins.flags_and_rest()
        .0
        .iter()
        .any(|f| f.starts_with("--mount=") && f.contains("type=cache"))
}

#[cfg(test)]
mod tests;
