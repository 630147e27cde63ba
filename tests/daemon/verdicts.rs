//! Verdicts on a real daemon: two identical `FROM scratch` variants are "no clear
//! difference" for startup, and a variant whose app waits 200 ms before listening is
//! "slower", with an interval of the ratio that excludes 1. Both must hold on a loaded
//! 2-core machine: the rounds interleave the variants, so load lands on all of them; the
//! noise band is 10 %, wider than the drift an interleaved run leaves; and rounds are
//! added (`precision = 5%`, up to 30) while the intervals are wide, as under load.

use std::path::Path;
use std::process::Command;

use basebench::engine::{Engine, RUN_LABEL};
use basebench::results::{RunResults, VariantResult};
use basebench::stats::Verdict;

use crate::support::{TESTAPP_PORT, connect_or_fail, test_app_context};

const CONFIG: &str = r#"
context = "."
health = "/health"
runs = 10
precision = "5%"
max_runs = 30
warmup = 1
build_runs = 1
noise = "10%"
reference = "twin-a"
latency_requests = 10
load_duration_ms = 0
health_timeout_s = 20

[[variant]]
name = "twin-a"
dockerfile = "Dockerfile.a"

[[variant]]
name = "twin-b"
dockerfile = "Dockerfile.b"

[[variant]]
name = "late"
dockerfile = "Dockerfile.a"
env = ["TESTAPP_DELAY_MS=200"]
"#;

fn versus<'a>(results: &'a RunResults, name: &str) -> &'a basebench::stats::Comparison {
    let row: &VariantResult = results
        .variants
        .iter()
        .find(|v| v.name == name)
        .unwrap_or_else(|| panic!("no row for {name}"));
    assert!(row.works, "{name}: {:?}", row.failure);
    row.vs_reference
        .get("startup_ms")
        .unwrap_or_else(|| panic!("{name} has no startup verdict: {:?}", row.vs_reference))
}

#[tokio::test]
async fn identical_variants_are_not_ranked_and_a_200_ms_delay_is_slower() {
    let engine = connect_or_fail().await;
    let app = test_app_context("");
    let dir = app.dir.path();
    for (file, label) in [("Dockerfile.a", "a"), ("Dockerfile.b", "b")] {
        let text = format!(
            "FROM scratch\nCOPY testapp /testapp\nLABEL twin={label}\nCMD [\"/testapp\"]\n"
        );
        std::fs::write(dir.join(file), text).expect("write Dockerfile");
    }
    let config = format!("port = {TESTAPP_PORT}\n{CONFIG}");
    std::fs::write(dir.join("basebench.toml"), config).expect("write config");
    let output = Command::new(env!("CARGO_BIN_EXE_basebench"))
        .current_dir(dir)
        .env_remove("BASEBENCH_ENGINE")
        .env("NO_COLOR", "1")
        .args(["run", "--no-anatomy", "--no-history", "--output", "out"])
        .output()
        .expect("run basebench");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "stderr:\n{stderr}");
    let results = read(&dir.join("out"));
    assert_eq!(results.reference.as_deref(), Some("twin-a"));
    let rounds = results.rounds.expect("rounds recorded");
    assert!((10..=30).contains(&rounds), "{rounds} rounds");

    let twin = versus(&results, "twin-b");
    let late = versus(&results, "late");
    // The figures, for whoever reads the test's output.
    eprintln!("twin-b vs twin-a: {twin:?}\nlate vs twin-a: {late:?}");
    assert_eq!(
        twin.verdict,
        Verdict::NoClearDifference,
        "identical images: {twin:?}"
    );
    assert_eq!(late.verdict, Verdict::Slower, "200 ms later: {late:?}");
    assert!(late.ci95[0] > 1.0, "the interval excludes 1: {late:?}");
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(
        table.contains("startup not distinguishable from twin-a"),
        "{table}"
    );
    let ranks: Vec<(String, usize)> = rows_by_rank(&table);
    let rank = |n: &str| ranks.iter().find(|(name, _)| name == n).map(|r| r.1);
    assert_eq!(
        rank("twin-a"),
        rank("twin-b"),
        "the twins share a rank: {ranks:?}"
    );
    assert!(
        table.contains("slower than twin-a (CI "),
        "the late one says by how much: {table}"
    );
    let left = engine
        .list_labelled(&format!("{RUN_LABEL}={}", results.run_id))
        .await
        .expect("list");
    assert!(
        left.containers.is_empty() && left.images.is_empty(),
        "{left:?}"
    );
}

fn read(out: &Path) -> RunResults {
    let text = std::fs::read_to_string(out.join("results.json")).expect("results.json");
    serde_json::from_str(&text).expect("results.json parses")
}

/// `(name, rank)` of each row of the terminal table (`│ 2. twin-b │`).
fn rows_by_rank(table: &str) -> Vec<(String, usize)> {
    table
        .lines()
        .filter_map(|line| {
            let cell = line.strip_prefix("│ ")?.split('│').next()?.trim();
            let (rank, name) = cell.split_once(". ")?;
            Some((name.trim().to_string(), rank.parse().ok()?))
        })
        .collect()
}
