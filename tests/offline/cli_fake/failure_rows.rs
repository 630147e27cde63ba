//! Failure rows through the binary on the fake engine: a container that never answers
//! 200 names the last answer it gave, and the cell shows the log line that reads as the
//! error, not a traceback's closing bracket; the report keeps the log tail.

use super::*;

#[test]
fn a_health_timeout_names_the_last_answer_and_the_error_line() {
    // 25 lines: "listening", 20 of start-up chatter, then a traceback ending in "]".
    let chatter: String = (1..=20)
        .map(|i| format!("# fake: log line {i}\n"))
        .collect();
    let stuck = format!(
        "# fake: never-healthy\n{chatter}# fake: log Traceback (most recent call last):\n\
         # fake: log ImportError: Entry point not found\n# fake: log [\n# fake: log ]"
    );
    let variants: &[(&str, &str)] = &[("good", ""), ("stuck", &stuck)];
    let dir = project(variants);
    let mut args = flag_args(variants);
    args.extend(["--no-history".into(), "--health-timeout".into(), "1".into()]);
    let output = basebench(dir.path()).args(&args).assert().code(1);
    let stdout = String::from_utf8_lossy(&output.get_output().stdout).to_string();
    let json = results(dir.path());
    let stuck = json["variants"]
        .as_array()
        .expect("variants")
        .iter()
        .find(|v| v["name"] == "stuck")
        .expect("a row for stuck");
    assert_eq!(stuck["works"], false);
    assert_eq!(stuck["failure_detail"]["phase"], "health");
    assert_eq!(
        stuck["failure"],
        "never answered HTTP 200 on /health within 1 s (last answer: HTTP 503); log: \
         ImportError: Entry point not found"
    );
    let tail = stuck["failure_detail"]["log_tail"]
        .as_array()
        .expect("tail");
    assert_eq!(tail.len(), 20, "the last 20 lines are kept: {tail:?}");
    assert_eq!(
        (tail[0].as_str(), tail[19].as_str()),
        (Some("line 5"), Some("]"))
    );
    assert!(
        stdout.contains("log: ImportError:"),
        "the table cell: {stdout}"
    );
    let report = std::fs::read_to_string(dir.path().join("out/report.md")).expect("report");
    assert!(
        report.contains("Traceback (most recent call last):"),
        "{report}"
    );
}
