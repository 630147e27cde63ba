//! Progress display. The orchestrator tells a [`Reporter`] what happens; the reporter
//! decides how to show it (indicatif in a terminal, plain lines in logs, nothing with
//! `--quiet`). Nothing else in the core prints. Every line is escaped for the terminal
//! ([`terminal`]): events quote build and container logs.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use crate::export::escape::{terminal, terminal_text};

/// A measuring phase of one variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Resolving base images (local, pull, stand-in).
    Bases,
    /// Cold build (no cache).
    BuildCold,
    /// Identical rebuild.
    BuildCached,
    /// Rebuild after a code change (33 bytes appended to one file).
    BuildIncremental,
    /// Starting fresh containers and timing startup.
    Startup,
    /// Latency, load and memory on a healthy container.
    Load,
    /// Smoke commands.
    Smoke,
    /// Exporting and analysing the image.
    Anatomy,
    /// Pushing the image to the `--registry` and reading its manifest.
    Registry,
    /// Removing what the variant created.
    Cleanup,
}

impl Phase {
    /// Short label for progress lines.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Phase::Bases => "base images",
            Phase::BuildCold => "cold build",
            Phase::BuildCached => "cached rebuild",
            Phase::BuildIncremental => "rebuild after code change",
            Phase::Startup => "startup",
            Phase::Load => "latency and memory",
            Phase::Smoke => "smoke commands",
            Phase::Anatomy => "image anatomy",
            Phase::Registry => "registry push",
            Phase::Cleanup => "cleanup",
        }
    }
}

/// Something worth telling the user while a run goes on.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Event {
    /// A variant starts (1-based index).
    VariantStarted {
        /// Variant name.
        name: String,
        /// Its position.
        index: usize,
        /// Number of variants.
        total: usize,
    },
    /// A variant enters a phase; `detail` says e.g. which repetition.
    Phase {
        /// Variant name.
        name: String,
        phase: Phase,
        /// Extra text.
        detail: String,
    },
    /// A build step ran or came from cache.
    BuildStep {
        /// Variant name.
        name: String,
        /// Step as the builder names it.
        step: String,
        /// From cache.
        cached: bool,
    },
    /// A variant is done; `summary` is one line (works, size, startup) or why it failed.
    VariantFinished {
        /// Variant name.
        name: String,
        /// True when it works.
        works: bool,
        /// One line.
        summary: String,
    },
    /// A round of a phase over every variant is done; `precision` is the widest startup
    /// interval so far, relative to its median.
    Round {
        /// The phase (`startup`).
        what: &'static str,
        /// Rounds done.
        done: u32,
        /// Most rounds this run may take.
        most: u32,
        /// Widest relative half-width of an interval, when known.
        precision: Option<f64>,
    },
    /// Something the user should know (stand-in base used, pull failed, ...).
    Notice(String),
    /// A warning about the numbers (single run, high variance, ...).
    Warning(String),
}

/// Receives progress events. Implementations must be cheap and never fail.
pub(crate) trait Reporter: Send + Sync {
    /// Show one event.
    fn report(&self, event: Event);
    /// Print a finished block of text (the final table) without disturbing progress bars.
    fn finish(&self) {}
}

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProgressMode {
    /// Bars and spinners (stderr is a terminal).
    Bars,
    /// One plain line per event on stderr.
    Plain,
    /// Nothing but warnings.
    Quiet,
}

impl ProgressMode {
    /// Bars when stderr is a terminal, plain lines otherwise, quiet when asked.
    pub(crate) fn detect(quiet: bool) -> ProgressMode {
        if quiet {
            ProgressMode::Quiet
        } else if std::io::stderr().is_terminal() {
            ProgressMode::Bars
        } else {
            ProgressMode::Plain
        }
    }
}

/// Build the reporter for a mode.
pub(crate) fn for_mode(mode: ProgressMode) -> Box<dyn Reporter> {
    match mode {
        ProgressMode::Bars => Box::new(BarReporter::new()),
        ProgressMode::Plain => Box::new(PlainReporter { quiet: false }),
        ProgressMode::Quiet => Box::new(PlainReporter { quiet: true }),
    }
}

/// Plain lines on stderr, for logs and CI.
pub(crate) struct PlainReporter {
    quiet: bool,
}

/// The line an event prints, escaped for the terminal: step names, summaries, notices
/// and warnings quote build logs, container logs and daemon messages.
fn plain_line(event: &Event) -> Option<String> {
    raw_line(event).map(|line| terminal_text(&line))
}

fn raw_line(event: &Event) -> Option<String> {
    Some(match event {
        Event::VariantStarted { name, index, total } => format!("[{index}/{total}] {name}"),
        Event::Phase {
            name,
            phase,
            detail,
        } if detail.is_empty() => format!("  {name}: {}", phase.label()),
        Event::Phase {
            name,
            phase,
            detail,
        } => format!("  {name}: {} ({detail})", phase.label()),
        Event::BuildStep { name, step, cached } => {
            format!("  {name}: {step}{}", if *cached { " (cached)" } else { "" })
        }
        Event::VariantFinished {
            name,
            works: true,
            summary,
        } => format!("  {name}: works — {summary}"),
        Event::VariantFinished {
            name,
            works: false,
            summary,
        } => format!("  {name}: FAILED — {summary}"),
        Event::Round {
            what,
            done,
            most,
            precision,
        } => match precision {
            Some(p) => format!(
                "{what} round {done}/{most} done: every interval within ±{:.1}%",
                p * 100.0
            ),
            None => format!("{what} round {done}/{most} done"),
        },
        Event::Notice(text) => format!("note: {text}"),
        Event::Warning(text) => format!("warning: {text}"),
    })
}

impl Reporter for PlainReporter {
    fn report(&self, event: Event) {
        if self.quiet && !matches!(event, Event::Warning(_)) {
            return;
        }
        if let Some(line) = plain_line(&event) {
            let _ = writeln!(std::io::stderr(), "{line}");
        }
    }
}

/// indicatif spinners: one line per variant in progress, finished lines kept above.
pub(crate) struct BarReporter {
    multi: MultiProgress,
    current: Mutex<Option<ProgressBar>>,
}

impl BarReporter {
    fn new() -> BarReporter {
        BarReporter {
            multi: MultiProgress::new(),
            current: Mutex::new(None),
        }
    }

    fn spinner(&self, prefix: String) -> ProgressBar {
        let bar = self.multi.add(ProgressBar::new_spinner());
        let style =
            ProgressStyle::with_template("{spinner} {prefix:.bold} {elapsed:>4} {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner());
        bar.set_style(style);
        bar.set_prefix(prefix);
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    }

    fn with_current(&self, f: impl FnOnce(&ProgressBar)) {
        if let Ok(current) = self.current.lock()
            && let Some(bar) = current.as_ref()
        {
            f(bar);
        }
    }
}

impl Reporter for BarReporter {
    fn report(&self, event: Event) {
        match event {
            Event::VariantStarted { name, index, total } => {
                let bar = self.spinner(terminal(&format!("[{index}/{total}] {name}")));
                if let Ok(mut current) = self.current.lock()
                    && let Some(previous) = current.replace(bar)
                {
                    previous.finish_and_clear();
                }
            }
            // One spinner for the run: the rounds visit every variant, so the line names
            // the variant being measured.
            Event::Phase {
                name,
                phase,
                detail,
            } => self.with_current(|bar| {
                let text = if detail.is_empty() {
                    format!("{name}: {}", phase.label())
                } else {
                    format!("{name}: {} ({detail})", phase.label())
                };
                bar.set_message(terminal(&text));
            }),
            Event::BuildStep { step, cached, .. } => self.with_current(|bar| {
                let mark = if cached { "cached" } else { "run" };
                bar.set_message(terminal(&format!("{mark}: {step}")));
            }),
            Event::VariantFinished { .. } => {
                if let Ok(mut current) = self.current.lock()
                    && let Some(bar) = current.take()
                {
                    bar.finish_and_clear();
                }
                if let Some(line) = plain_line(&event) {
                    let _ = self.multi.println(line);
                }
            }
            other => {
                if let Some(line) = plain_line(&other) {
                    let _ = self.multi.println(line);
                }
            }
        }
    }

    fn finish(&self) {
        let _ = self.multi.clear();
    }
}
