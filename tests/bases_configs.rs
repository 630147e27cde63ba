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
