//! The engine going away mid-run, on a dockerd of the test's own
//! ([`crate::support::dockerd`]): the run stops within seconds, says the engine stopped
//! answering (not that the app never answered), exits 3 and keeps what it measured; once
//! the daemon is back, `clean --run` leaves nothing on it (checked with the Docker CLI,
//! unlabelled objects included).

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::support::cli::command_lines;
use crate::support::cli::{basebench, read_results, row, run_command};
use crate::support::dockerd::Dockerd;
use crate::support::test_app_context;

/// Lines the Docker CLI prints for `args` on `daemon` (ids, one a line).
fn listed(daemon: &Dockerd, args: &[&str]) -> Vec<String> {
    command_lines(daemon.cli(), args)
}

#[test]
fn a_daemon_that_stops_mid_run_is_reported_as_such_and_exits_3() {
    let mut daemon = Dockerd::start();
    let app = test_app_context("");
    let dir = app.dir.path();
    let out = dir.join("out");
    let flags = [
        "--runs",
        "1",
        "--build-runs",
        "1",
        "--health-timeout",
        "120",
        "--no-anatomy",
        "--no-history",
    ];
    let mut child = run_command(
        dir,
        &out,
        &flags,
        &[("sleepy", "ENV TESTAPP_DELAY_MS=60000")],
    )
    .env("DOCKER_HOST", daemon.host())
    .stderr(Stdio::piped())
    .spawn()
    .expect("spawn basebench");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines().map_while(Result::ok);
    let started = Instant::now();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let waiting = line.contains("sleepy: startup");
        seen.push(line);
        if waiting {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "never reached the startup: {seen:#?}"
        );
    }
    std::thread::sleep(Duration::from_millis(500));
    let stopped = Instant::now();
    daemon.stop();
    let rest: Vec<String> = lines.collect();
    let code = child.wait().expect("wait").code();
    let took = stopped.elapsed();
    let text = rest.join("\n");
    assert_eq!(code, Some(3), "the engine failed, not the app: {text}");
    assert!(
        took < Duration::from_secs(30),
        "noticed in {took:?}, not after the health timeout"
    );
    assert!(text.contains("stopped answering"), "{text}");
    assert!(
        !text.contains("never answered"),
        "not blamed on the app: {text}"
    );
    let results = read_results(&out);
    assert!(!results.complete, "marked incomplete");
    let sleepy = row(&results, "sleepy");
    assert!(
        sleepy.build.is_some() && sleepy.image.is_some(),
        "what was measured is kept"
    );
    assert!(
        sleepy.failure.is_none(),
        "not a failure of the app: {:?}",
        sleepy.failure
    );

    daemon.start_again();
    let clean = basebench(dir)
        .args(["clean", "--run", &results.run_id])
        .env("DOCKER_HOST", daemon.host())
        .output()
        .expect("clean");
    assert!(
        clean.status.success(),
        "{}",
        String::from_utf8_lossy(&clean.stderr)
    );
    // A daemon of the test's own: everything on it is the test's.
    assert_eq!(
        listed(&daemon, &["ps", "-aq"]),
        Vec::<String>::new(),
        "containers left"
    );
    assert_eq!(
        listed(&daemon, &["images", "-aq"]),
        Vec::<String>::new(),
        "images left"
    );
}
