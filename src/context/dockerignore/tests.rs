//! Docker's own cases, ported from moby/patternmatcher `patternmatcher_test.go`
//! (github.com/moby/patternmatcher, commit 5a6d842) and `ignorefile/ignorefile.go`.

use super::*;

fn rules(patterns: &[&str]) -> IgnoreRules {
    IgnoreRules::from_patterns(patterns).expect("valid patterns")
}

/// patternmatcher_test.go `TestMatches` (single patterns, run through
/// `MatchesOrParentMatches`), plus the non-Windows `a\*b` case.
const MATCHES: &[(&str, &str, bool)] = &[
    ("**", "file", true),
    ("**", "file/", true),
    ("**/", "file", true),
    ("**/", "file/", true),
    ("**", "/", true),
    ("**/", "/", true),
    ("**", "dir/file", true),
    ("**/", "dir/file", true),
    ("**", "dir/file/", true),
    ("**/", "dir/file/", true),
    ("**/**", "dir/file", true),
    ("**/**", "dir/file/", true),
    ("dir/**", "dir/file", true),
    ("dir/**", "dir/file/", true),
    ("dir/**", "dir/dir2/file", true),
    ("dir/**", "dir/dir2/file/", true),
    ("**/dir", "dir", true),
    ("**/dir", "dir/file", true),
    ("**/dir2/*", "dir/dir2/file", true),
    ("**/dir2/*", "dir/dir2/file/", true),
    ("**/dir2/**", "dir/dir2/dir3/file", true),
    ("**/dir2/**", "dir/dir2/dir3/file/", true),
    ("**file", "file", true),
    ("**file", "dir/file", true),
    ("**/file", "dir/file", true),
    ("**file", "dir/dir/file", true),
    ("**/file", "dir/dir/file", true),
    ("**/file*", "dir/dir/file", true),
    ("**/file*", "dir/dir/file.txt", true),
    ("**/file*txt", "dir/dir/file.txt", true),
    ("**/file*.txt", "dir/dir/file.txt", true),
    ("**/file*.txt*", "dir/dir/file.txt", true),
    ("**/**/*.txt", "dir/dir/file.txt", true),
    ("**/**/*.txt2", "dir/dir/file.txt", false),
    ("**/*.txt", "file.txt", true),
    ("**/**/*.txt", "file.txt", true),
    ("a**/*.txt", "a/file.txt", true),
    ("a**/*.txt", "a/dir/file.txt", true),
    ("a**/*.txt", "a/dir/dir/file.txt", true),
    ("a/*.txt", "a/dir/file.txt", false),
    ("a/*.txt", "a/file.txt", true),
    ("a/*.txt**", "a/file.txt", true),
    ("a[b-d]e", "ae", false),
    ("a[b-d]e", "ace", true),
    ("a[b-d]e", "aae", false),
    ("a[^b-d]e", "aze", true),
    (".*", ".foo", true),
    (".*", "foo", false),
    ("abc.def", "abcdef", false),
    ("abc.def", "abc.def", true),
    ("abc.def", "abcZdef", false),
    ("abc?def", "abcZdef", true),
    ("abc?def", "abcdef", false),
    ("a\\\\", "a\\", true),
    ("**/foo/bar", "foo/bar", true),
    ("**/foo/bar", "dir/foo/bar", true),
    ("**/foo/bar", "dir/dir2/foo/bar", true),
    ("abc/**", "abc", false),
    ("abc/**", "abc/def", true),
    ("abc/**", "abc/def/ghi", true),
    ("**/.foo", ".foo", true),
    ("**/.foo", "bar.foo", false),
    ("a(b)c/def", "a(b)c/def", true),
    ("a(b)c/def", "a(b)c/xyz", false),
    ("a.|)$(}+{bc", "a.|)$(}+{bc", true),
    (
        "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
        "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
        true,
    ),
    (
        "dist/*.whl",
        "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
        true,
    ),
    ("a\\*b", "a*b", true),
];

/// patternmatcher_test.go `multiPatternTests`.
const MULTI: &[(&[&str], &str, bool)] = &[
    (&["**", "!util/docker/web"], "util/docker/web/foo", false),
    (
        &["**", "!util/docker/web", "util/docker/web/foo"],
        "util/docker/web/foo",
        true,
    ),
    (
        &[
            "**",
            "!dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
        ],
        "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
        false,
    ),
    (
        &["**", "!dist/*.whl"],
        "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
        false,
    ),
];

/// patternmatcher_test.go `matchTests` (from Go's filepath.Match tests), run through the
/// package-level `Matches` (cleaned path); `None` = Docker rejects the pattern.
const FILEPATH_MATCH: &[(&str, &str, Option<bool>)] = &[
    ("abc", "abc", Some(true)),
    ("*", "abc", Some(true)),
    ("*c", "abc", Some(true)),
    ("a*", "a", Some(true)),
    ("a*", "abc", Some(true)),
    ("a*", "ab/c", Some(true)),
    ("a*/b", "abc/b", Some(true)),
    ("a*/b", "a/c/b", Some(false)),
    ("a*b*c*d*e*/f", "axbxcxdxe/f", Some(true)),
    ("a*b*c*d*e*/f", "axbxcxdxexxx/f", Some(true)),
    ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", Some(false)),
    ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", Some(false)),
    ("a*b?c*x", "abxbbxdbxebxczzx", Some(true)),
    ("a*b?c*x", "abxbbxdbxebxczzy", Some(false)),
    ("ab[c]", "abc", Some(true)),
    ("ab[b-d]", "abc", Some(true)),
    ("ab[e-g]", "abc", Some(false)),
    ("ab[^c]", "abc", Some(false)),
    ("ab[^b-d]", "abc", Some(false)),
    ("ab[^e-g]", "abc", Some(true)),
    ("a\\*b", "a*b", Some(true)),
    ("a\\*b", "ab", Some(false)),
    ("a?b", "a☺b", Some(true)),
    ("a[^a]b", "a☺b", Some(true)),
    ("a???b", "a☺b", Some(false)),
    ("a[^a][^a][^a]b", "a☺b", Some(false)),
    ("[a-ζ]*", "α", Some(true)),
    ("*[a-ζ]", "A", Some(false)),
    ("a?b", "a/b", Some(false)),
    ("a*b", "a/b", Some(false)),
    ("[\\]a]", "]", Some(true)),
    ("[\\-]", "-", Some(true)),
    ("[x\\-]", "x", Some(true)),
    ("[x\\-]", "-", Some(true)),
    ("[x\\-]", "z", Some(false)),
    ("[\\-x]", "x", Some(true)),
    ("[\\-x]", "-", Some(true)),
    ("[\\-x]", "a", Some(false)),
    ("[]a]", "]", None),
    ("[-]", "-", None),
    ("[x-]", "x", None),
    ("[x-]", "-", None),
    ("[x-]", "z", None),
    ("[-x]", "x", None),
    ("[-x]", "-", None),
    ("[-x]", "a", None),
    ("\\", "a", None),
    ("[a-b-c]", "a", None),
    ("[", "a", None),
    ("[^", "a", None),
    ("[^bc", "a", None),
    ("a[", "a", None),
    ("a[", "ab", None),
    ("*x", "xxx", Some(true)),
];

#[test]
fn matches_docker_single_pattern_cases() {
    for (pattern, text, want) in MATCHES {
        let got = rules(&[pattern]).matches_or_parent_matches(text);
        assert_eq!(got, *want, "pattern {pattern:?} text {text:?}");
    }
}

#[test]
fn matches_docker_multi_pattern_cases() {
    for (patterns, text, want) in MULTI {
        let got = rules(patterns).matches_or_parent_matches(text);
        assert_eq!(got, *want, "patterns {patterns:?} text {text:?}");
    }
}

#[test]
fn matches_go_filepath_match_cases_and_rejects_the_bad_ones() {
    for (pattern, text, want) in FILEPATH_MATCH {
        match (IgnoreRules::from_patterns(&[pattern]), want) {
            (Ok(r), Some(want)) => assert_eq!(r.is_excluded(text), *want, "{pattern:?} {text:?}"),
            (Err(_), None) => {}
            (got, want) => panic!("{pattern:?} {text:?}: got {got:?}, want {want:?}"),
        }
    }
}

#[test]
fn simple_and_wildcard_patterns_match() {
    assert!(rules(&["*"]).is_excluded("fileutils.go"));
    assert!(rules(&["*.go"]).is_excluded("fileutils.go"));
    assert!(rules(&["!fileutils.go", "*.go"]).is_excluded("fileutils.go"));
    assert!(!rules(&["*.go", "!fileutils.go"]).is_excluded("fileutils.go"));
}

#[test]
fn folder_patterns_followed_by_an_exception_keep_the_exception() {
    for folder in ["docs", "docs/", "docs/*"] {
        assert!(!rules(&[folder, "!docs/README.md"]).is_excluded("docs/README.md"));
        assert!(rules(&[folder, "!docs/README.md"]).is_excluded("docs/other.md"));
    }
}

#[test]
fn the_context_root_and_empty_rules_exclude_nothing() {
    assert!(!rules(&["*.go"]).is_excluded("."));
    assert!(!rules(&[]).is_excluded("/any/path/there"));
    assert!(rules(&["docs", "config", ""]).patterns.len() == 2);
}

#[test]
fn a_lone_exclamation_mark_and_a_malformed_class_are_rejected() {
    assert!(IgnoreRules::from_patterns(&["!"]).is_err());
    assert!(IgnoreRules::from_patterns(&["["]).is_err());
    // moby/moby#52203: passes the syntax check, fails when compiled.
    assert!(IgnoreRules::from_patterns(&["[Local-Only]/"]).is_err());
}

#[test]
fn whitespace_around_exceptions_is_trimmed() {
    for patterns in [["docs", "  !docs/README.md"], ["docs", "!docs/README.md  "]] {
        let rules = rules(&patterns);
        assert!(!rules.is_excluded("docs/README.md"), "{patterns:?}");
        assert!(rules.is_excluded("docs/guide.md"), "{patterns:?}");
    }
}

#[test]
fn parse_skips_comments_and_cleans_like_read_all() {
    let text =
        "\u{feff}# comment\n  \n/secret.txt\n./build/\n! /build/keep \r\n  # not a comment\n";
    let r = IgnoreRules::parse(text).expect("parses");
    let texts: Vec<_> = r
        .patterns
        .iter()
        .map(|p| (p.exclusion, p.text.as_str()))
        .collect();
    assert_eq!(
        texts,
        [
            (false, "secret.txt"),
            (false, "build"),
            (true, "build/keep"),
            (false, "# not a comment")
        ]
    );
    assert!(r.is_excluded("secret.txt"));
    assert!(r.is_excluded("build/out.o"));
    assert!(!r.is_excluded("build/keep"));
}

#[test]
fn parse_reports_the_line_of_a_bad_pattern() {
    let err = IgnoreRules::parse("# c\nok\n\n[oops\n").expect_err("bad pattern");
    assert_eq!(err.line, 4);
    assert_eq!(err.pattern, "[oops");
}

#[test]
fn an_excluded_directory_is_walked_only_when_an_exception_starts_with_it() {
    let r = rules(&["build", "!build/keep.txt"]);
    assert!(r.must_walk("build"));
    assert!(!r.must_walk("other"));
    assert!(!rules(&["build"]).must_walk("build"));
    // Docker's prefix rule: `!**/keep` does not start with `build/`.
    assert!(!rules(&["build", "!**/keep"]).must_walk("build"));
}

#[test]
fn clean_behaves_like_go_filepath_clean() {
    for (input, want) in [
        ("", "."),
        ("./a//b/", "a/b"),
        ("a/../..", ".."),
        ("/../a", "/a"),
        ("/", "/"),
        ("**/", "**"),
    ] {
        assert_eq!(clean(input), want, "{input:?}");
    }
}
