//! One variant's state through a run ([`Slot`]), the run's ([`Run`]), and the one-line
//! texts that say how a variant ended.

use super::{Stop, build, cleanup, startup};
use crate::config::Variant;
use crate::results::{FailureDetail, FailurePhase, RunResults, VariantResult};

/// One variant through the run: its results so far, what it created, its builds and
/// start samples, and whether it still takes part.
pub(crate) struct Slot<'v> {
    pub(crate) variant: &'v Variant,
    pub(crate) result: VariantResult,
    pub(crate) created: cleanup::Created,
    pub(crate) builds: Option<build::Builds>,
    pub(crate) starts: startup::Starts,
    /// Built and not failed since: it takes part in the next round.
    pub(crate) alive: bool,
    /// Its measuring has begun: it has a row in the results.
    pub(crate) started: bool,
}

impl Slot<'_> {
    /// Turn the variant into a failure row; it drops out of the later rounds.
    pub(crate) fn fail(&mut self, Stop(detail): Stop) {
        self.alive = false;
        self.result.works = false;
        self.result.failure = Some(failure_line(&detail));
        self.result.failure_detail = Some(detail);
    }

    /// The image later phases measure, once built.
    pub(crate) fn image_id(&self) -> Option<String> {
        self.builds.as_ref().and_then(build::Builds::image_id)
    }
}

/// The state of a run being executed.
pub(crate) struct Run<'v> {
    pub(crate) results: RunResults,
    pub(crate) slots: Vec<Slot<'v>>,
    /// The engine's build cache records when the run started, with `--registry` (the
    /// pulls prune the records the run's builds made); `None` otherwise or where the
    /// engine does not list them.
    pub(crate) build_cache_before: Option<std::collections::BTreeSet<String>>,
}

/// One line saying why a variant failed.
pub(crate) fn failure_line(detail: &FailureDetail) -> String {
    let mut line = match detail.phase {
        FailurePhase::Prepare => format!("not built: {}", detail.message),
        FailurePhase::Build => match &detail.step {
            Some(step) => format!("build failed at `{step}`: {}", detail.message),
            None => format!("build failed: {}", detail.message),
        },
        FailurePhase::Start => format!("container did not start: {}", detail.message),
        FailurePhase::Health => detail.message.clone(),
        FailurePhase::Smoke => format!("smoke command failed: {}", detail.message),
        FailurePhase::Measure => format!("measuring failed: {}", detail.message),
        FailurePhase::Registry => match &detail.step {
            Some(step) => format!("registry {step} failed: {}", detail.message),
            None => format!("registry failed: {}", detail.message),
        },
    };
    if let Some(error) = error_line(&detail.log_tail)
        && matches!(
            detail.phase,
            FailurePhase::Health | FailurePhase::Smoke | FailurePhase::Measure
        )
    {
        line.push_str(&format!("; log: {}", error.trim()));
    }
    line
}

/// The log line that reads as the error: the last one naming an error, exception or
/// fatal condition, else the last that is neither blank nor only brackets and
/// punctuation (a traceback's closing `]`).
pub(crate) fn error_line(log: &[String]) -> Option<&str> {
    let reads_as_error = |l: &&String| {
        let lower = l.to_lowercase();
        ["error", "exception", "fatal"]
            .iter()
            .any(|w| lower.contains(w))
    };
    let has_words = |l: &&String| l.chars().any(char::is_alphanumeric);
    log.iter()
        .rev()
        .find(reads_as_error)
        .or_else(|| log.iter().rev().find(has_words))
        .map(|l| l.as_str())
}

pub(crate) fn summary_line(result: &VariantResult) -> String {
    if let Some(failure) = &result.failure {
        return failure.clone();
    }
    let size = result
        .image
        .as_ref()
        .map(|i| format!("{:.1} MB", i.size_bytes as f64 / 1e6))
        .unwrap_or_default();
    let startup = result
        .startup_ms
        .as_ref()
        .map(|t| format!(", startup {:.0} ms", t.median))
        .unwrap_or_default();
    format!("{size}{startup}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn health(log: &[&str]) -> FailureDetail {
        FailureDetail {
            phase: FailurePhase::Health,
            step: None,
            message: "exited with code 1 before answering HTTP 200 on /state".into(),
            state: Some("exited".into()),
            exit_code: Some(1),
            log_tail: log.iter().map(|l| l.to_string()).collect(),
        }
    }

    #[test]
    fn the_cell_shows_the_line_that_reads_as_the_error_not_the_last_bracket() {
        // gunicorn's shape: the error three lines above the closing bracket.
        let detail = health(&[
            "[2026-01-01 10:00:00] [1] [INFO] Starting gunicorn 23.0.0",
            "Traceback (most recent call last):",
            "ImportError: Entry point ('gunicorn.workers', 'eventlet') not found",
            "[",
            "  'sync',",
            "]",
            "",
        ]);
        assert_eq!(
            failure_line(&detail),
            "exited with code 1 before answering HTTP 200 on /state; log: ImportError: Entry \
             point ('gunicorn.workers', 'eventlet') not found"
        );
        // No error word: the last line that is not blank or a bracket.
        let detail = health(&["starting", "listening on 0.0.0.0:9000", "}", "  ]  "]);
        assert!(failure_line(&detail).ends_with("; log: listening on 0.0.0.0:9000"));
        assert!(!failure_line(&health(&["]", ""])).contains("; log:"));
    }
}
