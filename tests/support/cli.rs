//! Running the `basebench` binary against the real daemon: a `run` on the test app's
//! context with variants given as Dockerfile lines, its results read back, and the check
//! that a run left nothing labelled with its id.

use std::path::Path;
use std::process::Command;

use basebench::engine::{Engine, RUN_LABEL};
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

pub(crate) async fn assert_nothing_left(run_id: &str) {
    let engine = connect_or_fail().await;
    let left = engine
        .list_labelled(&format!("{RUN_LABEL}={run_id}"))
        .await
        .expect("list");
    assert!(
        left.containers.is_empty() && left.images.is_empty(),
        "run {run_id} left {left:?}"
    );
}
