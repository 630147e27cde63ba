//! Bytes the user did not write (build and container logs, image file names, results and
//! history files) never reach the terminal or a report raw: ESC and BEL become visible
//! escapes (`\x1b`, `\x07`) on every path, progress lines and error messages included.

use super::*;
use basebench::anatomy::synth::{ImageBuilder, LayerBuilder, Layout, Storage};

const RAW: [char; 3] = ['\u{1b}', '\u{7}', '\u{9b}'];

fn assert_clean(what: &str, text: &str) {
    for raw in RAW {
        assert!(!text.contains(raw), "{raw:?} reaches {what}: {text}");
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn build_and_container_logs_reach_no_output_raw() {
    let variants: &[(&str, &str)] = &[
        (
            "nobuild",
            "# fake: build-fail pip \u{1b}[31mred\u{7} failure",
        ),
        (
            "crashes",
            "# fake: exit 3\n# fake: log evil\u{1b}]0;owned\u{7} \u{1b}[2J\u{9b}31m",
        ),
    ];
    let dir = project(variants);
    let mut args = flag_args(variants);
    args.push("--no-history".into());
    let output = basebench(dir.path()).args(&args).output().expect("runs");
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_clean("stdout", &stdout);
    assert_clean("the progress lines", &stderr);
    assert!(stderr.contains("\\x1b[31mred\\x07"), "{stderr}");
    for report in ["report.md", "report.html", "results.csv"] {
        let body = std::fs::read_to_string(dir.path().join("out").join(report)).expect(report);
        assert_clean(report, &body);
        assert!(body.contains("x1b"), "{report} shows the escape: {body}");
    }
    let log = results(dir.path())["variants"][1]["failure_detail"]["log_tail"].to_string();
    assert!(
        log.contains("evil\\u001b]0;owned"),
        "results.json keeps the bytes: {log}"
    );
}

/// article.json with control characters in a name, a failure and a run id.
fn hostile_results(dir: &Path) -> std::path::PathBuf {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/results/article.json");
    let mut json: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture).expect("fixture")).expect("json");
    json["run_id"] = "run\u{1b}]0;t\u{7}".into();
    json["variants"][2]["name"] = "sl\u{1b}[31mim".into();
    json["variants"][3]["failure"] = "boom\u{7}\u{1b}[2J".into();
    let path = dir.join("hostile.json");
    std::fs::write(&path, serde_json::to_string(&json).expect("json")).expect("write");
    path
}

#[test]
fn compare_and_check_escape_what_a_results_file_says() {
    let dir = tempfile::tempdir().expect("tempdir");
    let hostile = hostile_results(dir.path());
    let outputs = [
        basebench(dir.path())
            .arg("compare")
            .args([&hostile, &hostile])
            .output(),
        basebench(dir.path()).arg("check").arg(&hostile).output(),
        basebench(dir.path())
            .args(["check", "--variant", "nope"])
            .arg(&hostile)
            .output(),
    ];
    for output in outputs {
        let output = output.expect("runs");
        let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
        assert_clean("stdout", &stdout);
        assert_clean("stderr", &stderr);
        assert!(
            stdout.contains("sl\\x1b[31mim") || stderr.contains("sl\\x1b[31mim"),
            "{stdout}{stderr}"
        );
    }
}

#[test]
fn trend_errors_escape_the_names_a_history_holds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let line = "{\"run_id\":\"r1\",\"time\":\"2026-01-01T00:00:00Z\",\"variants\":[{\"name\":\"ev\\u001b[2Jil\\u0007\",\"works\":true,\"size_bytes\":1,\"cold_build_s\":1.0,\"startup_median_ms\":1.0}]}\n";
    std::fs::write(dir.path().join("history.jsonl"), line).expect("write");
    let output = basebench(dir.path())
        .args(["trend", "--history", "history.jsonl", "--variant", "nope"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert_clean("stderr", &stderr);
    assert!(stderr.contains("ev\\x1b[2Jil\\x07"), "{stderr}");
}

#[test]
fn inspect_escapes_file_names_from_an_image_archive() {
    let dir = tempfile::tempdir().expect("tempdir");
    let layer = LayerBuilder::new()
        .sized("srv/evil\u{1b}]0;owned\u{7}.bin", 3_000_000)
        .file_mode("bin/sh", b"#!", 0o755);
    let archive = ImageBuilder::new()
        .layer("RUN printf '\u{1b}[2J'", layer, Storage::Gzip)
        .build(Layout::Legacy);
    let path = dir.path().join("evil\u{1b}[31m.tar");
    std::fs::write(&path, archive).expect("write");
    let output = basebench(dir.path())
        .args(["inspect", "--no-scan", "--archive"])
        .arg(&path)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    let stdout = text(&output.stdout);
    assert_clean("inspect", &stdout);
    assert!(
        stdout.contains("/srv/evil\\x1b]0;owned\\x07.bin"),
        "{stdout}"
    );
    let json = basebench(dir.path())
        .args(["inspect", "--no-scan", "--format", "json", "--archive"])
        .arg(&path)
        .output()
        .expect("runs");
    assert_clean("inspect --format json", &text(&json.stdout));
}
