//! Lint rules about package installs: apt lists and recommends, pip's cache, and copying
//! the whole context before the dependency install.

use super::{Finding, Severity, finding, has_cache_mount, script};
use crate::dockerfile::parse::Instruction;
use crate::dockerfile::shell::{apt, commands, installs_dependencies, pip};

/// apt and pip rules, one `RUN` at a time.
pub(super) fn apt_and_pip(body: &[Instruction], out: &mut Vec<Finding>) {
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
        apt_rules(ins, &text, &cmds, recommends_configured, out);
        if text.contains("Install-Recommends") && text.contains("apt.conf") {
            recommends_configured = true;
        }
        let pip_cached = cmds
            .iter()
            .filter_map(|c| pip(c))
            .any(|(sub, args)| sub == "install" && !args.iter().any(|a| a == "--no-cache-dir"));
        if pip_cached && !pip_cache_env && !has_cache_mount(ins) {
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

/// `apt-get update` alone, apt lists left in the layer, installs with recommends.
fn apt_rules(
    ins: &Instruction,
    text: &str,
    cmds: &[Vec<String>],
    recommends_configured: bool,
    out: &mut Vec<Finding>,
) {
    let has = |name: &str| {
        cmds.iter()
            .filter_map(|c| apt(c))
            .any(|(sub, _)| sub == name)
    };
    let updates = has("update");
    let installs = has("install") || has("upgrade") || has("dist-upgrade");
    if updates && !installs {
        out.push(finding(
            ins.line,
            "apt-update-alone",
            Severity::Warning,
            "`apt-get update` runs in a RUN without an install: its cached layer leaves later installs with stale package lists.".into(),
            "update and install in one RUN: `apt-get update && apt-get install -y ...`.",
        ));
    }
    let removes_lists = text.contains("rm ") && text.contains("/var/lib/apt/lists");
    if updates && !has_cache_mount(ins) && !removes_lists {
        out.push(finding(
            ins.line,
            "apt-lists-kept",
            Severity::Warning,
            "the apt package lists downloaded here are not removed in the same RUN, so they stay in this layer.".into(),
            "end the same RUN with `&& rm -rf /var/lib/apt/lists/*`.",
        ));
    }
    let lax = cmds.iter().filter_map(|c| apt(c)).any(|(sub, args)| {
        sub == "install"
            && !args.iter().any(|a| {
                a == "--no-install-recommends"
                    || a.contains("Install-Recommends=false")
                    || a.contains("Install-Recommends=0")
            })
    });
    if lax && !recommends_configured {
        out.push(finding(
            ins.line,
            "apt-install-recommends",
            Severity::Warning,
            "`apt-get install` without `--no-install-recommends` also installs every recommended package.".into(),
            "add `--no-install-recommends` and list what the app needs.",
        ));
    }
}

/// `COPY .` (the whole context) before a `RUN` that installs dependencies.
pub(super) fn copy_all_before_install(body: &[Instruction], out: &mut Vec<Finding>) {
    for (i, ins) in body.iter().enumerate() {
        if ins.keyword != "COPY" && ins.keyword != "ADD" || ins.flag("from").is_some() {
            continue;
        }
        let words = ins.words();
        let Some((_, sources)) = words.split_last() else {
            continue;
        };
        if !sources.iter().any(|s| matches!(s.as_str(), "." | "./")) {
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
