//! Benchmark: basebench's build times against `docker build`'s, same daemon, same builder
//! (BuildKit), same context, in alternating rounds (basebench first in even rounds, the
//! docker CLI first in odd ones).
//!
//!     cargo bench --bench build_overhead -- --context 1mb|200mb|1gb|50k|10k \
//!         [--kinds cold,cached,change] [--copy all|app] [--rounds N] [--dir PARENT] \
//!         [--transfer session|tar]
//!
//! The context is made fresh under PARENT (default: the system temp directory): a 1 MB
//! `app.bin` and the weight (data files or small files). The Dockerfile (`FROM scratch`)
//! copies the weight, then the app (`--copy all`), or the app alone (`--copy app`: the
//! weight is what nobody copies). Each kind runs in turn on the same context: `cold`
//! builds without cache after giving every file a new mtime (so the whole context
//! crosses, as on a first build), `cached` rebuilds unchanged, `change` appends 64 fresh
//! bytes to `app.bin` before every build (both sides see the same one-file change on
//! disk). One untimed build on each side comes first. basebench's time
//! is what it measures and reports for a build (`Engine::build`: client, session or tar,
//! build); the docker CLI's is its process's wall time (`/usr/bin/docker`, Debian's client,
//! which builds with BuildKit without buildx; `BASEBENCH_DOCKER` names another).
//!
//! Prints each round on stderr and one Markdown table row on stdout (the performance
//! page's, see benches/run-all.sh): medians with their range, the median of the
//! per-round ratios with its 95 % interval, and what basebench's builds sent.

mod cache;
mod contexts;
mod interval;
mod row;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use basebench::context::BuildContext;
use basebench::engine::docker::DockerEngine;
use basebench::engine::{
    BuildOutcome, BuildRequest, BuilderKind, ContextTransfer, Engine, MANAGED_LABEL, RUN_LABEL,
};
use contexts::{APP, Weight};

/// Bytes the one-file change appends.
const CHANGE_BYTES: usize = 64;

/// What to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Cold,
    Cached,
    Change,
}

/// The command line.
pub(crate) struct Args {
    pub(crate) weight: Weight,
    kinds: Vec<Kind>,
    pub(crate) copy_weight: bool,
    rounds: usize,
    parent: PathBuf,
    pub(crate) transfer: ContextTransfer,
}

fn parse_kind(text: &str) -> Kind {
    match text {
        "cold" => Kind::Cold,
        "cached" => Kind::Cached,
        "change" => Kind::Change,
        _ => panic!("--kinds takes cold, cached and change, comma-separated"),
    }
}

fn parse_args() -> Args {
    let mut args = Args {
        weight: Weight::OneMegabyte,
        kinds: vec![Kind::Cold, Kind::Cached, Kind::Change],
        copy_weight: true,
        rounds: 10,
        parent: std::env::temp_dir(),
        transfer: ContextTransfer::Session,
    };
    let list: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    for pair in list.chunks(2) {
        let value = pair.get(1).map(String::as_str).unwrap_or_default();
        match pair[0].as_str() {
            "--context" => {
                args.weight = Weight::parse(value).expect("--context 1mb|200mb|1gb|50k|10k")
            }
            "--kinds" => args.kinds = value.split(',').map(parse_kind).collect(),
            "--copy" => {
                args.copy_weight = match value {
                    "all" => true,
                    "app" => false,
                    _ => panic!("--copy all|app"),
                }
            }
            "--rounds" => args.rounds = value.parse().expect("--rounds N"),
            "--dir" => args.parent = PathBuf::from(value),
            "--transfer" => {
                args.transfer = match value {
                    "session" => ContextTransfer::Session,
                    "tar" => ContextTransfer::Tar,
                    _ => panic!("--transfer session|tar"),
                }
            }
            other => panic!("unknown argument {other}; see the comment at the top of this file"),
        }
    }
    args
}

/// The docker CLI's build, timed.
fn docker_build(made: &contexts::Made, kind: Kind, tag: &str, run_id: &str) -> f64 {
    let docker = std::env::var("BASEBENCH_DOCKER").unwrap_or_else(|_| "/usr/bin/docker".into());
    let mut command = Command::new(docker);
    command
        .env("DOCKER_BUILDKIT", "1")
        .args(["build", "-q", "-t", tag]);
    if kind == Kind::Cold {
        command.arg("--no-cache");
    }
    command
        .arg("--label")
        .arg(format!("{MANAGED_LABEL}=true"))
        .arg("--label")
        .arg(format!("{RUN_LABEL}={run_id}"))
        .arg("-f")
        .arg(&made.dockerfile)
        .arg(&made.root)
        .stdout(Stdio::null());
    let start = Instant::now();
    let status = command.status().expect("running the docker CLI");
    let seconds = start.elapsed().as_secs_f64();
    assert!(status.success(), "docker build failed");
    seconds
}

/// basebench's build, timed as basebench times it.
async fn our_build(engine: &DockerEngine, request: &BuildRequest) -> (f64, BuildOutcome) {
    let start = Instant::now();
    let outcome = engine
        .build(request, &|_| {})
        .await
        .expect("basebench build");
    (start.elapsed().as_secs_f64(), outcome)
}

/// What the rounds measured.
#[derive(Default)]
pub(crate) struct Samples {
    /// basebench's build times.
    pub(crate) ours: Vec<f64>,
    /// The docker CLI's.
    pub(crate) theirs: Vec<f64>,
    /// Bytes and seconds basebench's builds sent.
    pub(crate) sent: Vec<(u64, f64)>,
    /// Size of the changed file after the last change.
    pub(crate) changed_size: u64,
}

async fn measure(
    engine: &DockerEngine,
    args: &Args,
    kind: Kind,
    made: &contexts::Made,
    run_id: &str,
) -> Samples {
    let text = std::fs::read_to_string(&made.dockerfile).expect("read Dockerfile");
    let request = BuildRequest {
        context: BuildContext::scan(&made.root, text).expect("scan context"),
        tag: format!("basebench-bench:{run_id}"),
        no_cache: kind == Kind::Cold,
        builder: BuilderKind::Buildkit,
        labels: [
            (MANAGED_LABEL.to_string(), "true".to_string()),
            (RUN_LABEL.to_string(), run_id.to_string()),
        ]
        .into(),
        build_args: Default::default(),
        target: None,
        transfer: args.transfer,
    };
    let cli_tag = format!("basebench-bench-cli:{run_id}");
    let app = made.root.join(APP);
    let mut samples = Samples::default();
    // Warm-up: each side once, untimed.
    our_build(engine, &request).await;
    docker_build(made, kind, &cli_tag, run_id);
    for round in 0..args.rounds {
        for ours_now in [round % 2 == 0, round % 2 != 0] {
            match kind {
                Kind::Cold => contexts::touch_all(&made.root),
                Kind::Change => samples.changed_size = contexts::change(&app, CHANGE_BYTES),
                Kind::Cached => {}
            }
            if ours_now {
                let (seconds, outcome) = our_build(engine, &request).await;
                samples.ours.push(seconds);
                samples
                    .sent
                    .push((outcome.context_bytes, outcome.context_seconds));
            } else {
                samples
                    .theirs
                    .push(docker_build(made, kind, &cli_tag, run_id));
            }
        }
        eprintln!(
            "round {:2}: basebench {:.3} s (context {} B in {:.3} s), docker build {:.3} s",
            round + 1,
            samples.ours[round],
            samples.sent[round].0,
            samples.sent[round].1,
            samples.theirs[round]
        );
    }
    samples
}

/// Remove what this run built (the label is on both sides' images).
async fn clean(engine: &DockerEngine, run_id: &str) {
    let left = engine
        .list_labelled(&format!("{RUN_LABEL}={run_id}"))
        .await
        .expect("list");
    for id in left.images {
        let _ = engine.remove_image(&id).await;
    }
}

#[tokio::main]
async fn main() {
    interval::self_check();
    let args = parse_args();
    let engine = DockerEngine::connect()
        .await
        .expect("a running Docker daemon");
    let run_id = format!("bench-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let made = contexts::make(args.weight, args.copy_weight, Path::new(&args.parent));
    let before = cache::records(&engine).await;
    for &kind in &args.kinds {
        eprintln!(
            "== {kind:?} builds, {} context, {} rounds, run {run_id}",
            args.weight.label(),
            args.rounds
        );
        let samples = measure(&engine, &args, kind, &made, &run_id).await;
        println!("{}", row::row(&args, kind, &samples));
        let freed = cache::prune_new(&engine, &before).await;
        eprintln!(
            "   pruned {} of build cache this kind left",
            row::human(freed)
        );
    }
    clean(&engine, &run_id).await;
    // Records the last builds still held a moment ago are free now.
    let freed = cache::prune_new(&engine, &before).await;
    eprintln!("   pruned {} more at the end", row::human(freed));
}
