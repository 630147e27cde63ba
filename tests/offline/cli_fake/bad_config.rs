//! Bad settings stop a run before anything is built: exit 2 with the file (or "command
//! line"), the key and what is expected; never a panic, never a partial output directory.

use super::*;

/// The values every numeric key is tried with.
const HOSTILE: [&str; 4] = ["0", "-1", "nan", "1e300"];

/// A config with one working variant and `extra` lines at the top and in the variant.
fn config(top: &str, variant: &str, tail: &str) -> String {
    format!(
        "context = \"app\"\nport = 5000\n{top}\n\n[[variant]]\nname = \"good\"\ndockerfile = \"Dockerfile.good\"\n{variant}\n{tail}\n"
    )
}

/// Run `basebench run` in a project with `toml` and `flags`; assert exit 2, no panic, no
/// output, and every `expected` fragment in the error.
fn rejected(toml: &str, flags: &[&str], expected: &[&str]) {
    let dir = project(&[("good", "")]);
    std::fs::write(dir.path().join("basebench.toml"), toml).expect("write");
    let output = basebench(dir.path())
        .arg("run")
        .args(["--output", "out", "--no-history"])
        .args(flags)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let case = format!("{flags:?} with\n{toml}\nstderr: {stderr}");
    assert_eq!(output.status.code(), Some(2), "{case}");
    assert!(!stderr.contains("panicked"), "{case}");
    for fragment in expected {
        assert!(stderr.contains(fragment), "missing {fragment:?}: {case}");
    }
    assert!(!dir.path().join("out").exists(), "nothing written: {case}");
}

#[test]
fn every_numeric_key_in_the_file_is_checked_against_its_range() {
    let keys: [(&str, &str); 8] = [
        ("port", "from 1 to 65535"),
        ("runs", "from 1 to 1000"),
        ("build_runs", "from 1 to 100"),
        ("latency_requests", "from 1 to 1000000"),
        ("load_concurrency", "from 1 to 1024"),
        ("load_duration_ms", "from 0 to 3600000"),
        ("health_timeout_s", "at most 86400"),
        ("build_stall_timeout_s", "at most 86400"),
    ];
    for (key, range) in keys {
        for value in HOSTILE {
            if (key, value) == ("load_duration_ms", "0") {
                continue; // 0 skips the load test
            }
            let toml = config(&format!("{key} = {value}"), "", "");
            let toml = if key == "port" {
                toml.replacen("port = 5000\n", "", 1)
            } else {
                toml
            };
            rejected(&toml, &[], &["basebench.toml", &format!("`{key}`"), range]);
        }
    }
    for value in HOSTILE {
        let toml = config("", &format!("port = {value}"), "");
        rejected(&toml, &[], &["basebench.toml", "port", "from 1 to 65535"]);
    }
}

#[test]
fn every_scoring_weight_is_checked_against_its_range() {
    for key in ["compatibility", "security", "debugging", "size", "speed"] {
        // 0 is a valid weight (it leaves the rating out of the overall).
        for value in ["-1", "nan", "1e300"] {
            let toml = config("", "", &format!("[scoring]\n{key} = {value}"));
            rejected(&toml, &[], &["basebench.toml", key, "from 0 to 1000"]);
        }
    }
}

#[test]
fn every_numeric_flag_is_checked_against_its_range() {
    let flags: [(&str, &str); 5] = [
        ("--port", "from 1 to 65535"),
        ("--runs", "from 1 to 1000"),
        ("--build-runs", "from 1 to 100"),
        ("--health-timeout", "at most 86400"),
        ("--build-stall-timeout", "at most 86400"),
    ];
    for (flag, range) in flags {
        for value in HOSTILE {
            rejected(&config("", "", ""), &[flag, value], &[flag, range]);
        }
    }
}

#[test]
fn a_port_out_of_range_is_rejected_wherever_it_is_set() {
    let top = config("", "", "").replacen("port = 5000", "port = 70000", 1);
    rejected(&top, &[], &["basebench.toml", "`port`", "from 1 to 65535"]);
    let variant = config("", "port = 65536", "");
    rejected(
        &variant,
        &[],
        &["basebench.toml", "port", "from 1 to 65535"],
    );
    rejected(
        &config("", "", ""),
        &["--port", "70000"],
        &["--port", "from 1 to 65535"],
    );
}

#[test]
fn a_health_path_that_is_not_a_request_target_is_rejected() {
    let hostile = [
        "/health\\r\\nX-Injected: 1",
        "/health\\nHost: evil",
        "/a b",
        "health",
        "/%zz",
        "/caf\u{e9}",
    ];
    for path in hostile {
        for key in ["health", "latency_path"] {
            let toml = config(&format!("{key} = \"{path}\""), "", "");
            rejected(
                &toml,
                &[],
                &["basebench.toml", &format!("`{key}`"), "request target"],
            );
        }
    }
    rejected(
        &config("", "", ""),
        &["--health", "/x\r\nX-Injected: 1"],
        &["--health", "request target"],
    );
    let fine = config(
        "health = \"/health?ready=1&deep=true\"\nlatency_path = \"/a/b;c=d/%20e:f@g!$'()*+,~\"",
        "",
        "",
    );
    let dir = project(&[("good", "")]);
    std::fs::write(dir.path().join("basebench.toml"), fine).expect("write");
    basebench(dir.path())
        .args(["run", "--output", "out", "--no-history", "--runs", "1"])
        .assert()
        .code(0);
}

#[test]
fn an_empty_smoke_command_is_rejected_before_measuring() {
    for smoke in ["[[]]", "[[\"\"]]", "[[\"python\"], []]"] {
        let toml = config(&format!("smoke = {smoke}"), "", "");
        rejected(&toml, &[], &["basebench.toml", "`smoke", "empty"]);
        let toml = config("", &format!("smoke = {smoke}"), "");
        rejected(&toml, &[], &["basebench.toml", "smoke", "empty"]);
    }
}

#[test]
fn a_path_of_the_wrong_kind_says_what_it_is() {
    let dir_as_dockerfile = config("", "", "").replace("Dockerfile.good", "app");
    rejected(
        &dir_as_dockerfile,
        &[],
        &["Dockerfile of variant 'good'", "is a directory"],
    );
    let file_as_context =
        config("", "", "").replacen("context = \"app\"", "context = \"Dockerfile.good\"", 1);
    rejected(
        &file_as_context,
        &[],
        &["build context", "is a file, not a directory"],
    );
    let looped = config("", "", "").replace("Dockerfile.good", "loop");
    let dir = project(&[("good", "")]);
    std::os::unix::fs::symlink("loop", dir.path().join("loop")).expect("symlink");
    std::fs::write(dir.path().join("basebench.toml"), &looped).expect("write");
    basebench(dir.path())
        .args(["run", "--output", "out"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("symlink loop"));
    let dangling = looped.replace("\"loop\"", "\"dangling\"");
    std::os::unix::fs::symlink("nowhere", dir.path().join("dangling")).expect("symlink");
    std::fs::write(dir.path().join("basebench.toml"), &dangling).expect("write");
    basebench(dir.path())
        .args(["run", "--output", "out"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "symlink to 'nowhere', which does not exist",
        ));
    rejected(
        &config("", "", "").replace("Dockerfile.good", "nope"),
        &[],
        &["does not exist"],
    );
}

#[test]
fn a_scoring_error_names_the_file_it_is_in() {
    let dir = project(&[("good", "")]);
    let toml = config(
        "",
        "",
        "[scoring]\ncompatibility = 0\nsecurity = 0\ndebugging = 0\nsize = 0\nspeed = 0",
    );
    std::fs::write(dir.path().join("team.toml"), toml).expect("write");
    let output = basebench(dir.path())
        .args(["run", "--config", "team.toml", "--output", "out"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("team.toml"), "{stderr}");
    assert!(!stderr.contains("basebench.toml"), "{stderr}");
}
