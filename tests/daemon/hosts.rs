//! Two real engines on this machine: the shared dockerd and a dockerd of the test's own,
//! on a unix socket ([`crate::support::dockerd`]) or "remote": in a network namespace of
//! its own, reached over TLS ([`crate::support::remote_dockerd`]). Four FROM-scratch
//! variants are measured over both with `--host A --host B` (with either second engine),
//! and again as `--shard 1/2` on the shared one and `--shard 2/2` on the remote one
//! followed by `merge`: each gives one report with every variant, ratios to the reference
//! measured on the same engine, and nothing left on either engine.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use basebench::results::RunResults;

use crate::support::cli::{
    assert_nothing_left, basebench, command_lines, finished, read_results, run_command,
};
use crate::support::dockerd::Dockerd;
use crate::support::remote_dockerd::RemoteDockerd;
use crate::support::{connect_or_fail, test_app_context};

/// The four variants: a reference and three that differ from it in a label only.
const FOUR: &[(&str, &str)] = &[
    ("ref", ""),
    ("alpha", "LABEL v=alpha"),
    ("beta", "LABEL v=beta"),
    ("gamma", "LABEL v=gamma"),
];

/// Measuring flags kept short: three startup rounds (one warm-up: two samples, the fewest
/// a ratio with an interval takes), one rebuild of each kind.
const FLAGS: [&str; 9] = [
    "--runs",
    "3",
    "--build-runs",
    "1",
    "--no-anatomy",
    "--no-history",
    "--allow-failures",
    "--reference",
    "ref",
];

/// The shared daemon's address, as `--host` takes it.
const LOCAL: &str = "unix:///var/run/docker.sock";

/// What is left on a test's daemon (`cli` points the Docker CLI at it): containers (any
/// state) and images.
fn left_on(cli: impl Fn() -> Command) -> (Vec<String>, Vec<String>) {
    (
        command_lines(cli(), &["ps", "-aq"]),
        command_lines(cli(), &["images", "-aq"]),
    )
}

/// The merged file has every variant once, each with its testbed, and every variant but
/// the reference has its ratio to the reference of its own engine.
fn assert_one_report_with_every_variant(merged: &RunResults, testbeds: [&str; 2]) {
    let mut names: Vec<&str> = merged.variants.iter().map(|v| v.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["alpha", "beta", "gamma", "ref"]);
    for v in &merged.variants {
        assert!(v.works, "{}: {:?}", v.name, v.failure);
        let testbed = v.testbed.as_deref().unwrap_or_default();
        assert!(testbeds.contains(&testbed), "{} on {testbed:?}", v.name);
        if v.name != "ref" {
            let ratio = v.vs_reference.get("startup_ms").unwrap_or_else(|| {
                panic!(
                    "{} has no startup ratio to ref: {:?}",
                    v.name, v.vs_reference
                )
            });
            assert!(ratio.ratio > 0.0, "{}: {ratio:?}", v.name);
        }
    }
    let on_second: Vec<&str> = merged
        .variants
        .iter()
        .filter(|v| v.testbed.as_deref() == Some(testbeds[1]))
        .map(|v| v.name.as_str())
        .collect();
    assert_eq!(on_second, ["beta"], "the second shard's share");
    assert_eq!(merged.merged_from.len(), 2);
}

#[tokio::test]
async fn two_engines_from_one_command_give_one_report_and_leave_nothing() {
    connect_or_fail().await;
    let daemon = Dockerd::start();
    let app = test_app_context("");
    let dir = app.dir.path();
    let out = dir.join("out");
    let second = daemon.host();
    let mut flags = FLAGS.to_vec();
    flags.extend(["--host", LOCAL, "--host", second.as_str()]);
    let merged = finished(run_command(dir, &out, &flags, FOUR), 0, &out);
    assert_one_report_with_every_variant(&merged, [LOCAL, second.as_str()]);
    for k in [1, 2] {
        let shard = read_results(&out.join(format!("shard-{k}")));
        assert_eq!(shard.shard.map(|s| (s.index, s.count)), Some((k, 2)));
        assert_nothing_left(&shard.run_id).await;
    }
    assert_eq!(left_on(|| daemon.cli()), (Vec::new(), Vec::new()));
}

#[tokio::test]
async fn two_shards_on_two_engines_merge_into_one_report_and_leave_nothing() {
    // The second engine is the "remote" one: over TLS, in a network namespace of its own.
    connect_or_fail().await;
    let daemon = RemoteDockerd::start();
    let app = test_app_context("");
    let dir = app.dir.path();
    let second = daemon.host();
    let mut runs = Vec::new();
    for (k, host) in [(1, LOCAL), (2, second.as_str())] {
        let out = dir.join(format!("shard{k}"));
        let shard = format!("{k}/2");
        let mut flags = FLAGS.to_vec();
        flags.extend(["--shard", &shard, "--testbed", host, "--host", host]);
        let mut cmd = run_command(dir, &out, &flags, FOUR);
        cmd.env("DOCKER_TLS_VERIFY", "1")
            .env("DOCKER_CERT_PATH", daemon.cert_path());
        runs.push(finished(cmd, 0, &out));
    }
    let output = basebench(dir)
        .args([
            "merge",
            "shard1",
            "shard2",
            "--output",
            "merged",
            "--no-history",
        ])
        .output()
        .expect("run basebench merge");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let merged = read_results(&dir.join("merged"));
    assert_one_report_with_every_variant(&merged, [LOCAL, second.as_str()]);
    for run in &runs {
        assert_nothing_left(&run.run_id).await;
    }
    assert_eq!(left_on(|| daemon.cli()), (Vec::new(), Vec::new()));
}

#[tokio::test]
async fn an_interrupt_stops_every_engine_and_cleans_each_of_them() {
    connect_or_fail().await;
    let daemon = Dockerd::start();
    let app = test_app_context("");
    let dir = app.dir.path();
    let out = dir.join("out");
    let second = daemon.host();
    // Sorted without the reference: alpha (shard 1, here), sleepy (shard 2, the test's
    // daemon), which never answers within the run.
    let variants = [
        ("ref", ""),
        ("alpha", ""),
        ("sleepy", "ENV TESTAPP_DELAY_MS=60000"),
    ];
    let flags = [
        "--runs",
        "3",
        "--health-timeout",
        "90",
        "--no-anatomy",
        "--no-history",
        "--reference",
        "ref",
        "--host",
        LOCAL,
        "--host",
        second.as_str(),
    ];
    let mut child = run_command(dir, &out, &flags, &variants)
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn basebench");
    let stderr = child.stderr.take().expect("stderr");
    let mut run_ids = Vec::new();
    let waiting = format!("sleepy on {second}: startup");
    let started = Instant::now();
    for line in BufReader::new(stderr).lines().map_while(Result::ok) {
        if line.starts_with("note: [") && line.contains(" engine: ") {
            run_ids.extend(line.rsplit(", run ").next().map(str::to_string));
        }
        if line.contains(&waiting) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(180),
            "never reached {waiting}"
        );
    }
    assert_eq!(
        run_ids.len(),
        2,
        "every engine announced its run: {run_ids:?}"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let code = child.wait().expect("wait").code();
    assert_eq!(code, Some(130), "an interrupted run exits 130");
    let partial = read_results(&out.join("shard-2"));
    assert!(
        !partial.complete,
        "the interrupted shard is marked incomplete"
    );
    for id in &run_ids {
        assert_nothing_left(id).await;
    }
    assert_eq!(left_on(|| daemon.cli()), (Vec::new(), Vec::new()));
}

#[tokio::test]
async fn an_engine_reached_over_tls_in_another_network_namespace_is_probed_where_it_publishes() {
    // The second engine is "remote": a dockerd in a network namespace of its own, over TLS.
    // Its containers publish on its address, not on this host's 127.0.0.1, so the startup
    // and latency figures exist only if basebench publishes and probes there.
    connect_or_fail().await;
    let remote = RemoteDockerd::start();
    let app = test_app_context("");
    let dir = app.dir.path();
    let out = dir.join("out");
    let address = remote.host();
    let mut flags = FLAGS.to_vec();
    flags.extend(["--host", LOCAL, "--host", address.as_str()]);
    let mut cmd = run_command(dir, &out, &flags, FOUR);
    cmd.env("DOCKER_TLS_VERIFY", "1")
        .env("DOCKER_CERT_PATH", remote.cert_path());
    let merged = finished(cmd, 0, &out);
    assert_one_report_with_every_variant(&merged, [LOCAL, address.as_str()]);
    let shard = read_results(&out.join("shard-2"));
    assert_eq!(
        shard.testbed.as_ref().and_then(|t| t.name.as_deref()),
        Some(address.as_str())
    );
    let beta = shard
        .variants
        .iter()
        .find(|v| v.name == "beta")
        .expect("beta on the remote engine");
    assert!(
        beta.startup_ms.is_some() && beta.latency_ms.is_some(),
        "probed on the remote engine's address: {:?}",
        beta.failure
    );
    let rtt = beta
        .connect_rtt_ms
        .as_ref()
        .expect("the round trip to the TLS engine's host");
    assert!(rtt.median > 0.0, "{rtt:?}");
    let transfer = beta
        .build
        .as_ref()
        .and_then(|b| b.context.as_ref())
        .map(|c| c.transfer.as_str());
    assert_eq!(
        transfer,
        Some("session"),
        "the BuildKit session is opened over TLS as well: {:?}",
        beta.warnings
    );
    assert_nothing_left(&read_results(&out.join("shard-1")).run_id).await;
    assert_eq!(
        left_on(|| remote.cli()),
        (Vec::new(), Vec::new()),
        "nothing left on the remote engine"
    );
}
