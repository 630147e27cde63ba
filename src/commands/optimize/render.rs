//! `optimize`'s report as text: the terminal table and `optimize.md`, both from the same
//! cells ([`cells`]), escaped by each format's own helper.

use std::fmt::Write;

use tabled::builder::Builder;
use tabled::settings::Style;

use super::outcome::{Delta, Report, Row, signed_bytes};
use crate::export::escape::{code_block, markdown, terminal};
use crate::format::{bytes, millis, seconds};

/// The column headings.
const HEADINGS: [&str; 7] = [
    "transformation",
    "applies",
    "works",
    "Δ size",
    "Δ code-change build",
    "Δ startup",
    "in best",
];

/// `−1.20 s` with its verdict and p-value, e.g. `−1.20 s (faster, p 0.03)`.
fn signed(
    d: Option<f64>,
    unit: fn(f64) -> String,
    verdict: Option<&str>,
    p: Option<f64>,
) -> String {
    let Some(d) = d else {
        return "—".to_string();
    };
    let sign = if d < 0.0 { "−" } else { "+" };
    // A verdict needs two samples on each side and an original that works.
    let verdict = verdict.unwrap_or("no verdict");
    match p {
        Some(p) => format!("{sign}{} ({verdict}, p {p:.2})", unit(d.abs())),
        None => format!("{sign}{} ({verdict})", unit(d.abs())),
    }
}

/// One row's cells, plain text.
fn cells(row: &Row) -> [String; 7] {
    let delta = row.delta.clone().unwrap_or_default();
    let measured = row.works.is_some();
    let Delta {
        size_bytes,
        startup_ms,
        startup_verdict,
        startup_p,
        code_change_build_s,
        code_change_build_verdict,
        code_change_build_p,
        ..
    } = delta;
    [
        row.name.to_string(),
        if row.applies { "yes" } else { "no" }.to_string(),
        match row.works {
            Some(true) => "yes".to_string(),
            Some(false) => "no".to_string(),
            None => "—".to_string(),
        },
        match (measured, size_bytes) {
            (true, Some(d)) => signed_bytes(d),
            _ => "—".to_string(),
        },
        signed(
            code_change_build_s,
            seconds,
            code_change_build_verdict.as_deref(),
            code_change_build_p,
        ),
        signed(startup_ms, millis, startup_verdict.as_deref(), startup_p),
        if row.kept {
            "yes"
        } else if row.applies {
            "no"
        } else {
            "—"
        }
        .to_string(),
    ]
}

/// Why each applicable transformation is left out, and why the others do not apply.
fn notes(report: &Report) -> Vec<String> {
    report
        .transformations
        .iter()
        .filter_map(|r| {
            let why = r.left_out.as_ref().or(r.reason_if_not.as_ref())?;
            let what = if r.applies {
                "left out"
            } else {
                "does not apply"
            };
            Some(format!("{}: {what}: {why}", r.name))
        })
        .collect()
}

/// The one-line verdict: what the best Dockerfile is and what it saves.
pub(super) fn best_line(report: &Report) -> String {
    let best = &report.best;
    let size = |m: &super::outcome::Measured| m.image.map(|i| bytes(i.size_bytes));
    let mut line = match (best.transformations.is_empty(), best.measured.works) {
        (true, _) => "best: the original Dockerfile".to_string(),
        (false, works) => format!(
            "best: {} ({}), {}",
            best.file.as_deref().unwrap_or("Dockerfile.optimized"),
            best.transformations.join(" + "),
            if works { "works" } else { "does not work" }
        ),
    };
    if let (Some(d), Some(now)) = (&best.delta, size(&best.measured)) {
        if let Some(s) = d.size_bytes {
            let before = best.measured.image.map_or(0, |i| i.size_bytes) as i64 - s;
            let share = if before > 0 {
                format!(
                    ", {:.0} % of the original",
                    100.0 * (before + s) as f64 / before as f64
                )
            } else {
                String::new()
            };
            let _ = write!(line, "; {now} ({}{share})", signed_bytes(s));
        }
        if let Some(v) = &d.code_change_build_verdict {
            let _ = write!(
                line,
                "; code-change build {}",
                signed(
                    d.code_change_build_s,
                    seconds,
                    Some(v),
                    d.code_change_build_p
                )
            );
        }
        if let Some(v) = &d.startup_verdict {
            let _ = write!(
                line,
                "; startup {}",
                signed(d.startup_ms, millis, Some(v), d.startup_p)
            );
        }
    }
    if let Some(note) = &best.note {
        let _ = write!(line, " ({note})");
    }
    line
}

/// The table, the notes and the findings for the terminal.
pub(super) fn terminal_table(report: &Report) -> String {
    let mut builder = Builder::default();
    builder.push_record(HEADINGS);
    for row in &report.transformations {
        builder.push_record(cells(row).map(|c| terminal(&c)));
    }
    let mut out = format!("{}\n", builder.build().with(Style::sharp()));
    for note in notes(report) {
        let _ = writeln!(out, "  {}", terminal(&note));
    }
    for f in &report.findings {
        let _ = writeln!(
            out,
            "  line {} {}: {} ({})",
            f.line,
            terminal(&f.rule),
            terminal(&f.measured),
            terminal(f.fixed_by)
        );
    }
    out
}

/// `optimize.md`.
pub(super) fn markdown_report(report: &Report) -> String {
    let mut out = String::from("# basebench optimize\n\n");
    let _ = writeln!(
        out,
        "Dockerfile `{}`, context `{}`. Each transformation was measured alone against the \
         original in run `{}` (`candidates/`){}.\n",
        report.dockerfile,
        report.context,
        report.runs.candidates,
        match &report.runs.combination {
            Some(id) => format!(", the combination with the original in run `{id}` (`best/`)"),
            None => String::new(),
        }
    );
    let _ = writeln!(out, "**{}**\n", markdown(&best_line(report)));
    let _ = writeln!(out, "| {} |", HEADINGS.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(HEADINGS.len()));
    for row in &report.transformations {
        let _ = writeln!(out, "| {} |", cells(row).map(|c| markdown(&c)).join(" | "));
    }
    out.push('\n');
    for note in notes(report) {
        let _ = writeln!(out, "- {}", markdown(&note));
    }
    if !report.findings.is_empty() {
        out.push_str("\n## Lint findings and what fixing them measured\n\n");
        for f in &report.findings {
            let _ = writeln!(
                out,
                "- line {} `{}`: {} — {} (`{}`)",
                f.line,
                f.rule,
                markdown(&f.message),
                markdown(&f.measured),
                f.fixed_by
            );
        }
    }
    for row in report.transformations.iter().filter(|r| r.kept) {
        if let Some(diff) = &row.diff {
            let _ = write!(
                out,
                "\n## {}\n\n{}",
                row.name,
                code_block(
                    &diff.lines().map(str::to_string).collect::<Vec<_>>(),
                    "diff"
                )
            );
        }
    }
    out
}
