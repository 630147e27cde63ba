//! Commands run inside a running container (exec form, no shell), with a timeout.

use std::time::Duration;

use bollard::exec::{CreateExecOptions, StartExecOptions, StartExecResults};
use futures_util::StreamExt;

use super::DockerEngine;
use super::container::{container, output_bytes};
use crate::engine::{EngineError, ExecOutput};

/// Run `command` (exec form) and wait up to `timeout` for it to finish.
pub(super) async fn exec(
    engine: &DockerEngine,
    id: &str,
    command: &[String],
    timeout: Duration,
) -> Result<ExecOutput, EngineError> {
    let action = format!("running `{}` in container '{id}'", command.join(" "));
    let fail = |e| engine.fail(action.clone(), container(id)).map(e);
    let config = CreateExecOptions {
        cmd: Some(command.to_vec()),
        attach_stdout: Some(true),
        attach_stderr: Some(true),
        ..Default::default()
    };
    let created = engine.docker.create_exec(id, config).await.map_err(fail)?;
    let started = engine
        .docker
        .start_exec(&created.id, None::<StartExecOptions>)
        .await
        .map_err(fail)?;
    let mut output = Vec::new();
    if let StartExecResults::Attached {
        output: mut stream, ..
    } = started
    {
        let collect = async {
            while let Some(chunk) = stream.next().await {
                output.extend_from_slice(&output_bytes(chunk.map_err(fail)?));
            }
            Ok::<(), EngineError>(())
        };
        if tokio::time::timeout(timeout, collect).await.is_err() {
            return Ok(ExecOutput {
                exit_code: None,
                output: String::from_utf8_lossy(&output).into_owned(),
            });
        }
    }
    let exit_code = exec_exit_code(engine, &created.id).await.map_err(fail)?;
    Ok(ExecOutput {
        exit_code,
        output: String::from_utf8_lossy(&output).into_owned(),
    })
}

/// The exit code of a finished exec; waits briefly for the daemon to record it.
async fn exec_exit_code(
    engine: &DockerEngine,
    exec_id: &str,
) -> Result<Option<i64>, bollard::errors::Error> {
    for _ in 0..100 {
        let inspect = engine.docker.inspect_exec(exec_id).await?;
        if inspect.running != Some(true) {
            return Ok(inspect.exit_code);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(None)
}
