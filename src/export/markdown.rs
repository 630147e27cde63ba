//! `report.md`: the matrix as GitHub Markdown, fit for a pull-request comment or a CI job
//! summary: the table, notes on stand-ins and single runs, use cases, and failures with
//! their log tails folded in `<details>`.

use std::fmt::Write;

use crate::format::{self, bytes, millis, seconds};
use crate::matrix::{Matrix, Row};
use crate::results::FailureDetail;

/// Escape text for a Markdown table cell: pipes, HTML brackets, newlines.
fn cell(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace('\n', " ")
}

fn variant(row: &Row) -> String {
    let mut s = format!("**{}**", cell(&row.name));
    if row.is_reference {
        s.push_str(" (reference)");
    }
    if !row.stand_in_bases.is_empty() {
        s.push_str(" ⚠ stand-in base");
    }
    s
}

fn size(row: &Row) -> String {
    let Some(size) = row.size.as_ref() else {
        return "–".into();
    };
    let mut s = bytes(size.total);
    if let Some(r) = size.ratio {
        let _ = write!(s, " ({})", format::ratio(r));
    }
    if let (Some(base), Some(added)) = (size.base, size.added) {
        let _ = write!(s, "<br>base {} + {}", bytes(base), bytes(added));
    }
    s
}

fn build(row: &Row) -> String {
    let parts: Vec<String> = [
        ("cold", row.build_cold.as_ref()),
        ("cached", row.build_cached.as_ref()),
        ("change", row.build_incremental.as_ref()),
    ]
    .iter()
    .filter_map(|(label, t)| t.map(|t| format!("{label} {}", format::timing_pm(t, seconds))))
    .collect();
    if parts.is_empty() {
        "–".into()
    } else {
        parts.join("<br>")
    }
}

fn security(row: &Row) -> String {
    let f = &row.facts;
    let root = match f.root {
        Some(true) => "root",
        Some(false) => "non-root",
        None => "user unknown",
    };
    if !f.analysed {
        return format!("{root}<br>not analysed");
    }
    let shell = if f.shells.is_empty() {
        "no shell"
    } else {
        "shell"
    };
    let wasted = f.wasted_bytes.map_or("?".to_string(), format::bytes);
    format!(
        "{root}<br>{shell}<br>pkg: {}<br>wasted: {wasted}",
        cell(&format::list(&f.package_managers))
    )
}

fn matrix_row(row: &Row) -> String {
    let r = &row.ratings;
    let startup = row
        .startup
        .as_ref()
        .map_or("–".into(), |t| format::timing(t, millis));
    let latency = row.latency.as_ref().map_or("–".into(), |l| {
        let rps = l
            .concurrent_rps
            .map_or(String::new(), |v| format!("<br>{v:.0} req/s"));
        format!("{} / {}{rps}", millis(l.p50), millis(l.p95))
    });
    let memory = row.memory.as_ref().map_or("–".into(), |m| {
        format!("{} / {}", bytes(m.idle), bytes(m.peak))
    });
    format!(
        "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} {}/5 | {} |",
        row.rank,
        variant(row),
        if row.works { "✅" } else { "❌" },
        size(row),
        row.layers.map_or("–".into(), |l| l.to_string()),
        build(row),
        startup,
        latency,
        memory,
        security(row),
        format::stars(Some(r.overall)),
        r.overall,
        cell(&row.reason),
    )
}

fn ratings_table(out: &mut String, matrix: &Matrix) {
    out.push_str("\n### Ratings\n\n");
    out.push_str(
        "| variant | compatibility | security | debugging | size | speed | overall | use case |\n",
    );
    out.push_str("|---|---|---|---|---|---|---|---|\n");
    for row in matrix.ranked() {
        let r = &row.ratings;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} ({:.2}) | {} |",
            cell(&row.name),
            format::rating(Some(r.compatibility)),
            format::rating(r.security),
            format::rating(r.debugging),
            format::rating(r.size),
            format::rating(r.speed),
            format::rating(Some(r.overall)),
            r.score,
            cell(&row.use_case),
        );
    }
    let w = &matrix.weights;
    let _ = writeln!(
        out,
        "\nWeights: compatibility {}, security {}, debugging {}, size {}, speed {} \
         (`[scoring]` in basebench.toml; see docs/SCORING.md).",
        w.compatibility, w.security, w.debugging, w.size, w.speed
    );
}

fn fence(lines: &[String]) -> String {
    let longest = lines
        .iter()
        .map(|l| l.split(|c| c != '`').map(str::len).max().unwrap_or(0))
        .max()
        .unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

fn failure(out: &mut String, row: &Row) {
    let _ = writeln!(
        out,
        "\n#### ❌ {}\n\n{}\n",
        cell(&row.name),
        cell(row.failure.as_deref().unwrap_or("does not work"))
    );
    let Some(FailureDetail {
        phase,
        step,
        message,
        state,
        exit_code,
        log_tail,
    }) = row.failure_detail.as_ref()
    else {
        return;
    };
    let _ = writeln!(out, "- phase: `{}`", format!("{phase:?}").to_lowercase());
    if let Some(step) = step {
        let _ = writeln!(out, "- step: `{}`", step.replace('`', "'"));
    }
    let _ = writeln!(out, "- message: {}", cell(message));
    if let Some(state) = state {
        let code = exit_code.map_or(String::new(), |c| format!(", exit code {c}"));
        let _ = writeln!(out, "- container: {}{code}", cell(state));
    }
    if !log_tail.is_empty() {
        let f = fence(log_tail);
        let _ = writeln!(
            out,
            "\n<details><summary>last {} log lines</summary>\n\n{f}text\n{}\n{f}\n\n</details>",
            log_tail.len(),
            log_tail.join("\n")
        );
    }
}

/// Render the Markdown report.
pub fn render(matrix: &Matrix) -> String {
    let mut out = format!("## basebench: {}\n\n", cell(&matrix.run_id));
    let _ = writeln!(
        out,
        "Run started {} · builder {} · Docker {}{}\n",
        cell(&matrix.started_at),
        cell(&matrix.builder),
        cell(&matrix.engine),
        if matrix.complete {
            ""
        } else {
            " · **incomplete**"
        }
    );
    out.push_str("| # | variant | works | size (× smallest) | layers | build | startup [min–max] | p50 / p95 | memory idle / peak | image | overall | reason |\n");
    out.push_str("|---:|---|:---:|---|---:|---|---|---|---|---|---|---|\n");
    for row in matrix.ranked() {
        out.push_str(&matrix_row(row));
        out.push('\n');
    }
    if !matrix.notes.is_empty() {
        out.push('\n');
        for note in &matrix.notes {
            let _ = writeln!(out, "> {}  ", cell(note));
        }
    }
    ratings_table(&mut out, matrix);
    if matrix.failures().next().is_some() {
        out.push_str("\n### Failures\n");
        for row in matrix.failures() {
            failure(&mut out, row);
        }
    }
    findings(&mut out, matrix);
    out
}

/// What reading each Dockerfile found, one list per variant.
fn findings(out: &mut String, matrix: &Matrix) {
    if matrix.with_findings().next().is_none() {
        return;
    }
    out.push_str("\n### Dockerfile findings\n");
    for row in matrix.with_findings() {
        let _ = writeln!(
            out,
            "\n**{}** (`{}`)\n",
            cell(&row.name),
            cell(&row.dockerfile)
        );
        for f in &row.findings {
            let _ = writeln!(
                out,
                "- line {}, {} `{}`: {} *Fix:* {}",
                f.line,
                f.severity,
                f.rule,
                cell(&f.message),
                cell(&f.fix)
            );
        }
    }
}
