//! Tests of the transformations: every one on the article's recipes (one snapshot per
//! recipe: each transformation's diff, or why it does not apply) and on the cases where it
//! must not apply. Every rewrite is also checked to be complete: run again on its own
//! output, the transformation no longer applies.

#![allow(clippy::unwrap_used)]

use super::*;
use crate::dockerfile::lint::lint;

fn ctx(entries: &[&str]) -> Context {
    Context {
        entries: entries.iter().map(|e| e.to_string()).collect(),
        dockerignore: None,
    }
}

fn the(name: &str) -> &'static Transformation {
    all().iter().find(|t| t.name == name).unwrap()
}

/// The rewritten text, checked to parse and to leave nothing more for the same
/// transformation to do.
fn rewrite(name: &str, text: &str, context: &Context) -> String {
    let t = the(name);
    let input = Input::new(text, context).unwrap();
    let out = t
        .apply(&input)
        .unwrap_or_else(|| panic!("{name} applies: {:?}", t.applies(&input)));
    if t.target == Target::Dockerfile {
        let again = Input::new(&out, context).expect("the rewrite parses");
        assert!(
            t.apply(&again).is_none(),
            "{name} applies again to its own output:\n{out}"
        );
    }
    out
}

/// Why `name` does not apply.
fn reason(name: &str, text: &str, context: &Context) -> String {
    let input = Input::new(text, context).unwrap();
    the(name).applies(&input).expect("does not apply")
}

/// Every candidate of a recipe: its diff or why it does not apply.
fn summary(text: &str, context: &Context) -> String {
    let mut out = String::new();
    for c in candidates(text, context, "Dockerfile").unwrap() {
        match (&c.diff, &c.reason_if_not) {
            (Some(diff), _) => out.push_str(&format!("## {}: applies\n{diff}\n", c.name)),
            (_, Some(why)) => out.push_str(&format!("## {}: no: {why}\n\n", c.name)),
            _ => unreachable!(),
        }
    }
    out
}

fn app_context() -> Context {
    ctx(&["app.py", "requirements.txt"])
}

#[test]
fn the_articles_bloated_recipe() {
    let text = include_str!("../../../variants/article/Dockerfile.bloated");
    insta::assert_snapshot!(summary(text, &app_context()));
}

#[test]
fn the_articles_ubuntu_optimized_recipe() {
    let text = include_str!("../../../variants/article/Dockerfile.ubuntu-optimized");
    insta::assert_snapshot!(summary(text, &app_context()));
}

#[test]
fn the_articles_slim_recipe() {
    let text = include_str!("../../../variants/article/Dockerfile.slim");
    insta::assert_snapshot!(summary(text, &app_context()));
}

#[test]
fn the_articles_alpine_recipe() {
    let text = include_str!("../../../variants/article/Dockerfile.alpine");
    insta::assert_snapshot!(summary(text, &app_context()));
}

#[test]
fn the_articles_distroless_recipe() {
    let text = include_str!("../../../variants/article/Dockerfile.distroless");
    insta::assert_snapshot!(summary(text, &app_context()));
}

#[test]
fn every_article_rewrite_parses_and_is_complete() {
    for text in [
        include_str!("../../../variants/article/Dockerfile.bloated"),
        include_str!("../../../variants/article/Dockerfile.ubuntu-optimized"),
        include_str!("../../../variants/article/Dockerfile.slim"),
        include_str!("../../../variants/article/Dockerfile.alpine"),
        include_str!("../../../variants/article/Dockerfile.distroless"),
    ] {
        let c = app_context();
        let input = Input::new(text, &c).unwrap();
        for t in all().iter().filter(|t| t.target == Target::Dockerfile) {
            if t.apply(&input).is_some() {
                rewrite(t.name, text, &app_context());
            }
        }
    }
}

#[test]
fn the_slim_repair_clears_the_lints_unreadable_packages() {
    let text = include_str!("../../../variants/article/Dockerfile.slim");
    assert!(lint(text).iter().any(|f| f.rule == "root-local-unreadable"));
    let out = rewrite("non-root-user", text, &app_context());
    assert!(!lint(&out).iter().any(|f| f.rule == "root-local-unreadable"));
}

#[test]
fn the_bloated_recipes_lint_findings_are_fixed_by_their_transformations() {
    let text = include_str!("../../../variants/article/Dockerfile.bloated");
    for (rule, name) in [
        ("apt-install-recommends", "apt-no-install-recommends"),
        ("apt-lists-kept", "apt-lists-removed"),
        ("apt-update-alone", "apt-lists-removed"),
        ("pip-cache", "pip-no-cache-dir"),
        ("final-user-root", "non-root-user"),
    ] {
        assert!(lint(text).iter().any(|f| f.rule == rule), "{rule}");
        let out = rewrite(name, text, &app_context());
        assert!(
            !lint(&out).iter().any(|f| f.rule == rule),
            "{name} fixes {rule}"
        );
    }
}

#[test]
fn apt_lists_stay_when_a_later_step_reads_them() {
    let text = "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl\nRUN apt-get install -y git\n";
    let why = reason("apt-lists-removed", text, &ctx(&[]));
    assert!(why.contains("line 4 runs apt"), "{why}");
    // ... also when the later step is in a stage built on this one.
    let text = "FROM debian:12 AS base\nRUN apt-get update && apt-get install -y curl\nFROM base\nRUN apt-get install -y git\n";
    let why = reason("apt-lists-removed", text, &ctx(&[]));
    assert!(why.contains("line 4 runs apt"), "{why}");
}

#[test]
fn apt_update_is_joined_with_its_install_and_the_lists_removed() {
    let text =
        "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y \\\n    curl\nCMD [\"curl\"]\n";
    insta::assert_snapshot!(rewrite("apt-lists-removed", text, &ctx(&[])));
}

#[test]
fn a_cache_mount_is_left_alone() {
    let text = "# syntax=docker/dockerfile:1\nFROM debian:12\nRUN --mount=type=cache,target=/var/lib/apt/lists apt-get update && apt-get install -y --no-install-recommends curl\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask\nRUN --mount=type=cache,target=/root/.cache/pip pip install requests\n";
    let c = ctx(&[]);
    assert!(reason("apt-lists-removed", text, &c).contains("cache mount"));
    assert!(reason("pip-no-cache-dir", text, &c).contains("cache mount"));
    let why = reason("merge-runs", text, &c);
    assert!(why.contains("--mount=type=cache"), "{why}");
}

#[test]
fn heredocs_are_not_rewritten() {
    let text = "# syntax=docker/dockerfile:1\nFROM debian:12\nRUN <<EOF\napt-get update\napt-get install -y curl\npip install flask\nEOF\nRUN echo done\n";
    let c = ctx(&[]);
    for name in [
        "apt-no-install-recommends",
        "apt-lists-removed",
        "pip-no-cache-dir",
        "merge-runs",
    ] {
        let why = reason(name, text, &c);
        assert!(why.contains("heredoc"), "{name}: {why}");
    }
}

#[test]
fn arg_before_from_and_platform_stages_keep_their_boundaries() {
    let text = "ARG PY=3.12\nFROM --platform=$BUILDPLATFORM python:${PY}-slim AS build\nRUN pip install --user flask\nRUN pip install --user requests\n\nFROM --platform=$TARGETPLATFORM python:${PY}-slim\nRUN echo one\nRUN echo two\nCOPY --from=build /root/.local /root/.local\nUSER nobody\nCMD [\"python\"]\n";
    let c = ctx(&[]);
    insta::assert_snapshot!(
        "merge_runs_platform_stages",
        rewrite("merge-runs", text, &c)
    );
    insta::assert_snapshot!(
        "non_root_platform_stages",
        rewrite("non-root-user", text, &c)
    );
    // Two RUN steps on either side of a stage boundary are never joined.
    let text = "FROM --platform=$BUILDPLATFORM debian:12 AS a\nRUN echo a\nFROM --platform=$TARGETPLATFORM debian:12\nRUN echo b\n";
    assert!(reason("merge-runs", text, &c).starts_with("no two consecutive RUN"));
}

#[test]
fn merging_continues_lines_with_the_files_escape_character() {
    let text = "# escape=`\nFROM debian:12\nRUN echo a\nRUN echo b\n";
    assert_eq!(
        rewrite("merge-runs", text, &ctx(&[])),
        "# escape=`\nFROM debian:12\nRUN echo a && `\n    echo b\n"
    );
}

#[test]
fn merging_stops_where_a_later_step_would_change_meaning() {
    let text = "FROM debian:12\nRUN a; b\nRUN c || d\nRUN e && f | g\nRUN h # comment\nRUN i\n";
    insta::assert_snapshot!(rewrite("merge-runs", text, &ctx(&[])));
}

#[test]
fn already_applied_transformations_say_so() {
    let text = include_str!("../../../variants/article/Dockerfile.ubuntu-optimized");
    let c = app_context();
    assert!(reason("apt-no-install-recommends", text, &c).starts_with("no `apt-get install`"));
    assert!(reason("apt-lists-removed", text, &c).starts_with("no `apt-get update`"));
    assert!(reason("pip-no-cache-dir", text, &c).starts_with("no `pip install`"));
    assert!(reason("non-root-user", text, &c).contains("runs as appuser"));
    let configured = "FROM debian:12\nRUN echo 'APT::Install-Recommends \"false\";' > /etc/apt/apt.conf.d/90norecs\nRUN apt-get install -y curl\n";
    assert!(reason("apt-no-install-recommends", configured, &c).contains("configures apt"));
    let env = "FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask\n";
    assert!(reason("pip-no-cache-dir", env, &c).contains("PIP_NO_CACHE_DIR"));
}

#[test]
fn layer_order_copies_the_manifests_the_install_reads_first() {
    let text = "FROM python:3.12-slim\nCOPY --chown=app . /app\nWORKDIR /app\nRUN pip install --no-cache-dir -r requirements.txt -c constraints.txt\nCMD [\"python\", \"app.py\"]\n";
    let c = ctx(&["app.py", "requirements.txt", "constraints.txt"]);
    insta::assert_snapshot!("layer_order_pip", rewrite("layer-order", text, &c));
    let node = "FROM node:22\nWORKDIR /srv\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"index.js\"]\n";
    let c = ctx(&[
        "index.js",
        "package.json",
        "package-lock.json",
        "node_modules",
    ]);
    insta::assert_snapshot!("layer_order_npm", rewrite("layer-order", node, &c));
    let go =
        "FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN go mod download\nRUN go build -o /app .\n";
    let c = ctx(&["go.mod", "go.sum", "main.go"]);
    insta::assert_snapshot!("layer_order_go", rewrite("layer-order", go, &c));
    let cargo = "FROM rust:1\nWORKDIR /src\nCOPY . .\nRUN cargo fetch\n";
    let c = ctx(&["Cargo.toml", "Cargo.lock", "src"]);
    let out = rewrite("layer-order", cargo, &c);
    assert!(
        out.contains("COPY Cargo.toml Cargo.lock ./\nRUN cargo fetch\nCOPY . .\n"),
        "{out}"
    );
}

#[test]
fn layer_order_leaves_installs_that_need_the_code() {
    let c = ctx(&["app.py", "requirements.txt", "pyproject.toml"]);
    let cases = [
        (
            "FROM python:3.12\nCOPY . /app\nRUN pip install /app\n",
            "from the path /app",
        ),
        (
            "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install .\n",
            "the project itself",
        ),
        (
            "FROM python:3.12\nCOPY . .\nWORKDIR /app\nRUN pip install -r requirements.txt\n",
            "relative destination",
        ),
        (
            "FROM python:3.12\nCOPY . /app\nRUN pip install -r /app/requirements.txt && python /app/setup.py build\n",
            "not at the context's top level",
        ),
        (
            "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt && python manage.py collectstatic\n",
            "may read the code",
        ),
        (
            "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN poetry install\n",
            "--no-root",
        ),
        (
            "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pipenv install\n",
            "needs Pipfile",
        ),
        (
            "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN python app.py\n",
            "installs no dependencies",
        ),
        (
            "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\n",
            "no RUN follows",
        ),
    ];
    for (text, want) in cases {
        let why = reason("layer-order", text, &c);
        assert!(why.contains(want), "{text}: {why}");
    }
}

#[test]
fn non_root_user_on_each_kind_of_base() {
    let c = ctx(&[]);
    let alpine = "FROM python:3.12-alpine\nRUN pip install --no-cache-dir flask\nCOPY . /app\nCMD [\"python\", \"/app/app.py\"]";
    insta::assert_snapshot!("non_root_alpine", rewrite("non-root-user", alpine, &c));
    let single = "FROM python:3.12-slim\nRUN pip install --user flask\nCOPY . /app\nEXPOSE 5000\nCMD [\"python\", \"/app/app.py\"]\n";
    insta::assert_snapshot!(
        "non_root_single_stage_pip_user",
        rewrite("non-root-user", single, &c)
    );
    let scratch = "FROM scratch\nCOPY app /app\nCMD [\"/app\"]\n";
    assert!(reason("non-root-user", scratch, &c).contains("scratch"));
    let refers = "FROM python:3.12-slim AS b\nRUN pip install --user flask\nFROM python:3.12-slim\nCOPY --from=b /root/.local /root/.local\nENV PYTHONPATH=/root/.local/lib\nUSER nobody\n";
    assert!(reason("non-root-user", refers, &c).contains("line 5 refers to /root/.local"));
    let image =
        "FROM python:3.12-slim\nCOPY --from=someimage:1 /root/.local /root/.local\nUSER nobody\n";
    assert!(reason("non-root-user", image, &c).contains("not from a stage"));
}

#[test]
fn dnf_and_apk_get_their_flags() {
    let c = ctx(&[]);
    let dnf = "FROM fedora:41\nRUN dnf install -y python3 && dnf clean all\n";
    assert_eq!(
        rewrite("dnf-no-weak-deps", dnf, &c),
        "FROM fedora:41\nRUN dnf install --setopt=install_weak_deps=False -y python3 && dnf clean all\n"
    );
    let apk = "FROM alpine:3\nRUN apk update && apk add curl\n";
    assert_eq!(
        rewrite("apk-no-cache", apk, &c),
        "FROM alpine:3\nRUN apk update && apk add --no-cache curl\n"
    );
}

#[test]
fn dockerignore_proposes_only_present_unignored_unused_bulk() {
    let text = "FROM python:3.12\nCOPY . /app\nCOPY node_modules /app/node_modules\n";
    let mut c = ctx(&[".git", "__pycache__", ".venv", "node_modules", "app.py"]);
    c.dockerignore = Some("# mine\n.venv".into());
    insta::assert_snapshot!(rewrite("dockerignore", text, &c));
    let c = ctx(&["app.py", "requirements.txt"]);
    assert!(reason("dockerignore", text, &c).starts_with("the context has no .git"));
    let git = "FROM alpine\nCOPY . /src\nRUN git -C /src describe > /version\n";
    let why = reason("dockerignore", git, &ctx(&[".git"]));
    assert!(why.contains("uses .git"), "{why}");
}

#[test]
fn a_dockerfile_that_cannot_be_read_names_its_line() {
    let err = candidates("# escape=x\nFROM a\n", &ctx(&[]), "Dockerfile").unwrap_err();
    assert_eq!(err.to_string().split(':').next(), Some("Dockerfile line 1"));
    assert!(candidates("RUN echo\n", &ctx(&[]), "Dockerfile").is_err());
}

#[test]
fn the_registry_names_are_unique_kebab_case_and_documented() {
    let mut names: Vec<_> = all().iter().map(|t| t.name).collect();
    for t in all() {
        assert!(
            t.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "{}",
            t.name
        );
        assert!(!t.doc.is_empty());
    }
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), all().len());
}

/// Every transformation in order, each over the previous one's output.
fn all_in_turn(text: &str, context: &Context) -> String {
    let mut text = text.to_string();
    for t in all().iter().filter(|t| t.target == Target::Dockerfile) {
        let input = Input::new(&text, context).unwrap();
        if let Some(out) = t.apply(&input) {
            text = out;
        }
    }
    text
}

#[test]
fn the_transformations_compose_on_the_bloated_and_slim_recipes() {
    let c = app_context();
    let bloated = all_in_turn(
        include_str!("../../../variants/article/Dockerfile.bloated"),
        &c,
    );
    insta::assert_snapshot!("all_in_turn_bloated", bloated);
    assert!(lint(&bloated).is_empty(), "{:?}", lint(&bloated));
    let slim = all_in_turn(
        include_str!("../../../variants/article/Dockerfile.slim"),
        &c,
    );
    assert!(lint(&slim).is_empty(), "{:?}", lint(&slim));
}

#[test]
fn combined_transformations_build_on_each_other_in_priority_order() {
    let text = include_str!("../../../variants/article/Dockerfile.bloated");
    let context = app_context();
    let names = [
        "non-root-user",
        "merge-runs",
        "apt-no-install-recommends",
        "dockerignore",
    ];
    let combined = combine(text, &context, &names).unwrap();
    assert_eq!(
        combined.applied,
        ["apt-no-install-recommends", "merge-runs", "non-root-user"],
        "all()'s order, the .dockerignore proposal left out: {:?}",
        combined.skipped
    );
    assert!(combined.text.contains("--no-install-recommends"));
    assert!(combined.text.contains("USER app"));
    let merged_alone = rewrite("merge-runs", text, &context);
    assert!(
        combined.text.matches("RUN ").count() <= merged_alone.matches("RUN ").count() + 1,
        "the runs stay merged under the later rewrites:\n{}",
        combined.text
    );
    // The user is created before `COPY .`, right after the merged install: a second pass
    // may merge that step too, and nothing else.
    let again = combine(&combined.text, &context, &names).unwrap();
    assert!(
        again.applied.iter().all(|n| *n == "merge-runs"),
        "nothing else left to do: {again:?}"
    );
}
