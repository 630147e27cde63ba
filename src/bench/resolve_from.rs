//! Resolving each `FROM` reference to an image: `[substitute]` first, then the local image, then
//! a pull (timed apart), then a stand-in built from Debian packages. Decisions are shared
//! by all variants of a run, so each base is pulled or built at most once.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use super::warnings::Warning;
use super::{Bench, Stop};
use crate::bases::StandInError;
use crate::config::{BaseFallback, Variant};
use crate::dockerfile;
use crate::reporter::Event;
use crate::results::{BaseImage, DockerfileFinding, FailurePhase, VariantResult};

/// How one base reference was made available.
#[derive(Debug, Clone, PartialEq)]
enum Resolution {
    /// Already on the daemon.
    Local,
    /// Pulled, taking this many seconds.
    Pulled(f64),
    /// A stand-in with this reference is used instead.
    StandIn(String),
    /// Not available; the text says why and what to do.
    Unavailable(String),
    /// A stand-in for this (normalised) reference is needed, but no Debian mirror is set
    /// or known; the text says why and what to do.
    NoMirror { requested: String, reason: String },
}

/// Resolves the `FROM` references of a run's variants to images, and remembers how each
/// reference was resolved.
#[derive(Debug, Default)]
pub(crate) struct FromResolver {
    decided: HashMap<String, Resolution>,
    /// The base whose stand-in could not be built for want of a Debian mirror.
    missing_mirror: Option<String>,
}

/// A variant's Dockerfile ready to build: bases resolved and rewritten.
pub(crate) struct Prepared {
    /// Dockerfile text to send.
    pub(crate) dockerfile: String,
}

impl FromResolver {
    /// Read the variant's Dockerfile, resolve its bases and rewrite its `FROM` lines.
    pub(crate) async fn prepare(
        &mut self,
        bench: &Bench<'_>,
        variant: &Variant,
        result: &mut VariantResult,
    ) -> Result<Prepared, Stop> {
        let path = &variant.dockerfile;
        let source = dockerfile::read(path).map_err(|e| {
            Stop::new(
                FailurePhase::Prepare,
                format!("cannot read Dockerfile '{}': {e}", path.display()),
            )
        })?;
        if source.lossy {
            let dockerfile = variant.dockerfile_display.clone();
            bench.warn(result, Warning::DockerfileNotUtf8 { dockerfile });
        }
        let text = source.text;
        result.findings = findings(&text);
        let refs = dockerfile::resolve_bases(&text, &variant.build_args).map_err(|e| {
            Stop::new(
                FailurePhase::Prepare,
                format!("{}: {e}", variant.dockerfile_display),
            )
        })?;
        let mut rewrites = BTreeMap::new();
        for from in refs {
            let wanted = bench
                .config
                .substitute
                .get(&from.requested)
                .cloned()
                .unwrap_or_else(|| from.requested.clone());
            let (actual, stand_in, pull_s) = match self.resolve(bench, &wanted).await {
                Resolution::Local => (wanted.clone(), false, None),
                Resolution::Pulled(secs) => (wanted.clone(), false, Some(secs)),
                Resolution::StandIn(reference) => (reference, true, None),
                Resolution::Unavailable(reason) => {
                    return Err(Stop::new(FailurePhase::Prepare, reason));
                }
                Resolution::NoMirror { requested, reason } => {
                    self.missing_mirror = Some(requested);
                    return Err(Stop::new(FailurePhase::Prepare, reason));
                }
            };
            // A substitute may itself be a stand-in (pushed with `bases --push`, or named
            // directly): its label says so.
            let stand_in = stand_in || is_stand_in(bench, &actual).await;
            let seen = result.bases.iter().any(|b| b.requested == from.requested);
            if stand_in && !seen {
                bench.warn(
                    result,
                    Warning::StandInBase {
                        requested: from.requested.clone(),
                        actual: actual.clone(),
                    },
                );
            }
            if actual != from.requested {
                rewrites.insert(from.requested.clone(), actual.clone());
            }
            result.bases.push(BaseImage {
                requested: from.requested,
                actual,
                stand_in,
                final_stage: from.final_stage,
                pull_s,
            });
        }
        let dockerfile =
            dockerfile::rewrite_bases(&text, &rewrites, &variant.build_args).map_err(|e| {
                Stop::new(
                    FailurePhase::Prepare,
                    format!("{}: {e}", variant.dockerfile_display),
                )
            })?;
        Ok(Prepared { dockerfile })
    }

    /// The base a stand-in was needed for when no Debian mirror is set or known: the run
    /// stops there, because every other stand-in would fail the same way.
    pub(crate) fn missing_mirror(&self) -> Option<&str> {
        self.missing_mirror.as_deref()
    }

    async fn resolve(&mut self, bench: &Bench<'_>, reference: &str) -> Resolution {
        if let Some(known) = self.decided.get(reference) {
            return match known {
                Resolution::Pulled(_) => Resolution::Local,
                other => other.clone(),
            };
        }
        let decided = resolve_once(bench, reference).await;
        self.decided.insert(reference.to_string(), decided.clone());
        decided
    }
}

/// True when the image carries basebench's stand-in label.
async fn is_stand_in(bench: &Bench<'_>, reference: &str) -> bool {
    matches!(
        bench.engine.image_info(reference).await,
        Ok(Some(info)) if info.labels.contains_key(crate::engine::STAND_IN_LABEL)
    )
}

async fn resolve_once(bench: &Bench<'_>, reference: &str) -> Resolution {
    let engine = bench.engine;
    match engine.image_info(reference).await {
        Ok(Some(_)) => return Resolution::Local,
        Ok(None) => {}
        Err(e) => {
            return Resolution::Unavailable(format!(
                "cannot inspect base image '{reference}': {e}"
            ));
        }
    }
    let start = Instant::now();
    let pull_error = match engine.pull_image(reference).await {
        Ok(_) => return Resolution::Pulled(start.elapsed().as_secs_f64()),
        Err(e) => e.to_string(),
    };
    if bench.config.fallback == BaseFallback::None {
        return Resolution::Unavailable(format!(
            "base image '{reference}' is not on the daemon and cannot be pulled ({pull_error}); \
             `docker load` it, point [substitute] at a mirror, or set [bases] fallback = \"stand-in\""
        ));
    }
    if let Err(no_recipe) = crate::bases::recipe_for(reference) {
        return Resolution::Unavailable(format!(
            "base image '{reference}' is not on the daemon and cannot be pulled ({pull_error}); {no_recipe}"
        ));
    }
    let notice = |text: &str| bench.reporter.report(Event::Notice(text.to_string()));
    notice(&format!(
        "base image '{reference}' is not local and cannot be pulled: using a stand-in built from Debian packages"
    ));
    let mirror = bench.config.mirror.as_deref();
    match crate::bases::ensure_stand_in(engine, reference, mirror, &notice).await {
        Ok(stand_in) => Resolution::StandIn(stand_in.reference),
        Err(e @ StandInError::NoMirror { .. }) => Resolution::NoMirror {
            requested: crate::bases::normalize(reference),
            reason: format!(
                "base image '{reference}' is not on the daemon and cannot be pulled ({pull_error}); {e}"
            ),
        },
        Err(e) => Resolution::Unavailable(format!(
            "base image '{reference}' is not on the daemon and cannot be pulled ({pull_error}); {e}"
        )),
    }
}

/// The lint findings of a Dockerfile, as result data.
fn findings(text: &str) -> Vec<DockerfileFinding> {
    dockerfile::lint(text).into_iter().map(as_result).collect()
}

/// A lint finding as result data.
pub(crate) fn as_result(f: dockerfile::lint::Finding) -> DockerfileFinding {
    DockerfileFinding {
        line: f.line,
        rule: f.rule.to_string(),
        severity: match f.severity {
            dockerfile::Severity::Error => "error".to_string(),
            dockerfile::Severity::Warning => "warning".to_string(),
        },
        message: f.message,
        fix: f.fix,
    }
}
