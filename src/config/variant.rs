//! Validating one variant (a `[[variant]]` table or a `--variant` flag) over the top-level
//! defaults: its name, the paths it names (each must be what the setting needs), its port,
//! the request targets the probe sends, and its smoke commands.

use std::path::{Path, PathBuf};

use super::paths::{self, Want};
use super::resolve::invalid;
use super::{ConfigError, RawVariant, Shared, Variant, defaults, ranges, target};

/// How a variant's errors name its settings: `variant[1].port` when the variant sets it,
/// `port` when it comes from the top level.
struct Keys<'a> {
    index: usize,
    own: &'a Shared,
}

impl Keys<'_> {
    fn of(&self, key: &str, own: bool) -> String {
        if own {
            format!("variant[{}].{key}", self.index)
        } else {
            key.to_string()
        }
    }
}

/// A path the setting `what` names must be what it needs (`want`).
fn check_path(
    origin: &str,
    path: &Path,
    want: Want,
    what: String,
    hint: &str,
) -> Result<(), ConfigError> {
    match paths::problem(path, want) {
        None => Ok(()),
        Some(problem) => Err(ConfigError::BadPath {
            origin: origin.into(),
            what,
            path: path.to_path_buf(),
            problem,
            hint: hint.into(),
        }),
    }
}

/// A path the probe requests must be a request target.
fn check_target(origin: &str, key: String, value: &str) -> Result<(), ConfigError> {
    match target::problem(value) {
        None => Ok(()),
        Some(problem) => Err(invalid(origin, key, target::message(value, &problem))),
    }
}

/// Every smoke command needs a program to run.
fn check_smoke(origin: &str, key: String, smoke: &[Vec<String>]) -> Result<(), ConfigError> {
    match smoke
        .iter()
        .position(|cmd| cmd.first().is_none_or(|p| p.trim().is_empty()))
    {
        None => Ok(()),
        Some(i) => Err(invalid(
            origin,
            format!("{key}[{i}]"),
            "is an empty command: give the program and its arguments, e.g. \
             [\"python\", \"-c\", \"import app\"]",
        )),
    }
}

fn check_name(rv: &RawVariant, origin: &str, index: usize) -> Result<(), ConfigError> {
    if super::valid_variant_name(&rv.name) {
        return Ok(());
    }
    Err(invalid(
        origin,
        format!("variant[{index}].name"),
        format!(
            "'{}' is not a usable name: use 1-64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit",
            rv.name
        ),
    ))
}

/// The variant's context directory, which must be set and be a directory.
fn context(
    rv: &RawVariant,
    s: &Shared,
    top: &Shared,
    origin: &str,
    base_dir: &Path,
) -> Result<PathBuf, ConfigError> {
    let context = s
        .context
        .as_ref()
        .or(top.context.as_ref())
        .map(|c| base_dir.join(c))
        .ok_or_else(|| {
            invalid(
                origin,
                "context",
                format!(
                    "is not set for variant '{}': set `context = \"DIR\"` or pass --context DIR",
                    rv.name
                ),
            )
        })?;
    check_path(
        origin,
        &context,
        Want::Dir,
        format!("build context of variant '{}'", rv.name),
        "Check `context` (a directory, relative to the config file) or --context.",
    )?;
    Ok(context)
}

fn port(rv: &RawVariant, keys: &Keys<'_>, top: &Shared, origin: &str) -> Result<u16, ConfigError> {
    let port = keys.own.port.or(top.port).ok_or_else(|| {
        invalid(origin, "port", format!("is not set for variant '{}': the port the app listens on inside the container, e.g. `port = 5000` or --port 5000", rv.name))
    })?;
    ranges::PORT
        .check(f64::from(port))
        .map_err(|message| invalid(origin, keys.of("port", keys.own.port.is_some()), message))?;
    Ok(port)
}

/// Validate variant `index` over the top-level settings `top`.
pub(super) fn validate_variant(
    rv: &RawVariant,
    top: &Shared,
    origin: &str,
    base_dir: &Path,
    index: usize,
) -> Result<Variant, ConfigError> {
    check_name(rv, origin, index)?;
    let dockerfile = base_dir.join(&rv.dockerfile);
    check_path(
        origin,
        &dockerfile,
        Want::File,
        format!("Dockerfile of variant '{}'", rv.name),
        "Check the variant's `dockerfile` path (relative to the config file).",
    )?;
    let s = &rv.shared();
    let keys = Keys { index, own: s };
    let context = context(rv, s, top, origin, base_dir)?;
    let port = port(rv, &keys, top, origin)?;
    let health = s
        .health
        .clone()
        .or_else(|| top.health.clone())
        .unwrap_or_else(|| defaults::HEALTH.into());
    check_target(origin, keys.of("health", s.health.is_some()), &health)?;
    let latency_path = s
        .latency_path
        .clone()
        .or_else(|| top.latency_path.clone())
        .unwrap_or_else(|| health.clone());
    let own_latency = s.latency_path.is_some();
    check_target(origin, keys.of("latency_path", own_latency), &latency_path)?;
    let smoke = s
        .smoke
        .clone()
        .or_else(|| top.smoke.clone())
        .unwrap_or_default();
    check_smoke(origin, keys.of("smoke", s.smoke.is_some()), &smoke)?;
    let change_file = s.change_file.clone().or_else(|| top.change_file.clone());
    if let Some(file) = &change_file {
        check_path(
            origin,
            &context.join(file),
            Want::File,
            format!("change_file of variant '{}'", rv.name),
            "`change_file` is relative to the build context.",
        )?;
    }
    Ok(Variant {
        name: rv.name.clone(),
        dockerfile_display: rv.dockerfile.display().to_string(),
        dockerfile,
        context,
        port,
        latency_path,
        health,
        smoke,
        change_file,
        env: s
            .env
            .clone()
            .or_else(|| top.env.clone())
            .unwrap_or_default(),
        build_args: rv.build_args.clone(),
        target: rv.target.clone(),
        description: rv.description.clone(),
    })
}
