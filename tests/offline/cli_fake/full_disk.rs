//! A disk that fills up mid-run (a small tmpfs as the output directory, filled once the
//! first results are written): the table is still printed, the previous complete
//! results file stays intact, the error names the file that could not be written and
//! where the run's reports went instead, and the history line is written. Needs root
//! (mount); it fails loudly without.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::*;

/// A tmpfs mounted on a fresh directory; unmounted and removed on drop.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Tmpfs {
        let dir = tempfile::tempdir().expect("tempdir");
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .expect("run mount");
        assert!(
            status.success(),
            "mounting a tmpfs needs root (the tests run as root)"
        );
        Tmpfs { dir }
    }

    /// Write until the file system is full.
    fn fill(&self) {
        use std::io::Write;
        let mut file = std::fs::File::create(self.dir.path().join("filler")).expect("filler");
        let block = vec![0u8; 4096];
        while file.write_all(&block).is_ok() {}
        let _ = file.sync_all();
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

#[test]
fn a_full_disk_at_the_end_keeps_the_table_the_previous_results_and_the_data() {
    let variants: &[(&str, &str)] = &[
        ("a", "# fake: startup-ms 200"),
        ("b", "# fake: startup-ms 200"),
    ];
    let dir = project(variants);
    let disk = Tmpfs::mount("1m");
    let out = disk.dir.path().join("out");
    let mut args = flag_args(variants);
    let at = args.iter().position(|a| a == "out").expect("--output out");
    args[at] = out.display().to_string();
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("basebench"));
    cmd.current_dir(dir.path())
        .env("BASEBENCH_ENGINE", "fake")
        .env("NO_COLOR", "1")
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd.spawn().expect("spawn basebench");
    // Fill the disk once the first results are on it: every later write fails.
    let started = Instant::now();
    while !out.join("results.json").exists() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no results.json written"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    disk.fill();
    let before = std::fs::read_to_string(out.join("results.json")).expect("first results");
    let output = child.wait_with_output().expect("wait");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "stderr:\n{stderr}");
    assert!(
        stdout.contains(" a ") || stdout.contains("a  "),
        "the table is printed: {stdout}"
    );
    assert!(stdout.contains('b'), "{stdout}");
    // The file left in the output directory is the previous complete one.
    let kept = std::fs::read_to_string(out.join("results.json")).expect("results.json");
    assert_eq!(kept, before, "the previous results file is intact");
    serde_json::from_str::<Value>(&kept).expect("and parses");
    // The error names the file and where this run's data is.
    assert!(
        stderr.contains("results.json") && stderr.contains("No space left"),
        "{stderr}"
    );
    let saved = stderr
        .lines()
        .find_map(|l| l.split("saved in '").nth(1))
        .and_then(|rest| rest.split('\'').next())
        .unwrap_or_else(|| panic!("no 'saved in' path: {stderr}"));
    let saved = std::path::Path::new(saved);
    let text = std::fs::read_to_string(saved.join("results.json")).expect("saved results");
    let json: Value = serde_json::from_str(&text).expect("saved results parse");
    assert_eq!(json["complete"], true);
    assert_eq!(
        json["variants"].as_array().map(Vec::len),
        Some(2),
        "no variant dropped"
    );
    assert!(saved.join("report.md").is_file());
    let _ = std::fs::remove_dir_all(saved);
    // The history (beside the config, not on the full disk) has the run.
    let history =
        std::fs::read_to_string(dir.path().join("results/history.jsonl")).expect("history written");
    assert_eq!(history.lines().count(), 1);
}
