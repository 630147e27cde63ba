//! Running `mmdebstrap` to turn a [`Recipe`] into a root filesystem tarball.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::process::Command;

use super::error::StandInError;
use super::mirror::Mirror;
use super::recipes::{Recipe, STAND_IN_PREFIX, Variant};

/// Hook directory shipped with mmdebstrap that sets up merged-/usr with symlinks (without
/// it, bookworm minbase pulls in usrmerge and perl).
const MERGED_USR_HOOKS: &str = "/usr/share/mmdebstrap/hooks/merged-usr";
/// Longest a single mmdebstrap run may take.
const BUILD_TIMEOUT: Duration = Duration::from_secs(20 * 60);
/// Lines of mmdebstrap output kept for error messages.
const TAIL_LINES: usize = 12;
/// Markers of apt failing to reach or use the mirror.
const MIRROR_MARKERS: &[&str] = &[
    "Failed to fetch",
    "Could not resolve",
    "Could not connect",
    "Unable to connect",
    "Temporary failure resolving",
    "Connection refused",
    "Connection timed out",
    "apt-get update failed",
    "does not have a Release file",
    "Unable to locate package",
];

/// Everything the stand-in builder needs from its surroundings; tests inject their own.
#[derive(Debug, Clone)]
pub struct StandInOptions {
    /// The mmdebstrap program (default `mmdebstrap`, found on PATH).
    pub mmdebstrap: PathBuf,
    /// The Debian archive to build from; `None` when no setting and no host source names
    /// one (building then stops with [`StandInError::NoMirror`]).
    pub mirror: Option<Mirror>,
    /// Host directory of extra CA certificates (`*.crt`) put into every stand-in.
    pub(crate) extra_ca_dir: PathBuf,
    /// Repository prefix of the stand-in tags (default `basebench-stand-in`).
    pub prefix: String,
    /// Extra labels on the imported image (tests add a unique `basebench.run`).
    pub extra_labels: Vec<(String, String)>,
    /// Directory for the temporary root filesystem and tarball (default: the system's).
    pub(crate) temp_dir: Option<PathBuf>,
}

impl StandInOptions {
    /// Options for this host: mmdebstrap from PATH, the mirror `setting` names (see
    /// [`Mirror::choose`]) else the host's apt sources, the host's extra CA certificates.
    pub fn from_host(mirror_setting: Option<&str>) -> StandInOptions {
        StandInOptions {
            mmdebstrap: PathBuf::from("mmdebstrap"),
            mirror: Mirror::choose(mirror_setting),
            extra_ca_dir: PathBuf::from("/usr/local/share/ca-certificates"),
            prefix: STAND_IN_PREFIX.to_string(),
            extra_labels: Vec::new(),
            temp_dir: None,
        }
    }
}

/// `mmdebstrap --version`, e.g. `mmdebstrap 1.3.5`; tells a missing program apart.
pub(crate) async fn version(
    options: &StandInOptions,
    requested: &str,
) -> Result<String, StandInError> {
    let output = Command::new(&options.mmdebstrap)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .await
        .map_err(|e| spawn_error(options, requested, e))?;
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

fn spawn_error(options: &StandInOptions, requested: &str, e: std::io::Error) -> StandInError {
    if e.kind() == std::io::ErrorKind::NotFound {
        StandInError::MmdebstrapMissing {
            requested: requested.to_string(),
            binary: options.mmdebstrap.clone(),
        }
    } else {
        StandInError::Io {
            requested: requested.to_string(),
            action: format!("running '{}'", options.mmdebstrap.display()),
            source: e,
        }
    }
}

/// The mmdebstrap command line for `recipe`, writing `output` (a `.tar` path).
pub(crate) fn arguments(recipe: &Recipe, mirror: &Mirror, output: &Path) -> Vec<String> {
    let mut args = vec![
        format!("--variant={}", recipe.variant.as_str()),
        format!("--include={}", recipe.packages.join(",")),
        "--format=tar".to_string(),
    ];
    match recipe.variant {
        Variant::Minbase => {
            if Path::new(MERGED_USR_HOOKS).is_dir() {
                args.push(format!("--hook-dir={MERGED_USR_HOOKS}"));
            }
            args.push(format!("--customize-hook={}", recipe.hook));
        }
        Variant::Extract => {
            // The hook removes apt/dpkg state itself; mmdebstrap must not restore its
            // start-stop-daemon diversion or clean up what is already gone.
            args.push("--skip=cleanup/apt,cleanup/mmdebstrap,chroot/start-stop-daemon".into());
            args.push(format!("--extract-hook={}", recipe.hook));
        }
    }
    args.push(mirror.suite.clone());
    args.push(output.display().to_string());
    args.extend(mirror.source_lines());
    args
}

/// Build the root filesystem of `recipe` from `mirror` into `dir/rootfs.tar`; returns its
/// path.
pub(crate) async fn build_tarball(
    recipe: &Recipe,
    requested: &str,
    options: &StandInOptions,
    mirror: &Mirror,
    dir: &Path,
) -> Result<PathBuf, StandInError> {
    let output = dir.join("rootfs.tar");
    let mut command = Command::new(&options.mmdebstrap);
    command
        .args(arguments(recipe, mirror, &output))
        .env("BASEBENCH_EXTRA_CA_DIR", &options.extra_ca_dir)
        .env("TMPDIR", dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let child = command
        .spawn()
        .map_err(|e| spawn_error(options, requested, e))?;
    let finished = tokio::time::timeout(BUILD_TIMEOUT, child.wait_with_output()).await;
    let result = match finished {
        Ok(result) => result,
        Err(_) => {
            return Err(StandInError::BuildFailed {
                requested: requested.to_string(),
                mirror: mirror.uri.clone(),
                status: format!(
                    "no result after {} minutes (killed)",
                    BUILD_TIMEOUT.as_secs() / 60
                ),
                stderr_tail: String::new(),
            });
        }
    };
    let out = result.map_err(|e| spawn_error(options, requested, e))?;
    if out.status.success() {
        return Ok(output);
    }
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Err(classify_failure(
        requested,
        &mirror.uri,
        &out.status.to_string(),
        &text,
    ))
}

/// Turn mmdebstrap's output after a failure into the matching error.
pub(crate) fn classify_failure(
    requested: &str,
    mirror: &str,
    status: &str,
    output: &str,
) -> StandInError {
    let lines: Vec<&str> = output.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = lines[lines.len().saturating_sub(TAIL_LINES)..].join("\n");
    if MIRROR_MARKERS.iter().any(|m| output.contains(m)) {
        let relevant: Vec<&str> = lines
            .iter()
            .copied()
            .filter(|l| l.starts_with("E:") || l.starts_with("W:"))
            .collect();
        let stderr_tail = if relevant.is_empty() {
            tail
        } else {
            relevant[relevant.len().saturating_sub(TAIL_LINES)..].join("\n")
        };
        return StandInError::MirrorUnreachable {
            requested: requested.to_string(),
            mirror: mirror.to_string(),
            stderr_tail,
        };
    }
    StandInError::BuildFailed {
        requested: requested.to_string(),
        mirror: mirror.to_string(),
        status: status.to_string(),
        stderr_tail: tail,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::bases::recipes::recipe_for;

    #[test]
    fn builds_the_distroless_stand_in_with_an_extract_hook() {
        let recipe = recipe_for("gcr.io/distroless/python3").unwrap();
        let mirror = Mirror::main_only("http://mirror.example.com/debian");
        let args = arguments(recipe, &mirror, Path::new("/tmp/x/rootfs.tar"));
        assert!(args.contains(&"--variant=extract".to_string()));
        assert!(args.iter().any(|a| a.starts_with("--extract-hook=")));
        assert!(args.contains(&"deb http://mirror.example.com/debian bookworm main".to_string()));
    }

    #[test]
    fn tells_an_unreachable_mirror_from_other_failures() {
        let out = "I: running apt-get update...\nE: Failed to fetch http://127.0.0.1:9/x\nE: apt-get update failed\n";
        let err = classify_failure(
            "ubuntu:20.04",
            "http://127.0.0.1:9/debian",
            "exit status: 1",
            out,
        );
        let text = err.to_string();
        assert!(matches!(err, StandInError::MirrorUnreachable { .. }));
        assert!(text.contains("http://127.0.0.1:9/debian") && text.contains("Failed to fetch"));
        let other = classify_failure("ubuntu:20.04", "m", "exit status: 1", "E: unshare failed\n");
        assert!(matches!(other, StandInError::BuildFailed { .. }));
    }
}
