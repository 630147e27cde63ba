//! Loads report.html from disk in headless Chromium and checks that the charts and the
//! matrix are in the rendered DOM; also takes a screenshot (kept under target/ for a
//! person to look at). Fails loudly when Chromium is missing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use basebench::export::render_reports;
use basebench::matrix::ScoringWeights;
use basebench::results::RunResults;

const CHARTS: [&str; 5] = [
    "chart-size",
    "chart-build",
    "chart-startup",
    "chart-latency",
    "chart-memory",
];

fn chromium() -> PathBuf {
    let path = std::env::var_os("BASEBENCH_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        path.exists(),
        "Chromium is missing at {}: install Debian's `chromium` package (apt-get install -y \
         chromium) or set BASEBENCH_CHROMIUM; the report browser test cannot run without it",
        path.display()
    );
    path
}

fn write_report(dir: &Path) -> PathBuf {
    let path = format!(
        "{}/tests/fixtures/results/article.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let results: RunResults =
        serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("parse");
    let report = render_reports(&results, &ScoringWeights::default())
        .into_iter()
        .find(|r| r.file_name == "report.html")
        .expect("report.html rendered");
    let file = dir.join("report.html");
    std::fs::write(&file, report.bytes).expect("write report.html");
    file
}

/// Run headless Chromium on a file with extra arguments, killed after two minutes.
fn headless(file: &Path, extra: &[String]) -> Output {
    let profile = tempfile::tempdir().expect("profile dir");
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(format!("file://{}", file.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    let started = Instant::now();
    while child.try_wait().expect("poll chromium").is_none() {
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.wait_with_output().expect("chromium output")
}

#[test]
fn report_html_shows_the_charts_and_the_matrix_in_a_browser() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write_report(dir.path());
    let output = headless(&file, &["--dump-dom".to_string()]);
    let dom = String::from_utf8_lossy(&output.stdout);
    assert!(
        dom.contains("<table id=\"matrix\">"),
        "matrix missing from the DOM; chromium said: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    for id in CHARTS {
        assert!(
            dom.contains(&format!("<svg id=\"{id}\"")),
            "chart {id} missing"
        );
    }
    assert_eq!(
        dom.matches("<tr class=\"works\"").count(),
        4,
        "working rows"
    );
    assert_eq!(
        dom.matches("<tr class=\"failed\"").count(),
        2,
        "failed rows"
    );
    assert!(dom.contains("id=\"failures\"") && dom.contains("id=\"layers\""));
    assert!(dom.contains("stand-in base") && dom.contains("single run"));
    assert!(
        !dom.contains("<script>alert(1)"),
        "log text must stay escaped"
    );
}

#[test]
fn report_html_renders_to_a_screenshot() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write_report(dir.path());
    let shot = dir.path().join("report.png");
    let output = headless(
        &file,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1400,4200".to_string(),
            "--hide-scrollbars".to_string(),
        ],
    );
    let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
    assert!(
        size > 50_000,
        "screenshot missing or blank ({size} bytes); chromium said: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Keep a copy for a person to look at.
    let keep = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report.png");
    let _ = std::fs::copy(&shot, keep);
}
