//! Benchmark: what basebench adds to a Docker build.
//!
//! Builds the same context with the same builder (BuildKit, no cache) through basebench's
//! engine and through `docker build`, alternating, and prints each wall time and the median
//! ratio basebench / docker (goal ≤ 1.02). Needs a running daemon and the Debian docker
//! client (`/usr/bin/docker`, which builds with BuildKit without buildx).
//!
//!     cargo bench --bench build_overhead -- [ROUNDS] [CONTEXT_DIR DOCKERFILE]
//!
//! Without a context it builds a small app on the `debian:12` stand-in (make it with
//! `basebench bases debian:12`): one `COPY` of a small file and one `RUN` that computes for
//! a few seconds, so the build is real work with a typical small context. With a large
//! context the docker CLI has an advantage this benchmark shows too: its BuildKit session
//! re-sends only changed files, while the Engine API takes the whole context as a tar.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use basebench::context::BuildContext;
use basebench::engine::docker::DockerEngine;
use basebench::engine::{
    BuildRequest, BuilderKind, ContextTransfer, Engine, MANAGED_LABEL, RUN_LABEL,
};
use basebench::stats::Timing;

const BASE: &str = "basebench-stand-in/debian:12";

fn fixture() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("app.sh"), "echo hello\n").expect("write app");
    let dockerfile = dir.path().join("Dockerfile");
    let text = format!(
        "FROM {BASE}\nCOPY app.sh /app.sh\nRUN i=0; while [ $i -lt 2000000 ]; do i=$((i+1)); done; echo $i > /count\n"
    );
    std::fs::write(&dockerfile, text).expect("write Dockerfile");
    (dir, dockerfile)
}

fn docker_build(context: &Path, dockerfile: &Path, tag: &str, run_id: &str) -> f64 {
    let start = Instant::now();
    let status = Command::new("/usr/bin/docker")
        .env("DOCKER_BUILDKIT", "1")
        .args(["build", "--no-cache", "-q", "-t", tag, "--label"])
        .arg(format!("{RUN_LABEL}={run_id}"))
        .arg("-f")
        .arg(dockerfile)
        .arg(context)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("run /usr/bin/docker");
    assert!(status.success(), "docker build failed");
    start.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let rounds: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(7);
    let (_keep, context, dockerfile) = match (args.get(1), args.get(2)) {
        (Some(c), Some(d)) => (None, PathBuf::from(c), PathBuf::from(d)),
        _ => {
            let (dir, file) = fixture();
            let context = dir.path().to_path_buf();
            (Some(dir), context, file)
        }
    };
    let engine = DockerEngine::connect()
        .await
        .expect("a running Docker daemon");
    let run_id = format!("bench-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let text = std::fs::read_to_string(&dockerfile).expect("read Dockerfile");
    let request = BuildRequest {
        context: BuildContext::scan(&context, text).expect("scan context"),
        tag: format!("basebench-bench:{run_id}"),
        no_cache: true,
        builder: BuilderKind::Buildkit,
        labels: [
            (MANAGED_LABEL.to_string(), "true".to_string()),
            (RUN_LABEL.to_string(), run_id.clone()),
        ]
        .into(),
        build_args: Default::default(),
        target: None,
        transfer: ContextTransfer::Session,
    };
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let start = Instant::now();
        engine
            .build(&request, &|_| {})
            .await
            .expect("basebench build");
        ours.push(start.elapsed().as_secs_f64());
        theirs.push(docker_build(
            &context,
            &dockerfile,
            &format!("basebench-bench-cli:{run_id}"),
            &run_id,
        ));
        println!(
            "round {}: basebench {:.3} s, docker build {:.3} s",
            round + 1,
            ours[round],
            theirs[round]
        );
    }
    let ratios: Vec<f64> = ours.iter().zip(&theirs).map(|(a, b)| a / b).collect();
    let (o, t, r) = (
        Timing::from_samples(&ours),
        Timing::from_samples(&theirs),
        Timing::from_samples(&ratios),
    );
    if let (Some(o), Some(t), Some(r)) = (o, t, r) {
        println!(
            "basebench    median {:.3} s [{:.3}–{:.3}]",
            o.median, o.min, o.max
        );
        println!(
            "docker build median {:.3} s [{:.3}–{:.3}]",
            t.median, t.min, t.max
        );
        println!(
            "ratio basebench/docker: median {:.3} [{:.3}–{:.3}] over {} alternating rounds",
            r.median, r.min, r.max, r.n
        );
    }
    let left = engine
        .list_labelled(&format!("{RUN_LABEL}={run_id}"))
        .await
        .expect("list");
    for id in left.images {
        let _ = engine.remove_image(&id).await;
    }
}
