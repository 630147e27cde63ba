//! Tests of the lint against the seed article's five Dockerfiles (copied verbatim from
//! /work/shared/seed/why-docker-images-are-so-big.md into `fixtures/article/`; the
//! distroless one is the article's "Use Distroless Images" recipe) and small cases.

use super::*;

fn rules_of(text: &str) -> Vec<(usize, &'static str)> {
    lint(text).into_iter().map(|f| (f.line, f.rule)).collect()
}

#[test]
fn the_bloated_recipe_gets_every_apt_and_pip_finding() {
    assert_eq!(
        rules_of(include_str!("../fixtures/article/Dockerfile.bloated")),
        [
            (2, "final-user-root"),
            (3, "apt-lists-kept"),
            (3, "apt-update-alone"),
            (4, "apt-install-recommends"),
            (5, "pip-cache"),
        ]
    );
}

#[test]
fn the_ubuntu_optimized_recipe_is_clean() {
    assert_eq!(
        rules_of(include_str!(
            "../fixtures/article/Dockerfile.ubuntu-optimized"
        )),
        []
    );
}

#[test]
fn the_slim_recipe_hides_its_packages_in_root_from_appuser() {
    let findings = lint(include_str!("../fixtures/article/Dockerfile.slim"));
    assert_eq!(findings.len(), 1);
    assert_eq!(
        (findings[0].line, findings[0].rule),
        (6, "root-local-unreadable")
    );
    assert_eq!(findings[0].severity, Severity::Error);
    assert!(findings[0].message.contains("USER appuser (line 10)"));
}

#[test]
fn the_alpine_recipe_only_runs_as_root() {
    assert_eq!(
        rules_of(include_str!("../fixtures/article/Dockerfile.alpine")),
        [(2, "final-user-root")]
    );
}

#[test]
fn the_distroless_recipe_mixes_python_versions_and_is_unpinned() {
    let findings = lint(include_str!("../fixtures/article/Dockerfile.distroless"));
    let rules: Vec<_> = findings.iter().map(|f| (f.line, f.rule)).collect();
    assert_eq!(
        rules,
        [
            (11, "final-user-root"),
            (11, "unpinned-base"),
            (12, "root-local-python-version")
        ]
    );
    assert!(
        findings[2]
            .message
            .contains("check the builder's Python version matches the runtime's")
    );
}

#[test]
fn copying_the_whole_context_before_the_install_is_reported_on_the_copy() {
    let text = "FROM python:3.12\nCOPY . /app\nRUN pip install --no-cache-dir -r /app/requirements.txt\nUSER nobody\n";
    assert_eq!(rules_of(text), [(2, "copy-all-before-install")]);
    let later = "FROM python:3.12\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nUSER nobody\n";
    assert_eq!(rules_of(later), []);
}

#[test]
fn pip_user_as_root_then_user_switch_is_an_error_on_the_install() {
    let text = "FROM python:3.12\nRUN pip install --no-cache-dir --user flask\nRUN useradd app\nUSER app\n";
    assert_eq!(rules_of(text), [(2, "root-local-unreadable")]);
    let moved = "FROM python:3.12\nRUN pip install --no-cache-dir --user flask\nRUN mv /root/.local /opt/py\nUSER app\n";
    assert_eq!(rules_of(moved), []);
}

#[test]
fn a_user_inherited_from_an_earlier_stage_is_not_root() {
    let text = "FROM python:3.12 AS base\nUSER app\nFROM base\nRUN pip install --no-cache-dir --user flask\nUSER other\n";
    assert_eq!(rules_of(text), []);
}

#[test]
fn quoted_double_angles_are_not_heredocs() {
    let text = "FROM python:3.12\nRUN python -c \"print(1<<2)\"\nRUN apt-get update\nUSER 1\n";
    assert_eq!(
        rules_of(text),
        [(3, "apt-lists-kept"), (3, "apt-update-alone")]
    );
}

#[test]
fn caches_env_and_cleanup_silence_the_matching_rules() {
    let text = "FROM debian:12\nENV PIP_NO_CACHE_DIR=1\nRUN --mount=type=cache,target=/var/lib/apt apt-get update && apt-get install -y --no-install-recommends python3-pip\nRUN pip install flask\nUSER 1000\n";
    assert_eq!(rules_of(text), []);
}

#[test]
fn the_final_user_is_inherited_from_an_earlier_stage() {
    let text = "FROM debian:12 AS base\nUSER app\nFROM base\nCMD [\"x\"]\n";
    assert_eq!(rules_of(text), []);
    let root = "FROM debian:12\nUSER app\nUSER root\n";
    assert_eq!(rules_of(root), [(3, "final-user-root")]);
}

#[test]
fn unpinned_bases_include_latest_and_skip_stage_names_and_scratch() {
    let text = "FROM golang:latest AS build\nFROM build AS test\nFROM scratch\nUSER 1\n";
    assert_eq!(rules_of(text), [(1, "unpinned-base")]);
    let with_arg = "ARG TAG=3.12\nFROM python:${TAG}\nUSER 1\n";
    assert_eq!(rules_of(with_arg), []);
}

#[test]
fn findings_display_line_severity_message_and_fix() {
    let f = &lint("FROM ubuntu:22.04\nRUN apt-get update\nUSER 1\n")[0];
    let shown = f.to_string();
    assert!(
        shown.starts_with("line 2: warning [apt-lists-kept]: "),
        "{shown}"
    );
    assert!(shown.contains("Fix: "), "{shown}");
}
