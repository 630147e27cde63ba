//! A scripted engine for fast CLI and report tests: no daemon, but real HTTP.
//!
//! Behaviour comes from directives in the Dockerfile sent to it, one per line:
//! `# fake: build-fail <message>` (the first `RUN` step fails), `# fake: size <bytes>`,
//! `# fake: startup-ms <n> [<n>...]` (answers 503 until then; several values: the image's
//! k-th start takes the k-th, cycling), `# fake: exit <code>` (exits at start),
//! `# fake: never-healthy`, `# fake: smoke-fail`, `# fake: log <line>` (a line the
//! container and a failing build log; repeatable), `# fake: cache-miss` (every build,
//! the identical rebuild too, reports all its steps run), `# fake: fail-every <n>`
//! (every n-th request after ready answers 500), `# fake: export-fail` (exporting the
//! image fails). Each started container is a
//! small HTTP server on 127.0.0.1, so the probe measures it for real. Base images are all
//! "local" except references containing `missing` and those listed (comma-separated) in
//! `BASEBENCH_FAKE_ABSENT`. Selected with `BASEBENCH_ENGINE=fake`; never used by a normal
//! run, and compiled only for tests (the `fake-engine` feature: a release build has no
//! fake, and there `BASEBENCH_ENGINE=fake` is an error).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bytes::Bytes;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

mod script;

use super::*;
use script::{Script, directives, fake_archive, serve};

struct FakeContainer {
    image: String,
    name: String,
    labels: HashMap<String, String>,
    port: Option<u16>,
    server: Option<JoinHandle<()>>,
    exited: Option<i64>,
}

#[derive(Default)]
struct State {
    images: HashMap<String, (Script, HashMap<String, String>)>,
    containers: HashMap<String, FakeContainer>,
    /// Containers started so far per image (which `startup-ms` value is next).
    starts: HashMap<String, usize>,
    next: u64,
}

/// The scripted engine.
#[derive(Default)]
pub struct FakeEngine {
    state: Mutex<State>,
}

impl State {
    fn container(&self, id: &str) -> Result<&FakeContainer, EngineError> {
        self.containers
            .get(id)
            .ok_or_else(|| not_found(format!("container {id}")))
    }
}

fn lock(engine: &FakeEngine) -> std::sync::MutexGuard<'_, State> {
    engine
        .state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The runtime the scripted apps run on, apart from the caller's.
fn apps_runtime() -> &'static tokio::runtime::Runtime {
    static APPS: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    APPS.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("fake-apps")
            .enable_all()
            .build()
            .expect("a runtime for the scripted apps")
    })
}

fn not_found(what: String) -> EngineError {
    EngineError::NotFound { what }
}

#[async_trait]
impl Engine for FakeEngine {
    async fn info(&self) -> Result<HostInfo, EngineError> {
        Ok(HostInfo {
            engine: "Docker".into(),
            engine_version: "fake".into(),
            api_version: "1.41".into(),
            os: "fake".into(),
            kernel: "fake".into(),
            cpus: 2,
            memory_bytes: 1 << 30,
            storage_driver: "fake".into(),
            address: "tcp://127.0.0.1".into(),
            address_source: "BASEBENCH_ENGINE=fake".into(),
        })
    }

    async fn image_info(&self, reference: &str) -> Result<Option<ImageInfo>, EngineError> {
        if let Some((script, labels)) = lock(self).images.get(reference) {
            let history = vec![
                HistoryItem {
                    size_bytes: 10_000_000,
                    created_by: "/bin/sh -c #(nop) ADD file:base in /".into(),
                    comment: String::new(),
                },
                HistoryItem {
                    size_bytes: script.size.saturating_sub(10_000_000),
                    created_by: "RUN install".into(),
                    comment: String::new(),
                },
            ];
            return Ok(Some(ImageInfo {
                id: reference.into(),
                size_bytes: script.size,
                layers: 2,
                labels: labels.clone(),
                history,
                ..ImageInfo::default()
            }));
        }
        let listed_absent = std::env::var("BASEBENCH_FAKE_ABSENT")
            .is_ok_and(|list| list.split(',').any(|r| r.trim() == reference));
        if reference.contains("missing") || listed_absent {
            return Ok(None);
        }
        let history = vec![HistoryItem {
            size_bytes: 10_000_000,
            created_by: "/bin/sh -c #(nop) ADD file:base in /".into(),
            comment: String::new(),
        }];
        Ok(Some(ImageInfo {
            id: format!("sha256:{reference}"),
            size_bytes: 10_000_000,
            layers: 1,
            history,
            ..ImageInfo::default()
        }))
    }

    async fn pull_image(&self, reference: &str) -> Result<crate::engine::Pulled, EngineError> {
        Err(EngineError::Api {
            action: format!("pulling '{reference}'"),
            message: "no registry in the fake engine".into(),
        })
    }

    async fn import_image(&self, request: &ImportRequest) -> Result<String, EngineError> {
        let id = format!("sha256:import-{}", request.reference);
        lock(self)
            .images
            .insert(id.clone(), (Script::default(), HashMap::new()));
        Ok(id)
    }

    async fn build(
        &self,
        request: &BuildRequest,
        events: BuildEvents<'_>,
    ) -> Result<BuildOutcome, BuildError> {
        let (script, build_fail) = directives(&request.context.dockerfile);
        let steps: Vec<&str> = request
            .context
            .dockerfile
            .lines()
            .filter(|l| {
                let l = l.trim_start();
                !l.is_empty() && !l.starts_with('#')
            })
            .collect();
        if let Some(message) = build_fail {
            let step = steps
                .iter()
                .find(|s| s.starts_with("RUN"))
                .map(|s| s.to_string());
            return Err(BuildError::Failed(BuildFailure {
                step,
                message,
                log_tail: std::iter::once("fake build output".to_string())
                    .chain(script.log.iter().cloned())
                    .collect(),
            }));
        }
        for step in &steps {
            events(BuildEvent::Step {
                name: step.to_string(),
                cached: !request.no_cache,
                done: true,
            });
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
        let cache_miss = script.cache_miss;
        let mut state = lock(self);
        state.next += 1;
        let id = format!("sha256:fake{:04}", state.next);
        state
            .images
            .insert(id.clone(), (script, request.labels.clone()));
        Ok(BuildOutcome {
            image_id: id,
            steps_total: steps.len() as u32,
            steps_run: if cache_miss || request.no_cache || request.context.touched.is_some() {
                steps.len() as u32
            } else {
                0
            },
            context_bytes: request.context.dockerfile.len() as u64,
            context_seconds: 0.0,
            context_transfer: self
                .context_transfer(request.builder, request.transfer)
                .transfer,
            transfer_note: None,
        })
    }

    async fn create_container(&self, spec: &ContainerSpec) -> Result<String, EngineError> {
        let mut state = lock(self);
        if !state.images.contains_key(&spec.image) {
            return Err(not_found(format!("image '{}'", spec.image)));
        }
        state.next += 1;
        let id = format!("fake-container-{}", state.next);
        state.containers.insert(
            id.clone(),
            FakeContainer {
                image: spec.image.clone(),
                name: spec.name.clone(),
                labels: spec.labels.clone(),
                port: None,
                server: None,
                exited: None,
            },
        );
        Ok(id)
    }

    async fn start_container(&self, id: &str) -> Result<(), EngineError> {
        let (script, start) = {
            let mut state = lock(self);
            let image = state.container(id)?.image.clone();
            let script = state
                .images
                .get(&image)
                .map(|(s, _)| s.clone())
                .unwrap_or_default();
            let starts = state.starts.entry(image).or_default();
            *starts += 1;
            (script, *starts - 1)
        };
        if let Some(code) = script.exit {
            if let Some(c) = lock(self).containers.get_mut(id) {
                c.exited = Some(code);
            }
            return Ok(());
        }
        let bind_error = |e: std::io::Error| EngineError::Api {
            action: "binding".into(),
            message: e.to_string(),
        };
        let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(bind_error)?;
        listener.set_nonblocking(true).map_err(bind_error)?;
        let port = listener.local_addr().map_err(bind_error)?.port();
        let startup_ms = match script.startup_ms.len() {
            0 => 0,
            n => script.startup_ms[start % n],
        };
        let ready_at = Instant::now() + Duration::from_millis(startup_ms);
        // The "app" runs on a runtime of its own, as a container is a process of its own:
        // what basebench's own runtime is busy with never delays its answers.
        let (never_healthy, fail_every) = (script.never_healthy, script.fail_every);
        let server = apps_runtime().spawn(async move {
            if let Ok(listener) = TcpListener::from_std(listener) {
                serve(listener, ready_at, never_healthy, fail_every).await;
            }
        });
        if let Some(c) = lock(self).containers.get_mut(id) {
            c.port = Some(port);
            c.server = Some(server);
        }
        Ok(())
    }

    async fn host_port(&self, id: &str, _container_port: u16) -> Result<u16, EngineError> {
        lock(self)
            .containers
            .get(id)
            .and_then(|c| c.port)
            .ok_or_else(|| not_found(format!("published port of {id}")))
    }

    async fn container_status(&self, id: &str) -> Result<ContainerStatus, EngineError> {
        let state = lock(self);
        let c = state.container(id)?;
        Ok(match c.exited {
            Some(code) => ContainerStatus {
                state: "exited".into(),
                running: false,
                exit_code: Some(code),
                ..ContainerStatus::default()
            },
            None => ContainerStatus {
                state: "running".into(),
                running: true,
                ..ContainerStatus::default()
            },
        })
    }

    async fn logs_tail(&self, id: &str, tail: usize) -> Result<Vec<String>, EngineError> {
        let state = lock(self);
        let c = state.container(id)?;
        let logged = state
            .images
            .get(&c.image)
            .map(|(script, _)| script.log.clone())
            .unwrap_or_default();
        let mut lines = vec![match c.exited {
            Some(_) => "starting".to_string(),
            None => "listening".to_string(),
        }];
        lines.extend(logged);
        lines.extend(
            c.exited
                .map(|code| format!("fatal: configured to exit with {code}")),
        );
        Ok(lines.split_off(lines.len().saturating_sub(tail)))
    }

    async fn memory_usage(&self, _id: &str) -> Result<u64, EngineError> {
        Ok(20_000_000)
    }

    async fn exec(
        &self,
        id: &str,
        command: &[String],
        _timeout: Duration,
    ) -> Result<ExecOutput, EngineError> {
        let state = lock(self);
        let c = state.container(id)?;
        let fail = state
            .images
            .get(&c.image)
            .is_some_and(|(s, _)| s.smoke_fail);
        Ok(ExecOutput {
            exit_code: Some(if fail { 1 } else { 0 }),
            output: if fail {
                format!(
                    "{}: ModuleNotFoundError: No module named 'numpy'",
                    command.join(" ")
                )
            } else {
                String::new()
            },
        })
    }

    async fn remove_container(&self, id: &str) -> Result<(), EngineError> {
        if let Some(c) = lock(self).containers.remove(id)
            && let Some(server) = c.server
        {
            server.abort();
        }
        Ok(())
    }

    async fn remove_image(&self, reference: &str) -> Result<(), EngineError> {
        lock(self).images.remove(reference);
        Ok(())
    }

    async fn export_image(&self, reference: &str) -> Result<ByteStream, EngineError> {
        match lock(self).images.get(reference) {
            None => return Err(not_found(format!("image '{reference}'"))),
            Some((script, _)) if script.export_fail => {
                return Err(EngineError::Api {
                    action: format!("exporting '{reference}'"),
                    message: "configured to fail (fake: export-fail)".into(),
                });
            }
            Some(_) => {}
        }
        Ok(Box::pin(futures_util::stream::iter([Ok(Bytes::from(
            fake_archive(),
        ))])))
    }

    async fn list_labelled(&self, label: &str) -> Result<Labelled, EngineError> {
        let (key, value) = label
            .split_once('=')
            .map_or((label, None), |(k, v)| (k, Some(v)));
        let matches = |labels: &HashMap<String, String>| {
            labels
                .get(key)
                .is_some_and(|v| value.is_none_or(|want| v == want))
        };
        let state = lock(self);
        let mut containers: Vec<String> = state
            .containers
            .iter()
            .filter(|(_, c)| matches(&c.labels))
            .map(|(id, _)| id.clone())
            .collect();
        let mut images: Vec<String> = state
            .images
            .iter()
            .filter(|(_, (_, l))| matches(l))
            .map(|(id, _)| id.clone())
            .collect();
        containers.sort();
        images.sort();
        let own = containers
            .iter()
            .filter_map(|id| {
                let c = &state.containers[id];
                own_container(&c.name, &c.labels).then(|| (id.clone(), c.name.clone()))
            })
            .collect();
        Ok(Labelled {
            containers,
            own,
            images,
        })
    }
}
