//! Reading build progress: BuildKit status messages and classic builder output lines,
//! turned into [`BuildEvent`]s, step counts, the image id and a failure's context.
//!
//! A *step* is a Dockerfile instruction. BuildKit names its vertexes `[2/5] RUN ...` or,
//! in multi-stage builds, `[builder 2/4] COPY ...`; vertexes such as
//! `[internal] load build definition` are not steps. The classic builder prints
//! `Step 2/5 : RUN ...` and ` ---> Using cache`. `FROM` steps count toward the total but
//! never as "run": they execute nothing (a pull is timed apart). The classic builder
//! appends one `LABEL` step per build label (`Step 9/10 : LABEL basebench=true`); those
//! are not the Dockerfile's and are not counted.

use std::collections::{HashMap, VecDeque};

use bollard::moby::buildkit::v1::StatusResponse;
use bollard::models::{BuildInfo, BuildInfoAux};

use crate::engine::{BuildEvent, BuildEvents};

/// Lines of build output kept for a failure report.
const LOG_TAIL: usize = 20;

/// One step seen so far.
#[derive(Debug)]
struct Step {
    name: String,
    cached: bool,
    done: bool,
    from: bool,
    /// A `LABEL` step the classic builder added for the build's labels.
    added: bool,
}

/// Everything learnt from a build's output stream.
#[derive(Debug, Default)]
pub(super) struct Progress {
    steps: Vec<Step>,
    by_key: HashMap<String, usize>,
    classic_current: Option<usize>,
    tail: VecDeque<String>,
    image_id: Option<String>,
    failed_step: Option<String>,
    /// How telling the recorded failure is: (a Dockerfile step, not a cancellation).
    failed_rank: (bool, bool),
    label_keys: Vec<String>,
    created: Vec<String>,
}

impl Progress {
    /// Progress of a build whose request sets labels with these keys.
    pub(crate) fn new(label_keys: impl IntoIterator<Item = String>) -> Progress {
        Progress {
            label_keys: label_keys.into_iter().collect(),
            ..Progress::default()
        }
    }

    /// Take in one message of the build stream.
    pub(crate) fn on_info(&mut self, info: &BuildInfo, events: BuildEvents<'_>) {
        match &info.aux {
            Some(BuildInfoAux::BuildKit(status)) => self.on_status(status, events),
            Some(BuildInfoAux::Default(image)) => {
                if let Some(id) = image.id.as_ref().filter(|id| !id.is_empty()) {
                    self.image_id = Some(id.clone());
                }
            }
            None => {}
        }
        if let Some(text) = &info.stream {
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                self.on_classic_line(line, events);
            }
        }
    }

    /// `(steps_total, steps_run)`.
    pub(crate) fn counts(&self) -> (u32, u32) {
        let own = || self.steps.iter().filter(|s| !s.added);
        let total = own().count() as u32;
        let run = own().filter(|s| !s.cached && !s.from).count() as u32;
        (total, run)
    }

    /// The image id the builder reported, if any (`sha256:...`, or a short id from
    /// classic's `Successfully built`).
    pub(crate) fn image_id(&self) -> Option<&str> {
        self.image_id.as_deref()
    }

    /// The step that failed: the vertex BuildKit marked with an error, or the classic
    /// step that was running.
    pub(crate) fn failed_step(&self) -> Option<String> {
        self.failed_step.clone().or_else(|| {
            let i = self.classic_current?;
            Some(self.steps[i].name.clone())
        })
    }

    /// Images the classic builder committed for steps that ran (not cached, not `FROM`),
    /// oldest first: unlabelled intermediates to remove when the build does not finish.
    pub(crate) fn created_images(&self) -> &[String] {
        &self.created
    }

    /// The last lines of output.
    pub(crate) fn log_tail(&self) -> Vec<String> {
        self.tail.iter().cloned().collect()
    }

    /// Remember a line of output and pass it on.
    fn log(&mut self, line: &str, events: BuildEvents<'_>) {
        if self.tail.len() == LOG_TAIL {
            self.tail.pop_front();
        }
        self.tail.push_back(line.to_string());
        events(BuildEvent::Log(line.to_string()));
    }

    /// Record a step's state; emits an event when the step is new or changed.
    fn update(&mut self, key: &str, name: &str, cached: bool, done: bool, events: BuildEvents<'_>) {
        let (index, new) = match self.by_key.get(key) {
            Some(&i) => (i, false),
            None => {
                let added = self.is_added_label_step(name);
                self.steps.push(Step {
                    name: name.to_string(),
                    cached: false,
                    done: false,
                    from: instruction(name).to_ascii_uppercase().starts_with("FROM "),
                    added,
                });
                self.by_key.insert(key.to_string(), self.steps.len() - 1);
                (self.steps.len() - 1, true)
            }
        };
        let step = &mut self.steps[index];
        let changed = new || (cached && !step.cached) || (done && !step.done);
        step.cached |= cached;
        step.done |= done;
        if changed && !step.added {
            events(BuildEvent::Step {
                name: step.name.clone(),
                cached: step.cached,
                done: step.done,
            });
        }
    }

    /// A BuildKit status message: vertexes (steps and internal work) and their logs.
    fn on_status(&mut self, status: &StatusResponse, events: BuildEvents<'_>) {
        let mut names = HashMap::new();
        for vertex in &status.vertexes {
            names.insert(vertex.digest.clone(), vertex.name.clone());
            if !vertex.error.is_empty() {
                // A step BuildKit cancelled because another failed is not the failure.
                let rank = (
                    is_buildkit_step(&vertex.name),
                    !vertex.error.contains("context canceled"),
                );
                if self.failed_step.is_none() || rank >= self.failed_rank {
                    self.failed_step = Some(vertex.name.clone());
                    self.failed_rank = rank;
                }
                self.log(&format!("{}: {}", vertex.name, vertex.error), events);
            }
            if is_buildkit_step(&vertex.name) {
                let done = vertex.cached || vertex.completed.is_some();
                self.update(&vertex.digest, &vertex.name, vertex.cached, done, events);
            }
        }
        for log in &status.logs {
            let text = String::from_utf8_lossy(&log.msg);
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                self.log(line, events);
            }
        }
    }

    /// True for `Step N/M : LABEL key=...` among the last steps, with `key` one of the
    /// build's label keys: a step the classic builder appended.
    fn is_added_label_step(&self, name: &str) -> bool {
        let Some(label) = instruction(name).strip_prefix("LABEL ") else {
            return false;
        };
        let counter = name.trim_start_matches("Step ").split(" : ").next();
        let Some((n, m)) = counter.and_then(|c| c.split_once('/')) else {
            return false;
        };
        let (Ok(n), Ok(m)) = (n.parse::<usize>(), m.parse::<usize>()) else {
            return false;
        };
        let label = label.trim_start_matches('"');
        n + self.label_keys.len() > m
            && self.label_keys.iter().any(|k| {
                label
                    .strip_prefix(k.as_str())
                    .is_some_and(|rest| rest.starts_with(['=', '"']))
            })
    }

    /// One line of classic builder output (colour codes removed).
    fn on_classic_line(&mut self, line: &str, events: BuildEvents<'_>) {
        let line = strip_ansi(line);
        let line = line.as_str();
        if line.trim().is_empty() {
            return;
        }
        self.log(line, events);
        let buildah = buildah_step(line.trim());
        let trimmed = buildah.as_deref().unwrap_or(line.trim());
        if let Some(rest) = trimmed.strip_prefix("Step ") {
            if rest.split(" : ").next().is_some_and(is_step_counter) {
                self.finish_classic_step(events);
                let key = format!("classic:{}", self.steps.len());
                self.update(&key, trimmed, false, false, events);
                self.classic_current = self.by_key.get(&key).copied();
            }
        } else if trimmed == "---> Using cache" || trimmed.starts_with("--> Using cache ") {
            if let Some(i) = self.classic_current {
                let key = format!("classic:{i}");
                let name = self.steps[i].name.clone();
                self.update(&key, &name, true, true, events);
            }
        } else if let Some(id) = (trimmed.strip_prefix("---> "))
            .or_else(|| trimmed.strip_prefix("--> "))
            .filter(|id| is_image_id(id))
        {
            let step = self.classic_current.map(|i| &self.steps[i]);
            if step.is_some_and(|s| !s.cached && !s.from) {
                self.created.push(id.to_string());
            }
        } else if let Some(id) = trimmed.strip_prefix("Successfully built ") {
            self.finish_classic_step(events);
            self.classic_current = None;
            if self.image_id.is_none() {
                self.image_id = Some(id.trim().to_string());
            }
        }
    }

    /// Mark the running classic step finished.
    fn finish_classic_step(&mut self, events: BuildEvents<'_>) {
        if let Some(i) = self.classic_current {
            let name = self.steps[i].name.clone();
            self.update(&format!("classic:{i}"), &name, false, true, events);
        }
    }
}

/// A step line of Buildah (Podman's builder, behind its Docker-compatible API),
/// `STEP 2/5: COPY app /app`, in the classic builder's spelling, `Step 2/5 : COPY app /app`;
/// `None` for any other line. Buildah reports a cached step as `--> Using cache <id>`.
fn buildah_step(line: &str) -> Option<String> {
    let rest = line.strip_prefix("STEP ")?;
    let (counter, instruction) = rest.split_once(": ")?;
    is_step_counter(counter).then(|| format!("Step {counter} : {instruction}"))
}

/// `text` without ANSI escape sequences (the classic builder colours RUN's stderr).
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        if chars.next() == Some('[') {
            // CSI: parameters up to a final byte in '@'..='~'.
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
        }
    }
    out
}

/// True for a (short) image id: 12 or more hex digits.
fn is_image_id(text: &str) -> bool {
    text.len() >= 12 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// True for `N/M`.
fn is_step_counter(text: &str) -> bool {
    let mut parts = text.split('/');
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    matches!((parts.next(), parts.next(), parts.next()), (Some(a), Some(b), None) if all_digits(a) && all_digits(b))
}

/// True for BuildKit vertex names of Dockerfile steps: `[2/5] ...`, `[stage 2/5] ...`.
pub(super) fn is_buildkit_step(name: &str) -> bool {
    let Some(rest) = name.strip_prefix('[') else {
        return false;
    };
    let Some((inside, _)) = rest.split_once(']') else {
        return false;
    };
    inside.rsplit(' ').next().is_some_and(is_step_counter)
}

/// The instruction part of a step name (`RUN ...` of `[2/5] RUN ...` or
/// `Step 2/5 : RUN ...`).
fn instruction(name: &str) -> &str {
    if let Some(rest) = name.strip_prefix('[') {
        return rest.split_once("] ").map_or("", |(_, i)| i);
    }
    name.split_once(" : ").map_or("", |(_, i)| i)
}

#[cfg(test)]
mod tests;
