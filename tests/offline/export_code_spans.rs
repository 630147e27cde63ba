//! report.md's code spans read back as CommonMark reads them (a run of n backticks opens a
//! span, the next run of exactly n closes it, one padding space each side is dropped): a
//! Dockerfile path with a backtick and a fix with `&&` and `<` come back exactly as
//! written, with no HTML entities inside.

use basebench::export::render_reports;
use basebench::matrix::ScoringWeights;
use basebench::results::RunResults;

/// The code spans of one line, per CommonMark's rules.
fn code_spans(line: &str) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    let run_at = |i: usize| chars[i..].iter().take_while(|c| **c == '`').count();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\\' {
            i += 2;
            continue;
        }
        if chars[i] != '`' {
            i += 1;
            continue;
        }
        let open = run_at(i);
        let start = i + open;
        let mut j = start;
        let mut close = None;
        while j < chars.len() {
            if chars[j] == '`' {
                let n = run_at(j);
                if n == open {
                    close = Some(j);
                    break;
                }
                j += n;
            } else {
                j += 1;
            }
        }
        let Some(end) = close else {
            i = start;
            continue;
        };
        let mut body: String = chars[start..end].iter().collect();
        if body.len() >= 2
            && body.starts_with(' ')
            && body.ends_with(' ')
            && !body.trim().is_empty()
        {
            body = body[1..body.len() - 1].to_string();
        }
        spans.push(body);
        i = end + open;
    }
    spans
}

fn markdown(results: &RunResults) -> String {
    let reports = render_reports(results, &ScoringWeights::default());
    let md = reports
        .into_iter()
        .find(|r| r.file_name == "report.md")
        .expect("report.md");
    String::from_utf8(md.bytes).expect("utf-8")
}

#[test]
fn the_reader_follows_commonmark() {
    assert_eq!(code_spans("a `x` b ``y`z`` c"), ["x", "y`z"]);
    assert_eq!(code_spans("`` `x` ``"), ["`x`"]);
    assert_eq!(code_spans("\\`not` code"), Vec::<String>::new());
}

#[test]
fn paths_with_backticks_and_fixes_with_ampersands_read_back_literally() {
    let path = format!(
        "{}/tests/fixtures/results/article.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut results: RunResults =
        serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json");
    let bloated = results
        .variants
        .iter_mut()
        .find(|v| v.name == "bloated")
        .expect("bloated");
    bloated.dockerfile = "variants/Docker`file``x".into();
    let finding = bloated.findings.first_mut().expect("a finding");
    finding.fix = "end the same RUN with `&& rm -rf /var/lib/apt/lists/*` or `<none>`".into();
    let md = markdown(&results);
    let heading = md
        .lines()
        .find(|l| l.starts_with("#### bloated"))
        .expect("the findings heading");
    assert_eq!(
        code_spans(heading),
        ["variants/Docker`file``x"],
        "{heading}"
    );
    let fix = md
        .lines()
        .find(|l| l.contains("*Fix:* end the same RUN"))
        .expect("the fix");
    let spans = code_spans(fix);
    assert_eq!(
        spans[spans.len() - 2..],
        ["&& rm -rf /var/lib/apt/lists/*", "<none>"],
        "{fix}"
    );
    for span in code_spans(fix) {
        assert!(!span.contains("&amp;") && !span.contains("&lt;"), "{span}");
    }
}
