//! The `precompile-bytecode` rewrite on the article's Dockerfiles and the edge cases
//! around it, as snapshots; every test also checks that nothing but the step was added.

#![allow(clippy::unwrap_used)]

use super::*;

fn distroless_python() -> Precompile {
    Precompile {
        python: "/usr/bin/python3.11".into(),
        dirs: vec!["/usr/lib/python3.11".into()],
    }
}

/// The rewrite, checked to add only lines (the original comes back when they are
/// removed) and to be stable (a second pass adds nothing).
fn rewrite(text: &str, p: &Precompile) -> String {
    let out = precompile_bytecode(text, p)
        .expect("parses")
        .expect("a step is added");
    let at = placement(text).expect("parses").expect("a place");
    let added = out.len() - text.len();
    assert_eq!(
        format!("{}{}", &out[..at.offset], &out[at.offset + added..]),
        text
    );
    assert_eq!(precompile_bytecode(&out, p).expect("parses"), None);
    out
}

#[test]
fn the_articles_distroless_variant_compiles_after_copying_the_packages() {
    let text = include_str!("../../../variants/Dockerfile.distroless");
    let p = Precompile {
        python: "/usr/bin/python3.11".into(),
        dirs: vec![
            "/usr/lib/python3.11".into(),
            "/root/.local/lib/python3.11/site-packages".into(),
        ],
    };
    let at = placement(text).unwrap().unwrap();
    let copy = text
        .lines()
        .position(|l| l.starts_with("COPY --from=builder"))
        .unwrap()
        + 1;
    assert_eq!(
        at.after_line, copy,
        "after the packages, before the app's COPY"
    );
    insta::assert_snapshot!(rewrite(text, &p));
}

#[test]
fn a_non_root_user_is_switched_to_root_around_the_step() {
    let text = "FROM python:3.9-slim AS build\nRUN pip install --user flask\n\nFROM python:3.9-slim\nRUN useradd app\nUSER app\nCOPY --from=build /root/.local /home/app/.local\nCOPY . /app\nCMD [\"python\", \"app.py\"]\n";
    let p = Precompile {
        python: "/usr/local/bin/python3.9".into(),
        dirs: vec!["/usr/local/lib/python3.9".into()],
    };
    insta::assert_snapshot!(rewrite(text, &p));
}

#[test]
fn without_an_install_the_step_follows_the_final_from() {
    let text = "FROM gcr.io/distroless/python3\nCOPY . /app\nCMD [\"app.py\"]";
    let at = placement(text).unwrap().unwrap();
    assert_eq!((at.after_line, at.user), (1, None));
    insta::assert_snapshot!(rewrite(text, &distroless_python()));
}

#[test]
fn a_heredoc_install_keeps_its_body_before_the_step() {
    let text = "# syntax=docker/dockerfile:1\nFROM debian:12\nRUN <<EOF\napt-get install -y python3\nEOF\nCOPY app.py /app/\n";
    insta::assert_snapshot!(rewrite(text, &distroless_python()));
}

#[test]
fn a_stage_that_already_compiles_is_left_alone() {
    let text =
        "FROM python:3.11-slim\nRUN pip install flask && python -m compileall -q /usr/local/lib\n";
    assert_eq!(
        precompile_bytecode(text, &distroless_python()).unwrap(),
        None
    );
    assert!(
        placement("# no FROM\n").is_err(),
        "no stage: the parse error"
    );
}

#[test]
fn the_step_is_exec_form_with_json_quoting() {
    let p = Precompile {
        python: "/opt/py/bin/python3.12".into(),
        dirs: vec!["/opt/a \"b\"".into()],
    };
    assert_eq!(
        step(&p),
        r#"RUN ["/opt/py/bin/python3.12", "-m", "compileall", "-q", "/opt/a \"b\""]"#
    );
}
