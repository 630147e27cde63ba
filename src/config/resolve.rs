//! Merging command-line flags over the config file, and validating the result.

use std::path::Path;
use std::time::Duration;

use super::file::{COMMAND_LINE, ConfigFile, output_root};
use super::ranges::{self, Range};
use super::variant::validate_variant;
use super::{Config, ConfigError, Overrides, RawConfig, RawVariant, Variant, defaults, target};

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
    check_flags(overrides)?;
    let flag_variants = apply_overrides(&mut raw, overrides, cwd);
    let plan = raw.clone();
    let mut config = validate(raw, &origin, &base_dir, flag_variants)?;
    select_only(&mut config, &overrides.only)?;
    let names: Vec<&str> = config.variants.iter().map(|v| v.name.as_str()).collect();
    config.sampling = super::sampling::resolve(&plan, overrides, &origin, config.runs, &names)?;
    if let Some(shard) = overrides.shard {
        let kept: Vec<String> =
            super::shard::select(&names, shard, config.sampling.reference.as_deref())?
                .into_iter()
                .map(str::to_string)
                .collect();
        config.variants.retain(|v| kept.contains(&v.name));
        config.shard = Some(shard);
    }
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
    raw.build_stall_timeout_s = o.build_stall_timeout_s.or(raw.build_stall_timeout_s);
    raw.bases.mirror = o.mirror.clone().or(raw.bases.mirror.take());
    raw.registry = o.registry.clone().or(raw.registry.take());
    if !o.bandwidth.is_empty() {
        raw.bandwidth = Some(o.bandwidth.clone());
    }
    raw.testbed = o.testbed.clone().or(raw.testbed.take());
    o.variants.len()
}

/// [`in_range`] for a `u64` (whose values above 2^53 the check sees rounded, far past
/// every range's maximum).
fn in_range_u64(
    origin: &str,
    range: Range,
    value: Option<u64>,
    default: u64,
) -> Result<u64, ConfigError> {
    let value = value.unwrap_or(default);
    range
        .check(value as f64)
        .map_err(|message| invalid(origin, range.key, message))?;
    Ok(value)
}

pub(super) fn invalid(
    origin: &str,
    key: impl Into<String>,
    message: impl Into<String>,
) -> ConfigError {
    ConfigError::Invalid {
        origin: origin.to_string(),
        key: key.into(),
        message: message.into(),
    }
}

/// The flags' values, checked where they came from (clap's parsers check the numbers of
/// the binary's flags; this also covers [`Overrides`] built in code).
fn check_flags(o: &Overrides) -> Result<(), ConfigError> {
    if let Some(name) = &o.testbed {
        super::shard::check_testbed_name(name)
            .map_err(|e| invalid(COMMAND_LINE, "--testbed", e))?;
    }
    if let Some(registry) = &o.registry {
        crate::registry::RegistryTarget::parse(registry)
            .map_err(|e| invalid(COMMAND_LINE, "--registry", e))?;
    }
    let numbers = [
        ("--port", ranges::PORT, o.port.map(f64::from)),
        ("--runs", ranges::RUNS, o.runs.map(f64::from)),
        (
            "--build-runs",
            ranges::BUILD_RUNS,
            o.build_runs.map(f64::from),
        ),
        (
            "--health-timeout",
            ranges::HEALTH_TIMEOUT_S,
            o.health_timeout_s,
        ),
        (
            "--build-stall-timeout",
            ranges::BUILD_STALL_TIMEOUT_S,
            o.build_stall_timeout_s,
        ),
    ];
    for (flag, range, value) in numbers {
        if let Some(value) = value {
            range
                .check(value)
                .map_err(|message| invalid(COMMAND_LINE, flag, message))?;
        }
    }
    if let Some(health) = &o.health
        && let Some(problem) = target::problem(health)
    {
        return Err(invalid(
            COMMAND_LINE,
            "--health",
            target::message(health, &problem),
        ));
    }
    Ok(())
}

/// `value` (or `default`) when it is in `range`; else an error naming the key.
fn in_range<T: Copy + Into<f64>>(
    origin: &str,
    range: Range,
    value: Option<T>,
    default: T,
) -> Result<T, ConfigError> {
    let value = value.unwrap_or(default);
    range
        .check(value.into())
        .map_err(|message| invalid(origin, range.key, message))?;
    Ok(value)
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
    let timeout = in_range(
        origin,
        ranges::HEALTH_TIMEOUT_S,
        raw.health_timeout_s,
        defaults::HEALTH_TIMEOUT_S,
    )?;
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
        runs: in_range(origin, ranges::RUNS, raw.runs, defaults::RUNS)?,
        build_runs: in_range(
            origin,
            ranges::BUILD_RUNS,
            raw.build_runs,
            defaults::BUILD_RUNS,
        )?,
        builder: raw.builder.unwrap_or(defaults::BUILDER),
        context_transfer: raw.context_transfer.unwrap_or(defaults::CONTEXT_TRANSFER),
        health_timeout: Duration::from_secs_f64(timeout),
        build_stall_timeout: Duration::from_secs_f64(in_range(
            origin,
            ranges::BUILD_STALL_TIMEOUT_S,
            raw.build_stall_timeout_s,
            defaults::BUILD_STALL_TIMEOUT_S,
        )?),
        output_root: output_root(base_dir, &raw),
        latency_requests: in_range(
            origin,
            ranges::LATENCY_REQUESTS,
            raw.latency_requests,
            defaults::LATENCY_REQUESTS,
        )?,
        load_concurrency: in_range(
            origin,
            ranges::LOAD_CONCURRENCY,
            raw.load_concurrency,
            defaults::LOAD_CONCURRENCY,
        )?,
        load_duration: Duration::from_millis(in_range_u64(
            origin,
            ranges::LOAD_DURATION_MS,
            raw.load_duration_ms,
            defaults::LOAD_DURATION_MS,
        )?),
        substitute: raw.substitute,
        fallback: raw.bases.fallback,
        mirror: checked_mirror(origin, raw.bases.mirror)?,
        registry: checked_registry(origin, raw.registry)?,
        bandwidths: checked_bandwidths(origin, raw.bandwidth)?,
        shard: None,
        testbed_name: checked_testbed(origin, raw.testbed)?,
        hosts: checked_hosts(origin, raw.hosts)?,
        scoring: raw.scoring,
        sampling: Default::default(),
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

/// `testbed`, when it is a usable name.
fn checked_testbed(origin: &str, name: Option<String>) -> Result<Option<String>, ConfigError> {
    let Some(name) = name else {
        return Ok(None);
    };
    super::shard::check_testbed_name(&name).map_err(|e| invalid(origin, "testbed", e))?;
    Ok(Some(name))
}

/// `hosts`: engine addresses, none empty; what each one names is checked when it is
/// connected to (the error then names it).
fn checked_hosts(origin: &str, hosts: Option<Vec<String>>) -> Result<Vec<String>, ConfigError> {
    let hosts = hosts.unwrap_or_default();
    if hosts.iter().any(|h| h.trim().is_empty()) {
        return Err(invalid(
            origin,
            "hosts",
            "an empty address: give each engine as unix:///path/to.sock or tcp://HOST:PORT",
        ));
    }
    Ok(hosts.into_iter().map(|h| h.trim().to_string()).collect())
}

/// `registry`, when it is `HOST[:PORT]/PREFIX`.
fn checked_registry(
    origin: &str,
    registry: Option<String>,
) -> Result<Option<crate::registry::RegistryTarget>, ConfigError> {
    let Some(value) = registry else {
        return Ok(None);
    };
    crate::registry::RegistryTarget::parse(&value)
        .map(Some)
        .map_err(|e| invalid(origin, "registry", e))
}

/// `bandwidth`, each a link speed, sorted, without repeats.
fn checked_bandwidths(
    origin: &str,
    bandwidth: Option<Vec<String>>,
) -> Result<Vec<crate::registry::bandwidth::Bandwidth>, ConfigError> {
    let mut speeds = bandwidth
        .unwrap_or_default()
        .iter()
        .map(|b| crate::registry::bandwidth::Bandwidth::parse(b))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid(origin, "bandwidth", e))?;
    speeds.sort();
    speeds.dedup();
    Ok(speeds)
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
