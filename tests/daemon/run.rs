//! The whole `basebench run` pipeline against the real Docker daemon, with images the
//! tests build themselves (`FROM scratch` + a static test app). Fails loudly without a
//! daemon.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use basebench::engine::{Engine, RUN_LABEL};
use basebench::results::FailurePhase;

use crate::support;
use crate::support::cli::{
    assert_nothing_left, basebench, finished, read_results, row, run_command,
};
use crate::support::{connect_or_fail, test_app_context};

#[tokio::test]
async fn measures_working_slow_and_broken_variants_and_leaves_nothing_behind() {
    connect_or_fail().await;
    let app = test_app_context("");
    let dir = app.dir.path();
    let out = dir.join("out");
    let variants = [
        ("good", "ENV TESTAPP_ALLOC_MB=8"),
        ("slow", "ENV TESTAPP_DELAY_MS=1500"),
        ("broken", "COPY does-not-exist /nowhere"),
        ("exits", "ENV TESTAPP_EXIT_CODE=3"),
    ];
    // A failed variant exits 1.
    let results = finished(
        run_command(
            dir,
            &out,
            &["--runs", "3", "--health-timeout", "20"],
            &variants,
        ),
        1,
        &out,
    );
    assert!(results.complete);
    assert_eq!(results.variants.len(), 4, "every variant has a row");

    let good = row(&results, "good");
    assert!(good.works, "{:?}", good.failure);
    let image = good.image.as_ref().expect("image facts");
    assert!(
        image.size_bytes > 500_000,
        "the static app is in the image: {}",
        image.size_bytes
    );
    let build = good.build.as_ref().expect("build facts");
    assert_eq!(
        build.cached_rebuild_steps_run,
        Some(0),
        "identical rebuild is fully cached"
    );
    assert_eq!(build.changed_file.as_deref(), Some("testapp"));
    assert!(
        build.incremental_steps_run.unwrap_or(0) >= 1,
        "the code change re-runs the COPY"
    );
    // Three rounds, the first a warm-up: two measured samples, the first start apart.
    let startup = good.startup_ms.as_ref().expect("startup");
    assert_eq!((startup.n, startup.samples.len()), (2, 3));
    assert!(startup.samples[0].warmup && !startup.samples[1].warmup);
    assert!(startup.min > 0.0 && startup.min <= startup.median && startup.median <= startup.max);
    let [lo, hi] = startup.ci95.expect("an interval");
    assert!(lo <= startup.median && startup.median <= hi);
    let first = good.first_start_ms.as_ref().expect("first start");
    assert_eq!(first.median, startup.samples[0].value);
    // One round-trip sample per start, each a TCP connect on loopback: well under the
    // start it follows.
    let rtt = good
        .connect_rtt_ms
        .as_ref()
        .expect("the round trip to the engine host");
    assert_eq!(rtt.samples.len(), startup.samples.len());
    assert!(rtt.median > 0.0 && rtt.median < startup.median, "{rtt:?}");
    let engine = good.engine_start_ms.as_ref().expect("engine part");
    let app = good.app_ready_ms.as_ref().expect("app part");
    for (i, s) in startup.samples.iter().enumerate() {
        let sum = engine.samples[i].value + app.samples[i].value;
        assert!(
            (sum - s.value).abs() < 1e-6,
            "parts add up to the total: {sum} vs {}",
            s.value
        );
    }
    let latency = good.latency_ms.as_ref().expect("latency");
    // A static C server on loopback: well under a second, in milliseconds (not seconds
    // or microseconds), and every request answered.
    assert!(
        latency.p50 > 0.0 && latency.p99 < 1000.0 && latency.errors == 0,
        "{latency:?}"
    );
    let memory = good.memory_bytes.as_ref().expect("memory");
    assert!(
        memory.idle >= 8 << 20,
        "8 MiB touched at start shows in idle memory: {}",
        memory.idle
    );
    // The app allocates nothing per request: under load it stays far below 64 MiB.
    assert!(memory.peak < 64 << 20, "peak {} bytes", memory.peak);

    let slow = row(&results, "slow");
    assert!(slow.works, "{:?}", slow.failure);
    let slow_startup = slow.startup_ms.as_ref().expect("startup");
    assert!(
        slow_startup.min >= 1500.0,
        "startup includes the 1.5 s delay: {slow_startup:?}"
    );
    // The good variant's slowest start is faster than the slow one's fastest: the 1.5 s
    // delay is measured, not lost in the spread.
    assert!(
        startup.max < slow_startup.min,
        "{startup:?} vs {slow_startup:?}"
    );
    // Both pay the same container start cost; the difference is the app's own delay,
    // and it is in the app's part of the start, not the engine's.
    let extra = slow_startup.median - startup.median;
    assert!(
        (1500.0 - 300.0..1500.0 + 450.0).contains(&extra),
        "slow - good = {extra:.0} ms, expected ~1500"
    );
    let slow_app = slow.app_ready_ms.as_ref().expect("app part").median;
    assert!(
        slow_app - app.median > 1200.0,
        "the delay is the app's: {slow_app:.0} vs {:.0} ms",
        app.median
    );
    let slow_engine = slow.engine_start_ms.as_ref().expect("engine part").median;
    assert!(
        slow_engine < slow_app,
        "the engine's part stays small: {slow_engine:.0} ms"
    );
    assert!(results.seed.is_some() && results.testbed.is_some());

    let broken = row(&results, "broken");
    assert!(!broken.works);
    let detail = broken.failure_detail.as_ref().expect("failure detail");
    assert_eq!(detail.phase, FailurePhase::Build);
    assert!(
        broken
            .failure
            .as_deref()
            .unwrap_or("")
            .contains("build failed at `[2/2] COPY does-not-exist"),
        "the step that failed, not the one before: {:?}",
        broken.failure
    );
    assert!(
        broken
            .failure
            .as_deref()
            .unwrap_or("")
            .contains("does-not-exist"),
        "{:?}",
        broken.failure
    );

    let exits = row(&results, "exits");
    assert!(!exits.works);
    let detail = exits.failure_detail.as_ref().expect("failure detail");
    assert_eq!(detail.phase, FailurePhase::Health);
    assert_eq!(detail.exit_code, Some(3));
    assert!(
        exits
            .failure
            .as_deref()
            .unwrap_or("")
            .contains("exited with code 3"),
        "{:?}",
        exits.failure
    );
    assert!(
        detail.log_tail.iter().any(|l| l.contains("fatal")),
        "{:?}",
        detail.log_tail
    );

    for file in ["results.json", "results.csv", "report.md", "report.html"] {
        assert!(out.join(file).is_file(), "{file} written");
    }
    assert_nothing_left(&results.run_id).await;
}

#[tokio::test]
async fn the_classic_builder_measures_the_same_pipeline() {
    connect_or_fail().await;
    let app = test_app_context("");
    let dir = app.dir.path();
    let out = dir.join("out");
    let results = finished(
        run_command(
            dir,
            &out,
            &["--builder", "classic", "--runs", "1"],
            &[("good", "")],
        ),
        0,
        &out,
    );
    let good = row(&results, "good");
    assert!(good.works);
    assert_eq!(
        good.build.as_ref().map(|b| b.builder.as_str()),
        Some("classic")
    );
    assert_eq!(results.settings.builder, "classic");
    assert_nothing_left(&results.run_id).await;
}

#[tokio::test]
async fn an_interrupt_mid_run_removes_everything_and_keeps_partial_results() {
    connect_or_fail().await;
    let app = test_app_context("");
    let dir = app.dir.path();
    let out = dir.join("out");
    let variants = [("first", ""), ("sleepy", "ENV TESTAPP_DELAY_MS=30000")];
    let mut child = run_command(
        dir,
        &out,
        &["--runs", "1", "--health-timeout", "60"],
        &variants,
    )
    .stderr(Stdio::piped())
    .spawn()
    .expect("spawn basebench");
    let stderr = child.stderr.take().expect("stderr");
    let mut run_id = None;
    let started = Instant::now();
    for line in BufReader::new(stderr).lines().map_while(Result::ok) {
        if let Some(rest) = line.strip_prefix("note: run ") {
            run_id = rest.split(':').next().map(str::to_string);
        }
        if line.contains("sleepy: startup") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "run never reached the sleepy startup"
        );
    }
    let run_id = run_id.expect("the run announced its id");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let code = child.wait().expect("wait").code();
    assert_eq!(code, Some(130), "interrupted runs exit 130");
    let results = read_results(&out);
    assert!(!results.complete, "an interrupted run is marked incomplete");
    // Both variants were built before the startup rounds: what they measured is kept.
    assert_eq!(results.variants.len(), 2, "every built variant is kept");
    for v in &results.variants {
        assert!(
            v.build.is_some() && v.image.is_some(),
            "{} keeps its builds",
            v.name
        );
    }
    assert_eq!(
        row(&results, "sleepy").startup_ms,
        None,
        "sleepy never answered"
    );
    assert_nothing_left(&run_id).await;
}

#[tokio::test]
async fn clean_removes_what_a_crashed_run_left_and_nothing_else() {
    let engine = connect_or_fail().await;
    let (crashed, other) = (support::unique_run_id(), support::unique_run_id());
    let _guard = (
        support::Cleanup::new(&crashed),
        support::Cleanup::new(&other),
    );
    let image = support::images::build_app(&engine, &crashed).await;
    let mut spec = support::images::container_spec(&image, &crashed, &[]);
    // Named as basebench names the containers it creates.
    spec.name = format!("basebench-{crashed}-leftover-load");
    let left = engine.create_container(&spec).await.expect("create");
    engine.start_container(&left).await.expect("start");
    let other_image = support::images::build_app(&engine, &other).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let output = basebench(dir.path())
        .args(["clean", "--run", &crashed])
        .output()
        .expect("run clean");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("Removed 1 container(s)"));
    assert_nothing_left(&crashed).await;
    assert!(
        engine
            .image_info(&other_image)
            .await
            .expect("inspect")
            .is_some(),
        "another run's image is kept"
    );
}

#[tokio::test]
async fn keep_images_keeps_only_the_measured_image_under_its_tag() {
    let engine = connect_or_fail().await;
    let app = test_app_context("");
    let dir = app.dir.path();
    let out = dir.join("out");
    let results = finished(
        run_command(
            dir,
            &out,
            &["--runs", "1", "--keep-images"],
            &[("kept", "")],
        ),
        0,
        &out,
    );
    let _guard = support::Cleanup::new(&results.run_id);
    let tag = format!("basebench-kept:{}", results.run_id);
    let kept = engine
        .image_info(&tag)
        .await
        .expect("inspect")
        .expect("the measured image is kept");
    assert_eq!(
        Some(&kept.id),
        results.variants[0].image.as_ref().map(|i| &i.id)
    );
    let left = engine
        .list_labelled(&format!("{RUN_LABEL}={}", results.run_id))
        .await
        .expect("list");
    assert!(left.containers.is_empty(), "no containers kept: {left:?}");
    assert_eq!(
        left.images,
        vec![kept.id],
        "only the measured image is kept"
    );
}
