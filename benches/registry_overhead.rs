//! Benchmark: basebench's push and pull against `docker push` and `docker pull` of the
//! same image, same daemon, same local registry, in alternating rounds (basebench first
//! in even rounds, the docker CLI first in odd ones).
//!
//!     cargo bench --bench registry_overhead -- [--megabytes N] [--rounds N]
//!
//! The image is made here: `FROM scratch` with two layers of random (incompressible)
//! data, N MB in all (default 64), built by the docker CLI with the classic builder, so
//! no build cache holds its layers. The registry is Debian's docker-registry, started by
//! `scripts/registry.sh` on loopback with storage in a temp directory. Each side, each
//! round: the registry's storage is emptied (untimed: a registry restart), so the push
//! uploads every layer; the push is timed; the image is removed from the daemon (its
//! only tag is the pushed reference, so its layers go with it); the pull is timed and
//! leaves the image in place for the next push. basebench's times are what it records as
//! `push_s` and `pull_s` (`Engine::push_image`, `Engine::pull_image` through bollard);
//! the CLI's are its process's wall time (`/usr/bin/docker`; `BASEBENCH_DOCKER` names
//! another). One untimed round on each side comes first.
//!
//! Prints each round on stderr and one Markdown table row per figure (push, pull, push +
//! pull) on stdout: medians with their range, the median of the per-round ratios with its
//! 95 % interval and range, and whether the target (median ratio ≤ 1.05) holds.

#[path = "build_overhead/interval.rs"]
mod interval;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use basebench::engine::docker::DockerEngine;
use basebench::engine::{Engine, MANAGED_LABEL, RUN_LABEL};
use basebench::stats::Timing;

/// The target for the median of the per-round ratios.
const TARGET: f64 = 1.05;

struct Args {
    megabytes: usize,
    rounds: usize,
}

fn parse_args() -> Args {
    let mut args = Args {
        megabytes: 64,
        rounds: 10,
    };
    let list: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    for pair in list.chunks(2) {
        let value = pair.get(1).map(String::as_str).unwrap_or_default();
        match pair[0].as_str() {
            "--megabytes" => args.megabytes = value.parse().expect("--megabytes N"),
            "--rounds" => args.rounds = value.parse().expect("--rounds N"),
            other => panic!("unknown argument {other}; see the comment at the top of this file"),
        }
    }
    assert!(args.megabytes >= 2, "--megabytes takes 2 or more");
    args
}

fn docker() -> Command {
    Command::new(std::env::var("BASEBENCH_DOCKER").unwrap_or_else(|_| "/usr/bin/docker".into()))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The local registry, started by the project's script; stopped (and its storage
/// removed) on drop.
struct Registry {
    dir: PathBuf,
    addr: String,
}

impl Registry {
    fn start(dir: &Path) -> Registry {
        Registry {
            dir: dir.to_path_buf(),
            addr: serve(dir, None),
        }
    }

    fn stop(&self) {
        let _ = Command::new(root().join("scripts/registry.sh"))
            .arg("stop")
            .arg(&self.dir)
            .status();
    }

    /// Stop, empty the storage and start again on the same port: every blob is gone.
    fn empty(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(self.dir.join("storage"));
        let port = self.addr.rsplit(':').next().map(str::to_string);
        self.addr = serve(&self.dir, port.as_deref());
    }
}

/// Start the registry with storage under `dir` (on `port` when given); its address.
fn serve(dir: &Path, port: Option<&str>) -> String {
    let mut command = Command::new(root().join("scripts/registry.sh"));
    command.arg("start").arg(dir).stderr(Stdio::inherit());
    if let Some(port) = port {
        command.env("PORT", port);
    }
    let out = command.output().expect("running scripts/registry.sh");
    assert!(
        out.status.success(),
        "the registry did not start (scripts/setup.sh installs docker-registry)"
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// What a run leaves until it ends, removed on drop, a panic included: the registry
/// (stopped first: its pid file is in the temp directory), the image (by its one tag)
/// and the temp directory.
struct Leftovers {
    reference: String,
    work: PathBuf,
}

impl Drop for Leftovers {
    fn drop(&mut self) {
        let _ = Command::new(root().join("scripts/registry.sh"))
            .arg("stop")
            .arg(self.work.join("registry"))
            .status();
        let _ = docker()
            .args(["rmi", "-f", &self.reference])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.work);
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Build the benchmark's image as `reference` (classic builder: no build cache keeps
/// its layers).
fn build_image(dir: &Path, megabytes: usize, reference: &str, run_id: &str) {
    let half = megabytes / 2 * 1024 * 1024;
    let mut random = std::fs::File::open("/dev/urandom").expect("/dev/urandom");
    for name in ["one.bin", "two.bin"] {
        let mut file = std::fs::File::create(dir.join(name)).expect("create data file");
        std::io::copy(
            &mut std::io::Read::take(&mut random, half as u64),
            &mut file,
        )
        .expect("write data file");
    }
    std::fs::write(
        dir.join("Dockerfile"),
        "FROM scratch\nCOPY one.bin /one.bin\nCOPY two.bin /two.bin\n",
    )
    .expect("write Dockerfile");
    let status = docker()
        .env("DOCKER_BUILDKIT", "0")
        .args(["build", "-q", "-t", reference])
        .arg("--label")
        .arg(format!("{MANAGED_LABEL}=true"))
        .arg("--label")
        .arg(format!("{RUN_LABEL}={run_id}"))
        .arg(dir)
        .stdout(Stdio::null())
        .status()
        .expect("running the docker CLI");
    assert!(
        status.success(),
        "docker build of the benchmark image failed"
    );
}

/// The docker CLI's `verb reference`, timed.
fn cli(verb: &str, reference: &str) -> f64 {
    let start = Instant::now();
    let status = docker()
        .args([verb, "-q", reference])
        .stdout(Stdio::null())
        .status()
        .expect("running the docker CLI");
    let seconds = start.elapsed().as_secs_f64();
    assert!(status.success(), "docker {verb} {reference} failed");
    seconds
}

/// One side's round: empty registry, push timed, image removed, pull timed.
async fn round(
    engine: &DockerEngine,
    registry: &mut Registry,
    reference: &str,
    ours: bool,
) -> (f64, f64) {
    registry.empty();
    let (repo, tag) = reference.rsplit_once(':').expect("reference with a tag");
    let push = if ours {
        let start = Instant::now();
        engine.push_image(repo, tag).await.expect("basebench push");
        start.elapsed().as_secs_f64()
    } else {
        cli("push", reference)
    };
    engine
        .remove_image(reference)
        .await
        .expect("remove the pushed image");
    assert!(
        engine
            .image_info(reference)
            .await
            .expect("inspect")
            .is_none(),
        "the image is still on the daemon"
    );
    let pull = if ours {
        let start = Instant::now();
        let pulled = engine.pull_image(reference).await.expect("basebench pull");
        let seconds = start.elapsed().as_secs_f64();
        assert_eq!(pulled.layers_present, 0, "every layer downloaded");
        seconds
    } else {
        cli("pull", reference)
    };
    (push, pull)
}

/// One figure of a round's (push, pull) seconds.
type Figure = fn(&(f64, f64)) -> f64;

/// One Markdown row: basebench's and the CLI's medians with their range, the median of
/// the per-round ratios, its 95 % interval and range, rounds, and whether it holds.
fn row(what: &str, ours: &[f64], theirs: &[f64]) -> String {
    let ratios: Vec<f64> = ours.iter().zip(theirs).map(|(a, b)| a / b).collect();
    let t = |v: &[f64]| Timing::from_samples(v).expect("samples");
    let (o, c, r) = (t(ours), t(theirs), t(&ratios));
    let ci = interval::median_interval(&ratios, 0.95)
        .map_or("too few rounds".to_string(), |(lo, hi)| {
            format!("{lo:.2}–{hi:.2}")
        });
    format!(
        "| {what} | {:.3} s ({:.3}–{:.3}) | {:.3} s ({:.3}–{:.3}) | {:.3} | {ci} | {:.2}–{:.2} | {} | {} |",
        o.median,
        o.min,
        o.max,
        c.median,
        c.min,
        c.max,
        r.median,
        r.min,
        r.max,
        r.n,
        if r.median <= TARGET { "yes" } else { "**no**" },
    )
}

#[tokio::main]
async fn main() {
    interval::self_check();
    let args = parse_args();
    let engine = DockerEngine::connect()
        .await
        .expect("a running Docker daemon");
    let run_id = format!("bench-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let work = std::env::temp_dir().join(format!("basebench-{run_id}"));
    std::fs::create_dir_all(work.join("context")).expect("temp directory");
    let mut registry = Registry::start(&work.join("registry"));
    let reference = format!("{}/bench/pushpull:{run_id}", registry.addr);
    let _leftovers = Leftovers {
        reference: reference.clone(),
        work: work.clone(),
    };
    eprintln!(
        "== push and pull of a {} MB image (2 layers), {} rounds, registry {}, run {run_id}",
        args.megabytes, args.rounds, registry.addr
    );
    build_image(&work.join("context"), args.megabytes, &reference, &run_id);
    // Warm-up: each side once, untimed.
    round(&engine, &mut registry, &reference, true).await;
    round(&engine, &mut registry, &reference, false).await;
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for n in 0..args.rounds {
        for ours_now in [n % 2 == 0, n % 2 != 0] {
            let times = round(&engine, &mut registry, &reference, ours_now).await;
            if ours_now {
                ours.push(times);
            } else {
                theirs.push(times);
            }
        }
        eprintln!(
            "round {:2}: basebench push {:.3} s pull {:.3} s, docker push {:.3} s pull {:.3} s",
            n + 1,
            ours[n].0,
            ours[n].1,
            theirs[n].0,
            theirs[n].1
        );
    }
    let label = format!("{} MB image, 2 layers", args.megabytes);
    let part = |v: &[(f64, f64)], f: Figure| v.iter().map(f).collect::<Vec<_>>();
    let figures: [(&str, Figure); 3] = [
        ("push", |t| t.0),
        ("pull", |t| t.1),
        ("push + pull", |t| t.0 + t.1),
    ];
    for (what, figure) in figures {
        let (o, c) = (part(&ours, figure), part(&theirs, figure));
        println!("{}", row(&format!("{what}, {label}"), &o, &c));
    }
    drop(registry);
}
