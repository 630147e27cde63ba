//! The startup rounds: each starts one fresh container of every working variant in the
//! round's shuffled order, times it and removes it. With `--precision`, rounds are added
//! (up to `--max-runs`) until every variant's startup interval is that tight or every
//! verdict against the reference is settled. Then the startup caveats are recorded.

use super::plan::{Kind, Plan, Round};
use super::warnings::Warning;
use super::{Bench, Run, startup};
use crate::reporter::{Event, Phase};
use crate::results::RunResults;
use crate::stats::{Timing, outliers};

/// Run the planned startup rounds, then the adaptive ones; `false` when interrupted.
pub(crate) async fn startups(
    bench: &Bench<'_>,
    run: &mut Run<'_>,
    plan: &mut Plan,
    on_update: &mut (dyn FnMut(&RunResults) + Send),
) -> bool {
    let sampling = &bench.config.sampling;
    let planned: Vec<Round> = plan.of(Kind::Startup).cloned().collect();
    let most = sampling
        .precision
        .map_or(bench.config.runs, |_| sampling.max_runs);
    let mut done = 0;
    for round in planned {
        if !round_once(bench, run, &round, most).await {
            return false;
        }
        done += 1;
        finish_round(bench, run, done, most, on_update);
    }
    if let Some(precision) = sampling.precision {
        while done < most && !enough(&run.results, precision, sampling.noise) {
            let round = plan.next_startup();
            if !round_once(bench, run, &round, most).await {
                return false;
            }
            done += 1;
            finish_round(bench, run, done, most, on_update);
        }
    }
    for slot in run.slots.iter_mut().filter(|s| s.alive) {
        warn_about(bench, &mut slot.result);
    }
    true
}

fn finish_round(
    bench: &Bench<'_>,
    run: &mut Run<'_>,
    done: u32,
    most: u32,
    on_update: &mut (dyn FnMut(&RunResults) + Send),
) {
    run.results.rounds = Some(done);
    bench.publish(run, on_update);
    bench.reporter.report(Event::Round {
        what: "startup",
        done,
        most,
        precision: worst_precision(&run.results),
    });
}

/// One round: a fresh container of each working variant, in the round's order.
async fn round_once(bench: &Bench<'_>, run: &mut Run<'_>, round: &Round, most: u32) -> bool {
    let warmup = round.index < bench.config.sampling.warmup;
    for (position, &i) in round.order.iter().enumerate() {
        let slot = &mut run.slots[i];
        let Some(image) = slot.image_id().filter(|_| slot.alive) else {
            continue;
        };
        let detail = format!("round {}/{most}", round.index + 1);
        bench.phase(slot.variant, Phase::Startup, detail);
        let name = format!("r{}", round.index);
        let started = startup::start(bench, slot.variant, &image, &name, &mut slot.created);
        match bench.or_cancel(started).await {
            None => return false,
            Some(Ok(started)) => {
                let _ = bench.engine.remove_container(&started.id).await;
                slot.starts
                    .push(&started, round.index, position as u32, warmup);
                slot.starts.record(&mut slot.result);
            }
            Some(Err(stop)) => slot.fail(stop),
        }
    }
    true
}

/// The widest startup interval of a working variant, relative to its median.
fn worst_precision(results: &RunResults) -> Option<f64> {
    results
        .variants
        .iter()
        .filter(|v| v.works)
        .filter_map(|v| v.startup_ms.as_ref()?.relative_half_width())
        .fold(None, |worst, w| Some(worst.map_or(w, |x: f64| x.max(w))))
}

/// True when more rounds are not needed: every working variant's startup interval is
/// within `precision` of its median, or every verdict against the reference is settled.
pub(crate) fn enough(results: &RunResults, precision: f64, noise: f64) -> bool {
    let working: Vec<_> = results.variants.iter().filter(|v| v.works).collect();
    if working.is_empty() {
        return true;
    }
    let precise = working.iter().all(|v| {
        v.startup_ms
            .as_ref()
            .and_then(Timing::relative_half_width)
            .is_some_and(|w| w <= precision)
    });
    let verdicts: Vec<_> = working
        .iter()
        .filter_map(|v| v.vs_reference.get("startup_ms"))
        .collect();
    let settled = working.len() > 1
        && verdicts.len() == working.len() - 1
        && verdicts.iter().all(|c| c.settled(noise));
    precise || settled
}

/// Single run, wide spread, outliers, an outlying first start.
fn warn_about(bench: &Bench<'_>, result: &mut crate::results::VariantResult) {
    let Some(startup) = result.startup_ms.clone() else {
        return;
    };
    if startup.is_single_run() {
        bench.warn(result, Warning::SingleRun { what: "startup" });
    }
    let spread = startup.relative_spread();
    if spread > super::warnings::HIGH_VARIANCE {
        bench.warn(
            result,
            Warning::HighVariance {
                what: "startup",
                spread,
            },
        );
    }
    let values = startup.values();
    let count = outliers::count(&values);
    if count > 0 {
        bench.warn(
            result,
            Warning::Outliers {
                what: "startup",
                count,
                n: startup.n,
            },
        );
    }
    if let Some(first) = result.first_start_ms.as_ref()
        && outliers::is_outlier_among(first.median, &values)
    {
        bench.warn(
            result,
            Warning::SlowFirstStart {
                first_ms: first.median,
                median_ms: startup.median,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::VariantResult;
    use crate::stats::Comparison;
    use crate::stats::Verdict;

    fn working(name: &str, ci: [f64; 2], verdict: Option<[f64; 2]>) -> VariantResult {
        let mut v = VariantResult {
            name: name.into(),
            works: true,
            startup_ms: Timing::from_samples(&[100.0, 100.0]),
            ..VariantResult::default()
        };
        if let Some(t) = v.startup_ms.as_mut() {
            t.ci95 = Some(ci);
        }
        if let Some(ci95) = verdict {
            let c = Comparison {
                ratio: (ci95[0] + ci95[1]) / 2.0,
                ci95,
                p_value: None,
                verdict: crate::stats::compare::verdict(ci95, 0.05),
            };
            v.vs_reference.insert("startup_ms".into(), c);
        }
        v
    }

    fn results(variants: Vec<VariantResult>) -> RunResults {
        let mut r: RunResults =
            serde_json::from_str(include_str!("../../tests/fixtures/results/article.json"))
                .expect("fixture");
        r.variants = variants;
        r
    }

    #[test]
    fn rounds_stop_when_tight_or_settled_and_not_before() {
        // ±3 % everywhere: precise at 5 %, not at 2 %.
        let tight = results(vec![working("a", [97.0, 103.0], None)]);
        assert!(enough(&tight, 0.05, 0.05));
        assert!(!enough(&tight, 0.02, 0.05));
        // Wide intervals, but the only verdict is clear: settled.
        let clear = results(vec![
            working("a", [80.0, 120.0], None),
            working("b", [80.0, 120.0], Some([1.3, 1.6])),
        ]);
        assert_eq!(
            clear.variants[1].vs_reference["startup_ms"].verdict,
            Verdict::Slower
        );
        assert!(enough(&clear, 0.05, 0.05));
        // Wide and undecided: go on.
        let open = results(vec![
            working("a", [80.0, 120.0], None),
            working("b", [80.0, 120.0], Some([0.9, 1.2])),
        ]);
        assert!(!enough(&open, 0.05, 0.05));
        assert_eq!(worst_precision(&open), Some(0.2));
    }
}
