//! The shipped configs load: the five corrected variants (basebench.toml) and the five
//! recipes as published (variants/article.toml), against the sample app, with the smoke
//! command that imports numpy and pandas (by the interpreter's path in distroless).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use basebench::config::{Overrides, load};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn load_config(path: &str) -> basebench::config::Config {
    let overrides = Overrides {
        config: Some(PathBuf::from(path)),
        ..Overrides::default()
    };
    load(&overrides, repo()).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn check_five(path: &str, prefix: &str) {
    let config = load_config(path);
    let names: Vec<&str> = config.variants.iter().map(|v| v.name.as_str()).collect();
    let expected: Vec<String> = [
        "bloated",
        "ubuntu-optimized",
        "slim",
        "alpine",
        "distroless",
    ]
    .iter()
    .map(|n| format!("{prefix}{n}"))
    .collect();
    assert_eq!(names, expected, "{path}");
    for variant in &config.variants {
        assert!(
            variant.dockerfile.is_file(),
            "{}",
            variant.dockerfile.display()
        );
        assert!(
            variant.context.join("app.py").is_file(),
            "{}",
            variant.context.display()
        );
        assert_eq!(variant.port, 5000);
        assert_eq!(variant.health, "/health");
        let smoke = variant.smoke.concat().join(" ");
        assert!(
            smoke.ends_with("-c import numpy, pandas"),
            "{}: {smoke}",
            variant.name
        );
        if variant.name.ends_with("distroless") {
            assert_eq!(variant.smoke[0][0], "/usr/bin/python3.11");
        }
    }
}

#[test]
fn root_config_runs_the_five_corrected_variants_against_the_sample_app() {
    check_five("basebench.toml", "");
}

#[test]
fn article_config_runs_the_five_recipes_as_published() {
    check_five("variants/article.toml", "article-");
}

#[test]
fn sample_app_pins_the_articles_requirements() {
    let text = std::fs::read_to_string(repo().join("sample-app/requirements.txt")).unwrap();
    for pin in [
        "flask==2.3.3",
        "requests==2.31.0",
        "numpy==1.24.3",
        "pandas==2.0.3",
    ] {
        assert!(text.lines().any(|l| l.trim() == pin), "{pin}");
    }
}

/// A config in a fresh directory: `[bases]` with `bases`, one variant.
fn config_with_bases(bases: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("app")).unwrap();
    std::fs::write(dir.path().join("Dockerfile"), "FROM ubuntu:20.04\n").unwrap();
    let text = format!(
        "context = \"app\"\nport = 5000\n\n[bases]\n{bases}\n\n[[variant]]\nname = \"u\"\ndockerfile = \"Dockerfile\"\n"
    );
    std::fs::write(dir.path().join("basebench.toml"), text).unwrap();
    dir
}

#[test]
fn the_stand_in_mirror_comes_from_bases_mirror_and_the_flag_wins() {
    let dir = config_with_bases("mirror = \" http://mirror.example.com/debian \"");
    let config = load(&Overrides::default(), dir.path()).unwrap();
    assert_eq!(
        config.mirror.as_deref(),
        Some("http://mirror.example.com/debian")
    );
    let flag = Overrides {
        mirror: Some("https://other.example.net/debian".into()),
        ..Overrides::default()
    };
    let config = load(&flag, dir.path()).unwrap();
    assert_eq!(
        config.mirror.as_deref(),
        Some("https://other.example.net/debian")
    );
    let dir = config_with_bases("fallback = \"stand-in\"");
    assert_eq!(
        load(&Overrides::default(), dir.path()).unwrap().mirror,
        None
    );
}

#[test]
fn a_mirror_that_is_not_a_url_names_the_key() {
    let dir = config_with_bases("mirror = \"mirror.example.com/debian\"");
    let err = load(&Overrides::default(), dir.path()).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("basebench.toml") && text.contains("`bases.mirror`"),
        "{text}"
    );
    assert!(text.contains("(got 'mirror.example.com/debian')"), "{text}");
}
