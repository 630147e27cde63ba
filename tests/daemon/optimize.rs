//! `basebench optimize` on the real daemon, on a Dockerfile the test makes: a shell base
//! (`FROM scratch` + Debian's static busybox, with a stand-in `pip` script whose only
//! effect is the download cache it leaves, 4 MiB, unless given `--no-cache-dir`), the
//! test app, that `pip install`, and 8 MiB written by one `RUN` and deleted by the next.
//! Three transformations apply: `pip-no-cache-dir` and `merge-runs` keep the app working
//! and save bytes; `non-root-user` adds `useradd`, which busybox does not have, so its
//! build fails and it must be left out. The combination of the two is measured again
//! with the original, and handed back as `Dockerfile.optimized`.

#![allow(clippy::unwrap_used)]

use std::fs;

use crate::support::cli::{assert_nothing_left, basebench};
use crate::support::images::build_dir;
use crate::support::{
    Cleanup, TESTAPP_PORT, connect_or_fail, test_app_context_with_dockerfile, unique_run_id,
};

/// The stand-in pip: a cache, unless told not to keep one.
const PIP: &str = "#!/bin/sh\n\
case \" $* \" in *\" --no-cache-dir \"*) exit 0 ;; esac\n\
mkdir -p /root/.cache/pip\n\
dd if=/dev/zero of=/root/.cache/pip/wheel bs=1024 count=4096 2>/dev/null\n";

#[tokio::test]
async fn optimize_keeps_what_works_and_saves_and_drops_what_breaks_the_app() {
    let engine = connect_or_fail().await;
    let run_id = unique_run_id();
    let _cleanup = Cleanup::new(&run_id);
    let base_dir = tempfile::tempdir().unwrap();
    fs::copy("/bin/busybox", base_dir.path().join("busybox")).unwrap_or_else(|e| {
        panic!("/bin/busybox (Debian's busybox-static; scripts/setup.sh installs it): {e}")
    });
    fs::write(base_dir.path().join("pip"), PIP).unwrap();
    build_dir(
        &engine,
        base_dir.path(),
        "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n\
         COPY --chmod=755 pip /usr/bin/pip\n",
        &run_id,
        "shell",
    )
    .await;
    let app = test_app_context_with_dockerfile(&format!(
        "FROM basebench-test/{run_id}:shell\nCOPY testapp /testapp\nRUN pip install flask\n\
         RUN dd if=/dev/zero of=/ballast bs=1024 count=8192\nRUN rm /ballast\n\
         EXPOSE {TESTAPP_PORT}\nCMD [\"/testapp\"]\n"
    ));
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("optimized");
    let output = basebench(app.dir.path())
        .args(["optimize", "--context", ".", "--out"])
        .arg(&out)
        .args(["--port", &TESTAPP_PORT.to_string(), "--health", "/health"])
        .args([
            "--runs",
            "2",
            "--build-runs",
            "2",
            "--no-anatomy",
            "--quiet",
        ])
        .output()
        .expect("run basebench optimize");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("optimize.json")).unwrap()).unwrap();
    let row = |name: &str| {
        report["transformations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("no row for {name}: {report}"))
            .clone()
    };
    for name in ["pip-no-cache-dir", "merge-runs"] {
        let r = row(name);
        assert_eq!(r["works"], true, "{name}: {r}");
        assert_eq!(r["kept"], true, "{name}: {r}");
        assert!(
            r["delta"]["size_bytes"].as_i64().unwrap() < -4_000_000,
            "{name} saves megabytes: {r}"
        );
        assert!(r["delta"]["code_change_build_s"].is_number(), "{name}: {r}");
        assert!(r["delta"]["startup_ms"].is_number(), "{name}: {r}");
    }
    let broken = row("non-root-user");
    assert_eq!(broken["applies"], true, "{broken}");
    assert_eq!(broken["works"], false, "{broken}");
    assert_eq!(broken["kept"], false, "{broken}");
    assert!(
        broken["left_out"]
            .as_str()
            .unwrap()
            .contains("the app fails with it"),
        "{broken}"
    );
    let best = &report["best"];
    assert_eq!(best["works"], true, "{best}");
    assert_eq!(
        best["transformations"],
        serde_json::json!(["pip-no-cache-dir", "merge-runs"]),
        "{best}"
    );
    assert!(
        best["delta"]["size_bytes"].as_i64().unwrap() < -12_000_000,
        "the combination saves both: {best}"
    );
    assert!(
        report["runs"]["combination"].is_string(),
        "re-measured as a whole"
    );
    let optimized = fs::read_to_string(out.join("Dockerfile.optimized")).unwrap();
    assert!(
        optimized.contains("pip install --no-cache-dir flask"),
        "{optimized}"
    );
    assert!(!optimized.contains("useradd"), "{optimized}");
    assert_eq!(optimized.matches("RUN ").count(), 1, "{optimized}");
    let diff = fs::read_to_string(out.join("Dockerfile.optimized.diff")).unwrap();
    assert!(diff.starts_with("--- "), "{diff}");
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "pip-cache")
        .unwrap_or_else(|| panic!("the pip-cache finding: {report}"));
    assert!(
        finding["measured"]
            .as_str()
            .unwrap()
            .starts_with("fixing it saved 4."),
        "{finding}"
    );
    assert!(stdout.contains("best: Dockerfile.optimized"), "{stdout}");
    assert_eq!(
        fs::read_to_string(app.dir.path().join("Dockerfile")).unwrap(),
        app.dockerfile,
        "the user's Dockerfile is never written"
    );
    for id in [
        &report["runs"]["candidates"],
        &report["runs"]["combination"],
    ] {
        assert_nothing_left(id.as_str().unwrap()).await;
    }
}
