//! Tests of variable expansion: every form, errors naming the line, and inputs that
//! once took quadratic time and memory.

use super::*;

fn vars() -> BTreeMap<String, String> {
    BTreeMap::from([
        ("BASE".to_string(), "python".to_string()),
        ("TAG".to_string(), "3.9-slim".to_string()),
        ("EMPTY".to_string(), String::new()),
    ])
}

#[test]
fn expands_plain_braced_and_default_forms() {
    let v = vars();
    let e = |w: &str| expand(w, &v, '\\', 1);
    assert_eq!(e("$BASE:${TAG}").as_deref(), Ok("python:3.9-slim"));
    assert_eq!(e("${MISSING:-ubuntu}:20.04").as_deref(), Ok("ubuntu:20.04"));
    assert_eq!(e("${EMPTY:-x}").as_deref(), Ok("x"));
    assert_eq!(e("${EMPTY-x}").as_deref(), Ok(""));
    assert_eq!(e("${TAG:+yes}${MISSING:+no}").as_deref(), Ok("yes"));
    assert_eq!(e("${MISSING:-${BASE}}").as_deref(), Ok("python"));
    assert_eq!(e("a\\$B").as_deref(), Ok("a$B"));
}

#[test]
fn a_variable_without_value_names_the_line() {
    let err = expand("${NOPE}", &vars(), '\\', 7).expect_err("unknown");
    assert_eq!(
        err,
        DockerfileError::UnknownArg {
            line: 7,
            name: "NOPE".into()
        }
    );
    assert!(err.to_string().contains("line 7"));
}

/// `${A:-${A:-…x…}}`, `depth` levels deep.
fn nested(depth: usize, inner: &str) -> String {
    let mut word = String::with_capacity(depth * 7 + inner.len());
    for _ in 0..depth {
        word.push_str("${A:-");
    }
    word.push_str(inner);
    word.push_str(&"}".repeat(depth));
    word
}

#[test]
fn a_hundred_thousand_nested_defaults_expand_in_linear_time() {
    let started = std::time::Instant::now();
    let word = nested(100_000, "scratch");
    assert_eq!(expand(&word, &vars(), '\\', 3).as_deref(), Ok("scratch"));
    let text = format!("ARG X={word}\nFROM {word}\nFROM ${{X}}\nUSER 1\n");
    let bases = crate::dockerfile::resolve_bases(&text, &BTreeMap::new());
    assert_eq!(
        bases.as_deref().map(<[_]>::len),
        Ok(0),
        "both stages are scratch"
    );
    let _ = crate::dockerfile::lint(&text);
    let elapsed = started.elapsed();
    assert!(
        elapsed < std::time::Duration::from_secs(5),
        "took {elapsed:?}"
    );
}

#[test]
fn a_skipped_default_is_not_expanded_but_must_be_closed() {
    let v = vars();
    let e = |w: &str| expand(w, &v, '\\', 4);
    // BASE is set: its default (an unknown variable, 1,000 levels down) is never expanded.
    let skipped = nested(1000, "${NOPE}").replacen("${A:-", "${BASE:-", 1);
    assert_eq!(e(&skipped).as_deref(), Ok("python"));
    let err = e(&nested(50_000, "x")[..200_000]).expect_err("unterminated");
    let text = err.to_string();
    assert!(
        text.contains("line 4") && text.contains("unterminated"),
        "{text}"
    );
    assert!(
        text.len() < 300,
        "the message quotes an excerpt: {} bytes",
        text.len()
    );
}

#[test]
fn an_expansion_that_grows_without_bound_is_an_error_naming_the_line() {
    let mut text = String::from("ARG X0=aaaaaaaaaaaaaaaa\n");
    for i in 1..64 {
        text.push_str(&format!("ARG X{i}=${{X{}}}${{X{}}}\n", i - 1, i - 1));
    }
    text.push_str("FROM scratch\n");
    let started = std::time::Instant::now();
    let err = crate::dockerfile::resolve_bases(&text, &BTreeMap::new()).expect_err("too long");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let message = err.to_string();
    assert!(message.contains("line "), "{message}");
    assert!(message.contains("longer than"), "{message}");
}

#[test]
fn plain_names_in_arg_defaults_expand_to_nothing_when_unknown() {
    let got = expand_with(
        "${NOPE}-$NOPE-${NOPE:-d}-${NOPE-e}-${BASE}",
        &vars(),
        '\\',
        1,
        Missing::Empty,
    );
    assert_eq!(got.as_deref(), Ok("--d-e-python"));
}

#[test]
fn an_unsupported_form_in_a_skipped_default_keeps_its_own_brace() {
    let v = vars();
    let e = |w: &str| expand(w, &v, '\\', 2);
    assert_eq!(
        e("${BASE:-${X:?e}}:${TAG}").as_deref(),
        Ok("python:3.9-slim")
    );
    let err = e("${NOPE:-${X:?e}}").expect_err("evaluated");
    assert!(
        err.to_string()
            .contains("unsupported variable form '${X:?e}"),
        "{err}"
    );
}
