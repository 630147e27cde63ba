//! `check`: one table row per rule and variant, with the measured value, the limit and
//! where it was set; the exit code follows the worst row.

use super::*;

#[test]
fn check_passes_when_every_limit_holds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = args(&dir, "article.json");
    a.variant = Some("distroless".into());
    a.max_size = Some("200MB".parse().expect("size"));
    a.max_startup = Some(2000.0);
    let run = check(&a);
    assert_eq!(run.code, 0, "{}{}", run.out, run.err);
    assert_eq!(
        run.rows(),
        [
            row(&["pass", "distroless", "works", "works", "must work", ""]),
            row(&[
                "pass",
                "distroless",
                "max_size",
                "136.0 MB",
                "≤ 200.0 MB (--max-size)",
                ""
            ]),
            row(&[
                "pass",
                "distroless",
                "max_startup_ms",
                "601 ms",
                "≤ 2000 ms (--max-startup)",
                ""
            ]),
        ]
    );
    assert!(
        run.out
            .ends_with("\nok: every limit holds for 1 variant(s)\n"),
        "{}",
        run.out
    );
}

#[test]
fn check_fails_on_variants_that_do_not_work() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = check(&args(&dir, "article.json"));
    assert_eq!(run.code, 1);
    let failed = run.with("FAIL");
    assert_eq!(failed.len(), 2, "{}", run.out);
    assert_eq!(
        failed[0][..5],
        row(&["FAIL", "alpine", "works", "does not work", "must work"])[..]
    );
    assert!(
        failed[0][5].starts_with("base image python:3.9-alpine"),
        "{}",
        failed[0][5]
    );
    assert_eq!(failed[1][1], "crashy");
    assert!(
        failed[1][5].starts_with("container exited with code 1"),
        "{}",
        failed[1][5]
    );
    assert_eq!(
        run.with("pass").len(),
        4,
        "every rule is printed, not only failures"
    );
    assert!(
        run.out
            .ends_with("FAIL: 2 failed, 4 passed, 0 skipped in 6 variant(s)\n"),
        "{}",
        run.out
    );
}

#[test]
fn check_catches_regressions_against_a_baseline() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = args(&dir, "article.json");
    a.baseline = Some(fixture("baseline.json"));
    a.max_regression = Some(10.0);
    let run = check(&a);
    assert_eq!(run.code, 1);
    let failed: Vec<(String, String, String)> = run
        .with("FAIL")
        .into_iter()
        .map(|r| (r[1].clone(), r[3].clone(), r[5].clone()))
        .collect();
    let expect = |v: &str, m: &str, n: &str| (v.to_string(), m.to_string(), n.to_string());
    assert_eq!(
        failed,
        [
            expect(
                "slim",
                "size +25.0% (229.6 MB → 287.0 MB)",
                "size grew 25.0%, more than 10%"
            ),
            expect(
                "alpine",
                "does not work",
                "base image python:3.9-alpine is not available and no stand-in can be made from Debian packages"
            ),
            // Both files keep raw samples: the whole interval of new ÷ old is above +10 %.
            expect(
                "distroless",
                "startup +50.2% (400 ms → 601 ms; 95% CI +43.3…+57.5%)",
                "startup grew 50.2% (95% CI +43.3…+57.5%), wholly more than 10%"
            ),
            expect(
                "crashy",
                "does not work",
                "container exited with code 1 before answering 200 on /health"
            ),
            expect(
                "legacy",
                "absent",
                "missing from the results (present in the baseline)"
            ),
        ]
    );
    let crashy_skip = run
        .with("skip")
        .into_iter()
        .find(|r| r[1] == "crashy")
        .expect("crashy is not in the baseline");
    assert_eq!(crashy_skip[5], "not in the baseline");
    a.max_regression = Some(60.0);
    a.variant = Some("slim".into());
    assert_eq!(check(&a).code, 0);
}

#[test]
fn per_variant_limits_from_the_config_apply_and_flags_win() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = args(&dir, "article.json");
    a.config = Some(config(
        &dir,
        "[gates]\nmax_size = \"200MB\"\n[gates.variant.bloated]\nmax_size = \"2GB\"\n",
    ));
    a.variant = Some("bloated".into());
    let run = check(&a);
    assert_eq!(run.code, 0, "{}", run.out);
    assert_eq!(
        run.rows()[1][4],
        "≤ 2.00 GB (gates.variant.bloated.max_size)"
    );
    a.variant = Some("slim".into());
    let run = check(&a);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.with("FAIL"),
        [row(&[
            "FAIL",
            "slim",
            "max_size",
            "287.0 MB",
            "≤ 200.0 MB (gates.max_size)",
            "287000000 bytes > 200000000 bytes"
        ])]
    );
    a.max_size = Some("300MB".parse().expect("size"));
    assert_eq!(check(&a).code, 0);
}

#[test]
fn check_reads_gates_from_basebench_toml_in_the_working_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = args(&dir, "article.json");
    a.config = None;
    config(&dir, "[gates]\nmax_startup_ms = 500\n");
    a.variant = Some("slim".into());
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let result = check::execute(&a, dir.path(), &mut out, &mut err);
    let run = finish(result, out, err);
    assert_eq!(run.code, 1, "{}{}", run.out, run.err);
    assert_eq!(run.with("FAIL")[0][4], "≤ 500 ms (gates.max_startup_ms)");
}

#[test]
fn strict_turns_a_rule_without_data_into_a_failure() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = args(&dir, "article.json");
    a.variant = Some("slim".into());
    a.max_regression = Some(5.0);
    let run = check(&a);
    assert_eq!(run.code, 0, "{}", run.out);
    assert_eq!(
        run.with("skip"),
        [row(&[
            "skip",
            "slim",
            "max_regression_pct",
            "–",
            "≤ +5% (--max-regression)",
            "no baseline to compare against (pass --baseline OLD.json)"
        ])]
    );
    assert!(
        run.out.ends_with(
            "ok: 1 rule(s) passed in 1 variant(s); 1 skipped for lack of data, so not every \
             limit was checked (--strict makes a skipped rule fail)\n"
        ),
        "{}",
        run.out
    );
    assert!(
        !run.out.contains("every limit holds"),
        "a skipped limit was not checked: {}",
        run.out
    );
    a.strict = true;
    let run = check(&a);
    assert_eq!(run.code, 1);
    assert!(
        run.out.ends_with(
            "FAIL: 0 failed, 1 passed, 1 skipped in 1 variant(s) (--strict: a skipped rule fails)\n"
        ),
        "{}",
        run.out
    );
}

#[test]
fn check_exits_2_on_unreadable_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = check(&args(&dir, "no-such.json"));
    assert_eq!(missing.code, 2);
    assert!(
        missing.err.contains("cannot read results file"),
        "{}",
        missing.err
    );
    assert!(missing.err.contains("no-such.json"));

    let mut not_results = args(&dir, "article.json");
    not_results.results = config(&dir, "context = \"x\"\n");
    let run = check(&not_results);
    assert_eq!(run.code, 2);
    assert!(
        run.err.contains("is not a basebench results.json"),
        "{}",
        run.err
    );

    let mut unknown = args(&dir, "article.json");
    unknown.variant = Some("nope".into());
    let run = check(&unknown);
    assert_eq!(run.code, 2);
    assert!(run.err.contains("variant 'nope' is not in"));

    let mut negative = args(&dir, "article.json");
    negative.max_startup = Some(-1.0);
    let run = check(&negative);
    assert_eq!(run.code, 2);
    negative.max_startup = Some(f64::NAN);
    let run = check(&negative);
    assert_eq!(run.code, 2);
    assert!(
        run.err.contains("--max-startup must be a number >= 0"),
        "{}",
        run.err
    );
}

#[test]
fn a_bad_gates_table_names_the_file_and_the_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bad_gates = args(&dir, "article.json");
    bad_gates.config = Some(config(&dir, "[gates]\nmax_sise = 1\n"));
    let run = check(&bad_gates);
    assert_eq!(run.code, 2);
    assert!(run.err.contains("basebench.toml"), "{}", run.err);
    assert!(run.err.contains("max_sise"), "{}", run.err);

    let mut negative = args(&dir, "article.json");
    negative.config = Some(config(&dir, "[gates]\nmax_startup_ms = -5\n"));
    negative.variant = Some("slim".into());
    let run = check(&negative);
    assert_eq!(run.code, 2, "a limit that cannot be used is bad input");
    assert_eq!(
        run.with("MISCONFIGURED"),
        [row(&[
            "MISCONFIGURED",
            "slim",
            "max_startup_ms",
            "–",
            "≤ -5 ms (gates.max_startup_ms)",
            "`gates.max_startup_ms` must be a number >= 0 (got -5)"
        ])],
        "the table is printed before the error"
    );
    assert!(run.err.contains("basebench.toml"), "{}", run.err);
    assert!(run.err.contains("`gates.max_startup_ms`"), "{}", run.err);
}
