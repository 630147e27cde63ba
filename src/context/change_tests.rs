//! Tests of the default change file.

use std::fs;

use super::*;

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

/// The change file `ctx` gives when it carries the Dockerfile `text`.
fn chosen(text: &str, ctx: &BuildContext) -> Option<PathBuf> {
    let mut ctx = ctx.clone();
    ctx.dockerfile = text.to_string();
    default_change_file(&ctx)
}

#[test]
fn the_article_layout_changes_app_py() {
    let (_d, ctx) = context(&["app.py", "requirements.txt", "Dockerfile"], "");
    let slim = include_str!("../dockerfile/fixtures/article/Dockerfile.slim");
    assert_eq!(chosen(slim, &ctx), Some(PathBuf::from("app.py")));
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
    assert_eq!(chosen(text, &ctx), Some(PathBuf::from("src/a/z.js")));
    let text = "FROM node\nCOPY src/ /app\n";
    assert_eq!(chosen(text, &ctx), Some(PathBuf::from("src/a/z.js")));
}

#[test]
fn only_files_that_survive_dockerignore_count() {
    let (_d, ctx) = context(&["app.py", "main.py", "requirements.txt"], "app.py\n");
    let text = "FROM python\nCOPY requirements.txt app.py main.py /app/\n";
    assert_eq!(chosen(text, &ctx), Some(PathBuf::from("main.py")));
    let (_d, ctx) = context(&["app.py"], "*.py\n");
    assert_eq!(chosen("FROM p\nCOPY . .\n", &ctx), None);
}

#[test]
fn wildcard_sources_match_context_files() {
    let (_d, ctx) = context(&["requirements.txt", "srv/app.py", "srv/util.py"], "");
    let text = "FROM python\nCOPY requirements*.txt ./\nCOPY srv/*.py /app/\n";
    assert_eq!(chosen(text, &ctx), Some(PathBuf::from("srv/app.py")));
}
