//! Shared helpers for real-daemon tests: the fixture app (a static C binary in a
//! `FROM scratch` image), unique run ids and a guard that removes what a test created.
//!
//! A module of the `daemon` test binary (`tests/daemon/main.rs` declares it). Tests that
//! need a daemon call [`connect_or_fail`]: without one they fail loudly instead of skipping.
//!
//! The app (tests/fixtures/testapp/testapp.c) listens on `TESTAPP_PORT` (8080) and answers
//! `GET /health` (200 `ok`) and `GET /` (200 JSON). Its environment shapes it:
//! `TESTAPP_DELAY_MS` (start slowly), `TESTAPP_EXIT_CODE` (log
//! `fatal: configured to exit with code N` on stderr and exit), `TESTAPP_ALLOC_MB` (hold
//! memory). As an exec command: `/testapp exit N`, `/testapp sleep MS`. Typical use:
//!
//! ```ignore
//! let engine = support::connect_or_fail().await;
//! let run_id = support::unique_run_id();
//! let _cleanup = support::Cleanup::new(&run_id); // removes `basebench.run=<run_id>` objects
//! let image = support::images::build_app(&engine, &run_id).await;
//! let spec = support::images::container_spec(&image, &run_id, &["TESTAPP_DELAY_MS=300"]);
//! ```
#![allow(clippy::unwrap_used)]

pub(crate) mod cli;
pub(crate) mod dockerd;
pub(crate) mod http;
pub(crate) mod images;
pub(crate) mod proxy;
pub(crate) mod remote_dockerd;
pub(crate) mod sshd;

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use basebench::context::BuildContext;
use basebench::engine::docker::DockerEngine;
use basebench::engine::{Engine, MANAGED_LABEL, RUN_LABEL};

/// Source of the fixture app.
const TESTAPP_SOURCE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/testapp/testapp.c"
);

/// Port the fixture app listens on unless `TESTAPP_PORT` says otherwise.
pub(crate) const TESTAPP_PORT: u16 = 8080;

/// The mtime of the test app in every context (2023-11-14), so that equal contexts give
/// equal layers across tests.
fn testapp_mtime() -> std::time::SystemTime {
    std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000)
}

/// Connect to the local daemon or panic with what to do.
pub(crate) async fn connect_or_fail() -> DockerEngine {
    match DockerEngine::connect().await {
        Ok(engine) => engine,
        Err(e) => panic!(
            "Docker daemon not reachable: {e}\nThese tests need a real daemon: start dockerd \
             (e.g. `dockerd &`) or set DOCKER_HOST."
        ),
    }
}

/// A run id unique to this test (`test-<12 hex>`).
pub(crate) fn unique_run_id() -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    format!("test-{}", &id[..12])
}

/// The labels basebench puts on what it creates, for `run_id`.
pub(crate) fn run_labels(run_id: &str) -> HashMap<String, String> {
    HashMap::from([
        (MANAGED_LABEL.to_string(), "true".to_string()),
        (RUN_LABEL.to_string(), run_id.to_string()),
    ])
}

/// The fixture app compiled with `gcc -static -O2 -pthread`, cached under the target
/// directory by source hash (built once per source change).
pub(crate) fn testapp_binary() -> PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(compile_testapp).clone()
}

fn compile_testapp() -> PathBuf {
    let source = std::fs::read(TESTAPP_SOURCE).expect("reading tests/fixtures/testapp/testapp.c");
    let mut hasher = DefaultHasher::new();
    source.hash(&mut hasher);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("testapp");
    std::fs::create_dir_all(&dir).expect("creating the testapp cache directory");
    let binary = dir.join(format!("testapp-{:016x}", hasher.finish()));
    if binary.exists() {
        return binary;
    }
    // Compile to a private name, then rename: test binaries may race here.
    let partial = dir.join(format!("partial-{}", uuid::Uuid::new_v4().simple()));
    let status = Command::new("gcc")
        .args(["-static", "-O2", "-pthread", "-o"])
        .arg(&partial)
        .arg(TESTAPP_SOURCE)
        .status()
        .unwrap_or_else(|e| {
            panic!("cannot run gcc to build the test app ({e}): install gcc and the static libc (apt-get install -y gcc libc6-dev)")
        });
    assert!(
        status.success(),
        "gcc failed to build {TESTAPP_SOURCE} (is libc6-dev installed for -static?)"
    );
    std::fs::rename(&partial, &binary).expect("moving the compiled testapp into place");
    binary
}

/// A build context holding the fixture app and a Dockerfile.
pub(crate) struct TestApp {
    /// The context directory (removed on drop).
    pub(crate) dir: tempfile::TempDir,
    /// The Dockerfile text (also written to `Dockerfile` in `dir`).
    pub(crate) dockerfile: String,
}

impl TestApp {
    /// The context ready to send, with `dockerfile` as its Dockerfile.
    pub(crate) fn context(&self) -> BuildContext {
        BuildContext::scan(self.dir.path(), self.dockerfile.clone())
            .expect("scanning the test app context")
    }
}

/// Lay out a context with the app and the Dockerfile
/// `FROM scratch / COPY testapp /testapp / <dockerfile_extra> / CMD ["/testapp"]`.
pub(crate) fn test_app_context(dockerfile_extra: &str) -> TestApp {
    let dockerfile = format!(
        "FROM scratch\nCOPY testapp /testapp\n{dockerfile_extra}\nEXPOSE {TESTAPP_PORT}\nCMD [\"/testapp\"]\n"
    );
    test_app_context_with_dockerfile(&dockerfile)
}

/// Lay out a context with the app and exactly `dockerfile`.
pub(crate) fn test_app_context_with_dockerfile(dockerfile: &str) -> TestApp {
    let dir = tempfile::tempdir().expect("creating a temporary context directory");
    let app = dir.path().join("testapp");
    std::fs::copy(testapp_binary(), &app).expect("copying the testapp binary");
    // One fixed mtime in every context: BuildKit's cache key for a COPY ignores mtimes, so
    // a cached build may reuse the layer another test made from its own copy; with the
    // same mtime everywhere, the same content is the same layer whichever record it picks.
    std::fs::File::options()
        .write(true)
        .open(&app)
        .and_then(|f| f.set_modified(testapp_mtime()))
        .expect("setting the testapp's mtime");
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).expect("writing the Dockerfile");
    TestApp {
        dir,
        dockerfile: dockerfile.to_string(),
    }
}

/// Removes every container and image labelled with its run id when dropped, even when
/// the test panicked.
pub(crate) struct Cleanup {
    /// The run id whose objects are removed.
    pub(crate) run_id: String,
}

impl Cleanup {
    /// A guard for `run_id`.
    pub(crate) fn new(run_id: &str) -> Cleanup {
        Cleanup {
            run_id: run_id.to_string(),
        }
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let label = format!("{RUN_LABEL}={}", self.run_id);
        // A thread with its own runtime: drop may run inside (or outside) a test runtime.
        let result = std::thread::spawn(move || {
            let runtime = tokio::runtime::Runtime::new().expect("starting a cleanup runtime");
            runtime.block_on(remove_labelled(&label))
        })
        .join();
        match result {
            Ok(Ok(())) => {}
            Ok(Err(message)) => eprintln!("cleanup of run {} incomplete: {message}", self.run_id),
            Err(_) => eprintln!("cleanup of run {} panicked", self.run_id),
        }
    }
}

/// Remove the containers, then the images, carrying `label`.
pub(crate) async fn remove_labelled(label: &str) -> Result<(), String> {
    let engine = DockerEngine::connect().await.map_err(|e| e.to_string())?;
    let found = engine
        .list_labelled(label)
        .await
        .map_err(|e| e.to_string())?;
    for id in &found.containers {
        engine
            .remove_container(id)
            .await
            .map_err(|e| e.to_string())?;
    }
    for id in &found.images {
        engine.remove_image(id).await.map_err(|e| e.to_string())?;
    }
    Ok(())
}
