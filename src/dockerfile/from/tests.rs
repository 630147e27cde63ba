//! Tests of stages, `FROM` resolution and rewriting.

use std::collections::BTreeMap;

use super::*;

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

const MULTI: &str = "\
ARG PY=3.9
ARG DISTRO
FROM --platform=linux/amd64 python:${PY}-slim AS Builder
RUN pip install --user flask
FROM builder AS tests
RUN true
FROM scratch AS empty
FROM ubuntu AS runtime
COPY --from=builder /root/.local /root/.local
COPY --from=BUILDER /x /y
";

#[test]
fn resolves_bases_and_skips_stage_references_and_scratch() {
    let refs = resolve_bases(MULTI, &BTreeMap::new()).expect("resolves");
    let got: Vec<_> = refs
        .iter()
        .map(|r| {
            (
                r.line,
                r.stage,
                r.stage_name.as_deref(),
                r.requested.as_str(),
                r.final_stage,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (3, 0, Some("builder"), "python:3.9-slim", false),
            (8, 3, Some("runtime"), "ubuntu", true),
        ]
    );
    assert_eq!(refs[0].platform.as_deref(), Some("linux/amd64"));
}

#[test]
fn the_final_base_is_followed_through_stage_references() {
    let text =
        "FROM python:3.11-slim AS base\nRUN pip install x\nFROM base AS final\nCOPY . /app\n";
    let refs = resolve_bases(text, &BTreeMap::new()).expect("resolves");
    assert_eq!(refs.len(), 1);
    assert!(
        refs[0].final_stage,
        "the image sits on python:3.11-slim through `base`"
    );
}

#[test]
fn build_args_override_arg_defaults() {
    let refs = resolve_bases(MULTI, &map(&[("PY", "3.11")])).expect("resolves");
    assert_eq!(refs[0].requested, "python:3.11-slim");
}

#[test]
fn rewrites_only_the_image_token_and_keeps_everything_else() {
    let subs = map(&[
        (
            "docker.io/library/python:3.9-slim",
            "basebench/stand-in-python:3.9-slim",
        ),
        ("ubuntu:latest", "mirror.local/ubuntu:latest"),
        ("builder", "must-not-be-used"),
    ]);
    let out = rewrite_bases(MULTI, &subs, &BTreeMap::new()).expect("rewrites");
    let want = MULTI
        .replace(
            "python:${PY}-slim AS Builder",
            "basebench/stand-in-python:3.9-slim AS Builder",
        )
        .replace(
            "FROM ubuntu AS runtime",
            "FROM mirror.local/ubuntu:latest AS runtime",
        );
    assert_eq!(out, want);
}

#[test]
fn rewrites_every_from_of_a_multi_stage_file_with_the_same_base() {
    let text = "FROM ubuntu:20.04 AS builder\r\nRUN x\r\nFROM  ubuntu:20.04\r\nCOPY --from=builder /a /a\r\n";
    let out = rewrite_bases(
        text,
        &map(&[("ubuntu:20.04", "stand-in:ubuntu")]),
        &BTreeMap::new(),
    )
    .expect("rewrites");
    assert_eq!(
        out,
        "FROM stand-in:ubuntu AS builder\r\nRUN x\r\nFROM  stand-in:ubuntu\r\nCOPY --from=builder /a /a\r\n"
    );
}

#[test]
fn leaves_the_text_identical_without_a_matching_substitute() {
    let out = rewrite_bases(MULTI, &map(&[("debian:12", "x")]), &BTreeMap::new()).expect("ok");
    assert_eq!(out, MULTI);
}

#[test]
fn a_from_split_over_lines_is_rewritten_in_place() {
    let text = "FROM \\\n  --platform=$BUILDPLATFORM \\\n  golang:1.22 AS build\n";
    let out = rewrite_bases(text, &map(&[("golang:1.22", "g:1")]), &BTreeMap::new()).expect("ok");
    assert_eq!(
        out,
        "FROM \\\n  --platform=$BUILDPLATFORM \\\n  g:1 AS build\n"
    );
}

#[test]
fn an_unknown_arg_names_the_line() {
    let err =
        resolve_bases("FROM alpine\nFROM ${BASE}:1\n", &BTreeMap::new()).expect_err("unknown");
    assert_eq!(
        err,
        DockerfileError::UnknownArg {
            line: 2,
            name: "BASE".into()
        }
    );
    // Declared without a default and not passed: still no value.
    let err = resolve_bases("ARG BASE\nFROM $BASE\n", &BTreeMap::new()).expect_err("no value");
    assert!(err.to_string().contains("line 2"), "{err}");
    // A build argument that no ARG declares is not visible to FROM.
    assert!(resolve_bases("FROM $BASE\n", &map(&[("BASE", "x")])).is_err());
}

#[test]
fn a_dockerfile_without_from_or_image_is_an_error() {
    assert_eq!(
        resolve_bases("RUN x\n", &BTreeMap::new()),
        Err(DockerfileError::NoFrom)
    );
    assert_eq!(
        resolve_bases("FROM\n", &BTreeMap::new()),
        Err(DockerfileError::MissingImage { line: 1 })
    );
}

#[test]
fn a_later_stage_name_is_not_a_reference_backwards() {
    let refs = resolve_bases("FROM app\nFROM alpine AS app\n", &BTreeMap::new()).expect("ok");
    assert_eq!(refs.len(), 2);
}

#[test]
fn arg_defaults_may_use_earlier_args_and_empty_unknown_ones() {
    let text = "ARG REG=mirror.local/\nARG IMG=${REG}python${SUFFIX}\nFROM ${IMG}:3.12\n";
    let refs = resolve_bases(text, &BTreeMap::new()).expect("resolves");
    assert_eq!(refs[0].requested, "mirror.local/python:3.12");
}

#[test]
fn a_byte_order_mark_is_not_part_of_the_first_instruction() {
    let text = "\u{feff}FROM python:3.9 AS base\nRUN true\n";
    let refs = resolve_bases(text, &BTreeMap::new()).expect("resolves");
    assert_eq!(
        (refs[0].line, refs[0].requested.as_str()),
        (1, "python:3.9")
    );
    let rewritten = rewrite_bases(
        text,
        &map(&[("python:3.9", "stand-in:1")]),
        &BTreeMap::new(),
    );
    assert_eq!(
        rewritten.as_deref(),
        Ok("\u{feff}FROM stand-in:1 AS base\nRUN true\n")
    );
}
