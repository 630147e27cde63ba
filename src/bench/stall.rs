//! The build-stall guard: a build that shows no sign of life (no output line, no step) for
//! `build_stall_timeout_s` is stopped and reported as that variant's build failure, naming the
//! step it was in and its last lines (a stalled package mirror once hung a run for 15 minutes).

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::Stop;
use crate::engine::BuildEvent;
use crate::results::{FailureDetail, FailurePhase};

/// Output lines a stalled build's failure keeps.
const STALLED_LOG_LINES: usize = 10;

/// When a build last showed a sign of life (an output line or a step), its latest step and
/// its last output lines.
pub(super) struct Activity(Mutex<Seen>);

struct Seen {
    at: Instant,
    /// Steps started and not finished, oldest first.
    running: Vec<String>,
    /// The step that finished last.
    finished: Option<String>,
    log: VecDeque<String>,
}

impl Seen {
    /// The step the build is in: the latest one started and not finished, else the last
    /// one that finished.
    fn step(&self) -> Option<String> {
        self.running.last().or(self.finished.as_ref()).cloned()
    }
}

impl Activity {
    pub(super) fn new() -> Self {
        Activity(Mutex::new(Seen {
            at: Instant::now(),
            running: Vec::new(),
            finished: None,
            log: VecDeque::new(),
        }))
    }

    /// Note an event of the build.
    pub(super) fn saw(&self, event: &BuildEvent) {
        let mut seen = self.0.lock().unwrap_or_else(|e| e.into_inner());
        seen.at = Instant::now();
        match event {
            BuildEvent::Step { name, done, .. } => {
                seen.running.retain(|running| running != name);
                if *done {
                    seen.finished = Some(name.clone());
                } else {
                    seen.running.push(name.clone());
                }
            }
            BuildEvent::Log(line) => {
                if seen.log.len() == STALLED_LOG_LINES {
                    seen.log.pop_front();
                }
                seen.log.push_back(line.clone());
            }
        }
    }

    /// Resolves, with the failure to report, once the build has been silent for `limit`.
    pub(super) async fn stalled(&self, limit: Duration) -> Stop {
        loop {
            let since = {
                let seen = self.0.lock().unwrap_or_else(|e| e.into_inner());
                if seen.at.elapsed() >= limit {
                    return stalled_stop(limit, &seen);
                }
                seen.at.elapsed()
            };
            tokio::time::sleep(limit.saturating_sub(since)).await;
        }
    }
}

/// The failure of a build stopped after `limit` without output.
fn stalled_stop(limit: Duration, seen: &Seen) -> Stop {
    let quiet = crate::format::seconds(limit.as_secs_f64());
    Stop(FailureDetail {
        phase: FailurePhase::Build,
        message: format!(
            "the build was stopped after {quiet} without output or a new step; a download \
             (a package mirror, an index) may have stalled: run again, or raise \
             build_stall_timeout_s / --build-stall-timeout if a step is quiet for longer"
        ),
        step: seen.step(),
        state: None,
        exit_code: None,
        log_tail: seen.log.iter().cloned().collect(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn step(name: &str, done: bool) -> BuildEvent {
        BuildEvent::Step {
            name: name.to_string(),
            cached: false,
            done,
        }
    }

    #[test]
    fn the_step_named_is_the_latest_one_still_running() {
        let activity = Activity::new();
        activity.saw(&step("[1/2] COPY app /app", false));
        activity.saw(&step("[2/2] RUN pip install flask", false));
        // BuildKit may report a step's end after the next one's start.
        activity.saw(&step("[1/2] COPY app /app", true));
        let seen = activity.0.lock().unwrap();
        assert_eq!(seen.step().as_deref(), Some("[2/2] RUN pip install flask"));
    }

    #[test]
    fn with_nothing_running_the_last_finished_step_is_named() {
        let activity = Activity::new();
        activity.saw(&step("[1/2] COPY app /app", false));
        activity.saw(&step("[1/2] COPY app /app", true));
        let seen = activity.0.lock().unwrap();
        assert_eq!(seen.step().as_deref(), Some("[1/2] COPY app /app"));
    }

    #[tokio::test]
    async fn a_quiet_build_is_stopped_after_the_limit_with_its_last_lines() {
        let activity = Activity::new();
        activity.saw(&BuildEvent::Log("Collecting flask".to_string()));
        let Stop(detail) = activity.stalled(Duration::from_millis(20)).await;
        assert_eq!(detail.phase, FailurePhase::Build);
        assert!(
            detail.message.contains("build_stall_timeout_s"),
            "{detail:?}"
        );
        assert!(
            detail.message.contains("--build-stall-timeout"),
            "{detail:?}"
        );
        assert_eq!(detail.log_tail, vec!["Collecting flask".to_string()]);
    }
}
