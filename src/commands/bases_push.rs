//! `basebench bases --push HOST[:PORT][/PREFIX]`: put the stand-in bases in a registry, so
//! that a run whose `[substitute]` points at them pulls its bases for real (timed, reported
//! apart from the builds). Each stand-in is tagged `HOST[:PORT][/PREFIX]/<path>` (the path
//! of what it stands in for, without its registry: `python:3.9-slim`,
//! `distroless/python3:latest`), pushed, and that tag removed again from the daemon, so
//! the run's `FROM` has to pull it. The `[substitute]` lines to use are printed.

use super::{CliError, CommandResult, ExitCode};
use crate::bases::{StandInImage, normalize};
use crate::engine::Engine;
use crate::export::escape::terminal;

/// Where the stand-ins go: `HOST[:PORT]` and an optional prefix, checked like
/// `--registry` (whose prefix is required).
pub(super) fn target(value: &str) -> Result<String, CliError> {
    let trimmed = value.trim().trim_end_matches('/');
    let checked = if trimmed.contains('/') {
        trimmed.to_string()
    } else {
        format!("{trimmed}/x")
    };
    crate::registry::RegistryTarget::parse(&checked)
        .map_err(|e| CliError::usage_msg(format!("--push {e}")))?;
    Ok(trimmed.to_string())
}

/// The repository path of a base without its registry: `gcr.io/distroless/python3:latest`
/// gives `distroless/python3:latest`, `python:3.9-slim` itself.
pub(super) fn path_of(requested: &str) -> String {
    let name = normalize(requested);
    match name.split_once('/') {
        Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => {
            rest.to_string()
        }
        _ => name,
    }
}

/// Push every stand-in in `images` (those standing in for one of `only`, when given) to
/// `target`; exit 1 when one could not be pushed, the others still are.
pub(super) async fn push(
    engine: &dyn Engine,
    images: Vec<StandInImage>,
    only: &[String],
    target: &str,
) -> CommandResult {
    let wanted: Vec<String> = only.iter().map(|b| normalize(b)).collect();
    let chosen: Vec<StandInImage> = images
        .into_iter()
        .filter(|i| !i.requested.is_empty())
        .filter(|i| wanted.is_empty() || wanted.contains(&normalize(&i.requested)))
        .collect();
    if chosen.is_empty() {
        println!("no stand-in images to push; `basebench bases` builds them");
        return Ok(if wanted.is_empty() {
            ExitCode::Success
        } else {
            ExitCode::Failed
        });
    }
    let mut substitutes = Vec::new();
    let mut failed = 0;
    for image in chosen {
        let path = path_of(&image.requested);
        let (repo, tag) = path.rsplit_once(':').unwrap_or((path.as_str(), "latest"));
        let repo = format!("{target}/{repo}");
        let reference = format!("{repo}:{tag}");
        match push_one(engine, &image.image_id, &repo, tag).await {
            Ok(seconds) => {
                println!(
                    "{:<34} -> {} (pushed in {seconds:.1} s)",
                    terminal(&image.requested),
                    terminal(&reference)
                );
                substitutes.push((image.requested, reference));
            }
            Err(e) => {
                failed += 1;
                eprintln!(
                    "Error: pushing the stand-in for {} as {}: {}",
                    terminal(&image.requested),
                    terminal(&reference),
                    terminal(&e)
                );
            }
        }
    }
    if !substitutes.is_empty() {
        println!("\nTo pull these bases in a run, add to basebench.toml:\n\n[substitute]");
        for (requested, reference) in &substitutes {
            println!("\"{}\" = \"{}\"", terminal(requested), terminal(reference));
        }
    }
    Ok(if failed == 0 {
        ExitCode::Success
    } else {
        ExitCode::Failed
    })
}

/// Tag, push, then untag (the stand-in keeps its own tag); the push's seconds.
async fn push_one(
    engine: &dyn Engine,
    image_id: &str,
    repo: &str,
    tag: &str,
) -> Result<f64, String> {
    engine
        .tag_image(image_id, repo, tag)
        .await
        .map_err(|e| e.to_string())?;
    let started = std::time::Instant::now();
    let pushed = engine
        .push_image(repo, tag)
        .await
        .map_err(|e| e.to_string());
    let seconds = started.elapsed().as_secs_f64();
    // The registry's tag goes again either way: a run must pull it, and nothing is left.
    let untagged = engine
        .remove_image(&format!("{repo}:{tag}"))
        .await
        .map_err(|e| e.to_string());
    pushed?;
    untagged?;
    Ok(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base_is_pushed_under_its_path_without_its_registry() {
        assert_eq!(path_of("python:3.9-slim"), "python:3.9-slim");
        assert_eq!(path_of("docker.io/library/ubuntu:20.04"), "ubuntu:20.04");
        assert_eq!(
            path_of("gcr.io/distroless/python3"),
            "distroless/python3:latest"
        );
        assert_eq!(path_of("localhost:5000/team/base:1"), "team/base:1");
    }

    #[test]
    fn the_push_target_is_a_registry_with_an_optional_prefix() {
        assert_eq!(target("127.0.0.1:5000").ok(), Some("127.0.0.1:5000".into()));
        assert_eq!(
            target("127.0.0.1:5000/bases/").ok(),
            Some("127.0.0.1:5000/bases".into())
        );
        for bad in ["http://h:5000", "h:99999", "h/Upper"] {
            assert!(target(bad).is_err(), "{bad}");
        }
    }
}
