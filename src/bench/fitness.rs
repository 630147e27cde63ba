//! Whether a measured container still counts as working after the latency and load
//! phases: it must still be running, never restarted or killed for memory, and answer
//! all but a small share of the requests (`max_request_errors`, 1 % by default). An app
//! that crashes after its first healthy answers otherwise looks fast (its failed
//! requests take no time) and would rank first.

use super::container::Loaded;
use super::startup::LOG_TAIL;
use super::{Bench, Stop};
use crate::config::Config;
use crate::engine::ContainerStatus;
use crate::results::{FailureDetail, FailurePhase};

/// True when `errors` of `requests` are more than the config allows.
pub(crate) fn too_many(errors: u32, requests: u32, config: &Config) -> bool {
    over_limit(errors, requests, config.sampling.max_request_errors)
}

fn over_limit(errors: u32, requests: u32, limit: f64) -> bool {
    errors > 0 && f64::from(errors) > limit * f64::from(requests.max(errors))
}

/// The failure of a container that is not fit after measuring, if it is not; `status`
/// is its state now.
fn problem(status: &ContainerStatus, errors: u32, requests: u32, limit: f64) -> Option<String> {
    let failed = format!("{errors} of {requests} requests failed");
    if !status.running {
        let code = status
            .exit_code
            .map_or_else(|| "unknown".to_string(), |c| c.to_string());
        let oom = if status.oom_killed {
            " (killed: out of memory)"
        } else {
            ""
        };
        return Some(format!(
            "exited with code {code}{oom} during the latency and load phases ({failed})"
        ));
    }
    if status.restart_count > 0 {
        return Some(format!(
            "restarted {} time(s) during the latency and load phases ({failed})",
            status.restart_count
        ));
    }
    if status.oom_killed {
        return Some(format!("was killed for memory while measured ({failed})"));
    }
    over_limit(errors, requests, limit).then(|| {
        let share = 100.0 * f64::from(errors) / f64::from(requests.max(1));
        format!(
            "{failed} ({share:.1} %; limit {} %, max_request_errors)",
            limit * 100.0
        )
    })
}

/// Check the load container after the latency and load phases; a failure carries its
/// state, exit code and log tail.
pub(crate) async fn check(bench: &Bench<'_>, loaded: &Loaded) -> Result<(), Stop> {
    let limit = bench.config.sampling.max_request_errors;
    let status = bench
        .engine
        .container_status(&loaded.id)
        .await
        .map_err(|e| {
            Stop::new(
                FailurePhase::Measure,
                format!("inspecting the container: {e}"),
            )
        })?;
    let Some(message) = problem(&status, loaded.errors, loaded.requests, limit) else {
        return Ok(());
    };
    let log_tail = bench
        .engine
        .logs_tail(&loaded.id, LOG_TAIL)
        .await
        .unwrap_or_default();
    Err(Stop(FailureDetail {
        phase: FailurePhase::Measure,
        step: None,
        message,
        state: Some(status.state.clone()),
        exit_code: status.exit_code.filter(|_| !status.running),
        log_tail,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn running() -> ContainerStatus {
        ContainerStatus {
            state: "running".into(),
            running: true,
            ..ContainerStatus::default()
        }
    }

    #[test]
    fn errors_at_the_limit_pass_and_one_more_fails() {
        // 1 % of 1,000 is 10: ten failures pass, eleven fail.
        assert_eq!(problem(&running(), 10, 1000, 0.01), None);
        let line = problem(&running(), 11, 1000, 0.01).expect("over the limit");
        assert_eq!(
            line,
            "11 of 1000 requests failed (1.1 %; limit 1 %, max_request_errors)"
        );
        assert_eq!(
            problem(&running(), 1000, 1000, 1.0),
            None,
            "100 % allows all"
        );
        assert!(
            problem(&running(), 1, 1000, 0.0).is_some(),
            "0 % allows none"
        );
        assert_eq!(problem(&running(), 0, 0, 0.0), None);
    }

    #[test]
    fn an_exit_a_restart_or_an_oom_kill_fails_without_any_error() {
        let exited = ContainerStatus {
            state: "exited".into(),
            exit_code: Some(139),
            oom_killed: true,
            ..ContainerStatus::default()
        };
        assert_eq!(
            problem(&exited, 0, 200, 0.01).as_deref(),
            Some(
                "exited with code 139 (killed: out of memory) during the latency and load \
                 phases (0 of 200 requests failed)"
            )
        );
        let restarted = ContainerStatus {
            restart_count: 2,
            ..running()
        };
        assert!(
            problem(&restarted, 0, 200, 0.01).is_some_and(|l| l.starts_with("restarted 2 time(s)"))
        );
        let killed = ContainerStatus {
            oom_killed: true,
            ..running()
        };
        assert!(problem(&killed, 0, 200, 0.01).is_some());
    }
}
