//! The default file for the simulated code change: the first file the Dockerfile copies
//! from the context that is not a dependency list. The Dockerfile tells which sources are
//! copied ([`crate::dockerfile::copy_sources`]); this module decides which of the context's
//! files stands for "the app's code".

use std::path::{Path, PathBuf};

use super::BuildContext;
use super::dockerignore::{IgnoreRules, clean};
use crate::dockerfile::copy_sources;

/// Is `name` (a file name) a dependency list: requirements*.txt, constraints*.txt, Pipfile,
/// Pipfile.lock, poetry.lock, pyproject.toml, setup.cfg, package.json, package-lock.json,
/// yarn.lock, pnpm-lock.yaml, go.mod, go.sum, Cargo.toml, Cargo.lock, Gemfile, Gemfile.lock,
/// composer.json, composer.lock, pom.xml, build.gradle*, *.csproj?
pub(crate) fn is_dependency_list(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "Pipfile",
        "Pipfile.lock",
        "poetry.lock",
        "pyproject.toml",
        "setup.cfg",
        "package.json",
        "package-lock.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "go.mod",
        "go.sum",
        "Cargo.toml",
        "Cargo.lock",
        "Gemfile",
        "Gemfile.lock",
        "composer.json",
        "composer.lock",
        "pom.xml",
    ];
    EXACT.contains(&name)
        || (name.starts_with("requirements") && name.ends_with(".txt"))
        || (name.starts_with("constraints") && name.ends_with(".txt"))
        || name.starts_with("build.gradle")
        || name.ends_with(".csproj")
}

/// Files that describe the build rather than the app: Dockerfiles and `.dockerignore`.
fn is_build_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("dockerfile") || lower.ends_with(".dockerfile") || lower == ".dockerignore"
}

/// The default file for the simulated code change in `ctx`, following its Dockerfile: the
/// first file it copies from the context that is not a dependency list. A directory source
/// (e.g. `COPY . /app`) gives its first regular file, depth-first in sorted order, that is
/// neither a dependency list, a dotfile (or inside a dot-directory) nor a Dockerfile. Only
/// files sent with the context (that survive `.dockerignore`) count.
pub(crate) fn default_change_file(ctx: &BuildContext) -> Option<PathBuf> {
    for src in copy_sources(&ctx.dockerfile) {
        let source = clean(src.source.trim_start_matches('/'));
        let wildcard = source.contains(['*', '?', '[']);
        let matcher = if wildcard {
            IgnoreRules::from_patterns(&[source.as_str()]).ok()
        } else {
            None
        };
        for rel in &ctx.entries {
            let text = rel.to_string_lossy();
            let inside = match &matcher {
                Some(m) => m.matches_or_parent_matches(&text),
                None => source == "." || text == source || text.starts_with(&format!("{source}/")),
            };
            if !inside || !ctx.is_file(rel) {
                continue;
            }
            let explicit = !wildcard && text == source;
            if eligible(rel, explicit, &source) {
                return Some(rel.clone());
            }
        }
    }
    None
}

/// Can `rel` be the change file? An explicitly named file only needs not to be a dependency
/// list; a file found inside a directory source must not be hidden or a build file either.
fn eligible(rel: &Path, explicit: bool, source: &str) -> bool {
    let name = rel
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    if is_dependency_list(&name) {
        return false;
    }
    if explicit {
        return true;
    }
    let below = rel.strip_prefix(source).unwrap_or(rel);
    let hidden = below
        .components()
        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
    !hidden && !is_build_file(&name)
}

#[cfg(test)]
mod tests {
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
}
