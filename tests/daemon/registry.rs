//! `basebench run --registry` against a real registry: Debian's docker-registry started
//! by `scripts/registry.sh` on a free loopback port in a temporary directory (installed
//! by `scripts/setup.sh`; the test fails loudly without it). The compressed size is
//! checked against the manifest read independently with curl, and the run leaves no
//! tag behind.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::cli::{assert_nothing_left, finished, row, run_command};
use crate::support::{connect_or_fail, test_app_context};

/// A registry of the test's own, stopped when dropped.
struct Registry {
    dir: tempfile::TempDir,
    addr: String,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/registry.sh")
}

impl Registry {
    fn start() -> Registry {
        Registry::start_with(true)
    }

    /// A registry whose config allows deleting manifests, or not.
    fn start_with(delete: bool) -> Registry {
        assert!(
            Command::new("sh")
                .args(["-c", "command -v docker-registry"])
                .output()
                .expect("run sh")
                .status
                .success(),
            "docker-registry is not installed: run scripts/setup.sh (it installs Debian's \
             docker-registry package)"
        );
        let dir = tempfile::tempdir().expect("tempdir");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let output = Command::new(script())
            .arg("start")
            .arg(dir.path())
            .env("PORT", port.to_string())
            .env("DELETE", delete.to_string())
            .output()
            .expect("run scripts/registry.sh");
        assert!(
            output.status.success(),
            "scripts/registry.sh start failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let addr = String::from_utf8_lossy(&output.stdout).trim().to_string();
        assert_eq!(addr, format!("127.0.0.1:{port}"));
        Registry { dir, addr }
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = Command::new(script())
            .arg("stop")
            .arg(self.dir.path())
            .status();
    }
}

/// `basebench run --runs 1 --no-anatomy --registry TARGET` on the test app in `dir` with
/// the `extra` flags and these variants, its results read back from `dir/out` after
/// checking the exit `code`.
fn run_through(
    target: &str,
    dir: &Path,
    extra: &[&str],
    variants: &[(&str, &str)],
    code: i32,
) -> basebench::results::RunResults {
    let out = dir.join("out");
    let mut flags = vec!["--no-anatomy", "--registry", target];
    if !extra.contains(&"--runs") {
        flags.extend(["--runs", "1"]);
    }
    flags.extend_from_slice(extra);
    finished(run_command(dir, &out, &flags, variants), code, &out)
}

/// The manifest of `name:tag`, fetched with curl (not basebench's client).
fn manifest(addr: &str, name: &str, tag: &str) -> Value {
    let output = Command::new("curl")
        .args([
            "-fsS",
            "-H",
            "Accept: application/vnd.oci.image.manifest.v1+json",
            "-H",
            "Accept: application/vnd.docker.distribution.manifest.v2+json",
        ])
        .arg(format!("http://{addr}/v2/{name}/manifests/{tag}"))
        .output()
        .expect("run curl");
    assert!(
        output.status.success(),
        "curl: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("manifest JSON")
}

#[tokio::test]
async fn a_pushed_scratch_image_reports_the_manifests_compressed_size() {
    connect_or_fail().await;
    let registry = Registry::start();
    let app = test_app_context("");
    let dir = app.dir.path();
    let target = format!("{}/bbtest", registry.addr);
    // Two variants with the same app layer: it is shared, the extra one is not.
    let results = run_through(
        &target,
        dir,
        &["--runs", "3"],
        &[("one", ""), ("two", "COPY Dockerfile.one /extra")],
        0,
    );
    assert_eq!(results.registry.as_deref(), Some(target.as_str()));
    for name in ["one", "two"] {
        let v = row(&results, name);
        assert!(v.works, "{:?}", v.failure);
        let image = v.image.as_ref().expect("image facts");
        let compressed = image.compressed_bytes.expect("compressed size measured");
        assert!(
            compressed > 0 && compressed < image.size_bytes,
            "the static app compresses: {compressed} of {}",
            image.size_bytes
        );
        let reference = format!("{}/bbtest/{name}:{}", registry.addr, results.run_id);
        assert_eq!(v.registry_ref.as_deref(), Some(reference.as_str()));
        let m = manifest(&registry.addr, &format!("bbtest/{name}"), &results.run_id);
        let layers = m["layers"].as_array().expect("layers");
        let sum: u64 = m["config"]["size"].as_u64().expect("config size")
            + layers
                .iter()
                .map(|l| l["size"].as_u64().expect("layer size"))
                .sum::<u64>();
        assert_eq!(compressed, sum, "config + layers of the manifest");
        let digests: Vec<&str> = layers
            .iter()
            .map(|l| l["digest"].as_str().unwrap_or_default())
            .collect();
        let ours: Vec<&str> = image
            .compressed_layers
            .iter()
            .map(|l| l.digest.as_str())
            .collect();
        assert_eq!(ours, digests);
        assert!(image.push_s.is_some_and(|s| s > 0.0));
        let pull = image.pull_s.expect("the pull is timed");
        assert!(pull > 0.0, "{:?}", v.warnings);
        let pulls = image.pull.as_ref().expect("every pull kept");
        assert_eq!(pulls.n, 3, "one pull per planned round: {pulls:?}");
        assert_eq!(pulls.median, pull, "pull_s is the median");
        let [lo, hi] = pulls.ci95.expect("the pulls' interval");
        assert!(lo <= pull && pull <= hi, "{pulls:?}");
        let healthy = image
            .pull_to_healthy_s
            .expect("the pulled image was started");
        assert!(healthy > pull, "pull {pull} s, healthy at {healthy} s");
        println!(
            "{name}: {} bytes uncompressed, {compressed} compressed, {:?} shared, push {:.3} s, pull {:.3} s",
            image.size_bytes,
            image.shared_compressed_bytes,
            image.push_s.unwrap_or(0.0),
            image.pull_s.unwrap_or(0.0)
        );
    }
    let one = row(&results, "one").image.as_ref().expect("image");
    let two = row(&results, "two").image.as_ref().expect("image");
    let app_layer = &one.compressed_layers[0];
    assert_eq!(two.compressed_layers[0], *app_layer, "the same app layer");
    assert_eq!(one.shared_compressed_bytes, Some(app_layer.size_bytes));
    assert_eq!(two.shared_compressed_bytes, Some(app_layer.size_bytes));
    assert_eq!(
        two.pull_layers_present,
        Some(1),
        "only the app layer, which one's image holds, is local: the layer two alone has is \
         downloaded, the run having pruned the build cache records its builds made"
    );
    assert_nothing_left(&results.run_id).await;
    drop(registry);
}

#[tokio::test]
async fn a_stopped_registry_is_the_variants_failure_with_its_step_and_nothing_is_left() {
    connect_or_fail().await;
    // A port nothing listens on: the push fails at the daemon's first request.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let app = test_app_context("");
    let dir = app.dir.path();
    let target = format!("127.0.0.1:{port}/bbtest");
    let results = run_through(&target, dir, &[], &[("one", "")], 1);
    let v = row(&results, "one");
    assert!(!v.works);
    let detail = v.failure_detail.as_ref().expect("failure detail");
    assert_eq!(detail.phase, basebench::results::FailurePhase::Registry);
    assert_eq!(detail.step.as_deref(), Some("push"));
    assert!(
        v.failure
            .as_deref()
            .unwrap_or_default()
            .contains("registry push failed"),
        "{:?}",
        v.failure
    );
    // The other measurements are kept.
    assert!(v.startup_ms.is_some() && v.image.is_some());
    assert_nothing_left(&results.run_id).await;
}

/// The compressed sizes of a pushed manifest's config and layers, read with curl.
fn blob_sizes(m: &Value) -> (u64, Vec<(String, u64)>) {
    let layers = m["layers"].as_array().expect("layers");
    (
        m["config"]["size"].as_u64().expect("config size"),
        layers
            .iter()
            .map(|l| {
                (
                    l["digest"].as_str().expect("digest").to_string(),
                    l["size"].as_u64().expect("size"),
                )
            })
            .collect(),
    )
}

#[tokio::test]
async fn a_code_change_ships_its_own_layer_and_a_change_copied_with_the_rest_ships_more() {
    connect_or_fail().await;
    let registry = Registry::start();
    let app = test_app_context("");
    let dir = app.dir.path();
    std::fs::write(dir.join("code.txt"), "print('hello')\n").expect("write code.txt");
    let target = format!("{}/bbship", registry.addr);
    // `last`: the code is the last layer. `whole`: the code goes in with a second copy of
    // the app (the whole context), as a Dockerfile that copies everything before it
    // installs would.
    let results = run_through(
        &target,
        dir,
        &["--change-file", "code.txt"],
        &[
            ("last", "COPY code.txt /code.txt"),
            ("whole", "COPY . /ctx"),
        ],
        0,
    );
    let mut shipped = Vec::new();
    for name in ["last", "whole"] {
        let v = row(&results, name);
        assert!(v.works, "{:?}", v.failure);
        let ship = v
            .code_change_ship
            .as_ref()
            .expect("the code change was pushed");
        let changed_tag = format!("{}-changed", results.run_id);
        assert_eq!(
            ship.reference,
            format!("{}/bbship/{name}:{changed_tag}", registry.addr)
        );
        let (config, layers) = blob_sizes(&manifest(
            &registry.addr,
            &format!("bbship/{name}"),
            &changed_tag,
        ));
        let (_, previous) = blob_sizes(&manifest(
            &registry.addr,
            &format!("bbship/{name}"),
            &results.run_id,
        ));
        assert_eq!(layers.len(), previous.len());
        assert_eq!(layers[0], previous[0], "the app layer is the same");
        // The changed image's last layer is the only new one: it and the config ship.
        let last = layers.last().expect("a layer").clone();
        assert_ne!(
            Some(&last),
            previous.last(),
            "the code change's layer is new"
        );
        let digests: Vec<&str> = ship.layers.iter().map(|l| l.digest.as_str()).collect();
        assert_eq!(digests, [last.0.as_str()]);
        assert_eq!(v.code_change_ship_bytes, Some(config + last.1));
        assert!(
            ship.pull_s.is_some_and(|s| s > 0.0),
            "the code change's pull is timed: {:?}",
            v.warnings
        );
        let image = v.image.as_ref().expect("image facts");
        println!(
            "{name}: {} compressed, a code change ships {} ({} of {} layers), pull {:.3} s, \
             the change's pull {:.3} s",
            image.compressed_bytes.unwrap_or(0),
            config + last.1,
            ship.layers.len(),
            ship.layers_total,
            image.pull_s.unwrap_or(0.0),
            ship.pull_s.unwrap_or(0.0)
        );
        shipped.push(config + last.1);
    }
    let app_bytes = row(&results, "last")
        .image
        .as_ref()
        .expect("image")
        .compressed_layers[0]
        .size_bytes;
    assert!(
        shipped[1] > shipped[0] + app_bytes / 2,
        "copying the code with the app ships the app again: {shipped:?}, app layer {app_bytes}"
    );
    assert_nothing_left(&results.run_id).await;
    drop(registry);
}

/// The HTTP status of `name:tag`'s manifest, with curl.
fn manifest_status(addr: &str, name: &str, tag: &str) -> String {
    let output = Command::new("curl")
        .args(["-s", "-o", "/dev/null", "-w", "%{http_code}"])
        .args([
            "-H",
            "Accept: application/vnd.docker.distribution.manifest.v2+json",
        ])
        .arg(format!("http://{addr}/v2/{name}/manifests/{tag}"))
        .output()
        .expect("run curl");
    String::from_utf8_lossy(&output.stdout).to_string()
}

#[tokio::test]
async fn clean_registry_deletes_the_tags_a_run_pushed_or_says_the_registry_refuses() {
    connect_or_fail().await;
    for delete in [true, false] {
        let registry = Registry::start_with(delete);
        let app = test_app_context("");
        let dir = app.dir.path();
        let out = dir.join("out");
        let target = format!("{}/bbclean", registry.addr);
        let results = run_through(&target, dir, &[], &[("one", "")], 0);
        let name = "bbclean/one";
        let tags = [
            results.run_id.clone(),
            format!("{}-changed", results.run_id),
        ];
        for tag in &tags {
            assert_eq!(manifest_status(&registry.addr, name, tag), "200", "{tag}");
        }
        let clean = crate::support::cli::basebench(dir)
            .args(["clean", "--run", &results.run_id, "--registry"])
            .arg(out.join("results.json"))
            .output()
            .expect("run basebench clean");
        let stdout = String::from_utf8_lossy(&clean.stdout);
        let stderr = String::from_utf8_lossy(&clean.stderr);
        if delete {
            assert_eq!(clean.status.code(), Some(0), "{stdout}{stderr}");
            assert!(stdout.contains("2 tag(s) deleted"), "{stdout}");
            for tag in &tags {
                assert_eq!(manifest_status(&registry.addr, name, tag), "404", "{tag}");
            }
        } else {
            assert_eq!(clean.status.code(), Some(1), "{stdout}{stderr}");
            assert!(
                stdout.contains("the registry does not allow deletion")
                    && stderr.contains("storage: delete: enabled: true"),
                "{stdout}{stderr}"
            );
            for tag in &tags {
                assert_eq!(manifest_status(&registry.addr, name, tag), "200", "{tag}");
            }
        }
        assert_nothing_left(&results.run_id).await;
        drop(registry);
    }
}

#[tokio::test]
async fn bases_push_puts_a_stand_in_in_the_registry_and_leaves_only_its_own_tag() {
    let engine = connect_or_fail().await;
    let registry = Registry::start();
    let run_id = crate::support::unique_run_id();
    let _cleanup = crate::support::Cleanup::new(&run_id);
    // A stand-in of the test's own: a scratch image with the stand-in label.
    let requested = format!("registry.example/team/{run_id}:1");
    let app = test_app_context("");
    let mut labels = crate::support::run_labels(&run_id);
    labels.insert(basebench::engine::STAND_IN_LABEL.into(), requested.clone());
    let request = basebench::engine::BuildRequest {
        labels,
        ..crate::support::images::build_request(
            &app,
            &run_id,
            basebench::engine::BuilderKind::Buildkit,
            true,
        )
    };
    let built = basebench::engine::Engine::build(&engine, &request, &|_| {})
        .await
        .expect("building the stand-in");
    let target = format!("{}/bbases", registry.addr);
    let output = crate::support::cli::basebench(app.dir.path())
        .args(["bases", "--push", &target, &requested])
        .output()
        .expect("run basebench bases --push");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let pushed = format!("{target}/team/{run_id}:1");
    assert!(
        stdout.contains(&format!("\"{requested}\" = \"{pushed}\"")),
        "{stdout}"
    );
    let m = manifest(&registry.addr, &format!("bbases/team/{run_id}"), "1");
    assert!(m["layers"].as_array().is_some_and(|l| !l.is_empty()), "{m}");
    let info = basebench::engine::Engine::image_info(&engine, &built.image_id)
        .await
        .expect("inspect")
        .expect("the stand-in is still there");
    assert!(
        !info.repo_tags.contains(&pushed),
        "the registry's tag is removed again: {:?}",
        info.repo_tags
    );
    // A run whose [substitute] points at it pulls the base, timed, and says it is a stand-in.
    let dir = app.dir.path();
    std::fs::write(
        dir.join("basebench.toml"),
        format!("[substitute]\n\"{requested}\" = \"{pushed}\"\n"),
    )
    .expect("write basebench.toml");
    std::fs::write(
        dir.join("Dockerfile.based"),
        format!("FROM {requested}\nCMD [\"/testapp\"]\n"),
    )
    .expect("write Dockerfile.based");
    let out = dir.join("out");
    let mut run = crate::support::cli::basebench(dir);
    // `--config`: with variants from flags, the file in the directory is not read unasked.
    run.args([
        "run",
        "--config",
        "basebench.toml",
        "--context",
        ".",
        "--health",
        "/health",
        "--runs",
        "1",
    ])
    .args(["--port", &crate::support::TESTAPP_PORT.to_string()])
    .args([
        "--no-anatomy",
        "--variant",
        "based=Dockerfile.based",
        "--output",
    ])
    .arg(&out);
    let results = finished(run, 0, &out);
    let v = row(&results, "based");
    assert!(v.works, "{:?}", v.failure);
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("results.json")).expect("results.json"),
    )
    .expect("json");
    let base = &json["variants"][0]["bases"][0];
    assert_eq!(base["actual"], pushed.as_str(), "{base}");
    assert!(
        base["pull_s"].as_f64().is_some_and(|s| s > 0.0),
        "pulled: {base}"
    );
    assert_eq!(
        base["stand_in"], true,
        "the pulled stand-in is labelled: {base}"
    );
    println!("the base pulled from the registry in {} s", base["pull_s"]);
    assert_nothing_left(&results.run_id).await;
    let _ = basebench::engine::Engine::remove_image(&engine, &pushed).await;
    drop(registry);
}
