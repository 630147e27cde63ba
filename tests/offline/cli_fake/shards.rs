//! `--shard K/N` and `--testbed NAME` on the scripted engine: each shard measures its
//! share of the variants and the reference, and says so in results.json and the matrix.

use super::*;

const FOUR: &[(&str, &str)] = &[
    ("ref", "# fake: startup-ms 10"),
    ("alpha", "# fake: startup-ms 10"),
    ("beta", "# fake: startup-ms 10"),
    ("gamma", "# fake: startup-ms 10"),
];

/// Run shard `k` of 2 on the testbed `ci-amd64` and return its variant names and results.
fn shard(dir: &Path, k: u32) -> (Vec<String>, Value) {
    shard_on(dir, k, "ci-amd64")
}

/// Run shard `k` of 2, naming the testbed `testbed`, without a history line.
fn shard_on(dir: &Path, k: u32, testbed: &str) -> (Vec<String>, Value) {
    shard_run(dir, k, testbed, false)
}

/// Run shard `k` of 2 on `testbed`; `history`: append to results/history.jsonl.
fn shard_run(dir: &Path, k: u32, testbed: &str, history: bool) -> (Vec<String>, Value) {
    let mut args = flag_args(FOUR);
    if !history {
        args.push("--no-history".into());
    }
    args.extend(["--reference", "ref", "--testbed", testbed].map(String::from));
    args.extend(["--shard".into(), format!("{k}/2")]);
    basebench(dir)
        .args(&args)
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "Testbed {testbed}: Docker fake"
        )));
    let json = results(dir);
    let names = json["variants"]
        .as_array()
        .expect("variants")
        .iter()
        .map(|v| v["name"].as_str().unwrap_or_default().to_string())
        .collect();
    (names, json)
}

/// Run shard `k` of 2 on `testbed` and keep its results as `shardK.json`.
fn save_shard(dir: &Path, k: u32, testbed: &str) {
    shard_on(dir, k, testbed);
    std::fs::copy(
        dir.join("out/results.json"),
        dir.join(format!("shard{k}.json")),
    )
    .expect("copy");
}

/// Each row of a merged results.json as (variant, testbed).
fn rows_with_testbed(json: &Value) -> Vec<(&str, &str)> {
    json["variants"]
        .as_array()
        .expect("variants")
        .iter()
        .map(|v| {
            (
                v["name"].as_str().unwrap_or_default(),
                v["testbed"].as_str().unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn two_shards_measure_every_variant_once_and_the_reference_in_both() {
    let dir = project(FOUR);
    let (first, json) = shard(dir.path(), 1);
    assert_eq!(json["shard"]["index"], 1);
    assert_eq!(json["shard"]["count"], 2);
    assert_eq!(json["testbed"]["name"], "ci-amd64");
    assert_eq!(json["reference"], "ref");
    let (second, _) = shard(dir.path(), 2);
    // Sorted without the reference: alpha beta gamma, dealt 1 2 1; file order kept.
    assert_eq!(first, ["ref", "alpha", "gamma"]);
    assert_eq!(second, ["ref", "beta"]);
}

#[test]
fn a_shard_without_a_reference_is_refused_before_anything_runs() {
    let dir = project(FOUR);
    let mut args = flag_args(FOUR);
    args.extend(["--no-history", "--shard", "1/2"].map(String::from));
    basebench(dir.path()).args(&args).assert().code(2).stderr(
        predicate::str::contains("--shard").and(predicate::str::contains("--reference NAME")),
    );
    assert!(!dir.path().join("out").exists());
}

#[test]
fn a_malformed_shard_or_testbed_says_what_is_expected() {
    let dir = project(FOUR);
    for (flag, value, expected) in [
        ("--shard", "3/2", "expected K/N"),
        ("--shard", "one", "expected K/N"),
        ("--testbed", " padded", "printable characters"),
    ] {
        let mut args = flag_args(FOUR);
        args.extend(["--no-history", "--reference", "ref", flag, value].map(String::from));
        basebench(dir.path()).args(&args).assert().code(2).stderr(
            predicate::str::contains(expected).and(predicate::str::contains("panicked").not()),
        );
    }
}

#[test]
fn a_bad_testbed_name_in_the_file_names_the_file_and_key() {
    let dir = project(FOUR);
    let config = "context = \"app\"\nport = 5000\ntestbed = \"\"\n\n[[variant]]\nname = \"ref\"\ndockerfile = \"Dockerfile.ref\"\n";
    std::fs::write(dir.path().join("basebench.toml"), config).expect("write");
    basebench(dir.path())
        .args(["run", "--no-history", "--output", "out"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("basebench.toml")
                .and(predicate::str::contains("testbed"))
                .and(predicate::str::contains("printable characters")),
        );
}

#[test]
fn merging_the_shards_gives_one_report_with_every_variant() {
    let dir = project(FOUR);
    for k in [2, 1] {
        save_shard(dir.path(), k, "ci-amd64");
    }
    basebench(dir.path())
        .args(["merge", "shard2.json", "shard1.json", "--output", "merged"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Merged 2 runs into"));
    let text = std::fs::read_to_string(dir.path().join("merged/results.json")).expect("merged");
    let json: Value = serde_json::from_str(&text).expect("json");
    let names: Vec<&str> = json["variants"]
        .as_array()
        .expect("variants")
        .iter()
        .map(|v| v["name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(names, ["ref", "alpha", "gamma", "beta"]);
    assert_eq!(json["merged_from"].as_array().map(Vec::len), Some(2));
    assert_eq!(json["merged_from"][0]["shard"]["index"], 1);
    assert!(json["merged_from"][1]["reference_startup_ms"].is_number());
    assert!(
        json["variants"][3]["vs_reference"]["startup_ms"].is_object(),
        "beta keeps its ratio to the reference of its own shard"
    );
    let markdown = std::fs::read_to_string(dir.path().join("merged/report.md")).expect("md");
    assert!(
        markdown.contains("Merged from 2 runs on one testbed"),
        "{markdown}"
    );
    assert!(dir.path().join("merged/report.html").exists());

    // One shard alone is not the whole split; an input is never overwritten.
    basebench(dir.path())
        .args(["merge", "shard1.json", "--output", "merged2"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("shard 2/2 is missing"));
    basebench(dir.path())
        .args(["merge", "shard1.json", "merged", "--output", "merged"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("would overwrite"));
    assert!(!dir.path().join("merged2").exists());
}

#[test]
fn shards_from_two_testbeds_merge_with_a_testbed_on_every_row() {
    let dir = project(FOUR);
    for (k, testbed) in [(1, "runner-1"), (2, "runner-2")] {
        save_shard(dir.path(), k, testbed);
    }
    basebench(dir.path())
        .args(["merge", "shard1.json", "shard2.json", "--output", "merged"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("on runner-2")
                .and(predicate::str::contains("Merged from 2 runs on 2 testbeds"))
                .and(predicate::str::contains("Testbed runner-1: Docker fake"))
                .and(predicate::str::contains("Testbed runner-2: Docker fake")),
        );
    let text = std::fs::read_to_string(dir.path().join("merged/results.json")).expect("merged");
    let json: Value = serde_json::from_str(&text).expect("json");
    let rows = rows_with_testbed(&json);
    assert_eq!(
        rows,
        [
            ("ref", "runner-1"),
            ("alpha", "runner-1"),
            ("gamma", "runner-1"),
            ("beta", "runner-2")
        ]
    );
    assert_eq!(json["merged_from"][1]["testbed_facts"]["name"], "runner-2");
    let csv = std::fs::read_to_string(dir.path().join("merged/results.csv")).expect("csv");
    let header = csv.lines().next().expect("header");
    assert!(header.ends_with(",testbed"), "{header}");
    let beta = csv
        .lines()
        .find(|l| l.contains(",beta,"))
        .expect("beta row");
    assert!(beta.ends_with(",runner-2"), "{beta}");
    let markdown = std::fs::read_to_string(dir.path().join("merged/report.md")).expect("md");
    assert!(markdown.contains("**beta** · on runner-2"), "{markdown}");
    // The merged file passes the same gates as a single run.
    basebench(dir.path())
        .args(["check", "merged/results.json", "--max-size", "1GB"])
        .assert()
        .success();
}

#[test]
fn a_merge_appends_one_history_line_that_replaces_its_shards_lines() {
    let dir = project(FOUR);
    let mut shard_ids = Vec::new();
    for (k, testbed) in [(1, "runner-1"), (2, "runner-2")] {
        let (_, json) = shard_run(dir.path(), k, testbed, true);
        shard_ids.push(json["run_id"].as_str().expect("run id").to_string());
        std::fs::copy(
            dir.path().join("out/results.json"),
            dir.path().join(format!("shard{k}.json")),
        )
        .expect("copy");
    }
    basebench(dir.path())
        .args(["merge", "shard1.json", "shard2.json", "--output", "merged"])
        .assert()
        .success()
        .stdout(predicate::str::contains("History: "));
    let history =
        std::fs::read_to_string(dir.path().join("results/history.jsonl")).expect("history");
    assert_eq!(
        history.lines().count(),
        3,
        "two shard lines and the merged one:\n{history}"
    );
    let merged: Value =
        serde_json::from_str(history.lines().last().expect("a last line")).expect("json line");
    assert_eq!(merged["merged_from"], serde_json::json!(shard_ids));
    let output = basebench(dir.path())
        .args(["trend"])
        .output()
        .expect("trend");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let table = String::from_utf8_lossy(&output.stdout);
    for id in &shard_ids {
        assert!(
            !table.contains(&format!(" {id} ")),
            "shard run {id} is superseded:\n{table}"
        );
    }
    assert!(table.contains("beta on runner-2"), "{table}");
    assert!(table.contains("gamma on runner-1"), "{table}");
    assert_eq!(
        table.matches("-merged").count(),
        4,
        "one row per variant:\n{table}"
    );
    // --no-history leaves the file as it was.
    basebench(dir.path())
        .args([
            "merge",
            "shard1.json",
            "shard2.json",
            "--output",
            "again",
            "--no-history",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("History: ").not());
    let after = std::fs::read_to_string(dir.path().join("results/history.jsonl")).expect("history");
    assert_eq!(after, history);
}

#[test]
fn a_single_shard_merges_checks_and_trends_as_the_scheduled_workflow_does() {
    // benchmark.yml with shards = 1: `run --shard 1/1`, `merge` of that one file, `check`
    // on the merged file and `trend` of the history the merge appended to.
    let dir = project(FOUR);
    let mut args = flag_args(FOUR);
    args.extend(
        [
            "--no-history",
            "--reference",
            "ref",
            "--shard",
            "1/1",
            "--testbed",
            "runner-1",
        ]
        .map(String::from),
    );
    basebench(dir.path()).args(&args).assert().success();
    basebench(dir.path())
        .args(["merge", "out/results.json", "--output", "merged"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Merged 1 run into"));
    let merged: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("merged/results.json")).expect("merged"),
    )
    .expect("json");
    assert_eq!(merged["variants"].as_array().map(Vec::len), Some(4));
    basebench(dir.path())
        .args(["check", "merged/results.json", "--max-size", "1GB"])
        .assert()
        .success();
    basebench(dir.path())
        .args(["trend"])
        .assert()
        .success()
        .stdout(predicate::str::contains("-merged"));
}

#[test]
fn several_hosts_measure_one_shard_each_and_merge_them() {
    let dir = project(FOUR);
    let mut args = flag_args(FOUR);
    args.extend(
        [
            "--reference",
            "ref",
            "--host",
            "unix:///run/engine-a.sock",
            "--host",
            "tcp://engine-b.example:2375",
        ]
        .map(String::from),
    );
    let output = basebench(dir.path()).args(&args).output().expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    // Progress names every host.
    for label in [
        "[unix:///run/engine-a.sock]",
        "[tcp://engine-b.example:2375]",
    ] {
        assert!(stderr.contains(label), "{label} in\n{stderr}");
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("Merged from 2 runs on 2 testbeds"),
        "{stdout}"
    );
    let merged = results(dir.path());
    let rows = rows_with_testbed(&merged);
    assert_eq!(
        rows,
        [
            ("ref", "unix:///run/engine-a.sock"),
            ("alpha", "unix:///run/engine-a.sock"),
            ("gamma", "unix:///run/engine-a.sock"),
            ("beta", "tcp://engine-b.example:2375"),
        ]
    );
    for k in [1, 2] {
        let shard = dir.path().join(format!("out/shard-{k}/results.json"));
        let json: Value =
            serde_json::from_str(&std::fs::read_to_string(&shard).expect("shard")).expect("json");
        assert_eq!(json["shard"]["index"], k);
        assert_eq!(json["shard"]["count"], 2);
    }
    let history =
        std::fs::read_to_string(dir.path().join("results/history.jsonl")).expect("history");
    assert_eq!(
        history.lines().count(),
        1,
        "the merged run only:\n{history}"
    );
}

#[test]
fn several_hosts_without_a_reference_or_with_a_shard_are_refused_before_anything_runs() {
    let dir = project(FOUR);
    let hosts = ["--host", "unix:///a.sock", "--host", "unix:///b.sock"];
    for (extra, expected) in [
        (&[][..], "--reference NAME"),
        (
            &["--reference", "ref", "--shard", "1/2"][..],
            "drop --shard",
        ),
        (
            &["--reference", "ref", "--testbed", "x"][..],
            "drop --testbed",
        ),
    ] {
        let mut args = flag_args(FOUR);
        args.extend(hosts.map(String::from));
        args.extend(extra.iter().map(|s| s.to_string()));
        basebench(dir.path()).args(&args).assert().code(2).stderr(
            predicate::str::contains(expected).and(predicate::str::contains("panicked").not()),
        );
        assert!(!dir.path().join("out").exists(), "{extra:?}");
    }
    let mut args = flag_args(FOUR);
    args.extend(
        [
            "--reference",
            "ref",
            "--host",
            "unix:///a.sock",
            "--host",
            "unix:///a.sock",
        ]
        .map(String::from),
    );
    basebench(dir.path())
        .args(&args)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("given twice"));
}

#[test]
fn hosts_in_the_config_split_the_run_and_host_flags_replace_them() {
    let dir = project(FOUR);
    let mut config = String::from(
        "context = \"app\"\nport = 5000\nhealth = \"/health\"\nruns = 3\nreference = \"ref\"\n\
         hosts = [\"unix:///run/a.sock\", \"tcp://b.example:2375\"]\n",
    );
    for (name, _) in FOUR {
        config.push_str(&format!(
            "\n[[variant]]\nname = \"{name}\"\ndockerfile = \"Dockerfile.{name}\"\n"
        ));
    }
    std::fs::write(dir.path().join("basebench.toml"), config).expect("write");
    basebench(dir.path())
        .args(["run", "--no-history", "--output", "out"])
        .assert()
        .success()
        .stdout(predicate::str::contains("on tcp://b.example:2375"));
    assert!(dir.path().join("out/shard-2/results.json").exists());
    // One --host replaces the list: one engine, no shards.
    basebench(dir.path())
        .args([
            "run",
            "--no-history",
            "--output",
            "one",
            "--host",
            "unix:///run/a.sock",
        ])
        .assert()
        .success();
    assert!(!dir.path().join("one/shard-1").exists());
    let text = std::fs::read_to_string(dir.path().join("one/results.json")).expect("results");
    let one: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(one["variants"].as_array().map(Vec::len), Some(4));
    assert!(one["shard"].is_null(), "one engine measures every variant");
}

#[test]
fn an_empty_host_in_the_config_names_the_key() {
    let dir = project(FOUR);
    let config = "context = \"app\"\nport = 5000\nhosts = [\" \"]\n\n[[variant]]\nname = \"ref\"\ndockerfile = \"Dockerfile.ref\"\n";
    std::fs::write(dir.path().join("basebench.toml"), config).expect("write");
    basebench(dir.path())
        .args(["run", "--no-history", "--output", "out"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("hosts").and(predicate::str::contains("empty address")));
}
