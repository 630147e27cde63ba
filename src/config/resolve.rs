//! Merging command-line flags over the config file, and validating the result.

use std::path::Path;
use std::time::Duration;

use super::file::{COMMAND_LINE, ConfigFile, output_root};
use super::{
    Config, ConfigError, Overrides, RawConfig, RawVariant, Shared, Variant, defaults,
    valid_variant_name,
};

/// Load the config the way `basebench run` does: the file
/// [`find_file`](super::file::find_file) finds, then the flags over it, validated.
pub fn load(overrides: &Overrides, cwd: &Path) -> Result<Config, ConfigError> {
    let file = ConfigFile::find(
        overrides.config.as_deref(),
        cwd,
        !overrides.variants.is_empty(),
    )?;
    let (mut raw, origin, base_dir) = match file {
        Some(file) => (
            file.raw.clone(),
            file.origin(),
            file.base_dir().to_path_buf(),
        ),
        None => (
            RawConfig::default(),
            COMMAND_LINE.to_string(),
            cwd.to_path_buf(),
        ),
    };
    let flag_variants = apply_overrides(&mut raw, overrides, cwd);
    let mut config = validate(raw, &origin, &base_dir, flag_variants)?;
    select_only(&mut config, &overrides.only)?;
    Ok(config)
}

/// Put flag values into the raw config; returns how many leading variants came from flags.
fn apply_overrides(raw: &mut RawConfig, o: &Overrides, cwd: &Path) -> usize {
    if let Some(context) = &o.context {
        raw.context = Some(cwd.join(context));
        for v in &mut raw.variants {
            v.context = None;
        }
    }
    if !o.variants.is_empty() {
        raw.variants = o
            .variants
            .iter()
            .map(|(name, dockerfile)| RawVariant {
                name: name.clone(),
                dockerfile: cwd.join(dockerfile),
                description: None,
                build_args: Default::default(),
                target: None,
                context: None,
                port: None,
                health: None,
                latency_path: None,
                smoke: None,
                change_file: None,
                env: None,
            })
            .collect();
    }
    raw.port = o.port.or(raw.port);
    raw.health = o.health.clone().or(raw.health.take());
    if let Some(file) = &o.change_file {
        raw.change_file = Some(file.clone());
        for v in &mut raw.variants {
            v.change_file = None;
        }
    }
    raw.runs = o.runs.or(raw.runs);
    raw.build_runs = o.build_runs.or(raw.build_runs);
    raw.builder = o.builder.or(raw.builder);
    raw.context_transfer = o.context_transfer.or(raw.context_transfer);
    raw.health_timeout_s = o.health_timeout_s.or(raw.health_timeout_s);
    raw.bases.mirror = o.mirror.clone().or(raw.bases.mirror.take());
    o.variants.len()
}

fn invalid(origin: &str, key: impl Into<String>, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        origin: origin.to_string(),
        key: key.into(),
        message: message.into(),
    }
}

fn at_least_one(
    origin: &str,
    key: &str,
    value: Option<u32>,
    default: u32,
) -> Result<u32, ConfigError> {
    match value.unwrap_or(default) {
        0 => Err(invalid(origin, key, "must be at least 1 (got 0)")),
        n => Ok(n),
    }
}

fn validate(
    raw: RawConfig,
    origin: &str,
    base_dir: &Path,
    flag_variants: usize,
) -> Result<Config, ConfigError> {
    if raw.variants.is_empty() {
        return Err(invalid(
            origin,
            "variant",
            "is empty: there is nothing to measure. Add [[variant]] tables with `name` and \
             `dockerfile`, or pass --context DIR --variant NAME=DOCKERFILE.",
        ));
    }
    let timeout = raw.health_timeout_s.unwrap_or(defaults::HEALTH_TIMEOUT_S);
    if !(timeout.is_finite() && timeout > 0.0) {
        return Err(invalid(
            origin,
            "health_timeout_s",
            format!("must be a positive number of seconds (got {timeout})"),
        ));
    }
    raw.scoring
        .validate()
        .map_err(|e| invalid(origin, "scoring", e.to_string()))?;
    let mut variants: Vec<Variant> = Vec::new();
    for (index, rv) in raw.variants.iter().enumerate() {
        let from_flag = index < flag_variants;
        let v_origin = if from_flag { COMMAND_LINE } else { origin };
        let variant = validate_variant(rv, &raw.shared(), v_origin, base_dir, index)?;
        if variants.iter().any(|other| other.name == variant.name) {
            return Err(invalid(
                v_origin,
                format!("variant[{index}].name"),
                format!(
                    "'{}' is used twice; variant names must be unique",
                    variant.name
                ),
            ));
        }
        variants.push(variant);
    }
    Ok(Config {
        origin: origin.to_string(),
        variants,
        runs: at_least_one(origin, "runs", raw.runs, defaults::RUNS)?,
        build_runs: at_least_one(origin, "build_runs", raw.build_runs, defaults::BUILD_RUNS)?,
        builder: raw.builder.unwrap_or(defaults::BUILDER),
        context_transfer: raw.context_transfer.unwrap_or(defaults::CONTEXT_TRANSFER),
        health_timeout: Duration::from_secs_f64(timeout),
        output_root: output_root(base_dir, &raw),
        latency_requests: at_least_one(
            origin,
            "latency_requests",
            raw.latency_requests,
            defaults::LATENCY_REQUESTS,
        )?,
        load_concurrency: at_least_one(
            origin,
            "load_concurrency",
            raw.load_concurrency,
            defaults::LOAD_CONCURRENCY,
        )?,
        load_duration: Duration::from_millis(
            raw.load_duration_ms.unwrap_or(defaults::LOAD_DURATION_MS),
        ),
        substitute: raw.substitute,
        fallback: raw.bases.fallback,
        mirror: checked_mirror(origin, raw.bases.mirror)?,
        scoring: raw.scoring,
    })
}

/// `[bases] mirror`, trimmed, when it is an archive URL.
fn checked_mirror(origin: &str, mirror: Option<String>) -> Result<Option<String>, ConfigError> {
    let Some(uri) = mirror.map(|m| m.trim().to_string()) else {
        return Ok(None);
    };
    crate::bases::mirror::check_uri(&uri).map_err(|e| invalid(origin, "bases.mirror", e))?;
    Ok(Some(uri))
}

fn validate_variant(
    rv: &RawVariant,
    top: &Shared,
    origin: &str,
    base_dir: &Path,
    index: usize,
) -> Result<Variant, ConfigError> {
    let key = |k: &str| format!("variant[{index}].{k}");
    if !valid_variant_name(&rv.name) {
        return Err(invalid(
            origin,
            key("name"),
            format!(
                "'{}' is not a usable name: use 1-64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit",
                rv.name
            ),
        ));
    }
    let dockerfile = base_dir.join(&rv.dockerfile);
    if !dockerfile.is_file() {
        return Err(ConfigError::Missing {
            origin: origin.into(),
            what: format!("Dockerfile of variant '{}'", rv.name),
            path: dockerfile,
            hint: "Check the variant's `dockerfile` path (relative to the config file).".into(),
        });
    }
    let s = &rv.shared();
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
    if !context.is_dir() {
        return Err(ConfigError::Missing {
            origin: origin.into(),
            what: format!("build context of variant '{}'", rv.name),
            path: context,
            hint: "Check `context` (a directory, relative to the config file) or --context.".into(),
        });
    }
    let port = s.port.or(top.port).ok_or_else(|| {
        invalid(origin, "port", format!("is not set for variant '{}': the port the app listens on inside the container, e.g. `port = 5000` or --port 5000", rv.name))
    })?;
    let health = s
        .health
        .clone()
        .or_else(|| top.health.clone())
        .unwrap_or_else(|| defaults::HEALTH.into());
    if !health.starts_with('/') {
        return Err(invalid(
            origin,
            "health",
            format!("must be a path starting with '/' (got '{health}')"),
        ));
    }
    let change_file = s.change_file.clone().or_else(|| top.change_file.clone());
    if let Some(file) = &change_file
        && !context.join(file).is_file()
    {
        return Err(ConfigError::Missing {
            origin: origin.into(),
            what: format!("change_file of variant '{}'", rv.name),
            path: context.join(file),
            hint: "`change_file` is relative to the build context.".into(),
        });
    }
    Ok(Variant {
        name: rv.name.clone(),
        dockerfile_display: rv.dockerfile.display().to_string(),
        dockerfile,
        context,
        port,
        latency_path: s
            .latency_path
            .clone()
            .or_else(|| top.latency_path.clone())
            .unwrap_or_else(|| health.clone()),
        health,
        smoke: s
            .smoke
            .clone()
            .or_else(|| top.smoke.clone())
            .unwrap_or_default(),
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

fn select_only(config: &mut Config, only: &[String]) -> Result<(), ConfigError> {
    if only.is_empty() {
        return Ok(());
    }
    for name in only {
        if !config.variants.iter().any(|v| &v.name == name) {
            let known: Vec<&str> = config.variants.iter().map(|v| v.name.as_str()).collect();
            return Err(invalid(
                COMMAND_LINE,
                "--only",
                format!(
                    "names unknown variant '{name}'; known: {}",
                    known.join(", ")
                ),
            ));
        }
    }
    config.variants.retain(|v| only.contains(&v.name));
    Ok(())
}

#[cfg(test)]
mod tests;
