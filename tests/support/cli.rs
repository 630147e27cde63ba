//! Running the `basebench` binary against the real daemon: a `run` on the test app's
//! context with variants given as Dockerfile lines, its results read back, and the check
//! that a run left nothing labelled with its id.

use std::path::Path;
use std::process::Command;

use basebench::engine::RUN_LABEL;
use basebench::results::{RunResults, VariantResult};

use super::{TESTAPP_PORT, connect_or_fail};

/// Write a variant's Dockerfile into the test app's context directory.
pub(crate) fn variant(dir: &Path, name: &str, extra: &str) -> String {
    let text = format!("FROM scratch\nCOPY testapp /testapp\n{extra}\nCMD [\"/testapp\"]\n");
    std::fs::write(dir.join(format!("Dockerfile.{name}")), text).expect("write Dockerfile");
    format!(
        "{name}={}",
        dir.join(format!("Dockerfile.{name}")).display()
    )
}

pub(crate) fn basebench(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_basebench"));
    cmd.current_dir(dir)
        .env_remove("BASEBENCH_ENGINE")
        .env("NO_COLOR", "1");
    cmd
}

/// `basebench run` on the test app's context with these variants `(name, Dockerfile extra)`,
/// writing to `out`; `extra` flags come first.
pub(crate) fn run_command(
    dir: &Path,
    out: &Path,
    extra: &[&str],
    variants: &[(&str, &str)],
) -> Command {
    let mut cmd = basebench(dir);
    cmd.args([
        "run",
        "--context",
        ".",
        "--port",
        &TESTAPP_PORT.to_string(),
        "--health",
        "/health",
    ]);
    cmd.args(extra);
    for (name, text) in variants {
        cmd.args(["--variant", &variant(dir, name, text)]);
    }
    cmd.arg("--output").arg(out);
    cmd
}

/// Run `cmd` to the end, check its exit code (showing stderr when it is wrong) and read
/// the results it wrote to `out`.
pub(crate) fn finished(mut cmd: Command, code: i32, out: &Path) -> RunResults {
    let output = cmd.output().expect("run basebench");
    assert_eq!(
        output.status.code(),
        Some(code),
        "stderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    read_results(out)
}

pub(crate) fn read_results(path: &Path) -> RunResults {
    let text = std::fs::read_to_string(path.join("results.json")).expect("results.json written");
    serde_json::from_str(&text).expect("results.json parses as RunResults")
}

pub(crate) fn row<'a>(results: &'a RunResults, name: &str) -> &'a VariantResult {
    results
        .variants
        .iter()
        .find(|v| v.name == name)
        .unwrap_or_else(|| panic!("no row for {name}"))
}

/// Fails when run `run_id` left a container or an image on the daemon, asked through the
/// Docker CLI rather than basebench's own lister: by run label, and without labels by the
/// names basebench gives (containers `basebench-<run-id>-…`, images tagged `<run-id>`), so an
/// object that lost or never had its label is caught too.
pub(crate) async fn assert_nothing_left(run_id: &str) {
    connect_or_fail().await;
    let label = format!("label={RUN_LABEL}={run_id}");
    let labelled_containers = docker_lines(&["ps", "-aq", "--filter", &label]);
    let labelled_images = docker_lines(&["images", "-aq", "--filter", &label]);
    let prefix = format!("basebench-{run_id}-");
    let named_containers: Vec<String> = docker_lines(&["ps", "-a", "--format", "{{.Names}}"])
        .into_iter()
        .filter(|name| name.starts_with(&prefix))
        .collect();
    let tagged_images: Vec<String> =
        docker_lines(&["images", "--format", "{{.Repository}}:{{.Tag}}"])
            .into_iter()
            .filter(|reference| reference.ends_with(&format!(":{run_id}")))
            .collect();
    assert!(
        labelled_containers.is_empty()
            && labelled_images.is_empty()
            && named_containers.is_empty()
            && tagged_images.is_empty(),
        "run {run_id} left containers {labelled_containers:?} (by label), \
         {named_containers:?} (by name) and images {labelled_images:?} (by label), \
         {tagged_images:?} (by tag)"
    );
}

/// The lines `docker ARGS` prints; fails the test when the CLI cannot be run or fails.
fn docker_lines(args: &[&str]) -> Vec<String> {
    command_lines(std::process::Command::new("docker"), args)
}

/// The non-empty lines `command ARGS` prints (a Docker CLI, e.g. one pointed at another
/// daemon); fails the test when it cannot be run or fails.
pub(crate) fn command_lines(mut command: std::process::Command, args: &[&str]) -> Vec<String> {
    let output = command
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run the docker CLI ({args:?}): {e}"));
    assert!(
        output.status.success(),
        "docker {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|line| !line.is_empty())
        .map(str::to_string)
        .collect()
}
