//! Tests of COPY/ADD sources and the default change file.

use std::fs;

use super::*;

#[test]
fn lists_context_sources_in_order_without_flags_or_from() {
    let text = "FROM x\nCOPY --chown=a:b --chmod=644 --link requirements.txt ./\nCOPY --from=builder /root/.local /root/.local\nADD [\"src\", \"lib/a.py\", \"/app/\"]\nADD https://example.com/x.tgz /x\nCOPY <<EOF /etc/x\nhi\nEOF\nCOPY . /app\n";
    let got: Vec<_> = copy_sources(text)
        .into_iter()
        .map(|s| (s.line, s.keyword, s.source))
        .collect();
    let want = [
        (2, "COPY", "requirements.txt"),
        (4, "ADD", "src"),
        (4, "ADD", "lib/a.py"),
        (9, "COPY", "."),
    ];
    let want: Vec<_> = want
        .iter()
        .map(|(l, k, s)| (*l, k.to_string(), s.to_string()))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn recognises_dependency_lists() {
    for name in [
        "requirements.txt",
        "requirements-dev.txt",
        "constraints.txt",
        "go.sum",
        "build.gradle.kts",
        "App.csproj",
        "Pipfile.lock",
    ] {
        assert!(is_dependency_list(name), "{name}");
    }
    for name in ["app.py", "main.go", "requirements.in"] {
        assert!(!is_dependency_list(name), "{name}");
    }
}

fn context(files: &[&str], ignore: &str) -> (tempfile::TempDir, BuildContext) {
    let dir = tempfile::tempdir().expect("tempdir");
    for f in files {
        let path = dir.path().join(f);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, "x").expect("write");
    }
    fs::write(dir.path().join(".dockerignore"), ignore).expect("write");
    let ctx = BuildContext::scan(dir.path(), String::new()).expect("scan");
    (dir, ctx)
}

#[test]
fn the_article_layout_changes_app_py() {
    let (_d, ctx) = context(&["app.py", "requirements.txt", "Dockerfile"], "");
    let slim = include_str!("fixtures/article/Dockerfile.slim");
    assert_eq!(
        default_change_file(slim, &ctx),
        Some(PathBuf::from("app.py"))
    );
}

#[test]
fn a_directory_source_gives_its_first_plain_file_depth_first() {
    let (_d, ctx) = context(
        &[
            ".env",
            ".github/ci.yml",
            "Dockerfile",
            "package.json",
            "src/a/z.js",
            "src/b.js",
        ],
        "",
    );
    let text = "FROM node\nCOPY package.json ./\nCOPY . .\n";
    assert_eq!(
        default_change_file(text, &ctx),
        Some(PathBuf::from("src/a/z.js"))
    );
    let text = "FROM node\nCOPY src/ /app\n";
    assert_eq!(
        default_change_file(text, &ctx),
        Some(PathBuf::from("src/a/z.js"))
    );
}

#[test]
fn only_files_that_survive_dockerignore_count() {
    let (_d, ctx) = context(&["app.py", "main.py", "requirements.txt"], "app.py\n");
    let text = "FROM python\nCOPY requirements.txt app.py main.py /app/\n";
    assert_eq!(
        default_change_file(text, &ctx),
        Some(PathBuf::from("main.py"))
    );
    let (_d, ctx) = context(&["app.py"], "*.py\n");
    assert_eq!(default_change_file("FROM p\nCOPY . .\n", &ctx), None);
}

#[test]
fn wildcard_sources_match_context_files() {
    let (_d, ctx) = context(&["requirements.txt", "srv/app.py", "srv/util.py"], "");
    let text = "FROM python\nCOPY requirements*.txt ./\nCOPY srv/*.py /app/\n";
    assert_eq!(
        default_change_file(text, &ctx),
        Some(PathBuf::from("srv/app.py"))
    );
}
