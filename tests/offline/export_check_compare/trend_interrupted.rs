//! A run stopped by Ctrl-C (or a crash) appends a history line with `complete: false`;
//! `trend` marks it in the table and in the chart, so its figures are not read as a full
//! run's.

use super::*;

/// A history of the baseline (complete) and the article run, interrupted.
fn history_with_an_interrupted_run(dir: &std::path::Path) -> PathBuf {
    let mut interrupted = load("article.json");
    interrupted.complete = false;
    let text = [
        history::summary_line(&load("baseline.json")),
        history::summary_line(&interrupted),
    ]
    .concat();
    let path = dir.join("history.jsonl");
    std::fs::write(&path, text).expect("write history");
    path
}

#[test]
fn an_interrupted_run_is_marked_in_the_table_and_the_chart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let svg = dir.path().join("trend.svg");
    let a = TrendArgs {
        variant: Some("slim".into()),
        svg: Some(svg.clone()),
        ..trend_args(Some(history_with_an_interrupted_run(dir.path())))
    };
    let run = trend_in(dir.path(), &a);
    assert_eq!(run.code, 0, "{}", run.err);
    let rows: Vec<&str> = run.out.lines().filter(|l| l.contains("│ slim")).collect();
    assert_eq!(rows.len(), 2, "{}", run.out);
    assert!(
        !rows[0].contains("interrupted"),
        "the baseline finished: {}",
        rows[0]
    );
    assert!(rows[1].contains("interrupted"), "{}", rows[1]);
    assert!(
        run.out
            .contains("(interrupted): the run stopped before every variant was measured"),
        "{}",
        run.out
    );
    let chart = std::fs::read_to_string(svg).expect("svg");
    assert_eq!(
        chart.matches(" (interrupted)</text>").count(),
        3,
        "one x label per chart: {chart}"
    );
    assert!(chart.contains(">(interrupted): the run stopped"), "{chart}");
}

#[test]
fn complete_runs_carry_no_mark() {
    let dir = tempfile::tempdir().expect("tempdir");
    history_of(dir.path(), &["baseline.json", "article.json"]);
    let run = trend_in(
        dir.path(),
        &trend_args(Some(dir.path().join("history.jsonl"))),
    );
    assert_eq!(run.code, 0, "{}", run.err);
    assert!(!run.out.contains("interrupted"), "{}", run.out);
}
