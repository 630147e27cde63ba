//! Snapshot tests of every renderer on fixed, hand-made results (colours off).
//!
//! The fixture holds a failed build, a container that exits, stand-in bases, a single-run
//! timing, a missing anatomy and scanned and unscanned images. The snapshots render
//! `article-v2.json` (raw samples of a schema 2 run, made by `make_article_v2.py`) with
//! its intervals and verdicts computed as a run computes them; `article.json` (schema 1,
//! no raw sample positions) checks that older files still render.

use basebench::export::{self, render_reports, render_table};
use basebench::matrix::ScoringWeights;
use basebench::results::{RunResults, annotate};

fn fixture(name: &str) -> RunResults {
    let path = format!(
        "{}/tests/fixtures/results/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("fixture readable");
    serde_json::from_str(&text).expect("fixture parses")
}

/// The schema 2 fixture with its statistics computed from the samples and the seed.
fn measured() -> RunResults {
    let mut results = fixture("article-v2.json");
    annotate(&mut results);
    results
}

fn report(name: &str) -> String {
    let results = measured();
    let reports = render_reports(&results, &ScoringWeights::default());
    let report = reports
        .into_iter()
        .find(|r| r.file_name == name)
        .expect("report rendered");
    String::from_utf8(report.bytes).expect("utf-8")
}

#[test]
fn terminal_table_fits_120_columns_and_matches_snapshot() {
    let table = render_table(&measured(), &ScoringWeights::default(), false);
    for line in table
        .lines()
        .filter(|l| l.starts_with(['┌', '│', '├', '└']))
    {
        assert!(line.chars().count() <= 120, "line too wide: {line}");
    }
    insta::assert_snapshot!("table", table);
}

#[test]
fn results_json_is_the_results_exactly() {
    let text = report("results.json");
    let back: RunResults = serde_json::from_str(&text).expect("parses back");
    assert_eq!(back, measured());
    insta::assert_snapshot!("results_json", text);
}

#[test]
fn csv_has_one_row_per_variant_with_plain_units() {
    let text = report("results.csv");
    assert_eq!(text.lines().count(), 1 + measured().variants.len());
    insta::assert_snapshot!("results_csv", text);
}

#[test]
fn markdown_report_matches_snapshot() {
    insta::assert_snapshot!("report_md", report("report.md"));
}

#[test]
fn html_report_matches_snapshot_and_needs_no_network() {
    let html = report("report.html");
    for banned in ["http://", "https://", "<script", "<link", "@import", "url("] {
        let hits: Vec<&str> = html.lines().filter(|l| l.contains(banned)).collect();
        let allowed = |l: &&str| l.contains("http://www.w3.org/2000/svg");
        assert!(
            hits.iter().all(allowed),
            "report.html refers to {banned}: {hits:?}"
        );
    }
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "log text is escaped"
    );
    insta::assert_snapshot!("report_html", html);
}

#[test]
fn every_report_is_rendered_under_its_file_name() {
    let names: Vec<&str> = render_reports(&fixture("article.json"), &ScoringWeights::default())
        .iter()
        .map(|r| r.file_name)
        .collect();
    assert_eq!(
        names,
        ["results.json", "results.csv", "report.md", "report.html"]
    );
    let _ = export::Report {
        file_name: "x",
        bytes: Vec::new(),
    };
}

#[test]
fn colours_appear_only_when_asked_for() {
    let results = fixture("article.json");
    let plain = render_table(&results, &ScoringWeights::default(), false);
    let coloured = render_table(&results, &ScoringWeights::default(), true);
    assert!(!plain.contains('\u{1b}'));
    assert!(coloured.contains("\u{1b}["));
}

/// Every report of `results`, by file name.
fn reports_of(results: &RunResults) -> Vec<(&'static str, String)> {
    render_reports(results, &ScoringWeights::default())
        .into_iter()
        .filter(|r| r.file_name != "results.json")
        .map(|r| {
            let text = String::from_utf8(r.bytes).expect("utf-8");
            (r.file_name, text)
        })
        .collect()
}

/// The fixture with hostile text where untrusted text enters: a variant name, a warning,
/// a failure message and log line, a Dockerfile path.
fn hostile() -> RunResults {
    let mut results = fixture("article.json");
    let slim = results
        .variants
        .iter_mut()
        .find(|v| v.name == "slim")
        .expect("slim in fixture");
    slim.name = "sl\u{1b}[31mim`|*x*".into();
    slim.warnings.push("bell\u{7} in a warning".into());
    let bloated = results
        .variants
        .iter_mut()
        .find(|v| v.name == "bloated")
        .expect("bloated in fixture");
    bloated.dockerfile = "variants/Docker`file".into();
    let crashy = results
        .variants
        .iter_mut()
        .find(|v| v.name == "crashy")
        .expect("crashy in fixture");
    let detail = crashy.failure_detail.as_mut().expect("failure detail");
    detail.message = "exit\u{1b}]0;title\u{7} `now`".into();
    detail
        .log_tail
        .push("\u{1b}[2K``` not a fence \u{9b}".into());
    results
}

#[test]
fn no_format_passes_a_control_character_through() {
    let results = hostile();
    let table = render_table(&results, &ScoringWeights::default(), false);
    let mut outputs = reports_of(&results);
    outputs.push(("table", table));
    for (name, text) in &outputs {
        for raw in ['\u{1b}', '\u{7}', '\u{9b}'] {
            assert!(!text.contains(raw), "{raw:?} reaches {name}");
        }
    }
    let find = |name: &str| &outputs.iter().find(|(n, _)| *n == name).expect("output").1;
    assert!(find("table").contains("sl\\x1b[31mim`|*x*"));
    assert!(find("results.csv").contains(",sl\\x1b[31mim`|*x*,"));
    assert!(find("report.html").contains("<strong>sl\\x1b[31mim`|*x*</strong>"));
    assert!(find("report.html").contains("exit\\x1b]0;title\\x07 `now`"));
}

#[test]
fn markdown_shows_hostile_names_and_logs_literally() {
    let results = hostile();
    let md = &reports_of(&results)
        .into_iter()
        .find(|(n, _)| *n == "report.md")
        .expect("report.md")
        .1;
    // Backslash-escaped: renders as `sl\x1b[31mim`|*x*` without code, cells or emphasis.
    assert!(md.contains("**sl\\\\x1b\\[31mim\\`\\|\\*x\\***"), "{md}");
    assert!(
        md.contains("- message: exit\\\\x1b]0;title\\\\x07 \\`now\\`"),
        "{md}"
    );
    // A log line of three backticks cannot close the block: the fence is longer.
    assert!(md.contains("\n````text\n"), "{md}");
    assert!(
        md.contains("\n\\x1b[2K``` not a fence \\x9b\n````\n"),
        "{md}"
    );
    // A backtick in a path takes a longer code-span fence.
    assert!(md.contains("(``variants/Docker`file``)"), "{md}");
}

#[test]
fn markdown_code_spans_show_a_fix_with_ampersands_literally() {
    let mut results = fixture("article.json");
    let bloated = results
        .variants
        .iter_mut()
        .find(|v| v.name == "bloated")
        .expect("bloated in fixture");
    let finding = bloated.findings.first_mut().expect("a finding");
    finding.message = "apt lists stay in the layer; `USER <name>` too.".into();
    finding.fix = "end the same RUN with `&& rm -rf /var/lib/apt/lists/*`.".into();
    let reports = reports_of(&results);
    let md = &reports
        .iter()
        .find(|(n, _)| *n == "report.md")
        .expect("md")
        .1;
    assert!(
        md.contains("*Fix:* end the same RUN with `&& rm -rf /var/lib/apt/lists/*`."),
        "{md}"
    );
    assert!(md.contains("`USER <name>`"), "{md}");
    assert!(
        !md.contains("&amp;&amp;") && !md.contains("&lt;name"),
        "{md}"
    );
    let html = &reports
        .iter()
        .find(|(n, _)| *n == "report.html")
        .expect("html")
        .1;
    assert!(
        html.contains("<code>&amp;&amp; rm -rf /var/lib/apt/lists/*</code>"),
        "HTML escapes inside code"
    );
}

#[test]
fn every_format_shows_the_warnings_a_variant_collected() {
    let results = fixture("article.json");
    let warning = "startup: single run (no min/max spread); raise the repetitions for a median";
    let table = render_table(&results, &ScoringWeights::default(), false);
    assert!(
        table.contains(&format!("Warning: slim: {warning}")),
        "{table}"
    );
    for (name, text) in reports_of(&results) {
        let shown = match name {
            "report.md" => format!("- **slim**: {warning}"),
            "report.html" => format!("<li><strong>slim</strong>: {warning}</li>"),
            _ => format!("{warning}\""),
        };
        assert!(text.contains(&shown), "{name} lacks the warning:\n{text}");
    }
}

#[test]
fn labels_are_the_same_in_every_format() {
    let results = fixture("article.json");
    let table = render_table(&results, &ScoringWeights::default(), false);
    let reports = reports_of(&results);
    let md = &reports
        .iter()
        .find(|(n, _)| *n == "report.md")
        .expect("md")
        .1;
    let html = &reports
        .iter()
        .find(|(n, _)| *n == "report.html")
        .expect("html")
        .1;
    // alpine was never built: its user is unknown, in the same words everywhere.
    for (name, text) in [("table", &table), ("md", md), ("html", html)] {
        assert!(text.contains("user unknown"), "{name}");
        assert!(!text.contains("user ?"), "{name}");
        assert!(text.contains("wasted: 1.2 MB"), "{name}");
        assert!(text.contains("588–622 ms]"), "{name}: startup spread");
    }
    // The build cell's lines: labelled in Markdown and HTML, named by the table's header.
    for text in [md, html] {
        assert!(text.contains("after change 2.20 s ±0.15<br>steps re-run 1/10"));
    }
    assert!(table.contains("│ after change ") && table.contains("│ steps re-run "));
}

#[test]
fn the_trend_table_shows_control_characters_from_the_history_as_escapes() {
    let mut results = fixture("article.json");
    results.variants[0].name = "blo\u{1b}[2Jated".into();
    let line = basebench::history::summary_line(&results);
    let history = basebench::history::parse(&line);
    let table = export::trend::table(&history, None);
    assert!(!table.contains('\u{1b}'), "{table}");
    assert!(table.contains("blo\\x1b[2Jated"), "{table}");
}
